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
from .core import exercise

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


@exercise("ex-softmax-softmax", section="ch-softmax", cases=logit_batches)
def softmax(z):
    """softmax(z) along the last axis, stable for any logits"""
    return act.softmax(z)


@softmax.mistake("the maximum not subtracted")
def _(z):
    """exp(1000) overflows to inf and inf / inf is NaN. Subtract each row's maximum first: softmax(z
    - max z) = softmax(z)."""
    return _naive_softmax(z)


@softmax.mistake("normalised along the wrong axis")
def _(z):
    """Classes are the last axis: each row, one sample, must sum to 1 (axis=-1), not each column."""
    return act.softmax(z, axis=0)


@softmax.mistake("the exponentials not normalised")
def _(z):
    """After exp(z - max z), divide by the row's sum so that the probabilities add up to 1."""
    return np.exp(z - z.max(axis=-1, keepdims=True))


@softmax.mistake("the minimum subtracted")
def _(z):
    """Any shift leaves the softmax unchanged on paper, but only the maximum makes every exponent <=
    0; after subtracting the minimum the largest exponent may overflow."""
    return _naive_softmax(z - z.min(axis=-1, keepdims=True))


@softmax.mistake("the logits standardised", erratum="ps1-softmax-standardised-logits")
def _(z):
    """Dividing the logits by their standard deviation changes the probabilities (and a row of equal
    logits gives 0 / 0). Only a shift is free: subtract the row's maximum."""
    return _shifted_softmax((z - z.mean(axis=-1, keepdims=True)) / z.std(axis=-1, keepdims=True))


@exercise("ex-softmax-stable", section="ch-softmax", cases=logit_batches)
def stable_log_softmax(logits):
    """stable_log_softmax(logits) for a batch (N, C)"""
    return act.log_softmax(logits)


@stable_log_softmax.mistake("the log of a naive softmax", erratum="ps2-log-softmax-overflow")
def _(z):
    """exp of a large logit overflows and log of an underflowed probability is -inf. Use log p = (z
    - m) - log sum exp(z - m)."""
    return np.log(_naive_softmax(z))


@stable_log_softmax.mistake("the log-sum-exp forgotten")
def _(z):
    """z - max z is only the first term: subtract log sum_j exp(z_j - max z) too, or the
    probabilities do not sum to 1."""
    return z - z.max(axis=-1, keepdims=True)


@stable_log_softmax.mistake("log-sum-exp without the maximum")
def _(z):
    """log sum exp(z) overflows for large logits: write it m + log sum exp(z - m) with m the row's
    maximum."""
    return z - np.log(np.exp(z).sum(axis=-1, keepdims=True))


@stable_log_softmax.mistake("the log of the softmax")
def _(z):
    """Even a stable softmax underflows to 0 for a very negative logit, and log 0 = -inf although
    the log-probability is an ordinary number (about -800 for z = (0, -800)). Compute (z - m) - log
    sum exp(z - m) directly."""
    return np.log(act.softmax(z))


def _softmax_jacobian_rows(z: np.ndarray, rule) -> np.ndarray:
    p = act.softmax(z)
    return rule(p)


@exercise(
    "ex-softmax-jacobian",
    section="ch-softmax",
    cases=lambda rng: [(rng.normal(size=4),), (np.array([2.0, 2.0, -1.0]),), (np.zeros(2),)],
)
def softmax_jacobian(z):
    """softmax_jacobian(z), the C x C Jacobian of the softmax of a vector z"""
    return act.softmax_jacobian(z)


@softmax_jacobian.mistake("the Kronecker delta dropped")
def _(z):
    """p_i (1 - p_j) is right on the diagonal only. For i != j the derivative is -p_i p_j: J =
    diag(p) - p p^T."""
    return _softmax_jacobian_rows(z, lambda p: np.outer(p, 1 - p))


@softmax_jacobian.mistake("the diagonal alone")
def _(z):
    """Every p_i depends on every z_j through the sum in the denominator: the off-diagonal entries
    are -p_i p_j, not 0."""
    return _softmax_jacobian_rows(z, lambda p: np.diag(p * (1 - p)))


@softmax_jacobian.mistake("the sign flipped")
def _(z):
    """Raising z_i raises p_i: the diagonal p_i (1 - p_i) is positive."""
    return -act.softmax_jacobian(z)


@softmax_jacobian.mistake("-p_i p_i off the diagonal", erratum="ps2-softmax-off-diagonal")
def _(z):
    """dp_i/dz_j = -p_i p_j for j != i: the derivative of the denominator brings e^{z_j}, hence p_j.
    Only the diagonal involves p_i twice."""
    return _softmax_jacobian_rows(
        z, lambda p: np.where(np.eye(p.size) == 1, p * (1 - p), -(p**2)[:, None])
    )


@softmax_jacobian.mistake("the indices swapped")
def _(z):
    """Entry (i, j) is dp_i/dz_j = p_i (delta_ij - p_j): p_j (1 - p_i) is right on the diagonal
    only."""
    return _softmax_jacobian_rows(z, lambda p: np.outer(1 - p, p))


@softmax_jacobian.mistake("the off-diagonal minus sign forgotten")
def _(z):
    """The quotient rule subtracts: off the diagonal the entries are -p_i p_j, and every row sums to
    0 because the probabilities always sum to 1."""
    return _softmax_jacobian_rows(
        z, lambda p: np.where(np.eye(p.size) == 1, p * (1 - p), np.outer(p, p))
    )


@exercise(
    "ex-softmax-backward",
    section="ch-softmax",
    cases=lambda rng: [
        (rng.normal(size=(3, 4)), rng.normal(size=(3, 4))),
        (np.array([[1.0, 1.0, 0.0]]), np.array([[1.0, -2.0, 0.5]])),
    ],
)
def softmax_vjp(logits, grad_output):
    """softmax_vjp(logits, grad_output) for a batch (N, C)"""
    return act.softmax_backward(logits, grad_output)


@softmax_vjp.mistake("the sum term forgotten")
def _(z, g):
    """(J^T g)_j = p_j (g_j - sum_i g_i p_i): the sum comes from the off-diagonal -p_i p_j of the
    Jacobian."""
    return act.softmax(z) * g


@softmax_vjp.mistake("the Jacobian's diagonal alone")
def _(z, g):
    """Using only p_j (1 - p_j) g_j ignores how p_j moves every other probability: subtract p_j
    sum_i g_i p_i instead."""
    return act.softmax(z) * (1 - act.softmax(z)) * g


@softmax_vjp.mistake("the sum not weighted by p")
def _(z, g):
    """The sum is sum_i g_i p_i, the average of g under p, not the plain sum of g."""
    return act.softmax(z) * (g - g.sum(axis=-1, keepdims=True))


def _onehot_like(z: np.ndarray, target: np.ndarray) -> np.ndarray:
    return np.eye(z.shape[-1])[target]


def _ce_grad_variant(z: np.ndarray, target: np.ndarray, rule) -> np.ndarray:
    """`rule(p, y)` over the batch size: the shape of the wrong cross-entropy gradients."""
    return rule(act.softmax(z), _onehot_like(z, target)) / len(target)


@exercise("ex-softmax-ce-grad", section="ch-softmax", cases=logits_and_classes)
def ce_grad(logits, target):
    """ce_grad(logits, target), the gradient of the mean cross-entropy"""
    return loss_functions.cross_entropy_grad(logits, target)


@ce_grad.mistake("the sign flipped (y - p)", erratum="ps1-ce-gradient-sign")
def _(z, t):
    """dL/dz = p - y: raising the logit of a wrong class raises the loss, so its gradient is
    positive."""
    return -loss_functions.cross_entropy_grad(z, t)


@ce_grad.mistake("the mean forgotten")
def _(z, t):
    """The loss is the mean over the N samples, so every gradient is divided by N."""
    return loss_functions.cross_entropy_grad(z, t, reduction="sum")


@ce_grad.mistake("the softmax forgotten")
def _(z, t):
    """The gradient is softmax(z) - onehot(y), probabilities minus targets, not the logits minus the
    targets."""
    return (z - _onehot_like(z, t)) / len(t)


@ce_grad.mistake("p - 1 in every entry")
def _(z, t):
    """y is 1 for the true class only: the gradient is p - y, p_k - 1 for the true class and p_i for
    the others. Its entries sum to 0."""
    return (act.softmax(z) - 1) / len(t)


@ce_grad.mistake("the diagonal term counted twice", erratum="ps2-softmax-diagonal-twice")
def _(z, t):
    """Each probability is one path of the chain rule: sum -p_i p_j over i != j and add the diagonal
    p_j (1 - p_j) once, or sum over every i with p_i (delta_ij - p_j)."""
    return _ce_grad_variant(z, t, lambda p, y: p - y + y * p)


@ce_grad.mistake("the diagonal term's sign flipped", erratum="ps2-softmax-diagonal-sign")
def _(z, t):
    """-y_j (1 - p_j) is y_j (p_j - 1), not -y_j (p_j - 1): with the sign flipped the true class
    gets 1 - p_k."""
    return _ce_grad_variant(z, t, lambda p, y: p + y - 2 * y * p)


@exercise(
    "ex-softmax-soft-ce-grad",
    section="ch-softmax",
    cases=lambda rng: [
        (rng.normal(size=(4, 3)) * 2, rng.dirichlet(np.ones(3), size=4)),
        (np.array([[1.0, 2.0, 0.5]]), np.array([[0.8, 0.1, 0.1]])),
        (rng.normal(size=(2, 4)), np.array([[0.0, 1.0, 0.0, 0.0], [0.1, 0.2, 0.6, 0.1]])),
    ],
)
def soft_ce_grad(logits, target):
    """soft_ce_grad(logits, target), the mean cross-entropy's gradient, each target row a
    distribution"""
    return loss_functions.cross_entropy_grad(logits, target)


@soft_ce_grad.mistake("only the path through the true class", erratum="ps1-ce-chain-rule-one-path")
def _(z, target):
    """L = -sum_c y_c log p_c depends on z_j through every p_c: sum (dL/dp_c)(dp_c/dz_j) over all c.
    One path is enough only for a one-hot target; in general the gradient is p - y."""
    # The chain rule through p_k alone, k the most probable class of each target.
    p, k = act.softmax(z), target.argmax(axis=-1)
    y_k = np.take_along_axis(target, k[:, None], axis=-1)
    return y_k * (p - np.eye(z.shape[-1])[k]) / len(z)


@soft_ce_grad.mistake("the target made one-hot")
def _(z, y):
    """With a target distribution y the gradient is p - y itself, not p minus the one-hot vector of
    its largest class."""
    return (act.softmax(z) - np.eye(z.shape[-1])[y.argmax(axis=-1)]) / len(z)


@soft_ce_grad.mistake("the sign flipped (y - p)")
def _(z, y):
    """dL/dz = p - y, prediction minus target."""
    return -soft_ce_grad.reference(z, y)


@soft_ce_grad.mistake("the mean forgotten")
def _(z, y):
    """The loss is the mean over the N samples: divide by N."""
    return soft_ce_grad.reference(z, y) * len(z)


# --- entropy and KL divergence ----------------------------------------------------------------


def _plogq(p: np.ndarray, values: np.ndarray) -> np.ndarray:
    """sum p * values along the last axis with 0 * anything = 0."""
    return np.where(p > 0, p * values, 0.0).sum(axis=-1)


@exercise("ex-entropy-entropy", section="ch-entropy-kl", cases=distributions)
def entropy(p):
    """entropy(p) in nats, with 0 log 0 = 0"""
    return information.entropy(p)


@entropy.mistake("the minus sign forgotten")
def _(p):
    """log p <= 0, so H(p) = -sum p log p is >= 0."""
    return -information.entropy(p)


@entropy.mistake("bits instead of nats")
def _(p):
    """The book's default is the natural log (nats); use base 2 only when bits are asked for, and
    say so."""
    return information.entropy(p, base=2)


@entropy.mistake("0 log 0 not taken as 0")
def _(p):
    """p log p -> 0 as p -> 0, but NumPy computes 0 * -inf = NaN: skip the zero entries (np.where,
    or a mask)."""
    return -(p * np.log(p)).sum(axis=-1)


@exercise("ex-entropy-cross-entropy", section="ch-entropy-kl", cases=distribution_pairs)
def cross_entropy(p, q):
    """cross_entropy(p, q) in nats along the last axis, p the data's distribution"""
    return information.cross_entropy(p, q)


@cross_entropy.mistake("the same distribution twice", erratum="ps1-cross-entropy-is-entropy")
def _(p, q):
    """-sum p log p is the entropy H(p), which does not depend on q at all. The cross-entropy
    averages -log q under p: -sum p log q."""
    return information.entropy(p)


@cross_entropy.mistake("the arguments swapped")
def _(p, q):
    """H(p, q) is not symmetric: it weights by p, the data's distribution, and takes the log of q,
    the model's. H(q, p) is infinite when p is one-hot."""
    return information.cross_entropy(q, p)


@cross_entropy.mistake("the minus sign forgotten")
def _(p, q):
    """log q <= 0, so -sum p log q is >= 0."""
    return -information.cross_entropy(p, q)


@exercise("ex-entropy-kl-divergence", section="ch-entropy-kl", cases=distribution_pairs)
def kl_divergence(p, q):
    """kl_divergence(p, q) along the last axis"""
    return information.kl_divergence(p, q)


@kl_divergence.mistake("a ratio of logarithms", erratum="ps1-kl-ratio-of-logs")
def _(p, q):
    """D(p||q) = sum p log(p / q), the log of a ratio, which is log p - log q, not log p / log q."""
    return _plogq(p, np.log(p) / np.log(q))


@kl_divergence.mistake("the arguments swapped")
def _(p, q):
    """KL is not symmetric: D(p||q) weights by p, the distribution of the data. D(q||p) is another
    number."""
    return information.kl_divergence(q, p)


@kl_divergence.mistake("the weights p forgotten")
def _(p, q):
    """Each log(p_i / q_i) is weighted by p_i: it is an expectation under p."""
    return np.where(p > 0, np.log(p / q), 0.0).sum(-1)


@kl_divergence.mistake("bits instead of nats")
def _(p, q):
    """The book's default is the natural log (nats)."""
    return information.kl_divergence(p, q, base=2)


@exercise("ex-entropy-entropy-gradient", section="ch-entropy-kl", cases=positive_distributions)
def entropy_grad(p):
    """entropy_grad(p), the gradient of H(p) = -sum p log p"""
    return -(np.log(p) + 1)


@entropy_grad.mistake("the product rule's +1 forgotten")
def _(p):
    """d(p log p)/dp = log p + p (1/p) = log p + 1."""
    return -np.log(p)


@entropy_grad.mistake("the sign flipped")
def _(p):
    """H = -sum p log p, so dH/dp_i = -(log p_i + 1)."""
    return np.log(p) + 1


@entropy_grad.mistake("the derivative of log p alone")
def _(p):
    """Differentiate the product p log p, not log p."""
    return -1 / p
