"""Dense layers: :class:`Linear`, :math:`Y = X W^\\top + b`, and :class:`Identity`."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from .._validation import as_generator, as_layer_input, check_features, check_size
from ._checks import check_grad_output, saved
from .module import Module, Parameter


class Linear(Module):
    r"""Affine layer :math:`Y = X W^\top + b`, from ``(*, in_features)`` to ``(*, out_features)``.

    As ``torch.nn.Linear``: ``weight`` has shape ``(out_features, in_features)``, ``bias`` shape
    ``(out_features,)``. With :math:`G = \partial L/\partial Y` the backward pass is

    .. math::

        \frac{\partial L}{\partial W} = G^\top X, \qquad
        \frac{\partial L}{\partial b} = \sum_n G_{n,:}, \qquad
        \frac{\partial L}{\partial X} = G W .

    Initialisation is PyTorch's: every entry of ``weight`` and ``bias`` is drawn from
    :math:`\mathcal U(-k, k)` with :math:`k = 1/\sqrt{\text{in\_features}}` (``weight`` first,
    then ``bias``, from `rng`). PyTorch gets this bound from ``kaiming_uniform_(a=sqrt(5))``.
    As in PyTorch, the input may have any leading dimensions, ``(*, in_features)``, a single
    sample ``(in_features,)`` included: every row of them is a sample, :math:`X` above.

    ``backward(grad_output, input_grad=False)`` accumulates the parameters' gradients but skips
    :math:`\partial L/\partial X` and returns ``None``: PyTorch skips it too when the input does
    not require a gradient, as a batch of data does not (see
    :class:`~nncourse.nn.Sequential`).

    Parameters
    ----------
    in_features, out_features : int
        Sizes of each input and output sample.
    bias : bool, default True
        Whether to learn an additive bias.
    rng : numpy.random.Generator, int or None
        Source of the initial values; ``None`` uses ``np.random.default_rng()`` (unseeded).

    Examples
    --------
    >>> layer = Linear(3, 2, rng=np.random.default_rng(0))
    >>> layer
    Linear(in_features=3, out_features=2, bias=True)
    >>> layer.weight.data = np.array([[1.0, 0.0, -1.0], [0.5, 0.5, 0.5]])
    >>> layer.bias.data = np.array([0.0, 1.0])
    >>> layer(np.array([[1.0, 2.0, 3.0]]))
    array([[-2.,  4.]])
    >>> layer.backward(np.array([[1.0, 1.0]]))
    array([[ 1.5,  0.5, -0.5]])
    >>> layer.weight.grad  # G^T X
    array([[1., 2., 3.],
           [1., 2., 3.]])
    >>> layer(np.array([1.0, 2.0, 3.0]))  # one sample, (in_features,)
    array([-2.,  4.])
    """

    skips_input_grad = True

    def __init__(
        self,
        in_features: int,
        out_features: int,
        bias: bool = True,
        rng: np.random.Generator | int | None = None,
    ):
        self.in_features = check_size(in_features, "in_features")
        self.out_features = check_size(out_features, "out_features")
        rng = as_generator(rng)
        # PyTorch's default: U(-k, k) with k = 1/sqrt(fan-in), the weight drawn first
        bound = 1.0 / np.sqrt(self.in_features)
        self.weight = Parameter(rng.uniform(-bound, bound, (self.out_features, self.in_features)))
        self.bias = Parameter(rng.uniform(-bound, bound, self.out_features)) if bias else None
        self._x = None

    def forward(self, x: ArrayLike) -> np.ndarray:
        self._x = check_features(as_layer_input(x), self.in_features)  # kept for backward
        y = self._x @ self.weight.data.T
        if self.bias is not None:
            y += self.bias.data
        return y

    def backward(self, grad_output: ArrayLike, *, input_grad: bool = True) -> np.ndarray | None:
        x = saved(self, self._x)
        grad_output = check_grad_output(grad_output, (*x.shape[:-1], self.out_features), self)
        # every row of the leading dimensions is a sample: X is (N, in), G is (N, out)
        X, G = x.reshape(-1, self.in_features), grad_output.reshape(-1, self.out_features)
        self.weight.grad += G.T @ X  # dL/dW = G^T X
        if self.bias is not None:
            self.bias.grad += G.sum(axis=0)  # dL/db = the sum of G over the samples
        return grad_output @ self.weight.data if input_grad else None  # dL/dX = G W

    def extra_repr(self) -> str:
        return (
            f"in_features={self.in_features}, out_features={self.out_features}, "
            f"bias={self.bias is not None}"
        )


class Identity(Module):
    r"""Returns its input unchanged, :math:`y = x`, so backward returns
    :math:`\partial L/\partial x = G`, the upstream gradient itself (checked for its shape).

    As ``torch.nn.Identity``, it accepts and ignores any constructor arguments, so it can stand in
    for a layer that an experiment switches off (e.g. ``Dropout(p) if p else Identity()``).

    Examples
    --------
    >>> layer = Identity(0.5)  # the argument is ignored
    >>> layer(np.array([1.0, 2.0]))
    array([1., 2.])
    >>> layer.backward(np.array([0.3, -1.0]))
    array([ 0.3, -1. ])
    """

    def __init__(self, *args, **kwargs):
        self._shape = None

    def forward(self, x: ArrayLike) -> np.ndarray:
        x = as_layer_input(x)
        self._shape = x.shape
        return x

    def backward(self, grad_output: ArrayLike) -> np.ndarray:
        return check_grad_output(grad_output, saved(self, self._shape), self)
