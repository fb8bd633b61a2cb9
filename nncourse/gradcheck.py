r"""Finite-difference gradient checks: the machine that checks every derivation in the book.

The central difference

.. math:: \frac{\partial f}{\partial x_i} \approx \frac{f(x + \varepsilon e_i) - f(x - \varepsilon e_i)}{2\varepsilon}

has error :math:`O(\varepsilon^2)`; with :math:`\varepsilon = 10^{-6}` in float64 it agrees with an
exact gradient to about 1e-9 for smooth functions of moderate size.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from ._validation import as_float_array, check_positive

__all__ = ["GradCheckResult", "check_gradient", "numerical_gradient", "numerical_jacobian"]


def _perturbed_values(f: Callable, x: np.ndarray, eps: float):
    """Yield ``(i, f(x + eps e_i), f(x - eps e_i))`` for every flat index `i` of `x` (float64)."""
    x = np.array(x, dtype=np.float64)  # a private copy: f never sees a half-perturbed caller array
    flat = x.reshape(-1)
    for i in range(flat.size):
        original = flat[i]
        flat[i] = original + eps
        plus = np.asarray(f(x), dtype=np.float64)
        flat[i] = original - eps
        minus = np.asarray(f(x), dtype=np.float64)
        flat[i] = original
        yield i, plus, minus


def numerical_gradient(f: Callable[[np.ndarray], float], x: ArrayLike, eps: float = 1e-6) -> np.ndarray:
    r"""Central-difference gradient of a scalar function, in float64.

    .. math:: g_i = \frac{f(x + \varepsilon e_i) - f(x - \varepsilon e_i)}{2\varepsilon}

    Parameters
    ----------
    f : callable
        Takes an array shaped like `x` and returns a scalar.
    x : array_like
        The point at which to differentiate.
    eps : float, default 1e-6
        Step size, > 0.

    Returns
    -------
    ndarray
        float64 array with the shape of `x`.

    Examples
    --------
    >>> numerical_gradient(lambda v: (v ** 2).sum(), [1.0, -2.0]).round(6)
    array([ 2., -4.])
    """
    x = as_float_array(x, "x")
    check_positive(eps, "eps")
    grad = np.empty(x.size, dtype=np.float64)
    for i, plus, minus in _perturbed_values(f, x, eps):
        if plus.size != 1:
            raise ValueError(
                f"f must return a scalar; it returned shape {plus.shape}. "
                "Use numerical_jacobian for vector-valued functions, or sum the output."
            )
        grad[i] = (plus.item() - minus.item()) / (2 * eps)
    return grad.reshape(x.shape)


def numerical_jacobian(f: Callable[[np.ndarray], ArrayLike], x: ArrayLike, eps: float = 1e-6) -> np.ndarray:
    r"""Central-difference Jacobian :math:`J_{ij} = \partial f_i / \partial x_j`, flattened.

    Parameters
    ----------
    f : callable
        Takes an array shaped like `x` and returns an array of any shape.
    x : array_like
        The point at which to differentiate.
    eps : float, default 1e-6
        Step size, > 0.

    Returns
    -------
    ndarray
        Shape ``(f(x).size, x.size)``, float64.

    Examples
    --------
    >>> numerical_jacobian(lambda v: v ** 2, [1.0, 3.0]).round(6)
    array([[2., 0.],
           [0., 6.]])
    """
    x = as_float_array(x, "x")
    check_positive(eps, "eps")
    columns = [((plus - minus) / (2 * eps)).reshape(-1) for _, plus, minus in _perturbed_values(f, x, eps)]
    return np.stack(columns, axis=1) if columns else np.zeros((np.asarray(f(x)).size, 0))


@dataclass(frozen=True)
class GradCheckResult:
    """Outcome of a gradient check: the two gradients and how far apart they are.

    ``ok`` is true when every entry satisfies ``|analytic - numeric| <= atol + rtol * |numeric|``
    (the rule of :func:`numpy.isclose`).
    """

    analytic: np.ndarray
    numeric: np.ndarray
    rtol: float
    atol: float
    name: str = "gradient"

    @property
    def abs_error(self) -> np.ndarray:
        return np.abs(self.analytic - self.numeric)

    @property
    def max_abs_error(self) -> float:
        return float(self.abs_error.max(initial=0.0))

    @property
    def max_rel_error(self) -> float:
        """Largest ``|analytic - numeric| / max(|analytic|, |numeric|)``; 0 where both are 0."""
        scale = np.maximum(np.abs(self.analytic), np.abs(self.numeric))
        rel = np.divide(self.abs_error, scale, out=np.zeros_like(scale), where=scale > 0)
        return float(rel.max(initial=0.0))

    @property
    def ok(self) -> bool:
        return bool(np.all(self.abs_error <= self.atol + self.rtol * np.abs(self.numeric)))

    def worst(self, k: int = 5) -> list[tuple[tuple[int, ...], float, float, float]]:
        """The `k` entries with the largest excess over the tolerance: (index, analytic, numeric, error)."""
        excess = self.abs_error - (self.atol + self.rtol * np.abs(self.numeric))
        order = np.argsort(excess, axis=None)[::-1][:k]
        return [
            (
                np.unravel_index(i, self.analytic.shape),
                float(self.analytic.flat[i]),
                float(self.numeric.flat[i]),
                float(self.abs_error.flat[i]),
            )
            for i in order
        ]

    def __str__(self) -> str:
        verdict = "OK" if self.ok else "FAILED"
        lines = [
            f"{self.name} check {verdict}: max abs error {self.max_abs_error:.3g}, "
            f"max rel error {self.max_rel_error:.3g} (rtol={self.rtol:g}, atol={self.atol:g})",
            f"{'index':>14}  {'analytic':>14}  {'numeric':>14}  {'abs error':>10}",
        ]
        for index, analytic, numeric, error in self.worst():
            lines.append(f"{index!s:>14}  {analytic:>14.8g}  {numeric:>14.8g}  {error:>10.3g}")
        return "\n".join(lines)

    def raise_if_failed(self) -> GradCheckResult:
        """Raise AssertionError with the table of worst entries unless the check passed."""
        if not self.ok:
            raise AssertionError(str(self))
        return self


def check_gradient(
    f: Callable[[np.ndarray], float],
    grad_f: Callable[[np.ndarray], ArrayLike],
    x: ArrayLike,
    eps: float = 1e-6,
    rtol: float = 1e-5,
    atol: float = 1e-8,
) -> GradCheckResult:
    r"""Compare an analytic gradient with central differences, in float64.

    Parameters
    ----------
    f : callable
        Scalar function of an array shaped like `x`.
    grad_f : callable
        Your gradient of `f`; must return an array shaped like `x`.
    x : array_like
        The point to check at (converted to float64 whatever its dtype).
    eps : float, default 1e-6
        Finite-difference step, > 0.
    rtol, atol : float
        Tolerances, as in :func:`numpy.isclose`.

    Returns
    -------
    GradCheckResult
        With ``ok``, ``max_abs_error``, ``max_rel_error``, a readable table, ``raise_if_failed()``.

    Examples
    --------
    >>> result = check_gradient(lambda v: (v ** 3).sum(), lambda v: 3 * v ** 2, [1.0, 2.0])
    >>> result.ok
    True
    >>> check_gradient(lambda v: (v ** 3).sum(), lambda v: 2 * v ** 2, [1.0, 2.0]).ok
    False
    """
    x = as_float_array(x, "x").astype(np.float64)
    check_positive(rtol, "rtol", strict=False)
    check_positive(atol, "atol", strict=False)
    numeric = numerical_gradient(f, x, eps)
    analytic = np.asarray(grad_f(x.copy()), dtype=np.float64)
    if analytic.shape != x.shape:
        raise ValueError(
            f"grad_f returned shape {analytic.shape}, expected {x.shape} (the shape of x): "
            "a gradient has one entry per input entry."
        )
    return GradCheckResult(analytic=analytic, numeric=numeric, rtol=rtol, atol=atol)
