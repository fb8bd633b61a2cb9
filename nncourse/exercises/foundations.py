"""The exercises of the Foundations part, on activations, softmax, losses, entropy and KL.

Each wrong version is a mistake the chapters' pitfall boxes or the worked problem sets record,
written as the function a learner would hand in.
"""

from __future__ import annotations

import numpy as np

from .. import activations as act
from .. import information
from .. import losses as loss_functions
from .core import Exercise, register

LN2 = np.log(2.0)


# --- inputs ---------------------------------------------------------------------------------


def pre_activations(rng: np.random.Generator) -> list[tuple]:
    """Vectors and a matrix of pre-activations, 0 and moderately large values included."""
    return [
        (rng.normal(size=7) * 3,),
        (rng.normal(size=(3, 4)),),
        (np.array([0.0, -1.0, 2.5, -6.0]),),
        (np.array([-30.0, 30.0]),),
    ]


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


def probabilities_and_labels(rng: np.random.Generator) -> list[tuple]:
    """Probabilities in (0.02, 0.98) with 0/1 labels, and a batch of one."""
    return [
        (rng.uniform(0.02, 0.98, size=6), rng.integers(0, 2, size=6).astype(float)),
        (np.array([0.9, 0.2, 0.7]), np.array([1.0, 0.0, 0.0])),
        (np.array([0.35]), np.array([1.0])),
    ]


def logits_and_labels(rng: np.random.Generator) -> list[tuple]:
    return [
        (rng.normal(size=6) * 3, rng.integers(0, 2, size=6).astype(float)),
        (np.array([0.0]), np.array([1.0])),
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


# --- activations ----------------------------------------------------------------------------

register(
    Exercise(
        id="ex-activations-sigmoid",
        title="sigmoid(x), without overflow for any x",
        reference=act.sigmoid,
        cases=lambda rng: [*pre_activations(rng), (np.array([-1000.0, 1000.0]),)],
        section="ch-checking-derivatives",
        mistakes={"the sign of the exponent": lambda x: 1 / (1 + np.exp(x))},
        hints={
            "the sign of the exponent": "sigma(x) = 1 / (1 + exp(-x)): with exp(+x) you computed "
            "sigma(-x) = 1 - sigma(x), a curve that falls instead of rising."
        },
    )
)

register(
    Exercise(
        id="ex-activations-sigmoid-grad",
        title="sigmoid_grad(x), the derivative of the sigmoid",
        reference=act.sigmoid_grad,
        cases=pre_activations,
        section="ch-checking-derivatives",
        mistakes={
            "the sigmoid is not its own derivative": act.sigmoid,
            "a sign error in the chain rule": lambda x: -act.sigmoid_grad(x),
            "the quotient rule without the squared denominator": lambda x: act.sigmoid(-x),
        },
        hints={
            "the sigmoid is not its own derivative": "Only exp is its own derivative. Apply "
            "the chain rule to (1 + exp(-x))^-1: the result is sigma(x) (1 - sigma(x)).",
            "a sign error in the chain rule": "Two minus signs meet, one from the power -1 and "
            "one from the derivative of exp(-x): the derivative is positive everywhere.",
            "the quotient rule without the squared denominator": "d/dx 1/u = -u'/u^2: you "
            "divided exp(-x) by (1 + exp(-x)) once instead of twice.",
        },
        errata={"a sign error in the chain rule": "ps4-sigmoid-derivative-sign"},
    )
)

register(
    Exercise(
        id="ex-activations-silu-grad",
        title="silu_grad(x), the derivative of x sigmoid(x)",
        reference=act.silu_grad,
        cases=pre_activations,
        section="ch-activations",
        mistakes={
            "the product rule's first term alone": act.sigmoid,
            "the product rule's second term alone": lambda x: x * act.sigmoid_grad(x),
            "the sigmoid's derivative in place of SiLU's": act.sigmoid_grad,
        },
        hints={
            "the product rule's first term alone": "(x s)' = s + x s': you kept s = sigma(x) "
            "and dropped x sigma'(x).",
            "the product rule's second term alone": "(x s)' = s + x s': you kept x sigma'(x) "
            "and dropped sigma(x), the derivative of x times s.",
            "the sigmoid's derivative in place of SiLU's": "SiLU is x sigma(x), not sigma(x): "
            "differentiate the product.",
        },
    )
)

# --- softmax --------------------------------------------------------------------------------


def _naive_softmax(z: np.ndarray) -> np.ndarray:
    e = np.exp(z)
    return e / e.sum(axis=-1, keepdims=True)


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
        },
        hints={
            "the maximum not subtracted": "exp(1000) overflows to inf and inf / inf is NaN. "
            "Subtract each row's maximum first: softmax(z - max z) = softmax(z).",
            "normalised along the wrong axis": "Classes are the last axis: each row, one sample, "
            "must sum to 1 (axis=-1), not each column.",
            "the exponentials not normalised": "After exp(z - max z), divide by the row's sum so "
            "that the probabilities add up to 1.",
        },
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
        },
        hints={
            "the log of a naive softmax": "exp of a large logit overflows and log of an "
            "underflowed probability is -inf. Use log p = (z - m) - log sum exp(z - m).",
            "the log-sum-exp forgotten": "z - max z is only the first term: subtract "
            "log sum_j exp(z_j - max z) too, or the probabilities do not sum to 1.",
            "log-sum-exp without the maximum": "log sum exp(z) overflows for large logits: "
            "write it m + log sum exp(z - m) with m the row's maximum.",
        },
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
        },
        hints={
            "the Kronecker delta dropped": "p_i (1 - p_j) is right on the diagonal only. For "
            "i != j the derivative is -p_i p_j: J = diag(p) - p p^T.",
            "the diagonal alone": "Every p_i depends on every z_j through the sum in the "
            "denominator: the off-diagonal entries are -p_i p_j, not 0.",
            "the sign flipped": "Raising z_i raises p_i: the diagonal p_i (1 - p_i) is positive.",
        },
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
        },
        hints={
            "the sign flipped (y - p)": "dL/dz = p - y: raising the logit of a wrong class "
            "raises the loss, so its gradient is positive.",
            "the mean forgotten": "The loss is the mean over the N samples, so every "
            "gradient is divided by N.",
            "the softmax forgotten": "The gradient is softmax(z) - onehot(y), probabilities "
            "minus targets, not the logits minus the targets.",
        },
        errata={"the sign flipped (y - p)": "ps1-ce-gradient-sign"},
    )
)

# --- losses ---------------------------------------------------------------------------------

register(
    Exercise(
        id="ex-losses-bce",
        title="bce(p, y), the mean binary cross-entropy of probabilities",
        reference=loss_functions.binary_cross_entropy,
        cases=probabilities_and_labels,
        section="ch-losses",
        mistakes={
            "the minus sign forgotten": lambda p, y: -loss_functions.binary_cross_entropy(p, y),
            "logarithms to base 2": lambda p, y: loss_functions.binary_cross_entropy(p, y) / LN2,
            "the sum instead of the mean": lambda p, y: loss_functions.binary_cross_entropy(
                p, y, reduction="sum"
            ),
        },
        hints={
            "the minus sign forgotten": "log p <= 0 for a probability, so the loss "
            "-[y log p + (1 - y) log(1 - p)] is positive; without the minus it is negative.",
            "logarithms to base 2": "The convention (PyTorch's, and the book's) is the natural "
            "log: bits are nats divided by ln 2.",
            "the sum instead of the mean": "reduction='mean' divides the sum by N.",
        },
        errata={"logarithms to base 2": "ps1-bce-log-base-dropped"},
    )
)

register(
    Exercise(
        id="ex-losses-bce-grad",
        title="bce_grad(p, y), the gradient of the mean BCE with respect to p",
        reference=loss_functions.binary_cross_entropy_grad,
        cases=probabilities_and_labels,
        section="ch-losses",
        mistakes={
            "the sign flipped": lambda p, y: -loss_functions.binary_cross_entropy_grad(p, y),
            "the mean forgotten": lambda p, y: (p - y) / (p * (1 - p)),
            "the logit's gradient given instead": lambda p, y: (p - y) / len(p),
        },
        hints={
            "the sign flipped": "dL/dp = (p - y) / (p (1 - p)) / N: for y = 1 the loss falls "
            "as p rises, so the gradient is negative.",
            "the mean forgotten": "The loss is a mean over N samples: divide by N.",
            "the logit's gradient given instead": "p - y is the gradient with respect to the "
            "logit z; with respect to p there is the extra factor 1 / (p (1 - p)).",
        },
    )
)

register(
    Exercise(
        id="ex-losses-bce-logits-grad",
        title="bce_logits_grad(z, y), the gradient of the mean BCE with respect to the logits",
        reference=loss_functions.binary_cross_entropy_with_logits_grad,
        cases=logits_and_labels,
        section="ch-losses",
        mistakes={
            "the sign flipped": lambda z, y: (y - act.sigmoid(z)) / len(z),
            "the mean forgotten": lambda z, y: act.sigmoid(z) - y,
            "sigma' multiplied in again": lambda z, y: (
                (act.sigmoid(z) - y) * act.sigmoid_grad(z) / len(z)
            ),
        },
        hints={
            "the sign flipped": "dL/dz = sigma(z) - y, prediction minus target.",
            "the mean forgotten": "The loss is a mean over N samples: divide by N.",
            "sigma' multiplied in again": "sigma'(z) = p (1 - p) cancels the 1 / (p (1 - p)) of "
            "dL/dp: the product is just p - y. Multiplying by sigma' again is MSE's gradient "
            "shape, which vanishes when the unit saturates.",
        },
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
