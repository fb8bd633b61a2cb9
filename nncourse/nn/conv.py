"""Layers on images ``(N, C, H, W)``: :class:`Conv2d`, the pooling layers and :class:`Flatten`.

Each works on a strided view of every kernel-sized window of its input (``sliding_window_view``,
no copy), and sends gradients back to the pixels a window covers with :func:`_scatter_windows`,
which adds up where windows overlap, as the chain rule asks.
"""

from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view
from numpy.typing import ArrayLike

from .._validation import as_generator, as_layer_input, check_size
from ._checks import check_grad_output, check_images, pair, saved
from .module import Module, Parameter


def _windows(x: np.ndarray, kernel: tuple[int, int], stride: tuple[int, int]) -> np.ndarray:
    """View (no copy) of every kernel-sized window of (N, C, H, W): (N, C, H_out, W_out, kh, kw)."""
    return sliding_window_view(x, kernel, axis=(2, 3))[:, :, :: stride[0], :: stride[1]]


def _scatter_windows(
    grad_windows: np.ndarray, input_shape: tuple[int, ...], stride: tuple[int, int]
) -> np.ndarray:
    """Adjoint of :func:`_windows`: add each window's gradient back onto the pixels it covers.

    The loop runs over the kh * kw offsets inside a kernel, not over pixels: offset (i, j) of
    every window sits on the strided grid of pixels starting at (i, j). Overlapping windows
    (stride < kernel) add up, which is what the chain rule asks for.
    """
    n_rows, n_cols, kernel_h, kernel_w = grad_windows.shape[2:]
    grad_input = np.zeros(input_shape, dtype=grad_windows.dtype)
    row_span, col_span = stride[0] * (n_rows - 1) + 1, stride[1] * (n_cols - 1) + 1
    for i in range(kernel_h):
        for j in range(kernel_w):
            grad_input[:, :, i : i + row_span : stride[0], j : j + col_span : stride[1]] += (
                grad_windows[..., i, j]
            )
    return grad_input


class Conv2d(Module):
    r"""2-D convolution (cross-correlation, as in every deep-learning library) on ``(N, C, H, W)``.

    As ``torch.nn.Conv2d`` with ``dilation=1, groups=1`` and zero padding:

    .. math::

        Y_{n,o,h,w} = b_o + \sum_{c=0}^{C-1} \sum_{i=0}^{k_h-1} \sum_{j=0}^{k_w-1}
            W_{o,c,i,j}\, X^{\text{pad}}_{n,\,c,\,h s_h + i,\,w s_w + j},

    with output height :math:`\lfloor (H + 2p_h - k_h)/s_h \rfloor + 1` (width alike). Writing
    :math:`G = \partial L/\partial Y`, the backward pass is

    .. math::

        \frac{\partial L}{\partial W_{o,c,i,j}} = \sum_{n,h,w} G_{n,o,h,w}\,
            X^{\text{pad}}_{n,\,c,\,h s_h + i,\,w s_w + j}, \qquad
        \frac{\partial L}{\partial b_o} = \sum_{n,h,w} G_{n,o,h,w},

    and :math:`\partial L/\partial X^{\text{pad}}` sends :math:`\sum_o G_{n,o,h,w} W_{o,c,i,j}`
    back to pixel :math:`(h s_h + i, w s_w + j)`; the padding's share is dropped. The windows
    are a strided view (``sliding_window_view``) contracted with ``einsum``: no loop over pixels.

    Parameters ``weight`` of shape ``(out_channels, in_channels, kh, kw)`` then ``bias`` of
    shape ``(out_channels,)``, both initialised as PyTorch does, from
    :math:`\mathcal U(-k, k)` with :math:`k = 1/\sqrt{\text{in\_channels}\cdot k_h k_w}`.
    Unlike PyTorch, the input must be 4-D and `padding` must be integers (no ``"same"``).
    ``backward(grad_output, input_grad=False)`` skips :math:`\partial L/\partial X` and returns
    ``None``, as :class:`~nncourse.nn.Linear`'s.

    Parameters
    ----------
    in_channels, out_channels : int
        Channels of the input and of the output.
    kernel_size, stride, padding : int or (int, int)
        Kernel size, step between windows (default 1) and zeros added on each side (default 0).
    bias : bool, default True
        Whether to learn one bias per output channel.
    rng : numpy.random.Generator, int or None
        Source of the initial values; ``None`` uses ``np.random.default_rng()`` (unseeded).

    Examples
    --------
    >>> conv = Conv2d(1, 1, kernel_size=2, bias=False, rng=np.random.default_rng(0))
    >>> conv
    Conv2d(1, 1, kernel_size=(2, 2), stride=(1, 1), bias=False)
    >>> conv.weight.data = np.array([[[[1.0, 0.0], [0.0, -1.0]]]])  # x[h, w] - x[h+1, w+1]
    >>> conv(np.arange(9.0).reshape(1, 1, 3, 3))
    array([[[[-4., -4.],
             [-4., -4.]]]])
    """

    skips_input_grad = True

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size: int | tuple[int, int],
        stride: int | tuple[int, int] = 1,
        padding: int | tuple[int, int] = 0,
        bias: bool = True,
        rng: np.random.Generator | int | None = None,
    ):
        self.in_channels = check_size(in_channels, "in_channels")
        self.out_channels = check_size(out_channels, "out_channels")
        self.kernel_size = pair(kernel_size, "kernel_size")
        self.stride = pair(stride, "stride")
        self.padding = pair(padding, "padding", minimum=0)
        rng = as_generator(rng)
        # PyTorch's default: U(-k, k) with k = 1/sqrt(fan-in), the inputs each output sums over
        bound = 1.0 / np.sqrt(self.in_channels * self.kernel_size[0] * self.kernel_size[1])
        shape = (self.out_channels, self.in_channels, *self.kernel_size)
        self.weight = Parameter(rng.uniform(-bound, bound, shape))
        self.bias = Parameter(rng.uniform(-bound, bound, self.out_channels)) if bias else None
        self._windows = None

    def forward(self, x: ArrayLike) -> np.ndarray:
        x = as_layer_input(x)
        (pad_h, pad_w) = self.padding
        if x.ndim == 4 and (pad_h or pad_w):
            x = np.pad(x, ((0, 0), (0, 0), (pad_h, pad_h), (pad_w, pad_w)))
        check_images(x, self.in_channels, self.kernel_size)
        self._padded_shape = x.shape
        self._windows = _windows(x, self.kernel_size, self.stride)  # (N, C, H_out, W_out, kh, kw)
        y = np.einsum("nchwij,ocij->nohw", self._windows, self.weight.data, optimize=True)
        if self.bias is not None:
            y += self.bias.data[:, np.newaxis, np.newaxis]
        return y

    def backward(self, grad_output: ArrayLike, *, input_grad: bool = True) -> np.ndarray | None:
        windows = saved(self, self._windows)
        n_samples, _, n_rows, n_cols = windows.shape[:4]
        shape = (n_samples, self.out_channels, n_rows, n_cols)
        grad_output = check_grad_output(grad_output, shape, self)
        # dL/dW_ocij = sum_nhw G_nohw X_nc(h s + i)(w s + j)
        self.weight.grad += np.einsum("nohw,nchwij->ocij", grad_output, windows, optimize=True)
        if self.bias is not None:
            self.bias.grad += grad_output.sum(axis=(0, 2, 3))  # dL/db_o = sum_nhw G_nohw
        if not input_grad:
            return None
        grad_windows = np.einsum("nohw,ocij->nchwij", grad_output, self.weight.data, optimize=True)
        grad_padded = _scatter_windows(grad_windows, self._padded_shape, self.stride)
        (pad_h, pad_w) = self.padding
        height, width = self._padded_shape[2] - 2 * pad_h, self._padded_shape[3] - 2 * pad_w
        return grad_padded[:, :, pad_h : pad_h + height, pad_w : pad_w + width]

    def extra_repr(self) -> str:
        text = (
            f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, "
            f"stride={self.stride}"
        )
        if self.padding != (0, 0):
            text += f", padding={self.padding}"
        return text if self.bias is not None else text + ", bias=False"


class _Pool2d(Module):
    """Shared set-up of the pooling layers: kernel, stride (default: the kernel) and windows."""

    def __init__(
        self, kernel_size: int | tuple[int, int], stride: int | tuple[int, int] | None = None
    ):
        self.kernel_size = pair(kernel_size, "kernel_size")
        self.stride = self.kernel_size if stride is None else pair(stride, "stride")
        self._shape = None

    def _input_windows(self, x: ArrayLike) -> np.ndarray:
        x = check_images(as_layer_input(x), None, self.kernel_size)
        self._shape = x.shape
        return _windows(x, self.kernel_size, self.stride)

    def _check_backward(self, grad_output: ArrayLike) -> np.ndarray:
        shape = saved(self, self._shape)
        n_rows = (shape[2] - self.kernel_size[0]) // self.stride[0] + 1
        n_cols = (shape[3] - self.kernel_size[1]) // self.stride[1] + 1
        return check_grad_output(grad_output, (*shape[:2], n_rows, n_cols), self)

    def extra_repr(self) -> str:
        return f"kernel_size={self.kernel_size}, stride={self.stride}"


class MaxPool2d(_Pool2d):
    r"""Maximum over each window of ``(N, C, H, W)``, as ``torch.nn.MaxPool2d`` (no padding or
    dilation; output size :math:`\lfloor (H - k_h)/s_h \rfloor + 1`, width alike).

    .. math:: Y_{n,c,h,w} = \max_{i,j} X_{n,\,c,\,h s_h + i,\,w s_w + j}

    The max is piecewise the identity of one entry, so backward routes each
    :math:`G_{n,c,h,w}` to the position of its window's maximum and gives 0 to the others; with
    overlapping windows a pixel collects the gradients of every window it wins. **Ties**: the
    first maximal position in row-major order within the window (``argmax``'s rule) gets the
    whole gradient, as PyTorch does on CPU.

    Examples
    --------
    Overlapping 2 x 2 windows (stride 1); the two 3s of the first row tie in the second window:

    >>> pool = MaxPool2d(2, stride=1)
    >>> x = np.array([[[[1.0, 3.0, 3.0], [0.0, 2.0, 1.0], [5.0, 0.0, 0.0]]]])
    >>> pool(x)
    array([[[[3., 3.],
             [5., 2.]]]])
    >>> pool.backward(np.ones((1, 1, 2, 2)))  # the first 3 wins both windows it is in
    array([[[[0., 2., 0.],
             [0., 1., 0.],
             [1., 0., 0.]]]])
    """

    def __init__(
        self, kernel_size: int | tuple[int, int], stride: int | tuple[int, int] | None = None
    ):
        super().__init__(kernel_size, stride)
        self._argmax = None

    def forward(self, x: ArrayLike) -> np.ndarray:
        windows = self._input_windows(x)
        flat = windows.reshape(*windows.shape[:4], -1)  # (N, C, H_out, W_out, kh * kw)
        self._argmax = flat.argmax(axis=-1)  # first maximum in row-major order
        return np.take_along_axis(flat, self._argmax[..., np.newaxis], axis=-1)[..., 0]

    def backward(self, grad_output: ArrayLike) -> np.ndarray:
        grad_output = self._check_backward(grad_output)
        argmax = saved(self, self._argmax)
        positions = np.arange(self.kernel_size[0] * self.kernel_size[1]).reshape(self.kernel_size)
        winners = argmax[..., np.newaxis, np.newaxis] == positions  # one-hot (..., kh, kw)
        grad_windows = np.where(winners, grad_output[..., np.newaxis, np.newaxis], 0.0)
        return _scatter_windows(grad_windows.astype(grad_output.dtype), self._shape, self.stride)


class AvgPool2d(_Pool2d):
    r"""Mean over each window of ``(N, C, H, W)``, as ``torch.nn.AvgPool2d`` (no padding).

    .. math:: Y_{n,c,h,w} = \frac{1}{k_h k_w}\sum_{i,j} X_{n,\,c,\,h s_h + i,\,w s_w + j}

    Backward spreads each :math:`G_{n,c,h,w}/(k_h k_w)` evenly over its window.

    Examples
    --------
    >>> pool = AvgPool2d(2)
    >>> pool(np.array([[[[1.0, 2.0], [4.0, 3.0]]]]))
    array([[[[2.5]]]])
    >>> pool.backward(np.array([[[[8.0]]]]))
    array([[[[2., 2.],
             [2., 2.]]]])
    """

    def forward(self, x: ArrayLike) -> np.ndarray:
        return self._input_windows(x).mean(axis=(-2, -1))

    def backward(self, grad_output: ArrayLike) -> np.ndarray:
        grad_output = self._check_backward(grad_output)
        share = grad_output / (self.kernel_size[0] * self.kernel_size[1])
        grad_windows = np.broadcast_to(
            share[..., np.newaxis, np.newaxis], (*share.shape, *self.kernel_size)
        )
        return _scatter_windows(grad_windows, self._shape, self.stride)


class Flatten(Module):
    r"""Merge dimensions `start_dim` to `end_dim` into one, as ``torch.nn.Flatten``.

    The default turns ``(N, C, H, W)`` into ``(N, C H W)`` in row-major order,

    .. math:: Y_{n,\,(c H + h) W + w} = X_{n,c,h,w},

    so the entries are only renumbered: backward reshapes :math:`G` back to the input's shape.

    Examples
    --------
    >>> layer = Flatten()
    >>> layer(np.arange(12.0).reshape(2, 3, 2, 1))
    array([[ 0.,  1.,  2.,  3.,  4.,  5.],
           [ 6.,  7.,  8.,  9., 10., 11.]])
    >>> layer.backward(np.ones((2, 6))).shape
    (2, 3, 2, 1)
    >>> Flatten(0, 1)(np.zeros((2, 3, 4))).shape  # merge the first two axes only
    (6, 4)
    """

    def __init__(self, start_dim: int = 1, end_dim: int = -1):
        self.start_dim, self.end_dim = int(start_dim), int(end_dim)
        self._shape = None

    def forward(self, x: ArrayLike) -> np.ndarray:
        x = as_layer_input(x)
        start, end = self.start_dim, self.end_dim
        if not (-x.ndim <= start < x.ndim and -x.ndim <= end < x.ndim):
            raise ValueError(
                f"x must have more than {max(start, end, -start - 1, -end - 1)} dimensions for "
                f"Flatten(start_dim={start}, end_dim={end}); got shape {x.shape}."
            )
        start, end = start % x.ndim, end % x.ndim
        if start > end:
            raise ValueError(
                f"Flatten's start_dim ({self.start_dim}) comes after its end_dim ({self.end_dim}) "
                f"for x with {x.ndim} dimensions."
            )
        self._shape = x.shape
        return x.reshape(*x.shape[:start], -1, *x.shape[end + 1 :])

    def backward(self, grad_output: ArrayLike) -> np.ndarray:
        shape = saved(self, self._shape)
        grad_output = np.asarray(grad_output)
        if grad_output.size != np.prod(shape):
            raise ValueError(
                f"grad_output has shape {grad_output.shape}, which cannot be the gradient of "
                f"Flatten's last output (its input had shape {shape})."
            )
        return grad_output.reshape(shape)

    def extra_repr(self) -> str:
        return f"start_dim={self.start_dim}, end_dim={self.end_dim}"
