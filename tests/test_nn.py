"""Layers: forward values against independent formulas and loops, backward by hand, API, errors."""

import re

import numpy as np
import pytest
from helpers import digits_mlp
from hypothesis import given, settings
from hypothesis import strategies as st

from nncourse import nn
from nncourse.gradcheck import check_module
from nncourse.nn import (
    ELU,
    AvgPool2d,
    BCELoss,
    BCEWithLogitsLoss,
    Conv2d,
    CrossEntropyLoss,
    Dropout,
    Flatten,
    HuberLoss,
    Identity,
    L1Loss,
    LeakyReLU,
    Linear,
    LogSoftmax,
    MaxPool2d,
    Module,
    MSELoss,
    NLLLoss,
    Parameter,
    PReLU,
    ReLU,
    Sequential,
    Sigmoid,
    Softmax,
    Tanh,
)


def naive_conv2d(x, weight, bias, stride, padding):
    """Convolution by explicit loops over every output pixel and every kernel entry."""
    (sh, sw), (ph, pw) = stride, padding
    n, c, h, w = x.shape
    out_channels, _, kh, kw = weight.shape
    padded = np.zeros((n, c, h + 2 * ph, w + 2 * pw))
    padded[:, :, ph : ph + h, pw : pw + w] = x
    out_h, out_w = (h + 2 * ph - kh) // sh + 1, (w + 2 * pw - kw) // sw + 1
    out = np.zeros((n, out_channels, out_h, out_w))
    for s in range(n):
        for o in range(out_channels):
            for row in range(out_h):
                for col in range(out_w):
                    total = 0.0 if bias is None else bias[o]
                    for ch in range(c):
                        for i in range(kh):
                            for j in range(kw):
                                total += (
                                    padded[s, ch, row * sh + i, col * sw + j] * weight[o, ch, i, j]
                                )
                    out[s, o, row, col] = total
    return out


def naive_pool(x, kernel, stride, reduce):
    n, c, h, w = x.shape
    out_h, out_w = (h - kernel[0]) // stride[0] + 1, (w - kernel[1]) // stride[1] + 1
    out = np.zeros((n, c, out_h, out_w))
    for row in range(out_h):
        for col in range(out_w):
            r, q = row * stride[0], col * stride[1]
            out[:, :, row, col] = reduce(x[:, :, r : r + kernel[0], q : q + kernel[1]], axis=(2, 3))
    return out


# --------------------------------------------------------------------------------------------
# Parameter and Module
# --------------------------------------------------------------------------------------------


def test_parameter_has_zero_grad_of_its_shape_and_copies_its_data():
    source = np.array([[1, 2], [3, 4]])
    p = Parameter(source)
    assert p.data.dtype == np.float64 and p.grad.shape == (2, 2) and not p.grad.any()
    p.data[0, 0] = 10.0
    assert source[0, 0] == 1  # no aliasing of the caller's array
    assert Parameter(np.ones(3, dtype=np.float32)).grad.dtype == np.float32
    assert (p.shape, p.size, repr(p)) == ((2, 2), 4, "Parameter(shape=(2, 2), dtype=float64)")


@pytest.mark.parametrize("bad", [["a", "b"], np.array([1 + 2j]), [object()]])
def test_parameter_rejects_non_numeric_data_naming_it(bad):
    # a wrong type is a TypeError, and only that (the conventions page states the rule)
    with pytest.raises(TypeError, match="Parameter data must be a") as info:
        Parameter(bad)
    assert not isinstance(info.value, ValueError)


def test_parameter_rejects_nan():
    with pytest.raises(ValueError, match="data must not contain NaN"):
        Parameter([1.0, np.nan])


def test_parameters_in_assignment_order_with_dotted_names():
    model = digits_mlp(np.random.default_rng(0))
    names = [name for name, _ in model.named_parameters()]
    assert names == ["0.weight", "0.bias", "2.weight", "2.bias", "4.weight", "4.bias"]
    assert [p.shape for p in model.parameters()] == [
        (128, 64), (128,), (64, 128), (64,), (10, 64), (10,)
    ]  # fmt: skip
    assert model.num_parameters() == 64 * 128 + 128 + 128 * 64 + 64 + 64 * 10 + 10


def test_nested_names_and_modules():
    inner = Sequential(Linear(2, 2, rng=0), Tanh())
    model = Sequential(inner, Linear(2, 1, rng=1))
    assert [n for n, _ in model.named_parameters()] == [
        "0.0.weight",
        "0.0.bias",
        "1.weight",
        "1.bias",
    ]
    assert [type(m).__name__ for m in model.modules()] == [
        "Sequential", "Sequential", "Linear", "Tanh", "Linear"
    ]  # fmt: skip


def test_zero_grad_resets_every_parameter():
    model = digits_mlp(np.random.default_rng(0))
    for p in model.parameters():
        p.grad += 1.0
    model.zero_grad()
    assert all(not p.grad.any() for p in model.parameters())


def test_zero_grad_reads_as_zeros_and_the_next_backward_gives_exactly_the_new_gradient():
    layer = Linear(3, 2, rng=0)
    x, g = np.random.default_rng(1).standard_normal((4, 3)), np.ones((4, 2))
    layer(x)
    layer.backward(g)
    layer.backward(g)  # accumulated: twice the gradient
    np.testing.assert_array_equal(layer.weight.grad, 2 * (g.T @ x))
    layer.zero_grad()
    assert not layer.weight.grad.any() and not layer.bias.grad.any()
    layer.zero_grad()
    layer.backward(g)  # after zero_grad the first gradient is stored, not added to old values
    np.testing.assert_array_equal(layer.weight.grad, g.T @ x)
    np.testing.assert_array_equal(layer.bias.grad, g.sum(axis=0))


def test_zero_grad_then_manual_accumulation_starts_from_zero():
    w = Parameter([1.0, 2.0])
    w.grad += 5.0
    w.zero_grad()
    w.grad += np.array([1.0, -1.0])  # a hand-written backward pass, as learners write one
    np.testing.assert_array_equal(w.grad, [1.0, -1.0])


def test_grad_is_a_plain_array_zeroed_in_place():
    w = Parameter(np.ones(3, dtype=np.float32))
    grad = w.grad
    grad += 2.0
    w.zero_grad()
    assert w.grad is grad and not grad.any()  # the same array, filled with zeros
    assert "grad" in vars(w)  # an attribute, not a property computed on reading
    w.grad += np.full(3, 1 / 3)  # float64 added into the float32 gradient
    assert w.grad.dtype == np.float32


def test_layers_accumulate_gradients_over_backward_passes():
    layer = Linear(3, 2, rng=0)
    x, g = np.arange(6.0).reshape(2, 3), np.ones((2, 2))
    layer(x)
    layer.backward(g)
    layer.backward(g)
    np.testing.assert_allclose(layer.weight.grad, 2 * g.T @ x, rtol=1e-15)


def test_assigning_grad_replaces_it():
    w = Parameter([1.0, 2.0])
    w.zero_grad()
    w.grad = np.array([7.0, 8.0])
    np.testing.assert_array_equal(w.grad, [7.0, 8.0])


def test_train_and_eval_propagate_to_every_submodule():
    model = Sequential(Linear(2, 2, rng=0), Sequential(Dropout(), ReLU()))
    assert model.eval() is model
    assert not any(m.training for m in model.modules())
    model.train()
    assert all(m.training for m in model.modules())


def test_module_without_backward_says_what_to_implement():
    class Half(Module):
        def forward(self, x):
            return x / 2

    assert Half()(np.array([2.0])) == 1.0
    with pytest.raises(NotImplementedError, match=r"Half must implement backward\(grad_output\)"):
        Half().backward(np.ones(1))


# --------------------------------------------------------------------------------------------
# Linear
# --------------------------------------------------------------------------------------------


@settings(max_examples=20)
@given(st.integers(1, 5), st.integers(1, 6), st.integers(1, 6), st.booleans(), st.integers(0, 99))
def test_linear_output_is_x_w_transpose_plus_b(n, in_features, out_features, bias, seed):
    rng = np.random.default_rng(seed)
    layer = Linear(in_features, out_features, bias=bias, rng=rng)
    x = rng.standard_normal((n, in_features))
    w = layer.weight.data
    expected = np.array(
        [[sum(x[s, i] * w[o, i] for i in range(in_features)) for o in range(out_features)]
         for s in range(n)]
    )  # fmt: skip
    if bias:
        expected += layer.bias.data
    np.testing.assert_allclose(layer(x), expected, rtol=1e-12, atol=1e-14)


def test_linear_backward_by_hand():
    layer = Linear(2, 2, rng=0)
    layer.weight.data = np.array([[1.0, 2.0], [3.0, 4.0]])
    layer.bias.data = np.array([0.5, -0.5])
    x = np.array([[1.0, 0.0], [2.0, 1.0]])
    np.testing.assert_array_equal(layer(x), [[1.5, 2.5], [4.5, 9.5]])
    grad_output = np.array([[1.0, 0.0], [0.0, 2.0]])
    np.testing.assert_array_equal(layer.backward(grad_output), [[1.0, 2.0], [6.0, 8.0]])  # G W
    np.testing.assert_array_equal(layer.weight.grad, [[1.0, 0.0], [4.0, 2.0]])  # G^T X
    np.testing.assert_array_equal(layer.bias.grad, [1.0, 2.0])
    layer.backward(grad_output)  # gradients accumulate, as in PyTorch
    np.testing.assert_array_equal(layer.bias.grad, [2.0, 4.0])


def test_linear_init_is_pytorch_uniform_and_reproducible():
    layer = Linear(400, 300, rng=np.random.default_rng(1))
    bound = 1 / np.sqrt(400)
    w = layer.weight.data
    assert np.abs(w).max() <= bound and np.abs(layer.bias.data).max() <= bound
    assert abs(w.mean()) < 0.01 * bound
    assert w.var() == pytest.approx(bound**2 / 3, rel=0.02)  # variance of U(-k, k) is k^2 / 3
    again = Linear(400, 300, rng=np.random.default_rng(1))
    assert np.array_equal(again.weight.data, w) and np.array_equal(again.bias.data, layer.bias.data)
    assert Linear(3, 2).weight.shape == (2, 3)  # rng=None: an unseeded generator


def test_linear_without_bias_has_one_parameter():
    layer = Linear(3, 2, bias=False, rng=0)
    assert [n for n, _ in layer.named_parameters()] == ["weight"]
    assert repr(layer) == "Linear(in_features=3, out_features=2, bias=False)"
    np.testing.assert_array_equal(layer(np.zeros((1, 3))), [[0.0, 0.0]])


def test_linear_rejects_wrong_input_shape_naming_the_expected_one():
    layer = Linear(4, 2, rng=0)
    with pytest.raises(ValueError, match=re.escape("x must have shape (*, 4), 4 features on")):
        layer(np.zeros((5, 3)))
    with pytest.raises(ValueError, match=re.escape("got ()")):
        layer(np.float64(1.0))


@pytest.mark.parametrize("leading", [(), (5,), (2, 3)])
def test_linear_takes_any_leading_dimensions_as_pytorch(leading):
    layer = Linear(4, 3, rng=0)
    x = np.random.default_rng(1).normal(size=(*leading, 4))
    y = layer(x)
    assert y.shape == (*leading, 3)
    rows = x.reshape(-1, 4)
    np.testing.assert_allclose(y.reshape(-1, 3), rows @ layer.weight.data.T + layer.bias.data)
    g = np.random.default_rng(2).normal(size=y.shape)
    grad_x = layer.backward(g)
    assert grad_x.shape == x.shape
    np.testing.assert_allclose(layer.weight.grad, g.reshape(-1, 3).T @ rows, rtol=1e-12)
    np.testing.assert_allclose(layer.bias.grad, g.reshape(-1, 3).sum(axis=0), rtol=1e-12)
    assert check_module(Linear(4, 3, rng=0), x).ok


@pytest.mark.parametrize(
    ("args", "error", "message"),
    [
        ((0, 2), ValueError, "in_features must be an integer >= 1; got 0"),
        ((2, 1.5), TypeError, "out_features must be an integer; got 1.5"),
        ((True, 2), TypeError, "in_features must be an integer; got True"),
    ],
)
def test_linear_rejects_bad_sizes(args, error, message):
    with pytest.raises(error, match=re.escape(message)):
        Linear(*args)


def test_rng_must_be_a_generator_or_seed():
    with pytest.raises(
        TypeError, match=r"rng must be a numpy\.random\.Generator, an integer seed or None"
    ):
        Linear(2, 2, rng=np.random.RandomState(0))


# --------------------------------------------------------------------------------------------
# Conv2d and pooling
# --------------------------------------------------------------------------------------------


@settings(max_examples=25)
@given(
    st.integers(1, 2), st.integers(1, 3), st.integers(1, 3), st.integers(1, 3), st.integers(1, 3),
    st.integers(1, 2), st.integers(1, 2), st.integers(0, 2), st.integers(0, 1), st.booleans(),
    st.integers(0, 99),
)  # fmt: skip
def test_conv2d_forward_matches_loops(n, c, o, kh, kw, sh, sw, ph, pw, bias, seed):
    rng = np.random.default_rng(seed)
    h, w = kh + rng.integers(0, 4), kw + rng.integers(0, 4)
    conv = Conv2d(c, o, (kh, kw), stride=(sh, sw), padding=(ph, pw), bias=bias, rng=rng)
    x = rng.standard_normal((n, c, h, w))
    expected = naive_conv2d(
        x, conv.weight.data, conv.bias.data if bias else None, (sh, sw), (ph, pw)
    )
    np.testing.assert_allclose(conv(x), expected, rtol=1e-12, atol=1e-13)


def test_conv2d_parameters_shapes_init_and_repr():
    conv = Conv2d(3, 8, kernel_size=(3, 5), stride=2, padding=1, rng=np.random.default_rng(0))
    assert [(n, p.shape) for n, p in conv.named_parameters()] == [
        ("weight", (8, 3, 3, 5)), ("bias", (8,))
    ]  # fmt: skip
    bound = 1 / np.sqrt(3 * 3 * 5)
    assert np.abs(conv.weight.data).max() <= bound and np.abs(conv.bias.data).max() <= bound
    assert np.abs(conv.weight.data).max() > 0.9 * bound  # the whole range is used
    assert repr(conv) == "Conv2d(3, 8, kernel_size=(3, 5), stride=(2, 2), padding=(1, 1))"
    assert repr(Conv2d(1, 2, 3, bias=False, rng=0)) == (
        "Conv2d(1, 2, kernel_size=(3, 3), stride=(1, 1), bias=False)"
    )


def test_conv2d_backward_of_a_single_window_by_hand():
    conv = Conv2d(1, 1, kernel_size=2, rng=0)
    conv.weight.data = np.array([[[[1.0, 2.0], [3.0, 4.0]]]])
    x = np.array([[[[1.0, 0.0], [0.0, 2.0]]]])
    conv(x)
    grad_input = conv.backward(np.array([[[[3.0]]]]))
    np.testing.assert_array_equal(grad_input, 3.0 * conv.weight.data)  # d(sum w x)/dx = w
    np.testing.assert_array_equal(conv.weight.grad, 3.0 * x)
    np.testing.assert_array_equal(conv.bias.grad, [3.0])


def test_conv2d_padding_gradient_drops_the_border():
    conv = Conv2d(1, 1, kernel_size=3, padding=1, bias=False, rng=0)
    conv.weight.data = np.ones((1, 1, 3, 3))
    conv(np.zeros((1, 1, 2, 2)))
    # each input pixel lies in every one of the four 3x3 windows of the padded 4x4 image
    np.testing.assert_array_equal(conv.backward(np.ones((1, 1, 2, 2))), np.full((1, 1, 2, 2), 4.0))


def test_conv2d_rejects_wrong_channels_and_small_images():
    conv = Conv2d(3, 2, kernel_size=3, rng=0)
    with pytest.raises(
        ValueError,
        match=re.escape("x must have shape (n_samples, 3, height, width); got (1, 2, 5, 5)"),
    ):
        conv(np.zeros((1, 2, 5, 5)))
    with pytest.raises(ValueError, match=r"smaller than the kernel \(3, 3\)"):
        conv(np.zeros((1, 3, 2, 5)))
    with pytest.raises(ValueError, match="padding must be an integer >= 0; got -1"):
        Conv2d(1, 1, 3, padding=-1)
    with pytest.raises(
        ValueError, match=re.escape("kernel_size must be an integer or a pair (height, width)")
    ):
        Conv2d(1, 1, (1, 2, 3))


@settings(max_examples=25)
@given(
    st.integers(1, 3), st.integers(1, 3), st.integers(1, 3), st.integers(1, 3), st.integers(0, 99)
)
def test_pooling_forward_matches_loops(kh, kw, sh, sw, seed):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((2, 2, kh + rng.integers(0, 4), kw + rng.integers(0, 4)))
    np.testing.assert_array_equal(
        MaxPool2d((kh, kw), (sh, sw))(x), naive_pool(x, (kh, kw), (sh, sw), np.max)
    )
    # a mean of values of both signs can cancel: its rounding error is relative to max |x|
    np.testing.assert_allclose(
        AvgPool2d((kh, kw), (sh, sw))(x),
        naive_pool(x, (kh, kw), (sh, sw), np.mean),
        rtol=1e-14,
        atol=1e-15 * np.abs(x).max(),
    )


def test_maxpool_routes_the_gradient_to_the_maximum():
    x = np.array([[[[1.0, 5.0, 2.0, 0.0], [3.0, 4.0, 8.0, 1.0]]]])
    pool = MaxPool2d(2)
    np.testing.assert_array_equal(pool(x), [[[[5.0, 8.0]]]])
    grad = pool.backward(np.array([[[[10.0, 20.0]]]]))
    np.testing.assert_array_equal(grad, [[[[0.0, 10.0, 0.0, 0.0], [0.0, 0.0, 20.0, 0.0]]]])


def test_maxpool_ties_go_to_the_first_position_in_row_major_order():
    pool = MaxPool2d(2)
    pool(np.array([[[[0.0, 7.0], [7.0, 7.0]]]]))
    np.testing.assert_array_equal(
        pool.backward(np.ones((1, 1, 1, 1))), [[[[0.0, 1.0], [0.0, 0.0]]]]
    )
    pool(np.zeros((1, 1, 2, 2)))
    np.testing.assert_array_equal(
        pool.backward(np.ones((1, 1, 1, 1))), [[[[1.0, 0.0], [0.0, 0.0]]]]
    )


def test_maxpool_overlapping_windows_add_up_at_a_shared_maximum():
    pool = MaxPool2d(2, stride=1)
    x = np.array([[[[0.0, 1.0, 0.0], [2.0, 9.0, 3.0], [0.0, 4.0, 0.0]]]])
    np.testing.assert_array_equal(pool(x), np.full((1, 1, 2, 2), 9.0))
    grad = pool.backward(np.array([[[[1.0, 2.0], [3.0, 4.0]]]]))
    expected = np.zeros((1, 1, 3, 3))
    expected[0, 0, 1, 1] = 10.0  # the centre wins all four windows
    np.testing.assert_array_equal(grad, expected)


def test_avgpool_spreads_the_gradient_evenly():
    pool = AvgPool2d(2, stride=1)
    pool(np.zeros((1, 1, 3, 3)))
    grad = pool.backward(np.ones((1, 1, 2, 2)))
    # each pixel receives 1/4 from each window that covers it
    np.testing.assert_array_equal(
        grad[0, 0], [[0.25, 0.5, 0.25], [0.5, 1.0, 0.5], [0.25, 0.5, 0.25]]
    )


def test_pooling_repr_and_errors():
    assert repr(MaxPool2d(2)) == "MaxPool2d(kernel_size=(2, 2), stride=(2, 2))"
    assert repr(AvgPool2d(3, stride=1)) == "AvgPool2d(kernel_size=(3, 3), stride=(1, 1))"
    with pytest.raises(
        ValueError,
        match=re.escape("x must have shape (n_samples, channels, height, width); got (4, 4)"),
    ):
        MaxPool2d(2)(np.zeros((4, 4)))
    with pytest.raises(ValueError, match="stride must be an integer >= 1; got 0"):
        AvgPool2d(2, stride=0)


# --------------------------------------------------------------------------------------------
# Dropout, Flatten, Identity
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("p", [0.1, 0.5, 0.8])
def test_dropout_keeps_1_minus_p_of_the_entries_scaled_by_1_over_1_minus_p(p):
    drop = Dropout(p, rng=np.random.default_rng(0))
    n = 200_000
    y = drop(np.ones(n))
    kept = y != 0
    np.testing.assert_allclose(y[kept], 1 / (1 - p), rtol=1e-15)
    # the kept fraction is Binomial(n, 1 - p) / n: 5 standard deviations
    assert abs(kept.mean() - (1 - p)) < 5 * np.sqrt(p * (1 - p) / n)
    assert abs(y.mean() - 1) < 5 * np.sqrt(p / (1 - p) / n)  # E[y] = x
    np.testing.assert_array_equal(drop.backward(np.full(n, 2.0)), 2 * y)  # the same mask


def test_dropout_extremes_and_eval_mode():
    x = np.arange(6.0).reshape(2, 3)
    np.testing.assert_array_equal(Dropout(0.0, rng=0)(x), x)
    zero = Dropout(1.0, rng=0)
    np.testing.assert_array_equal(zero(x), np.zeros_like(x))  # zeros, as PyTorch, not NaN
    np.testing.assert_array_equal(zero.backward(np.ones_like(x)), np.zeros_like(x))
    drop = Dropout(0.5, rng=0).eval()
    np.testing.assert_array_equal(drop(x), x)
    np.testing.assert_array_equal(drop.backward(np.ones_like(x)), np.ones_like(x))
    assert repr(drop) == "Dropout(p=0.5)"


def test_dropout_masks_are_reproducible_from_the_seed():
    x = np.ones((4, 5))
    assert np.array_equal(Dropout(0.5, rng=3)(x), Dropout(0.5, rng=np.random.default_rng(3))(x))


@pytest.mark.parametrize("p", [-0.1, 1.5, float("nan"), "half", None, True])
def test_dropout_rejects_p_outside_the_unit_interval(p):
    with pytest.raises(ValueError, match=r"p must be a dropout probability in \[0, 1\]; got"):
        Dropout(p)


def test_flatten_and_its_backward():
    layer = Flatten()
    x = np.arange(24.0).reshape(2, 3, 4)
    y = layer(x)
    np.testing.assert_array_equal(y, x.reshape(2, 12))
    np.testing.assert_array_equal(layer.backward(y), x)
    assert Flatten(0, 1)(x).shape == (6, 4)
    assert repr(layer) == "Flatten(start_dim=1, end_dim=-1)"
    with pytest.raises(ValueError, match=r"x must have more than 1 dimensions .* got shape \(3,\)"):
        layer(np.zeros(3))
    with pytest.raises(ValueError, match="cannot be the gradient of Flatten's last output"):
        layer.backward(np.ones(5))


def test_identity():
    layer = Identity(54, unused="argument")
    x = np.array([[1.0, -2.0]])
    assert layer(x) is x
    np.testing.assert_array_equal(layer.backward(np.array([[3.0, 4.0]])), [[3.0, 4.0]])
    assert repr(layer) == "Identity()"


# --------------------------------------------------------------------------------------------
# Activation layers: values by hand, backward = grad_output times the derivative
# --------------------------------------------------------------------------------------------


X_ACT = np.array([[-2.0, -0.5, 0.0, 1.5]])


@pytest.mark.parametrize(
    ("layer", "value", "derivative"),
    [
        (ReLU(), [0.0, 0.0, 0.0, 1.5], [0.0, 0.0, 0.0, 1.0]),
        (LeakyReLU(0.1), [-0.2, -0.05, 0.0, 1.5], [0.1, 0.1, 0.1, 1.0]),
        (
            ELU(2.0),
            [*(2 * np.expm1([-2.0, -0.5, 0.0])), 1.5],
            [2 * np.exp(-2.0), 2 * np.exp(-0.5), 2.0, 1.0],
        ),
        (Sigmoid(), 1 / (1 + np.exp([2.0, 0.5, 0.0, -1.5])), None),
        (Tanh(), np.tanh(X_ACT[0]), 1 / np.cosh(X_ACT[0]) ** 2),
        (PReLU(init=0.3), [-0.6, -0.15, 0.0, 1.5], [0.3, 0.3, 0.3, 1.0]),
    ],
)
def test_activation_layer_values_and_backward(layer, value, derivative):
    y = layer(X_ACT)
    np.testing.assert_allclose(y[0], value, rtol=1e-14)
    if derivative is None:  # sigmoid' = sigma (1 - sigma)
        derivative = np.asarray(value) * (1 - np.asarray(value))
    grad_output = np.array([[1.0, 2.0, 3.0, 4.0]])
    np.testing.assert_allclose(
        layer.backward(grad_output)[0], grad_output[0] * derivative, rtol=1e-14
    )


def test_prelu_weight_gradient_per_channel():
    layer = PReLU(num_parameters=2, init=0.5)
    x = np.array([[[-1.0, 2.0], [3.0, -4.0]]])  # (N=1, C=2, L=2)
    np.testing.assert_array_equal(layer(x), [[[-0.5, 2.0], [3.0, -2.0]]])
    layer.backward(np.ones_like(x))
    np.testing.assert_array_equal(layer.weight.grad, [-1.0, -4.0])  # sum of min(0, x) per channel
    assert repr(layer) == "PReLU(num_parameters=2)"
    with pytest.raises(ValueError, match=re.escape("x must have shape (n_samples, 2, ...)")):
        layer(np.zeros((3, 3)))


def test_softmax_and_log_softmax_layers():
    z = np.array([[1.0, 2.0, 3.0], [0.0, 0.0, 0.0]])
    e = np.exp(z)
    p = e / e.sum(axis=1, keepdims=True)
    layer = Softmax()
    np.testing.assert_allclose(layer(z), p, rtol=1e-14)
    grad_output = np.array([[1.0, 0.0, 0.0], [0.0, 1.0, -1.0]])
    # vector-Jacobian product with J_ij = p_i (delta_ij - p_j), written out
    expected = np.stack([grad_output[n] @ (np.diag(p[n]) - np.outer(p[n], p[n])) for n in range(2)])
    np.testing.assert_allclose(layer.backward(grad_output), expected, rtol=1e-13, atol=1e-16)
    log_layer = LogSoftmax(axis=0)
    np.testing.assert_allclose(log_layer(z.T), np.log(p).T, rtol=1e-14)
    expected_log = grad_output - p * grad_output.sum(axis=1, keepdims=True)
    np.testing.assert_allclose(
        log_layer.backward(grad_output.T), expected_log.T, rtol=1e-13, atol=1e-16
    )
    assert repr(log_layer) == "LogSoftmax(axis=0)"


def test_reprs_like_pytorch():
    assert repr(ReLU()) == "ReLU()"
    assert repr(LeakyReLU()) == "LeakyReLU(negative_slope=0.01)"
    assert repr(ELU()) == "ELU(alpha=1.0)"
    assert repr(Softmax()) == "Softmax(axis=-1)"
    assert repr(CrossEntropyLoss()) == "CrossEntropyLoss(reduction='mean', label_smoothing=0.0)"
    assert repr(digits_mlp(np.random.default_rng(0))) == (
        "Sequential(\n"
        "  (0): Linear(in_features=64, out_features=128, bias=True)\n"
        "  (1): ReLU()\n"
        "  (2): Linear(in_features=128, out_features=64, bias=True)\n"
        "  (3): ReLU()\n"
        "  (4): Linear(in_features=64, out_features=10, bias=True)\n"
        ")"
    )
    nested = Sequential(Sequential(Tanh()), Identity())
    assert (
        repr(nested)
        == "Sequential(\n  (0): Sequential(\n    (0): Tanh()\n  )\n  (1): Identity()\n)"
    )


# --------------------------------------------------------------------------------------------
# Sequential
# --------------------------------------------------------------------------------------------


def test_sequential_chains_forward_and_backward_in_reverse():
    model = Sequential(Linear(3, 4, rng=0), Tanh(), Linear(4, 2, rng=1))
    x = np.random.default_rng(2).standard_normal((5, 3))
    h = np.tanh(x @ model[0].weight.data.T + model[0].bias.data)
    y = h @ model[2].weight.data.T + model[2].bias.data
    np.testing.assert_allclose(model(x), y, rtol=1e-14)
    grad_output = np.ones((5, 2))
    grad_h = grad_output @ model[2].weight.data
    expected = (grad_h * (1 - h**2)) @ model[0].weight.data
    np.testing.assert_allclose(model.backward(grad_output), expected, rtol=1e-12)
    np.testing.assert_allclose(model[2].weight.grad, grad_output.T @ h, rtol=1e-14)


def test_input_grad_false_skips_only_the_input_gradient():
    x = np.random.default_rng(3).standard_normal((5, 64))
    g = np.random.default_rng(4).standard_normal((5, 10))
    with_input, without = digits_mlp(np.random.default_rng(0)), digits_mlp(np.random.default_rng(0))
    with_input(x)
    without(x)
    assert with_input.backward(g).shape == (5, 64)
    assert without.backward(g, input_grad=False) is None
    for (name, p), q in zip(with_input.named_parameters(), without.parameters(), strict=True):
        np.testing.assert_array_equal(p.grad, q.grad, err_msg=name)


def test_linear_and_conv2d_accept_input_grad_false():
    linear = Linear(3, 2, rng=0)
    linear(np.ones((4, 3)))
    assert linear.backward(np.ones((4, 2)), input_grad=False) is None
    np.testing.assert_array_equal(linear.weight.grad, np.full((2, 3), 4.0))
    conv = Conv2d(1, 2, kernel_size=2, rng=0)
    conv(np.ones((1, 1, 3, 3)))
    assert conv.backward(np.ones((1, 2, 2, 2)), input_grad=False) is None
    np.testing.assert_array_equal(conv.weight.grad, np.full((2, 1, 2, 2), 4.0))
    np.testing.assert_array_equal(conv.bias.grad, [4.0, 4.0])


class _Scale(Module):
    """A learner's layer whose backward knows nothing of input_grad."""

    def __init__(self):
        self.a = Parameter([2.0])

    def forward(self, x):
        self._x = x
        return self.a.data * x

    def backward(self, grad_output):
        self.a.grad += (grad_output * self._x).sum()
        return grad_output * self.a.data


@pytest.mark.parametrize("first", [_Scale, ReLU, lambda: Sequential(Linear(2, 2, rng=0))])
def test_sequential_input_grad_false_with_any_first_layer(first):
    model = Sequential(first(), Linear(2, 1, rng=1))
    x = np.array([[1.0, -2.0], [3.0, 4.0]])
    model(x)
    expected = model.backward(np.ones((2, 1)))
    grads = [p.grad.copy() for p in model.parameters()]
    model.zero_grad()
    assert model.backward(np.ones((2, 1)), input_grad=False) is None
    for p, grad in zip(model.parameters(), grads, strict=True):
        np.testing.assert_array_equal(p.grad, grad)  # every parameter's gradient, once
    assert expected.shape == x.shape


def test_empty_sequential_is_the_identity_both_ways():
    model = Sequential()
    x = np.arange(3.0)
    assert model(x) is x and model.backward(x) is x
    assert model.backward(x, input_grad=False) is None


def test_sequential_indexing_len_iteration_and_slicing():
    layers = [Linear(2, 3, rng=0), ReLU(), Linear(3, 1, rng=0)]
    model = Sequential(*layers)
    assert len(model) == 3 and list(model) == layers
    assert model[0] is layers[0] and model[-1] is layers[2]
    head = model[:2]
    assert isinstance(head, Sequential) and list(head) == layers[:2]
    with pytest.raises(IndexError):
        model[3]


def test_sequential_rejects_non_modules():
    with pytest.raises(TypeError, match=r"argument 1 is a type\. Did you pass the class instead"):
        Sequential(Linear(2, 2, rng=0), ReLU)


# --------------------------------------------------------------------------------------------
# Loss modules
# --------------------------------------------------------------------------------------------


def test_loss_modules_values_and_gradients_by_hand():
    x, t = np.array([0.5, -1.0, 3.0]), np.array([0.0, 0.0, 1.0])
    mse = MSELoss()
    assert mse(x, t) == pytest.approx((0.25 + 1 + 4) / 3, rel=1e-15)
    np.testing.assert_allclose(mse.backward(), 2 * (x - t) / 3, rtol=1e-15)
    l1 = L1Loss(reduction="sum")
    assert l1(x, t) == 3.5
    np.testing.assert_array_equal(l1.backward(), [1.0, -1.0, 1.0])
    huber = HuberLoss(delta=1.0)
    assert huber(x, t) == pytest.approx((0.125 + 0.5 + 1.5) / 3, rel=1e-15)
    np.testing.assert_allclose(huber.backward(), [0.5 / 3, -1 / 3, 1 / 3], rtol=1e-15)


def test_probability_losses_by_hand():
    p, t = np.array([0.8, 0.25]), np.array([1.0, 0.0])
    bce = BCELoss()
    assert bce(p, t) == pytest.approx(-(np.log(0.8) + np.log(0.75)) / 2, rel=1e-14)
    np.testing.assert_allclose(bce.backward(), [-1 / 0.8 / 2, 1 / 0.75 / 2], rtol=1e-14)
    logits = np.array([0.0, np.log(3.0)])
    with_logits = BCEWithLogitsLoss(reduction="sum", pos_weight=np.array([2.0, 2.0]))
    assert with_logits(logits, t) == pytest.approx(2 * np.log(2) + np.log(4), rel=1e-14)
    # d/dz of -w y log sigma(z) - (1 - y) log(1 - sigma(z)) = (1 - y) sigma - w y (1 - sigma)
    np.testing.assert_allclose(with_logits.backward(), [-1.0, 0.75], rtol=1e-14)


def test_classification_losses_by_hand():
    z, y = np.array([[np.log(1.0), np.log(3.0)], [0.0, 0.0]]), np.array([1, 0])
    ce = CrossEntropyLoss()
    assert ce(z, y) == pytest.approx(-(np.log(0.75) + np.log(0.5)) / 2, rel=1e-14)
    np.testing.assert_allclose(ce.backward(), [[0.125, -0.125], [-0.25, 0.25]], rtol=1e-14)
    nll = NLLLoss(reduction="none")
    np.testing.assert_array_equal(nll(z, y), [-np.log(3.0), -0.0])
    np.testing.assert_array_equal(nll.backward(), [[0.0, -1.0], [-1.0, 0.0]])


def test_loss_backward_scales_by_grad_output():
    x, t = np.array([[1.0, 2.0], [3.0, 4.0]]), np.zeros((2, 2))
    mse = MSELoss()
    mse(x, t)
    np.testing.assert_allclose(mse.backward(3.0), 3 * 2 * x / 4, rtol=1e-15)
    per_element = MSELoss(reduction="none")
    per_element(x, t)
    weights = np.array([[1.0, 0.0], [2.0, -1.0]])
    np.testing.assert_array_equal(per_element.backward(weights), 2 * x * weights)
    ce = CrossEntropyLoss(reduction="none")
    ce(np.zeros((2, 2)), np.array([0, 1]))
    np.testing.assert_allclose(
        ce.backward(np.array([2.0, 0.0])), [[-1.0, 1.0], [0.0, 0.0]], rtol=1e-15
    )
    with pytest.raises(
        ValueError, match=re.escape("grad_output has shape (3,), expected a number or shape (2,)")
    ):
        ce.backward(np.ones(3))
    with pytest.raises(
        ValueError, match=re.escape("grad_output has shape (2,), expected a number")
    ):
        mse.backward(np.ones(2))


def test_loss_modules_reject_bad_reductions():
    with pytest.raises(
        ValueError, match="reduction must be one of 'mean', 'sum', 'none'; got 'avg'"
    ):
        MSELoss(reduction="avg")


# --------------------------------------------------------------------------------------------
# backward before forward, grad_output shapes
# --------------------------------------------------------------------------------------------

UNUSED_LAYERS = [
    Linear(2, 2, rng=0), Conv2d(1, 1, 1, rng=0), PReLU(), Identity(), Flatten(), Dropout(rng=0),
    MaxPool2d(2), AvgPool2d(2), Sigmoid(), Tanh(), ReLU(), LeakyReLU(), ELU(), Softmax(),
    LogSoftmax(), MSELoss(), CrossEntropyLoss(),
]  # fmt: skip


@pytest.mark.parametrize("layer", UNUSED_LAYERS, ids=lambda layer: type(layer).__name__)
def test_backward_before_forward_is_a_clear_runtime_error(layer):
    name = type(layer).__name__
    with pytest.raises(RuntimeError, match=rf"{name}.backward was called before {name}.forward"):
        layer.backward(np.ones((1, 1, 2, 2)))


@pytest.mark.parametrize(
    "layer", [Linear(2, 3, rng=0), ReLU(), Softmax(), MaxPool2d(1), Dropout(rng=0)]
)
def test_grad_output_must_match_the_output_shape(layer):
    x = np.ones((1, 1, 2, 2)) if isinstance(layer, MaxPool2d) else np.ones((4, 2))
    y = layer(x)
    with pytest.raises(
        ValueError, match=re.escape(f"grad_output has shape (7,), expected {y.shape}")
    ):
        layer.backward(np.ones(7))


def test_layers_accept_lists_and_integers():
    np.testing.assert_array_equal(ReLU()([[-1, 2]]), [[0.0, 2.0]])
    with pytest.raises(TypeError, match="x must be a real numeric array"):
        ReLU()(np.array(["a"]))


def test_all_lists_public_layers():
    assert {"Linear", "Conv2d", "Sequential", "CrossEntropyLoss", "Parameter", "Module"} <= set(
        nn.__all__
    )
    assert all(hasattr(nn, name) for name in nn.__all__)
