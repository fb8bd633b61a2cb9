r"""Data for the training chapters: the 8×8 digits, stratified splits, minibatches, metrics.

Only :func:`load_digits` needs scikit-learn (it ships the data set, so nothing is downloaded);
it is imported when that function is called, never when ``nncourse`` is imported.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import numpy as np
from numpy.typing import ArrayLike

from ._validation import as_float_array, as_generator, check_size

__all__ = ["accuracy", "load_digits", "minibatches", "one_hot", "train_val_test_split"]


def load_digits() -> tuple[np.ndarray, np.ndarray]:
    r"""The 1797 handwritten 8×8 digits that ship with scikit-learn, scaled to [0, 1].

    Pixels are grey levels 0–16 (the UCI *optdigits* test set); they are divided by 16:

    .. math:: X_{ij} = \text{pixel}_{ij} / 16 \in [0, 1]

    Returns
    -------
    X : ndarray
        ``(1797, 64)`` float64, one flattened image per row (``X[i].reshape(8, 8)`` shows it).
    y : ndarray
        ``(1797,)`` int64 labels 0–9.

    Raises
    ------
    ImportError
        If scikit-learn is not installed.

    Examples
    --------
    >>> X, y = load_digits()
    >>> X.shape, y.shape, float(X.max()), int(y[0])
    ((1797, 64), (1797,), 1.0, 0)
    """
    try:
        from sklearn.datasets import load_digits as sklearn_load_digits
    except ImportError as exc:
        raise ImportError(
            "load_digits needs scikit-learn, which ships the 8x8 digits data set. "
            "Install it with: pip install nncourse[data]  (or: pip install scikit-learn)"
        ) from exc
    digits = sklearn_load_digits()
    return digits.data.astype(np.float64) / 16.0, digits.target.astype(np.int64)


def _check_rows(X: ArrayLike, y: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    """`X` and `y` as arrays with the same number of rows; `y` one-dimensional."""
    X, y = np.asarray(X), np.asarray(y)
    if y.ndim != 1:
        raise ValueError(f"y must be one-dimensional (one label per sample); got shape {y.shape}.")
    if X.ndim == 0 or X.shape[0] != y.shape[0]:
        raise ValueError(
            f"X has shape {X.shape} and y has shape {y.shape}: expected the same number of "
            "samples (rows) in both."
        )
    return X, y


def _largest_remainder_counts(class_sizes: np.ndarray, fractions: np.ndarray) -> np.ndarray:
    """Split each class size into integer counts proportional to `fractions`, summing exactly.

    Each count is the floor of its ideal share; the samples left over go, one each, to the splits
    with the largest fractional parts (earlier splits first on ties).
    """
    ideal = class_sizes[:, None] * fractions[None, :]
    counts = np.floor(ideal + 1e-9).astype(np.int64)  # 1e-9: 0.6 * 5 is 2.9999999999999996
    leftover = class_sizes - counts.sum(axis=1)
    order = np.argsort(-(ideal - counts), axis=1, kind="stable")  # largest remainder first
    rank = np.argsort(order, axis=1, kind="stable")
    return counts + (rank < leftover[:, None])


def train_val_test_split(
    X: ArrayLike,
    y: ArrayLike,
    fractions: Sequence[float] = (0.6, 0.2, 0.2),
    rng: np.random.Generator | int | None = None,
) -> tuple[
    tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]
]:
    r"""Stratified random split into training, validation and test sets.

    Every class is split on its own, so each keeps the proportions `fractions`: a class of
    :math:`n_c` samples contributes :math:`\lfloor f_k n_c \rfloor` or one more to split
    :math:`k`, the leftovers going to the largest remainders, so that

    .. math:: \Big\lvert\, n_{c,k} - f_k\, n_c \Big\rvert < 1 \quad\text{and}\quad
              \sum_k n_{c,k} = n_c.

    Within each split the samples come in random order. This plays the role of
    :func:`torch.utils.data.random_split` (which does not stratify) and of scikit-learn's
    ``train_test_split(..., stratify=y)`` applied twice.

    Parameters
    ----------
    X : array_like
        ``(n_samples, ...)`` features (any number of trailing axes, e.g. images).
    y : array_like
        ``(n_samples,)`` class labels (any values; each distinct value is a class).
    fractions : sequence of three floats, default (0.6, 0.2, 0.2)
        Shares of training, validation and test, each >= 0, summing to 1.
    rng : numpy.random.Generator or int, optional
        Source of randomness, or a seed; the same seed gives the same split.

    Returns
    -------
    (X_train, y_train), (X_val, y_val), (X_test, y_test)
        Three pairs of arrays (copies).

    Examples
    --------
    >>> X = np.arange(20).reshape(10, 2)
    >>> y = np.array([0] * 5 + [1] * 5)
    >>> train, val, test = train_val_test_split(X, y, (0.6, 0.2, 0.2), rng=0)
    >>> [np.bincount(part_y).tolist() for _, part_y in (train, val, test)]
    [[3, 3], [1, 1], [1, 1]]
    """
    X, y = _check_rows(X, y)
    fractions = as_float_array(fractions, "fractions").astype(np.float64)
    if fractions.shape != (3,) or (fractions < 0).any() or abs(fractions.sum() - 1) > 1e-9:
        raise ValueError(
            "fractions must be three numbers >= 0 (train, validation, test) summing to 1; "
            f"got {np.asarray(fractions).tolist()}."
        )
    rng = as_generator(rng)
    fractions = fractions / fractions.sum()  # exactly 1 up to rounding, so counts cannot overshoot
    _, classes = np.unique(y, return_inverse=True)
    class_sizes = np.bincount(classes)
    cumulative = np.cumsum(_largest_remainder_counts(class_sizes, fractions), axis=1)
    # Shuffle, then group by class keeping the shuffled order: position within class is random.
    shuffled = rng.permutation(y.shape[0])
    by_class = shuffled[np.argsort(classes[shuffled], kind="stable")]
    class_starts = np.concatenate([[0], np.cumsum(class_sizes)[:-1]])
    position = np.arange(y.shape[0]) - class_starts[classes[by_class]]
    split_of = np.empty(y.shape[0], dtype=np.int64)
    split_of[by_class] = (position[:, None] >= cumulative[classes[by_class], :2]).sum(axis=1)
    parts = [shuffled[split_of[shuffled] == k] for k in range(3)]  # classes mixed again
    return tuple((X[index], y[index]) for index in parts)  # type: ignore[return-value]


def minibatches(
    X: ArrayLike,
    y: ArrayLike,
    batch_size: int,
    rng: np.random.Generator | None = None,
    drop_last: bool = False,
) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    r"""Iterate over ``(X_batch, y_batch)`` pairs covering every sample once (one epoch).

    With :math:`N` samples there are :math:`\lceil N / B \rceil` batches, the last one smaller
    when :math:`B` does not divide :math:`N` (or :math:`\lfloor N / B \rfloor` with
    ``drop_last``), as PyTorch's ``DataLoader(dataset, batch_size, shuffle, drop_last)``.

    Parameters
    ----------
    X : array_like
        ``(n_samples, ...)`` features.
    y : array_like
        ``(n_samples,)`` targets.
    batch_size : int
        Samples per batch, >= 1.
    rng : numpy.random.Generator, optional
        If given, the samples are shuffled (a new order at each call); otherwise kept in order.
    drop_last : bool, default False
        Drop the last batch if it is smaller than `batch_size`.

    Yields
    ------
    (ndarray, ndarray)
        A batch of rows of `X` and the matching entries of `y`.

    Examples
    --------
    >>> X, y = np.arange(10).reshape(5, 2), np.arange(5)
    >>> [yb.tolist() for _, yb in minibatches(X, y, batch_size=2)]
    [[0, 1], [2, 3], [4]]
    """
    X, y = _check_rows(X, y)
    batch_size = check_size(batch_size, "batch_size")
    if isinstance(rng, (int, np.integer)):
        raise TypeError(
            "rng must be a numpy.random.Generator or None, not a seed: a seed would give every "
            "epoch the same order. Create rng = np.random.default_rng(seed) once, before the loop."
        )
    if rng is not None and not isinstance(rng, np.random.Generator):
        raise TypeError(f"rng must be a numpy.random.Generator or None; got {type(rng).__name__}.")
    order = np.arange(y.shape[0]) if rng is None else rng.permutation(y.shape[0])
    n_batches = y.shape[0] // batch_size if drop_last else -(-y.shape[0] // batch_size)
    return _batches(X, y, order, batch_size, n_batches)


def _batches(
    X: np.ndarray, y: np.ndarray, order: np.ndarray, batch_size: int, n_batches: int
) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    # a separate generator so that minibatches() validates its arguments when called
    for start in range(0, n_batches * batch_size, batch_size):
        index = order[start : start + batch_size]
        yield X[index], y[index]


def _check_labels(labels: ArrayLike, name: str) -> np.ndarray:
    labels = np.asarray(labels)
    if labels.size == 0 and labels.dtype.kind == "f":
        labels = labels.astype(np.int64)  # np.asarray([]) is float64: an empty list holds no floats
    if labels.dtype.kind not in "iu":
        raise TypeError(
            f"{name} must hold integer class labels; got dtype {labels.dtype}. "
            f"Convert with {name}.astype(int) if they are whole numbers."
        )
    if labels.size and labels.min() < 0:
        raise ValueError(f"{name} must hold class labels >= 0; got {labels.min()}.")
    return labels


def one_hot(labels: ArrayLike, n_classes: int | None = None) -> np.ndarray:
    r"""One-hot encoding: row :math:`i` has a 1 in column :math:`y_i`, zeros elsewhere.

    .. math:: Y_{ic} = [\, y_i = c \,], \qquad c = 0, \dots, C - 1

    As :func:`torch.nn.functional.one_hot` (``n_classes=None`` means ``num_classes=-1``: one more
    than the largest label), except that the result is float64, ready for losses and matrix
    products, where PyTorch returns int64.

    Parameters
    ----------
    labels : array_like
        Integer class labels of any shape, each in ``[0, n_classes)``.
    n_classes : int, optional
        Number of classes :math:`C`; by default ``labels.max() + 1``.

    Returns
    -------
    ndarray
        Shape ``labels.shape + (n_classes,)``, float64.

    Examples
    --------
    >>> one_hot([0, 2, 1])
    array([[1., 0., 0.],
           [0., 0., 1.],
           [0., 1., 0.]])
    """
    labels = _check_labels(labels, "labels")
    if n_classes is None:
        if labels.size == 0:
            raise ValueError("n_classes must be given when labels is empty.")
        n_classes = int(labels.max()) + 1
    n_classes = check_size(n_classes, "n_classes")
    if labels.size and labels.max() >= n_classes:
        raise ValueError(f"labels must be < n_classes = {n_classes}; got a label {labels.max()}.")
    return (labels[..., None] == np.arange(n_classes)).astype(np.float64)


def accuracy(logits_or_labels: ArrayLike, y: ArrayLike) -> float:
    r"""Fraction of correct predictions.

    .. math:: \text{acc} = \frac1N \sum_{i=1}^N [\, \hat y_i = y_i \,], \qquad
              \hat y_i = \arg\max_c s_{ic} \text{ for scores } s \in \mathbb{R}^{N \times C}

    Scores ``(N, C)`` (logits, probabilities) are turned into labels by ``argmax`` over the class
    axis, which picks the first maximum on ties, as :func:`torch.argmax` does; ``(N,)`` integer
    labels are compared directly.

    Parameters
    ----------
    logits_or_labels : array_like
        ``(N, C)`` class scores or ``(N,)`` integer predicted labels.
    y : array_like
        ``(N,)`` integer true labels.

    Returns
    -------
    float
        In [0, 1].

    Examples
    --------
    >>> accuracy([[2.0, 1.0], [0.5, 3.0], [1.0, 0.0]], [0, 1, 1])
    0.6666666666666666
    >>> accuracy([3, 1], [3, 2])
    0.5
    """
    predictions = np.asarray(logits_or_labels)
    y = _check_labels(y, "y")
    if y.ndim != 1 or y.size == 0:
        raise ValueError(f"y must be a non-empty 1-D array of labels; got shape {y.shape}.")
    if predictions.ndim == 2:
        scores = as_float_array(predictions, "logits_or_labels")
        if scores.shape[1] == 0:
            raise ValueError("logits_or_labels has no classes (shape (N, 0)).")
        if y.max() >= scores.shape[1]:
            raise ValueError(
                f"y must hold labels < {scores.shape[1]} (the number of score columns); "
                f"got a label {y.max()}."
            )
        predictions = scores.argmax(axis=1)
    elif predictions.ndim == 1:
        if predictions.dtype.kind not in "iu":
            raise TypeError(
                "1-D logits_or_labels must be integer predicted labels; got dtype "
                f"{predictions.dtype}. For binary probabilities use (p >= 0.5).astype(int)."
            )
    else:
        raise ValueError(
            f"logits_or_labels must be (N, C) scores or (N,) labels; got shape {predictions.shape}."
        )
    if predictions.shape[0] != y.shape[0]:
        raise ValueError(
            f"y has shape {y.shape}, expected ({predictions.shape[0]},) to match "
            "logits_or_labels' batch size."
        )
    return float(np.mean(predictions == y))
