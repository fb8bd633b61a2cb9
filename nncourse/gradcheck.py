r"""Finite-difference gradient checks: the machine that checks every derivation in the book.

The central difference

.. math::

    \frac{\partial f}{\partial x_i}
    \approx \frac{f(x + \varepsilon e_i) - f(x - \varepsilon e_i)}{2\varepsilon}

has error :math:`O(\varepsilon^2)`; with :math:`\varepsilon = 10^{-6}` in float64 it agrees with an
exact gradient to about 1e-9 for smooth functions of moderate size. :func:`check_module` applies
it to a layer: to the gradient its ``backward`` returns and to every parameter's ``.grad``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import ArrayLike

from ._validation import as_float_array, check_positive

if TYPE_CHECKING:
    from .nn import Module, Parameter

__all__ = [
    "GradCheckResult",
    "ModuleCheckResult",
    "check_gradient",
    "check_module",
    "numerical_gradient",
    "numerical_jacobian",
]


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


def numerical_gradient(
    f: Callable[[np.ndarray], float], x: ArrayLike, eps: float = 1e-6
) -> np.ndarray:
    r"""Central-difference gradient of a scalar function, in float64.

    .. math:: g_i = \frac{f(x + \varepsilon e_i) - f(x - \varepsilon e_i)}{2\varepsilon}

    Each entry costs two evaluations of `f`, so the whole gradient costs :math:`2n` for
    :math:`n` entries of `x`: a check, not a way to train.

    Parameters
    ----------
    f : callable
        Takes an array shaped like `x` and returns a scalar (a float or a one-element array).
    x : array_like
        The point at which to differentiate; `f` sees a float64 copy, never `x` itself.
    eps : float, default 1e-6
        Step size :math:`\varepsilon > 0`. The truncation error shrinks as :math:`\varepsilon^2`
        but rounding error grows as :math:`1/\varepsilon`; 1e-6 is near the best balance in
        float64 (about the cube root of the machine epsilon).

    Returns
    -------
    ndarray
        :math:`g_i` for every entry of `x`, float64, with the shape of `x`.

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


def numerical_jacobian(
    f: Callable[[np.ndarray], ArrayLike], x: ArrayLike, eps: float = 1e-6
) -> np.ndarray:
    r"""Central-difference Jacobian :math:`J_{ij} = \partial f_i / \partial x_j`, flattened.

    Column :math:`j` is the central difference of the whole (flattened) output in the direction
    of entry :math:`j` of the flattened `x`, with step `eps` as in :func:`numerical_gradient`.

    Parameters
    ----------
    f : callable
        Takes an array shaped like `x` and returns an array of any shape; row :math:`i` of the
        result belongs to entry :math:`i` of ``f(x).reshape(-1)``.
    x : array_like
        The point; its entries, in row-major order, index the columns.
    eps : float, default 1e-6
        Step size, > 0.

    Returns
    -------
    ndarray
        Shape ``(f(x).size, x.size)``, float64; for a scalar `f` it is the gradient as one row.

    Examples
    --------
    >>> numerical_jacobian(lambda v: v ** 2, [1.0, 3.0]).round(6)
    array([[2., 0.],
           [0., 6.]])
    """
    x = as_float_array(x, "x")
    check_positive(eps, "eps")
    columns = [
        ((plus - minus) / (2 * eps)).reshape(-1) for _, plus, minus in _perturbed_values(f, x, eps)
    ]
    return np.stack(columns, axis=1) if columns else np.zeros((np.asarray(f(x)).size, 0))


def _check_settings(eps: float, rtol: float, atol: float) -> None:
    """The tolerances must be >= 0, the step > 0 (checked in that order)."""
    check_positive(rtol, "rtol", strict=False)
    check_positive(atol, "atol", strict=False)
    check_positive(eps, "eps")


def _raise_unless_ok(
    result: GradCheckResult | ModuleCheckResult,
) -> GradCheckResult | ModuleCheckResult:
    """Return `result` if its check passed; else raise AssertionError with its report."""
    if not result.ok:
        raise AssertionError(str(result))
    return result


@dataclass(frozen=True)
class GradCheckResult:
    r"""Outcome of a gradient check: the two gradients and how far apart they are.

    Entry :math:`i` passes when the analytic value :math:`a_i` and the central difference
    :math:`n_i` satisfy the rule of :func:`numpy.isclose`,

    .. math:: \lvert a_i - n_i \rvert \le \text{atol} + \text{rtol}\,\lvert n_i \rvert,

    and ``ok`` is true when every entry passes. ``max_abs_error`` is the largest
    :math:`\lvert a_i - n_i \rvert`; ``max_rel_error`` is the largest
    :math:`\lvert a_i - n_i \rvert / \max(\lvert a_i \rvert, \lvert n_i \rvert)` (0 where both
    are 0), a scale-free summary for reports. The verdict uses only the rule above, whose
    `atol` keeps entries whose true gradient is 0 from failing on rounding noise.

    Attributes
    ----------
    analytic, numeric : ndarray
        The gradient under test and its finite-difference estimate, of equal shape.
    rtol, atol : float
        The tolerances of the rule.
    name : str
        What was checked, named at the start of the report.

    Examples
    --------
    A derivative of :math:`\sum_i x_i^3` that wrote :math:`2x^2` for :math:`3x^2`:

    >>> result = check_gradient(lambda v: (v ** 3).sum(), lambda v: 2 * v ** 2, [1.0, 2.0])
    >>> result.ok, round(result.max_abs_error, 6), round(result.max_rel_error, 6)
    (False, 4.0, 0.333333)
    >>> print(result)  # the entries furthest beyond the tolerance come first
    gradient check FAILED: max abs error 4, max rel error 0.333 (rtol=1e-05, atol=1e-08)
             index        analytic         numeric   abs error
              (1,)               8              12           4
              (0,)               2               3           1
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
        """The `k` entries furthest beyond the tolerance: (index, analytic, numeric, error)."""
        excess = self.abs_error - (self.atol + self.rtol * np.abs(self.numeric))
        order = np.argsort(excess, axis=None)[::-1][:k]
        return [
            (
                tuple(int(j) for j in np.unravel_index(i, self.analytic.shape)),  # not np.int64
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
        return _raise_unless_ok(self)


def check_gradient(
    f: Callable[[np.ndarray], float],
    grad_f: Callable[[np.ndarray], ArrayLike],
    x: ArrayLike,
    eps: float = 1e-6,
    rtol: float = 1e-5,
    atol: float = 1e-8,
) -> GradCheckResult:
    r"""Compare an analytic gradient with central differences, in float64.

    The numerical gradient is :func:`numerical_gradient`'s,

    .. math::

        n_i = \frac{f(x + \varepsilon e_i) - f(x - \varepsilon e_i)}{2\varepsilon},

    and the check passes when every entry of :math:`a = \texttt{grad\_f}(x)` satisfies

    .. math:: \lvert a_i - n_i \rvert \le \text{atol} + \text{rtol}\,\lvert n_i \rvert,

    the rule of :func:`numpy.isclose`. The defaults suit smooth functions of moderate size; near
    a kink (ReLU at 0, :math:`\lvert x \rvert`) the central difference averages the two one-sided
    slopes, so check at points at least `eps` away from kinks. PyTorch's counterpart is
    ``torch.autograd.gradcheck``, which compares whole Jacobians with the same rule (and other
    default tolerances).

    Parameters
    ----------
    f : callable
        Scalar function of an array shaped like `x`, e.g. a loss summed over a batch.
    grad_f : callable
        Your gradient of `f`: called on a copy of `x`, it must return an array shaped like `x`.
    x : array_like
        The point to check at (converted to float64 whatever its dtype, so float32 rounding does
        not hide or fake an error).
    eps : float, default 1e-6
        The step :math:`\varepsilon > 0` of the central differences.
    rtol, atol : float, default 1e-5 and 1e-8
        Relative and absolute tolerance of the rule above, each >= 0.

    Returns
    -------
    GradCheckResult
        With ``ok``, ``max_abs_error``, ``max_rel_error``, a table of the worst entries (its
        ``str``) and ``raise_if_failed()`` for use in tests.

    Examples
    --------
    >>> result = check_gradient(lambda v: (v ** 3).sum(), lambda v: 3 * v ** 2, [1.0, 2.0])
    >>> result.ok
    True
    >>> check_gradient(lambda v: (v ** 3).sum(), lambda v: 2 * v ** 2, [1.0, 2.0]).ok
    False
    """
    x = as_float_array(x, "x").astype(np.float64)
    _check_settings(eps, rtol, atol)
    numeric = numerical_gradient(f, x, eps)
    analytic = np.asarray(grad_f(x.copy()), dtype=np.float64)
    if analytic.shape != x.shape:
        raise ValueError(
            f"grad_f returned shape {analytic.shape}, expected {x.shape} (the shape of x): "
            "a gradient has one entry per input entry."
        )
    return GradCheckResult(analytic=analytic, numeric=numeric, rtol=rtol, atol=atol)


@dataclass(frozen=True)
class ModuleCheckResult:
    """Outcome of :func:`check_module`: one :class:`GradCheckResult` per checked tensor.

    ``results`` maps ``"input"`` (the gradient ``backward`` returned) and each parameter's
    dotted name (its ``.grad``) to their checks. ``not_accumulating`` lists the parameters whose
    ``.grad`` a second backward pass overwrote instead of adding to. ``ok`` is true when every
    check passed and every gradient accumulates; ``failed`` names the tensors at fault.

    Attributes
    ----------
    module : str
        The module's ``repr`` (its class name if that spans several lines).
    results : dict
        Each tensor's name mapped to its :class:`GradCheckResult`, also reachable as
        ``result["weight"]``.
    not_accumulating : tuple of str
        Parameters whose ``.grad`` is overwritten rather than accumulated.

    Examples
    --------
    A layer :math:`y = x^2` whose backward forgot the factor 2:

    >>> from nncourse.nn import Module
    >>> class Square(Module):
    ...     def forward(self, x):
    ...         self._x = x
    ...         return x**2
    ...     def backward(self, grad_output):
    ...         return grad_output * self._x  # should be 2 * self._x
    >>> result = check_module(Square(), np.array([[1.0, -2.0]]))
    >>> result.ok, result.failed
    (False, ['input'])
    >>> round(result["input"].max_rel_error, 6)  # half of every entry is missing
    0.5
    """

    module: str
    results: dict[str, GradCheckResult]
    not_accumulating: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return not self.not_accumulating and all(r.ok for r in self.results.values())

    @property
    def failed(self) -> list[str]:
        """Names of the tensors whose gradient is wrong or does not accumulate."""
        wrong = [name for name, result in self.results.items() if not result.ok]
        return wrong + [name for name in self.not_accumulating if name not in wrong]

    @property
    def max_abs_error(self) -> float:
        return max((r.max_abs_error for r in self.results.values()), default=0.0)

    @property
    def max_rel_error(self) -> float:
        return max((r.max_rel_error for r in self.results.values()), default=0.0)

    def __getitem__(self, name: str) -> GradCheckResult:
        return self.results[name]

    def __str__(self) -> str:
        verdict = "OK" if self.ok else "FAILED for " + ", ".join(self.failed)
        labels = {
            name: "input (backward's return)" if name == "input" else f"{name}.grad"
            for name in self.results
        }
        width = max(len(label) for label in labels.values()) + 2
        lines = [
            f"check_module({self.module}): {verdict}",
            f"  {'tensor':<{width}}{'result':<8}{'max abs error':>14}{'max rel error':>14}",
        ]
        for name, result in self.results.items():
            status = "OK" if result.ok and name not in self.not_accumulating else "FAILED"
            errors = f"{result.max_abs_error:>14.3g}{result.max_rel_error:>14.3g}"
            lines.append(f"  {labels[name]:<{width}}{status:<8}{errors}")
        lines.append(
            "Checked L = sum(module(x) * R) for a fixed random R: backward(R) must return\n"
            "dL/dx and add dL/dp to each parameter's .grad."
        )
        lines += [f"\n{r}" for r in self.results.values() if not r.ok]
        lines += [
            f"\n{name}.grad was overwritten by a second backward instead of accumulated: add "
            "the gradient with += (gradients sum over backward passes until zero_grad(), as in "
            "PyTorch)."
            for name in self.not_accumulating
        ]
        return "\n".join(lines)

    def raise_if_failed(self) -> ModuleCheckResult:
        """Raise AssertionError with the report unless every check passed."""
        return _raise_unless_ok(self)


def check_module(
    module: Module,
    x: ArrayLike,
    eps: float = 1e-6,
    rtol: float = 1e-5,
    atol: float = 1e-8,
    *,
    target: ArrayLike | None = None,
    training: bool = False,
    seed: int = 0,
) -> ModuleCheckResult:
    r"""Check a module's backward pass against central differences, in float64.

    The scalar checked is

    .. math:: L(x, \theta) = \sum_i f(x; \theta)_i\, R_i

    with `R` a fixed standard-normal array (from `seed`) shaped like the output, so
    ``backward(R)`` must return :math:`\partial L/\partial x` and add
    :math:`\partial L/\partial\theta` into every parameter's ``.grad``. Every entry of `x` and of
    every parameter is perturbed in turn (two forward passes each). The check also runs
    forward and backward a second time and verifies that each ``.grad`` doubled, i.e. that
    gradients accumulate with ``+=`` as in PyTorch.

    The module runs in eval mode unless ``training=True``; then every
    ``numpy.random.Generator`` held by the module or its sub-modules is reset before each
    forward pass, so a :class:`~nncourse.nn.Dropout` layer draws the same mask every time.
    Afterwards everything is as before: the parameters' ``.data`` and ``.grad`` (the same array
    objects), each sub-module's training mode and each generator's state.

    Parameters
    ----------
    module : nncourse.nn.Module
        The module to check; its parameters are cast to float64 for the check.
    x : array_like
        An input for the module (converted to float64).
    eps : float, default 1e-6
        Finite-difference step, > 0.
    rtol, atol : float
        Tolerances, as in :func:`numpy.isclose`.
    target : array_like, optional
        For a loss module: called as ``module(x, target)``; the target is not differentiated.
    training : bool, default False
        Check in training mode (with frozen random draws) instead of eval mode.
    seed : int, default 0
        Seed of the random weights `R`.

    Returns
    -------
    ModuleCheckResult
        With ``ok``, ``max_abs_error``, ``max_rel_error``, ``failed``, the per-tensor
        :class:`GradCheckResult` (``result["weight"]``), a readable report and
        ``raise_if_failed()``.

    Examples
    --------
    >>> from nncourse.nn import Linear
    >>> layer = Linear(3, 2, rng=np.random.default_rng(0))
    >>> result = check_module(layer, np.ones((4, 3)))
    >>> result.ok, list(result.results)
    (True, ['input', 'weight', 'bias'])
    """
    # imported here, not at the top: nn builds on activations and losses, gradcheck on neither
    from .nn import Module

    if not isinstance(module, Module):
        raise TypeError(
            f"module must be an nncourse.nn.Module (with forward and backward); "
            f"got {type(module).__name__}."
        )
    x = np.array(as_float_array(x, "x"), dtype=np.float64)
    _check_settings(eps, rtol, atol)
    modules = list(module.modules())
    modes = [m.training for m in modules]
    generators = [
        v for m in modules for v in vars(m).values() if isinstance(v, np.random.Generator)
    ]
    rng_states = [g.bit_generator.state for g in generators]
    named = list(module.named_parameters())
    saved = [(p.data, p.grad) for _, p in named]
    extra = () if target is None else (target,)

    def output(z: np.ndarray) -> np.ndarray:
        for generator, state in zip(generators, rng_states, strict=True):
            generator.bit_generator.state = state  # the same random draws on every pass
        return np.asarray(module(z, *extra), dtype=np.float64)

    try:
        module.train(training)
        for _, p in named:
            p.data = p.data.astype(np.float64)
            p.grad = np.zeros_like(p.data)
        weights = np.random.default_rng(seed).standard_normal(output(x.copy()).shape)
        grad_input = _input_gradient(module, weights, x.shape)
        first = [_parameter_gradient(name, p) for name, p in named]
        output(x.copy())
        module.backward(weights)
        not_accumulating = tuple(
            name
            for (name, p), grad in zip(named, first, strict=True)
            if not np.allclose(p.grad, 2 * grad, rtol=rtol, atol=atol)
        )

        def loss(z: np.ndarray) -> float:
            return float(np.sum(output(z) * weights))

        results = {
            "input": GradCheckResult(
                grad_input,
                numerical_gradient(loss, x, eps),
                rtol,
                atol,
                name="gradient w.r.t. the input (backward's return)",
            )
        }
        for (name, p), grad in zip(named, first, strict=True):
            numeric = numerical_gradient(lambda w, p=p: _loss_at(p, w, loss, x), p.data, eps)
            results[name] = GradCheckResult(grad, numeric, rtol, atol, name=f"{name}.grad")
    finally:
        for (_, p), (data, grad) in zip(named, saved, strict=True):
            p.data, p.grad = data, grad
        for m, mode in zip(modules, modes, strict=True):
            m.training = mode
        for generator, state in zip(generators, rng_states, strict=True):
            generator.bit_generator.state = state
    label = repr(module) if "\n" not in repr(module) else type(module).__name__
    return ModuleCheckResult(label, results, not_accumulating)


def _input_gradient(module: Module, weights: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """Run ``module.backward(weights)`` and check that it returned an input-shaped gradient."""
    grad_input = module.backward(weights)
    name = type(module).__name__
    if grad_input is None:
        raise TypeError(
            f"{name}.backward returned None; it must return dL/dx, an array of shape {shape} "
            "(the shape of its input). Did you forget the return statement?"
        )
    grad_input = np.asarray(grad_input, dtype=np.float64)
    if grad_input.shape != shape:
        raise ValueError(
            f"{name}.backward returned shape {grad_input.shape}, expected {shape}: dL/dx has one "
            "entry per input entry."
        )
    return grad_input


def _parameter_gradient(name: str, parameter: Parameter) -> np.ndarray:
    """A copy of the parameter's ``.grad`` after one backward pass, checked for its shape."""
    grad = np.asarray(parameter.grad, dtype=np.float64)
    if grad.shape != parameter.data.shape:
        raise ValueError(
            f"{name}.grad has shape {grad.shape}, expected {parameter.data.shape} (the shape of "
            f"{name}.data): accumulate the gradient into it with +=."
        )
    return grad.copy()


def _loss_at(parameter: Parameter, values: np.ndarray, loss: Callable, x: np.ndarray) -> float:
    """The checked loss with `parameter` set to `values` (then put back)."""
    original = parameter.data
    parameter.data = values
    try:
        return loss(x.copy())
    finally:
        parameter.data = original
