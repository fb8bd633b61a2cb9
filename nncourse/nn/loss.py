"""Loss modules: ``loss = criterion(input, target)`` calls a function of :mod:`nncourse.losses`,
``criterion.backward()`` its ``_grad`` twin on the same arguments (:class:`CrossEntropyLoss`:
``cross_entropy`` and ``cross_entropy_backward`` of the log-softmax it takes once).

The loss function checks the values of `input` and `target` in forward; backward passes
``check_values=False`` to the gradient, which then checks their types and shapes but does not
scan the same values again on every batch.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from .._validation import as_float_array, check_reduction
from ..activations import log_softmax
from ..losses import (
    binary_cross_entropy,
    binary_cross_entropy_grad,
    binary_cross_entropy_with_logits,
    binary_cross_entropy_with_logits_grad,
    cross_entropy,
    cross_entropy_backward,
    huber_loss,
    huber_loss_grad,
    l1_loss,
    l1_loss_grad,
    mse_loss,
    mse_loss_grad,
    nll_loss,
    nll_loss_grad,
)
from ._checks import saved
from .module import Module


class _Loss(Module):
    r"""A loss as a module: ``loss = criterion(input, target)`` calls the loss function,
    ``criterion.backward()`` its gradient on the same arguments, times `grad_output`.

    A sub-class names the two public functions of :mod:`nncourse.losses` as ``function`` and
    ``gradient`` (which takes ``check_values``), and in ``option_names`` the attributes that both
    take as keyword arguments (read at each call, so a changed option takes effect at once).
    """

    function: staticmethod
    gradient: staticmethod
    option_names: tuple[str, ...] = ("reduction",)

    def __init__(self, *, reduction: str = "mean"):
        self.reduction = check_reduction(reduction)
        self._input = None

    def options(self) -> dict:
        """Keyword arguments passed to both ``function`` and ``gradient``: the options' values."""
        return {name: getattr(self, name) for name in self.option_names}

    def forward(self, input: ArrayLike, target: ArrayLike) -> float | np.ndarray:
        loss = self.function(input, target, **self.options())
        self._input, self._target = input, target  # kept for backward
        self._loss_shape = getattr(loss, "shape", ())  # a float for "mean" and "sum"
        return loss

    def backward(self, grad_output: ArrayLike = 1.0) -> np.ndarray:
        r"""Return :math:`\partial L/\partial\,\text{input}`, scaled by `grad_output`.

        `grad_output` is a number for ``reduction="mean"`` or ``"sum"``, and for ``"none"``
        either a number or an array shaped like the loss (one weight per element loss).
        """
        saved(self, self._input)
        # forward's call of the loss checked both arrays' values: not again, on every batch
        grad = self.gradient(self._input, self._target, **self.options(), check_values=False)
        if np.asarray(grad_output).ndim == 0:  # a number, such as the default 1.0
            return grad if grad_output == 1.0 else grad * grad_output
        grad_output = np.asarray(grad_output)
        if grad_output.shape != self._loss_shape:
            expected = (
                "a number" if self._loss_shape == () else f"a number or shape {self._loss_shape}"
            )
            raise ValueError(
                f"grad_output has shape {grad_output.shape}, expected {expected}: the shape of "
                f"{type(self).__name__}'s last loss (reduction={self.reduction!r})."
            )
        # a per-sample loss (N,) of (N, C) logits weights every class of its row
        trailing = (1,) * (grad.ndim - grad_output.ndim)
        return grad * grad_output.reshape(grad_output.shape + trailing)

    def extra_repr(self) -> str:
        return ", ".join(f"{name}={value!r}" for name, value in self.options().items())


class MSELoss(_Loss):
    r"""Mean squared error :math:`\ell_i = (x_i - y_i)^2`, as ``torch.nn.MSELoss``; calls
    :func:`nncourse.losses.mse_loss` and :func:`~nncourse.losses.mse_loss_grad`.

    Examples
    --------
    >>> criterion = MSELoss()
    >>> criterion(np.array([1.0, 3.0]), np.array([0.0, 0.0]))
    5.0
    >>> criterion.backward()  # 2 (x - y) / n
    array([1., 3.])
    """

    function, gradient = staticmethod(mse_loss), staticmethod(mse_loss_grad)


class L1Loss(_Loss):
    r"""Mean absolute error :math:`\ell_i = |x_i - y_i|`, as ``torch.nn.L1Loss``; calls
    :func:`nncourse.losses.l1_loss` and :func:`~nncourse.losses.l1_loss_grad`.

    Examples
    --------
    >>> criterion = L1Loss()
    >>> criterion(np.array([1.0, -3.0]), np.array([0.0, 0.0]))
    2.0
    >>> criterion.backward()
    array([ 0.5, -0.5])
    """

    function, gradient = staticmethod(l1_loss), staticmethod(l1_loss_grad)


class HuberLoss(_Loss):
    r"""Huber loss, quadratic for :math:`|x - y| \le \delta` and linear beyond, as
    ``torch.nn.HuberLoss``; calls :func:`nncourse.losses.huber_loss` and its ``_grad``.

    Examples
    --------
    >>> criterion = HuberLoss(delta=1.0)
    >>> criterion(np.array([0.5, 3.0]), np.array([0.0, 0.0]))  # (0.125 + 2.5) / 2
    1.3125
    >>> criterion.backward()
    array([0.25, 0.5 ])
    """

    function, gradient = staticmethod(huber_loss), staticmethod(huber_loss_grad)
    option_names = ("reduction", "delta")

    def __init__(self, *, reduction: str = "mean", delta: float = 1.0):
        super().__init__(reduction=reduction)
        self.delta = delta


class BCELoss(_Loss):
    r"""Binary cross-entropy on probabilities,
    :math:`\ell_i = -[y_i \log x_i + (1 - y_i)\log(1 - x_i)]`, as ``torch.nn.BCELoss`` (each log
    clamped at -100); calls :func:`nncourse.losses.binary_cross_entropy` and its ``_grad``.
    ``base=2`` measures it in bits (a course addition).

    Examples
    --------
    >>> criterion = BCELoss()
    >>> round(criterion(np.array([0.5]), np.array([1.0])), 6)  # log 2
    0.693147
    >>> criterion.backward()  # -1 / x
    array([-2.])
    """

    function, gradient = staticmethod(binary_cross_entropy), staticmethod(binary_cross_entropy_grad)
    option_names = ("reduction", "base")

    def __init__(self, *, reduction: str = "mean", base: float | None = None):
        super().__init__(reduction=reduction)
        self.base = base


class BCEWithLogitsLoss(_Loss):
    r"""Binary cross-entropy on logits, :math:`\ell_i = -[p\,y_i \log\sigma(x_i) + (1 - y_i)
    \log(1 - \sigma(x_i))]` with :math:`p` = `pos_weight`, as ``torch.nn.BCEWithLogitsLoss``;
    calls :func:`nncourse.losses.binary_cross_entropy_with_logits` and its ``_grad``.

    Examples
    --------
    With ``pos_weight=3`` a positive sample counts three times: at logit 0 the loss is
    :math:`(3\log 2 + \log 2)/2` and the gradient :math:`(\sigma(x)(1 + (p - 1)y) - p\,y)/N`:

    >>> criterion = BCEWithLogitsLoss(pos_weight=np.array([3.0]))
    >>> round(criterion(np.array([0.0, 0.0]), np.array([1.0, 0.0])), 6)  # 2 log 2
    1.386294
    >>> criterion.backward()
    array([-0.75,  0.25])
    """

    function, gradient = (
        staticmethod(binary_cross_entropy_with_logits),
        staticmethod(binary_cross_entropy_with_logits_grad),
    )
    option_names = ("reduction", "pos_weight")

    def __init__(self, *, reduction: str = "mean", pos_weight: ArrayLike | None = None):
        super().__init__(reduction=reduction)
        self.pos_weight = pos_weight


class NLLLoss(_Loss):
    r"""Negative log-likelihood :math:`\ell_n = -x_{n, y_n}` of log-probabilities ``(N, C)``,
    as ``torch.nn.NLLLoss``; calls :func:`nncourse.losses.nll_loss` and its ``_grad``.

    Examples
    --------
    >>> criterion = NLLLoss()
    >>> criterion(np.array([[-1.0, -2.0], [-3.0, -4.0]]), np.array([0, 1]))
    2.5
    >>> criterion.backward()
    array([[-0.5,  0. ],
           [ 0. , -0.5]])
    """

    function, gradient = staticmethod(nll_loss), staticmethod(nll_loss_grad)


class CrossEntropyLoss(_Loss):
    r"""Softmax cross-entropy on logits :math:`z` of shape ``(N, C)`` or ``(C,)``,
    :math:`\ell_n = -\log\operatorname{softmax}(z_n)_{y_n}`, as ``torch.nn.CrossEntropyLoss``
    (targets as class indices or as probabilities; optional `label_smoothing`).

    As PyTorch's autograd does, the forward pass takes the log-softmax once, :math:`\log p`
    by :func:`~nncourse.activations.log_softmax`, and keeps it: the loss is
    :func:`nncourse.losses.cross_entropy` of :math:`\log p` (``log_input=True``), and backward
    is :func:`~nncourse.losses.cross_entropy_backward` of it, the gradient
    :math:`(p_n - \text{onehot}(y_n))/N` for the mean. Both give what
    :func:`~nncourse.losses.cross_entropy` and :func:`~nncourse.losses.cross_entropy_grad` give
    for the logits, bit for bit.

    Examples
    --------
    >>> criterion = CrossEntropyLoss()
    >>> round(criterion(np.array([[0.0, 0.0]]), np.array([1])), 6)
    0.693147
    >>> criterion.backward()
    array([[ 0.5, -0.5]])
    """

    function, gradient = staticmethod(cross_entropy), staticmethod(cross_entropy_backward)
    option_names = ("reduction", "label_smoothing")

    def __init__(self, *, reduction: str = "mean", label_smoothing: float = 0.0):
        super().__init__(reduction=reduction)
        self.label_smoothing = label_smoothing

    def forward(self, input: ArrayLike, target: ArrayLike) -> float | np.ndarray:
        # log p once: the loss is its cross-entropy, and backward starts from it
        x = as_float_array(input, "input")  # checked here, so that a message names `input`
        log_p = log_softmax(x, check_values=False)
        loss = self.function(log_p, target, log_input=True, **self.options())
        self._input, self._target, self._loss_shape = log_p, target, getattr(loss, "shape", ())
        return loss
