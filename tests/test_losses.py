"""Tests of nncourse.losses: hand values, high-precision references, gradients, extremes, errors."""

import math

import mpmath
import numpy as np
import pytest
from helpers import RAISE
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import array_shapes, arrays

from nncourse import losses
from nncourse.activations import log_softmax, sigmoid, softmax
from nncourse.gradcheck import check_gradient
from nncourse.losses import (
    binary_cross_entropy,
    binary_cross_entropy_grad,
    binary_cross_entropy_with_logits,
    binary_cross_entropy_with_logits_grad,
    cosine_loss,
    cosine_loss_grad,
    cosine_similarity,
    cross_entropy,
    cross_entropy_backward,
    cross_entropy_grad,
    hinge_loss,
    hinge_loss_grad,
    huber_loss,
    kl_div,
    kl_div_grad,
    l1_loss,
    l1_loss_grad,
    mse_loss,
    multi_margin_loss,
    multi_margin_loss_grad,
    nll_loss,
    nll_loss_grad,
    smooth_l1_loss,
    smooth_l1_loss_grad,
)

REDUCTIONS = ["mean", "sum", "none"]
LOSS_NAMES = [name for name in losses.__all__ if f"{name}_grad" in losses.__all__]

# --- strategies: valid arguments for every loss, kept at least 2e-3 away from its kinks --------

SHAPES = array_shapes(min_dims=1, max_dims=2, min_side=1, max_side=4)
KINK_GAP = 2e-3
# PyTorch's BCE backward divides by max(p (1 - p), EPSILON) with EPSILON the C++ float 1e-12:
# 1e-12 * 2**63 = 9223372.04 lies in [2**23, 2**24), so float32 keeps the integer 9223372
TORCH_BCE_EPSILON = 9223372 * 2.0**-63


def away_from(values, kinks):
    """Move every entry closer than KINK_GAP to a kink out to KINK_GAP from it."""
    for kink in kinks:
        side = np.where(values >= kink, 1.0, -1.0)
        values = np.where(np.abs(values - kink) < KINK_GAP, kink + KINK_GAP * side, values)
    return values


def floats_array(data, shape, low, high):
    return data.draw(arrays(np.float64, shape, elements=st.floats(low, high)))


def regression_case(data, kinks=()):
    shape = data.draw(SHAPES)
    target = floats_array(data, shape, -3, 3)
    return target + away_from(floats_array(data, shape, -3, 3), kinks), target


def logits_and_indices(data, low=-10, high=10):
    """Scores of shape (N, C) or (C,) and valid class indices."""
    n_classes = data.draw(st.integers(1, 4))
    batch = data.draw(st.sampled_from([(), (1,), (3,)]))
    scores = floats_array(data, (*batch, n_classes), low, high)
    target = data.draw(arrays(np.int64, batch, elements=st.integers(0, n_classes - 1)))
    return scores, target


def draw_mse(data):
    return (*regression_case(data), {})


def draw_l1(data):
    return (*regression_case(data, kinks=(0.0,)), {})


def draw_huber(data):
    delta = data.draw(st.floats(0.1, 3))
    return (*regression_case(data, kinks=(-delta, delta)), {"delta": delta})


def draw_smooth_l1(data):
    beta = data.draw(st.sampled_from([0.0]) | st.floats(0.1, 3))
    kinks = (-beta, beta) if beta else (0.0,)
    return (*regression_case(data, kinks=kinks), {"beta": beta})


def draw_hinge(data):
    shape = data.draw(SHAPES)
    labels = np.where(data.draw(arrays(np.bool_, shape)), 1.0, -1.0)
    margin = away_from(floats_array(data, shape, -3, 3), (0.0,))  # margin = 1 - y s
    return labels * (1 - margin), labels, {}


def draw_multi_margin(data):
    scores, target = logits_and_indices(data, -3, 3)
    margin = data.draw(st.floats(0, 2))
    at_target = np.take_along_axis(scores, target[..., None], axis=-1)
    terms = away_from(margin - at_target + scores, (0.0,))
    is_target = np.arange(scores.shape[-1]) == target[..., None]
    scores = np.where(is_target, scores, terms - margin + at_target)
    return scores, target, {"margin": margin, "p": data.draw(st.sampled_from([1, 2]))}


def draw_bce(data):
    shape = data.draw(SHAPES)
    # away from 0 and 1, where -log p bends so sharply that central differences lose accuracy
    probabilities = floats_array(data, shape, 0.01, 0.99)
    targets = floats_array(data, shape, 0, 1)
    return probabilities, targets, {"base": data.draw(st.sampled_from([None, 2.0, 10.0]))}


def draw_bce_with_logits(data):
    shape = data.draw(SHAPES)
    pos_weight = data.draw(
        st.sampled_from([None, 3.0]) | arrays(np.float64, shape[-1:], elements=st.floats(0, 5))
    )
    logits, targets = floats_array(data, shape, -20, 20), floats_array(data, shape, 0, 1)
    return logits, targets, {"pos_weight": pos_weight}


def draw_cross_entropy_indices(data):
    smoothing = data.draw(st.sampled_from([0.0]) | st.floats(0, 1))
    return (*logits_and_indices(data), {"label_smoothing": smoothing})


def draw_cross_entropy_probabilities(data):
    logits, _ = logits_and_indices(data)
    smoothing = data.draw(st.sampled_from([0.0]) | st.floats(0, 1))
    return logits, floats_array(data, logits.shape, 0, 1), {"label_smoothing": smoothing}


def draw_nll(data):
    return (*logits_and_indices(data, -10, 0), {})


def draw_kl(data):
    shape = data.draw(SHAPES)
    return floats_array(data, shape, -10, 0), floats_array(data, shape, 0, 1), {}


def draw_cosine(data):
    shape = data.draw(SHAPES)
    entries = st.floats(-3, -0.1) | st.floats(0.1, 3)  # every norm >= 0.1, far from eps
    vectors = data.draw(arrays(np.float64, shape, elements=entries))
    return vectors, data.draw(arrays(np.float64, shape, elements=entries)), {}


CASES = [
    ("mse_loss", draw_mse),
    ("l1_loss", draw_l1),
    ("huber_loss", draw_huber),
    ("smooth_l1_loss", draw_smooth_l1),
    ("hinge_loss", draw_hinge),
    ("multi_margin_loss", draw_multi_margin),
    ("binary_cross_entropy", draw_bce),
    ("binary_cross_entropy_with_logits", draw_bce_with_logits),
    ("cross_entropy", draw_cross_entropy_indices),
    ("cross_entropy", draw_cross_entropy_probabilities),
    ("nll_loss", draw_nll),
    ("kl_div", draw_kl),
    ("cosine_loss", draw_cosine),
]
CASE_IDS = [draw.__name__.removeprefix("draw_") for _, draw in CASES]


def test_cases_cover_every_loss():
    assert sorted({name for name, _ in CASES}) == sorted(LOSS_NAMES)


# --- gradients --------------------------------------------------------------------------------


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize(("name", "draw_case"), CASES, ids=CASE_IDS)
@settings(max_examples=20)
@given(data=st.data())
def test_gradient_matches_finite_differences(name, draw_case, reduction, data):
    loss, grad = getattr(losses, name), getattr(losses, f"{name}_grad")
    x, target, kwargs = draw_case(data)

    def f(z):
        return np.sum(loss(z, target, reduction=reduction, **kwargs))

    # a central difference of f carries rounding noise of about 1e-10 |f| (eps = 1e-6): summed
    # losses of logits near +-20 with a positive weight of 5 reach |f| ~ 100
    atol = 1e-8 * max(1.0, abs(f(x)))
    check_gradient(
        f, lambda z: grad(z, target, reduction=reduction, **kwargs), x, atol=atol
    ).raise_if_failed()


def test_finite_differences_of_a_large_summed_loss_need_a_tolerance_that_scales():
    # found by the thorough profile: |f| = 135, so the central difference is off by ~1e-8 and the
    # default atol = 1e-8 fails, although the analytic gradient is right
    x = np.array(
        [[-6.08, -17.23, 18.76, 0.0], [8.77, 0.0, -19.53, 5.66], [14.57, -2.70, 5.49, 8.12]]
    )
    t = np.array([[0.54, 0.0, 1.0, 0.39], [0.45, 0.77, 1.0, 1.0], [0.67, 0.0, 0.33, 0.08]])
    pos_weight = np.array([0.70, 2.23, 4.10, 2.83])

    def f(z):
        return binary_cross_entropy_with_logits(z, t, pos_weight=pos_weight, reduction="sum")

    def grad(z):
        return binary_cross_entropy_with_logits_grad(z, t, pos_weight=pos_weight, reduction="sum")

    assert abs(f(x)) > 100
    check_gradient(f, grad, x, atol=1e-8 * abs(f(x))).raise_if_failed()


@settings(max_examples=20)
@given(data=st.data())
def test_kl_div_batchmean_gradient_matches_finite_differences(data):
    log_q, p, _ = draw_kl(data)
    check_gradient(
        lambda z: kl_div(z, p, reduction="batchmean"),
        lambda z: kl_div_grad(z, p, reduction="batchmean"),
        log_q,
    ).raise_if_failed()


def test_cosine_loss_gradient_below_eps_is_that_of_the_clamped_norm():
    # ||x|| < eps: the norm is clamped to eps, so the loss is linear in x there
    x, target = np.array([[3e-10, -4e-10, 1e-10]]), np.array([[1.0, 2.0, -2.0]])
    check_gradient(
        lambda z: cosine_loss(z, target),
        lambda z: cosine_loss_grad(z, target),
        x,
        eps=1e-12,
    ).raise_if_failed()
    np.testing.assert_allclose(cosine_loss_grad(x, target), -target / 3 / 1e-8, rtol=1e-15)


# --- reductions, shapes and dtypes ------------------------------------------------------------


@pytest.mark.parametrize(("name", "draw_case"), CASES, ids=CASE_IDS)
@settings(max_examples=30)
@given(data=st.data())
def test_reductions_agree_and_shapes_and_dtypes_are_kept(name, draw_case, data):
    loss, grad = getattr(losses, name), getattr(losses, f"{name}_grad")
    x, target, kwargs = draw_case(data)
    values = loss(x, target, reduction="none", **kwargs)
    total = loss(x, target, reduction="sum", **kwargs)
    mean = loss(x, target, reduction="mean", **kwargs)
    assert isinstance(total, float)
    assert isinstance(mean, float)
    np.testing.assert_allclose(total, values.size * mean, rtol=1e-12, atol=1e-300)
    np.testing.assert_allclose(total, values.sum(), rtol=1e-12, atol=1e-300)
    grad_sum = grad(x, target, reduction="sum", **kwargs)
    np.testing.assert_array_equal(grad(x, target, reduction="none", **kwargs), grad_sum)
    grad_mean = grad(x, target, reduction="mean", **kwargs)
    np.testing.assert_allclose(grad_mean * values.size, grad_sum, rtol=1e-12, atol=1e-300)
    per_sample = name in ("cross_entropy", "nll_loss", "multi_margin_loss", "cosine_loss")
    assert values.shape == (x.shape[:-1] if per_sample else x.shape)
    assert grad_sum.shape == x.shape
    x32 = x.astype(np.float32)  # float32 stays float32
    assert loss(x32, target, reduction="none", **kwargs).dtype == np.float32
    assert grad(x32, target, **kwargs).dtype == np.float32


@settings(max_examples=30)
@given(data=st.data())
def test_kl_div_reductions_divide_by_batch_size_and_element_count(data):
    log_q, p, _ = draw_kl(data)
    total = kl_div(log_q, p, reduction="sum")
    batch_size = log_q.shape[0] if log_q.ndim == 2 else 1
    np.testing.assert_allclose(total, batch_size * kl_div(log_q, p), rtol=1e-12, atol=1e-300)
    mean = kl_div(log_q, p, reduction="mean")
    np.testing.assert_allclose(total, log_q.size * mean, rtol=1e-12, atol=1e-300)


def test_integer_and_list_inputs_become_float64():
    assert mse_loss([1, 2], [0, 0], reduction="none").dtype == np.float64
    assert l1_loss_grad([1, 2], [0, 0]).dtype == np.float64


# --- hand-computed values ---------------------------------------------------------------------


def test_regression_losses_by_hand():
    assert mse_loss([1.0, 2.0, 3.0], [1.0, 1.0, 1.0]) == pytest.approx(5 / 3, rel=1e-15)
    assert l1_loss([1.0, 2.0, -3.0], [1.0, 1.0, 1.0]) == pytest.approx(5 / 3, rel=1e-15)
    np.testing.assert_array_equal(
        huber_loss([0.5, 3.0, -3.0], [0.0, 0.0, 0.0], reduction="none"), [0.125, 2.5, 2.5]
    )
    np.testing.assert_array_equal(huber_loss([3.0], [0.0], delta=2.0, reduction="none"), [4.0])
    np.testing.assert_array_equal(
        smooth_l1_loss([1.0, 3.0], [0.0, 0.0], beta=2.0, reduction="none"), [0.25, 2.0]
    )


def test_l1_gradient_is_zero_where_input_equals_target():
    np.testing.assert_array_equal(
        l1_loss_grad([1.0, 2.0, 0.5], [1.0, 1.0, 1.0], reduction="sum"), [0.0, 1.0, -1.0]
    )


def test_smooth_l1_with_beta_zero_is_l1():
    x, target = [0.5, -2.0, 1.0], [0.0, 0.0, 1.0]
    assert smooth_l1_loss(x, target, beta=0.0) == l1_loss(x, target)
    np.testing.assert_array_equal(smooth_l1_loss_grad(x, target, beta=0.0), l1_loss_grad(x, target))


@settings(max_examples=30)
@given(data=st.data())
def test_smooth_l1_times_beta_is_huber(data):
    x, target, kwargs = draw_huber(data)
    beta = kwargs["delta"]
    np.testing.assert_allclose(
        beta * smooth_l1_loss(x, target, beta=beta, reduction="none"),
        huber_loss(x, target, delta=beta, reduction="none"),
        rtol=1e-14,
    )


def test_hinge_by_hand_and_zero_gradient_at_the_kink():
    scores, labels = [2.0, 0.5, -1.0, 1.0, -1.0], [1, 1, 1, 1, -1]
    np.testing.assert_array_equal(hinge_loss(scores, labels, reduction="none"), [0, 0.5, 2, 0, 0])
    np.testing.assert_array_equal(
        hinge_loss_grad(scores, labels, reduction="sum"), [0, -1, -1, 0, 0]
    )


@given(data=st.data())
def test_hinge_is_twice_the_two_class_multi_margin_loss(data):
    # scores (0, s) with class (y + 1) / 2: multi_margin_loss = max(0, 1 - y s) / 2
    scores, labels, _ = draw_hinge(data)
    scores, labels = scores.reshape(-1), labels.reshape(-1)
    two_class = np.stack([np.zeros_like(scores), scores], axis=-1)
    classes = ((labels + 1) // 2).astype(np.int64)
    np.testing.assert_array_equal(
        hinge_loss(scores, labels, reduction="none"),
        2 * multi_margin_loss(two_class, classes, reduction="none"),
    )
    np.testing.assert_array_equal(
        hinge_loss_grad(scores, labels, reduction="sum"),
        2 * multi_margin_loss_grad(two_class, classes, reduction="sum")[:, 1],
    )


def test_multi_margin_by_hand():
    # PyTorch's documented example: (0.3 + 0.4 + 0.6) / 4
    x = [[0.1, 0.2, 0.4, 0.8]]
    assert multi_margin_loss(x, [3]) == pytest.approx(0.325, rel=1e-15)
    np.testing.assert_allclose(multi_margin_loss_grad(x, [3]), [[0.25, 0.25, 0.25, -0.75]])
    # p = 2, margin 0.5, target 0: terms 0.5 - 1 + 2 = 1.5 and 0.5 - 1 + 0 = -0.5 (inactive)
    assert multi_margin_loss([1.0, 2.0, 0.0], 0, margin=0.5, p=2) == pytest.approx(1.5**2 / 3)
    np.testing.assert_allclose(
        multi_margin_loss_grad([1.0, 2.0, 0.0], 0, margin=0.5, p=2), [-1.0, 1.0, 0.0]
    )


def test_binary_cross_entropy_by_hand():
    assert binary_cross_entropy(0.1, 1.0, base=2) == pytest.approx(math.log2(10), rel=1e-15)
    assert binary_cross_entropy(0.1, 1.0, base=2) == pytest.approx(3.321928094887362, rel=1e-15)
    three = -(math.log(0.9) + math.log(0.8) + math.log(0.5)) / 3
    assert binary_cross_entropy([0.9, 0.2, 0.5], [1.0, 0.0, 1.0]) == pytest.approx(three, rel=1e-15)
    soft = -(0.5 * math.log(0.25) + 0.5 * math.log(0.75))
    assert binary_cross_entropy(0.25, 0.5) == pytest.approx(soft, rel=1e-15)
    grad_bits = binary_cross_entropy_grad(0.1, 1.0, base=2, reduction="sum")
    assert grad_bits == pytest.approx(-10 / math.log(2), rel=1e-14)


def test_binary_cross_entropy_clamps_logs_at_minus_100_as_pytorch():
    p, y = [0.0, 1.0, 0.0, 1.0, 1e-50, 1e-40], [1.0, 0.0, 0.0, 1.0, 1.0, 1.0]
    expected = [100.0, 100.0, 0.0, 0.0, 100.0, 40 * math.log(10)]
    np.testing.assert_allclose(binary_cross_entropy(p, y, reduction="none"), expected, rtol=1e-15)
    # PyTorch's backward: (p - y) / max(p (1 - p), eps), eps = float32(1e-12)
    # for the last two p (1 - p) < eps: the gradient is capped, not -1/p
    eps = TORCH_BCE_EPSILON
    expected_grad = [-1 / eps, 1 / eps, 0.0, 0.0, (1e-50 - 1) / eps, (1e-40 - 1) / eps]
    grad = binary_cross_entropy_grad(p, y, reduction="sum")
    np.testing.assert_allclose(grad, expected_grad, rtol=1e-15)


def test_binary_cross_entropy_grad_caps_with_pytorchs_float32_epsilon():
    # 1 / eps = 1.0000000039958e12, not 1e12: the cap is PyTorch's to the last digit
    assert TORCH_BCE_EPSILON == pytest.approx(1e-12, rel=5e-9)
    assert binary_cross_entropy_grad(0.0, 1.0, reduction="sum") == -1 / TORCH_BCE_EPSILON
    assert binary_cross_entropy_grad(0.0, 1.0, reduction="sum") < -1.000000003e12
    # above the cap the exact derivative (p - 1) / (p (1 - p)) = -1/p is returned
    assert binary_cross_entropy_grad(1e-11, 1.0, reduction="sum") == pytest.approx(-1e11, rel=1e-15)


def test_binary_cross_entropy_with_logits_by_hand():
    np.testing.assert_allclose(
        binary_cross_entropy_with_logits([0.0, 0.0], [1.0, 0.0], pos_weight=3.0, reduction="none"),
        [3 * math.log(2), math.log(2)],
        rtol=1e-15,
    )
    # pos_weight per class along the last axis
    weighted = binary_cross_entropy_with_logits(
        np.zeros((2, 2)), np.ones((2, 2)), pos_weight=[1.0, 2.0], reduction="none"
    )
    np.testing.assert_allclose(weighted, math.log(2) * np.array([[1, 2], [1, 2]]), rtol=1e-15)
    grad = binary_cross_entropy_with_logits_grad([0.0], [1.0], pos_weight=[4.0], reduction="sum")
    np.testing.assert_allclose(grad, [-2.0], rtol=1e-15)


def test_cross_entropy_by_hand():
    logits = np.log([1.0, 2.0, 3.0])  # probabilities 1/6, 2/6, 3/6
    assert cross_entropy(logits, 2) == pytest.approx(math.log(2), rel=1e-14)
    assert cross_entropy(np.zeros((2, 5)), [0, 4]) == pytest.approx(math.log(5), rel=1e-15)
    smoothed = 0.7 * math.log(2) + 0.3 / 3 * (math.log(6) + math.log(3) + math.log(2))
    assert cross_entropy(logits, 2, label_smoothing=0.3) == pytest.approx(smoothed, rel=1e-14)
    np.testing.assert_allclose(cross_entropy_grad(logits, 2), [1 / 6, 1 / 3, -1 / 2], rtol=1e-14)
    grad = cross_entropy_grad(logits, 2, label_smoothing=0.3)
    np.testing.assert_allclose(grad, [1 / 6 - 0.1, 1 / 3 - 0.1, -1 / 2 + 0.2], rtol=1e-14)


@settings(max_examples=30)
@given(data=st.data())
def test_cross_entropy_index_and_one_hot_targets_agree(data):
    logits, target, kwargs = draw_cross_entropy_indices(data)
    one_hot = (np.arange(logits.shape[-1]) == target[..., None]).astype(float)
    for function in (cross_entropy, cross_entropy_grad):
        np.testing.assert_allclose(
            function(logits, one_hot, reduction="none", **kwargs),
            function(logits, target, reduction="none", **kwargs),
            rtol=1e-12,
            atol=1e-15,
        )


@pytest.mark.parametrize("reduction", REDUCTIONS)
@settings(max_examples=30)
@given(data=st.data())
def test_cross_entropy_is_nll_of_log_softmax(reduction, data):
    logits, target = logits_and_indices(data, -50, 50)
    np.testing.assert_allclose(
        cross_entropy(logits, target, reduction=reduction),
        nll_loss(log_softmax(logits), target, reduction=reduction),
        rtol=1e-15,
    )


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("smoothing", [0.0, 0.2])
@settings(max_examples=30)
@given(data=st.data())
def test_cross_entropy_of_log_probabilities_is_that_of_the_logits(reduction, smoothing, data):
    # log_input=True skips the log-softmax: given log_softmax(z) it is the loss of z
    logits, target = logits_and_indices(data, -50, 50)
    log_p = log_softmax(logits)
    options = {"label_smoothing": smoothing, "reduction": reduction}
    of_logits = cross_entropy(logits, target, **options)
    np.testing.assert_array_equal(
        cross_entropy(log_p, target, log_input=True, **options), of_logits
    )
    if not smoothing:  # without smoothing it is the negative log-likelihood
        np.testing.assert_allclose(of_logits, nll_loss(log_p, target, reduction=reduction))


def test_cross_entropy_of_log_probabilities_by_hand():
    log_p = np.array([[math.log(0.25), math.log(0.75)], [0.0, -np.inf]])  # p = (1, 0) below
    assert cross_entropy(log_p, [1, 0], log_input=True) == pytest.approx(-math.log(0.75) / 2)
    soft = cross_entropy(log_p, [[0.5, 0.5], [1.0, 0.0]], log_input=True, reduction="none")
    np.testing.assert_allclose(soft, [-(math.log(0.25) + math.log(0.75)) / 2, 0.0])  # 0 log 0
    assert cross_entropy(log_p, [0, 1], log_input=True) == math.inf  # -log 0
    with pytest.raises(ValueError, match="input must not contain NaN"):
        cross_entropy([[0.0, np.nan]], [0], log_input=True)


@pytest.mark.parametrize("smoothing", [0.0, 0.1])
def test_cross_entropy_backward_is_the_gradient_with_respect_to_the_logits(smoothing):
    rng = np.random.default_rng(3)
    logits, target = rng.normal(size=(4, 5)) * 3, np.array([0, 4, 2, 2])
    result = check_gradient(
        lambda z: cross_entropy(z, target, label_smoothing=smoothing),
        lambda z: cross_entropy_backward(log_softmax(z), target, label_smoothing=smoothing),
        logits,
    )
    assert result.ok, result


def test_cross_entropy_backward_at_a_class_of_probability_zero():
    # p = (1, 0): the gradient is p - onehot, -1 at a target of probability 0
    log_p = np.array([[0.0, -np.inf], [0.0, -np.inf]])
    np.testing.assert_array_equal(cross_entropy_backward(log_p, [0, 1], reduction="sum"),
                                  [[0.0, 0.0], [1.0, -1.0]])  # fmt: skip
    with pytest.raises(ValueError, match="log_probabilities must have shape"):
        cross_entropy_backward(np.zeros((2, 2, 2)), [0, 1])


def test_log_softmax_of_logits_more_than_the_largest_float_apart():
    with np.errstate(all="raise"):  # no overflow warning: exp(-inf) = 0 is the right answer
        np.testing.assert_array_equal(log_softmax([1e308, -1e308]), [0.0, -np.inf])


def test_nll_loss_by_hand():
    log_p = np.log([[0.25, 0.75], [0.5, 0.5]])
    assert nll_loss(log_p, [1, 0]) == pytest.approx(-(math.log(0.75) + math.log(0.5)) / 2)
    np.testing.assert_array_equal(nll_loss_grad(log_p, [1, 0]), [[0, -0.5], [-0.5, 0]])


# --- KL divergence against information-theory closed forms ------------------------------------


@given(a=st.floats(0, 1), b=st.floats(1e-3, 1 - 1e-3))
def test_kl_div_of_bernoulli_distributions(a, b):
    def plogp_over(p, q):  # 0 log 0 = 0
        return p * math.log(p / q) if p > 0 else 0.0

    expected = plogp_over(a, b) + plogp_over(1 - a, 1 - b)
    actual = kl_div(np.log([b, 1 - b]), [a, 1 - a])
    assert actual == pytest.approx(expected, rel=1e-12, abs=1e-14)


@given(arrays(np.float64, st.integers(1, 6), elements=st.floats(-10, 10)))
def test_kl_div_from_uniform_is_log_k_minus_entropy(logits):
    p = softmax(logits)
    n_classes = p.size
    entropy = -sum(v * math.log(v) for v in p if v > 0)
    actual = kl_div(np.full(n_classes, -math.log(n_classes)), p)
    assert actual == pytest.approx(math.log(n_classes) - entropy, abs=1e-12)


@given(
    arrays(np.float64, (3, 4), elements=st.floats(-10, 10)),
    arrays(np.float64, (3, 4), elements=st.floats(-10, 10)),
)
def test_cross_entropy_is_entropy_plus_kl_divergence(p_logits, q_logits):
    # H(p, q) = H(p) + KL(p || q), with H(p, q) = cross_entropy of logits of q, targets p
    p = softmax(p_logits)
    entropy = -np.sum(np.where(p > 0, p * log_softmax(p_logits), 0), axis=-1)
    divergence = kl_div(log_softmax(q_logits), p, reduction="none").sum(axis=-1)
    assert np.all(divergence >= -1e-15)
    far_apart = np.abs(p - softmax(q_logits)).max(axis=-1) > 1e-6
    assert np.all(divergence[far_apart] > 0)
    np.testing.assert_allclose(
        cross_entropy(q_logits, p, reduction="none"), entropy + divergence, rtol=1e-12, atol=1e-12
    )


def test_kl_div_by_hand_with_zero_targets():
    assert kl_div(np.log([0.5, 0.5]), [0.0, 1.0]) == pytest.approx(math.log(2), rel=1e-15)
    np.testing.assert_array_equal(kl_div(np.log([0.5, 0.5]), [0.0, 1.0], reduction="none")[0], 0)
    # "batchmean" over a batch of 2, "mean" over its 4 elements
    log_q, p = np.log([[0.5, 0.5], [0.25, 0.75]]), [[1.0, 0.0], [0.25, 0.75]]
    assert kl_div(log_q, p) == pytest.approx(math.log(2) / 2, rel=1e-15)
    assert kl_div(log_q, p, reduction="mean") == pytest.approx(math.log(2) / 4, rel=1e-15)
    np.testing.assert_array_equal(kl_div_grad(log_q, p), [[-0.5, 0], [-0.125, -0.375]])


# --- cosine similarity ------------------------------------------------------------------------


def test_cosine_similarity_by_hand():
    np.testing.assert_allclose(
        cosine_similarity(
            [[3.0, 4.0], [1.0, 0.0], [1, 1], [1, 2]], [[4.0, 3.0], [0, 2], [1, 0], [-2, -4]]
        ),
        [0.96, 0.0, 1 / math.sqrt(2), -1.0],
        rtol=1e-15,
    )
    assert cosine_similarity([1.0, 2.0, 3.0], [2.0, 4.0, 6.0]) == pytest.approx(1.0, rel=1e-15)
    assert cosine_similarity([0.0, 0.0], [1.0, 2.0]) == 0.0


def test_cosine_similarity_clamps_each_norm_separately():
    # (1e-9 * 100) / (max(1e-9, 1e-8) * max(100, 1e-8)) = 0.1; clamping the product would give 1
    assert cosine_similarity([1e-9, 0.0], [100.0, 0.0]) == pytest.approx(0.1, rel=1e-15)


@given(arrays(np.float64, (3, 4), elements=st.floats(-5, 5)))
def test_cosine_similarity_along_another_axis(x):
    y = x[::-1] + 1.0
    np.testing.assert_allclose(
        cosine_similarity(x, y, axis=0), cosine_similarity(x.T, y.T), rtol=1e-14, atol=1e-15
    )


def test_cosine_loss_by_hand():
    np.testing.assert_allclose(
        cosine_loss(
            [[1.0, 0.0], [1.0, 1.0], [1.0, 0.0]],
            [[0.0, 1.0], [2.0, 2.0], [-1.0, 0.0]],
            reduction="none",
        ),
        [1.0, 0.0, 2.0],
        atol=1e-15,
    )


# --- exactness against 40-digit references ------------------------------------------------------


def mp_softplus(z):
    return mpmath.log1p(mpmath.exp(mpmath.mpf(z)))


@given(
    arrays(np.float64, st.integers(1, 5), elements=st.floats(-700, 700)),
    st.sampled_from([0.0, 1.0, 0.3]),
    st.floats(0, 5),
)
def test_binary_cross_entropy_with_logits_is_exact(logits, target, pos_weight):
    targets = np.full_like(logits, target)
    with mpmath.workdps(40):
        expected = [
            float(pos_weight * target * mp_softplus(-z) + (1 - mpmath.mpf(target)) * mp_softplus(z))
            for z in logits
        ]
        expected_grad = [
            float(
                -pos_weight * target * mpmath.exp(-mp_softplus(z))
                + (1 - target) / (1 + mpmath.exp(-z))
            )
            for z in logits
        ]
    kwargs = {"pos_weight": pos_weight, "reduction": "none"}
    np.testing.assert_allclose(
        binary_cross_entropy_with_logits(logits, targets, **kwargs),
        expected,
        rtol=1e-12,
        atol=1e-300,
    )
    if target in (0.0, 1.0):  # a fractional target makes the two gradient terms cancel
        np.testing.assert_allclose(
            binary_cross_entropy_with_logits_grad(logits, targets, **kwargs),
            expected_grad,
            rtol=1e-12,
            atol=1e-300,
        )


@given(
    arrays(np.float64, st.integers(1, 5), elements=st.floats(1e-40, 1)),
    st.sampled_from([0.0, 1.0, 0.3]),
)
def test_binary_cross_entropy_is_exact(probabilities, target):
    def mp_bce(p):  # log(1 - p) is clamped at -100 only at p = 1 (where it is -inf)
        if p == 1:
            return (1 - target) * 100.0
        log_1mp = mpmath.log1p(-mpmath.mpf(p))
        return float(-(target * mpmath.log(p) + (1 - mpmath.mpf(target)) * log_1mp))

    with mpmath.workdps(40):
        expected = [mp_bce(p) for p in probabilities]
    actual = binary_cross_entropy(
        probabilities, np.full_like(probabilities, target), reduction="none"
    )
    np.testing.assert_allclose(actual, expected, rtol=1e-12, atol=1e-300)


@given(data=st.data())
def test_cross_entropy_and_its_gradient_are_exact(data):
    logits, target = logits_and_indices(data, -50, 50)
    smoothing = data.draw(st.sampled_from([0.0, 0.1]))
    rows, labels = logits.reshape(-1, logits.shape[-1]), target.reshape(-1)
    # 80 digits: 1 - p_target can be e^-100 ~ 1e-44, and must keep 15 digits of its own
    with mpmath.workdps(80):
        expected, expected_grad = [], []
        for row, label in zip(rows, labels, strict=True):
            row = [mpmath.mpf(v) for v in row]
            # -log p_c = log(1 + sum_{j != c} e^{z_j - z_c}): exact even where it is tiny
            nll = [
                mpmath.log1p(mpmath.fsum(mpmath.exp(v - w) for j, v in enumerate(row) if j != c))
                for c, w in enumerate(row)
            ]
            expected.append(
                float(
                    (1 - mpmath.mpf(smoothing)) * nll[label]
                    + smoothing * mpmath.fsum(nll) / len(row)
                )
            )
            expected_grad.append(
                [float(mpmath.exp(-v) - int(c == label)) for c, v in enumerate(nll)]
            )
    actual = cross_entropy(logits, target, label_smoothing=smoothing, reduction="none")
    np.testing.assert_allclose(actual.reshape(-1), expected, rtol=1e-12, atol=1e-300)
    grad = cross_entropy_grad(logits, target, reduction="sum").reshape(rows.shape)
    np.testing.assert_allclose(grad, expected_grad, rtol=1e-12, atol=1e-300)


@given(arrays(np.float64, st.integers(1, 6), elements=st.floats(-15, 15)), st.floats(0, 1))
def test_bce_of_sigmoid_equals_bce_with_logits(logits, target):
    targets = np.full_like(logits, target)
    np.testing.assert_allclose(
        binary_cross_entropy(sigmoid(logits), targets, reduction="none"),
        binary_cross_entropy_with_logits(logits, targets, reduction="none"),
        rtol=1e-6,
    )


# --- extreme inputs: finite, with no floating-point warning -------------------------------------


def test_binary_cross_entropy_with_logits_at_extremes():
    logits, targets = [1000.0, -1000.0, 1000.0, -1000.0], [1.0, 1.0, 0.0, 0.0]
    with np.errstate(**RAISE):
        values = binary_cross_entropy_with_logits(logits, targets, reduction="none")
        grad = binary_cross_entropy_with_logits_grad(logits, targets, reduction="sum")
        weighted = binary_cross_entropy_with_logits(logits, targets, pos_weight=2.0)
        single = binary_cross_entropy_with_logits(np.float32(-1000), np.float32(1))
    np.testing.assert_array_equal(values, [0.0, 1000.0, 1000.0, 0.0])
    np.testing.assert_array_equal(grad, [0.0, -1.0, 1.0, 0.0])
    assert weighted == 3000.0 / 4
    assert single == 1000.0


def test_cross_entropy_with_huge_logits():
    logits = np.array([[1e4, 0.0, -1e4], [0.0, 1e4, 0.0]])
    with np.errstate(**RAISE):
        values = cross_entropy(logits, [0, 0], reduction="none")
        grad = cross_entropy_grad(logits, [0, 0], reduction="sum")
        smoothed = cross_entropy(logits, [1, 1], label_smoothing=0.5, reduction="none")
        soft = cross_entropy(logits, softmax(-logits), reduction="none")
    np.testing.assert_array_equal(values, [0.0, 1e4])
    np.testing.assert_array_equal(grad, [[0.0, 0.0, 0.0], [-1.0, 1.0, 0.0]])
    # (1 - eps) (-log p_target) + eps * mean(-log p): row 0 is 0.5 1e4 + 0.5 (0 + 1e4 + 2e4) / 3
    np.testing.assert_allclose(smoothed, [1e4, 0.5 * 2e4 / 3], rtol=1e-15)
    assert np.all(np.isfinite(soft))


@pytest.mark.parametrize("function", [cross_entropy, cross_entropy_grad])
@pytest.mark.parametrize(
    ("bad", "message"),
    [
        (np.nan, "input must not contain NaN"),
        (np.inf, "input must contain only finite numbers; it contains infinity"),
        (-np.inf, "input must contain only finite numbers; it contains infinity"),
    ],
)
@pytest.mark.parametrize("where", [(0, 0), (1, 2)])  # at a row's maximum or below it
@pytest.mark.parametrize("target", [[0, 1], [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]]])
def test_cross_entropy_refuses_nan_and_infinite_logits(function, bad, message, where, target):
    logits = np.array([[3.0, 1.0, 2.0], [0.0, 5.0, 1.0]])
    logits[where] = bad
    with pytest.raises(ValueError, match=message):
        function(logits, np.array(target))


def test_cross_entropy_of_logits_further_apart_than_the_largest_float():
    # z - max(z) overflows to -inf, whose exp is the true 0: no warning, the right values
    big = np.finfo(np.float64).max
    logits = np.array([[big, -big, 0.0], [0.0, 1.0, 2.0]])
    values = cross_entropy(logits, [0, 2], reduction="none")
    grad = cross_entropy_grad(logits, [0, 2], reduction="sum")
    np.testing.assert_array_equal(values[0], 0.0)
    np.testing.assert_allclose(values[1], np.log1p(np.exp(-1) + np.exp(-2)), rtol=1e-15)
    np.testing.assert_array_equal(grad[0], [0.0, 0.0, 0.0])
    small = np.finfo(np.float32).max
    logits32 = np.array([[small, -small]], dtype=np.float32)
    assert cross_entropy(logits32, [0]) == 0.0  # float32 overflows at its own largest value


@pytest.mark.parametrize("dtype", [np.int8, np.int16, np.int32, np.int64, np.uint8, np.uint64])
def test_class_indices_out_of_range_in_every_integer_dtype(dtype):
    logits = np.zeros((3, 4))
    assert cross_entropy(logits, np.array([0, 3, 1], dtype=dtype)) == pytest.approx(np.log(4))
    with pytest.raises(
        ValueError,
        match=r"class indices in \[0, 3\] for input with 4 classes; got values in \[0, 4\]",
    ):
        cross_entropy(logits, np.array([0, 4, 1], dtype=dtype))
    if np.issubdtype(dtype, np.signedinteger):
        with pytest.raises(ValueError, match=r"got values in \[-1, 2\]"):
            cross_entropy(logits, np.array([0, -1, 2], dtype=dtype))


def test_cross_entropy_gradient_keeps_tiny_probabilities():
    # p_target = 1 - 2e-30: the gradient there is -2e-30, not 1 - 1 = 0
    grad = cross_entropy_grad([0.0, -69.0, -69.0], 0, reduction="sum")
    np.testing.assert_allclose(grad, [-2 * math.exp(-69), math.exp(-69), math.exp(-69)], rtol=1e-14)


def test_cross_entropy_of_a_confident_sample_keeps_its_digits():
    # -log p_0 = log(1 + 2 e^-40) = 8.5e-18; log of the summed softmax would round it to 0
    expected = float(mpmath.log1p(2 * mpmath.exp(-40)))
    logits = [0.0, -40.0, -40.0]
    assert cross_entropy(logits, 0, reduction="sum") == pytest.approx(expected, rel=1e-14)
    assert cross_entropy([logits], [0]) == pytest.approx(expected, rel=1e-14)


def test_binary_cross_entropy_at_zero_and_one():
    with np.errstate(**RAISE):
        assert binary_cross_entropy(0.0, 1.0) == 100.0
        assert binary_cross_entropy_grad(0.0, 1.0) == -1 / TORCH_BCE_EPSILON
        assert binary_cross_entropy(np.float32(1), np.float32(0)) == 100.0
        grad = binary_cross_entropy_grad([1.0, 0.0], [0.0, 0.0], reduction="sum")
    np.testing.assert_allclose(grad, [1 / TORCH_BCE_EPSILON, 0.0], rtol=1e-15)


def test_regression_losses_with_huge_errors():
    with np.errstate(**RAISE):
        assert huber_loss(1e300, 0.0) == pytest.approx(1e300, rel=1e-15)
        assert smooth_l1_loss(1e300, 0.0, beta=1e-300) == pytest.approx(1e300, rel=1e-15)
        assert smooth_l1_loss_grad(-1e300, 0.0, beta=1e-300) == -1.0
        assert multi_margin_loss([1e300, -1e300], 1) == pytest.approx(1e300, rel=1e-15)


def test_cosine_at_huge_and_tiny_norms():
    with np.errstate(**RAISE):
        huge = cosine_similarity([1e200, 1e200], [1e200, 0.0])
        tiny = cosine_similarity([3e-170, 4e-170], [4e-170, 3e-170], eps=1e-300)
        clamped = cosine_similarity([3e-200, 4e-200], [4.0, 3.0])
        grad = cosine_loss_grad([[1e200, 1e200]], [[1e200, 0.0]])
    assert huge == pytest.approx(1 / math.sqrt(2), rel=1e-15)
    assert tiny == pytest.approx(0.96, rel=1e-15)  # the squares underflow; the scaled norm does not
    assert clamped == pytest.approx(24e-200 / (1e-8 * 5), rel=1e-15)  # ||x1|| clamped at eps
    np.testing.assert_allclose(grad, [[-1e-200 / math.sqrt(8), 1e-200 / math.sqrt(8)]], rtol=1e-14)


def test_kl_div_with_very_negative_log_probabilities():
    with np.errstate(**RAISE):
        assert kl_div([-1e4, 0.0], [0.0, 1.0]) == 0.0
        assert kl_div([-1e4, 0.0], [1.0, 0.0]) == 1e4


# --- validation: every error names the argument and the expectation ----------------------------

LOGITS = np.zeros((4, 3))
ERRORS = [
    (
        "mse_loss",
        ([1.0, 2.0, 3.0], [1.0, 2.0]),
        {},
        ValueError,
        r"target has shape \(2,\), expected \(3,\)",
    ),
    (
        "l1_loss",
        (np.zeros((3, 1)), np.zeros(3)),
        {},
        ValueError,
        r"target has shape \(3,\), expected \(3, 1\)",
    ),
    ("mse_loss", ([1.0, np.nan], [1.0, 2.0]), {}, ValueError, "input must not contain NaN"),
    ("mse_loss", (["a"], [1.0]), {}, TypeError, "input must be a real numeric array"),
    (
        "mse_loss",
        ([1.0], [1.0]),
        {"reduction": "avg"},
        ValueError,
        r"reduction must be one of 'mean', 'sum', 'none'; got 'avg'",
    ),
    (
        "mse_loss",
        ([1.0], [1.0]),
        {"reduction": "batchmean"},
        ValueError,
        "reduction must be one of",
    ),
    ("mse_loss", ([], []), {}, ValueError, "input is empty"),
    ("huber_loss", ([1.0], [0.0]), {"delta": 0.0}, ValueError, "delta must be > 0; got 0.0"),
    ("huber_loss", ([1.0], [0.0]), {"delta": -1.0}, ValueError, "delta must be > 0"),
    ("smooth_l1_loss", ([1.0], [0.0]), {"beta": -1.0}, ValueError, "beta must be >= 0; got -1.0"),
    (
        "hinge_loss",
        ([1.0, 2.0], [0, 1]),
        {},
        ValueError,
        r"target must contain labels -1 or \+1; got \[0\.\]",
    ),
    ("hinge_loss", ([1.0], [1.0, -1.0]), {}, ValueError, "target has shape"),
    (
        "multi_margin_loss",
        (LOGITS, [0, 1, 2]),
        {},
        ValueError,
        r"target has shape \(3,\), expected \(4,\) to match input's batch size",
    ),
    ("multi_margin_loss", (LOGITS, [0, 1, 2, 3]), {}, ValueError, r"class indices in \[0, 2\]"),
    (
        "multi_margin_loss",
        (LOGITS, [0, 1, 2, 0]),
        {"margin": -1.0},
        ValueError,
        "margin must be >= 0",
    ),
    ("multi_margin_loss", (LOGITS, [0, 1, 2, 0]), {"p": 3}, ValueError, "p must be 1 or 2"),
    (
        "binary_cross_entropy",
        ([0.5, 1.5], [0.0, 1.0]),
        {},
        ValueError,
        r"input must contain probabilities in \[0, 1\]",
    ),
    (
        "binary_cross_entropy",
        ([0.5], [-0.5]),
        {},
        ValueError,
        r"target must contain probabilities in \[0, 1\]",
    ),
    (
        "binary_cross_entropy",
        ([0.5], [1.0]),
        {"base": 1},
        ValueError,
        "base must be a finite number > 0 and != 1",
    ),
    (
        "binary_cross_entropy",
        ([0.5], [1.0]),
        {"base": -2.0},
        ValueError,
        "base must be a finite number > 0",
    ),
    (
        "binary_cross_entropy_with_logits",
        ([5.0], [2.0]),
        {},
        ValueError,
        "target must contain probabilities",
    ),
    (
        "binary_cross_entropy_with_logits",
        (np.zeros((2, 2)), np.zeros((2, 2))),
        {"pos_weight": [1.0, 2.0, 3.0]},
        ValueError,
        r"pos_weight has shape \(3,\), expected a scalar or shape \(2,\)",
    ),
    (
        "binary_cross_entropy_with_logits",
        ([0.0], [1.0]),
        {"pos_weight": -1.0},
        ValueError,
        "pos_weight must be >= 0",
    ),
    (
        "cross_entropy",
        (LOGITS, [0, 1, 2]),
        {},
        ValueError,
        r"target has shape \(3,\), expected \(4,\) to match input's batch size",
    ),
    (
        "cross_entropy",
        (LOGITS, [0, 1, 2, 3]),
        {},
        ValueError,
        r"class indices in \[0, 2\] for input with 3 classes; got values in \[0, 3\]",
    ),
    ("cross_entropy", (LOGITS, [0, -1, 2, 0]), {}, ValueError, r"class indices in \[0, 2\]"),
    (
        "cross_entropy",
        (LOGITS, np.zeros((4, 2))),
        {},
        ValueError,
        r"target has shape \(4, 2\), expected \(4, 3\)",
    ),
    (
        "cross_entropy",
        (LOGITS, np.full((4, 3), 1.5)),
        {},
        ValueError,
        r"target must contain probabilities in \[0, 1\]",
    ),
    (
        "cross_entropy",
        (np.zeros((2, 3, 4)), [0, 1]),
        {},
        ValueError,
        r"input must have shape \(N, C\) or \(C,\)",
    ),
    ("cross_entropy", (np.zeros((2, 0)), [0, 1]), {}, ValueError, r"C >= 1 classes"),
    (
        "cross_entropy",
        (LOGITS, [0, 1, 2, 0]),
        {"label_smoothing": 1.5},
        ValueError,
        r"label_smoothing must be in \[0, 1\]",
    ),
    (
        "cross_entropy",
        (LOGITS, [0, 1, 2, 0]),
        {"label_smoothing": -0.1},
        ValueError,
        "label_smoothing must be >= 0",
    ),
    ("cross_entropy", (np.zeros((0, 3)), np.zeros(0, dtype=int)), {}, ValueError, "input is empty"),
    (
        "nll_loss",
        (LOGITS, [0.0, 1.0, 2.0, 0.0]),
        {},
        TypeError,
        "target must hold integer class indices; got dtype float64",
    ),
    (
        "nll_loss",
        (LOGITS, [[0], [1], [2], [0]]),
        {},
        ValueError,
        r"target has shape \(4, 1\), expected \(4,\)",
    ),
    (
        "kl_div",
        ([0.0], [1.0]),
        {"reduction": "avg"},
        ValueError,
        "reduction must be one of 'mean', 'batchmean', 'sum', 'none'",
    ),
    ("kl_div", (0.0, 1.0), {}, ValueError, "input must have at least one axis"),
    ("kl_div", ([0.0], [1.5]), {}, ValueError, r"target must contain probabilities in \[0, 1\]"),
    ("kl_div", ([0.0, 0.0], [1.0]), {}, ValueError, r"target has shape \(1,\), expected \(2,\)"),
    (
        "kl_div",
        (np.zeros((0, 2)), np.zeros((0, 2))),
        {},
        ValueError,
        "reduction='batchmean' would average over no elements",
    ),
    (
        "cosine_loss",
        ([1.0, 0.0], [1.0, 0.0]),
        {"eps": -1.0},
        ValueError,
        "eps must be > 0; got -1.0",
    ),
    ("cosine_loss", ([1.0, 0.0], [1.0, 0.0]), {"eps": 0.0}, ValueError, "eps must be > 0"),
    ("cosine_loss", (1.0, 1.0), {}, ValueError, "input must have at least one axis"),
    (
        "cosine_loss",
        (np.ones((2, 3)), np.ones((3, 2))),
        {},
        ValueError,
        r"target has shape \(3, 2\), expected \(2, 3\)",
    ),
]


@pytest.mark.parametrize("with_grad", [False, True], ids=["loss", "grad"])
@pytest.mark.parametrize(("name", "args", "kwargs", "error", "message"), ERRORS)
def test_invalid_arguments_raise_clear_errors(name, args, kwargs, error, message, with_grad):
    function = getattr(losses, f"{name}_grad" if with_grad else name)
    with pytest.raises(error, match=message):
        function(*args, **kwargs)


@pytest.mark.parametrize(
    ("args", "kwargs", "message"),
    [
        (([1.0, 2.0], [1.0, 2.0, 3.0]), {}, r"x2 has shape \(3,\), expected \(2,\) to match x1"),
        (([1.0, 2.0], [1.0, 2.0]), {"axis": 1}, r"axis must be an integer in \[-1, 1\)"),
        (([1.0, 2.0], [1.0, 2.0]), {"eps": -1e-8}, "eps must be > 0"),
        ((1.0, 1.0), {}, r"axis must be an integer in \[0, 0\)"),
    ],
)
def test_cosine_similarity_errors(args, kwargs, message):
    with pytest.raises(ValueError, match=message):
        cosine_similarity(*args, **kwargs)
