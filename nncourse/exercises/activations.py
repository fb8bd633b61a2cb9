"""The exercises on activation functions and their derivatives: sigmoid, tanh, the ReLU family,
softplus and SiLU.

Each wrong version is a mistake that a pitfall box of the chapter on activations or an entry of
the errata register of the worked problem sets records, written as the function a learner would
hand in.
"""

from __future__ import annotations

import numpy as np

from .. import activations as act
from .core import exercise

# --- inputs ---------------------------------------------------------------------------------


def pre_activations(rng: np.random.Generator) -> list[tuple]:
    """Vectors and a matrix of pre-activations, 0 and moderately large values included."""
    return [
        (rng.normal(size=7) * 3,),
        (rng.normal(size=(3, 4)),),
        (np.array([0.0, -1.0, 2.5, -6.0]),),
        (np.array([-30.0, 30.0]),),
    ]


def with_extremes(rng: np.random.Generator) -> list[tuple]:
    """The pre-activations and -1000 and 1000, where a formula that is not stable overflows."""
    return [*pre_activations(rng), (np.array([-1000.0, 1000.0]),)]


def with_slopes(rng: np.random.Generator) -> list[tuple]:
    """Pre-activations with a slope for the negative side; exact zeros included."""
    return [
        (rng.normal(size=6) * 2, 0.1),
        (np.array([[-3.0, 0.0], [0.5, -0.2]]), 0.25),
        (np.array([0.0, -1.0, 2.0]), 0.01),
    ]


# --- sigmoid and SiLU -----------------------------------------------------------------------


@exercise("ex-activations-sigmoid", section="ch-checking-derivatives", cases=with_extremes)
def sigmoid(x):
    """sigmoid(x), without overflow for any x

    sigma(x) = 1 / (1 + exp(-x)), computed without overflow by the package's sigmoid.
    """
    return act.sigmoid(x)


@sigmoid.mistake("the sign of the exponent")
def _(x):
    """sigma(x) = 1 / (1 + exp(-x)): with exp(+x) you computed sigma(-x) = 1 - sigma(x), a curve
    that falls instead of rising."""
    return 1 / (1 + np.exp(x))


@exercise("ex-activations-sigmoid-grad", section="ch-checking-derivatives", cases=pre_activations)
def sigmoid_grad(x):
    """sigmoid_grad(x), the derivative of the sigmoid

    sigma'(x) = sigma(x) (1 - sigma(x)).
    """
    return act.sigmoid_grad(x)


@sigmoid_grad.mistake("the sigmoid is not its own derivative", erratum="ps4-db1-factor-dropped")
def _(x):
    """Only exp is its own derivative. Apply the chain rule to (1 + exp(-x))^-1: the result is
    sigma(x) (1 - sigma(x)); without its factor (1 - sigma(x)) it is the sigmoid itself."""
    return act.sigmoid(x)


@sigmoid_grad.mistake(
    "a sign error in the chain rule",
    erratum=(
        "ps4-sigmoid-derivative-sign",
        "ps2-sigmoid-derivative-sign",
    ),
)
def _(x):
    """Two minus signs meet, one from the power -1 and one from the derivative of exp(-x): the
    derivative is positive everywhere."""
    return -act.sigmoid_grad(x)


@sigmoid_grad.mistake("the quotient rule without the squared denominator")
def _(x):
    """d/dx 1/u = -u'/u^2: you divided exp(-x) by (1 + exp(-x)) once instead of twice."""
    return act.sigmoid(-x)


@exercise("ex-activations-silu-grad", section="ch-activations", cases=pre_activations)
def silu_grad(x):
    """silu_grad(x), the derivative of x sigmoid(x)

    (x sigma(x))' = sigma(x) + x sigma'(x), by the product rule.
    """
    return act.silu_grad(x)


@silu_grad.mistake("the product rule's first term alone")
def _(x):
    """(x s)' = s + x s': you kept s = sigma(x) and dropped x sigma'(x)."""
    return act.sigmoid(x)


@silu_grad.mistake("the product rule's second term alone")
def _(x):
    """(x s)' = s + x s': you kept x sigma'(x) and dropped sigma(x), the derivative of x times s."""
    return x * act.sigmoid_grad(x)


@silu_grad.mistake("the sigmoid's derivative in place of SiLU's")
def _(x):
    """SiLU is x sigma(x), not sigma(x): differentiate the product."""
    return act.sigmoid_grad(x)


# --- tanh and softplus ----------------------------------------------------------------------


@exercise("ex-activations-tanh-grad", section="ch-activations", cases=pre_activations)
def tanh_grad(x):
    """tanh_grad(x), the derivative of tanh

    tanh'(x) = 1 - tanh(x)^2.
    """
    return act.tanh_grad(x)


@tanh_grad.mistake("tanh' without the square")
def _(x):
    """tanh' = 1 - tanh^2. Without the square the slope exceeds 1 for every x < 0 and is not even,
    although the derivative of an odd function must be."""
    return 1 - np.tanh(x)


@tanh_grad.mistake("sech not squared")
def _(x):
    """tanh' = sech^2 x = 1 / cosh^2 x: the quotient rule squares the denominator cosh x."""
    return 1 / np.cosh(x)


@tanh_grad.mistake("tanh as its own derivative")
def _(x):
    """The derivative of tanh is 1 - tanh^2, positive everywhere; tanh itself is negative
    for x < 0."""
    return np.tanh(x)


@exercise("ex-activations-softplus-grad", section="ch-activations", cases=with_extremes)
def softplus_grad(x):
    """softplus_grad(x), the derivative of log(1 + exp(x)), for any x

    softplus'(x) = exp(x) / (1 + exp(x)) = sigma(x), computed as the stable sigmoid.
    """
    return act.softplus_grad(x)


@softplus_grad.mistake("softplus as its own derivative")
def _(x):
    """The derivative of log(1 + e^x) is e^x / (1 + e^x) = sigma(x), between 0 and 1; softplus
    itself grows without bound."""
    return act.softplus(x)


@softplus_grad.mistake("the inner derivative exp(x) forgotten")
def _(x):
    """d/dx log(u) = u'/u with u = 1 + e^x: the numerator is u' = e^x, not 1."""
    return 1 / (1 + np.exp(x))


@softplus_grad.mistake("exp(x) / (1 + exp(x)), which overflows")
def _(x):
    """Right on paper, but exp(1000) is inf and inf / inf is NaN. Write it as the sigmoid,
    1 / (1 + exp(-x)), computed stably."""
    return np.exp(x) / (1 + np.exp(x))


# --- the ReLU family ------------------------------------------------------------------------


@exercise("ex-activations-relu-grad", section="ch-activations", cases=pre_activations)
def relu_grad(x):
    """relu_grad(x), the derivative of max(0, x), with ReLU'(0) = 0

    1 where x > 0, 0 elsewhere: the mask x > 0.
    """
    return act.relu_grad(x)


@relu_grad.mistake("ReLU'(0) taken as 1")
def _(x):
    """The book, the package and PyTorch take ReLU'(0) = 0 (mask x > 0). Exact zeros are common:
    pick the convention and use it in both passes."""
    return (x >= 0).astype(float)


@relu_grad.mistake("the ReLU in place of its derivative")
def _(x):
    """The derivative is 1 where x > 0 and 0 elsewhere, not x itself."""
    return act.relu(x)


@relu_grad.mistake("the mask of the negative inputs")
def _(x):
    """The ReLU passes positive inputs with slope 1: the mask is x > 0."""
    return (x < 0).astype(float)


@exercise("ex-activations-leaky-relu-grad", section="ch-activations", cases=with_slopes)
def leaky_relu_grad(x, negative_slope):
    """leaky_relu_grad(x, negative_slope), 1 for x > 0, the slope elsewhere

    At x = 0 the slope too, as in PyTorch: the mask x > 0 picks the 1.
    """
    return act.leaky_relu_grad(x, negative_slope)


@leaky_relu_grad.mistake("the ReLU's derivative", erratum="ps3-relu-for-leaky-relu")
def _(x, slope):
    """For x < 0 the leaky ReLU is alpha x, whose derivative is alpha, not 0. With 0 the leak, the
    gradient to units with negative input, is lost."""
    return (x > 0).astype(float)


@leaky_relu_grad.mistake("the slope on the positive side")
def _(x, slope):
    """The leaky ReLU keeps x for x > 0 (slope 1) and scales the negative inputs by alpha."""
    return np.where(x > 0, slope, 1.0)


@leaky_relu_grad.mistake("the derivative at 0 taken as 1")
def _(x, slope):
    """The package and PyTorch give the slope alpha at x = 0 (mask x > 0 for the 1); use the same
    convention in both passes."""
    return np.where(x >= 0, 1.0, slope)


@exercise("ex-activations-prelu", section="ch-activations", cases=with_slopes)
def prelu(x, a):
    """prelu(x, a), max(0, x) + a min(0, x) for one slope a"""
    return act.prelu(x, a)


@prelu.mistake("the sign of the negative inputs dropped", erratum="ps3-prelu-negative-sign-dropped")
def _(x, a):
    """A PReLU scales a negative input by a and keeps its sign: PReLU(-4) = -4a, not 4a."""
    return np.maximum(x, 0) + a * np.abs(np.minimum(x, 0))


@prelu.mistake("a ReLU in place of the PReLU", erratum="ps3-relu-for-leaky-relu")
def _(x, a):
    """The negative inputs are not set to 0: they are multiplied by the slope a, which is what the
    gradient of a is computed for."""
    return np.maximum(x, 0)


@prelu.mistake("the slope on the positive side")
def _(x, a):
    """Positive inputs pass unchanged; the slope multiplies min(0, x)."""
    return a * np.maximum(x, 0) + np.minimum(x, 0)
