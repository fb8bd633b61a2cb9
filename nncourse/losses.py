r"""Loss functions with their gradients, following ``torch.nn.functional``.

Every loss ``name(input, target, ..., reduction="mean")`` has a twin ``name_grad`` that takes the
same arguments and returns :math:`\partial L / \partial\,\mathrm{input}`, an array of `input`'s
shape and dtype.

Conventions shared by every function here:

- ``reduction="mean"`` and ``"sum"`` return a Python float; ``"none"`` returns the array of
  per-element (or per-sample) losses, and its gradient is that of their sum.
- ``"mean"`` divides by the number of losses it averages: every element for elementwise losses,
  the batch size :math:`N` for :func:`cross_entropy`, :func:`nll_loss` and
  :func:`multi_margin_loss`, the number of vectors for :func:`cosine_loss`. Averaging over an
  empty input is refused instead of returning NaN.
- `input` keeps its dtype (float32 stays float32; integers become float64) and `target` is
  converted to it. `input` and `target` must have exactly the shapes documented: there is no
  broadcasting between them, so a ``(N, 1)`` against ``(N,)`` mistake raises instead of silently
  building an ``(N, N)`` loss.
- At a kink the gradient is the value PyTorch's autograd returns (0 for :func:`l1_loss` where
  ``input == target``; see each function).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from ._validation import (
    as_float_array,
    check_class_indices,
    check_in_unit_interval,
    check_positive,
    check_reduction,
    check_same_shape,
    log_of_base,
    reduce,
)
from .activations import log_softmax, sigmoid, softplus

__all__ = [
    "binary_cross_entropy",
    "binary_cross_entropy_grad",
    "binary_cross_entropy_with_logits",
    "binary_cross_entropy_with_logits_grad",
    "cosine_loss",
    "cosine_loss_grad",
    "cosine_similarity",
    "cross_entropy",
    "cross_entropy_backward",
    "cross_entropy_grad",
    "hinge_loss",
    "hinge_loss_grad",
    "huber_loss",
    "huber_loss_grad",
    "kl_div",
    "kl_div_grad",
    "l1_loss",
    "l1_loss_grad",
    "mse_loss",
    "mse_loss_grad",
    "multi_margin_loss",
    "multi_margin_loss_grad",
    "nll_loss",
    "nll_loss_grad",
    "smooth_l1_loss",
    "smooth_l1_loss_grad",
]

LOG_CLAMP = -100.0  # PyTorch's binary_cross_entropy clamps each log at -100
# PyTorch's binary_cross_entropy_backward: (p - y) / max(p (1 - p), EPSILON), where EPSILON is
# the C++ ``float`` 1e-12: rounded to float32 it is 9223372 * 2**-63, even for float64 tensors
BCE_GRAD_EPSILON = float(np.float32(1e-12))
KL_REDUCTIONS = ("mean", "batchmean", "sum", "none")


# --- shared helpers -------------------------------------------------------------------------


def _check_not_empty(n_averaged: int, reduction: str) -> None:
    """An average over nothing is 0/0: refuse it rather than return NaN."""
    if n_averaged == 0 and reduction in ("mean", "batchmean"):
        raise ValueError(
            f"input is empty, so reduction={reduction!r} would average over no elements; "
            "use reduction='sum' or 'none'."
        )


def _reduce(values: np.ndarray, reduction: str, batch_size: int = 1) -> float | np.ndarray:
    """`reduce` plus kl_div's ``"batchmean"`` (sum / batch size); refuses empty averages."""
    _check_not_empty(batch_size if reduction == "batchmean" else values.size, reduction)
    if reduction == "batchmean":
        return float(values.sum() / batch_size)
    return reduce(values, reduction)


def _scale_grad(
    grad: np.ndarray, reduction: str, n_averaged: int, *, in_place: bool = False
) -> np.ndarray:
    """Gradient of the reduced loss from that of the summed one: "mean" divides by `n_averaged`.

    ``in_place=True`` divides `grad` itself: for an array the caller has just created.
    """
    _check_not_empty(n_averaged, reduction)
    if reduction not in ("mean", "batchmean"):
        return grad
    return np.divide(grad, n_averaged, out=grad if in_place else None)


def _pair(
    input: ArrayLike, target: ArrayLike, reduction: str, *, check_values: bool = True
) -> tuple[np.ndarray, np.ndarray]:
    """Validated `input` and `target` of one shape, `target` in `input`'s dtype."""
    check_reduction(reduction)
    x = as_float_array(input, "input", check_values=check_values)
    t = as_float_array(target, "target", check_values=check_values)
    check_same_shape(x, t)
    return x, t.astype(x.dtype, copy=False)


def _probability_pair(
    input: ArrayLike, target: ArrayLike, reduction: str, *, check_values: bool = True
) -> tuple[np.ndarray, np.ndarray]:
    """`_pair` for losses whose `input` and `target` are both probabilities."""
    x, t = _pair(input, target, reduction, check_values=check_values)
    return (
        check_in_unit_interval(x, "input", check_values=check_values),
        check_in_unit_interval(t, "target", check_values=check_values),
    )


def _logits(
    input: ArrayLike,
    reduction: str,
    name: str = "input",
    *,
    allow_infinite: bool = False,
    check_values: bool = True,
) -> np.ndarray:
    """Scores of shape ``(N, C)`` (a batch) or ``(C,)`` (one sample), with C >= 1.

    ``allow_infinite=True`` is for log-probabilities, where ``-inf`` is the log of 0.
    """
    check_reduction(reduction)
    x = as_float_array(input, name, allow_infinite=allow_infinite, check_values=check_values)
    if x.ndim not in (1, 2) or x.shape[-1] == 0:
        raise ValueError(
            f"{name} must have shape (N, C) or (C,) with C >= 1 classes on the last axis; "
            f"got shape {x.shape}."
        )
    return x


def _batch_size(x: np.ndarray) -> int:
    """N for an ``(N, C)`` batch, 1 for a single ``(C,)`` sample."""
    return x.shape[0] if x.ndim == 2 else 1


def _indexed_logits(
    input: ArrayLike, target: ArrayLike, reduction: str, *, check_values: bool = True
) -> tuple[np.ndarray, np.ndarray]:
    """``(N, C)``/``(C,)`` scores and integer class indices of shape ``(N,)``/``()``."""
    x = _logits(input, reduction, check_values=check_values)
    target = check_class_indices(target, x.shape[-1], x.shape[:-1], check_values=check_values)
    return x, target


def _one_hot(target: np.ndarray, n_classes: int) -> np.ndarray:
    """Boolean mask, True at each sample's class: shape ``target.shape + (n_classes,)``."""
    return np.arange(n_classes) == target[..., None]


def _target_index(x: np.ndarray, target: np.ndarray) -> tuple[np.ndarray, ...]:
    """Index of each sample's target class in ``(N, C)`` or ``(C,)`` scores."""
    return (np.arange(x.shape[0]), target) if x.ndim == 2 else (target,)


def _at_target(x: np.ndarray, target: np.ndarray) -> np.ndarray:
    """``x[n, target[n]]`` for every sample, shape ``target.shape``."""
    return x[_target_index(x, target)]


# --- regression losses ----------------------------------------------------------------------


def mse_loss(input: ArrayLike, target: ArrayLike, reduction: str = "mean") -> float | np.ndarray:
    r"""Mean squared error, as ``torch.nn.functional.mse_loss``.

    .. math:: \ell_i = (x_i - y_i)^2, \qquad L = \frac{1}{n}\sum_i \ell_i \ \text{(mean)}

    Parameters
    ----------
    input : array_like
        Predictions :math:`x`, any shape.
    target : array_like
        Targets :math:`y`, the same shape as `input`.
    reduction : {"mean", "sum", "none"}, default "mean"
        "mean" averages the n squared errors, "sum" adds them, "none" returns them.

    Returns
    -------
    float or ndarray
        The mean or the sum as a float; for "none" the squared errors, shaped like `input`.

    Examples
    --------
    >>> round(mse_loss([1.0, 2.0, 3.0], [1.0, 1.0, 1.0]), 6)
    1.666667
    >>> mse_loss([1.0, 2.0, 3.0], [1.0, 1.0, 1.0], reduction="none")
    array([0., 1., 4.])
    """
    x, t = _pair(input, target, reduction)
    return _reduce(np.square(x - t), reduction)


def mse_loss_grad(
    input: ArrayLike, target: ArrayLike, reduction: str = "mean", *, check_values: bool = True
) -> np.ndarray:
    r"""Gradient of :func:`mse_loss` with respect to `input`.

    .. math:: \frac{\partial L}{\partial x_i} = \frac{2 (x_i - y_i)}{n} \ \text{(mean)}

    Parameters
    ----------
    input : array_like
        Predictions :math:`x`, the variable of differentiation.
    target, reduction
        As in :func:`mse_loss`.
    check_values : bool, default True
        Scan the values of `input` and `target`: no NaN, no infinity. The loss module passes
        ``False`` in backward, for the arrays its forward pass has already checked (see
        :ref:`conventions <conventions>`); shapes and types are checked either way.

    Returns
    -------
    ndarray
        :math:`2(x - y)`, over n for "mean"; shape and dtype of `input`.

    Examples
    --------
    >>> mse_loss_grad([1.0, 2.0, 3.0], [1.0, 1.0, 1.0], reduction="sum")
    array([0., 2., 4.])
    """
    x, t = _pair(input, target, reduction, check_values=check_values)
    return _scale_grad(2 * (x - t), reduction, x.size)


def l1_loss(input: ArrayLike, target: ArrayLike, reduction: str = "mean") -> float | np.ndarray:
    r"""Mean absolute error, as ``torch.nn.functional.l1_loss``.

    .. math:: \ell_i = |x_i - y_i|

    Parameters
    ----------
    input, target : array_like
        Predictions and targets, of one shape.
    reduction : {"mean", "sum", "none"}, default "mean"
        How the absolute errors are combined.

    Returns
    -------
    float or ndarray
        Their mean or sum (a float), or for "none" the absolute errors themselves.

    Examples
    --------
    >>> l1_loss([1.0, 2.0, -3.0], [1.0, 1.0, 1.0], reduction="sum")
    5.0
    """
    x, t = _pair(input, target, reduction)
    return _reduce(np.abs(x - t), reduction)


def l1_loss_grad(
    input: ArrayLike, target: ArrayLike, reduction: str = "mean", *, check_values: bool = True
) -> np.ndarray:
    r"""Gradient of :func:`l1_loss`: :math:`\operatorname{sign}(x_i - y_i)`, over n for "mean".

    Where ``input == target`` the absolute value has a kink; the gradient there is 0, the value
    PyTorch's autograd returns (``sign(0) = 0``).

    .. math:: \frac{\partial \ell_i}{\partial x_i} = \operatorname{sign}(x_i - y_i)

    Parameters
    ----------
    input : array_like
        Predictions; the gradient is with respect to them.
    target, reduction
        As in :func:`l1_loss`.
    check_values : bool, default True
        Scan the values of `input` and `target`: no NaN, no infinity. The loss module passes
        ``False`` in backward, for the arrays its forward pass has already checked (see
        :ref:`conventions <conventions>`); shapes and types are checked either way.

    Returns
    -------
    ndarray
        The signs of the errors, in `input`'s shape and dtype.

    Examples
    --------
    >>> l1_loss_grad([1.0, 2.0, -3.0], [1.0, 1.0, 1.0], reduction="sum")
    array([ 0.,  1., -1.])
    """
    x, t = _pair(input, target, reduction, check_values=check_values)
    return _scale_grad(np.sign(x - t), reduction, x.size)


def _huber_values(abs_error: np.ndarray, delta: float) -> np.ndarray:
    r"""Huber's :math:`\ell` as :math:`c\,(z - c/2)` with :math:`c = \min(z, \delta)`.

    One formula for both pieces (:math:`z^2/2` below delta, :math:`\delta (z - \delta/2)` above),
    and :math:`z^2` is never formed for large :math:`z`, so it cannot overflow.
    """
    clipped = np.minimum(abs_error, delta)
    return clipped * (abs_error - 0.5 * clipped)


def _huber_pair(
    input: ArrayLike, target: ArrayLike, reduction: str, delta: float, *, check_values: bool = True
) -> tuple[np.ndarray, float]:
    """Validated ``input - target`` and `delta` (> 0, as PyTorch requires)."""
    x, t = _pair(input, target, reduction, check_values=check_values)
    return x - t, check_positive(delta, "delta")


def huber_loss(
    input: ArrayLike, target: ArrayLike, reduction: str = "mean", delta: float = 1.0
) -> float | np.ndarray:
    r"""Huber loss, as ``torch.nn.functional.huber_loss``: quadratic near 0, linear beyond `delta`.

    .. math::
        \ell_i = \begin{cases}
            \tfrac12 (x_i - y_i)^2 & |x_i - y_i| < \delta \\
            \delta \left(|x_i - y_i| - \tfrac12 \delta\right) & \text{otherwise}
        \end{cases}

    Parameters
    ----------
    input : array_like
        Predictions, of any shape.
    target : array_like
        Targets, of `input`'s shape.
    reduction : {"mean", "sum", "none"}, default "mean"
        Mean or sum of the elementwise losses, or all of them.
    delta : float, default 1.0
        Where the quadratic piece turns linear; > 0.

    Returns
    -------
    float or ndarray
        A float, or an array shaped like `input` for ``reduction="none"``.

    Examples
    --------
    >>> huber_loss([0.5, 3.0], [0.0, 0.0], reduction="none")
    array([0.125, 2.5  ])
    """
    error, delta = _huber_pair(input, target, reduction, delta)
    return _reduce(_huber_values(np.abs(error), delta), reduction)


def huber_loss_grad(
    input: ArrayLike,
    target: ArrayLike,
    reduction: str = "mean",
    delta: float = 1.0,
    *,
    check_values: bool = True,
) -> np.ndarray:
    r"""Gradient of :func:`huber_loss`: the error clipped to :math:`[-\delta, \delta]`.

    .. math:: \frac{\partial \ell_i}{\partial x_i} = \operatorname{clip}(x_i - y_i, -\delta, \delta)

    Parameters
    ----------
    input : array_like
        Predictions (any shape).
    target, reduction, delta
        As in :func:`huber_loss`.
    check_values : bool, default True
        Scan the values of `input` and `target`: no NaN, no infinity. The loss module passes
        ``False`` in backward, for the arrays its forward pass has already checked (see
        :ref:`conventions <conventions>`); shapes and types are checked either way.

    Returns
    -------
    ndarray
        Errors clipped to :math:`[-\delta, \delta]`, divided by n for "mean".

    Examples
    --------
    >>> huber_loss_grad([0.5, 3.0, -3.0], [0.0, 0.0, 0.0], reduction="sum")
    array([ 0.5,  1. , -1. ])
    """
    error, delta = _huber_pair(input, target, reduction, delta, check_values=check_values)
    return _scale_grad(np.clip(error, -delta, delta), reduction, error.size)


def _smooth_l1_pair(
    input: ArrayLike, target: ArrayLike, reduction: str, beta: float
) -> tuple[np.ndarray, float]:
    """Validated ``input - target`` and `beta` (>= 0: PyTorch allows 0, which is the L1 loss)."""
    x, t = _pair(input, target, reduction)
    return x - t, check_positive(beta, "beta", strict=False)


def smooth_l1_loss(
    input: ArrayLike, target: ArrayLike, reduction: str = "mean", beta: float = 1.0
) -> float | np.ndarray:
    r"""Smooth L1 loss, as ``torch.nn.functional.smooth_l1_loss``: Huber's loss divided by `beta`.

    .. math::
        \ell_i = \begin{cases}
            \dfrac{(x_i - y_i)^2}{2\beta} & |x_i - y_i| < \beta \\
            |x_i - y_i| - \tfrac12 \beta & \text{otherwise}
        \end{cases}

    As in PyTorch, ``beta=0`` gives exactly :func:`l1_loss`.

    Parameters
    ----------
    input, target : array_like
        Predictions and targets; `target` must have exactly `input`'s shape.
    reduction : {"mean", "sum", "none"}, default "mean"
        As in :func:`huber_loss`.
    beta : float, default 1.0
        Where the quadratic piece turns linear; >= 0.

    Returns
    -------
    float or ndarray
        A float, except for "none": then one loss per element of `input`.

    Examples
    --------
    >>> smooth_l1_loss([1.0, 3.0], [0.0, 0.0], beta=2.0, reduction="none")
    array([0.25, 2.  ])
    """
    error, beta = _smooth_l1_pair(input, target, reduction, beta)
    if beta == 0:
        return _reduce(np.abs(error), reduction)
    return _reduce(_huber_values(np.abs(error), beta) / beta, reduction)


def smooth_l1_loss_grad(
    input: ArrayLike, target: ArrayLike, reduction: str = "mean", beta: float = 1.0
) -> np.ndarray:
    r"""Gradient of :func:`smooth_l1_loss`: the error over `beta`, clipped to [-1, 1].

    .. math::
        \frac{\partial \ell_i}{\partial x_i}
        = \operatorname{clip}\!\left(\frac{x_i - y_i}{\beta}, -1, 1\right)

    For ``beta=0`` it is the L1 gradient :math:`\operatorname{sign}(x_i - y_i)`.

    Parameters
    ----------
    input : array_like
        Predictions, of the shape of `target`.
    target, reduction, beta
        As in :func:`smooth_l1_loss` (``beta=0`` gives the L1 gradient).

    Returns
    -------
    ndarray
        Entries in [-1, 1] (before averaging), shaped like `input`.

    Examples
    --------
    >>> smooth_l1_loss_grad([1.0, 3.0], [0.0, 0.0], beta=2.0, reduction="sum")
    array([0.5, 1. ])
    """
    error, beta = _smooth_l1_pair(input, target, reduction, beta)
    # clip before dividing: error / beta could overflow for a tiny beta
    grad = np.sign(error) if beta == 0 else np.clip(error, -beta, beta) / beta
    return _scale_grad(grad, reduction, error.size)


# --- margin losses --------------------------------------------------------------------------


def _hinge_margin(
    input: ArrayLike, target: ArrayLike, reduction: str
) -> tuple[np.ndarray, np.ndarray]:
    """Labels (checked to be -1 or +1) and the margins ``1 - y s``."""
    scores, labels = _pair(input, target, reduction)
    wrong = labels[(labels != 1) & (labels != -1)]
    if wrong.size:
        raise ValueError(
            f"target must contain labels -1 or +1; got {np.unique(wrong)[:5]}. "
            "Map 0/1 labels with 2 * target - 1."
        )
    return labels, 1 - labels * scores


def hinge_loss(input: ArrayLike, target: ArrayLike, reduction: str = "mean") -> float | np.ndarray:
    r"""Binary hinge loss of a linear classifier's scores, with labels in {-1, +1}.

    .. math:: \ell_i = \max(0,\, 1 - y_i s_i)

    PyTorch has no binary hinge function (its ``hinge_embedding_loss`` is a different loss on
    distances); this is ``torch.relu(1 - target * input)``. It is twice
    ``torch.nn.functional.multi_margin_loss`` of the two-class scores :math:`(0, s_i)` with class
    :math:`(y_i + 1)/2` (that loss divides by the number of classes).

    Parameters
    ----------
    input : array_like
        Scores :math:`s`, any shape.
    target : array_like
        Labels :math:`y`, each -1 or +1, the same shape as `input`.
    reduction : {"mean", "sum", "none"}, default "mean"
        Mean over all scores, their sum, or the loss of each score.

    Returns
    -------
    float or ndarray
        A float, or (for "none") an array with the shape of the scores.

    Examples
    --------
    >>> hinge_loss([2.0, 0.5, -1.0], [1, 1, 1], reduction="none")
    array([0. , 0.5, 2. ])
    """
    _, margin = _hinge_margin(input, target, reduction)
    return _reduce(np.maximum(margin, 0), reduction)


def hinge_loss_grad(input: ArrayLike, target: ArrayLike, reduction: str = "mean") -> np.ndarray:
    r"""Gradient of :func:`hinge_loss`: :math:`-y_i` where the margin is violated, else 0.

    .. math:: \frac{\partial \ell_i}{\partial s_i} = -y_i\,[1 - y_i s_i > 0]

    At the kink :math:`y_i s_i = 1` the gradient is 0: the value autograd gives for
    ``torch.relu(1 - target * input)`` (relu'(0) = 0, the course's convention). Written with
    ``torch.clamp(..., min=0)`` PyTorch would pass the gradient through there and return
    :math:`-y_i`.

    Parameters
    ----------
    input : array_like
        Scores :math:`s` of any shape, with respect to which we differentiate.
    target, reduction
        As in :func:`hinge_loss`.

    Returns
    -------
    ndarray
        0 or :math:`-y_i` for each score (over n for "mean").

    Examples
    --------
    >>> hinge_loss_grad([2.0, 1.0, -1.0], [1, 1, 1], reduction="sum")
    array([ 0.,  0., -1.])
    """
    labels, margin = _hinge_margin(input, target, reduction)
    return _scale_grad(np.where(margin > 0, -labels, 0), reduction, margin.size)


def _multi_margin_terms(
    input: ArrayLike, target: ArrayLike, reduction: str, margin: float, p: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Indices, non-target mask and the hinge terms ``margin - x[y] + x[i]`` for each class."""
    scores, target = _indexed_logits(input, target, reduction)
    check_positive(margin, "margin", strict=False)
    if p not in (1, 2):
        raise ValueError(f"p must be 1 or 2, as in PyTorch; got {p!r}.")
    # same order of operations as PyTorch's kernel: margin - x[y] + x[i]
    terms = margin - _at_target(scores, target)[..., None] + scores
    return target, ~_one_hot(target, scores.shape[-1]), terms


def multi_margin_loss(
    input: ArrayLike, target: ArrayLike, margin: float = 1.0, p: int = 1, reduction: str = "mean"
) -> float | np.ndarray:
    r"""Multi-class hinge loss, as ``torch.nn.functional.multi_margin_loss`` (no weights).

    .. math:: \ell_n = \frac{1}{C} \sum_{i \ne y_n} \max(0,\, m - x_{n, y_n} + x_{n, i})^p

    PyTorch's positional order is ``(input, target, p, margin)``; here `margin` comes first, so
    pass `p` and `margin` by keyword when porting code.

    Parameters
    ----------
    input : array_like
        Scores of shape ``(N, C)``, or ``(C,)`` for one sample.
    target : array_like of int
        Class indices in ``[0, C)``, shape ``(N,)`` (or ``()``).
    margin : float, default 1.0
        The margin :math:`m`, >= 0.
    p : {1, 2}, default 1
        Exponent of each hinge term.
    reduction : {"mean", "sum", "none"}, default "mean"
        Mean over the N samples, their sum, or each sample's loss.

    Returns
    -------
    float or ndarray
        A float, or for "none" the N per-sample losses (a 0-d array for one sample).

    Examples
    --------
    PyTorch's documented example: :math:`\tfrac14\,(0.3 + 0.4 + 0.6) = 0.325`.

    >>> round(multi_margin_loss([[0.1, 0.2, 0.4, 0.8]], [3]), 6)
    0.325
    """
    _, others, terms = _multi_margin_terms(input, target, reduction, margin, p)
    hinge = np.where(others, np.maximum(terms, 0), 0)
    return _reduce((hinge**p).sum(axis=-1) / terms.shape[-1], reduction)


def multi_margin_loss_grad(
    input: ArrayLike, target: ArrayLike, margin: float = 1.0, p: int = 1, reduction: str = "mean"
) -> np.ndarray:
    r"""Gradient of :func:`multi_margin_loss` with respect to the scores.

    With :math:`h_{n,i} = \max(0, m - x_{n,y_n} + x_{n,i})` for :math:`i \ne y_n`:

    .. math::
        \frac{\partial \ell_n}{\partial x_{n,i}} = \frac{p\, h_{n,i}^{p-1} [h_{n,i} > 0]}{C}
        \quad (i \ne y_n), \qquad
        \frac{\partial \ell_n}{\partial x_{n,y_n}} = -\sum_{i \ne y_n}
        \frac{\partial \ell_n}{\partial x_{n,i}}

    A term exactly at its kink (:math:`h = 0`) contributes 0, as in PyTorch's backward.

    Parameters
    ----------
    input : array_like
        Scores, ``(N, C)`` or ``(C,)``.
    target, margin, p, reduction
        As in :func:`multi_margin_loss`.

    Returns
    -------
    ndarray
        Shape and dtype of `input`; each row sums to 0.

    Examples
    --------
    >>> multi_margin_loss_grad([[0.1, 0.2, 0.4, 0.8]], [3])
    array([[ 0.25,  0.25,  0.25, -0.75]])
    """
    target, others, terms = _multi_margin_terms(input, target, reduction, margin, p)
    active = others & (terms > 0)
    slope = np.where(active, p * np.maximum(terms, 0) ** (p - 1), 0) / terms.shape[-1]
    grad = slope.astype(terms.dtype)
    np.put_along_axis(grad, target[..., None], -slope.sum(axis=-1, keepdims=True), axis=-1)
    return _scale_grad(grad, reduction, target.size)


# --- probabilistic losses -------------------------------------------------------------------


def _clamped_log(x: np.ndarray, log1p: bool = False) -> np.ndarray:
    """``max(log x, -100)`` (or ``max(log(1 - x), -100)``), with no log(0) ever evaluated."""
    out = np.full_like(x, LOG_CLAMP)
    if log1p:
        np.log1p(-x, out=out, where=x < 1)  # log1p keeps log(1 - x) exact for small x
    else:
        np.log(x, out=out, where=x > 0)
    return np.maximum(out, LOG_CLAMP)


def binary_cross_entropy(
    input: ArrayLike, target: ArrayLike, base: float | None = None, reduction: str = "mean"
) -> float | np.ndarray:
    r"""Binary cross-entropy of probabilities, as ``torch.nn.functional.binary_cross_entropy``.

    .. math:: \ell_i = -\left[y_i \log p_i + (1 - y_i) \log(1 - p_i)\right]

    As in PyTorch, each logarithm is clamped at -100, so ``p = 0`` or ``p = 1`` gives a finite
    loss (at most 100 nats) instead of infinity. ``base=2`` divides by :math:`\log 2` to give bits
    (PyTorch always uses nats). For probabilities computed from logits prefer
    :func:`binary_cross_entropy_with_logits`: it is exact where :math:`\sigma(z)` rounds to 1.

    Parameters
    ----------
    input : array_like
        Predicted probabilities :math:`p` in [0, 1], any shape.
    target : array_like
        Target probabilities :math:`y` in [0, 1] (usually 0 or 1), the same shape as `input`.
    base : float, optional
        Base of the logarithm (> 0, != 1); None for nats.
    reduction : {"mean", "sum", "none"}, default "mean"
        Mean over every prediction, sum, or the loss of each prediction.

    Returns
    -------
    float or ndarray
        A float in units of `base`; for "none" one such loss per entry of `input`.

    Examples
    --------
    >>> round(binary_cross_entropy(0.1, 1.0, base=2), 6)  # log2(10) bits
    3.321928
    >>> binary_cross_entropy([0.0, 1.0], [1.0, 1.0], reduction="none")
    array([100.,   0.])
    """
    p, y = _probability_pair(input, target, reduction)
    values = -(y * _clamped_log(p)) - (1 - y) * _clamped_log(p, log1p=True)
    return _reduce(values / log_of_base(base), reduction)


def binary_cross_entropy_grad(
    input: ArrayLike,
    target: ArrayLike,
    base: float | None = None,
    reduction: str = "mean",
    *,
    check_values: bool = True,
) -> np.ndarray:
    r"""Gradient of :func:`binary_cross_entropy` with respect to the probabilities.

    .. math::
        \frac{\partial \ell_i}{\partial p_i}
        = \frac{p_i - y_i}{\max\left(p_i (1 - p_i),\, \epsilon\right)},
        \qquad \epsilon = 10^{-12} \text{ rounded to float32}

    This is PyTorch's backward formula, constant included: PyTorch's :math:`\epsilon` is a C++
    ``float``, :math:`9223372 \cdot 2^{-63} \approx 0.99999999600 \cdot 10^{-12}`, also for
    float64 tensors. It equals the exact derivative :math:`-y_i/p_i + (1 - y_i)/(1 - p_i)`
    wherever :math:`p_i(1 - p_i) \ge \epsilon`, and stays finite at ``p = 0`` and ``p = 1`` (at
    most :math:`1/\epsilon \approx 10^{12}` in size), where the clamped loss is flat. It is
    therefore *not* the derivative of the clamped loss very close to 0 or 1: there PyTorch
    chose a large finite push towards the target over a zero gradient.

    Parameters
    ----------
    input : array_like
        Probabilities :math:`p`: the gradient is with respect to them, not to logits.
    target, base, reduction
        As in :func:`binary_cross_entropy`.
    check_values : bool, default True
        Scan the values of `input` and `target`: no NaN, every entry in [0, 1]. The loss module
        passes ``False`` in backward, for the arrays its forward pass has already checked (see
        :ref:`conventions <conventions>`); shapes and types are checked either way.

    Returns
    -------
    ndarray
        Finite everywhere on [0, 1], shaped like `input`.

    Examples
    --------
    >>> binary_cross_entropy_grad([0.5, 0.0], [1.0, 1.0], reduction="sum")
    array([-2.e+00, -1.e+12])
    """
    p, y = _probability_pair(input, target, reduction, check_values=check_values)
    grad = (p - y) / np.maximum(p * (1 - p), BCE_GRAD_EPSILON)
    return _scale_grad(grad / log_of_base(base), reduction, p.size)


def _logits_pair(
    input: ArrayLike,
    target: ArrayLike,
    reduction: str,
    pos_weight: ArrayLike | None,
    *,
    check_values: bool = True,
) -> tuple[np.ndarray, np.ndarray, np.ndarray | float]:
    """Logits, targets in [0, 1] and `pos_weight` (>= 0, broadcast along the last axis)."""
    x, y = _pair(input, target, reduction, check_values=check_values)
    check_in_unit_interval(y, "target", check_values=check_values)
    if pos_weight is None:
        return x, y, 1.0
    weight = as_float_array(pos_weight, "pos_weight", check_values=check_values)
    weight = weight.astype(x.dtype, copy=False)
    per_class = weight.ndim == 1 and x.ndim >= 1 and weight.size in (1, x.shape[-1])
    if weight.ndim and not per_class:
        expected = (
            f"a scalar or shape ({x.shape[-1]},)" if x.ndim else "a scalar for a scalar input"
        )
        raise ValueError(
            f"pos_weight has shape {weight.shape}, expected {expected}: one weight per class, "
            "broadcast along input's last axis."
        )
    if weight.size and weight.min() < 0:
        raise ValueError(f"pos_weight must be >= 0; got minimum {weight.min():.6g}.")
    return x, y, weight


def binary_cross_entropy_with_logits(
    input: ArrayLike,
    target: ArrayLike,
    pos_weight: ArrayLike | None = None,
    reduction: str = "mean",
) -> float | np.ndarray:
    r"""Binary cross-entropy of logits, as ``torch.nn.functional.binary_cross_entropy_with_logits``.

    .. math::
        \ell_i = -\left[w\, y_i \log \sigma(z_i) + (1 - y_i) \log(1 - \sigma(z_i))\right]
               = w\, y_i \operatorname{softplus}(-z_i) + (1 - y_i) \operatorname{softplus}(z_i)

    The softplus form never evaluates :math:`\log 0`: it is finite and exact for any finite
    logit, where :func:`binary_cross_entropy` of :math:`\sigma(z)` saturates once
    :math:`\sigma(z)` rounds to 1.

    Parameters
    ----------
    input : array_like
        Logits :math:`z`, any shape.
    target : array_like
        Target probabilities :math:`y` in [0, 1], the same shape as `input`.
    pos_weight : array_like, optional
        Weight :math:`w \ge 0` of the positive term: a scalar, or one value per class along the
        last axis (shape ``(C,)``), as in PyTorch. None means 1.
    reduction : {"mean", "sum", "none"}, default "mean"
        Mean over every logit, sum, or the loss of each logit.

    Returns
    -------
    float or ndarray
        A float in nats, or for "none" the elementwise losses (`input`'s shape).

    Examples
    --------
    >>> binary_cross_entropy_with_logits([-1000.0, 0.0, 1000.0], [1.0, 1.0, 1.0], reduction="none")
    array([1.00000000e+03, 6.93147181e-01, 0.00000000e+00])
    """
    z, y, weight = _logits_pair(input, target, reduction, pos_weight)
    return _reduce(weight * y * softplus(-z) + (1 - y) * softplus(z), reduction)


def binary_cross_entropy_with_logits_grad(
    input: ArrayLike,
    target: ArrayLike,
    pos_weight: ArrayLike | None = None,
    reduction: str = "mean",
    *,
    check_values: bool = True,
) -> np.ndarray:
    r"""Gradient of :func:`binary_cross_entropy_with_logits` with respect to the logits.

    .. math::
        \frac{\partial \ell_i}{\partial z_i} = -w\, y_i\, \sigma(-z_i) + (1 - y_i)\, \sigma(z_i)

    which is :math:`\sigma(z_i) - y_i` for :math:`w = 1`. Using :math:`\sigma(-z)` instead of
    :math:`1 - \sigma(z)` keeps full relative accuracy for large logits.

    Parameters
    ----------
    input : array_like
        Logits :math:`z`.
    target, pos_weight, reduction
        As in :func:`binary_cross_entropy_with_logits`.
    check_values : bool, default True
        Scan the values of `input` and `target`: no NaN or infinity, a target in [0, 1]. The loss
        module passes ``False`` in backward, for the arrays its forward pass has already checked
        (see :ref:`conventions <conventions>`); shapes and types are checked either way.

    Returns
    -------
    ndarray
        In :math:`[-w, 1]` before averaging; `input`'s shape and dtype.

    Examples
    --------
    >>> binary_cross_entropy_with_logits_grad([0.0, 40.0], [1.0, 1.0], reduction="sum")
    array([-5.00000000e-01, -4.24835426e-18])
    """
    z, y, weight = _logits_pair(input, target, reduction, pos_weight, check_values=check_values)
    # z was checked with the target (unless check_values is False): the sigmoids need no scan
    grad = -weight * y * sigmoid(-z, check_values=False) + (1 - y) * sigmoid(z, check_values=False)
    return _scale_grad(grad, reduction, z.size)


def _class_targets(
    log_p: np.ndarray, target: ArrayLike, label_smoothing: float, *, check_values: bool = True
) -> tuple[np.ndarray, bool]:
    """The target, as class indices or as probabilities of `log_p`'s shape, and which it is."""
    if check_positive(label_smoothing, "label_smoothing", strict=False) > 1:
        raise ValueError(f"label_smoothing must be in [0, 1]; got {label_smoothing!r}.")
    if np.asarray(target).dtype.kind in "iu":
        shape = log_p.shape[:-1]
        return check_class_indices(target, log_p.shape[-1], shape, check_values=check_values), True
    probabilities = as_float_array(target, "target", check_values=check_values)
    check_same_shape(log_p, probabilities)
    check_in_unit_interval(probabilities, "target", check_values=check_values)
    return probabilities.astype(log_p.dtype, copy=False), False


def cross_entropy(
    input: ArrayLike,
    target: ArrayLike,
    label_smoothing: float = 0.0,
    reduction: str = "mean",
    *,
    log_input: bool = False,
) -> float | np.ndarray:
    r"""Cross-entropy of logits, as ``torch.nn.functional.cross_entropy`` (no weights).

    With :math:`\log p_n = \operatorname{log\_softmax}(x_n)` and the target mixed with the
    uniform distribution, :math:`t'_{n} = (1 - \varepsilon)\, t_n + \varepsilon / C`:

    .. math:: \ell_n = -\sum_{c=1}^{C} t'_{n,c} \log p_{n,c}

    An integer `target` holds class indices (:math:`t_n` is one-hot, so without smoothing
    :math:`\ell_n = -\log p_{n, y_n}`); a floating `target` holds class probabilities of
    `input`'s shape, which PyTorch does not require to sum to 1. The log-softmax is
    :func:`~nncourse.activations.log_softmax`, exact and finite for logits of any size. "mean"
    divides by N for both kinds of target, as PyTorch does. The loss of a confidently right
    sample keeps full relative accuracy: for logits :math:`(0, -40, -40)` and class 0 it is
    :math:`\log(1 + 2e^{-40}) \approx 8.5 \cdot 10^{-18}`, where PyTorch, which takes the ``log``
    of the softmax's sum, returns 0.

    Parameters
    ----------
    input : array_like
        Logits of shape ``(N, C)``, or ``(C,)`` for one sample; with `log_input`,
        log-probabilities.
    target : array_like
        Integer class indices of shape ``(N,)`` (or ``()``), or probabilities of `input`'s shape.
    label_smoothing : float, default 0.0
        :math:`\varepsilon \in [0, 1]`.
    reduction : {"mean", "sum", "none"}, default "mean"
        Average over the batch (divide by N), sum, or per-sample losses.
    log_input : bool, default False
        `input` holds :math:`\log p` already (``-inf`` for a probability of 0), and no softmax
        is taken: what ``torch.nn.functional.nll_loss`` computes, with label smoothing and
        probability targets too (a course addition). :class:`nncourse.nn.CrossEntropyLoss`
        takes the log-softmax once and passes it here and to :func:`cross_entropy_backward`.

    Returns
    -------
    float or ndarray
        A float; for "none" an array of shape ``(N,)``, or ``()`` for ``(C,)`` logits.

    Examples
    --------
    >>> logits = np.log([[1.0, 2.0, 3.0]])  # probabilities 1/6, 2/6, 3/6
    >>> round(cross_entropy(logits, [2]), 6)  # log 2
    0.693147
    >>> round(cross_entropy([10000.0, 0.0], 1), 6)
    10000.0
    >>> round(cross_entropy(np.log([[0.25, 0.75]]), [1], log_input=True), 6)  # -log 0.75
    0.287682
    """
    if log_input:
        log_p = _logits(input, reduction, allow_infinite=True)
    else:  # _logits has checked the logits' values: log_softmax need not scan them again
        log_p = log_softmax(_logits(input, reduction), check_values=False)
    target, indices = _class_targets(log_p, target, label_smoothing)
    if not indices:
        smoothed = (1 - label_smoothing) * target + label_smoothing / log_p.shape[-1]
        # a class of probability 0 (log p = -inf) that the target gives no weight adds 0 log 0 = 0
        terms = np.multiply(smoothed, log_p, out=np.zeros_like(log_p), where=smoothed != 0)
        return _reduce(-terms.sum(axis=-1), reduction)
    losses = -log_p[_target_index(log_p, target)]  # -log p_y
    if label_smoothing:
        losses = (1 - label_smoothing) * losses - label_smoothing * log_p.mean(axis=-1)
    return _reduce(losses, reduction)


def cross_entropy_backward(
    log_probabilities: ArrayLike,
    target: ArrayLike,
    label_smoothing: float = 0.0,
    reduction: str = "mean",
    *,
    check_values: bool = True,
) -> np.ndarray:
    r"""Gradient of :func:`cross_entropy` with respect to the logits, from the log-probabilities
    :math:`\log p = \operatorname{log\_softmax}(x)` that the forward pass computed.

    .. math::
        \frac{\partial \ell_n}{\partial x_{n,c}} = \Big(\sum_k t'_{n,k}\Big)\, p_{n,c} - t'_{n,c}

    which is :math:`p_n - t'_n` when the target sums to 1, with :math:`p = e^{\log p}`. For class
    indices the entry at the target class, :math:`p_y - 1`, is computed as
    :math:`\operatorname{expm1}(\log p_y)`, exact even when :math:`p_y` rounds to 1: the
    difference :math:`p_y - 1` would lose every digit there. PyTorch's autograd forms that
    difference, so its gradient at the target class is 0 once :math:`p_y` rounds to 1 (logits
    :math:`(0, -40, -40)`: 0 instead of :math:`-8.5 \cdot 10^{-18}`); elsewhere the two agree
    to rounding. A probability :math:`p_c = e^{\log p_c}` carries the rounding of
    :math:`\log p_c`, a relative error of about :math:`|\log p_c|` ulp.

    This is the backward pass of :class:`nncourse.nn.CrossEntropyLoss`, which keeps
    :math:`\log p` from its forward pass; :func:`cross_entropy_grad` starts from the logits.

    Parameters
    ----------
    log_probabilities : array_like
        :math:`\log p`, ``(N, C)`` or ``(C,)``: the log-softmax of the logits (``-inf`` for a
        probability of 0).
    target, label_smoothing, reduction
        As in :func:`cross_entropy`.
    check_values : bool, default True
        Scan the values of `log_probabilities` and `target`: no NaN, class indices in range or
        probabilities in [0, 1]. The loss module passes ``False`` in backward, for the arrays its
        forward pass has already checked (see :ref:`conventions <conventions>`); shapes and types
        are checked either way.

    Returns
    -------
    ndarray
        Same shape as `log_probabilities`; each row sums to 0 when the target's does to 1.

    Examples
    --------
    >>> cross_entropy_backward(np.log([[1 / 6, 2 / 6, 3 / 6]]), [2])
    array([[ 0.16666667,  0.33333333, -0.5       ]])
    """
    log_p = _logits(
        log_probabilities, reduction, "log_probabilities", allow_infinite=True,
        check_values=check_values,
    )  # fmt: skip
    target, indices = _class_targets(log_p, target, label_smoothing, check_values=check_values)
    p = np.exp(log_p)
    n_classes = log_p.shape[-1]
    if indices:
        at_target = _target_index(log_p, target)
        grad = p  # p - onehot(y), the onehot subtracted at the target alone:
        grad[at_target] = np.expm1(log_p[at_target])  # p_y - 1, exact when p_y rounds to 1
        if label_smoothing:
            uniform = label_smoothing * (_one_hot(target, n_classes) - 1 / n_classes)
            grad = (grad + uniform).astype(log_p.dtype, copy=False)  # uniform is float64
    else:
        smoothed = (1 - label_smoothing) * target + label_smoothing / n_classes
        grad = smoothed.sum(axis=-1, keepdims=True) * p - smoothed
    return _scale_grad(grad, reduction, _batch_size(log_p), in_place=True)


def cross_entropy_grad(
    input: ArrayLike, target: ArrayLike, label_smoothing: float = 0.0, reduction: str = "mean"
) -> np.ndarray:
    r"""Gradient of :func:`cross_entropy` with respect to the logits.

    .. math::
        \frac{\partial \ell_n}{\partial x_{n,c}} = \Big(\sum_k t'_{n,k}\Big)\, p_{n,c} - t'_{n,c}

    which is :math:`p_n - t'_n` when the target sums to 1: the log-softmax of the logits,
    handed to :func:`cross_entropy_backward`, which forms it (the entry at the target class,
    :math:`p_y - 1`, without cancellation).

    Parameters
    ----------
    input : array_like
        Logits, ``(N, C)`` or ``(C,)``.
    target, label_smoothing, reduction
        As in :func:`cross_entropy`.

    Returns
    -------
    ndarray
        Same shape as the logits; each row sums to 0 when the target's does to 1.

    Examples
    --------
    >>> cross_entropy_grad(np.log([[1.0, 2.0, 3.0]]), [2])
    array([[ 0.16666667,  0.33333333, -0.5       ]])
    """
    # _logits checks the logits' values, and log p has no NaN where they have none
    log_p = log_softmax(_logits(input, reduction), check_values=False)
    return cross_entropy_backward(log_p, target, label_smoothing, reduction)


def nll_loss(input: ArrayLike, target: ArrayLike, reduction: str = "mean") -> float | np.ndarray:
    r"""Negative log-likelihood of log-probabilities, as ``torch.nn.functional.nll_loss``.

    .. math:: \ell_n = -x_{n, y_n}

    ``nll_loss(log_softmax(z), y)`` is ``cross_entropy(z, y)``.

    Parameters
    ----------
    input : array_like
        Log-probabilities of shape ``(N, C)``, or ``(C,)`` for one sample.
    target : array_like of int
        Class indices in ``[0, C)``, shape ``(N,)`` (or ``()``).
    reduction : {"mean", "sum", "none"}, default "mean"
        Same as in :func:`cross_entropy`.

    Returns
    -------
    float or ndarray
        A float, or the N losses :math:`-x_{n, y_n}` for "none".

    Examples
    --------
    :math:`-(\log 0.75 + \log 0.5) / 2`:

    >>> round(nll_loss(np.log([[0.25, 0.75], [0.5, 0.5]]), [1, 0]), 6)
    0.490415
    """
    log_p, target = _indexed_logits(input, target, reduction)
    return _reduce(-_at_target(log_p, target), reduction)


def nll_loss_grad(
    input: ArrayLike, target: ArrayLike, reduction: str = "mean", *, check_values: bool = True
) -> np.ndarray:
    r"""Gradient of :func:`nll_loss`: -1 at each sample's target class, 0 elsewhere.

    .. math:: \frac{\partial \ell_n}{\partial x_{n,c}} = -[c = y_n]

    divided by N for "mean".

    Parameters
    ----------
    input : array_like
        Log-probabilities, ``(N, C)`` or ``(C,)``.
    target, reduction
        As in :func:`nll_loss`.
    check_values : bool, default True
        Scan the values of `input` and `target`: no NaN or infinity, class indices in range. The
        loss module passes ``False`` in backward, for the arrays its forward pass has already
        checked (see :ref:`conventions <conventions>`); shapes and types are checked either way.

    Returns
    -------
    ndarray
        One -1 per row (over N for "mean"), zeros elsewhere.

    Examples
    --------
    >>> nll_loss_grad(np.log([[0.25, 0.75], [0.5, 0.5]]), [1, 0])
    array([[ 0. , -0.5],
           [-0.5,  0. ]])
    """
    log_p, target = _indexed_logits(input, target, reduction, check_values=check_values)
    grad = np.where(_one_hot(target, log_p.shape[-1]), -1, 0).astype(log_p.dtype)
    return _scale_grad(grad, reduction, _batch_size(log_p))


def _kl_pair(
    input: ArrayLike, target: ArrayLike, reduction: str
) -> tuple[np.ndarray, np.ndarray, int]:
    """Log-probabilities, probabilities, and the number of elements "mean"/"batchmean" divide by."""
    check_reduction(reduction, KL_REDUCTIONS)
    log_q, p = _pair(input, target, "sum")
    if log_q.ndim == 0:
        raise ValueError("input must have at least one axis (the distribution's); got a scalar.")
    check_in_unit_interval(p, "target")
    batch_size = log_q.shape[0] if log_q.ndim >= 2 else 1  # a 1-D input is one distribution
    return log_q, p, (log_q.size if reduction == "mean" else batch_size)


def kl_div(input: ArrayLike, target: ArrayLike, reduction: str = "batchmean") -> float | np.ndarray:
    r"""Kullback-Leibler divergence, as ``torch.nn.functional.kl_div`` (PyTorch's argument order).

    `input` holds log-probabilities :math:`\log q`, `target` probabilities :math:`p`:

    .. math::
        \ell_i = p_i \left(\log p_i - \log q_i\right), \quad \ell_i = 0 \text{ where } p_i = 0,

    so the sum over a distribution's axis is :math:`D_{KL}(p \,\Vert\, q)`.

    Reductions, as PyTorch: "batchmean" divides the sum by the batch size N (the first axis),
    "mean" by the number of elements, "sum" and "none" as usual. Two differences from PyTorch:

    - the default is "batchmean", not "mean": only "batchmean" gives the KL divergence (averaged
      over the batch); "mean" also divides by the number of classes C;
    - a 1-D `input` of shape ``(C,)`` is one distribution, so "batchmean" divides by 1
      (PyTorch divides by ``input.size(0) = C``).

    Parameters
    ----------
    input : array_like
        Log-probabilities :math:`\log q`, shape ``(N, C)``, ``(C,)`` or ``(N, ..., C)``.
    target : array_like
        Probabilities :math:`p` in [0, 1], the same shape as `input`.
    reduction : {"batchmean", "mean", "sum", "none"}, default "batchmean"
        See above.

    Returns
    -------
    float or ndarray
        A float, or the elementwise terms (shape of `input`) for "none".

    Examples
    --------
    For two Bernoulli distributions,
    :math:`D_{KL}(\mathrm{B}(1/2)\,\Vert\,\mathrm{B}(1/4)) = \tfrac12 \log \tfrac43`:

    >>> round(kl_div(np.log([0.25, 0.75]), [0.5, 0.5]), 6)
    0.143841
    """
    log_q, p, n_averaged = _kl_pair(input, target, reduction)
    log_p = np.log(p, out=np.zeros_like(p), where=p > 0)  # 0 log 0 = 0: the value never matters
    return _reduce(p * (log_p - log_q), reduction, batch_size=n_averaged)


def kl_div_grad(input: ArrayLike, target: ArrayLike, reduction: str = "batchmean") -> np.ndarray:
    r"""Gradient of :func:`kl_div` with respect to the log-probabilities: :math:`-p_i`, averaged.

    .. math:: \frac{\partial \ell_i}{\partial \log q_i} = -p_i

    Parameters
    ----------
    input : array_like
        Log-probabilities :math:`\log q`.
    target, reduction
        As in :func:`kl_div`.

    Returns
    -------
    ndarray
        :math:`-p`, divided as the reduction divides; `input`'s shape.

    Examples
    --------
    >>> kl_div_grad(np.log([[0.25, 0.75], [0.5, 0.5]]), [[0.5, 0.5], [1.0, 0.0]])
    array([[-0.25, -0.25],
           [-0.5 , -0.  ]])
    """
    _, p, n_averaged = _kl_pair(input, target, reduction)
    return _scale_grad(np.where(p > 0, -p, 0), reduction, n_averaged)  # no -0.0 where p = 0


# --- cosine similarity ----------------------------------------------------------------------


def _unit_vectors(x: np.ndarray, axis: int, eps: float) -> tuple[np.ndarray, np.ndarray]:
    """``x / max(||x||, eps)`` and ``||x||`` (keepdims), free of overflow."""
    # scale by the largest entry first: squaring 1e200 would overflow, squaring 1e-200 vanish
    scale = np.max(np.abs(x), axis=axis, keepdims=True, initial=0.0)
    safe_scale = np.where(scale > 0, scale, 1)
    norm = scale * np.sqrt(np.sum(np.square(x / safe_scale), axis=axis, keepdims=True))
    return x / np.maximum(norm, eps), norm


def cosine_similarity(
    x1: ArrayLike, x2: ArrayLike, axis: int = -1, eps: float = 1e-8
) -> np.ndarray:
    r"""Cosine similarity along `axis`, as ``torch.nn.functional.cosine_similarity``.

    .. math::
        \cos(x_1, x_2) = \frac{x_1 \cdot x_2}{\max(\lVert x_1 \rVert_2, \varepsilon)\,
                                              \max(\lVert x_2 \rVert_2, \varepsilon)}

    Each norm is clamped at `eps` separately, as in current PyTorch (older versions clamped the
    product). The vectors are normalised before the dot product, so the result lies in [-1, 1]
    and nothing overflows; each norm is computed after dividing by the largest entry, so it
    neither overflows nor underflows. PyTorch squares the entries unscaled: for vectors with
    entries beyond about 1e154 its norm overflows and it returns 0 (e.g. for
    :math:`(10^{200}, 10^{200})` and :math:`(1, 2)`, whose cosine is 0.949).
    PyTorch's default ``dim=1`` is the last axis of an ``(N, D)`` batch,
    this function's default. Unlike PyTorch, `x1` and `x2` are not broadcast: they must have
    the same shape.

    Parameters
    ----------
    x1, x2 : array_like
        Arrays of the same shape.
    axis : int, default -1
        The axis holding the vectors.
    eps : float, default 1e-8
        Lower bound of each norm, > 0.

    Returns
    -------
    ndarray
        The shape of `x1` without `axis` (0-d for two vectors).

    Examples
    --------
    >>> cosine_similarity([[3.0, 4.0], [1.0, 0.0]], [[4.0, 3.0], [0.0, 2.0]])
    array([0.96, 0.  ])
    """
    a = as_float_array(x1, "x1")
    b = as_float_array(x2, "x2").astype(a.dtype, copy=False)
    check_same_shape(a, b, "x2", input_name="x1")
    if not isinstance(axis, (int, np.integer)) or not -a.ndim <= axis < a.ndim:
        raise ValueError(
            f"axis must be an integer in [{-a.ndim}, {a.ndim}) for x1 of shape {a.shape}; "
            f"got {axis!r}."
        )
    check_positive(eps, "eps")
    return np.sum(_unit_vectors(a, axis, eps)[0] * _unit_vectors(b, axis, eps)[0], axis=axis)


def _cosine_parts(
    input: ArrayLike, target: ArrayLike, eps: float, reduction: str
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Unit vectors of both inputs, the norm of `input` and the cosines along the last axis."""
    x, t = _pair(input, target, reduction)
    if x.ndim == 0:
        raise ValueError("input must have at least one axis (the vectors'); got a scalar.")
    check_positive(eps, "eps")
    unit_x, norm_x = _unit_vectors(x, -1, eps)
    unit_t = _unit_vectors(t, -1, eps)[0]
    return unit_x, unit_t, norm_x, np.sum(unit_x * unit_t, axis=-1)


def cosine_loss(
    input: ArrayLike, target: ArrayLike, eps: float = 1e-8, reduction: str = "mean"
) -> float | np.ndarray:
    r"""One minus the cosine similarity along the last axis.

    .. math:: \ell_n = 1 - \cos(x_n, y_n)

    with :math:`\cos` from :func:`cosine_similarity` (each norm clamped at `eps`). This is
    ``1 - torch.nn.functional.cosine_similarity(input, target, dim=-1, eps=eps)``; PyTorch's
    ``cosine_embedding_loss`` with label +1 is the same loss but guards the norms differently
    (it adds 1e-12 to each squared norm).

    Parameters
    ----------
    input : array_like
        Vectors along the last axis, shape ``(..., D)``.
    target : array_like
        Vectors of the same shape.
    eps : float, default 1e-8
        Lower bound of each norm, > 0.
    reduction : {"mean", "sum", "none"}, default "mean"
        Average over the vectors, sum, or the per-vector losses (shape ``input.shape[:-1]``).

    Returns
    -------
    float or ndarray
        A float for "mean"/"sum", an array of shape ``input.shape[:-1]`` for "none".

    Examples
    --------
    >>> cosine_loss([[1.0, 0.0], [1.0, 1.0]], [[0.0, 1.0], [2.0, 2.0]], reduction="none")
    array([1., 0.])
    """
    cosine = _cosine_parts(input, target, eps, reduction)[3]
    return _reduce(1 - cosine, reduction)


def cosine_loss_grad(
    input: ArrayLike, target: ArrayLike, eps: float = 1e-8, reduction: str = "mean"
) -> np.ndarray:
    r"""Gradient of :func:`cosine_loss` with respect to `input`.

    With :math:`u = x / \max(\lVert x\rVert, \varepsilon)`,
    :math:`v = y / \max(\lVert y\rVert, \varepsilon)` and :math:`c = u \cdot v`:

    .. math::
        \frac{\partial \ell}{\partial x} = -\frac{v - c\, u}{\lVert x \rVert}
        \ \text{ if } \lVert x \rVert \ge \varepsilon, \qquad
        -\frac{v}{\varepsilon} \ \text{ otherwise}

    Below `eps` the clamped norm is constant and this is the exact derivative of the loss.
    PyTorch's autograd differs there: it clamps the norm without recording it, so it
    differentiates as if the norm were not clamped.

    Parameters
    ----------
    input : array_like
        Vectors along the last axis.
    target, eps, reduction
        As in :func:`cosine_loss`.

    Returns
    -------
    ndarray
        `input`'s shape and dtype; orthogonal to each vector longer than `eps`.

    Examples
    --------
    >>> cosine_loss_grad([[1.0, 0.0]], [[0.0, 1.0]], reduction="sum")
    array([[ 0., -1.]])
    """
    unit_x, unit_t, norm_x, cosine = _cosine_parts(input, target, eps, reduction)
    unclamped = norm_x >= eps  # the norm's own derivative only acts where it is not clamped
    grad = (np.where(unclamped, cosine[..., None] * unit_x, 0) - unit_t) / np.maximum(norm_x, eps)
    return _scale_grad(grad, reduction, cosine.size)
