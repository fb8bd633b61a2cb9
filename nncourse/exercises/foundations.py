"""The exercises of the Foundations part on softmax, cross-entropy, entropy and KL divergence.

Each wrong version is a mistake the chapters' pitfall boxes or the worked problem sets record,
written as the function a learner would hand in. The exercises on activations and on losses are
in :mod:`~nncourse.exercises.activations` and :mod:`~nncourse.exercises.losses`.

Which entries of the errata register of the worked problem sets are detectors: every entry whose
mistake is a formula a learner could hand in as a function (a forward pass, a loss, a derivative,
a gradient, a backward pass or an update) is a known mistake of the exercise that asks for that
function, linked by its id in ``Exercise.errata``;
an intermediate line counts when the formula it states, carried through, is a wrong function.
Deliberately not detectors are: verbal claims, names and explanations (what a quantity is called,
why a method works or fails); slips in the value of one worked number (a rounded or truncated
digit, a moved decimal point, a sign lost in one evaluation); notation and index slips (the range
of a sum, the order of two indices, a symbol for another function) that no program would carry;
steps that misstate a rule but reach the right formula; and products whose shapes do not fit,
for which a learner's function raises and the check reports the error. Of the chapters' pitfall
boxes, those about the training loop (``zero_grad``, the order of backward and step, which
parameters to decay, the size of the learning rate), about counting (parameters, output sizes),
about units mixed inside one identity, and precision losses smaller than the check's tolerance
are not detectors either.
"""

from __future__ import annotations

import numpy as np

from .. import activations as act
from .. import information
from .. import losses as loss_functions
from .core import Exercise, register

# --- inputs ---------------------------------------------------------------------------------


def logit_batches(rng: np.random.Generator) -> list[tuple]:
    """Batches of logits (N, C): random, a tie for the maximum, a batch of one, extreme rows."""
    return [
        (rng.normal(size=(4, 3)) * 2,),
        (np.array([[1.0, 1.0, -2.0], [0.0, 0.0, 0.0]]),),
        (rng.normal(size=(1, 5)),),
        (np.array([[1000.0, 0.0, -1000.0], [0.0, -800.0, 5.0]]),),
    ]


def logits_and_classes(rng: np.random.Generator) -> list[tuple]:
    """Logits (N, C) with integer targets (N,), a batch of one included."""
    return [
        (rng.normal(size=(5, 4)) * 2, rng.integers(0, 4, size=5)),
        (np.array([[2.0, 2.0, -1.0]]), np.array([1])),
        (rng.normal(size=(3, 2)), np.array([0, 1, 1])),
    ]


def distributions(rng: np.random.Generator) -> list[tuple]:
    """Probability vectors, some with zeros (0 log 0 = 0), and a batch of them."""
    return [
        (rng.dirichlet(np.ones(4)),),
        (np.array([0.5, 0.0, 0.25, 0.25]),),
        (rng.dirichlet(np.ones(3), size=2),),
    ]


def distribution_pairs(rng: np.random.Generator) -> list[tuple]:
    """Pairs (p, q): random, p with a zero, q with a zero where p is 0, and q = 0 < p (infinite)."""
    return [
        (rng.dirichlet(np.ones(4)), rng.dirichlet(np.ones(4))),
        (np.array([0.5, 0.0, 0.5]), np.array([0.25, 0.5, 0.25])),
        (np.array([0.7, 0.3, 0.0]), np.array([0.2, 0.6, 0.2])),
        (rng.dirichlet(np.ones(3), size=2), rng.dirichlet(np.ones(3), size=2)),
        (np.array([0.5, 0.5]), np.array([1.0, 0.0])),
    ]


def positive_distributions(rng: np.random.Generator) -> list[tuple]:
    return [(rng.dirichlet(np.ones(5)),), (np.array([0.5, 0.25, 0.25]),)]


# --- softmax --------------------------------------------------------------------------------


def _naive_softmax(z: np.ndarray) -> np.ndarray:
    e = np.exp(z)
    return e / e.sum(axis=-1, keepdims=True)


def _shifted_softmax(z: np.ndarray) -> np.ndarray:
    """The stable softmax, written out: NaN in, NaN out (nncourse's softmax refuses NaN)."""
    return _naive_softmax(z - z.max(axis=-1, keepdims=True))


register(
    Exercise(
        id="ex-softmax-softmax",
        title="softmax(z) along the last axis, stable for any logits",
        reference=act.softmax,
        cases=logit_batches,
        section="ch-softmax",
        mistakes={
            "the maximum not subtracted": _naive_softmax,
            "normalised along the wrong axis": lambda z: act.softmax(z, axis=0),
            "the exponentials not normalised": lambda z: np.exp(z - z.max(axis=-1, keepdims=True)),
            "the minimum subtracted": lambda z: _naive_softmax(z - z.min(axis=-1, keepdims=True)),
            "the logits standardised": lambda z: _shifted_softmax(
                (z - z.mean(axis=-1, keepdims=True)) / z.std(axis=-1, keepdims=True)
            ),
        },
        hints={
            "the maximum not subtracted": "exp(1000) overflows to inf and inf / inf is NaN. "
            "Subtract each row's maximum first: softmax(z - max z) = softmax(z).",
            "normalised along the wrong axis": "Classes are the last axis: each row, one sample, "
            "must sum to 1 (axis=-1), not each column.",
            "the exponentials not normalised": "After exp(z - max z), divide by the row's sum so "
            "that the probabilities add up to 1.",
            "the minimum subtracted": "Any shift leaves the softmax unchanged on paper, but only "
            "the maximum makes every exponent <= 0; after subtracting the minimum the largest "
            "exponent may overflow.",
            "the logits standardised": "Dividing the logits by their standard deviation changes "
            "the probabilities (and a row of equal logits gives 0 / 0). Only a shift is free: "
            "subtract the row's maximum.",
        },
        errata={"the logits standardised": "ps1-softmax-standardised-logits"},
    )
)

register(
    Exercise(
        id="ex-softmax-stable",
        title="stable_log_softmax(logits) for a batch (N, C)",
        reference=act.log_softmax,
        cases=logit_batches,
        section="ch-softmax",
        mistakes={
            "the log of a naive softmax": lambda z: np.log(_naive_softmax(z)),
            "the log-sum-exp forgotten": lambda z: z - z.max(axis=-1, keepdims=True),
            "log-sum-exp without the maximum": lambda z: (
                z - np.log(np.exp(z).sum(axis=-1, keepdims=True))
            ),
            "the log of the softmax": lambda z: np.log(act.softmax(z)),
        },
        hints={
            "the log of a naive softmax": "exp of a large logit overflows and log of an "
            "underflowed probability is -inf. Use log p = (z - m) - log sum exp(z - m).",
            "the log-sum-exp forgotten": "z - max z is only the first term: subtract "
            "log sum_j exp(z_j - max z) too, or the probabilities do not sum to 1.",
            "log-sum-exp without the maximum": "log sum exp(z) overflows for large logits: "
            "write it m + log sum exp(z - m) with m the row's maximum.",
            "the log of the softmax": "Even a stable softmax underflows to 0 for a very negative "
            "logit, and log 0 = -inf although the log-probability is an ordinary number "
            "(about -800 for z = (0, -800)). Compute (z - m) - log sum exp(z - m) directly.",
        },
        errata={"the log of a naive softmax": "ps2-log-softmax-overflow"},
    )
)


def _softmax_jacobian_rows(z: np.ndarray, rule) -> np.ndarray:
    p = act.softmax(z)
    return rule(p)


register(
    Exercise(
        id="ex-softmax-jacobian",
        title="softmax_jacobian(z), the C x C Jacobian of the softmax of a vector z",
        reference=act.softmax_jacobian,
        cases=lambda rng: [(rng.normal(size=4),), (np.array([2.0, 2.0, -1.0]),), (np.zeros(2),)],
        section="ch-softmax",
        mistakes={
            "the Kronecker delta dropped": lambda z: _softmax_jacobian_rows(
                z, lambda p: np.outer(p, 1 - p)
            ),
            "the diagonal alone": lambda z: _softmax_jacobian_rows(
                z, lambda p: np.diag(p * (1 - p))
            ),
            "the sign flipped": lambda z: -act.softmax_jacobian(z),
            "-p_i p_i off the diagonal": lambda z: _softmax_jacobian_rows(
                z, lambda p: np.where(np.eye(p.size) == 1, p * (1 - p), -(p**2)[:, None])
            ),
            "the indices swapped": lambda z: _softmax_jacobian_rows(
                z, lambda p: np.outer(1 - p, p)
            ),
            "the off-diagonal minus sign forgotten": lambda z: _softmax_jacobian_rows(
                z, lambda p: np.where(np.eye(p.size) == 1, p * (1 - p), np.outer(p, p))
            ),
        },
        hints={
            "the Kronecker delta dropped": "p_i (1 - p_j) is right on the diagonal only. For "
            "i != j the derivative is -p_i p_j: J = diag(p) - p p^T.",
            "the diagonal alone": "Every p_i depends on every z_j through the sum in the "
            "denominator: the off-diagonal entries are -p_i p_j, not 0.",
            "the sign flipped": "Raising z_i raises p_i: the diagonal p_i (1 - p_i) is positive.",
            "-p_i p_i off the diagonal": "dp_i/dz_j = -p_i p_j for j != i: the derivative of the "
            "denominator brings e^{z_j}, hence p_j. Only the diagonal involves p_i twice.",
            "the indices swapped": "Entry (i, j) is dp_i/dz_j = p_i (delta_ij - p_j): "
            "p_j (1 - p_i) is right on the diagonal only.",
            "the off-diagonal minus sign forgotten": "The quotient rule subtracts: off the "
            "diagonal the entries are -p_i p_j, and every row sums to 0 because the "
            "probabilities always sum to 1.",
        },
        errata={"-p_i p_i off the diagonal": "ps2-softmax-off-diagonal"},
    )
)

register(
    Exercise(
        id="ex-softmax-backward",
        title="softmax_vjp(logits, grad_output) for a batch (N, C)",
        reference=act.softmax_backward,
        cases=lambda rng: [
            (rng.normal(size=(3, 4)), rng.normal(size=(3, 4))),
            (np.array([[1.0, 1.0, 0.0]]), np.array([[1.0, -2.0, 0.5]])),
        ],
        section="ch-softmax",
        mistakes={
            "the sum term forgotten": lambda z, g: act.softmax(z) * g,
            "the Jacobian's diagonal alone": lambda z, g: act.softmax(z) * (1 - act.softmax(z)) * g,
            "the sum not weighted by p": lambda z, g: (
                act.softmax(z) * (g - g.sum(axis=-1, keepdims=True))
            ),
        },
        hints={
            "the sum term forgotten": "(J^T g)_j = p_j (g_j - sum_i g_i p_i): the sum comes from "
            "the off-diagonal -p_i p_j of the Jacobian.",
            "the Jacobian's diagonal alone": "Using only p_j (1 - p_j) g_j ignores how p_j moves "
            "every other probability: subtract p_j sum_i g_i p_i instead.",
            "the sum not weighted by p": "The sum is sum_i g_i p_i, the average of g under p, "
            "not the plain sum of g.",
        },
    )
)


def _onehot_like(z: np.ndarray, target: np.ndarray) -> np.ndarray:
    return np.eye(z.shape[-1])[target]


def _ce_grad_variant(z: np.ndarray, target: np.ndarray, rule) -> np.ndarray:
    """`rule(p, y)` over the batch size: the shape of the wrong cross-entropy gradients."""
    return rule(act.softmax(z), _onehot_like(z, target)) / len(target)


register(
    Exercise(
        id="ex-softmax-ce-grad",
        title="ce_grad(logits, target), the gradient of the mean cross-entropy",
        reference=loss_functions.cross_entropy_grad,
        cases=logits_and_classes,
        section="ch-softmax",
        mistakes={
            "the sign flipped (y - p)": lambda z, t: -loss_functions.cross_entropy_grad(z, t),
            "the mean forgotten": lambda z, t: loss_functions.cross_entropy_grad(
                z, t, reduction="sum"
            ),
            "the softmax forgotten": lambda z, t: (z - _onehot_like(z, t)) / len(t),
            "p - 1 in every entry": lambda z, t: (act.softmax(z) - 1) / len(t),
            "the diagonal term counted twice": lambda z, t: _ce_grad_variant(
                z, t, lambda p, y: p - y + y * p
            ),
            "the diagonal term's sign flipped": lambda z, t: _ce_grad_variant(
                z, t, lambda p, y: p + y - 2 * y * p
            ),
        },
        hints={
            "the sign flipped (y - p)": "dL/dz = p - y: raising the logit of a wrong class "
            "raises the loss, so its gradient is positive.",
            "the mean forgotten": "The loss is the mean over the N samples, so every "
            "gradient is divided by N.",
            "the softmax forgotten": "The gradient is softmax(z) - onehot(y), probabilities "
            "minus targets, not the logits minus the targets.",
            "p - 1 in every entry": "y is 1 for the true class only: the gradient is p - y, "
            "p_k - 1 for the true class and p_i for the others. Its entries sum to 0.",
            "the diagonal term counted twice": "Each probability is one path of the chain rule: "
            "sum -p_i p_j over i != j and add the diagonal p_j (1 - p_j) once, or sum over "
            "every i with p_i (delta_ij - p_j).",
            "the diagonal term's sign flipped": "-y_j (1 - p_j) is y_j (p_j - 1), not "
            "-y_j (p_j - 1): with the sign flipped the true class gets 1 - p_k.",
        },
        errata={
            "the sign flipped (y - p)": "ps1-ce-gradient-sign",
            "the diagonal term counted twice": "ps2-softmax-diagonal-twice",
            "the diagonal term's sign flipped": "ps2-softmax-diagonal-sign",
        },
    )
)


def _one_path(z: np.ndarray, target: np.ndarray) -> np.ndarray:
    """The chain rule through p_k alone, k the most probable class of each target."""
    p, k = act.softmax(z), target.argmax(axis=-1)
    y_k = np.take_along_axis(target, k[:, None], axis=-1)
    return y_k * (p - np.eye(z.shape[-1])[k]) / len(z)


register(
    Exercise(
        id="ex-softmax-soft-ce-grad",
        title="soft_ce_grad(logits, target), the mean cross-entropy's gradient, each target row "
        "a distribution",
        reference=loss_functions.cross_entropy_grad,
        cases=lambda rng: [
            (rng.normal(size=(4, 3)) * 2, rng.dirichlet(np.ones(3), size=4)),
            (np.array([[1.0, 2.0, 0.5]]), np.array([[0.8, 0.1, 0.1]])),
            (rng.normal(size=(2, 4)), np.array([[0.0, 1.0, 0.0, 0.0], [0.1, 0.2, 0.6, 0.1]])),
        ],
        section="ch-softmax",
        mistakes={
            "only the path through the true class": _one_path,
            "the target made one-hot": lambda z, y: (
                (act.softmax(z) - np.eye(z.shape[-1])[y.argmax(axis=-1)]) / len(z)
            ),
            "the sign flipped (y - p)": lambda z, y: (y - act.softmax(z)) / len(z),
            "the mean forgotten": lambda z, y: act.softmax(z) - y,
        },
        hints={
            "only the path through the true class": "L = -sum_c y_c log p_c depends on z_j "
            "through every p_c: sum (dL/dp_c)(dp_c/dz_j) over all c. One path is enough only "
            "for a one-hot target; in general the gradient is p - y.",
            "the target made one-hot": "With a target distribution y the gradient is p - y "
            "itself, not p minus the one-hot vector of its largest class.",
            "the sign flipped (y - p)": "dL/dz = p - y, prediction minus target.",
            "the mean forgotten": "The loss is the mean over the N samples: divide by N.",
        },
        errata={"only the path through the true class": "ps1-ce-chain-rule-one-path"},
    )
)


# --- entropy and KL divergence ----------------------------------------------------------------


def _plogq(p: np.ndarray, values: np.ndarray) -> np.ndarray:
    """sum p * values along the last axis with 0 * anything = 0."""
    return np.where(p > 0, p * values, 0.0).sum(axis=-1)


register(
    Exercise(
        id="ex-entropy-entropy",
        title="entropy(p) in nats, with 0 log 0 = 0",
        reference=information.entropy,
        cases=distributions,
        section="ch-entropy-kl",
        mistakes={
            "the minus sign forgotten": lambda p: -information.entropy(p),
            "bits instead of nats": lambda p: information.entropy(p, base=2),
            "0 log 0 not taken as 0": lambda p: -(p * np.log(p)).sum(axis=-1),
        },
        hints={
            "the minus sign forgotten": "log p <= 0, so H(p) = -sum p log p is >= 0.",
            "bits instead of nats": "The book's default is the natural log (nats); use base 2 "
            "only when bits are asked for, and say so.",
            "0 log 0 not taken as 0": "p log p -> 0 as p -> 0, but NumPy computes 0 * -inf = "
            "NaN: skip the zero entries (np.where, or a mask).",
        },
    )
)


register(
    Exercise(
        id="ex-entropy-cross-entropy",
        title="cross_entropy(p, q) in nats along the last axis, p the data's distribution",
        reference=information.cross_entropy,
        cases=distribution_pairs,
        section="ch-entropy-kl",
        mistakes={
            "the same distribution twice": lambda p, q: information.entropy(p),
            "the arguments swapped": lambda p, q: information.cross_entropy(q, p),
            "the minus sign forgotten": lambda p, q: -information.cross_entropy(p, q),
        },
        hints={
            "the same distribution twice": "-sum p log p is the entropy H(p), which does not "
            "depend on q at all. The cross-entropy averages -log q under p: -sum p log q.",
            "the arguments swapped": "H(p, q) is not symmetric: it weights by p, the data's "
            "distribution, and takes the log of q, the model's. H(q, p) is infinite when p is "
            "one-hot.",
            "the minus sign forgotten": "log q <= 0, so -sum p log q is >= 0.",
        },
        errata={"the same distribution twice": "ps1-cross-entropy-is-entropy"},
    )
)


register(
    Exercise(
        id="ex-entropy-kl-divergence",
        title="kl_divergence(p, q) along the last axis",
        reference=information.kl_divergence,
        cases=distribution_pairs,
        section="ch-entropy-kl",
        mistakes={
            "a ratio of logarithms": lambda p, q: _plogq(p, np.log(p) / np.log(q)),
            "the arguments swapped": lambda p, q: information.kl_divergence(q, p),
            "the weights p forgotten": lambda p, q: np.where(p > 0, np.log(p / q), 0.0).sum(-1),
            "bits instead of nats": lambda p, q: information.kl_divergence(p, q, base=2),
        },
        hints={
            "a ratio of logarithms": "D(p||q) = sum p log(p / q), the log of a ratio, which is "
            "log p - log q, not log p / log q.",
            "the arguments swapped": "KL is not symmetric: D(p||q) weights by p, the "
            "distribution of the data. D(q||p) is another number.",
            "the weights p forgotten": "Each log(p_i / q_i) is weighted by p_i: it is an "
            "expectation under p.",
            "bits instead of nats": "The book's default is the natural log (nats).",
        },
        errata={"a ratio of logarithms": "ps1-kl-ratio-of-logs"},
    )
)

register(
    Exercise(
        id="ex-entropy-entropy-gradient",
        title="entropy_grad(p), the gradient of H(p) = -sum p log p",
        reference=lambda p: -(np.log(p) + 1),
        cases=positive_distributions,
        section="ch-entropy-kl",
        mistakes={
            "the product rule's +1 forgotten": lambda p: -np.log(p),
            "the sign flipped": lambda p: np.log(p) + 1,
            "the derivative of log p alone": lambda p: -1 / p,
        },
        hints={
            "the product rule's +1 forgotten": "d(p log p)/dp = log p + p (1/p) = log p + 1.",
            "the sign flipped": "H = -sum p log p, so dH/dp_i = -(log p_i + 1).",
            "the derivative of log p alone": "Differentiate the product p log p, not log p.",
        },
    )
)
