"""Numerics that more than one public module computes: the pieces of a stable softmax."""

from __future__ import annotations

import numpy as np


@np.errstate(over="ignore")  # z - m may overflow to -inf, on purpose: see the body
def softmax_parts(
    z: np.ndarray, axis: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    r"""The pieces of softmax, log-softmax, log-sum-exp and cross-entropy, each exact to a few ulp.

    Returns ``(top, shifted, e, rest)``: the maximum :math:`m` along `axis` (kept as a length-1
    axis), :math:`z - m`, :math:`e = \exp(z - m)`, which never overflows and is 1 at the
    maximum, and :math:`S - 1`, the sum of `e` over every entry but one maximum, where
    :math:`S = \sum_j e^{z_j - m}`. With it :math:`\log S` is ``log1p(rest)``, exact even when
    the maximum dominates and ``log(S)`` would round to 0, and :math:`1 - p_k` can be formed
    without cancellation. `z` must be finite (checked by the caller).
    """
    top = z.max(axis=axis, keepdims=True)
    # z - m <= 0, so exp cannot overflow; z - m is exact whenever z + c is, so softmax(z + c) ==
    # softmax(z) bit for bit; logits more than the largest float apart make z - m overflow to
    # -inf, whose exp is the right 0 (the decorator keeps that overflow from warning)
    shifted = z - top
    e = np.exp(shifted)
    below_top = z != top
    rest = e.sum(axis=axis, keepdims=True, where=below_top)
    n_ties = z.size - np.count_nonzero(below_top) - top.size  # maxima beyond one per slice: rare
    if n_ties:
        rest += np.sum(~below_top, axis=axis, keepdims=True) - 1  # each of them adds its e = 1
    return top, shifted, e, rest
