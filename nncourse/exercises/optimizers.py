"""The exercises on regularised and adaptive steps: SGD with weight decay, momentum, RMSprop
and Adam.

The references are the package's own optimizers, or their update rules written out from a given
state, so an exercise checks a hand-written step against exactly what ``nncourse.optim``
computes.
"""

from __future__ import annotations

import numpy as np

from .. import nn, optim
from .core import Exercise, register

# --- regularisation and optimizers ----------------------------------------------------------


def sgd_step(w, grad, lr, weight_decay):
    """One step of the package's SGD with weight decay, from `w` with gradient `grad`."""
    parameter = nn.Parameter(w)
    parameter.grad += grad
    optim.SGD([parameter], lr=lr, weight_decay=weight_decay).step()
    return parameter.data


def steps_cases(rng: np.random.Generator) -> list[tuple]:
    return [
        (rng.normal(size=4), rng.normal(size=4)),
        (np.array([[1.0, -2.0]]), np.array([[0.5, 0.5]])),
    ]


register(
    Exercise(
        id="ex-regularization-sgd-l2-step",
        title="sgd_l2_step(w, grad, lr, weight_decay): one SGD step on L + weight_decay/2 |w|^2",
        reference=sgd_step,
        cases=lambda rng: [(*case, 0.1, 0.3) for case in steps_cases(rng)],
        section="ch-regularization",
        mistakes={
            "the decay's sign flipped": lambda w, g, lr, wd: w - lr * (g - wd * w),
            "the decay not scaled by the learning rate": lambda w, g, lr, wd: w - lr * g - wd * w,
            "the decay doubled": lambda w, g, lr, wd: w - lr * (g + 2 * wd * w),
            "the decay added, without the learning rate": lambda w, g, lr, wd: w - lr * g + wd * w,
            "the decay term dropped": lambda w, g, lr, wd: w - lr * g,
            "the gradient added (a step uphill)": lambda w, g, lr, wd: w + lr * (g + wd * w),
        },
        hints={
            "the decay's sign flipped": "The penalty's gradient weight_decay * w is added to the "
            "loss's gradient, and the step subtracts both: the weights shrink.",
            "the decay not scaled by the learning rate": "w <- w - lr (grad + lambda w) = "
            "(1 - lr lambda) w - lr grad: the decay is multiplied by the learning rate too.",
            "the decay doubled": "With the penalty (lambda/2)|w|^2 the gradient is lambda w; 2 "
            "lambda w belongs to the penalty lambda |w|^2. Say which convention you use.",
            "the decay added, without the learning rate": "The penalty's gradient lambda w is "
            "part of the gradient: subtract it with the loss's gradient, both times the "
            "learning rate, w <- w - lr (grad + lambda w). Added, it makes the weights grow.",
            "the decay term dropped": "w - lr grad is the step without the penalty: distributing "
            "lr over grad + lambda w gives the term -lr lambda w as well.",
            "the gradient added (a step uphill)": "The gradient points uphill: w + lr g raises "
            "the loss about as much as w - lr g lowers it. Subtract it.",
        },
        errata={
            "the decay's sign flipped": "ps1-l2-update-sign",
            "the decay not scaled by the learning rate": "ps1-l2-update-no-learning-rate",
            "the decay added, without the learning rate": "ps1-l2-update-sign",
            "the decay term dropped": "ps5-decay-term-dropped",
        },
    )
)


def momentum_reference(w, grad, buffer, lr, momentum):
    """PyTorch's momentum from a given buffer: b <- mu b + g, then w <- w - lr b."""
    buffer = momentum * buffer + grad
    return w - lr * buffer, buffer


register(
    Exercise(
        id="ex-optimizers-momentum-step",
        title="momentum_step(w, grad, buffer, lr, momentum) -> (w, buffer), PyTorch's rule",
        reference=momentum_reference,
        cases=lambda rng: [(w, g, rng.normal(size=w.shape), 0.1, 0.9) for w, g in steps_cases(rng)],
        section="ch-optimizers",
        mistakes={
            "the learning rate inside the buffer": lambda w, g, b, lr, mu: (
                w - (mu * b + lr * g),
                mu * b + lr * g,
            ),
            "the old buffer used for the step": lambda w, g, b, lr, mu: (w - lr * b, mu * b + g),
            "the gradient dampened by 1 - momentum": lambda w, g, b, lr, mu: (
                w - lr * (mu * b + (1 - mu) * g),
                mu * b + (1 - mu) * g,
            ),
        },
        hints={
            "the learning rate inside the buffer": "PyTorch's buffer holds gradients, b <- mu b "
            "+ g, and the step is lr b. Sutskever's v <- mu v + lr g is the same only while lr "
            "never changes.",
            "the old buffer used for the step": "Update the buffer first, then step with the new "
            "one.",
            "the gradient dampened by 1 - momentum": "That is an exponential average; PyTorch's "
            "momentum adds the whole gradient (dampening = 0).",
        },
    )
)


def rmsprop_reference(w, grad, square_avg, lr, alpha, eps):
    """RMSprop's step from a given running average v: v <- alpha v + (1 - alpha) g^2."""
    v = alpha * square_avg + (1 - alpha) * grad**2
    return w - lr * grad / (np.sqrt(v) + eps), v


def adam_reference(w, grad, m, v, t, lr, beta1, beta2, eps):
    """Adam's step t (from 1) from given moments: the box of ``nncourse.optim.Adam``."""
    m = beta1 * m + (1 - beta1) * grad
    v = beta2 * v + (1 - beta2) * grad**2
    m_hat, v_hat = m / (1 - beta1**t), v / (1 - beta2**t)
    return w - lr * m_hat / (np.sqrt(v_hat) + eps), m, v


register(
    Exercise(
        id="ex-optimizers-rmsprop-step",
        title="rmsprop_step(w, grad, square_avg, lr, alpha, eps) -> (w, square_avg)",
        reference=rmsprop_reference,
        cases=lambda rng: [
            (w, g, rng.uniform(0, 1, w.shape), 0.01, 0.9, 1e-2) for w, g in steps_cases(rng)
        ],
        section="ch-optimizers",
        mistakes={
            "alpha and 1 - alpha swapped": lambda w, g, v, lr, a, eps: rmsprop_reference(
                w, g, v, lr, 1 - a, eps
            ),
            "eps inside the square root": lambda w, g, v, lr, a, eps: (
                w - lr * g / np.sqrt(a * v + (1 - a) * g**2 + eps),
                a * v + (1 - a) * g**2,
            ),
            "the gradient not squared": lambda w, g, v, lr, a, eps: (
                w - lr * g / (np.sqrt(a * v + (1 - a) * np.abs(g)) + eps),
                a * v + (1 - a) * np.abs(g),
            ),
        },
        hints={
            "alpha and 1 - alpha swapped": "alpha (0.9 or 0.99) weights the old average: "
            "v <- alpha v + (1 - alpha) g^2.",
            "eps inside the square root": "PyTorch adds eps after the square root: "
            "g / (sqrt(v) + eps).",
            "the gradient not squared": "v averages g^2, the squared gradient; its square root "
            "is then the gradient's root mean square.",
        },
    )
)

register(
    Exercise(
        id="ex-optimizers-adam-step",
        title="adam_step(w, grad, m, v, t, lr, beta1, beta2, eps) -> (w, m, v), step t from 1",
        reference=adam_reference,
        cases=lambda rng: [
            (
                w,
                g,
                rng.normal(size=w.shape) * 0.1,
                rng.uniform(0, 0.1, w.shape),
                t,
                0.01,
                0.9,
                0.999,
                1e-3,
            )
            for (w, g), t in zip(steps_cases(rng), (1, 3), strict=True)
        ],
        section="ch-optimizers",
        mistakes={
            "the bias correction forgotten": lambda w, g, m, v, t, lr, b1, b2, eps: (
                _adam_uncorrected(w, g, m, v, lr, b1, b2, eps)
            ),
            "the betas swapped": lambda w, g, m, v, t, lr, b1, b2, eps: adam_reference(
                w, g, m, v, t, lr, b2, b1, eps
            ),
            "eps inside the square root": lambda w, g, m, v, t, lr, b1, b2, eps: _adam_eps_inside(
                w, g, m, v, t, lr, b1, b2, eps
            ),
        },
        hints={
            "the bias correction forgotten": "m and v start at 0, so early on they are too "
            "small: divide by 1 - beta1^t and 1 - beta2^t.",
            "the betas swapped": "beta1 (0.9) averages the gradient, beta2 (0.999) its square.",
            "eps inside the square root": "Adam adds eps after the square root: "
            "m_hat / (sqrt(v_hat) + eps).",
        },
        errata={"the bias correction forgotten": "ps2-adam-bias-correction"},
    )
)


def _adam_uncorrected(w, g, m, v, lr, beta1, beta2, eps):
    m = beta1 * m + (1 - beta1) * g
    v = beta2 * v + (1 - beta2) * g**2
    return w - lr * m / (np.sqrt(v) + eps), m, v


def _adam_eps_inside(w, g, m, v, t, lr, beta1, beta2, eps):
    _, m, v = adam_reference(w, g, m, v, t, lr, beta1, beta2, eps)
    return w - lr * (m / (1 - beta1**t)) / np.sqrt(v / (1 - beta2**t) + eps), m, v
