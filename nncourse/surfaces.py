r"""Two-dimensional test functions with analytic gradients, and optimizer paths across them.

Each function is a :class:`Surface`: ``surface.f(xy)`` and ``surface.grad(xy)`` take points of
shape ``(..., 2)`` (one point, a batch, or a whole grid), so the same object draws contour plots
and drives an optimizer. The book compares optimizers on them:

- :func:`quadratic_bowl`, a long narrow valley (condition number :math:`\kappa`): plain gradient
  descent zig-zags, momentum does not;
- :func:`rosenbrock`, a curved flat-bottomed valley;
- :func:`beale` and :func:`himmelblau`, several basins and steep walls;
- :func:`saddle`, :math:`x^2 - y^2`, where gradient descent stalls near the origin;
- :func:`plateau`, a well surrounded by a region of almost zero gradient.

PyTorch has no such test functions; :func:`optimize_path` drives any :mod:`nncourse.optim`
optimizer through PyTorch's training-loop protocol (``zero_grad``, gradient, ``step``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import ArrayLike

from ._validation import as_float_array, check_size, is_finite_number
from .nn import Parameter

__all__ = [
    "Surface",
    "beale",
    "grid",
    "himmelblau",
    "optimize_path",
    "plateau",
    "quadratic_bowl",
    "rosenbrock",
    "saddle",
]

Pair = tuple[np.ndarray, np.ndarray]


def _check_parameter(
    value: float,
    name: str,
    requirement: str = "",
    valid: Callable[[float], bool] | None = None,
) -> None:
    """Raise ValueError unless `value` is a finite real number (for which ``valid(value)`` holds,
    if given); `requirement` says what that means, for the message."""
    if not is_finite_number(value) or (valid is not None and not valid(value)):
        raise ValueError(f"{name} must be a finite number{requirement}; got {value!r}.")


def _points(xy: ArrayLike, name: str = "xy") -> np.ndarray:
    points = as_float_array(xy, name).astype(np.float64)
    if points.ndim == 0 or points.shape[-1] != 2:
        raise ValueError(
            f"{name} has shape {points.shape}, expected (..., 2): "
            "points (x, y) along the last axis."
        )
    return points


@dataclass(frozen=True, eq=False, repr=False)
class Surface:
    r"""A function :math:`f(x, y)` with its analytic gradient, minima and a plotting domain.

    Parameters
    ----------
    name : str
        A short name for titles and legends.
    function : callable
        ``function(x, y)`` on arrays of equal shape, elementwise.
    gradient : callable
        ``gradient(x, y)`` returning the pair
        :math:`(\partial f/\partial x, \partial f/\partial y)`.
    minima : array_like
        ``(k, 2)`` global minimisers (``k = 0`` if unbounded below).
    minimum_value : float or None
        :math:`f` at the minimisers; None if unbounded below.
    domain : ((float, float), (float, float))
        Suggested plotting ranges ``((x_min, x_max), (y_min, y_max))``.
    formula : str
        The definition in LaTeX, for titles.
    log_levels : bool, default True
        Whether contour plots should use log-spaced levels (values spanning many decades).
    saddle_points : array_like, optional
        ``(k, 2)`` saddle points worth marking.

    Examples
    --------
    >>> bowl = quadratic_bowl(condition=10)
    >>> bowl.f([1.0, 1.0])
    5.5
    >>> bowl.grad([[1.0, 1.0], [0.0, -2.0]])
    array([[  1.,  10.],
           [  0., -20.]])
    """

    name: str
    function: Callable[[np.ndarray, np.ndarray], np.ndarray]
    gradient: Callable[[np.ndarray, np.ndarray], Pair]
    minima: np.ndarray
    minimum_value: float | None
    domain: tuple[tuple[float, float], tuple[float, float]]
    formula: str
    log_levels: bool = True
    saddle_points: np.ndarray = field(default_factory=lambda: np.empty((0, 2)))

    def __post_init__(self) -> None:
        for attribute in ("minima", "saddle_points"):
            points = np.array(getattr(self, attribute), dtype=np.float64).reshape(-1, 2)
            points.setflags(write=False)
            object.__setattr__(self, attribute, points)  # frozen dataclass: set once, here

    def f(self, xy: ArrayLike) -> np.ndarray | float:
        """Values at points ``(..., 2)``: an array of shape ``(...)``, a float for one point."""
        points = _points(xy)
        values = self.function(points[..., 0], points[..., 1])
        return float(values) if points.ndim == 1 else values

    __call__ = f

    def grad(self, xy: ArrayLike) -> np.ndarray:
        r""":math:`(\partial f/\partial x, \partial f/\partial y)` at points ``(..., 2)``."""
        points = _points(xy)
        return np.stack(self.gradient(points[..., 0], points[..., 1]), axis=-1)

    def __repr__(self) -> str:
        return (
            f"Surface({self.name!r}, minima={self.minima.tolist()}, "
            f"minimum_value={self.minimum_value}, domain={self.domain})"
        )


def quadratic_bowl(condition: float = 10.0, angle: float = 0.0) -> Surface:
    r"""An ill-conditioned quadratic bowl: Hessian eigenvalues 1 and :math:`\kappa`.

    .. math:: f(x, y) = \tfrac12\left(u^2 + \kappa v^2\right), \qquad
              \begin{pmatrix} u \\ v \end{pmatrix} =
              \begin{pmatrix} \cos\alpha & \sin\alpha \\ -\sin\alpha & \cos\alpha \end{pmatrix}
              \begin{pmatrix} x \\ y \end{pmatrix}

    The gradient is :math:`R^\top \operatorname{diag}(1, \kappa) R\,(x, y)^\top`. Gradient descent
    converges for :math:`\eta < 2/\kappa`, at a rate set by :math:`\kappa`: the larger the
    condition number, the stronger the zig-zag across the valley.

    Parameters
    ----------
    condition : float, default 10
        Condition number :math:`\kappa \ge 1` of the Hessian.
    angle : float, default 0
        Rotation :math:`\alpha` of the valley, in radians (0: the valley lies along the x axis).

    Returns
    -------
    Surface
        Minimum 0 at the origin.

    Examples
    --------
    >>> bowl = quadratic_bowl(condition=4, angle=np.pi / 2)
    >>> bowl.f([0.0, 1.0]), bowl.f([1.0, 0.0])
    (0.5, 2.0)
    """
    _check_parameter(condition, "condition", " >= 1", lambda value: value >= 1)
    _check_parameter(angle, "angle", " (radians)")
    cos, sin = np.cos(angle), np.sin(angle)

    def function(x: np.ndarray, y: np.ndarray) -> np.ndarray:
        u, v = cos * x + sin * y, -sin * x + cos * y
        return 0.5 * (u**2 + condition * v**2)

    def gradient(x: np.ndarray, y: np.ndarray) -> Pair:
        u, v = cos * x + sin * y, -sin * x + cos * y
        du, dv = u, condition * v  # gradient in the rotated frame, rotated back by R^T
        return cos * du - sin * dv, sin * du + cos * dv

    return Surface(
        formula=r"\tfrac12(u^2 + \kappa v^2)",
        name=f"quadratic bowl (κ = {condition:g})",
        minima=[[0.0, 0.0]],
        minimum_value=0.0,
        domain=((-3.0, 3.0), (-3.0, 3.0)),
        function=function,
        gradient=gradient,
    )


def rosenbrock(a: float = 1.0, b: float = 100.0) -> Surface:
    r"""Rosenbrock's banana valley.

    .. math:: f(x, y) = (a - x)^2 + b\,(y - x^2)^2, \qquad
              \nabla f = \big(-2(a - x) - 4 b x (y - x^2),\; 2 b (y - x^2)\big)

    Parameters
    ----------
    a, b : float, default 1 and 100
        Shape parameters, ``b > 0``.

    Returns
    -------
    Surface
        Minimum 0 at :math:`(a, a^2)`.

    Examples
    --------
    >>> surface = rosenbrock()
    >>> surface.f([1.0, 1.0]), surface.f([0.0, 0.0])
    (0.0, 1.0)
    >>> surface.grad([0.0, 0.0])
    array([-2.,  0.])
    """
    _check_parameter(a, "a")
    _check_parameter(b, "b", " > 0", lambda value: value > 0)

    def function(x: np.ndarray, y: np.ndarray) -> np.ndarray:
        return (a - x) ** 2 + b * (y - x**2) ** 2

    def gradient(x: np.ndarray, y: np.ndarray) -> Pair:
        valley = y - x**2
        return -2 * (a - x) - 4 * b * x * valley, 2 * b * valley

    return Surface(
        formula=rf"({a:g} - x)^2 + {b:g}\,(y - x^2)^2",
        name="Rosenbrock",
        minima=[[a, a**2]],
        minimum_value=0.0,
        domain=((a - 3.0, a + 1.5), (a**2 - 2.0, a**2 + 2.5)),
        function=function,
        gradient=gradient,
    )


def beale() -> Surface:
    r"""Beale's function: a flat basin with steep walls near the corners.

    .. math:: f(x, y) = (1.5 - x + xy)^2 + (2.25 - x + xy^2)^2 + (2.625 - x + xy^3)^2

    With :math:`t_k = c_k - x + x y^k` (:math:`c = 1.5, 2.25, 2.625`),
    :math:`\partial f/\partial x = \sum_k 2 t_k (y^k - 1)` and
    :math:`\partial f/\partial y = \sum_k 2 t_k\, k x y^{k-1}`.

    Returns
    -------
    Surface
        Minimum 0 at :math:`(3, 0.5)`.

    Examples
    --------
    >>> beale().f([3.0, 0.5])
    0.0
    >>> beale().f([0.0, 0.0])
    14.203125
    """

    def terms(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        return 1.5 - x + x * y, 2.25 - x + x * y**2, 2.625 - x + x * y**3

    def function(x: np.ndarray, y: np.ndarray) -> np.ndarray:
        t1, t2, t3 = terms(x, y)
        return t1**2 + t2**2 + t3**2

    def gradient(x: np.ndarray, y: np.ndarray) -> Pair:
        t1, t2, t3 = terms(x, y)
        dx = 2 * t1 * (y - 1) + 2 * t2 * (y**2 - 1) + 2 * t3 * (y**3 - 1)
        dy = 2 * t1 * x + 2 * t2 * 2 * x * y + 2 * t3 * 3 * x * y**2
        return dx, dy

    return Surface(
        formula=r"(1.5 - x + xy)^2 + (2.25 - x + xy^2)^2 + (2.625 - x + xy^3)^2",
        name="Beale",
        minima=[[3.0, 0.5]],
        minimum_value=0.0,
        domain=((-4.5, 4.5), (-4.5, 4.5)),
        function=function,
        gradient=gradient,
    )


# The three irrational minima of Himmelblau's function, to 20 digits (Newton's method in mpmath).
_HIMMELBLAU_MINIMA = [
    [3.0, 2.0],
    [-2.8051180869527448531, 3.1313125182505729658],
    [-3.7793102533777468919, -3.2831859912861694123],
    [3.5844283403304917449, -1.8481265269644035535],
]


def himmelblau() -> Surface:
    r"""Himmelblau's function: four global minima of value 0.

    .. math:: f(x, y) = (x^2 + y - 11)^2 + (x + y^2 - 7)^2, \qquad
              \nabla f = \big(4x(x^2 + y - 11) + 2(x + y^2 - 7),\;
                             2(x^2 + y - 11) + 4y(x + y^2 - 7)\big)

    Returns
    -------
    Surface
        Minima at :math:`(3, 2)` and three irrational points, all of value 0.

    Examples
    --------
    >>> himmelblau().f([3.0, 2.0])
    0.0
    >>> himmelblau().minima.shape
    (4, 2)
    """

    def function(x: np.ndarray, y: np.ndarray) -> np.ndarray:
        return (x**2 + y - 11) ** 2 + (x + y**2 - 7) ** 2

    def gradient(x: np.ndarray, y: np.ndarray) -> Pair:
        first, second = x**2 + y - 11, x + y**2 - 7
        return 4 * x * first + 2 * second, 2 * first + 4 * y * second

    return Surface(
        formula=r"(x^2 + y - 11)^2 + (x + y^2 - 7)^2",
        name="Himmelblau",
        minima=_HIMMELBLAU_MINIMA,
        minimum_value=0.0,
        domain=((-5.0, 5.0), (-5.0, 5.0)),
        function=function,
        gradient=gradient,
    )


def saddle() -> Surface:
    r"""The saddle :math:`f(x, y) = x^2 - y^2`, unbounded below.

    .. math:: \nabla f = (2x, -2y)

    The origin is a critical point that is not a minimum: gradient descent started on the x axis
    converges to it and stays; any small :math:`y` grows geometrically and escapes.

    Returns
    -------
    Surface
        No minima (``minimum_value`` None), a saddle point at the origin, linear contour levels.

    Examples
    --------
    >>> saddle().grad([1.0, 2.0])
    array([ 2., -4.])
    """
    return Surface(
        formula=r"x^2 - y^2",
        name="saddle",
        minima=np.empty((0, 2)),
        minimum_value=None,
        domain=((-2.0, 2.0), (-2.0, 2.0)),
        function=lambda x, y: x**2 - y**2,
        gradient=lambda x, y: (2 * x, -2 * y),
        log_levels=False,
        saddle_points=[[0.0, 0.0]],
    )


def plateau(width: float = 1.0) -> Surface:
    r"""A Gaussian well in a plateau: far from the origin the gradient is almost exactly zero.

    .. math:: f(x, y) = 1 - e^{-(x^2 + y^2) / (2 s^2)}, \qquad
              \nabla f = \frac{e^{-(x^2 + y^2) / (2 s^2)}}{s^2}\,(x, y)

    At distance :math:`r` from the centre the gradient's size is :math:`(r/s^2)\,e^{-r^2/(2s^2)}`:
    about 0.03 at :math:`r = 3s`, 2e-5 at :math:`r = 5s`. Plain gradient descent crawls there;
    methods that normalise the step (RMSprop, Adam) cross the plateau.

    Parameters
    ----------
    width : float, default 1
        Width :math:`s > 0` of the well.

    Returns
    -------
    Surface
        Minimum 0 at the origin; values approach 1 on the plateau.

    Examples
    --------
    >>> round(plateau().f([3.0, 4.0]), 6)
    0.999996
    """
    _check_parameter(width, "width", " > 0", lambda value: value > 0)
    scale = 2.0 * width**2

    def function(x: np.ndarray, y: np.ndarray) -> np.ndarray:
        return -np.expm1(-(x**2 + y**2) / scale)  # 1 - e^{-r^2/2s^2} without cancellation near 0

    def gradient(x: np.ndarray, y: np.ndarray) -> Pair:
        weight = np.exp(-(x**2 + y**2) / scale) / width**2
        return weight * x, weight * y

    return Surface(
        formula=r"1 - e^{-(x^2 + y^2)/(2s^2)}",
        name=f"plateau (s = {width:g})",
        minima=[[0.0, 0.0]],
        minimum_value=0.0,
        domain=((-5.0 * width, 5.0 * width), (-5.0 * width, 5.0 * width)),
        function=function,
        gradient=gradient,
        log_levels=False,
    )


def _check_surface(surface: Surface) -> Surface:
    if not isinstance(surface, Surface):
        hint = ""
        if callable(surface) and getattr(surface, "__module__", None) == __name__:
            hint = f" {surface.__name__} makes one: pass {surface.__name__}()."
        raise TypeError(f"surface must be a Surface; got {type(surface).__name__}.{hint}")
    return surface


def grid(surface: Surface, n: int = 200, domain=None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    r"""Values of `surface` on an ``n × n`` grid, ready for :func:`matplotlib.pyplot.contour`.

    .. math:: Z_{ij} = f(X_{ij}, Y_{ij})

    Parameters
    ----------
    surface : Surface
        The function to evaluate.
    n : int, default 200
        Grid points per axis, at least 2.
    domain : ((float, float), (float, float)), optional
        ``((x_min, x_max), (y_min, y_max))``; the surface's own domain by default.

    Returns
    -------
    X, Y, Z : ndarray
        Each ``(n, n)``, from :func:`numpy.meshgrid` (rows follow y, columns follow x).

    Examples
    --------
    >>> X, Y, Z = grid(saddle(), n=3, domain=((-1, 1), (-1, 1)))
    >>> Z
    array([[ 0., -1.,  0.],
           [ 1.,  0.,  1.],
           [ 0., -1.,  0.]])
    """
    surface = _check_surface(surface)
    n = check_size(n, "n (grid points per axis)", minimum=2)
    (x_min, x_max), (y_min, y_max) = _check_domain(surface.domain if domain is None else domain)
    X, Y = np.meshgrid(np.linspace(x_min, x_max, n), np.linspace(y_min, y_max, n))
    return X, Y, surface.f(np.stack([X, Y], axis=-1))


def _check_domain(domain) -> tuple[tuple[float, float], tuple[float, float]]:
    expected = (
        f"domain must be ((x_min, x_max), (y_min, y_max)), finite, with min < max; got {domain!r}."
    )
    try:
        bounds = np.asarray(domain, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise ValueError(expected) from exc
    if (
        bounds.shape != (2, 2)
        or not np.isfinite(bounds).all()
        or not (bounds[:, 0] < bounds[:, 1]).all()
    ):
        raise ValueError(expected)
    return (float(bounds[0, 0]), float(bounds[0, 1])), (float(bounds[1, 0]), float(bounds[1, 1]))


def optimize_path(
    surface: Surface,
    optimizer_factory: Callable[[list[Parameter]], object],
    start: ArrayLike,
    steps: int,
) -> np.ndarray:
    r"""Run an optimizer on a surface from `start` and record every position.

    A 2-D :class:`~nncourse.nn.Parameter` starts at `start`; each step sets its gradient to
    :math:`\nabla f` at the current position and calls the optimizer, exactly as a training loop
    does (``zero_grad``, accumulate the gradient, ``step``):

    .. math:: p_0 = \text{start}, \qquad p_{t+1} = \text{step}\big(p_t, \nabla f(p_t)\big)

    Parameters
    ----------
    surface : Surface
        The function to minimise.
    optimizer_factory : callable
        Called with the list ``[parameter]``; returns an optimizer with ``zero_grad()`` and
        ``step()``, e.g. ``lambda params: SGD(params, lr=0.01, momentum=0.9)``.
    start : array_like
        Starting point ``(x, y)``.
    steps : int
        Number of optimizer steps, >= 0.

    Returns
    -------
    ndarray
        ``(steps + 1, 2)`` positions, the start first.

    Raises
    ------
    ValueError
        If the position or gradient stops being finite (the optimizer diverged): the message gives
        the step; lower the learning rate.

    Examples
    --------
    A minimal optimizer (plain gradient descent) shows the protocol:

    >>> class GradientDescent:
    ...     def __init__(self, params, lr):
    ...         self.params, self.lr = params, lr
    ...     def zero_grad(self):
    ...         for p in self.params:
    ...             p.zero_grad()
    ...     def step(self):
    ...         for p in self.params:
    ...             p.data -= self.lr * p.grad
    >>> bowl = quadratic_bowl(condition=10)
    >>> optimize_path(bowl, lambda params: GradientDescent(params, 0.1), [1.0, 1.0], 2)
    array([[1.  , 1.  ],
           [0.9 , 0.  ],
           [0.81, 0.  ]])
    """
    surface = _check_surface(surface)
    start = _points(start, "start")
    if start.shape != (2,):
        raise ValueError(f"start has shape {start.shape}, expected (2,): one point (x, y).")
    steps = check_size(steps, "steps", minimum=0)
    parameter = Parameter(start)
    optimizer = optimizer_factory([parameter])
    if not (
        callable(getattr(optimizer, "step", None))
        and callable(getattr(optimizer, "zero_grad", None))
    ):
        raise TypeError(
            "optimizer_factory must return an optimizer with step() and zero_grad(); "
            f"it returned {type(optimizer).__name__}. "
            "Pass e.g. lambda params: SGD(params, lr=0.01)."
        )
    path = np.empty((steps + 1, 2))
    path[0] = start
    for t in range(1, steps + 1):  # each step needs the previous position: a sequential loop
        # a diverging run overflows: checked right below, with a clearer message than a warning
        with np.errstate(over="ignore", invalid="ignore"):
            optimizer.zero_grad()
            parameter.grad += surface.grad(parameter.data)
            optimizer.step()
        if not (np.isfinite(parameter.data).all() and np.isfinite(parameter.grad).all()):
            raise ValueError(
                f"the optimizer diverged at step {t}: the position or gradient is no longer finite "
                f"(last finite position {path[t - 1].tolist()}). Lower the learning rate."
            )
        path[t] = parameter.data
    return path
