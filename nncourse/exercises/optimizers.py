"""The exercises on regularised and adaptive steps: SGD with weight decay, momentum, RMSprop
and Adam.

The references are the package's own optimizers, or their update rules written out from a given
state, so an exercise checks a hand-written step against exactly what ``nncourse.optim``
computes.
"""

from __future__ import annotations

import numpy as np

from .. import nn, optim
from .core import exercise

# --- regularisation and optimizers ----------------------------------------------------------


def steps_cases(rng: np.random.Generator) -> list[tuple]:
    return [
        (rng.normal(size=4), rng.normal(size=4)),
        (np.array([[1.0, -2.0]]), np.array([[0.5, 0.5]])),
    ]


@exercise(
    "ex-regularization-sgd-l2-step",
    section="ch-regularization",
    cases=lambda rng: [(*case, 0.1, 0.3) for case in steps_cases(rng)],
)
def sgd_l2_step(w, grad, lr, weight_decay):
    """sgd_l2_step(w, grad, lr, weight_decay): one SGD step on L + weight_decay/2 |w|^2

    The reference is one step of the package's SGD with weight decay, from `w` with gradient
    `grad`.
    """
    parameter = nn.Parameter(w)
    parameter.grad += grad
    optim.SGD([parameter], lr=lr, weight_decay=weight_decay).step()
    return parameter.data


@sgd_l2_step.mistake("the decay's sign flipped", erratum="ps1-l2-update-sign")
def _(w, g, lr, wd):
    """The penalty's gradient weight_decay * w is added to the loss's gradient, and the step
    subtracts both: the weights shrink."""
    return w - lr * (g - wd * w)


@sgd_l2_step.mistake(
    "the decay not scaled by the learning rate", erratum="ps1-l2-update-no-learning-rate"
)
def _(w, g, lr, wd):
    """w <- w - lr (grad + lambda w) = (1 - lr lambda) w - lr grad: the decay is multiplied by the
    learning rate too."""
    return w - lr * g - wd * w


@sgd_l2_step.mistake("the decay doubled")
def _(w, g, lr, wd):
    """With the penalty (lambda/2)|w|^2 the gradient is lambda w; 2 lambda w belongs to the penalty
    lambda |w|^2. Say which convention you use."""
    return w - lr * (g + 2 * wd * w)


@sgd_l2_step.mistake("the decay added, without the learning rate", erratum="ps1-l2-update-sign")
def _(w, g, lr, wd):
    """The penalty's gradient lambda w is part of the gradient: subtract it with the loss's
    gradient, both times the learning rate, w <- w - lr (grad + lambda w). Added, it makes the
    weights grow."""
    return w - lr * g + wd * w


@sgd_l2_step.mistake("the decay term dropped", erratum="ps5-decay-term-dropped")
def _(w, g, lr, wd):
    """w - lr grad is the step without the penalty: distributing lr over grad + lambda w gives the
    term -lr lambda w as well."""
    return w - lr * g


@sgd_l2_step.mistake("the gradient added (a step uphill)")
def _(w, g, lr, wd):
    """The gradient points uphill: w + lr g raises the loss about as much as w - lr g lowers it.
    Subtract it."""
    return w + lr * (g + wd * w)


@exercise(
    "ex-optimizers-momentum-step",
    section="ch-optimizers",
    cases=lambda rng: [(w, g, rng.normal(size=w.shape), 0.1, 0.9) for w, g in steps_cases(rng)],
)
def momentum_step(w, grad, buffer, lr, momentum):
    """momentum_step(w, grad, buffer, lr, momentum) -> (w, buffer), PyTorch's rule

    The reference is PyTorch's momentum from a given buffer: b <- mu b + g, then w <- w - lr b.
    """
    buffer = momentum * buffer + grad
    return w - lr * buffer, buffer


@momentum_step.mistake("the learning rate inside the buffer")
def _(w, g, b, lr, mu):
    """PyTorch's buffer holds gradients, b <- mu b + g, and the step is lr b. Sutskever's v <- mu v
    + lr g is the same only while lr never changes."""
    return (
        w - (mu * b + lr * g),
        mu * b + lr * g,
    )


@momentum_step.mistake("the old buffer used for the step")
def _(w, g, b, lr, mu):
    """Update the buffer first, then step with the new one."""
    return (w - lr * b, mu * b + g)


@momentum_step.mistake("the gradient dampened by 1 - momentum")
def _(w, g, b, lr, mu):
    """That is an exponential average; PyTorch's momentum adds the whole gradient (dampening =
    0)."""
    return (
        w - lr * (mu * b + (1 - mu) * g),
        mu * b + (1 - mu) * g,
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


@exercise(
    "ex-optimizers-rmsprop-step",
    section="ch-optimizers",
    cases=lambda rng: [
        (w, g, rng.uniform(0, 1, w.shape), 0.01, 0.9, 1e-2) for w, g in steps_cases(rng)
    ],
)
def rmsprop_step(w, grad, square_avg, lr, alpha, eps):
    """rmsprop_step(w, grad, square_avg, lr, alpha, eps) -> (w, square_avg)"""
    return rmsprop_reference(w, grad, square_avg, lr, alpha, eps)


@rmsprop_step.mistake("alpha and 1 - alpha swapped")
def _(w, g, v, lr, a, eps):
    """alpha (0.9 or 0.99) weights the old average: v <- alpha v + (1 - alpha) g^2."""
    return rmsprop_reference(w, g, v, lr, 1 - a, eps)


@rmsprop_step.mistake("eps inside the square root")
def _(w, g, v, lr, a, eps):
    """PyTorch adds eps after the square root: g / (sqrt(v) + eps)."""
    return (
        w - lr * g / np.sqrt(a * v + (1 - a) * g**2 + eps),
        a * v + (1 - a) * g**2,
    )


@rmsprop_step.mistake("the gradient not squared")
def _(w, g, v, lr, a, eps):
    """v averages g^2, the squared gradient; its square root is then the gradient's root mean
    square."""
    return (
        w - lr * g / (np.sqrt(a * v + (1 - a) * np.abs(g)) + eps),
        a * v + (1 - a) * np.abs(g),
    )


@exercise(
    "ex-optimizers-adam-step",
    section="ch-optimizers",
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
)
def adam_step(w, grad, m, v, t, lr, beta1, beta2, eps):
    """adam_step(w, grad, m, v, t, lr, beta1, beta2, eps) -> (w, m, v), step t from 1"""
    return adam_reference(w, grad, m, v, t, lr, beta1, beta2, eps)


@adam_step.mistake("the bias correction forgotten", erratum="ps2-adam-bias-correction")
def _(w, g, m, v, t, lr, b1, b2, eps):
    """m and v start at 0, so early on they are too small: divide by 1 - beta1^t and 1 - beta2^t."""
    return _adam_uncorrected(w, g, m, v, lr, b1, b2, eps)


@adam_step.mistake("the betas swapped")
def _(w, g, m, v, t, lr, b1, b2, eps):
    """beta1 (0.9) averages the gradient, beta2 (0.999) its square."""
    return adam_reference(w, g, m, v, t, lr, b2, b1, eps)


@adam_step.mistake("eps inside the square root")
def _(w, g, m, v, t, lr, beta1, beta2, eps):
    """Adam adds eps after the square root: m_hat / (sqrt(v_hat) + eps)."""
    m, v = adam_reference(w, g, m, v, t, lr, beta1, beta2, eps)[1:]
    return w - lr * (m / (1 - beta1**t)) / np.sqrt(v / (1 - beta2**t) + eps), m, v


def _adam_uncorrected(w, g, m, v, lr, beta1, beta2, eps):
    m = beta1 * m + (1 - beta1) * g
    v = beta2 * v + (1 - beta2) * g**2
    return w - lr * m / (np.sqrt(v) + eps), m, v
