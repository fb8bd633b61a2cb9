"""The exercises on activation functions and their derivatives: sigmoid, tanh, the ReLU family,
softplus and SiLU.

Each wrong version is a mistake that a pitfall box of the chapter on activations or an entry of
the errata register of the worked problem sets records, written as the function a learner would
hand in.
"""

from __future__ import annotations

import numpy as np

from .. import activations as act
from .core import Exercise, register

# --- inputs ---------------------------------------------------------------------------------


def pre_activations(rng: np.random.Generator) -> list[tuple]:
    """Vectors and a matrix of pre-activations, 0 and moderately large values included."""
    return [
        (rng.normal(size=7) * 3,),
        (rng.normal(size=(3, 4)),),
        (np.array([0.0, -1.0, 2.5, -6.0]),),
        (np.array([-30.0, 30.0]),),
    ]


def with_slopes(rng: np.random.Generator) -> list[tuple]:
    """Pre-activations with a slope for the negative side; exact zeros included."""
    return [
        (rng.normal(size=6) * 2, 0.1),
        (np.array([[-3.0, 0.0], [0.5, -0.2]]), 0.25),
        (np.array([0.0, -1.0, 2.0]), 0.01),
    ]


# --- sigmoid and SiLU -----------------------------------------------------------------------

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
            "the chain rule to (1 + exp(-x))^-1: the result is sigma(x) (1 - sigma(x)); "
            "without its factor (1 - sigma(x)) it is the sigmoid itself.",
            "a sign error in the chain rule": "Two minus signs meet, one from the power -1 and "
            "one from the derivative of exp(-x): the derivative is positive everywhere.",
            "the quotient rule without the squared denominator": "d/dx 1/u = -u'/u^2: you "
            "divided exp(-x) by (1 + exp(-x)) once instead of twice.",
        },
        errata={
            "the sigmoid is not its own derivative": "ps4-db1-factor-dropped",
            "a sign error in the chain rule": (
                "ps4-sigmoid-derivative-sign",
                "ps2-sigmoid-derivative-sign",
            ),
        },
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

# --- tanh and softplus ----------------------------------------------------------------------

register(
    Exercise(
        id="ex-activations-tanh-grad",
        title="tanh_grad(x), the derivative of tanh",
        reference=act.tanh_grad,
        cases=pre_activations,
        section="ch-activations",
        mistakes={
            "tanh' without the square": lambda x: 1 - np.tanh(x),
            "sech not squared": lambda x: 1 / np.cosh(x),
            "tanh as its own derivative": np.tanh,
        },
        hints={
            "tanh' without the square": "tanh' = 1 - tanh^2. Without the square the slope "
            "exceeds 1 for every x < 0 and is not even, although the derivative of an odd "
            "function must be.",
            "sech not squared": "tanh' = sech^2 x = 1 / cosh^2 x: the quotient rule squares "
            "the denominator cosh x.",
            "tanh as its own derivative": "The derivative of tanh is 1 - tanh^2, positive "
            "everywhere; tanh itself is negative for x < 0.",
        },
    )
)

register(
    Exercise(
        id="ex-activations-softplus-grad",
        title="softplus_grad(x), the derivative of log(1 + exp(x)), for any x",
        reference=act.softplus_grad,
        cases=lambda rng: [*pre_activations(rng), (np.array([-1000.0, 1000.0]),)],
        section="ch-activations",
        mistakes={
            "softplus as its own derivative": act.softplus,
            "the inner derivative exp(x) forgotten": lambda x: 1 / (1 + np.exp(x)),
            "exp(x) / (1 + exp(x)), which overflows": lambda x: np.exp(x) / (1 + np.exp(x)),
        },
        hints={
            "softplus as its own derivative": "The derivative of log(1 + e^x) is "
            "e^x / (1 + e^x) = sigma(x), between 0 and 1; softplus itself grows without bound.",
            "the inner derivative exp(x) forgotten": "d/dx log(u) = u'/u with u = 1 + e^x: the "
            "numerator is u' = e^x, not 1.",
            "exp(x) / (1 + exp(x)), which overflows": "Right on paper, but exp(1000) is inf and "
            "inf / inf is NaN. Write it as the sigmoid, 1 / (1 + exp(-x)), computed stably.",
        },
    )
)

# --- the ReLU family ------------------------------------------------------------------------

register(
    Exercise(
        id="ex-activations-relu-grad",
        title="relu_grad(x), the derivative of max(0, x), with ReLU'(0) = 0",
        reference=act.relu_grad,
        cases=pre_activations,
        section="ch-activations",
        mistakes={
            "ReLU'(0) taken as 1": lambda x: (x >= 0).astype(float),
            "the ReLU in place of its derivative": act.relu,
            "the mask of the negative inputs": lambda x: (x < 0).astype(float),
        },
        hints={
            "ReLU'(0) taken as 1": "The book, the package and PyTorch take ReLU'(0) = 0 (mask "
            "x > 0). Exact zeros are common: pick the convention and use it in both passes.",
            "the ReLU in place of its derivative": "The derivative is 1 where x > 0 and 0 "
            "elsewhere, not x itself.",
            "the mask of the negative inputs": "The ReLU passes positive inputs with slope 1: "
            "the mask is x > 0.",
        },
    )
)

register(
    Exercise(
        id="ex-activations-leaky-relu-grad",
        title="leaky_relu_grad(x, negative_slope), 1 for x > 0, the slope elsewhere",
        reference=act.leaky_relu_grad,
        cases=with_slopes,
        section="ch-activations",
        mistakes={
            "the ReLU's derivative": lambda x, slope: (x > 0).astype(float),
            "the slope on the positive side": lambda x, slope: np.where(x > 0, slope, 1.0),
            "the derivative at 0 taken as 1": lambda x, slope: np.where(x >= 0, 1.0, slope),
        },
        hints={
            "the ReLU's derivative": "For x < 0 the leaky ReLU is alpha x, whose derivative is "
            "alpha, not 0. With 0 the leak, the gradient to units with negative input, is lost.",
            "the slope on the positive side": "The leaky ReLU keeps x for x > 0 (slope 1) and "
            "scales the negative inputs by alpha.",
            "the derivative at 0 taken as 1": "The package and PyTorch give the slope alpha at "
            "x = 0 (mask x > 0 for the 1); use the same convention in both passes.",
        },
        errata={"the ReLU's derivative": "ps3-relu-for-leaky-relu"},
    )
)

register(
    Exercise(
        id="ex-activations-prelu",
        title="prelu(x, a), max(0, x) + a min(0, x) for one slope a",
        reference=act.prelu,
        cases=with_slopes,
        section="ch-activations",
        mistakes={
            "the sign of the negative inputs dropped": lambda x, a: (
                np.maximum(x, 0) + a * np.abs(np.minimum(x, 0))
            ),
            "a ReLU in place of the PReLU": lambda x, a: np.maximum(x, 0),
            "the slope on the positive side": lambda x, a: a * np.maximum(x, 0) + np.minimum(x, 0),
        },
        hints={
            "the sign of the negative inputs dropped": "A PReLU scales a negative input by a and "
            "keeps its sign: PReLU(-4) = -4a, not 4a.",
            "a ReLU in place of the PReLU": "The negative inputs are not set to 0: they are "
            "multiplied by the slope a, which is what the gradient of a is computed for.",
            "the slope on the positive side": "Positive inputs pass unchanged; the slope "
            "multiplies min(0, x).",
        },
        errata={
            "the sign of the negative inputs dropped": "ps3-prelu-negative-sign-dropped",
            "a ReLU in place of the PReLU": "ps3-relu-for-leaky-relu",
        },
    )
)
