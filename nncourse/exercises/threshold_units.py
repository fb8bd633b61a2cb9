"""The exercises on threshold logic units, from a unit for a truth table and XOR in two layers
to the perceptron rule and a unit smoothed by a sigmoid."""

from __future__ import annotations

import functools

import numpy as np

from ..activations import sigmoid, sigmoid_grad, step
from ..tlu import TLU, TLUNetwork, perceptron_fit, separating_unit, truth_table
from .core import exercise

SEPARABLE = {  # outputs in truth_table order
    "AND": [0, 0, 0, 1],
    "OR": [0, 1, 1, 1],
    "NAND": [1, 1, 1, 0],
    "NOR": [1, 0, 0, 0],
    "x1 AND NOT x2": [0, 0, 1, 0],
    "majority of three": [0, 0, 0, 1, 0, 1, 1, 1],
    "x1 OR x3": [0, 1, 0, 1, 1, 1, 1, 1],
}


def unit_for(outputs):
    """Weights and bias of a unit computing `outputs`, from the package's linear program."""
    return _solved_unit(tuple(int(value) for value in outputs))


@functools.cache  # a linear program per truth table, solved once: checks stay well under 1 s
def _solved_unit(outputs: tuple[int, ...]) -> tuple[np.ndarray, float]:
    unit = separating_unit(truth_table(len(outputs).bit_length() - 1), outputs)
    return unit.weights, unit.bias


def unit_outputs(args, weights_and_bias):
    """What a unit (w, b) computes on every row of the truth table, with U(0) = 1."""
    weights, bias = weights_and_bias
    X = truth_table(len(args[0]).bit_length() - 1)
    return step(X @ np.asarray(weights, dtype=float) + float(bias))


@exercise(
    "ex-tlu-truth-table",
    section="ch-tlu",
    cases=lambda rng: [(np.array(outputs),) for outputs in SEPARABLE.values()],
    outcome=unit_outputs,
)
def tlu_for(outputs):
    """tlu_for(outputs) -> (weights, bias) of a unit computing a separable truth table"""
    return unit_for(outputs)


@tlu_for.mistake("the threshold given as the bias", erratum="ps2-minterm-constant-sign")
def _(t):
    """w.x >= theta is w.x + b >= 0 with b = -theta: the bias is minus the threshold."""
    return (unit_for(t)[0], -unit_for(t)[1])


@tlu_for.mistake("weights and bias negated")
def _(t):
    """Negating w and b gives (almost) the complement of the function: the unit fires where it
    should stay silent."""
    return (-unit_for(t)[0], -unit_for(t)[1])


def xor_reference():
    """OR and NAND in the hidden layer, AND of the two at the output."""
    return [
        (np.array([[1.0, 1.0], [-1.0, -1.0]]), np.array([-1.0, 1.0])),
        (np.array([[1.0, 1.0]]), np.array([-2.0])),
    ]


def network_outputs(args, layers):
    """What a two-layer network of units [(W1, b1), (W2, b2)] computes on the four inputs."""
    network = TLUNetwork([[TLU(w, b) for w, b in zip(W, bias, strict=True)] for W, bias in layers])
    return network(truth_table(2))


@exercise("ex-tlu-xor-network", section="ch-tlu", cases=lambda rng: [()], outcome=network_outputs)
def xor_network():
    """xor_network() -> [(W1, b1), (W2, b2)], two layers of threshold units computing XOR"""
    return xor_reference()


@xor_network.mistake("a single unit for XOR")
def _():
    """No line separates XOR's ones from its zeros; passing the inputs through and adding one unit
    is one unit. Compute OR and NAND first."""
    return [
        (np.eye(2), np.full(2, -0.5)),
        (np.array([[1.0, 1.0]]), np.array([-1.0])),
    ]


@xor_network.mistake("AND in place of NAND")
def _():
    """XOR = (x1 OR x2) AND NOT (x1 AND x2): the second hidden unit must be NAND, the negation of
    AND."""
    return [
        (np.array([[1.0, 1.0], [1.0, 1.0]]), np.array([-1.0, -2.0])),
        (np.array([[1.0, 1.0]]), np.array([-2.0])),
    ]


@xor_network.mistake("an OR at the output")
def _():
    """XOR is 1 when both hidden units are 1: the output is an AND."""
    return [
        xor_reference()[0],
        (np.array([[1.0, 1.0]]), np.array([-1.0])),
    ]


def perceptron_reference(X, t, max_epochs=100):
    result = perceptron_fit(X, t, max_epochs=max_epochs)
    return result.unit.weights, result.unit.bias, np.array(result.errors)


def perceptron_variant(X, t, max_epochs=100, *, sign=1.0, at_zero=1.0, learn_bias=True):
    """The perceptron rule from zero, rows in order; the keywords make the wrong versions."""
    w, b, errors = np.zeros(X.shape[1]), 0.0, []
    while len(errors) < max_epochs and (not errors or errors[-1] > 0):
        mistakes = 0
        for x, target in zip(X, t, strict=True):
            update = target - float(step(x @ w + b, at_zero=at_zero))
            mistakes += update != 0
            w = w + sign * update * x
            b += sign * update if learn_bias else 0.0
        errors.append(mistakes)
    return w, b, np.array(errors)


@exercise(
    "ex-tlu-perceptron",
    section="ch-tlu",
    cases=lambda rng: [
        (truth_table(2), np.array(t), 20)
        for t in ([0, 0, 0, 1], [0, 1, 1, 1], [1, 1, 1, 0], [0, 1, 1, 0])
    ],
)
def perceptron(X, t, max_epochs):
    """perceptron(X, t, max_epochs=100) -> (weights, bias, mistakes per epoch)"""
    return perceptron_reference(X, t, max_epochs)


@perceptron.mistake("the update's sign flipped")
def _(X, t, n):
    """w <- w + eta (t - y) x: a unit that should have fired (t = 1, y = 0) moves its weights
    towards x."""
    return perceptron_variant(X, t, n, sign=-1.0)


@perceptron.mistake("the step taken as 0 at 0")
def _(X, t, n):
    """The book's convention is U(0) = 1 (see the conventions page): a net input of exactly 0
    fires."""
    return perceptron_variant(X, t, n, at_zero=0.0)


@perceptron.mistake("the bias never learned")
def _(X, t, n):
    """The bias is a weight on a constant input 1: update it with b <- b + eta (t - y)."""
    return perceptron_variant(X, t, n, learn_bias=False)


AND_ROWS, AND_TARGETS = truth_table(2), np.array([0.0, 0.0, 0.0, 1.0])


def smooth_unit_variant(params, k, *, factor_two=2.0, chain_k=True, derivative=sigmoid_grad):
    """Gradient in (w1, w2, b) of sum_i (sigma(k (w.x_i + b)) - t_i)^2 over AND's table; the
    keywords make the wrong versions."""
    z = k * (AND_ROWS @ params[:-1] + params[-1])
    delta = factor_two * (sigmoid(z) - AND_TARGETS) * derivative(z) * (k if chain_k else 1.0)
    return np.append(delta @ AND_ROWS, delta.sum())


@exercise(
    "ex-tlu-smooth-unit",
    section="ch-tlu",
    cases=lambda rng: [(rng.normal(size=3), k) for k in (3.0, 0.5, 10.0)],
)
def smooth_loss_grad(params, k):
    """smooth_loss_grad(params, k): the gradient of a sigmoid unit's squared error on AND"""
    return smooth_unit_variant(params, k)


@smooth_loss_grad.mistake("the factor k of the chain rule forgotten")
def _(p, k):
    """d/dw sigma(k z) = k sigma'(k z) dz/dw: the inner derivative brings k."""
    return smooth_unit_variant(p, k, chain_k=False)


@smooth_loss_grad.mistake("the factor 2 of the square forgotten")
def _(p, k):
    """d/dy (y - t)^2 = 2 (y - t); the loss here has no 1/2 in front."""
    return smooth_unit_variant(p, k, factor_two=1.0)


@smooth_loss_grad.mistake("sigma in place of sigma'")
def _(p, k):
    """The sigmoid's derivative is sigma (1 - sigma), not sigma."""
    return smooth_unit_variant(p, k, derivative=sigmoid)
