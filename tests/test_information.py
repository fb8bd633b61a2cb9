"""Tests of nncourse.information: entropy, cross-entropy and KL divergence of distributions.

Reference values are closed forms or mpmath sums at 60 digits of the same float inputs.
"""

import math

import mpmath as mp
import numpy as np
import pytest
from helpers import RAISE
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import array_shapes, arrays

from nncourse.information import cross_entropy, entropy, kl_divergence

mp.mp.dps = 60

# ---------------------------------------------------------------------------------------------
# Strategies: probability vectors along the last axis, some entries exactly 0
# ---------------------------------------------------------------------------------------------

weights = st.floats(0.0, 1.0) | st.just(0.0)
batch_shapes = array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=5)


def normalise(w: np.ndarray) -> np.ndarray:
    w = np.array(w, dtype=np.float64)
    w[..., 0] += w.sum(axis=-1) == 0  # at least one positive entry per row
    return w / w.sum(axis=-1, keepdims=True)


@st.composite
def distribution_pairs(draw, positive_q=False):
    shape = draw(batch_shapes)
    p = normalise(draw(arrays(np.float64, shape, elements=weights)))
    q_elements = st.floats(1e-3, 1.0) if positive_q else weights
    q = normalise(draw(arrays(np.float64, shape, elements=q_elements)))
    return p, q


def mp_sum(terms):
    return float(mp.fsum(terms))


def mp_entropy(p):
    return mp_sum(-mp.mpf(x) * mp.log(x) for x in p if x > 0)


def mp_cross_entropy(p, q):
    return mp_sum(-mp.mpf(x) * mp.log(y) for x, y in zip(p, q, strict=True) if x > 0)


def mp_kl(p, q):
    return mp_sum(
        mp.mpf(x) * mp.log(mp.mpf(x) / mp.mpf(y)) for x, y in zip(p, q, strict=True) if x > 0
    )


# ---------------------------------------------------------------------------------------------
# Hand values and high-precision references
# ---------------------------------------------------------------------------------------------


def test_entropy_hand_values():
    assert entropy([0.5, 0.5], base=2) == 1.0
    assert entropy([0.25] * 4) == pytest.approx(math.log(4), rel=1e-15)
    assert entropy([0.5, 0.25, 0.25], base=2) == pytest.approx(1.5, rel=1e-15)
    assert entropy([1.0]) == 0.0
    assert entropy([0.2, 0.8], base=10) == pytest.approx(
        -(0.2 * math.log10(0.2) + 0.8 * math.log10(0.8)), rel=1e-14
    )


def test_entropy_of_a_certain_outcome_is_exactly_zero_without_warning():
    with np.errstate(**RAISE):
        value = entropy([1, 0])
        batch = entropy([[1.0, 0.0, 0.0], [0.0, 0.0, 1.0]])
    assert value == 0.0
    assert math.copysign(1.0, value) == 1.0  # +0.0, not -0.0
    np.testing.assert_array_equal(batch, [0.0, 0.0])


def test_cross_entropy_and_kl_hand_values():
    p, q = [0.5, 0.5], [0.25, 0.75]
    assert cross_entropy(p, q, base=2) == pytest.approx(
        -0.5 * (math.log2(0.25) + math.log2(0.75)), rel=1e-15
    )
    assert kl_divergence(p, q, base=2) == pytest.approx(0.5 + 0.5 * math.log2(2 / 3), rel=1e-14)
    assert cross_entropy([1.0, 0.0], [0.5, 0.5], base=2) == 1.0
    assert kl_divergence([1.0, 0.0], [0.5, 0.5]) == pytest.approx(math.log(2), rel=1e-15)
    assert kl_divergence(p, p) == 0.0
    assert cross_entropy(p, p) == entropy(p)


def test_against_mpmath_including_tiny_probabilities():
    rng = np.random.default_rng(3)
    cases = [
        (normalise(rng.random(7)), normalise(rng.random(7))),
        (np.array([1.0, 5e-324]), np.array([0.5, 0.5])),  # a subnormal probability
        (np.array([0.5, 0.5]), np.array([1.0, 5e-324])),  # a subnormal model probability
        (np.array([0.25, 0.75, 0.0]), np.array([1e-300, 1 - 1e-12, 1e-12])),
    ]
    with np.errstate(**RAISE):
        for p, q in cases:
            assert entropy(p) == pytest.approx(mp_entropy(p), rel=1e-13, abs=1e-300)
            assert cross_entropy(p, q) == pytest.approx(mp_cross_entropy(p, q), rel=1e-13)
            assert kl_divergence(p, q) == pytest.approx(mp_kl(p, q), rel=1e-12)


def test_kl_of_nearly_equal_distributions_is_accurate():
    rng = np.random.default_rng(4)
    p = normalise(rng.random(6) + 0.1)
    # KL ~ delta**2 is a sum of terms ~ delta of both signs: each term is exact to a few ulp,
    # the sum's relative error grows like 1e-16 / delta (log p - log q would give 1e-16 / delta**2)
    for delta, rtol in ((1e-2, 1e-12), (1e-3, 1e-12), (1e-5, 1e-10)):
        q = normalise(p * (1 + delta * rng.standard_normal(6)))
        expected = mp_kl(p, q)  # of the same float inputs
        assert expected > 0
        assert kl_divergence(p, q) == pytest.approx(expected, rel=rtol)


def test_base_two_gives_bits():
    p = [0.125] * 8
    assert entropy(p, base=2) == pytest.approx(3.0, rel=1e-15)
    assert entropy(p, base=2) == pytest.approx(entropy(p) / math.log(2), rel=1e-15)
    assert entropy(p, base=np.float64(2.0)) == pytest.approx(3.0, rel=1e-15)


# ---------------------------------------------------------------------------------------------
# q_i = 0 < p_i: the one place where +inf is the right answer
# ---------------------------------------------------------------------------------------------


def test_zero_model_probability_gives_infinity_without_warning():
    with np.errstate(**RAISE):
        assert cross_entropy([0.5, 0.5], [1.0, 0.0]) == math.inf
        assert kl_divergence([0.5, 0.5], [1.0, 0.0]) == math.inf
        batch = kl_divergence([[0.5, 0.5], [1.0, 0.0]], [[1.0, 0.0], [1.0, 0.0]])
        # 0 log(0 / 0) = 0: a zero in both is fine
        assert kl_divergence([1.0, 0.0], [1.0, 0.0]) == 0.0
        assert cross_entropy([1.0, 0.0], [1.0, 0.0]) == 0.0
    np.testing.assert_array_equal(batch, [math.inf, 0.0])


# ---------------------------------------------------------------------------------------------
# Properties
# ---------------------------------------------------------------------------------------------


@given(pair=distribution_pairs())
def test_identity_cross_entropy_is_entropy_plus_kl(pair):
    p, q = pair
    with np.errstate(**RAISE):
        np.testing.assert_allclose(
            cross_entropy(p, q), entropy(p) + kl_divergence(p, q), rtol=1e-12, atol=1e-12
        )


@given(pair=distribution_pairs())
def test_kl_is_nonnegative_and_positive_when_distributions_differ(pair):
    p, q = pair
    kl = np.asarray(kl_divergence(p, q))
    assert np.all(kl >= -1e-15)
    differ = np.abs(p - q).max(axis=-1) > 1e-6
    assert np.all(kl[differ] > 0)
    assert np.all(np.asarray(kl_divergence(p, p)) == 0)


@given(pair=distribution_pairs(positive_q=True))
def test_shapes_bounds_and_batches(pair):
    p, q = pair
    n_classes = p.shape[-1]
    h = entropy(p)
    expected_shape = p.shape[:-1]
    if expected_shape:
        assert np.shape(h) == expected_shape
        assert np.shape(cross_entropy(p, q)) == expected_shape
        assert np.shape(kl_divergence(p, q)) == expected_shape
        rows_p, rows_q = p.reshape(-1, n_classes), q.reshape(-1, n_classes)
        np.testing.assert_array_equal(
            np.ravel(kl_divergence(p, q)),
            [kl_divergence(a, b) for a, b in zip(rows_p, rows_q, strict=True)],
        )
    else:
        assert isinstance(h, float)
    assert np.all(np.asarray(h) >= 0)
    assert np.all(np.asarray(h) <= math.log(n_classes) + 1e-12)
    assert np.all(np.isfinite(cross_entropy(p, q)))
    np.testing.assert_allclose(entropy(p, base=2), np.asarray(h) / math.log(2), rtol=1e-14)


def test_float32_batches_keep_float32_and_integers_are_accepted():
    p = np.array([[0.5, 0.5], [0.25, 0.75]], dtype=np.float32)
    for value in (entropy(p), cross_entropy(p, p[::-1]), kl_divergence(p, p[::-1])):
        assert value.dtype == np.float32
    assert entropy([0, 1]) == 0.0
    assert kl_divergence([[0, 1]], [[0, 1]]).dtype == np.float64


def test_sum_tolerance_is_one_in_a_million():
    assert entropy([0.5, 0.5 + 5e-7]) == pytest.approx(
        -(0.5 * math.log(0.5) + (0.5 + 5e-7) * math.log(0.5 + 5e-7)), rel=1e-15
    )
    with pytest.raises(ValueError, match="p must sum to 1"):
        entropy([0.5, 0.5 + 2e-6])


# ---------------------------------------------------------------------------------------------
# Errors
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("function", [entropy, cross_entropy, kl_divergence])
def test_probability_errors(function):
    def call(p, q=None):
        if function is entropy:
            return function(p)
        return function(p, p if q is None else q)

    with pytest.raises(ValueError, match=r"p must contain probabilities in \[0, 1\]; got values"):
        call([-0.1, 1.1])
    with pytest.raises(
        ValueError, match=r"p must sum to 1 along its last axis \(within 1e-06\); got a sum of 0.9"
    ):
        call([0.5, 0.4])
    with pytest.raises(ValueError, match="p must sum to 1 along its last axis"):
        call(np.ones((2, 0)))
    with pytest.raises(ValueError, match=r"p must be a probability vector .*; got a scalar"):
        call(1.0)
    with pytest.raises(ValueError, match="p must not contain NaN"):
        call([np.nan, 1.0])
    with pytest.raises(ValueError, match="p must contain only finite numbers"):
        call([np.inf, 0.0])
    with pytest.raises(TypeError, match="p must be a real numeric array"):
        call(["a", "b"])


@pytest.mark.parametrize("function", [cross_entropy, kl_divergence])
def test_pair_errors(function):
    with pytest.raises(
        ValueError,
        match=r"q has shape \(3,\), expected \(2,\) to match p's shape \(no broadcasting",
    ):
        function([0.5, 0.5], [0.2, 0.3, 0.5])
    with pytest.raises(ValueError, match=r"q has shape \(1, 2\), expected \(2,\)"):
        function([0.5, 0.5], [[0.5, 0.5]])
    with pytest.raises(ValueError, match=r"q must contain probabilities in \[0, 1\]"):
        function([0.5, 0.5], [1.5, -0.5])
    with pytest.raises(ValueError, match="q must sum to 1 along its last axis"):
        function([0.5, 0.5], [0.5, 0.6])


@pytest.mark.parametrize("base", [1, 1.0, 0, -2.0, math.inf, math.nan])
def test_base_value_errors(base):
    with pytest.raises(
        ValueError,
        match=r"base must be a finite number > 0 and != 1 \(e.g. 2 for bits, None for nats\)",
    ):
        entropy([0.5, 0.5], base=base)


@pytest.mark.parametrize(("base", "kind"), [("2", "str"), (True, "bool"), ([2], "list")])
def test_base_type_errors(base, kind):
    with pytest.raises(TypeError, match=f"base must be a real number or None; got {kind}"):
        kl_divergence([0.5, 0.5], [0.5, 0.5], base=base)


def test_zero_probability_against_the_smallest_subnormal_is_not_a_close_pair():
    """p_i = 0 with q_i = 5e-324: 0.5 * q_i rounds to 0, yet the term is 0, not log1p(-1)."""
    tiny = np.nextafter(0.0, 1.0)
    p, q = np.array([1.0, 0.0]), np.array([1.0, tiny])
    with np.errstate(**RAISE):
        assert kl_divergence(p, q) == 0.0
        assert kl_divergence(p[::-1], q[::-1]) == 0.0
        assert cross_entropy(p, q) == 0.0
        assert entropy(p) == 0.0
