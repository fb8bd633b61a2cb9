"""GradCheckResult's report: the worst entries, indexed by plain integers, in a readable table."""

import numpy as np

from nncourse.gradcheck import check_gradient


def sum_of_squares(v):
    return float(np.sum(v**2))


def wrong_gradient(v):
    """2 v, plus 1 on the last entry: that entry is off by exactly 1."""
    grad = 2 * np.asarray(v, dtype=float)
    grad.flat[-1] += 1.0
    return grad


def test_worst_indexes_entries_with_plain_ints():
    result = check_gradient(sum_of_squares, wrong_gradient, [[1.0, 2.0], [3.0, 4.0]])
    index, analytic, numeric, error = result.worst()[0]
    assert index == (1, 1)
    assert all(type(i) is int for entry in result.worst() for i in entry[0])
    assert analytic == 9.0  # 2 * 4 + 1
    assert abs(numeric - 8.0) < 1e-6  # central differences of x^2 give 2x up to rounding
    assert abs(error - 1.0) < 1e-6


def test_worst_of_a_scalar_is_the_empty_index():
    result = check_gradient(lambda v: float(v**2), lambda v: 2 * v + 1, 3.0)
    assert result.worst()[0][0] == ()


def test_printed_table_of_a_failed_check():
    report = str(check_gradient(sum_of_squares, wrong_gradient, [1.0, 2.0, 3.0]))
    lines = report.splitlines()
    assert lines[0].startswith("gradient check FAILED: max abs error 1, max rel error 0.143")
    assert lines[1].split() == ["index", "analytic", "numeric", "abs", "error"]
    # the wrong entry first: analytic 2 * 3 + 1 = 7 against the numeric 6, error 1
    assert lines[2].split() == ["(2,)", "7", "6", "1"]
    assert [line.split()[0] for line in lines[3:]] == ["(0,)", "(1,)"]
    assert "np.int64" not in report
