r"""Figures for the book: loss-surface contours with optimizer paths, 3-D surfaces, loss curves.

This is the only module of ``nncourse`` that uses matplotlib, and it imports it inside each
function, so ``import nncourse`` works without matplotlib (``pip install nncourse[plot]``
installs it). Lines use the Okabe–Ito palette :data:`PALETTE`, distinguishable with every common
colour-vision deficiency, and cycle through line styles as well, so figures also read in grey;
surfaces use the perceptually uniform ``cividis`` and ``viridis`` colour maps.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
from numpy.typing import ArrayLike

from ._validation import as_float_array, check_positive, check_size
from .surfaces import Surface, grid

__all__ = [
    "LINESTYLES",
    "OKABE_ITO",
    "PALETTE",
    "contour_levels",
    "plot_contours",
    "plot_loss_curves",
    "plot_surface_3d",
]

#: The Okabe–Ito colours by name (Okabe & Ito, *Color Universal Design*, 2008).
OKABE_ITO = {
    "black": "#000000",
    "orange": "#E69F00",
    "sky blue": "#56B4E9",
    "bluish green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "reddish purple": "#CC79A7",
}

#: Line colours in the order of use, the strongest contrasts on white first and yellow last.
PALETTE = tuple(
    OKABE_ITO[name]
    for name in (
        "blue",
        "vermillion",
        "bluish green",
        "orange",
        "reddish purple",
        "sky blue",
        "black",
        "yellow",
    )
)

#: Line styles cycled with the colours, so curves stay apart in greyscale print.
LINESTYLES = ("-", "--", "-.", ":")


def _pyplot():
    try:
        import matplotlib.pyplot as plt
    except ImportError as exc:
        raise ImportError(
            "nncourse.plotting needs matplotlib. Install it with: pip install nncourse[plot]  "
            "(or: pip install matplotlib)"
        ) from exc
    return plt


def _style(i: int) -> dict:
    return {"color": PALETTE[i % len(PALETTE)], "linestyle": LINESTYLES[i % len(LINESTYLES)]}


def _check_surface(surface: Surface) -> Surface:
    if not isinstance(surface, Surface):
        raise TypeError(
            "surface must be a Surface (e.g. nncourse.surfaces.rosenbrock()); "
            f"got {type(surface).__name__}."
        )
    return surface


def _check_paths(paths: Mapping[str, ArrayLike] | None) -> dict[str, np.ndarray]:
    if paths is None:
        return {}
    if not isinstance(paths, Mapping):
        raise TypeError(
            f"paths must be a dict {{label: (k, 2) array}}; got {type(paths).__name__}."
        )
    checked = {}
    for label, path in paths.items():
        path = as_float_array(path, f"paths[{label!r}]")
        if path.ndim != 2 or path.shape[1] != 2 or path.shape[0] == 0:
            raise ValueError(
                f"paths[{label!r}] has shape {path.shape}, expected (k, 2) with k >= 1: "
                "the positions from optimize_path."
            )
        checked[str(label)] = path
    return checked


def contour_levels(Z: ArrayLike, n_levels: int = 30, log: bool = False) -> np.ndarray:
    r"""Contour levels spanning the values `Z`: evenly spaced, or log-spaced above the minimum.

    .. math:: \ell_k = z_{\min} + (z_{\max} - z_{\min})\,10^{-5(1 - k/(K-1))},
              \quad k = 0, \dots, K-1

    Log spacing above the minimum resolves a flat valley floor and steep walls in one picture
    (Rosenbrock's values span five decades on its usual domain).

    Parameters
    ----------
    Z : array_like
        Values on a grid.
    n_levels : int, default 30
        Number of levels, >= 2.
    log : bool, default False
        Log-spaced above ``Z.min()`` (from 1e-5 of the range up to the maximum) if true.

    Returns
    -------
    ndarray
        ``(n_levels,)`` increasing levels.

    Examples
    --------
    >>> contour_levels([0.0, 1.0, 2.0], n_levels=3)
    array([0., 1., 2.])
    >>> contour_levels([0.0, 1000.0], n_levels=3, log=True).round(4).tolist()
    [0.01, 3.1623, 1000.0]
    """
    Z = as_float_array(Z, "Z")
    n_levels = check_size(n_levels, "n_levels", minimum=2)
    low, high = float(Z.min()), float(Z.max())
    if not high > low:
        raise ValueError(f"Z is constant ({low:g}): there is nothing to draw contours of.")
    if log:
        return low + np.geomspace(1e-5 * (high - low), high - low, n_levels)
    return np.linspace(low, high, n_levels)


def plot_contours(
    surface: Surface,
    paths: Mapping[str, ArrayLike] | None = None,
    ax=None,
    *,
    levels: int = 30,
    log_levels: bool | None = None,
    n: int = 200,
    domain=None,
    show_minima: bool = True,
    xlabel: str = "$x$",
    ylabel: str = "$y$",
    title: str | None = None,
):
    """Contour plot of a surface with optimizer paths drawn over it.

    Each path is one line (with a small dot at every iterate, so step sizes show), a hollow
    circle at its start and a filled square at its end; known minima are black stars and
    saddle points black crosses. The legend lists the paths, then the minima.

    Parameters
    ----------
    surface : Surface
        The function to draw.
    paths : dict, optional
        ``{label: (k, 2) positions}``, e.g. from :func:`~nncourse.surfaces.optimize_path`.
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new figure by default.
    levels : int, default 30
        Number of contour levels.
    log_levels : bool, optional
        Log-spaced levels (see :func:`contour_levels`); the surface's own suggestion by default.
    n : int, default 200
        Grid points per axis.
    domain : ((float, float), (float, float)), optional
        Plotted ranges; the surface's domain by default.
    show_minima : bool, default True
        Mark the surface's minima and saddle points.
    xlabel, ylabel, title : str
        Axis labels and title (the surface's name by default).

    Returns
    -------
    matplotlib.axes.Axes
        The axes drawn on, clipped to the domain, with a legend when anything is labelled.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from nncourse.surfaces import rosenbrock
    >>> path = np.array([[-1.5, 2.0], [-1.0, 1.0], [1.0, 1.0]])
    >>> ax = plot_contours(rosenbrock(), {"by hand": path})
    >>> [text.get_text() for text in ax.get_legend().get_texts()]
    ['by hand', 'minimum']
    """
    plt = _pyplot()
    surface = _check_surface(surface)
    paths = _check_paths(paths)
    log = surface.log_levels if log_levels is None else bool(log_levels)
    X, Y, Z = grid(surface, n=n, domain=domain)
    if ax is None:
        _, ax = plt.subplots(figsize=(6, 5))
    ax.contour(X, Y, Z, levels=contour_levels(Z, levels, log), cmap="cividis", linewidths=0.8)
    for i, (label, path) in enumerate(paths.items()):
        style = _style(i)
        ax.plot(
            path[:, 0], path[:, 1], marker="o", markersize=2.5, linewidth=1.5, label=label, **style
        )
        ax.scatter(
            *path[0], s=50, marker="o", facecolors="none", edgecolors=style["color"], zorder=3
        )
        ax.scatter(*path[-1], s=40, marker="s", color=style["color"], zorder=3)
    if show_minima and len(surface.minima):
        label = "minimum" if len(surface.minima) == 1 else "minima"
        ax.scatter(*surface.minima.T, s=150, marker="*", color="black", label=label, zorder=4)
    if show_minima and len(surface.saddle_points):
        ax.scatter(
            *surface.saddle_points.T,
            s=60,
            marker="x",
            color="black",
            label="saddle point",
            zorder=4,
        )
    ax.set_xlim(X[0, 0], X[0, -1])  # paths that leave the domain are clipped, not rescaled to
    ax.set_ylim(Y[0, 0], Y[-1, 0])
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.set_title(surface.name if title is None else title)
    if ax.get_legend_handles_labels()[0]:
        ax.legend(loc="best", framealpha=0.9)
    return ax


def plot_surface_3d(
    surface: Surface,
    paths: Mapping[str, ArrayLike] | None = None,
    ax=None,
    *,
    n: int = 80,
    domain=None,
    elev: float = 35.0,
    azim: float = -60.0,
    xlabel: str = "$x$",
    ylabel: str = "$y$",
    zlabel: str = "$f(x, y)$",
    title: str | None = None,
):
    """A 3-D view of a surface (``viridis``), optionally with paths lifted onto it.

    Parameters
    ----------
    surface : Surface
        The function to draw.
    paths : dict, optional
        ``{label: (k, 2) positions}``, drawn at height :math:`f` of each position.
    ax : mpl_toolkits.mplot3d.axes3d.Axes3D, optional
        A 3-D axes (``fig.add_subplot(projection="3d")``); a new figure by default.
    n : int, default 80
        Grid points per axis.
    domain : ((float, float), (float, float)), optional
        Plotted ranges; the surface's domain by default.
    elev, azim : float
        Viewing angles in degrees.
    xlabel, ylabel, zlabel, title : str
        Axis labels and title (the surface's name by default).

    Returns
    -------
    mpl_toolkits.mplot3d.axes3d.Axes3D
        The 3-D axes drawn on, with :math:`f(x, y)` as the vertical axis.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from nncourse.surfaces import saddle
    >>> plot_surface_3d(saddle()).get_zlabel()
    '$f(x, y)$'
    """
    plt = _pyplot()
    surface = _check_surface(surface)
    paths = _check_paths(paths)
    X, Y, Z = grid(surface, n=n, domain=domain)
    if ax is None:
        ax = plt.figure(figsize=(7, 5)).add_subplot(projection="3d")
    elif getattr(ax, "name", None) != "3d":
        raise ValueError('ax must be a 3-D axes: create it with fig.add_subplot(projection="3d").')
    ax.plot_surface(X, Y, Z, cmap="viridis", linewidth=0, antialiased=True, alpha=0.85)
    for i, (label, path) in enumerate(paths.items()):
        ax.plot(path[:, 0], path[:, 1], surface.f(path), linewidth=2, label=label, **_style(i))
    ax.view_init(elev=elev, azim=azim)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.set_zlabel(zlabel)
    ax.set_title(surface.name if title is None else title)
    if paths:
        ax.legend(loc="upper left")
    return ax


def plot_loss_curves(
    curves: Mapping[str, Sequence[float]],
    ax=None,
    logy: bool = False,
    *,
    start: int = 0,
    xlabel: str = "step",
    ylabel: str = "loss",
    title: str | None = None,
):
    r"""Loss curves, one line per label, against the step or epoch index.

    Curve ``values`` is drawn at :math:`x = \text{start}, \text{start} + 1, \dots`; use
    ``start=1, xlabel="epoch"`` for losses recorded after each epoch.

    Parameters
    ----------
    curves : dict
        ``{label: sequence of losses}``; curves may have different lengths.
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new figure by default.
    logy : bool, default False
        Logarithmic y axis (every value must then be > 0).
    start : int, default 0
        The x value of each curve's first point.
    xlabel, ylabel, title : str
        Axis labels and an optional title.

    Returns
    -------
    matplotlib.axes.Axes
        The axes drawn on: one line per curve, and a legend.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> ax = plot_loss_curves({"SGD": [1.0, 0.5, 0.3], "Adam": [1.0, 0.2]}, logy=True)
    >>> len(ax.lines), ax.get_yscale()
    (2, 'log')
    """
    plt = _pyplot()
    if not isinstance(curves, Mapping) or not curves:
        raise TypeError("curves must be a non-empty dict {label: sequence of losses}.")
    checked = {}
    for label, values in curves.items():
        values = as_float_array(values, f"curves[{label!r}]")
        if values.ndim != 1 or values.size == 0:
            raise ValueError(
                f"curves[{label!r}] has shape {values.shape}, expected a non-empty 1-D sequence."
            )
        if logy and values.min() <= 0:
            raise ValueError(
                f"curves[{label!r}] has a value {values.min():g} <= 0, which a log axis cannot "
                "show; use logy=False or plot loss minus its minimum plus a small constant."
            )
        checked[str(label)] = values
    check_positive(start, "start", strict=False)
    if ax is None:
        _, ax = plt.subplots(figsize=(6, 4))
    for i, (label, values) in enumerate(checked.items()):
        ax.plot(start + np.arange(values.size), values, linewidth=1.8, label=label, **_style(i))
    if logy:
        ax.set_yscale("log")
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    if title is not None:
        ax.set_title(title)
    ax.legend(loc="best")
    return ax
