"""L1/L2 penalties: values, finite-difference gradients, and their relation to weight decay."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import array_shapes, arrays

from nncourse.gradcheck import check_gradient
from nncourse.nn import Parameter
from nncourse.optim import SGD, Adam, AdamW
from nncourse.regularization import l1_penalty, l2_penalty

weights = arrays(np.float64, array_shapes(max_dims=2, max_side=5), elements=st.floats(-10, 10))
# away from the kink of |w| at 0 by more than the finite-difference step
weights_off_zero = arrays(
    np.float64,
    array_shapes(max_dims=2, max_side=5),
    elements=st.floats(1e-3, 10) | st.floats(-10, -1e-3),
)
lams = st.floats(0.0, 5.0)
# central differences are exact for quadratic and piecewise-linear functions, so a large step
# costs no truncation error and keeps the rounding error (about 1e-16 * f / step) small
STEP = 1e-4


def penalty_gradient(penalty, w, lam):
    param = Parameter(w)
    penalty([param], lam, accumulate_grad=True)
    return param.grad


def check_penalty_gradient(penalty, w, lam):
    """The gradient `penalty` accumulates against central differences of its value."""
    result = check_gradient(
        lambda x: penalty([Parameter(x)], lam),
        lambda x: penalty_gradient(penalty, x, lam),
        w,
        eps=STEP,
    )
    result.raise_if_failed()


@given(weights, lams)
def test_l2_gradient_matches_finite_differences(w, lam):
    check_penalty_gradient(l2_penalty, w, lam)


@given(weights_off_zero, lams)
def test_l1_gradient_matches_finite_differences(w, lam):
    check_penalty_gradient(l1_penalty, w, lam)


def test_values_by_hand():
    params = [Parameter([3.0, -4.0]), Parameter([[1.0], [0.0]])]
    assert l2_penalty(params, lam=0.2) == pytest.approx(0.1 * (9 + 16 + 1), rel=1e-15)
    assert l1_penalty(params, lam=0.2) == pytest.approx(0.2 * (3 + 4 + 1), rel=1e-15)
    assert l2_penalty(params, lam=0.0) == 0.0
    assert l2_penalty([], lam=1.0) == 0.0


def test_l1_subgradient_is_zero_at_zero():
    w = Parameter([-2.0, 0.0, 0.5])
    l1_penalty([w], lam=0.3, accumulate_grad=True)
    np.testing.assert_array_equal(w.grad, [-0.3, 0.0, 0.3])


def test_gradients_accumulate_and_are_only_written_when_asked():
    w = Parameter([1.0, -2.0])
    w.grad += [10.0, 10.0]
    l2_penalty([w], lam=0.5)
    np.testing.assert_array_equal(w.grad, [10.0, 10.0])
    l2_penalty([w], lam=0.5, accumulate_grad=True)
    np.testing.assert_array_equal(w.grad, [10.5, 9.0])
    l1_penalty(w, lam=0.5, accumulate_grad=True)  # a single Parameter is accepted too
    np.testing.assert_array_equal(w.grad, [11.0, 8.5])


def test_penalty_of_float32_weights_is_summed_in_float64():
    w = Parameter(np.full(10, 0.1, dtype=np.float32))
    expected = 0.5 * 10 * float(np.float32(0.1)) ** 2
    assert l2_penalty([w], lam=1.0) == pytest.approx(expected, rel=1e-15)
    l2_penalty([w], lam=1.0, accumulate_grad=True)
    assert w.grad.dtype == np.float32


def test_extreme_weights_do_not_overflow():
    w = Parameter([1e150, -1e150])
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        assert l2_penalty([w], lam=1e-10) == pytest.approx(1e290, rel=1e-15)
        assert l1_penalty([w], lam=1.0, accumulate_grad=True) == pytest.approx(2e150, rel=1e-15)


# --- weight decay and L2 penalty ---------------------------------------------------------------


def quadratic_problem(seed=0, size=6):
    rng = np.random.default_rng(seed)
    curvature = rng.uniform(0.5, 3.0, size)
    target = rng.normal(size=size)
    noise = rng.normal(scale=0.5, size=(50, size))
    theta0 = rng.normal(size=size)

    def loss_grad(step, theta):
        return curvature * (theta - target) + noise[step]

    return theta0, loss_grad


def train(make_optimizer, penalty_lam=0.0, steps=50, before_step=None):
    theta0, loss_grad = quadratic_problem()
    w = Parameter(theta0)
    optimizer = make_optimizer([w])
    for step in range(steps):
        optimizer.zero_grad()
        w.grad += loss_grad(step, w.data)
        if penalty_lam:
            l2_penalty([w], penalty_lam, accumulate_grad=True)
        if before_step is not None:
            before_step(w)
        optimizer.step()
    return w.data


@pytest.mark.parametrize(
    "options",
    [
        {},
        {"momentum": 0.9},
        {"momentum": 0.9, "nesterov": True},
        {"momentum": 0.5, "dampening": 0.3},
    ],
)
def test_sgd_weight_decay_equals_sgd_on_loss_plus_l2_penalty(options):
    lam = 0.1
    decayed = train(lambda ps: SGD(ps, lr=0.05, weight_decay=lam, **options))
    penalised = train(lambda ps: SGD(ps, lr=0.05, **options), penalty_lam=lam)
    np.testing.assert_allclose(decayed, penalised, rtol=1e-12, atol=0)
    plain = train(lambda ps: SGD(ps, lr=0.05, **options))
    assert not np.allclose(decayed, plain, rtol=1e-3)  # the penalty did matter


def test_adam_weight_decay_equals_adam_on_loss_plus_l2_penalty():
    lam = 0.1
    decayed = train(lambda ps: Adam(ps, lr=0.05, weight_decay=lam))
    penalised = train(lambda ps: Adam(ps, lr=0.05), penalty_lam=lam)
    np.testing.assert_allclose(decayed, penalised, rtol=1e-12, atol=0)


def test_adam_with_l2_penalty_differs_from_adamw():
    lam = 0.1
    penalised = train(lambda ps: Adam(ps, lr=0.05), penalty_lam=lam)
    adamw = train(lambda ps: AdamW(ps, lr=0.05, weight_decay=lam))
    assert np.max(np.abs(penalised - adamw)) > 1e-2


def test_adamw_equals_adam_plus_shrinking_every_weight_by_one_minus_lr_lambda():
    lr, lam = 0.05, 0.1

    def shrink(w):
        w.data *= 1 - lr * lam

    adamw = train(lambda ps: AdamW(ps, lr=lr, weight_decay=lam))
    shrunk = train(lambda ps: Adam(ps, lr=lr), before_step=shrink)
    np.testing.assert_allclose(adamw, shrunk, rtol=1e-12, atol=0)


def test_adam_l2_decay_is_divided_by_the_gradient_scale_adamw_decay_is_not():
    # Two equal weights; the loss has gradient 0 on the first and 100 on the second.
    # One step with lam = 0.01, lr = 0.1, eps negligible:
    #   Adam + L2: g = (0.01, 100.01), the first step is lr * sign(g) for both weights:
    #   the weight with no loss gradient moves by lr, as far as the one the loss pushes.
    #   AdamW: both shrink by the factor 1 - lr * lam first, then move by lr * sign(loss grad).
    lr, lam = 0.1, 0.01
    w = Parameter([1.0, 1.0])
    optimizer = Adam([w], lr=lr, weight_decay=lam)
    w.grad += [0.0, 100.0]
    optimizer.step()
    np.testing.assert_allclose(w.data, [1.0 - lr, 1.0 - lr], rtol=1e-6)
    w = Parameter([1.0, 1.0])
    optimizer = AdamW([w], lr=lr, weight_decay=lam)
    w.grad += [0.0, 100.0]
    optimizer.step()
    np.testing.assert_allclose(w.data, [1.0 - lr * lam, 1.0 - lr * lam - lr], rtol=1e-7)


# --- invalid input -----------------------------------------------------------------------------


@pytest.mark.parametrize("penalty", [l1_penalty, l2_penalty])
def test_invalid_arguments_raise(penalty):
    w = Parameter([1.0])
    with pytest.raises(ValueError, match=r"lam must be >= 0; got -0\.1"):
        penalty([w], lam=-0.1)
    with pytest.raises(ValueError, match="lam must be a finite number"):
        penalty([w], lam=float("inf"))
    with pytest.raises(
        TypeError, match=r"params must hold Parameters .* got an object of type ndarray"
    ):
        penalty([np.ones(3)], lam=0.1)
    with pytest.raises(TypeError, match="accumulate_grad must be True or False; got 'yes'"):
        penalty([w], lam=0.1, accumulate_grad="yes")
