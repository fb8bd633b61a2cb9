r"""Information measures of discrete distributions: entropy, cross-entropy, KL divergence.

Each function takes probability vectors along the last axis (a batch ``(..., K)`` gives one value
per row) and uses the convention :math:`0 \log 0 = 0`.

**Why a second** ``cross_entropy``. :func:`cross_entropy` here is the information-theoretic
quantity :math:`H(p, q)` of two probability distributions. The loss
``nncourse.cross_entropy(input, target)`` (PyTorch's ``torch.nn.functional.cross_entropy``) takes
*logits* and class indices (or target probabilities), applies a log-softmax itself and, by
default, averages over the batch: for target distributions :math:`p` and logits :math:`z` it is
the mean over rows of :math:`H(p, \operatorname{softmax}(z))`. The two share a name and a formula
but not their arguments, which is why this module is reached as ``nncourse.information`` and not
from the package top level.

**Infinity.** Where some :math:`q_i = 0 < p_i`, the true cross-entropy and KL divergence are
:math:`+\infty`, and that is what is returned, without a warning. It is the one exception to the
rule that finite input gives finite output.

**Validation.** Entries must lie in [0, 1] and each vector must sum to 1 within 1e-6 (the sum is
computed in float64), so rounded or float32 probabilities are accepted but unnormalised weights
are not. The sums are not renormalised: the value is that of the vectors as given.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from ._validation import as_float_array, check_in_unit_interval, check_same_shape, log_of_base

__all__ = ["cross_entropy", "entropy", "kl_divergence"]

SUM_TOLERANCE = 1e-6


def _check_distribution(p: ArrayLike, name: str) -> np.ndarray:
    """`p` as a float array of probability vectors along the last axis."""
    p = as_float_array(p, name)
    if p.ndim == 0:
        raise ValueError(
            f"{name} must be a probability vector (at least one dimension); got a scalar."
        )
    check_in_unit_interval(p, name)
    totals = p.sum(axis=-1, dtype=np.float64)
    if np.any(np.abs(totals - 1) > SUM_TOLERANCE):
        worst = float(totals.flat[np.argmax(np.abs(totals - 1))]) if totals.size else 0.0
        raise ValueError(
            f"{name} must sum to 1 along its last axis (within {SUM_TOLERANCE:g}); got a sum of "
            f"{worst:.10g}. Normalise it, e.g. {name} / {name}.sum(axis=-1, keepdims=True)."
        )
    return p


def _check_pair(p: ArrayLike, q: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    p, q = _check_distribution(p, "p"), _check_distribution(q, "q")
    check_same_shape(p, q, "q", input_name="p")
    return p, q


def _log(x: np.ndarray, at_zero: float) -> np.ndarray:
    """log(x), with `at_zero` where x == 0: log is not evaluated there, so it cannot warn."""
    return np.log(x, out=np.full_like(x, at_zero), where=x > 0)


def _weighted_by(p: np.ndarray, values: np.ndarray) -> np.ndarray:
    """p * values where p > 0, else 0: the convention 0 log(anything) = 0, with no 0 * inf."""
    return np.multiply(p, values, out=np.zeros_like(p), where=p > 0)


def _finish(terms: np.ndarray, base: float | None) -> float | np.ndarray:
    """Sum the per-class terms over the last axis; a float for one vector, an array for a batch."""
    total = terms.sum(axis=-1) / log_of_base(base) + 0.0  # + 0.0 turns -0.0 into 0.0
    return float(total) if total.ndim == 0 else total


def entropy(p: ArrayLike, base: float | None = None) -> float | np.ndarray:
    r"""Shannon entropy of probability vectors along the last axis.

    .. math:: H(p) = -\sum_i p_i \log p_i, \qquad 0 \log 0 = 0

    Same definition as ``torch.distributions.Categorical(probs=p).entropy()`` and
    ``scipy.stats.entropy(p)``; unlike SciPy, `p` is not normalised for you.

    Parameters
    ----------
    p : array_like
        Probabilities, shape ``(..., K)``, each row summing to 1.
    base : float, optional
        Logarithm base: None for nats (natural log), 2 for bits.

    Returns
    -------
    float or ndarray
        A float for one vector, shape ``(...)`` for a batch; in :math:`[0, \log K]`.

    Examples
    --------
    >>> entropy([0.5, 0.5], base=2)
    1.0
    >>> entropy([1.0, 0.0])
    0.0
    >>> entropy([[0.25, 0.25, 0.25, 0.25], [1.0, 0.0, 0.0, 0.0]], base=2)
    array([2., 0.])
    """
    p = _check_distribution(p, "p")
    return _finish(_weighted_by(p, -_log(p, 0.0)), base)


def cross_entropy(p: ArrayLike, q: ArrayLike, base: float | None = None) -> float | np.ndarray:
    r"""Cross-entropy of distribution `q` relative to `p`, along the last axis.

    .. math:: H(p, q) = -\sum_i p_i \log q_i, \qquad 0 \log q_i = 0

    The expected code length, in nats (or bits with ``base=2``), when outcomes drawn from `p` are
    encoded with a code built for `q`. Infinite where some :math:`q_i = 0 < p_i`. This takes two
    probability vectors; the loss of the same name takes logits (see the module docstring).

    Parameters
    ----------
    p : array_like
        The distribution the outcomes come from, shape ``(..., K)``, rows summing to 1.
    q : array_like
        The distribution the code is built for (a model's prediction), same shape as `p`.
    base : float, optional
        Logarithm base: None for nats, 2 for bits (the average length of a binary code).

    Returns
    -------
    float or ndarray
        A float for one vector, shape ``(...)`` for a batch; :math:`H(p, q) \ge H(p)`, with
        equality only where :math:`q = p`.

    Examples
    --------
    >>> round(cross_entropy([0.5, 0.5], [0.25, 0.75], base=2), 6)
    1.207519
    >>> cross_entropy([1.0, 0.0], [0.5, 0.5], base=2)
    1.0
    >>> cross_entropy([0.5, 0.5], [1.0, 0.0])
    inf
    """
    p, q = _check_pair(p, q)
    return _finish(_weighted_by(p, -_log(q, -np.inf)), base)  # +inf where q = 0 < p


def kl_divergence(p: ArrayLike, q: ArrayLike, base: float | None = None) -> float | np.ndarray:
    r"""Kullback-Leibler divergence :math:`D_{KL}(p \Vert q)` along the last axis.

    .. math::

        D_{KL}(p \Vert q) = \sum_i p_i \log \frac{p_i}{q_i} = H(p, q) - H(p) \ge 0,
        \qquad 0 \log \frac{0}{q_i} = 0

    Infinite where some :math:`q_i = 0 < p_i`. The same quantity as
    ``torch.distributions.kl_divergence`` of two ``Categorical`` distributions and
    ``scipy.stats.entropy(p, q)``. The loss ``nncourse.kl_div`` (PyTorch's
    ``torch.nn.functional.kl_div``) computes it from log-probabilities, with its arguments in
    the opposite order.

    Where :math:`p_i` and :math:`q_i` are within a factor of 2, the term is computed as
    :math:`p_i \operatorname{log1p}((p_i - q_i)/q_i)`: the difference is exact there, so each
    term keeps full relative accuracy instead of the rounding noise of
    :math:`\log p_i - \log q_i`. For distributions that differ by :math:`\delta` the divergence
    is of order :math:`\delta^2` while the terms are of order :math:`\delta`, so the sum is exact
    to about :math:`10^{-16}/\delta` relative (1e-12 at :math:`\delta = 10^{-4}`).

    Parameters
    ----------
    p : array_like
        The reference distribution, shape ``(..., K)``, rows summing to 1. The divergence is
        not symmetric: :math:`D_{KL}(p \Vert q) \ne D_{KL}(q \Vert p)` in general.
    q : array_like
        The approximating distribution, same shape as `p`.
    base : float, optional
        Logarithm base: None for nats, 2 for bits (the extra bits per outcome paid for coding
        with `q` instead of `p`).

    Returns
    -------
    float or ndarray
        A float for one vector, shape ``(...)`` for a batch; :math:`\ge 0`, and 0 only where
        :math:`q = p`.

    Examples
    --------
    >>> round(kl_divergence([0.5, 0.5], [0.25, 0.75], base=2), 6)
    0.207519
    >>> kl_divergence([0.5, 0.5], [0.5, 0.5])
    0.0
    >>> kl_divergence([0.5, 0.5], [1.0, 0.0])
    inf
    """
    p, q = _check_pair(p, q)
    # log p is only used where p > 0, so log p - log q is finite there, or +inf where q = 0
    log_ratio = _log(p, 0.0) - _log(q, -np.inf)
    # p > 0 (so q > 0): for the smallest subnormal q, 0.5 * q rounds to 0 and p = 0 would pass
    close = (p > 0) & (p >= 0.5 * q) & (p <= 2 * q)
    relative_change = np.divide(p - q, q, out=np.zeros_like(p), where=close)  # p - q is exact
    log_ratio = np.where(close, np.log1p(relative_change), log_ratio)
    return _finish(_weighted_by(p, log_ratio), base)
