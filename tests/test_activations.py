"""Tests of nncourse.activations: exact values, derivatives, stability, shapes and errors.

Reference values come from mpmath at 60 significant digits (or closed forms), never from the
functions under test.
"""

from functools import partial

import mpmath as mp
import numpy as np
import pytest
from helpers import RAISE
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import array_shapes, arrays

from nncourse.activations import (
    elu,
    elu_grad,
    gelu,
    gelu_grad,
    identity,
    identity_grad,
    leaky_relu,
    leaky_relu_grad,
    log_softmax,
    log_softmax_backward,
    log_softmax_jacobian,
    logsumexp,
    logsumexp_grad,
    prelu,
    prelu_backward,
    prelu_grad,
    relu,
    relu_grad,
    sigmoid,
    sigmoid_grad,
    silu,
    silu_grad,
    softmax,
    softmax_backward,
    softmax_jacobian,
    softplus,
    softplus_grad,
    step,
    step_grad,
    tanh,
    tanh_grad,
)
from nncourse.gradcheck import check_gradient, numerical_jacobian

mp.mp.dps = 60

# ---------------------------------------------------------------------------------------------
# Strategies
# ---------------------------------------------------------------------------------------------

# at least 1e-3 away from the kink at 0, bounded so that finite differences are meaningful
away_from_kink = st.floats(1e-3, 20.0) | st.floats(-20.0, -1e-3)
bounded = st.floats(-20.0, 20.0, allow_nan=False)
shapes = array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=4)
seeds = st.integers(0, 2**32 - 1)


def x_arrays(elements=away_from_kink, shape=shapes):
    return arrays(np.float64, shape, elements=elements)


# ---------------------------------------------------------------------------------------------
# mpmath references (the mathematical definitions, in 60-digit arithmetic)
# ---------------------------------------------------------------------------------------------


def mp_sigmoid(x):
    return 1 / (1 + mp.exp(-x))


def mp_phi_cdf(x):
    return mp.erfc(-x / mp.sqrt(2)) / 2


def mp_phi_pdf(x):
    return mp.exp(-(x**2) / 2) / mp.sqrt(2 * mp.pi)


def mp_tanh_gelu(x):
    u = mp.sqrt(2 / mp.pi) * (x + mp.mpf("0.044715") * x**3)
    return x / 2 * (1 + mp.tanh(u))


def mp_tanh_gelu_grad(x):
    """PyTorch's formula (GeluBackward with approximate='tanh'), in mpmath."""
    beta = mp.sqrt(2 / mp.pi)
    kappa = mp.mpf("0.044715")
    inner = beta * (x + kappa * x**3)
    tanh_inner = mp.tanh(inner)
    return (1 + tanh_inner) / 2 + x / 2 * (1 - tanh_inner**2) * beta * (1 + 3 * kappa * x**2)


def reference(mp_function, xs, **mp_settings):
    """Evaluate an mpmath function at float points, rounded to float64."""
    with mp.workdps(mp_settings.get("dps", 60)):
        return np.array([float(mp_function(mp.mpf(float(x)))) for x in np.ravel(xs)]).reshape(
            np.shape(xs)
        )


def assert_exact(actual, expected, rtol=1e-12):
    """Agreement to `rtol`, or to 1e-300 absolute where the true value underflows."""
    np.testing.assert_allclose(actual, expected, rtol=rtol, atol=1e-300)


def change_from(f, x, weights=1.0):
    """The scalar sum(weights * (f(v) - f(x))): entries that do not move contribute exactly 0, so
    the finite-difference rounding error does not grow with the number of entries."""
    baseline = f(x)
    return lambda v: (weights * (f(v) - baseline)).sum()


# ---------------------------------------------------------------------------------------------
# Every elementwise activation with its derivative
# ---------------------------------------------------------------------------------------------

ELEMENTWISE = {
    "identity": (identity, identity_grad),
    "step": (step, step_grad),
    "step_half": (partial(step, at_zero=0.5), partial(step_grad, at_zero=0.5)),
    "sigmoid": (sigmoid, sigmoid_grad),
    "tanh": (tanh, tanh_grad),
    "relu": (relu, relu_grad),
    "leaky_relu": (
        partial(leaky_relu, negative_slope=0.2),
        partial(leaky_relu_grad, negative_slope=0.2),
    ),
    "elu": (partial(elu, alpha=0.7), partial(elu_grad, alpha=0.7)),
    "softplus": (softplus, softplus_grad),
    "gelu": (gelu, gelu_grad),
    "gelu_tanh": (partial(gelu, approximate="tanh"), partial(gelu_grad, approximate="tanh")),
    "silu": (silu, silu_grad),
    "prelu": (partial(prelu, weight=0.3), partial(prelu_grad, weight=0.3)),
}


@pytest.mark.parametrize("name", ELEMENTWISE)
@given(x=x_arrays())
def test_elementwise_grad_matches_finite_differences(name, x):
    f, f_grad = ELEMENTWISE[name]
    check_gradient(change_from(f, x), f_grad, x).raise_if_failed()


@pytest.mark.parametrize("name", ELEMENTWISE)
@given(x=arrays(np.float64, array_shapes(min_dims=0, max_dims=4, min_side=0), elements=bounded))
def test_elementwise_shapes_are_preserved(name, x):
    f, f_grad = ELEMENTWISE[name]
    assert f(x).shape == x.shape
    assert f_grad(x).shape == x.shape


@pytest.mark.parametrize("name", ELEMENTWISE)
def test_float32_stays_float32_and_integers_become_float64(name):
    f, f_grad = ELEMENTWISE[name]
    x32 = np.array([-2.0, 0.5, 3.0], dtype=np.float32)
    assert f(x32).dtype == np.float32
    assert f_grad(x32).dtype == np.float32
    assert f([-2, 0, 3]).dtype == np.float64
    assert f_grad([-2, 0, 3]).dtype == np.float64
    np.testing.assert_allclose(f(x32), f(x32.astype(np.float64)), rtol=1e-6, atol=1e-7)


EXTREMES = np.array([-1e308, -1e4, -1000.0, -800.0, -40.0, 0.0, 40.0, 800.0, 1000.0, 1e4, 1e308])
EXTREMES_32 = np.array([-3e38, -1e4, -100.0, -40.0, 0.0, 40.0, 100.0, 1e4, 3e38], dtype=np.float32)


@pytest.mark.parametrize("name", ELEMENTWISE)
def test_elementwise_is_stable_at_extremes(name):
    f, f_grad = ELEMENTWISE[name]
    with np.errstate(**RAISE):
        assert np.all(np.isfinite(f(EXTREMES)))
        assert np.all(np.isfinite(f_grad(EXTREMES)))
        assert np.all(np.isfinite(f(EXTREMES_32)))
        assert np.all(np.isfinite(f_grad(EXTREMES_32)))


# ---------------------------------------------------------------------------------------------
# Exact values, including the tails
# ---------------------------------------------------------------------------------------------

TAIL_POINTS = np.array([-800.0, -700.0, -100.0, -30.0, -1.0, -1e-9, 0.0, 1e-9, 0.5, 3.0, 30.0])


def test_sigmoid_exact_in_both_tails():
    with np.errstate(**RAISE):
        assert_exact(sigmoid(TAIL_POINTS), reference(mp_sigmoid, TAIL_POINTS))
        assert sigmoid(-800.0) == 0.0  # exp(-800) underflows: the true value is below 5e-324
        assert sigmoid([-1000.0, 1000.0]).tolist() == [0.0, 1.0]
    assert sigmoid(-700.0) == pytest.approx(float(mp.exp(-700)), rel=1e-12)


def test_sigmoid_symmetry_property():
    x = np.linspace(-50, 50, 1001)
    np.testing.assert_allclose(sigmoid(-x), 1 - sigmoid(x), rtol=0, atol=1e-15)


def test_sigmoid_grad_exact_in_tails():
    points = np.array([-700.0, -40.0, -2.0, 0.0, 2.0, 40.0, 700.0])
    expected = reference(lambda x: mp_sigmoid(x) * mp_sigmoid(-x), points)
    assert_exact(sigmoid_grad(points), expected)
    assert sigmoid_grad(40.0) == pytest.approx(
        float(mp.exp(-40) / (1 + mp.exp(-40)) ** 2), rel=1e-12
    )
    assert sigmoid_grad(0.0) == 0.25


def test_tanh_and_its_grad_exact_in_tails():
    points = np.array([-300.0, -30.0, -1.0, -1e-8, 0.0, 0.5, 19.5, 30.0, 300.0])
    assert_exact(tanh(points), reference(mp.tanh, points))
    assert_exact(tanh_grad(points), reference(lambda x: mp.sech(x) ** 2, points))
    assert tanh_grad(30.0) == pytest.approx(float(mp.sech(30) ** 2), rel=1e-12)
    assert tanh_grad(30.0) > 0  # 1 - tanh(30)**2 would be exactly 0


def test_softplus_exact_everywhere():
    points = np.array([-800.0, -700.0, -30.0, -1e-10, 0.0, 1e-10, 2.0, 20.0, 30.0, 800.0])
    assert_exact(softplus(points), reference(lambda x: mp.log1p(mp.exp(x)), points))
    assert softplus(-800.0) == 0.0  # log(1 + e^-800) = e^-800 underflows
    assert softplus(-700.0) == pytest.approx(float(mp.exp(-700)), rel=1e-12)
    assert softplus(0.0) == pytest.approx(np.log(2), rel=1e-15)
    # unlike PyTorch's threshold=20, softplus(30) is not 30
    assert softplus(30.0) - 30.0 == pytest.approx(float(mp.log1p(mp.exp(-30))), rel=1e-2)


def test_softplus_grad_is_sigmoid():
    points = np.linspace(-50, 50, 101)
    np.testing.assert_array_equal(softplus_grad(points), sigmoid(points))


def test_gelu_exact_uses_erfc_in_left_tail():
    points = np.array([-38.0, -37.0, -30.0, -10.0, -1.0, -1e-3, 0.0, 0.5, 3.0, 30.0])
    assert_exact(gelu(points), reference(lambda x: x * mp_phi_cdf(x), points))
    assert gelu(-30.0) == pytest.approx(float(-30 * mp.ncdf(-30)), rel=1e-12)
    assert gelu(-30.0) < 0  # x (1 + erf(x / sqrt 2)) / 2 would be exactly 0


def test_gelu_grad_exact():
    points = np.array([-37.0, -30.0, -5.0, -1.0, 0.0, 0.3, 4.0, 40.0])
    expected = reference(lambda x: mp_phi_cdf(x) + x * mp_phi_pdf(x), points)
    assert_exact(gelu_grad(points), expected)


def test_gelu_tanh_matches_pytorch_formula():
    points = np.array([-30.0, -10.0, -3.0, -0.5, 0.0, 0.5, 3.0, 10.0])
    assert_exact(gelu(points, approximate="tanh"), reference(mp_tanh_gelu, points, dps=400))
    expected_grad = reference(mp_tanh_gelu_grad, points, dps=400)
    assert_exact(gelu_grad(points, approximate="tanh"), expected_grad, rtol=1e-11)


def test_gelu_tanh_close_to_exact_gelu():
    x = np.linspace(-6, 6, 241)
    np.testing.assert_allclose(gelu(x, approximate="tanh"), gelu(x), rtol=0, atol=5e-4)


def test_silu_and_grad_exact():
    points = np.array([-700.0, -30.0, -1.2785, -1.0, 0.0, 1.0, 30.0, 700.0])
    assert_exact(silu(points), reference(lambda x: x * mp_sigmoid(x), points))
    expected = reference(lambda x: mp_sigmoid(x) * (1 + x * mp_sigmoid(-x)), points)
    assert_exact(silu_grad(points), expected, rtol=1e-10)  # near its root at -1.2785 cancels


def test_elu_and_grad_exact():
    points = np.array([-700.0, -20.0, -1.0, -1e-12, 0.0, 1e-12, 3.0])
    expected = reference(lambda x: x if x > 0 else 0.7 * mp.expm1(x), points)
    assert_exact(elu(points, alpha=0.7), expected)
    expected_grad = reference(lambda x: 1 if x > 0 else 0.7 * mp.exp(x), points)
    assert_exact(elu_grad(points, alpha=0.7), expected_grad)


def test_piecewise_linear_values():
    x = np.array([-3.0, -0.5, 0.0, 0.5, 3.0])
    np.testing.assert_array_equal(identity(x), x)
    np.testing.assert_array_equal(identity_grad(x), np.ones(5))
    np.testing.assert_array_equal(relu(x), [0, 0, 0, 0.5, 3])
    np.testing.assert_array_equal(leaky_relu(x, 0.25), [-0.75, -0.125, 0, 0.5, 3])
    np.testing.assert_array_equal(leaky_relu(x), [-0.03, -0.005, 0, 0.5, 3])
    np.testing.assert_array_equal(prelu(x, 0.25), [-0.75, -0.125, 0, 0.5, 3])
    np.testing.assert_array_equal(step(x), [0, 0, 1, 1, 1])
    np.testing.assert_array_equal(step(x, at_zero=0.0), [0, 0, 0, 1, 1])
    np.testing.assert_array_equal(step_grad(x), np.zeros(5))


def test_derivatives_at_kinks_follow_pytorch_autograd():
    assert relu_grad(0.0) == 0.0
    assert relu_grad(-0.0) == 0.0
    assert leaky_relu_grad(0.0, negative_slope=0.2) == 0.2
    assert leaky_relu_grad(0.0) == 0.01
    assert elu_grad(0.0, alpha=0.7) == 0.7
    assert prelu_grad(0.0, weight=0.3) == 0.3
    assert step_grad(0.0) == 0.0


# ---------------------------------------------------------------------------------------------
# PReLU: shared or per-channel slope on axis 1
# ---------------------------------------------------------------------------------------------


def test_prelu_per_channel_uses_axis_1():
    x = -np.ones((2, 3, 2))
    weight = np.array([0.1, 0.2, 0.3])
    expected = -np.broadcast_to(weight[None, :, None], x.shape)
    np.testing.assert_allclose(prelu(x, weight), expected, rtol=1e-15)
    np.testing.assert_allclose(prelu_grad(x, weight), -expected, rtol=1e-15)


@given(
    shape=array_shapes(min_dims=2, max_dims=4, min_side=1, max_side=3),
    seed=seeds,
    shared=st.booleans(),
)
def test_prelu_backward_matches_finite_differences(shape, seed, shared):
    rng = np.random.default_rng(seed)
    x = rng.uniform(1e-3, 5, shape) * rng.choice([-1.0, 1.0], shape)
    grad_output = rng.normal(size=shape)
    weight = rng.uniform(-0.5, 0.5, () if shared else shape[1])

    loss_in_x = change_from(lambda v: prelu(v, weight), x, grad_output)

    def loss_in_weight(w):
        return (prelu(x, w) * grad_output).sum()

    check_gradient(
        loss_in_x, lambda v: prelu_backward(v, weight, grad_output)[0], x
    ).raise_if_failed()
    check_gradient(
        loss_in_weight, lambda w: prelu_backward(x, w, grad_output)[1], weight
    ).raise_if_failed()
    grad_x, grad_weight = prelu_backward(x, weight, grad_output)
    assert grad_x.shape == x.shape
    assert grad_weight.shape == np.shape(weight)


def test_prelu_backward_hand_values():
    x = np.array([[-1.0, 2.0], [-3.0, -4.0]])
    grad_output = np.array([[1.0, 10.0], [2.0, 0.5]])
    grad_x, grad_weight = prelu_backward(x, [0.1, 0.2], grad_output)
    np.testing.assert_allclose(grad_x, [[0.1, 10.0], [0.2, 0.1]], rtol=1e-15)
    np.testing.assert_allclose(grad_weight, [-1.0 - 6.0, -2.0], rtol=1e-15)
    _, shared = prelu_backward(x, 0.1, grad_output)
    assert shared.shape == ()
    assert float(shared) == pytest.approx(-1.0 - 6.0 - 2.0, rel=1e-15)
    _, shared_1 = prelu_backward(x, [0.1], grad_output)
    assert shared_1.shape == (1,)


def test_prelu_one_dimensional_input_has_one_channel():
    np.testing.assert_allclose(prelu([-1.0, 2.0], [0.5]), [-0.5, 2.0], rtol=1e-15)
    with pytest.raises(ValueError, match=r"weight has shape \(2,\), expected \(\) or \(1,\)"):
        prelu([-1.0, 2.0], [0.5, 0.5])


def test_prelu_float32_input_keeps_float32():
    x = np.array([[-1.0, 2.0]], dtype=np.float32)
    assert prelu(x, 0.25).dtype == np.float32
    assert prelu(x, np.array([0.25, 0.5])).dtype == np.float32


# ---------------------------------------------------------------------------------------------
# Softmax family
# ---------------------------------------------------------------------------------------------

logit_arrays = arrays(
    np.float64, array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=5), elements=bounded
)


@given(z=logit_arrays, data=st.data())
def test_softmax_rows_sum_to_one_and_shapes_preserved(z, data):
    axis = data.draw(st.integers(-z.ndim, z.ndim - 1))
    p = softmax(z, axis=axis)
    assert p.shape == z.shape
    assert np.all((p >= 0) & (p <= 1))
    np.testing.assert_allclose(p.sum(axis=axis), 1.0, rtol=0, atol=1e-15 * z.shape[axis] + 1e-16)
    assert log_softmax(z, axis=axis).shape == z.shape
    lse = logsumexp(z, axis=axis)
    assert lse.shape == tuple(n for i, n in enumerate(z.shape) if i != axis % z.ndim)
    assert logsumexp(z, axis=axis, keepdims=True).shape == tuple(
        1 if i == axis % z.ndim else n for i, n in enumerate(z.shape)
    )


@given(z=logit_arrays)
def test_log_softmax_is_log_of_softmax_and_logsumexp_bounds(z):
    np.testing.assert_allclose(np.exp(log_softmax(z)), softmax(z), rtol=1e-13, atol=1e-300)
    lse = logsumexp(z)
    assert np.all(lse >= z.max(axis=-1))
    assert np.all(lse <= z.max(axis=-1) + np.log(z.shape[-1]) + 1e-12)
    np.testing.assert_allclose(log_softmax(z), z - logsumexp(z, keepdims=True), atol=1e-13)


grid_logits = arrays(
    np.float64,
    st.integers(1, 8),
    elements=st.integers(-(2**20), 2**20).map(lambda k: k / 1024),  # multiples of 1/1024
)


@given(z=grid_logits, shift=st.integers(-(2**30), 2**30).map(lambda k: k / 1024))
def test_softmax_shift_invariance_is_exact(z, shift):
    assert abs(shift) <= 2**20
    shifted = z + shift  # exact: at most 31 significant bits
    np.testing.assert_allclose(softmax(shifted), softmax(z), rtol=0, atol=1e-15)
    np.testing.assert_allclose(log_softmax(shifted), log_softmax(z), rtol=0, atol=1e-15)


def test_softmax_shift_invariance_with_a_large_shift():
    z = np.array([0.5, -1.25, 3.0, 2.0])
    for shift in (1e6, -1e6, 999_999.75):
        np.testing.assert_array_equal(softmax(z + shift), softmax(z))


def test_softmax_hand_values():
    np.testing.assert_allclose(softmax([0.0, np.log(3.0)]), [0.25, 0.75], rtol=1e-15)
    np.testing.assert_allclose(softmax([[1.0, 1.0, 1.0]]), [[1 / 3] * 3], rtol=1e-15)
    np.testing.assert_allclose(softmax([[0.0], [0.0]], axis=0), [[0.5], [0.5]], rtol=1e-15)
    # two classes: softmax is the sigmoid of the difference
    x = np.linspace(-30, 30, 61)
    pairs = np.stack([x, np.zeros_like(x)], axis=-1)
    np.testing.assert_allclose(softmax(pairs)[:, 0], sigmoid(x), rtol=1e-15)


def test_softmax_family_exact_with_a_dominant_logit():
    z = np.array([40.0, 0.0])  # p = (1 - 4.2e-18, 4.2e-18)
    tail = float(mp.exp(-40) / (1 + mp.exp(-40)))
    assert log_softmax(z)[0] == pytest.approx(float(-mp.log1p(mp.exp(-40))), rel=1e-12)
    assert logsumexp(z) == pytest.approx(float(40 + mp.log1p(mp.exp(-40))), rel=1e-15)
    jacobian = softmax_jacobian(z)
    assert jacobian[0, 0] == pytest.approx(tail * (1 - tail), rel=1e-12)  # not 1 - 1 = 0
    np.testing.assert_allclose(
        softmax_backward(z, [1.0, 0.0]), [tail * (1 - tail), -tail * (1 - tail)], rtol=1e-12
    )
    np.testing.assert_allclose(log_softmax_backward(z, [-1.0, 0.0]), [-tail, tail], rtol=1e-12)
    assert log_softmax_jacobian(z)[0, 0] == pytest.approx(tail, rel=1e-12)


def test_logsumexp_matches_mpmath():
    rng = np.random.default_rng(0)
    for z in (rng.normal(0, 30, 7), np.array([-745.0, -745.0]), np.array([1e4, 1e4 - 1.0])):
        expected = float(mp.log(mp.fsum(mp.exp(mp.mpf(float(v))) for v in z)))
        assert logsumexp(z) == pytest.approx(expected, rel=1e-14)


def test_softmax_family_stable_at_extremes():
    with np.errstate(**RAISE):
        np.testing.assert_array_equal(softmax([1000.0, 0.0, -1000.0]), [1.0, 0.0, 0.0])
        np.testing.assert_array_equal(log_softmax([1000.0, 0.0, -1000.0]), [0.0, -1000.0, -2000.0])
        assert float(logsumexp([1000.0, 1000.0])) == pytest.approx(1000 + np.log(2), rel=1e-15)
        big = np.full(10_000, 1e4)  # 1e4 logits of size 1e4
        np.testing.assert_allclose(log_softmax(big), -np.log(1e4), rtol=1e-13)
        ramp = np.linspace(-1e4, 1e4, 10_000)
        assert np.all(np.isfinite(log_softmax(ramp)))
        top_log_probability = -mp.log(mp.fsum(mp.exp(mp.mpf(v) - ramp[-1]) for v in ramp[-500:]))
        assert log_softmax(ramp)[-1] == pytest.approx(float(top_log_probability), rel=1e-12)
        np.testing.assert_array_equal(softmax([1e308, -1e308]), [1.0, 0.0])
        assert float(logsumexp([1e308, -1e308])) == 1e308
        np.testing.assert_array_equal(softmax(np.array([3e38, -3e38], dtype=np.float32)), [1, 0])
        for function in (softmax_jacobian, log_softmax_jacobian):
            assert np.all(np.isfinite(function([1000.0, 0.0, -1000.0])))
        for function in (softmax_backward, log_softmax_backward):
            assert np.all(np.isfinite(function([1000.0, 0.0, -1000.0], [1.0, 2.0, 3.0])))


def test_softmax_family_keeps_float32():
    z = np.array([[1.0, 2.0, 3.0]], dtype=np.float32)
    for function in (softmax, log_softmax, logsumexp, logsumexp_grad, softmax_jacobian):
        assert function(z).dtype == np.float32
    assert softmax_backward(z, np.ones_like(z)).dtype == np.float32
    assert log_softmax_backward(z, np.ones_like(z)).dtype == np.float32
    assert softmax([1, 2]).dtype == np.float64


@given(
    shape=array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=4), seed=seeds, data=st.data()
)
def test_softmax_family_backward_matches_finite_differences(shape, seed, data):
    rng = np.random.default_rng(seed)
    z = rng.uniform(-10, 10, shape)
    grad_output = rng.normal(size=shape)
    axis = data.draw(st.integers(-len(shape), len(shape) - 1))
    checks = [
        (
            lambda v: (softmax(v, axis=axis) * grad_output).sum(),
            lambda v: softmax_backward(v, grad_output, axis=axis),
        ),
        (
            lambda v: (log_softmax(v, axis=axis) * grad_output).sum(),
            lambda v: log_softmax_backward(v, grad_output, axis=axis),
        ),
        (
            lambda v: (logsumexp(v, axis=axis) * grad_output.sum(axis=axis)).sum(),
            lambda v: logsumexp_grad(v, axis=axis) * grad_output.sum(axis=axis, keepdims=True),
        ),
    ]
    for f, grad_f in checks:
        # a central difference of f carries rounding noise of about 1e-10 |f|: a sum of 64
        # log-probabilities near -20 reaches |f| ~ 100, so the absolute tolerance scales with |f|
        atol = 1e-8 * max(1.0, abs(f(z)))
        check_gradient(f, grad_f, z, atol=atol).raise_if_failed()


@given(z=arrays(np.float64, st.integers(1, 6), elements=st.floats(-10, 10)))
def test_jacobians_match_finite_differences(z):
    np.testing.assert_allclose(softmax_jacobian(z), numerical_jacobian(softmax, z), atol=1e-8)
    np.testing.assert_allclose(
        log_softmax_jacobian(z), numerical_jacobian(log_softmax, z), atol=1e-8
    )


@given(shape=array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=4), seed=seeds)
def test_jacobians_agree_with_backward_and_formula(shape, seed):
    rng = np.random.default_rng(seed)
    z = rng.uniform(-10, 10, shape)
    grad_output = rng.normal(size=shape)
    p = softmax(z)
    k = shape[-1]
    jacobian = softmax_jacobian(z)
    assert jacobian.shape == (*shape, k)
    expected = p[..., :, None] * (np.eye(k) - p[..., None, :])  # p_i (delta_ij - p_j)
    np.testing.assert_allclose(jacobian, expected, rtol=1e-12, atol=1e-15)
    vjp = np.einsum("...i,...ij->...j", grad_output, jacobian)
    np.testing.assert_allclose(softmax_backward(z, grad_output), vjp, rtol=1e-10, atol=1e-12)
    log_jacobian = log_softmax_jacobian(z)
    np.testing.assert_allclose(log_jacobian, np.eye(k) - p[..., None, :], atol=1e-15)
    vjp = np.einsum("...i,...ij->...j", grad_output, log_jacobian)
    np.testing.assert_allclose(log_softmax_backward(z, grad_output), vjp, rtol=1e-10, atol=1e-12)


def test_softmax_jacobian_other_axis_puts_class_axes_last():
    z = np.arange(6.0).reshape(3, 2)
    np.testing.assert_allclose(softmax_jacobian(z, axis=0), softmax_jacobian(z.T), rtol=1e-15)
    assert softmax_jacobian(z, axis=0).shape == (2, 3, 3)


# ---------------------------------------------------------------------------------------------
# Errors
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ELEMENTWISE)
def test_elementwise_refuse_nan_infinity_and_strings(name):
    f, f_grad = ELEMENTWISE[name]
    for function in (f, f_grad):
        with pytest.raises(ValueError, match="x must not contain NaN"):
            function([0.0, np.nan])
        with pytest.raises(ValueError, match="x must contain only finite numbers"):
            function([np.inf])
        with pytest.raises(TypeError, match="x must be a real numeric array"):
            function(["a"])


@pytest.mark.parametrize(
    ("function", "kwargs", "match"),
    [
        (step, {"at_zero": np.nan}, "at_zero must be a finite number"),
        (step_grad, {"at_zero": "half"}, "at_zero must be a real number; got str"),
        (leaky_relu, {"negative_slope": np.inf}, "negative_slope must be a finite number"),
        (leaky_relu_grad, {"negative_slope": None}, "negative_slope must be a real number"),
        (elu, {"alpha": np.nan}, "alpha must be a finite number"),
        (elu_grad, {"alpha": [1.0]}, "alpha must be a real number; got list"),
        (gelu, {"approximate": "erf"}, "approximate must be 'none' or 'tanh'; got 'erf'"),
        (gelu_grad, {"approximate": None}, "approximate must be 'none' or 'tanh'; got None"),
        (step, {"at_zero": True}, "at_zero must be a real number; got bool"),
    ],
)
def test_parameter_errors(function, kwargs, match):
    with pytest.raises((ValueError, TypeError), match=match):
        function([1.0, -1.0], **kwargs)


def test_prelu_errors():
    x = np.ones((2, 3))
    message = (
        r"weight has shape \(2,\), expected \(\) or \(1,\) .* or \(3,\) for one slope per channel"
    )
    for call in (
        lambda: prelu(x, [0.1, 0.2]),
        lambda: prelu_grad(x, [0.1, 0.2]),
        lambda: prelu_backward(x, [0.1, 0.2], x),
    ):
        with pytest.raises(ValueError, match=message):
            call()
    with pytest.raises(ValueError, match=r"weight has shape \(3, 1\)"):
        prelu(x, np.ones((3, 1)))
    with pytest.raises(ValueError, match="weight must not contain NaN"):
        prelu(x, np.nan)
    with pytest.raises(
        ValueError, match=r"grad_output has shape \(3, 2\), expected \(2, 3\) to match x's shape"
    ):
        prelu_backward(x, 0.1, np.ones((3, 2)))


@pytest.mark.parametrize(
    "function",
    [softmax, log_softmax, logsumexp, logsumexp_grad, softmax_jacobian, log_softmax_jacobian],
)
def test_softmax_family_input_errors(function):
    with pytest.raises(ValueError, match="z must have at least one dimension"):
        function(3.0)
    with pytest.raises(ValueError, match=r"axis 2 is out of range for z with 2 dimension\(s\)"):
        function(np.ones((2, 3)), axis=2)
    with pytest.raises(TypeError, match="axis must be an integer; got float"):
        function(np.ones((2, 3)), axis=1.0)
    with pytest.raises(
        ValueError, match=r"z must have at least one entry along axis -1; got shape \(2, 0\)"
    ):
        function(np.ones((2, 0)))
    with pytest.raises(ValueError, match="z must not contain NaN"):
        function([1.0, np.nan])
    with pytest.raises(ValueError, match="z must contain only finite numbers"):
        function([1.0, -np.inf])


@pytest.mark.parametrize("function", [softmax_backward, log_softmax_backward])
def test_backward_errors(function):
    with pytest.raises(
        ValueError, match=r"grad_output has shape \(3,\), expected \(2, 3\) to match z's shape"
    ):
        function(np.ones((2, 3)), np.ones(3))
    with pytest.raises(ValueError, match="grad_output must not contain NaN"):
        function([1.0, 2.0], [np.nan, 0.0])
