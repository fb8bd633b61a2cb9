"""Plotting helpers: lazy matplotlib import, labels, lines, legends, palette, levels."""

import subprocess
import sys

import numpy as np
import pytest

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.colors import to_hex  # noqa: E402
from matplotlib.contour import ContourSet  # noqa: E402

from nncourse.plotting import (  # noqa: E402
    LINESTYLES,
    OKABE_ITO,
    PALETTE,
    contour_levels,
    plot_contours,
    plot_loss_curves,
    plot_surface_3d,
)
from nncourse.surfaces import grid, himmelblau, rosenbrock, saddle  # noqa: E402


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")  # more than 20 open figures is a warning, and warnings are errors


def _legend_texts(ax) -> list[str]:
    return [text.get_text() for text in ax.get_legend().get_texts()]


def _contour_set(ax) -> ContourSet:
    (contours,) = [c for c in ax.collections if isinstance(c, ContourSet)]
    return contours


def test_importing_nncourse_does_not_import_matplotlib_or_sklearn():
    code = (
        "import sys\n"
        "import nncourse, nncourse.tlu, nncourse.surfaces, nncourse.plotting, nncourse.data\n"
        "assert 'matplotlib' not in sys.modules, 'matplotlib was imported'\n"
        "assert 'sklearn' not in sys.modules, 'sklearn was imported'\n"
    )
    completed = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert completed.returncode == 0, completed.stderr


def test_palette_is_okabe_ito():
    # Okabe & Ito (2008), typed from the published table
    published = {
        "#000000",
        "#E69F00",
        "#56B4E9",
        "#009E73",
        "#F0E442",
        "#0072B2",
        "#D55E00",
        "#CC79A7",
    }
    assert set(PALETTE) == published == set(OKABE_ITO.values())
    assert len(PALETTE) == 8
    assert PALETTE[0] == OKABE_ITO["blue"]


def test_contours_with_two_paths():
    paths = {
        "SGD": np.array([[-1.5, 2.0], [-1.2, 1.5], [-0.5, 0.3]]),
        "Adam": np.array([[-1.5, 2.0], [0.0, 0.0], [0.9, 0.8], [1.0, 1.0]]),
    }
    ax = plot_contours(rosenbrock(), paths)
    assert len(ax.lines) == 2
    assert _legend_texts(ax) == ["SGD", "Adam", "minimum"]
    assert ax.get_xlabel() == "$x$" and ax.get_ylabel() == "$y$"
    assert ax.get_title() == "Rosenbrock"
    for line, (label, path) in zip(ax.lines, paths.items(), strict=True):
        assert line.get_label() == label
        np.testing.assert_array_equal(line.get_xdata(), path[:, 0])
        np.testing.assert_array_equal(line.get_ydata(), path[:, 1])
    assert [to_hex(line.get_color()).upper() for line in ax.lines] == list(PALETTE[:2])
    assert [line.get_linestyle() for line in ax.lines] == ["-", "--"]
    assert ax.get_xlim() == rosenbrock().domain[0]
    assert ax.get_ylim() == rosenbrock().domain[1]


def test_contours_mark_start_and_end_of_each_path():
    ax = plot_contours(saddle(), {"a": [[1.0, 0.5], [0.5, 0.5]]}, show_minima=False)
    offsets = [collection.get_offsets().tolist() for collection in ax.collections[1:]]
    assert offsets == [[[1.0, 0.5]], [[0.5, 0.5]]]


def test_contour_levels_are_log_spaced_for_rosenbrock_and_linear_for_the_saddle():
    levels = _contour_set(plot_contours(rosenbrock(), levels=12)).levels
    lowest = grid(rosenbrock(), n=200)[2].min()
    # 12 levels from 1e-5 of the range above the minimum to the maximum: ratio 10^(5/11)
    np.testing.assert_allclose(
        (levels[1:] - lowest) / (levels[:-1] - lowest), 10 ** (5 / 11), rtol=1e-8
    )
    linear = _contour_set(plot_contours(saddle(), levels=9)).levels
    values = grid(saddle(), n=200)[2]
    np.testing.assert_allclose(linear, np.linspace(values.min(), values.max(), 9), rtol=1e-12)
    assert -4 < linear[0] < -3.99 and 3.99 < linear[-1] < 4  # the grid just misses y = 0, x = 0


def test_saddle_point_and_several_minima_are_labelled():
    assert _legend_texts(plot_contours(saddle())) == ["saddle point"]
    assert _legend_texts(plot_contours(himmelblau(), n=50)) == ["minima"]
    assert plot_contours(himmelblau(), n=50, show_minima=False).get_legend() is None


def test_contours_draw_into_a_given_axes_with_custom_labels():
    _, ax = plt.subplots()
    returned = plot_contours(saddle(), ax=ax, xlabel="$w_1$", ylabel="$w_2$", title="loss")
    assert returned is ax
    assert (ax.get_xlabel(), ax.get_ylabel(), ax.get_title()) == ("$w_1$", "$w_2$", "loss")


def test_surface_3d():
    ax = plot_surface_3d(rosenbrock(), {"path": [[-1.0, 1.0], [1.0, 1.0]]}, n=20)
    assert ax.name == "3d"
    assert (ax.get_xlabel(), ax.get_ylabel(), ax.get_zlabel()) == ("$x$", "$y$", "$f(x, y)$")
    assert len(ax.lines) == 1 and _legend_texts(ax) == ["path"]
    _, _, heights = ax.lines[0].get_data_3d()
    np.testing.assert_allclose(heights, [4.0, 0.0])  # f(-1, 1) = 4, f(1, 1) = 0


def test_surface_3d_refuses_a_2d_axes():
    _, ax = plt.subplots()
    with pytest.raises(ValueError, match=r'ax must be a 3-D axes.*projection="3d"'):
        plot_surface_3d(saddle(), ax=ax)


def test_loss_curves():
    curves = {
        "SGD": [1.0, 0.6, 0.4, 0.3],
        "momentum": np.array([1.0, 0.3, 0.1]),
        "Adam": (1.0, 0.2),
    }
    ax = plot_loss_curves(curves)
    assert len(ax.lines) == 3
    assert _legend_texts(ax) == ["SGD", "momentum", "Adam"]
    assert (ax.get_xlabel(), ax.get_ylabel(), ax.get_yscale()) == ("step", "loss", "linear")
    np.testing.assert_array_equal(ax.lines[1].get_xdata(), [0, 1, 2])
    np.testing.assert_array_equal(ax.lines[1].get_ydata(), [1.0, 0.3, 0.1])
    assert [line.get_linestyle() for line in ax.lines] == ["-", "--", "-."]
    assert LINESTYLES[:3] == ("-", "--", "-.")


def test_loss_curves_per_epoch_on_a_log_axis():
    ax = plot_loss_curves(
        {"train": [0.5, 0.1, 0.01]}, logy=True, start=1, xlabel="epoch", title="t"
    )
    assert ax.get_yscale() == "log"
    assert ax.get_xlabel() == "epoch" and ax.get_title() == "t"
    np.testing.assert_array_equal(ax.lines[0].get_xdata(), [1, 2, 3])


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (lambda: plot_loss_curves({}), TypeError, r"curves must be a non-empty dict"),
        (lambda: plot_loss_curves([1.0, 2.0]), TypeError, r"curves must be a non-empty dict"),
        (
            lambda: plot_loss_curves({"a": [1.0, 0.0]}, logy=True),
            ValueError,
            r"curves\['a'\] has a value 0 <= 0",
        ),
        (lambda: plot_loss_curves({"a": [[1.0]]}), ValueError, r"curves\['a'\] has shape \(1, 1\)"),
        (
            lambda: plot_loss_curves({"a": [1.0, np.nan]}),
            ValueError,
            r"curves\['a'\] must not contain NaN",
        ),
        (
            lambda: plot_contours(saddle(), {"a": [1.0, 2.0]}),
            ValueError,
            r"paths\['a'\] has shape \(2,\), expected \(k, 2\)",
        ),
        (lambda: plot_contours(saddle(), [[1.0, 2.0]]), TypeError, r"paths must be a dict"),
        (lambda: plot_contours(rosenbrock), TypeError, r"surface must be a Surface"),
        (lambda: contour_levels([1.0, 1.0]), ValueError, r"Z is constant \(1\)"),
        (
            lambda: contour_levels([1.0, 2.0], n_levels=1),
            ValueError,
            r"n_levels must be an integer >= 2",
        ),
    ],
)
def test_bad_arguments_raise(call, error, match):
    with pytest.raises(error, match=match):
        call()


def test_contour_levels_hand_values():
    np.testing.assert_allclose(contour_levels([2.0, 4.0], n_levels=5), [2.0, 2.5, 3.0, 3.5, 4.0])
    # log: minimum + range * 10^(-5, -10/3, -5/3, 0)
    np.testing.assert_allclose(
        contour_levels([1.0, 1001.0], n_levels=4, log=True),
        [1.01, 1.0 + 1000 * 10 ** (-10 / 3), 1.0 + 1000 * 10 ** (-5 / 3), 1001.0],
        rtol=1e-13,
    )


def test_missing_matplotlib_gives_an_install_hint(monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib.pyplot", None)  # makes the import fail
    with pytest.raises(ImportError, match=r"pip install nncourse\[plot\]"):
        plot_loss_curves({"a": [1.0]})
