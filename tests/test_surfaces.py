"""Test surfaces: gradients against SymPy and finite differences, minima, optimizer paths."""

import numpy as np
import pytest
import sympy
from hypothesis import given
from hypothesis import strategies as st

from nncourse.gradcheck import check_gradient, numerical_gradient, numerical_jacobian
from nncourse.optim import SGD, Adam
from nncourse.surfaces import (
    Surface,
    beale,
    grid,
    himmelblau,
    optimize_path,
    plateau,
    quadratic_bowl,
    rosenbrock,
    saddle,
)

SX, SY = sympy.symbols("x y", real=True)
ANGLE = 0.3
SU = sympy.cos(ANGLE) * SX + sympy.sin(ANGLE) * SY
SV = -sympy.sin(ANGLE) * SX + sympy.cos(ANGLE) * SY

# (surface, the same function typed independently in SymPy)
CASES = {
    "bowl": (quadratic_bowl(condition=25, angle=ANGLE), (SU**2 + 25 * SV**2) / 2),
    "rosenbrock": (rosenbrock(), (1 - SX) ** 2 + 100 * (SY - SX**2) ** 2),
    "rosenbrock a=2 b=5": (rosenbrock(a=2.0, b=5.0), (2 - SX) ** 2 + 5 * (SY - SX**2) ** 2),
    "beale": (
        beale(),
        (sympy.Rational(3, 2) - SX + SX * SY) ** 2
        + (sympy.Rational(9, 4) - SX + SX * SY**2) ** 2
        + (sympy.Rational(21, 8) - SX + SX * SY**3) ** 2,
    ),
    "himmelblau": (himmelblau(), (SX**2 + SY - 11) ** 2 + (SX + SY**2 - 7) ** 2),
    "saddle": (saddle(), SX**2 - SY**2),
    "plateau": (plateau(width=1.5), 1 - sympy.exp(-(SX**2 + SY**2) / (2 * sympy.Rational(9, 4)))),
}


def _reference(expression):
    gradient = [sympy.diff(expression, v) for v in (SX, SY)]
    return sympy.lambdify((SX, SY), expression, "numpy"), sympy.lambdify(
        (SX, SY), gradient, "numpy"
    )


REFERENCES = {name: _reference(expression) for name, (_, expression) in CASES.items()}
unit_square = st.tuples(st.floats(0, 1), st.floats(0, 1))


def _in_domain(surface: Surface, fractions) -> np.ndarray:
    (x_min, x_max), (y_min, y_max) = surface.domain
    return np.array(
        [x_min + fractions[0] * (x_max - x_min), y_min + fractions[1] * (y_max - y_min)]
    )


@pytest.mark.parametrize("name", CASES)
@given(fractions=unit_square)
def test_values_and_gradients_match_sympy(name, fractions):
    surface = CASES[name][0]
    f_reference, grad_reference = REFERENCES[name]
    xy = _in_domain(surface, fractions)
    np.testing.assert_allclose(surface.f(xy), f_reference(*xy), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(surface.grad(xy), grad_reference(*xy), rtol=1e-10, atol=1e-10)


@pytest.mark.parametrize("name", CASES)
@given(fractions=unit_square)
def test_gradients_match_finite_differences(name, fractions):
    surface = CASES[name][0]
    xy = _in_domain(surface, fractions)
    # rounding in f(x +- eps) is about |f| * 1e-16 / 1e-6: the absolute tolerance scales with |f|
    atol = 1e-7 * (1 + abs(surface.f(xy)))
    check_gradient(surface.f, surface.grad, xy, rtol=1e-6, atol=atol).raise_if_failed()


@pytest.mark.parametrize("name", CASES)
def test_evaluation_is_vectorised_over_any_leading_shape(name):
    surface = CASES[name][0]
    points = np.random.default_rng(0).uniform(-2, 2, size=(3, 4, 2))
    values, gradients = surface.f(points), surface.grad(points)
    assert values.shape == (3, 4) and gradients.shape == (3, 4, 2)
    for index in np.ndindex(3, 4):
        assert values[index] == surface.f(points[index])
        np.testing.assert_array_equal(gradients[index], surface.grad(points[index]))
    assert isinstance(surface.f(points[0, 0]), float)


@pytest.mark.parametrize(
    ("surface", "xy", "value"),
    [
        (rosenbrock(), [0.0, 0.0], 1.0),
        (rosenbrock(), [-1.0, 1.0], 4.0),
        (beale(), [0.0, 0.0], 14.203125),  # 1.5^2 + 2.25^2 + 2.625^2
        (beale(), [1.0, 1.0], 14.203125),  # x = 1, y = 1 leaves the constants too
        (himmelblau(), [0.0, 0.0], 170.0),  # 11^2 + 7^2
        (saddle(), [3.0, 2.0], 5.0),
        (quadratic_bowl(condition=10), [2.0, 1.0], 7.0),  # (4 + 10) / 2
        (quadratic_bowl(condition=10, angle=np.pi / 4), [1.0, 1.0], 1.0),  # u = sqrt 2, v = 0
    ],
)
def test_hand_computed_values(surface, xy, value):
    assert surface.f(xy) == pytest.approx(value, rel=1e-14)


@pytest.mark.parametrize("name", [name for name in CASES if name != "saddle"])
def test_minima_have_zero_gradient_the_known_value_and_positive_curvature(name):
    surface = CASES[name][0]
    assert len(surface.minima) >= 1
    for point in surface.minima:
        np.testing.assert_allclose(surface.grad(point), 0.0, atol=1e-12)
        assert surface.f(point) == pytest.approx(surface.minimum_value, abs=1e-24)
        hessian = numerical_jacobian(surface.grad, point)
        assert np.linalg.eigvalsh((hessian + hessian.T) / 2).min() > 0
    values = grid(surface, n=101)[2]
    assert values.min() >= surface.minimum_value


def test_known_minimisers():
    assert rosenbrock(a=2.0).minima.tolist() == [[2.0, 4.0]]
    assert beale().minima.tolist() == [[3.0, 0.5]]
    assert himmelblau().minima.shape == (4, 2)
    assert [3.0, 2.0] in himmelblau().minima.tolist()


def test_saddle_has_no_minimum_and_a_critical_point_at_the_origin():
    surface = saddle()
    assert surface.minima.shape == (0, 2) and surface.minimum_value is None
    assert surface.saddle_points.tolist() == [[0.0, 0.0]]
    assert surface.grad([0.0, 0.0]).tolist() == [0.0, 0.0]
    assert not surface.log_levels


def test_plateau_is_flat_far_from_the_well():
    surface = plateau()
    # |grad| = r e^{-r^2 / 2} at distance r (s = 1)
    assert np.linalg.norm(surface.grad([5.0, 0.0])) == pytest.approx(5 * np.exp(-12.5), rel=1e-13)
    assert surface.f([0.0, 1e-9]) == pytest.approx(0.5e-18, rel=1e-12)  # no cancellation near 0
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        assert surface.f([1e3, 1e3]) == 1.0
        assert surface.grad([1e3, -1e3]).tolist() == [0.0, 0.0]


def test_bowl_condition_number_is_the_hessian_eigenvalue_ratio():
    surface = quadratic_bowl(condition=40, angle=1.1)
    eigenvalues = np.linalg.eigvalsh(numerical_jacobian(surface.grad, [0.3, -0.7]))
    np.testing.assert_allclose(eigenvalues, [1.0, 40.0], rtol=1e-7)


def test_grid_matches_pointwise_values():
    surface = himmelblau()
    X, Y, Z = grid(surface, n=5)
    assert X.shape == Y.shape == Z.shape == (5, 5)
    np.testing.assert_array_equal(X[0], np.linspace(-5, 5, 5))
    np.testing.assert_array_equal(Y[:, 0], np.linspace(-5, 5, 5))
    assert Z[1, 3] == surface.f([X[1, 3], Y[1, 3]])
    X, Y, Z = grid(surface, n=3, domain=((0, 1), (2, 4)))
    assert X[0].tolist() == [0.0, 0.5, 1.0] and Y[:, 0].tolist() == [2.0, 3.0, 4.0]


# --- optimizer paths -------------------------------------------------------------------------


@pytest.mark.parametrize("steps", [0, 1, 25])
def test_path_shape_and_start(steps):
    path = optimize_path(rosenbrock(), lambda params: SGD(params, lr=1e-3), [-1.5, 2.0], steps)
    assert path.shape == (steps + 1, 2)
    assert path[0].tolist() == [-1.5, 2.0]


def test_gradient_descent_on_the_bowl_follows_the_closed_form():
    # x_t = (1 - lr)^t x_0 and y_t = (1 - lr kappa)^t y_0 on the axis-aligned bowl
    lr, kappa, t = 0.05, 10.0, np.arange(31)
    path = optimize_path(quadratic_bowl(condition=kappa), lambda p: SGD(p, lr=lr), [2.0, -1.0], 30)
    np.testing.assert_allclose(path[:, 0], 2.0 * (1 - lr) ** t, rtol=1e-13)
    np.testing.assert_allclose(path[:, 1], -1.0 * (1 - lr * kappa) ** t, rtol=1e-13, atol=1e-300)


def test_sgd_with_a_small_learning_rate_decreases_the_bowl():
    surface = quadratic_bowl(condition=10, angle=0.7)
    path = optimize_path(surface, lambda params: SGD(params, lr=0.01), [2.5, -2.0], 200)
    values = surface.f(path)
    assert (np.diff(values) < 0).all()
    assert values[-1] < 0.5 * values[0]


def test_momentum_path_matches_a_hand_written_heavy_ball_loop():
    surface, lr, mu = rosenbrock(), 1e-3, 0.9
    path = optimize_path(surface, lambda p: SGD(p, lr=lr, momentum=mu), [-1.0, 1.5], 50)
    position, buffer = np.array([-1.0, 1.5]), None
    for t in range(1, 51):
        gradient = np.array(
            [-2 * (1 - position[0]) - 400 * position[0] * (position[1] - position[0] ** 2),
             200 * (position[1] - position[0] ** 2)]
        )  # fmt: skip
        buffer = gradient if buffer is None else mu * buffer + gradient
        position = position - lr * buffer
        np.testing.assert_allclose(path[t], position, rtol=1e-12)


def test_adam_crosses_the_plateau_where_sgd_crawls():
    surface = plateau()
    sgd = optimize_path(surface, lambda params: SGD(params, lr=0.1), [4.0, 0.0], 100)
    adam = optimize_path(surface, lambda params: Adam(params, lr=0.1), [4.0, 0.0], 100)
    assert surface.f(sgd[-1]) > 0.99
    assert surface.f(adam[-1]) < 0.01


def test_saddle_traps_gradient_descent_on_the_stable_axis():
    path = optimize_path(saddle(), lambda params: SGD(params, lr=0.1), [1.0, 0.0], 50)
    np.testing.assert_allclose(path[-1], [0.8**50, 0.0])  # x_t = (1 - 2 lr)^t, y stays 0


def test_divergence_raises_a_clear_error_without_warnings():
    with pytest.raises(ValueError, match=r"diverged at step \d+.*Lower the learning rate"):
        optimize_path(rosenbrock(), lambda params: SGD(params, lr=0.1), [-1.5, 2.0], 100)


def test_input_is_not_modified():
    start = np.array([1.0, 1.0])
    optimize_path(saddle(), lambda params: SGD(params, lr=0.1), start, 3)
    assert start.tolist() == [1.0, 1.0]


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        (
            {"surface": rosenbrock},
            TypeError,
            r"surface must be a Surface; got function\. .*rosenbrock\(\)",
        ),
        ({"start": [1.0, 2.0, 3.0]}, ValueError, r"start has shape \(3,\), expected \(\.\.\., 2\)"),
        ({"start": [[1.0, 2.0]]}, ValueError, r"start has shape \(1, 2\), expected \(2,\)"),
        ({"start": [np.inf, 0.0]}, ValueError, r"start must contain only finite numbers"),
        ({"steps": -1}, ValueError, r"steps must be an integer >= 0; got -1"),
        ({"steps": 2.0}, TypeError, r"steps must be an integer; got 2.0"),
        (
            {"optimizer_factory": lambda params: params},
            TypeError,
            r"step\(\) and zero_grad\(\).*list",
        ),
    ],
)
def test_optimize_path_rejects_bad_arguments(kwargs, error, match):
    arguments = {
        "surface": saddle(),
        "optimizer_factory": lambda params: SGD(params, lr=0.1),
        "start": [1.0, 1.0],
        "steps": 3,
    } | kwargs
    with pytest.raises(error, match=match):
        optimize_path(**arguments)


@pytest.mark.parametrize(
    ("make", "match"),
    [
        (lambda: quadratic_bowl(condition=0.5), r"condition must be a finite number >= 1; got 0.5"),
        (lambda: quadratic_bowl(angle=np.nan), r"angle must be a finite number"),
        (lambda: rosenbrock(b=0), r"b must be a finite number > 0; got 0"),
        (lambda: rosenbrock(a=np.inf), r"a must be a finite number"),
        (lambda: plateau(width=-1), r"width must be a finite number > 0; got -1"),
        (lambda: saddle().f([1.0, 2.0, 3.0]), r"xy has shape \(3,\), expected \(\.\.\., 2\)"),
        (lambda: saddle().grad(np.zeros((4, 3))), r"xy has shape \(4, 3\)"),
        (lambda: saddle().f(1.0), r"xy has shape \(\), expected \(\.\.\., 2\)"),
        (lambda: grid(saddle(), n=1), r"n \(grid points per axis\) must be an integer >= 2; got 1"),
        (lambda: grid(saddle(), domain=((1, 0), (0, 1))), r"domain must be .* min < max"),
        (
            lambda: grid(saddle(), domain=(0, 1)),
            r"domain must be \(\(x_min, x_max\), \(y_min, y_max\)\)",
        ),
    ],
)
def test_bad_surface_arguments_raise(make, match):
    with pytest.raises(ValueError, match=match):
        make()


def test_surface_repr_is_readable():
    assert repr(beale()) == (
        "Surface('Beale', minima=[[3.0, 0.5]], minimum_value=0.0, "
        "domain=((-4.5, 4.5), (-4.5, 4.5)))"
    )


def test_numerical_gradient_of_a_grid_point_sum():
    # f on a batch sums like independent points: the gradient of the sum is the stacked gradients
    surface = himmelblau()
    points = np.array([[1.0, -2.0], [0.5, 3.0]])
    numeric = numerical_gradient(lambda p: surface.f(p).sum(), points)
    np.testing.assert_allclose(surface.grad(points), numeric, rtol=1e-6)
