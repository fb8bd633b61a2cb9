"""The exercises on losses and their gradients: binary cross-entropy, squared error, Huber,
hinge and cosine losses.

Each wrong version is a mistake that a pitfall box of the chapter on losses or an entry of the
errata register of the worked problem sets records, written as the function a learner would
hand in.
"""

from __future__ import annotations

import numpy as np

from .. import activations as act
from .. import losses as loss_functions
from .core import exercise

LN2 = np.log(2.0)

# --- inputs ---------------------------------------------------------------------------------


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


def predictions_and_targets(rng: np.random.Generator) -> list[tuple]:
    """Predictions and targets of one shape: a vector, a matrix, an exact hit, one output."""
    return [
        (rng.normal(size=5), rng.normal(size=5)),
        (rng.normal(size=(3, 2)) * 2, rng.normal(size=(3, 2))),
        (np.array([0.8, 0.1, 0.3]), np.array([1.0, 0.1, 0.0])),
        (np.array([0.25]), np.array([1.0])),
    ]


# --- binary cross-entropy -------------------------------------------------------------------


@exercise("ex-losses-bce", section="ch-losses", cases=probabilities_and_labels)
def bce(p, y):
    """bce(p, y), the mean binary cross-entropy of probabilities"""
    return loss_functions.binary_cross_entropy(p, y)


@bce.mistake("the minus sign forgotten")
def _(p, y):
    """log p <= 0 for a probability, so the loss -[y log p + (1 - y) log(1 - p)] is positive;
    without the minus it is negative."""
    return -loss_functions.binary_cross_entropy(p, y)


@bce.mistake("logarithms to base 2", erratum="ps1-bce-log-base-dropped")
def _(p, y):
    """The convention (PyTorch's, and the book's) is the natural log: bits are nats divided
    by ln 2."""
    return loss_functions.binary_cross_entropy(p, y) / LN2


@bce.mistake("the sum instead of the mean")
def _(p, y):
    """reduction='mean' divides the sum by N."""
    return loss_functions.binary_cross_entropy(p, y, reduction="sum")


@bce.mistake("the entropy of the prediction", erratum="ps1-bce-called-entropy")
def _(p, y):
    """-[p log p + (1 - p) log(1 - p)] is the entropy of the prediction and does not involve the
    label. The loss is the cross-entropy of the label's distribution (y, 1 - y) and the prediction's
    (p, 1 - p)."""
    return float(np.mean(-(p * np.log(p) + (1 - p) * np.log(1 - p))))


@bce.mistake("the prediction and the label swapped")
def _(p, y):
    """The logarithm belongs on the prediction: -[y log p + (1 - y) log(1 - p)]. With the label
    inside the log it is log 0, which the clamp turns into a large wrong number."""
    return loss_functions.binary_cross_entropy(y, p)


@bce.mistake("the probability of the other class")
def _(p, y):
    """p is the predicted probability of class 1; using 1 - p, the probability of class 0, turns a
    confident mistake into a small loss."""
    return loss_functions.binary_cross_entropy(1 - p, y)


@exercise("ex-losses-bce-grad", section="ch-losses", cases=probabilities_and_labels)
def bce_grad(p, y):
    """bce_grad(p, y), the gradient of the mean BCE with respect to p"""
    return loss_functions.binary_cross_entropy_grad(p, y)


@bce_grad.mistake("the sign flipped")
def _(p, y):
    """dL/dp = (p - y) / (p (1 - p)) / N: for y = 1 the loss falls as p rises, so the gradient is
    negative."""
    return -loss_functions.binary_cross_entropy_grad(p, y)


@bce_grad.mistake("the mean forgotten")
def _(p, y):
    """The loss is a mean over N samples: divide by N."""
    return (p - y) / (p * (1 - p))


@bce_grad.mistake("the logit's gradient given instead")
def _(p, y):
    """p - y is the gradient with respect to the logit z; with respect to p there is the extra
    factor 1 / (p (1 - p))."""
    return (p - y) / len(p)


@bce_grad.mistake("the denominators dropped", erratum="ps2-dropped-denominators")
def _(p, y):
    """d/dp [-y log p - (1 - y) log(1 - p)] = -y / p + (1 - y) / (1 - p): the derivative of log p is
    1 / p, so p stays in the denominators."""
    return (1 - 2 * y) / len(p)


@exercise("ex-losses-bce-logits-grad", section="ch-losses", cases=logits_and_labels)
def bce_logits_grad(z, y):
    """bce_logits_grad(z, y), the gradient of the mean BCE with respect to the logits"""
    return loss_functions.binary_cross_entropy_with_logits_grad(z, y)


@bce_logits_grad.mistake("the sign flipped")
def _(z, y):
    """dL/dz = sigma(z) - y, prediction minus target."""
    return (y - act.sigmoid(z)) / len(z)


@bce_logits_grad.mistake("the mean forgotten")
def _(z, y):
    """The loss is a mean over N samples: divide by N."""
    return act.sigmoid(z) - y


@bce_logits_grad.mistake("sigma' multiplied in again")
def _(z, y):
    """sigma'(z) = p (1 - p) cancels the 1 / (p (1 - p)) of dL/dp: the product is just p - y.
    Multiplying by sigma' again is MSE's gradient shape, which vanishes when the unit saturates."""
    return (act.sigmoid(z) - y) * act.sigmoid_grad(z) / len(z)


# --- regression losses ----------------------------------------------------------------------


@exercise("ex-losses-mse-grad", section="ch-losses", cases=predictions_and_targets)
def mse_grad(a, y):
    """mse_grad(a, y), the gradient of the mean squared error with respect to a"""
    return loss_functions.mse_loss_grad(a, y)


@mse_grad.mistake("an absolute value in the derivative", erratum="ps4-mse-grad-absolute")
def _(a, y):
    """d/da (a - y)^2 = 2 (a - y), with its sign: the sign tells gradient descent whether to raise
    or lower the output. With 2 |a - y| an output below its target moves further away."""
    return 2 * np.abs(a - y) / a.size


@mse_grad.mistake("the factor 2 forgotten")
def _(a, y):
    """The derivative of (a - y)^2 is 2 (a - y); only (1/2)(a - y)^2 has derivative a - y. Use the
    gradient of the loss you compute."""
    return (a - y) / a.size


@mse_grad.mistake("the mean forgotten")
def _(a, y):
    """The loss is the mean over the n entries: divide the gradient by n too, or the same learning
    rate takes steps n times too large."""
    return 2 * (a - y)


@mse_grad.mistake("the sign flipped")
def _(a, y):
    """The derivative of (a - y)^2 with respect to a is 2 (a - y), positive when the prediction is
    too large."""
    return 2 * (y - a) / a.size


def _huber_variant(a, y, delta, *, rule):
    error = a - y
    return rule(error, delta) / error.size


@exercise(
    "ex-losses-huber-grad",
    section="ch-losses",
    cases=lambda rng: [
        (rng.normal(size=6) * 2, rng.normal(size=6), 1.0),
        (np.array([0.2, 1.1, -0.6, 0.45]), np.array([0.0, 0.0, 0.0, 0.25]), 0.5),
        (rng.normal(size=(2, 3)) * 3, np.zeros((2, 3)), 2.0),
        (np.array([3.0]), np.array([0.0]), 1.5),
    ],
)
def huber_grad(a, y, delta):
    """huber_grad(a, y, delta), the gradient of the mean Huber loss with respect to a"""
    return loss_functions.huber_loss_grad(a, y, delta=delta)


@huber_grad.mistake("delta missing on the linear piece", erratum="ps4-huber-grad-missing-delta")
def _(a, y, d):
    """The linear piece is delta |e| - delta^2 / 2, whose slope is delta sign(e), not sign(e): the
    gradient is clip(e, -delta, delta) / n, continuous at |e| = delta."""
    return _huber_variant(a, y, d, rule=lambda e, d: np.where(np.abs(e) <= d, e, np.sign(e)))


@huber_grad.mistake("the error not clipped")
def _(a, y, d):
    """e / n is the gradient of the quadratic piece only; beyond |e| = delta the slope stays at
    delta sign(e) / n, which is what makes Huber robust."""
    return (a - y) / a.size


@huber_grad.mistake("the mean forgotten")
def _(a, y, d):
    """The loss averages over the n entries: divide by n."""
    return np.clip(a - y, -d, d)


# --- margin and cosine losses ---------------------------------------------------------------


@exercise(
    "ex-losses-hinge-grad",
    section="ch-losses",
    cases=lambda rng: [
        (rng.normal(size=6) * 2, np.array([1.0, -1.0, -1.0, 1.0, -1.0, 1.0])),
        (np.full(4, 5.0), np.array([1.0, -1.0, -1.0, -1.0])),
        (np.array([1.0, -0.5, 0.2]), np.array([1.0, -1.0, -1.0])),
        (rng.normal(size=(2, 4)), rng.choice([-1.0, 1.0], size=(2, 4))),
    ],
)
def hinge_grad(s, t):
    """hinge_grad(s, t), the gradient of sum_i max(0, 1 - t_i s_i), each t_i = +1 or -1"""
    return loss_functions.hinge_loss_grad(s, t, reduction="sum")


@hinge_grad.mistake("one hinge of a dot product", erratum="ps4-hinge-dot-product")
def _(s, t):
    """max(0, 1 - y . s), with y the 0/1 labels, is one hinge for the whole vector: it ignores the
    wrong classes, so scores all equal to 5 cost nothing. Apply the hinge to each score: sum_i
    max(0, 1 - t_i s_i)."""
    # One hinge max(0, 1 - y . s) per vector, with y = (t + 1) / 2 the 0/1 labels.
    y = (t + 1) / 2
    violated = 1 - np.sum(y * s, axis=-1, keepdims=True) > 0
    return np.where(violated, -y, 0.0)


@hinge_grad.mistake("the kink given the gradient -t")
def _(s, t):
    """Where t s = 1 exactly the hinge has a kink; the package, like autograd through relu, takes
    the gradient 0 there (margin > 0)."""
    return np.where(1 - t * s >= 0, -t, 0.0)


@hinge_grad.mistake("the sign flipped")
def _(s, t):
    """d/ds max(0, 1 - t s) = -t where the margin is violated: raising the score of a positive
    example lowers its loss."""
    return np.where(1 - t * s > 0, t, 0.0)


@hinge_grad.mistake("the max forgotten")
def _(s, t):
    """Where t s > 1 the hinge is 0, flat: those scores get no gradient."""
    return -t


def _cosine_variant(a, y, *, sign=-1.0, radial=1.0, grouped=False):
    """The gradient of 1 - cos(a, y) along the last axis, averaged over the vectors; the
    keywords make the wrong versions."""
    norm_a = np.linalg.norm(a, axis=-1, keepdims=True)
    norm_y = np.linalg.norm(y, axis=-1, keepdims=True)
    dot = np.sum(a * y, axis=-1, keepdims=True)
    if grouped:
        grad_cos = (y - dot) / (norm_a**3 * norm_y)
    else:
        grad_cos = y / (norm_a * norm_y) - radial * dot * a / (norm_a**3 * norm_y)
    return sign * grad_cos / (a.size // a.shape[-1])


@exercise(
    "ex-losses-cosine-grad",
    section="ch-losses",
    cases=lambda rng: [
        (np.array([0.4, 1.2, -0.3]), np.array([0.0, 1.0, 0.0])),
        (rng.normal(size=4), rng.normal(size=4) * 3),
        (rng.normal(size=(3, 5)), rng.normal(size=(3, 5))),
    ],
)
def cosine_grad(a, y):
    """cosine_grad(a, y), the gradient of the mean of 1 - cos(a, y) along the last axis"""
    return loss_functions.cosine_loss_grad(a, y)


@cosine_grad.mistake("the similarity's gradient, not the loss's", erratum="ps4-cosine-loss-sign")
def _(a, y):
    """The loss is 1 - cos(a, y): its gradient is minus that of the similarity. Descending along the
    similarity's gradient lowers the similarity."""
    return _cosine_variant(a, y, sign=1.0)


@cosine_grad.mistake("sqrt(1 + eps) expanded as 1 + eps", erratum="ps4-cosine-sqrt-expansion")
def _(a, y):
    """sqrt(1 + eps) is about 1 + eps / 2, so the norm changes by a . da / |a|: the term in a has
    the factor cos(a, y) / |a|^2, not 2 cos(a, y) / |a|^2."""
    return _cosine_variant(a, y, radial=2.0)


@cosine_grad.mistake(
    "the first-order terms grouped wrongly", erratum="ps4-cosine-first-order-grouping"
)
def _(a, y):
    """a . y is a number and y a vector: the coefficient of da is y / (|a| |y|) - cos(a, y) a /
    |a|^2, with a in the second term."""
    return _cosine_variant(a, y, grouped=True)
