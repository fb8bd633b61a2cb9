"""Threshold logic units: gates against Python's operators, sum of products, perceptron, LP."""

import itertools
import operator

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from nncourse.tlu import (
    AND,
    NAND,
    NOR,
    NOT,
    OR,
    TLU,
    XNOR,
    XOR,
    PerceptronResult,
    TLUNetwork,
    from_truth_table,
    is_linearly_separable,
    perceptron_fit,
    separating_unit,
    truth_table,
)

ROWS_2 = list(itertools.product([0, 1], repeat=2))  # standard order, built without truth_table

GATES_2 = {
    "AND": (AND, lambda a, b: a and b),
    "OR": (OR, lambda a, b: a or b),
    "NAND": (NAND, lambda a, b: not (a and b)),
    "NOR": (NOR, lambda a, b: not (a or b)),
    "XOR": (XOR, operator.xor),
    "XNOR": (XNOR, lambda a, b: a == b),
}


@pytest.mark.parametrize("name", GATES_2)
@pytest.mark.parametrize("row", ROWS_2)
def test_two_input_gate_matches_python_operator_on_every_row(name, row):
    gate, python_operator = GATES_2[name]
    expected = int(bool(python_operator(bool(row[0]), bool(row[1]))))
    output = gate(list(row))
    assert output == expected
    assert type(output) is int


@pytest.mark.parametrize("name", GATES_2)
def test_gate_on_the_whole_truth_table_is_an_int_array(name):
    gate, python_operator = GATES_2[name]
    expected = [int(bool(python_operator(bool(a), bool(b)))) for a, b in ROWS_2]
    output = gate(np.array(ROWS_2))
    assert output.shape == (4,)
    assert output.dtype == np.int64
    assert output.tolist() == expected


@pytest.mark.parametrize("a", [0, 1])
def test_not_gate(a):
    assert NOT([a]) == int(not a)
    assert NOT([[0], [1]]).tolist() == [1, 0]


def test_gates_are_single_units_and_xor_xnor_are_two_layer_networks():
    for gate in (AND, OR, NOT, NAND, NOR):
        assert isinstance(gate, TLU)
        assert np.array_equal(gate.weights, np.round(gate.weights))  # small integer weights
    for network in (XOR, XNOR):
        assert isinstance(network, TLUNetwork)
        assert len(network.layers) == 2


def test_and_gate_fires_exactly_at_zero_net_input_with_the_course_convention():
    assert AND.weights.tolist() == [1.0, 1.0] and AND.bias == -2.0
    assert TLU([1, 1], -2, at_zero=0)([1, 1]) == 0  # U(0) = 0 turns AND into constant 0
    assert TLU([1, 1], -2, at_zero=0)(np.array(ROWS_2)).tolist() == [0, 0, 0, 0]


def test_bool_inputs_are_accepted():
    assert AND(np.array([[True, True], [True, False]])).tolist() == [1, 0]


def test_truth_table_is_the_standard_order():
    assert truth_table(3).tolist() == [list(row) for row in itertools.product([0, 1], repeat=3)]
    assert truth_table(1).tolist() == [[0], [1]]


def test_predict_accepts_real_inputs():
    unit = TLU([1.0, -1.0], 0.5)
    assert unit.predict([[0.2, 1.0], [3.0, 1.0], [0.0, 0.5]]).tolist() == [0, 1, 1]  # -0.3, 2.5, 0
    assert unit.net_input([2.0, 1.0]) == pytest.approx(1.5)


def test_weights_are_read_only_and_copied():
    weights = np.array([1.0, 1.0])
    unit = TLU(weights, -2)
    weights[0] = 5.0
    assert unit.weights.tolist() == [1.0, 1.0]
    with pytest.raises(ValueError, match="read-only"):
        unit.weights[0] = 3.0


def test_reprs_are_readable():
    assert repr(TLU([1, 0.5], -1.5)) == "TLU(weights=[1, 0.5], bias=-1.5)"
    assert repr(TLU([1], 0, at_zero=0)) == "TLU(weights=[1], bias=0, at_zero=0)"
    assert repr(AND) == "TLU(weights=[1, 1], bias=-2, name='AND')"
    assert repr(XOR).splitlines() == [
        "TLUNetwork(name='XOR',",
        "  layer 1: [TLU(weights=[1, 1], bias=-1, name='OR'), "
        "TLU(weights=[-1, -1], bias=1, name='NAND')]",
        "  layer 2: [TLU(weights=[1, 1], bias=-2, name='AND')]",
        ")",
    ]


def test_layer_outputs_of_xor_show_the_hidden_or_and_nand():
    hidden, output = XOR.layer_outputs(np.array(ROWS_2))
    assert hidden.tolist() == [[0, 1], [1, 1], [1, 1], [1, 0]]  # columns: OR, NAND
    assert output.tolist() == [[0], [1], [1], [0]]


def test_network_with_two_outputs_is_a_half_adder():
    sum_unit = TLU([1, 1, 0], -2)  # OR and NAND
    carry_unit = TLU([0, 0, 1], -1)  # AND
    adder = TLUNetwork([[OR, NAND, AND], [sum_unit, carry_unit]])
    expected = [[(a + b) % 2, (a + b) // 2] for a, b in ROWS_2]
    assert adder(np.array(ROWS_2)).tolist() == expected
    assert adder([1, 1]).tolist() == [0, 1]
    assert adder.n_inputs == 2 and adder.n_outputs == 2


def test_a_bare_unit_counts_as_a_layer():
    assert TLUNetwork([AND])(np.array(ROWS_2)).tolist() == [0, 0, 0, 1]


def test_network_units_can_have_their_own_at_zero():
    network = TLUNetwork([[TLU([1], 0, at_zero=0), TLU([1], 0)], [TLU([1, 1], -1)]])
    assert network.layer_outputs([[0], [1]])[0].tolist() == [[0, 1], [1, 1]]


@pytest.mark.parametrize(
    ("x", "error", "match"),
    [
        ([[0, 2]], ValueError, r"only 0 and 1"),
        ([[0.5, 1]], ValueError, r"only 0 and 1"),
        ([0, 1, 1], ValueError, r"x has shape \(3,\), expected \(2,\) .* or \(N, 2\)"),
        ([[[0, 1]]], ValueError, r"x has shape \(1, 1, 2\)"),
        (np.array(["0", "1"]), TypeError, r"x must hold 0s and 1s; got dtype <U1"),
    ],
)
def test_bad_inputs_raise(x, error, match):
    with pytest.raises(error, match=match):
        AND(x)
    with pytest.raises(error, match=match):
        XOR(x)


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"weights": [[1, 1]], "bias": 0}, ValueError, r"weights must be a 1-D array .* \(1, 2\)"),
        ({"weights": [], "bias": 0}, ValueError, r"weights must be a 1-D array"),
        ({"weights": [1, np.nan], "bias": 0}, ValueError, r"weights must not contain NaN"),
        ({"weights": [1], "bias": np.inf}, ValueError, r"bias must be a finite number"),
        ({"weights": [1], "bias": [1, 2]}, ValueError, r"bias must be a finite number"),
        ({"weights": [1], "bias": 0, "at_zero": 0.5}, ValueError, r"at_zero must be 0 or 1"),
    ],
)
def test_bad_units_raise(kwargs, error, match):
    with pytest.raises(error, match=match):
        TLU(**kwargs)


def test_bad_networks_raise():
    with pytest.raises(ValueError, match=r"unit 0 of layer 2 has 2 weights, expected 3"):
        TLUNetwork([[AND, OR, NAND], [AND]])
    with pytest.raises(
        ValueError, match=r"units of layer 1 read different numbers of inputs \[1, 2\]"
    ):
        TLUNetwork([[AND, NOT]])
    with pytest.raises(TypeError, match=r"layer 1 must be a non-empty list of TLU units"):
        TLUNetwork([[]])
    with pytest.raises(TypeError, match=r"layer 2 must be a non-empty list of TLU units"):
        TLUNetwork([[AND], ["OR"]])
    with pytest.raises(TypeError, match=r"layers must be a non-empty list"):
        TLUNetwork([])
    with pytest.raises(ValueError, match=r"n_inputs must be an integer >= 1; got 0"):
        truth_table(0)


# --- sum of products -------------------------------------------------------------------------

truth_tables = st.integers(2, 4).flatmap(
    lambda n: st.lists(st.integers(0, 1), min_size=2**n, max_size=2**n)
)


@given(truth_tables)
def test_from_truth_table_reproduces_every_row(outputs):
    n_inputs = len(outputs).bit_length() - 1
    network = from_truth_table(outputs)
    for row in itertools.product([0, 1], repeat=n_inputs):
        index = int("".join(map(str, row)), 2)  # first input is the most significant bit
        assert network(list(row)) == outputs[index]
    assert network(truth_table(n_inputs)).tolist() == outputs


@given(truth_tables)
def test_from_truth_table_has_one_minterm_per_true_row_and_an_or(outputs):
    network = from_truth_table(outputs)
    hidden, (output_unit,) = network.layers
    assert len(hidden) == max(1, sum(outputs))
    assert output_unit.weights.tolist() == [1.0] * len(hidden) and output_unit.bias == -1.0
    for unit in hidden:
        assert set(unit.weights.tolist()) <= {-1.0, 0.0, 1.0}


@pytest.mark.parametrize("n_inputs", [1, 2, 3, 4])
@pytest.mark.parametrize("constant", [0, 1])
def test_from_truth_table_constant_functions(n_inputs, constant):
    network = from_truth_table([constant] * 2**n_inputs)
    assert network(truth_table(n_inputs)).tolist() == [constant] * 2**n_inputs


def test_from_truth_table_accepts_bools_and_builds_xor():
    xor = from_truth_table(np.array([False, True, True, False]))
    assert [xor(list(row)) for row in ROWS_2] == [a ^ b for a, b in ROWS_2]
    assert [unit.weights.tolist() for unit in xor.layers[0]] == [[-1.0, 1.0], [1.0, -1.0]]


@pytest.mark.parametrize(
    ("outputs", "match"),
    [
        ([0, 1, 1], r"length 2\*\*n with n >= 1; got shape \(3,\)"),
        ([1], r"length 2\*\*n with n >= 1; got shape \(1,\)"),
        ([[0, 1], [1, 0]], r"1-D column .* got shape \(2, 2\)"),
        ([0, 2, 1, 0], r"outputs must contain only the labels 0 and 1"),
    ],
)
def test_from_truth_table_rejects_bad_columns(outputs, match):
    with pytest.raises(ValueError, match=match):
        from_truth_table(outputs)


# --- perceptron ------------------------------------------------------------------------------


def test_perceptron_on_and_follows_the_hand_trace():
    # Traced by hand, visiting (0,0), (0,1), (1,0), (1,1) from w = 0, b = 0 with U(0) = 1.
    result = perceptron_fit(np.array(ROWS_2), [0, 0, 0, 1])
    assert isinstance(result, PerceptronResult)
    assert result.converged and result.epochs == 6
    assert result.errors == [2, 3, 3, 2, 1, 0]
    assert result.unit.weights.tolist() == [2.0, 1.0] and result.unit.bias == -3.0
    assert result.unit(np.array(ROWS_2)).tolist() == [0, 0, 0, 1]


def test_perceptron_on_or_follows_the_hand_trace():
    result = perceptron_fit(np.array(ROWS_2), [0, 1, 1, 1])
    assert result.converged and result.errors == [2, 2, 1, 0]
    assert result.unit.weights.tolist() == [1.0, 1.0] and result.unit.bias == -1.0


@pytest.mark.parametrize("labels", [[0, 1, 1, 0], [1, 0, 0, 1]])
def test_perceptron_reports_failure_on_xor_and_xnor(labels):
    result = perceptron_fit(np.array(ROWS_2), labels, max_epochs=40)
    assert not result.converged
    assert result.epochs == 40 and len(result.errors) == 40
    assert min(result.errors) > 0


def test_learning_rate_only_rescales_the_weights_from_zero():
    base = perceptron_fit(np.array(ROWS_2), [1, 1, 1, 0])
    scaled = perceptron_fit(np.array(ROWS_2), [1, 1, 1, 0], lr=0.25)
    assert scaled.errors == base.errors
    assert np.array_equal(scaled.unit.weights, 0.25 * base.unit.weights)
    assert scaled.unit.bias == 0.25 * base.unit.bias


def test_perceptron_with_rng_is_deterministic_and_converges():
    first = perceptron_fit(np.array(ROWS_2), [0, 0, 0, 1], rng=np.random.default_rng(3))
    second = perceptron_fit(np.array(ROWS_2), [0, 0, 0, 1], rng=np.random.default_rng(3))
    assert first.converged and first.errors == second.errors
    assert np.array_equal(first.unit.weights, second.unit.weights)


def test_perceptron_with_at_zero_zero():
    result = perceptron_fit(np.array(ROWS_2), [0, 0, 0, 1], at_zero=0)
    assert result.converged and result.unit.at_zero == 0.0
    assert result.unit(np.array(ROWS_2)).tolist() == [0, 0, 0, 1]


@given(st.integers(0, 2**32 - 1), st.integers(1, 3))
def test_perceptron_converges_on_separable_data_within_novikoffs_bound(seed, n_features):
    rng = np.random.default_rng(seed)
    direction = rng.normal(size=n_features)
    direction /= np.linalg.norm(direction)
    offset = rng.uniform(-0.5, 0.5)
    points = rng.uniform(-1, 1, size=(40, n_features))
    margin = points @ direction + offset
    points = points[np.abs(margin) >= 0.2]  # keep a margin so the bound stays small
    labels = (points @ direction + offset > 0).astype(int)
    result = perceptron_fit(points, labels, max_epochs=1000)
    assert result.converged
    assert result.unit.predict(points).tolist() == labels.tolist()
    # Novikoff: mistakes <= (R / gamma)^2 for augmented inputs (x, 1), w* = (direction, offset)
    augmented = np.hstack([points, np.ones((len(points), 1))])
    radius = np.linalg.norm(augmented, axis=1).max()
    gamma = np.abs(margin[np.abs(margin) >= 0.2]).min() / np.hypot(1.0, offset)
    assert sum(result.errors) <= (radius / gamma) ** 2


@pytest.mark.parametrize(
    ("args", "kwargs", "error", "match"),
    [
        (([[0, 1]], [2]), {}, ValueError, r"y must contain only the labels 0 and 1"),
        (
            ([[0, 1]], [0, 1]),
            {},
            ValueError,
            r"y has shape \(2,\), expected \(1,\) to match X's rows",
        ),
        (([0, 1], [0, 1]), {}, ValueError, r"X must have shape \(n_samples, n_features\).*\(2,\)"),
        (([[0, 1]], [1]), {"lr": 0}, ValueError, r"lr must be > 0"),
        (([[0, 1]], [1]), {"max_epochs": 0}, ValueError, r"max_epochs must be an integer >= 1"),
        (
            ([[0, 1]], [1]),
            {"max_epochs": 2.5},
            TypeError,
            r"max_epochs must be an integer; got 2.5",
        ),
        (([[0, 1]], [1]), {"rng": 0}, TypeError, r"rng must be a numpy.random.Generator or None"),
        (([[0, 1]], [1]), {"at_zero": 2}, ValueError, r"at_zero must be 0 or 1"),
        (([[np.nan, 1]], [1]), {}, ValueError, r"X must not contain NaN"),
    ],
)
def test_perceptron_rejects_bad_arguments(args, kwargs, error, match):
    with pytest.raises(error, match=match):
        perceptron_fit(*args, **kwargs)


# --- linear separability ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("labels", "separable"),
    [
        ([0, 0, 0, 1], True),  # AND
        ([0, 1, 1, 1], True),  # OR
        ([1, 1, 1, 0], True),  # NAND
        ([1, 0, 0, 0], True),  # NOR
        ([0, 0, 0, 0], True),
        ([1, 1, 1, 1], True),
        ([0, 1, 1, 0], False),  # XOR
        ([1, 0, 0, 1], False),  # XNOR
    ],
)
def test_linear_separability_of_two_input_functions(labels, separable):
    assert is_linearly_separable(np.array(ROWS_2), labels) is separable


def test_separating_unit_reproduces_the_labels():
    X = truth_table(3)
    majority = (X.sum(axis=1) >= 2).astype(int)
    unit = separating_unit(X, majority)
    assert unit(X).tolist() == majority.tolist()
    assert separating_unit(X, X.sum(axis=1) % 2) is None  # 3-bit parity


@pytest.mark.parametrize(("n_inputs", "count"), [(1, 4), (2, 14), (3, 104)])
def test_number_of_threshold_functions_is_the_known_count(n_inputs, count):
    # 4, 14, 104 linearly separable Boolean functions of 1, 2, 3 inputs (OEIS A000609)
    X = truth_table(n_inputs)
    tables = itertools.product([0, 1], repeat=2**n_inputs)
    assert sum(is_linearly_separable(X, labels) for labels in tables) == count


@given(st.integers(2, 3).flatmap(lambda n: st.tuples(st.just(n), st.data())))
def test_separability_agrees_with_perceptron_convergence(problem):
    n_inputs, data = problem
    rows = data.draw(st.lists(st.integers(0, 2**n_inputs - 1), min_size=1, max_size=2**n_inputs))
    labels = data.draw(st.lists(st.integers(0, 1), min_size=len(rows), max_size=len(rows)))
    X = truth_table(n_inputs)[rows]  # repeated rows with different labels are inseparable
    result = perceptron_fit(X, labels, max_epochs=60)
    assert result.converged is is_linearly_separable(X, labels)


def test_separability_rejects_bad_arguments():
    with pytest.raises(ValueError, match=r"y has shape \(3,\), expected \(4,\)"):
        is_linearly_separable(np.array(ROWS_2), [0, 1, 1])
    with pytest.raises(ValueError, match=r"X must have shape \(n_samples, n_features\)"):
        is_linearly_separable(np.zeros((0, 2)), [])
