"""Data helpers: the digits, stratified splits, minibatches, one-hot labels, accuracy."""

import sys

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from nncourse.data import accuracy, load_digits, minibatches, one_hot, train_val_test_split

# --- digits ----------------------------------------------------------------------------------


def test_load_digits_shapes_scale_and_labels():
    pytest.importorskip("sklearn")
    X, y = load_digits()
    assert X.shape == (1797, 64) and X.dtype == np.float64
    assert y.shape == (1797,) and y.dtype == np.int64
    assert X.min() == 0.0 and X.max() == 1.0
    assert np.array_equal(X * 16, np.round(X * 16))  # grey levels 0..16, divided by 16
    # class sizes of the optdigits test set, as documented with the data set
    assert np.bincount(y).tolist() == [178, 182, 177, 183, 181, 182, 181, 179, 174, 180]


def test_load_digits_without_sklearn_says_how_to_install_it(monkeypatch):
    monkeypatch.setitem(sys.modules, "sklearn.datasets", None)  # makes the import fail
    with pytest.raises(ImportError, match=r"scikit-learn.*pip install nncourse\[data\]"):
        load_digits()


# --- stratified split ------------------------------------------------------------------------


def test_split_hand_example():
    # class 0 (5 samples) at (0.5, 0.25, 0.25): ideal 2.5, 1.25, 1.25 -> 2, 1, 1 plus the leftover
    # to the largest remainder (train): 3, 1, 1. Class 1 (7 samples): 3.5, 1.75, 1.75 -> 3, 1, 1
    # plus two leftovers to the remainders 0.75: 3, 2, 2.
    y = np.array([0] * 5 + [1] * 7)
    X = np.arange(12)[:, None]
    parts = train_val_test_split(X, y, (0.5, 0.25, 0.25), rng=np.random.default_rng(1))
    assert [np.bincount(part_y, minlength=2).tolist() for _, part_y in parts] == [
        [3, 3],
        [1, 2],
        [1, 2],
    ]
    for part_X, part_y in parts:
        assert np.array_equal(y[part_X[:, 0]], part_y)  # rows stay paired with their labels


def test_digits_split_is_stratified():
    pytest.importorskip("sklearn")
    X, y = load_digits()
    (X_train, y_train), (_, y_val), (_, y_test) = train_val_test_split(X, y, (0.6, 0.2, 0.2), rng=0)
    assert len(y_train) + len(y_val) + len(y_test) == 1797
    sizes = np.bincount(y)
    for part, fraction in ((y_train, 0.6), (y_val, 0.2), (y_test, 0.2)):
        assert np.all(np.abs(np.bincount(part, minlength=10) - fraction * sizes) < 1)
    assert X_train.shape == (len(y_train), 64)
    # class 0 has 178 samples: 106.8, 35.6, 35.6 -> 107, 36, 35
    assert [(part == 0).sum() for part in (y_train, y_val, y_test)] == [107, 36, 35]


@st.composite
def labelled_data(draw):
    class_sizes = draw(st.lists(st.integers(1, 30), min_size=1, max_size=5))
    labels = np.repeat(np.arange(len(class_sizes)) * 3 + 7, class_sizes)  # any label values
    order = np.random.default_rng(draw(st.integers(0, 2**32 - 1))).permutation(labels.size)
    weights = draw(st.tuples(*[st.integers(0, 10)] * 3).filter(lambda w: sum(w) > 0))
    fractions = tuple(w / sum(weights) for w in weights)
    return labels[order], fractions


@given(labelled_data(), st.integers(0, 2**32 - 1))
def test_split_covers_every_sample_once_in_the_right_proportions(data, seed):
    y, fractions = data
    X = np.arange(y.size)  # each sample's id
    parts = train_val_test_split(X, y, fractions, rng=np.random.default_rng(seed))
    ids = np.concatenate([part_X for part_X, _ in parts])
    assert np.array_equal(np.sort(ids), np.arange(y.size))
    for (part_X, part_y), fraction in zip(parts, fractions, strict=True):
        assert np.array_equal(y[part_X], part_y)
        for label in np.unique(y):
            assert abs((part_y == label).sum() - fraction * (y == label).sum()) < 1


def test_split_is_deterministic_for_a_seed_and_varies_with_it():
    y = np.repeat(np.arange(4), 50)
    X = np.arange(y.size)
    first = train_val_test_split(X, y, (0.6, 0.2, 0.2), rng=np.random.default_rng(7))
    again = train_val_test_split(X, y, (0.6, 0.2, 0.2), rng=np.random.default_rng(7))
    seeded = train_val_test_split(X, y, (0.6, 0.2, 0.2), rng=7)
    other = train_val_test_split(X, y, (0.6, 0.2, 0.2), rng=np.random.default_rng(8))
    for a, b, c in zip(first, again, seeded, strict=True):
        assert np.array_equal(a[0], b[0]) and np.array_equal(a[0], c[0])
    assert not np.array_equal(first[0][0], other[0][0])
    assert not np.all(np.diff(first[0][1]) >= 0)  # the classes come mixed, not sorted


def test_split_keeps_trailing_axes_and_allows_an_empty_part():
    X = np.zeros((10, 8, 8))
    y = np.repeat([0, 1], 5)
    (X_train, _), (X_val, y_val), (X_test, _) = train_val_test_split(X, y, (0.8, 0.0, 0.2), rng=0)
    assert X_train.shape == (8, 8, 8) and X_test.shape == (2, 8, 8)
    assert X_val.shape == (0, 8, 8) and y_val.shape == (0,)


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        (
            {"fractions": (0.6, 0.2, 0.1)},
            ValueError,
            r"fractions must be three numbers >= 0 .* summing to 1; got \[0.6, 0.2, 0.1\]",
        ),
        ({"fractions": (0.8, 0.2)}, ValueError, r"fractions must be three numbers"),
        ({"fractions": (1.2, -0.1, -0.1)}, ValueError, r"fractions must be three numbers >= 0"),
        (
            {"rng": "seed"},
            TypeError,
            r"rng must be a numpy.random.Generator, an integer seed or None",
        ),
        (
            {"y": np.zeros(9, dtype=int)},
            ValueError,
            r"X has shape \(10, 2\) and y has shape \(9,\)",
        ),
        (
            {"y": np.zeros((10, 1), dtype=int)},
            ValueError,
            r"y must be one-dimensional .* \(10, 1\)",
        ),
    ],
)
def test_split_rejects_bad_arguments(kwargs, error, match):
    arguments = {
        "X": np.zeros((10, 2)),
        "y": np.repeat([0, 1], 5),
        "fractions": (0.6, 0.2, 0.2),
        "rng": 0,
    }
    with pytest.raises(error, match=match):
        train_val_test_split(**(arguments | kwargs))


# --- minibatches -----------------------------------------------------------------------------


@given(st.integers(1, 60), st.integers(1, 70), st.booleans(), st.integers(0, 2**32 - 1))
def test_minibatches_cover_every_sample_exactly_once(n_samples, batch_size, shuffle, seed):
    X = np.arange(2 * n_samples).reshape(n_samples, 2)
    y = np.arange(n_samples)
    rng = np.random.default_rng(seed) if shuffle else None
    batches = list(minibatches(X, y, batch_size, rng=rng))
    assert len(batches) == -(-n_samples // batch_size)
    assert [len(yb) for _, yb in batches[:-1]] == [batch_size] * (len(batches) - 1)
    assert len(batches[-1][1]) == n_samples - batch_size * (len(batches) - 1)
    seen = np.concatenate([yb for _, yb in batches])
    assert np.array_equal(np.sort(seen), y)
    if not shuffle:
        assert np.array_equal(seen, y)
    for Xb, yb in batches:
        assert np.array_equal(Xb[:, 0], 2 * yb)  # rows stay paired with their targets


def test_minibatches_drop_last_and_determinism():
    X, y = np.zeros((10, 3)), np.arange(10)
    assert [len(yb) for _, yb in minibatches(X, y, 4, drop_last=True)] == [4, 4]
    first = [yb.tolist() for _, yb in minibatches(X, y, 3, rng=np.random.default_rng(5))]
    again = [yb.tolist() for _, yb in minibatches(X, y, 3, rng=np.random.default_rng(5))]
    assert first == again and sorted(np.concatenate(first).tolist()) == list(range(10))
    assert first != [[0, 1, 2], [3, 4, 5], [6, 7, 8], [9]]


def test_minibatches_shuffle_anew_at_each_epoch():
    rng = np.random.default_rng(0)
    X, y = np.zeros((30, 1)), np.arange(30)
    epoch_1 = np.concatenate([yb for _, yb in minibatches(X, y, 30, rng=rng)])
    epoch_2 = np.concatenate([yb for _, yb in minibatches(X, y, 30, rng=rng)])
    assert not np.array_equal(epoch_1, epoch_2)


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"batch_size": 0}, ValueError, r"batch_size must be an integer >= 1; got 0"),
        ({"batch_size": 2.0}, TypeError, r"batch_size must be an integer; got 2.0"),
        ({"rng": 3}, TypeError, r"not a seed: a seed would give every epoch the same order"),
        (
            {"rng": np.random.RandomState(0)},
            TypeError,
            r"rng must be a numpy.random.Generator or None; got RandomState",
        ),
        ({"y": np.arange(4)}, ValueError, r"X has shape \(5, 2\) and y has shape \(4,\)"),
    ],
)
def test_minibatches_reject_bad_arguments_when_called(kwargs, error, match):
    arguments = {"X": np.zeros((5, 2)), "y": np.arange(5), "batch_size": 2} | kwargs
    with pytest.raises(error, match=match):
        minibatches(**arguments)  # raises before the first batch is asked for


# --- one-hot and accuracy --------------------------------------------------------------------


def test_one_hot_hand_values():
    assert one_hot([1, 0, 3]).tolist() == [[0, 1, 0, 0], [1, 0, 0, 0], [0, 0, 0, 1]]
    assert one_hot(np.array([1]), n_classes=3).tolist() == [[0.0, 1.0, 0.0]]
    assert one_hot([[0, 1], [1, 1]], n_classes=2).shape == (2, 2, 2)
    assert one_hot([2]).dtype == np.float64
    assert one_hot(np.array([], dtype=int), n_classes=4).shape == (0, 4)


@given(st.lists(st.integers(0, 9), min_size=1, max_size=30))
def test_one_hot_rows_sum_to_one_and_argmax_recovers_labels(labels):
    encoded = one_hot(labels, n_classes=10)
    assert encoded.shape == (len(labels), 10)
    assert np.array_equal(encoded.sum(axis=1), np.ones(len(labels)))
    assert encoded.argmax(axis=1).tolist() == labels


@pytest.mark.parametrize(
    ("args", "error", "match"),
    [
        (
            ([0.0, 1.0],),
            TypeError,
            r"labels must hold integer class labels; got dtype float64.*astype\(int\)",
        ),
        (([0, -1],), ValueError, r"labels must hold class labels >= 0; got -1"),
        (([0, 3], 3), ValueError, r"labels must be < n_classes = 3; got a label 3"),
        (([0], 0), ValueError, r"n_classes must be an integer >= 1; got 0"),
        ((np.array([], dtype=int),), ValueError, r"n_classes must be given when labels is empty"),
    ],
)
def test_one_hot_rejects_bad_arguments(args, error, match):
    with pytest.raises(error, match=match):
        one_hot(*args)


def test_accuracy_hand_values():
    scores = np.array([[0.1, 0.7, 0.2], [2.0, -1.0, 0.0], [0.0, 0.0, 5.0], [1.0, 3.0, 2.0]])
    assert accuracy(scores, [1, 0, 2, 2]) == 0.75  # argmax 1, 0, 2, 1
    assert accuracy([1, 0, 2, 1], np.array([1, 0, 2, 2])) == 0.75
    assert accuracy([[1.0, 1.0]], [0]) == 1.0  # ties go to the first class, as torch.argmax
    assert accuracy(np.array([3]), [4]) == 0.0


@pytest.mark.parametrize(
    ("args", "error", "match"),
    [
        (
            ([0, 1], [0, 1, 1]),
            ValueError,
            r"y has shape \(3,\), expected \(2,\) to match logits_or_labels' batch size",
        ),
        (
            ([0.2, 0.9], [0, 1]),
            TypeError,
            r"1-D logits_or_labels must be integer predicted labels.*p >= 0.5",
        ),
        (
            (np.zeros((2, 2, 2)), [0, 1]),
            ValueError,
            r"\(N, C\) scores or \(N,\) labels; got shape \(2, 2, 2\)",
        ),
        (
            ([[0.0, 1.0]], [2]),
            ValueError,
            r"y must hold labels < 2 \(the number of score columns\); got a label 2",
        ),
        (([[0.0, 1.0]], [1.0]), TypeError, r"y must hold integer class labels; got dtype float64"),
        (([[0.0, 1.0]], []), ValueError, r"y must be a non-empty 1-D array"),
        (([[np.nan, 1.0]], [0]), ValueError, r"logits_or_labels must not contain NaN"),
    ],
)
def test_accuracy_rejects_bad_arguments(args, error, match):
    with pytest.raises(error, match=match):
        accuracy(*args)
