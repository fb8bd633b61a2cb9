"""Modules and reductions agree bit for bit with the functions that define them.

The loss and activation modules call the public functions (a spy proves the path), so their
values are those of the functions exactly; as_float_array checks finiteness in one pass; SGD is
PyTorch's algorithm line by line. Each test states the exact agreement that must hold.
"""

import math
import re
import warnings

import mpmath
import numpy as np
import pytest
from helpers import RAISE
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from nncourse import activations, losses
from nncourse._validation import as_float_array, reduce
from nncourse.activations import log_softmax, logsumexp, relu, relu_grad, softmax
from nncourse.losses import cross_entropy, cross_entropy_grad
from nncourse.nn import CrossEntropyLoss, MSELoss, Parameter, ReLU, Sigmoid
from nncourse.optim import SGD


@st.composite
def logits_and_targets(draw):
    """Logits (N, C) or (C,), integer or probability targets, smoothing, reduction and dtype."""
    n_classes = draw(st.integers(1, 6))
    shape = draw(st.sampled_from([(n_classes,), (draw(st.integers(1, 5)), n_classes)]))
    dtype = draw(st.sampled_from([np.float64, np.float32]))
    # rounding to integers makes ties for the maximum common
    values = draw(arrays(np.float64, shape, elements=st.floats(-60, 60)))
    logits = (np.round(values) if draw(st.booleans()) else values).astype(dtype)
    if draw(st.booleans()):
        target = draw(arrays(np.int64, shape[:-1], elements=st.integers(0, n_classes - 1)))
    else:
        target = draw(arrays(np.float64, shape, elements=st.floats(0, 1))).astype(dtype)
    smoothing = draw(st.sampled_from([0.0, 0.1]))
    reduction = draw(st.sampled_from(["mean", "sum", "none"]))
    return logits, target, smoothing, reduction


@given(logits_and_targets())
def test_cross_entropy_module_equals_the_functions_bit_for_bit(case):
    logits, target, smoothing, reduction = case
    criterion = CrossEntropyLoss(reduction=reduction, label_smoothing=smoothing)
    loss = criterion(logits, target)
    grad = criterion.backward()
    expected = cross_entropy(logits, target, label_smoothing=smoothing, reduction=reduction)
    expected_grad = cross_entropy_grad(
        logits, target, label_smoothing=smoothing, reduction=reduction
    )
    assert np.array_equal(loss, expected) and type(loss) is type(expected)
    assert np.array_equal(grad, expected_grad) and grad.dtype == expected_grad.dtype
    np.testing.assert_array_equal(criterion.backward(2.0), 2.0 * expected_grad)


@pytest.mark.parametrize(
    ("logits", "target", "error", "message"),
    [
        ([[0.0, np.nan]], [0], ValueError, "input must not contain NaN"),
        ([[0.0, np.inf]], [0], ValueError, "input must contain only finite numbers"),
        ([[0.0, -np.inf]], [0], ValueError, "input must contain only finite numbers"),
        ([[0.0, 1.0]], [2], ValueError, r"class indices in \[0, 1\]"),
        ([[0.0, 1.0]], [-1], ValueError, r"class indices in \[0, 1\]"),
        ([[0.0, 1.0]], [0, 1], ValueError, r"target has shape \(2,\), expected \(1,\)"),
    ],
)
def test_cross_entropy_module_refuses_bad_batches(logits, target, error, message):
    with pytest.raises(error, match=message):
        CrossEntropyLoss()(np.array(logits), np.array(target))


def test_cross_entropy_module_refuses_an_empty_mean():
    empty = CrossEntropyLoss(reduction="sum")
    assert empty(np.zeros((0, 3)), np.zeros(0, dtype=int)) == 0.0
    with pytest.raises(ValueError, match="would average over no elements"):
        CrossEntropyLoss()(np.zeros((0, 3)), np.zeros(0, dtype=int))


@pytest.mark.parametrize(
    ("module", "function", "gradient"),
    [
        (CrossEntropyLoss, "cross_entropy", "cross_entropy_backward"),
        (MSELoss, "mse_loss", "mse_loss_grad"),
        (ReLU, "relu", "relu_grad"),
        (Sigmoid, "sigmoid", "sigmoid_grad"),
    ],
)
def test_modules_call_the_public_functions(module, function, gradient, monkeypatch):
    # the module's formula is the public function itself, not a copy of it ...
    source = activations if module in (ReLU, Sigmoid) else losses
    assert module.function is getattr(source, function)
    assert module.gradient is getattr(source, gradient)
    # ... and its forward and backward passes go through it (a spy counts the calls)
    calls = []

    def spy(real, name):
        def wrapper(*args, **kwargs):
            calls.append(name)
            return real(*args, **kwargs)

        return staticmethod(wrapper)

    monkeypatch.setattr(module, "function", spy(module.function, function))
    monkeypatch.setattr(module, "gradient", spy(module.gradient, gradient))
    layer = module()
    x = np.array([[0.5, -1.0, 2.0]])
    if module in (CrossEntropyLoss, MSELoss):
        loss = layer(x, np.array([2]) if module is CrossEntropyLoss else np.zeros_like(x))
        grad = layer.backward()
    else:
        loss = layer(x).sum()
        grad = layer.backward(np.ones_like(x))
    assert calls == [function, gradient]
    assert np.isfinite(loss) and grad.shape == x.shape


def test_cross_entropy_module_takes_the_softmax_once_per_step(monkeypatch):
    # forward keeps log p; backward starts from it instead of taking the softmax again
    calls = []
    real = activations.softmax_parts

    def counting(*args, **kwargs):
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(activations, "softmax_parts", counting)
    criterion = CrossEntropyLoss()
    criterion(np.array([[0.5, -1.0, 2.0]]), np.array([2]))
    criterion.backward()
    assert len(calls) == 1


def test_cross_entropy_module_keeps_the_softmax_of_its_last_forward():
    criterion = CrossEntropyLoss()
    criterion(np.array([[0.0, 0.0]]), np.array([0]))
    criterion(np.array([[0.0, np.log(3.0)]]), np.array([1]))  # p = (1/4, 3/4)
    np.testing.assert_allclose(criterion.backward(), [[0.25, -0.25]], rtol=1e-15)


# p = exp(log p) carries the rounding of log p, about |log p| ulp relative (the gradient's
# docstring says so), and an ulp of 1 is 2**-52
LOG_P_ROUNDING = 2.0**-52


def test_cross_entropy_gradient_at_a_tied_maximum():
    # p = (1, 1, e^-69) / S with S = 2 + e^-69; at the second maximum p_1 - 1 = -(1 + e^-69) / S
    tiny = math.exp(-69)
    total = 2 + tiny
    grad = cross_entropy_grad([0.0, 0.0, -69.0], 1, reduction="sum")
    np.testing.assert_allclose(grad[:2], [1 / total, -(1 + tiny) / total], rtol=1e-15)
    np.testing.assert_allclose(grad[2], tiny / total, rtol=LOG_P_ROUNDING * 69)
    assert cross_entropy([0.0, 0.0, -69.0], 1) == pytest.approx(math.log(2 + tiny), rel=1e-15)


def test_cross_entropy_gradient_at_a_later_dominant_class():
    # the target is the maximum but not the first entry: p_y - 1 = -2 e^-69 / (1 + 2 e^-69)
    tiny = math.exp(-69)
    grad = cross_entropy_grad([-69.0, 0.0, -69.0], 1, reduction="sum")
    total = 1 + 2 * tiny
    np.testing.assert_allclose(grad[1], -2 * tiny / total, rtol=1e-15)  # expm1(log p_y)
    np.testing.assert_allclose(grad[[0, 2]], tiny / total, rtol=LOG_P_ROUNDING * 69)
    grad32 = cross_entropy_grad(np.float32([-30.0, 0.0, -30.0]), 1, reduction="sum")
    assert grad32.dtype == np.float32
    np.testing.assert_allclose(grad32[1], -2 * math.exp(-30), rtol=1e-6)
    # a sure prediction: p_y - 1 is +0.0, as softmax - one_hot gives it, not -0.0
    sure = cross_entropy_grad([0.0, -1000.0], 0, reduction="sum")
    assert sure[0] == 0.0 and math.copysign(1.0, sure[0]) == 1.0


def test_softmax_family_with_ties_for_the_maximum():
    with mpmath.workdps(50):
        expected = float(-mpmath.log(2 + mpmath.exp(-50)))
    np.testing.assert_allclose(log_softmax([0.0, 0.0, -50.0])[0], expected, rtol=1e-15)
    np.testing.assert_allclose(logsumexp([5.0, 5.0, 5.0]), 5 + math.log(3), rtol=1e-15)
    np.testing.assert_allclose(log_softmax(np.zeros((2, 4))), -math.log(4), rtol=1e-15)
    halves = softmax(np.float32([1.0, 1.0]))
    assert halves.dtype == np.float32
    np.testing.assert_array_equal(halves, [0.5, 0.5])


def test_softmax_family_with_logits_further_apart_than_the_largest_float():
    logits = [1.7e308, -1.7e308]  # z - max(z) overflows to -inf: its exponential is 0
    with np.errstate(**RAISE):
        np.testing.assert_array_equal(softmax(logits), [1.0, 0.0])
        assert float(logsumexp(logits)) == 1.7e308
        assert cross_entropy([logits], [0]) == 0.0
        np.testing.assert_array_equal(cross_entropy_grad([logits], [0]), [[0.0, 0.0]])


def test_relu_keeps_zero_positive_dtype_and_shape():
    out = relu(np.array([-0.0, -2.0, 3.0]))
    assert math.copysign(1.0, out[0]) == 1.0  # max(0, -0.0) is +0.0
    np.testing.assert_array_equal(out, [0.0, 0.0, 3.0])
    assert relu(np.float32([1.0, -1.0])).dtype == np.float32
    scalar = relu(-1.0)
    assert isinstance(scalar, np.ndarray) and scalar.shape == () and scalar == 0.0
    assert relu_grad(-0.0) == 0.0


@given(arrays(np.float64, (3, 4), elements=st.floats(-5, 5)))
def test_relu_layer_equals_the_functions(x):
    layer = ReLU()
    np.testing.assert_array_equal(layer(x), relu(x))
    upstream = np.arange(12.0).reshape(3, 4)
    np.testing.assert_array_equal(layer.backward(upstream), upstream * relu_grad(x))


def test_activation_layers_refuse_nan_as_their_functions_do():
    with pytest.raises(ValueError, match="x must not contain NaN"):
        ReLU()(np.array([np.nan, -1.0]))


def test_as_float_array_checks_values_in_one_pass_with_the_same_messages():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        huge = as_float_array(np.array([1e308, 1e308]), "x")  # finite, though its sum is not
    np.testing.assert_array_equal(huge, [1e308, 1e308])
    with pytest.raises(ValueError, match=re.escape("x must not contain NaN.")):
        as_float_array(np.array([np.inf, np.nan]), "x")  # NaN is named first
    with pytest.raises(ValueError, match="x must contain only finite numbers; it contains inf"):
        as_float_array(np.array([1.0, -np.inf]), "x")
    np.testing.assert_array_equal(
        as_float_array(np.array([-np.inf]), "x", allow_infinite=True), [-np.inf]
    )
    big_endian = as_float_array(np.array([1.5], dtype=">f8"), "x")
    assert big_endian.dtype == np.float64 and big_endian.dtype.isnative
    assert as_float_array(np.float16([1.0]), "x").dtype == np.float64


@given(arrays(st.sampled_from([np.float32, np.float64]), st.integers(1, 50)))
def test_reduce_mean_is_numpy_mean_bit_for_bit(values):
    values = np.nan_to_num(values, nan=0.0, posinf=1.0, neginf=-1.0)
    with np.errstate(over="ignore"):
        expected = float(values.mean())
        actual = reduce(values, "mean")
    assert actual == expected


@pytest.mark.parametrize(
    "options",
    [
        {"momentum": 0.9},
        {"momentum": 0.9, "weight_decay": 0.01},
        {"momentum": 0.9, "nesterov": True},
        {"momentum": 0.5, "dampening": 0.3},
    ],
)
def test_sgd_is_pytorch_sgd_bit_for_bit(options):
    rng = np.random.default_rng(0)
    start, gradients = rng.normal(size=4), rng.normal(size=(20, 4))
    lr, mu = 0.1, options["momentum"]
    tau, weight_decay = options.get("dampening", 0.0), options.get("weight_decay", 0.0)
    theta, buffer = start.copy(), None
    for g in gradients:  # torch.optim.SGD's documented algorithm, one line per line
        if weight_decay != 0:
            g = g + weight_decay * theta
        buffer = g.copy() if buffer is None else mu * buffer + (1 - tau) * g
        g = g + mu * buffer if options.get("nesterov") else buffer
        theta = theta - lr * g
    w = Parameter(start)
    optimizer = SGD([w], lr=lr, **options)
    for g in gradients:
        w.grad[...] = g
        optimizer.step()
    np.testing.assert_array_equal(w.data, theta)
