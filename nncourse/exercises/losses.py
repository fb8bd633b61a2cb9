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
from .core import Exercise, register

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


def _entropy_of_prediction(p, y):
    return float(np.mean(-(p * np.log(p) + (1 - p) * np.log(1 - p))))


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
            "the entropy of the prediction": _entropy_of_prediction,
            "the prediction and the label swapped": lambda p, y: (
                loss_functions.binary_cross_entropy(y, p)
            ),
            "the probability of the other class": lambda p, y: loss_functions.binary_cross_entropy(
                1 - p, y
            ),
        },
        hints={
            "the minus sign forgotten": "log p <= 0 for a probability, so the loss "
            "-[y log p + (1 - y) log(1 - p)] is positive; without the minus it is negative.",
            "logarithms to base 2": "The convention (PyTorch's, and the book's) is the natural "
            "log: bits are nats divided by ln 2.",
            "the sum instead of the mean": "reduction='mean' divides the sum by N.",
            "the entropy of the prediction": "-[p log p + (1 - p) log(1 - p)] is the entropy of "
            "the prediction and does not involve the label. The loss is the cross-entropy of the "
            "label's distribution (y, 1 - y) and the prediction's (p, 1 - p).",
            "the prediction and the label swapped": "The logarithm belongs on the prediction: "
            "-[y log p + (1 - y) log(1 - p)]. With the label inside the log it is log 0, which "
            "the clamp turns into a large wrong number.",
            "the probability of the other class": "p is the predicted probability of class 1; "
            "using 1 - p, the probability of class 0, turns a confident mistake into a small "
            "loss.",
        },
        errata={
            "logarithms to base 2": "ps1-bce-log-base-dropped",
            "the entropy of the prediction": "ps1-bce-called-entropy",
        },
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
            "the denominators dropped": lambda p, y: (1 - 2 * y) / len(p),
        },
        hints={
            "the sign flipped": "dL/dp = (p - y) / (p (1 - p)) / N: for y = 1 the loss falls "
            "as p rises, so the gradient is negative.",
            "the mean forgotten": "The loss is a mean over N samples: divide by N.",
            "the logit's gradient given instead": "p - y is the gradient with respect to the "
            "logit z; with respect to p there is the extra factor 1 / (p (1 - p)).",
            "the denominators dropped": "d/dp [-y log p - (1 - y) log(1 - p)] = -y / p + "
            "(1 - y) / (1 - p): the derivative of log p is 1 / p, so p stays in the "
            "denominators.",
        },
        errata={"the denominators dropped": "ps2-dropped-denominators"},
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

# --- regression losses ----------------------------------------------------------------------

register(
    Exercise(
        id="ex-losses-mse-grad",
        title="mse_grad(a, y), the gradient of the mean squared error with respect to a",
        reference=loss_functions.mse_loss_grad,
        cases=predictions_and_targets,
        section="ch-losses",
        mistakes={
            "an absolute value in the derivative": lambda a, y: 2 * np.abs(a - y) / a.size,
            "the factor 2 forgotten": lambda a, y: (a - y) / a.size,
            "the mean forgotten": lambda a, y: 2 * (a - y),
            "the sign flipped": lambda a, y: 2 * (y - a) / a.size,
        },
        hints={
            "an absolute value in the derivative": "d/da (a - y)^2 = 2 (a - y), with its sign: "
            "the sign tells gradient descent whether to raise or lower the output. With "
            "2 |a - y| an output below its target moves further away.",
            "the factor 2 forgotten": "The derivative of (a - y)^2 is 2 (a - y); only "
            "(1/2)(a - y)^2 has derivative a - y. Use the gradient of the loss you compute.",
            "the mean forgotten": "The loss is the mean over the n entries: divide the "
            "gradient by n too, or the same learning rate takes steps n times too large.",
            "the sign flipped": "The derivative of (a - y)^2 with respect to a is 2 (a - y), "
            "positive when the prediction is too large.",
        },
        errata={"an absolute value in the derivative": "ps4-mse-grad-absolute"},
    )
)


def _huber_variant(a, y, delta, *, rule):
    error = a - y
    return rule(error, delta) / error.size


register(
    Exercise(
        id="ex-losses-huber-grad",
        title="huber_grad(a, y, delta), the gradient of the mean Huber loss with respect to a",
        reference=lambda a, y, delta: loss_functions.huber_loss_grad(a, y, delta=delta),
        cases=lambda rng: [
            (rng.normal(size=6) * 2, rng.normal(size=6), 1.0),
            (np.array([0.2, 1.1, -0.6, 0.45]), np.array([0.0, 0.0, 0.0, 0.25]), 0.5),
            (rng.normal(size=(2, 3)) * 3, np.zeros((2, 3)), 2.0),
            (np.array([3.0]), np.array([0.0]), 1.5),
        ],
        section="ch-losses",
        mistakes={
            "delta missing on the linear piece": lambda a, y, d: _huber_variant(
                a, y, d, rule=lambda e, d: np.where(np.abs(e) <= d, e, np.sign(e))
            ),
            "the error not clipped": lambda a, y, d: (a - y) / a.size,
            "the mean forgotten": lambda a, y, d: np.clip(a - y, -d, d),
        },
        hints={
            "delta missing on the linear piece": "The linear piece is delta |e| - delta^2 / 2, "
            "whose slope is delta sign(e), not sign(e): the gradient is clip(e, -delta, delta) "
            "/ n, continuous at |e| = delta.",
            "the error not clipped": "e / n is the gradient of the quadratic piece only; beyond "
            "|e| = delta the slope stays at delta sign(e) / n, which is what makes Huber robust.",
            "the mean forgotten": "The loss averages over the n entries: divide by n.",
        },
        errata={"delta missing on the linear piece": "ps4-huber-grad-missing-delta"},
    )
)

# --- margin and cosine losses ---------------------------------------------------------------


def _dot_product_hinge(s, t):
    """One hinge max(0, 1 - y . s) per vector, with y = (t + 1) / 2 the 0/1 labels."""
    y = (t + 1) / 2
    violated = 1 - np.sum(y * s, axis=-1, keepdims=True) > 0
    return np.where(violated, -y, 0.0)


register(
    Exercise(
        id="ex-losses-hinge-grad",
        title="hinge_grad(s, t), the gradient of sum_i max(0, 1 - t_i s_i), each t_i = +1 or -1",
        reference=lambda s, t: loss_functions.hinge_loss_grad(s, t, reduction="sum"),
        cases=lambda rng: [
            (rng.normal(size=6) * 2, np.array([1.0, -1.0, -1.0, 1.0, -1.0, 1.0])),
            (np.full(4, 5.0), np.array([1.0, -1.0, -1.0, -1.0])),
            (np.array([1.0, -0.5, 0.2]), np.array([1.0, -1.0, -1.0])),
            (rng.normal(size=(2, 4)), rng.choice([-1.0, 1.0], size=(2, 4))),
        ],
        section="ch-losses",
        mistakes={
            "one hinge of a dot product": _dot_product_hinge,
            "the kink given the gradient -t": lambda s, t: np.where(1 - t * s >= 0, -t, 0.0),
            "the sign flipped": lambda s, t: np.where(1 - t * s > 0, t, 0.0),
            "the max forgotten": lambda s, t: -t,
        },
        hints={
            "one hinge of a dot product": "max(0, 1 - y . s), with y the 0/1 labels, is one "
            "hinge for the whole vector: it ignores the wrong classes, so scores all equal to 5 "
            "cost nothing. Apply the hinge to each score: sum_i max(0, 1 - t_i s_i).",
            "the kink given the gradient -t": "Where t s = 1 exactly the hinge has a kink; the "
            "package, like autograd through relu, takes the gradient 0 there (margin > 0).",
            "the sign flipped": "d/ds max(0, 1 - t s) = -t where the margin is violated: "
            "raising the score of a positive example lowers its loss.",
            "the max forgotten": "Where t s > 1 the hinge is 0, flat: those scores get no "
            "gradient.",
        },
        errata={"one hinge of a dot product": "ps4-hinge-dot-product"},
    )
)


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


register(
    Exercise(
        id="ex-losses-cosine-grad",
        title="cosine_grad(a, y), the gradient of the mean of 1 - cos(a, y) along the last axis",
        reference=loss_functions.cosine_loss_grad,
        cases=lambda rng: [
            (np.array([0.4, 1.2, -0.3]), np.array([0.0, 1.0, 0.0])),
            (rng.normal(size=4), rng.normal(size=4) * 3),
            (rng.normal(size=(3, 5)), rng.normal(size=(3, 5))),
        ],
        section="ch-losses",
        mistakes={
            "the similarity's gradient, not the loss's": lambda a, y: _cosine_variant(
                a, y, sign=1.0
            ),
            "sqrt(1 + eps) expanded as 1 + eps": lambda a, y: _cosine_variant(a, y, radial=2.0),
            "the first-order terms grouped wrongly": lambda a, y: _cosine_variant(
                a, y, grouped=True
            ),
        },
        hints={
            "the similarity's gradient, not the loss's": "The loss is 1 - cos(a, y): its "
            "gradient is minus that of the similarity. Descending along the similarity's "
            "gradient lowers the similarity.",
            "sqrt(1 + eps) expanded as 1 + eps": "sqrt(1 + eps) is about 1 + eps / 2, so the "
            "norm changes by a . da / |a|: the term in a has the factor cos(a, y) / |a|^2, "
            "not 2 cos(a, y) / |a|^2.",
            "the first-order terms grouped wrongly": "a . y is a number and y a vector: the "
            "coefficient of da is y / (|a| |y|) - cos(a, y) a / |a|^2, with a in the second term.",
        },
        errata={
            "the similarity's gradient, not the loss's": "ps4-cosine-loss-sign",
            "sqrt(1 + eps) expanded as 1 + eps": "ps4-cosine-sqrt-expansion",
            "the first-order terms grouped wrongly": "ps4-cosine-first-order-grouping",
        },
    )
)
