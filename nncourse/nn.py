r"""Layers with hand-written backward passes, in PyTorch's shapes and conventions.

Every layer keeps what its backward pass needs during ``forward`` and, in ``backward``,
multiplies the upstream gradient by its local derivative, accumulating parameter gradients
with ``+=`` as PyTorch does. The activation layers and the loss modules call the functions of
:mod:`nncourse.activations` and :mod:`nncourse.losses`: a layer is a function with a memory.
Two sit in every training loop and take a shortcut that changes no result: :class:`ReLU` calls
the kernel of :func:`~nncourse.activations.relu` directly, and :class:`CrossEntropyLoss` keeps
the softmax of its forward pass for its backward pass (and writes out the usual case of class
indices averaged over the batch); tests check both bit for bit against the functions.

Layers check the shape of what they are given (cheaply, because they sit inside the training
loop) but not its values: a NaN in the input propagates to the output, as in PyTorch.
"""

from __future__ import annotations

import inspect
from collections.abc import Iterator

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view
from numpy.typing import ArrayLike

from ._validation import as_float_array, check_class_indices, check_reduction, reduce
from .activations import (
    _relu,
    _relu_grad,
    _softmax_parts,
    elu,
    elu_grad,
    leaky_relu,
    leaky_relu_grad,
    log_softmax,
    log_softmax_backward,
    prelu,
    prelu_backward,
    sigmoid,
    sigmoid_grad,
    softmax,
    softmax_backward,
    tanh,
    tanh_grad,
)
from .losses import (
    _CrossEntropyTerms,
    _grad_at_target,
    _losses_at_target,
    binary_cross_entropy,
    binary_cross_entropy_grad,
    binary_cross_entropy_with_logits,
    binary_cross_entropy_with_logits_grad,
    cross_entropy,
    cross_entropy_grad,
    huber_loss,
    huber_loss_grad,
    l1_loss,
    l1_loss_grad,
    mse_loss,
    mse_loss_grad,
    nll_loss,
    nll_loss_grad,
)

__all__ = [
    "ELU",
    "AvgPool2d",
    "BCELoss",
    "BCEWithLogitsLoss",
    "Conv2d",
    "CrossEntropyLoss",
    "Dropout",
    "Flatten",
    "HuberLoss",
    "Identity",
    "L1Loss",
    "LeakyReLU",
    "Linear",
    "LogSoftmax",
    "MSELoss",
    "MaxPool2d",
    "Module",
    "NLLLoss",
    "PReLU",
    "Parameter",
    "ReLU",
    "Sequential",
    "Sigmoid",
    "Softmax",
    "Tanh",
]


class _NonNumericDataError(TypeError, ValueError):
    """A Parameter given non-numeric data: a wrong type and a wrong value, so it is both."""


class Parameter:
    """A trainable array: ``.data`` holds the values, ``.grad`` the accumulated gradient.

    As ``torch.nn.Parameter``, but the gradient is always an array of zeros (never ``None``), so
    backward passes can accumulate into it with ``+=``.

    ``zero_grad()`` only marks the gradient as zero; the array is filled with zeros when ``.grad``
    is next read. The layers of :mod:`nncourse.nn` store the first gradient after ``zero_grad()``
    instead of adding it to zeros, as PyTorch's autograd does after ``zero_grad()`` (which sets
    ``.grad`` to ``None``). So, as in PyTorch, read ``.grad`` again after a backward pass rather
    than keeping the array from before ``zero_grad()``.

    Parameters
    ----------
    data : array_like
        Initial values; integers become float64, float32 stays float32. Strings, objects and
        complex numbers raise an error that is both a TypeError and a ValueError; NaN or
        infinity raise a ValueError.

    Examples
    --------
    >>> w = Parameter([1.0, 2.0])
    >>> w.grad
    array([0., 0.])
    >>> w.grad += 3.0
    >>> w.zero_grad()
    >>> w.grad
    array([0., 0.])
    """

    def __init__(self, data: ArrayLike):
        try:
            values = as_float_array(data, "data")
        except TypeError as exc:
            raise _NonNumericDataError(f"Parameter {exc}") from exc
        self.data = np.array(values)  # a copy the caller cannot alias
        self._grad = np.zeros_like(self.data)
        self._grad_is_stale = False  # True after zero_grad: _grad holds old values, read as 0

    @property
    def grad(self) -> np.ndarray:
        if self._grad_is_stale:
            self._grad.fill(0.0)
            self._grad_is_stale = False
        return self._grad

    @grad.setter
    def grad(self, value: np.ndarray) -> None:
        self._grad, self._grad_is_stale = value, False

    @property
    def shape(self) -> tuple[int, ...]:
        return self.data.shape

    @property
    def size(self) -> int:
        return self.data.size

    def zero_grad(self) -> None:
        """Reset the gradient to zeros (lazily: it is filled when read, or replaced)."""
        self._grad_is_stale = True  # cheaper than filling: most gradients are overwritten next

    def _accumulate_grad(self, new: np.ndarray) -> None:
        """``self.grad += new`` for a `new` array that nothing else refers to.

        Right after ``zero_grad()`` it takes `new` as the gradient, saving the pass that fills
        zeros and the pass that adds to them; a layer calls it with a freshly computed array.
        """
        grad = self._grad
        if self._grad_is_stale and new.shape == grad.shape and new.dtype == grad.dtype:
            self._grad, self._grad_is_stale = new, False
        else:
            self.grad += new

    def __repr__(self) -> str:
        return f"Parameter(shape={self.data.shape}, dtype={self.data.dtype})"


class Module:
    r"""Base class of layers: ``forward``, ``backward`` and a tree of parameters and sub-modules.

    Sub-classes set :class:`Parameter` and :class:`Module` attributes in ``__init__``;
    ``parameters()`` finds them in the order they were assigned, as ``torch.nn.Module`` does.
    ``backward(grad_output)`` receives :math:`\partial L/\partial y` for the output `y` of the
    last ``forward``, adds :math:`\partial L/\partial \theta` into each parameter's ``.grad``
    and returns :math:`\partial L/\partial x`.

    Unlike ``torch.nn.Module`` there is no autograd: every layer writes its own ``backward``, and
    ``forward`` keeps what ``backward`` needs. Sub-classes need not call ``Module.__init__``.

    Examples
    --------
    A layer that scales feature :math:`j` by a learned factor, :math:`y_{nj} = a_j x_{nj}`, so
    :math:`\partial L/\partial a_j = \sum_n G_{nj} x_{nj}` and
    :math:`\partial L/\partial x_{nj} = G_{nj} a_j`:

    >>> class Scale(Module):
    ...     def __init__(self, n_features):
    ...         self.a = Parameter(np.ones(n_features))
    ...     def forward(self, x):
    ...         self._x = x  # kept for backward
    ...         return x * self.a.data
    ...     def backward(self, grad_output):
    ...         self.a.grad += (grad_output * self._x).sum(axis=0)  # accumulate, as PyTorch
    ...         return grad_output * self.a.data
    >>> layer = Scale(3)
    >>> layer, layer.num_parameters(), [name for name, _ in layer.named_parameters()]
    (Scale(), 3, ['a'])
    >>> from nncourse.gradcheck import check_module
    >>> check_module(layer, np.array([[1.0, 2.0, 3.0], [-1.0, 0.5, 0.0]])).ok
    True
    """

    training: bool = True

    def forward(self, x: np.ndarray) -> np.ndarray:
        raise NotImplementedError(f"{type(self).__name__} must implement forward(x)")

    def backward(self, grad_output: np.ndarray) -> np.ndarray:
        raise NotImplementedError(f"{type(self).__name__} must implement backward(grad_output)")

    def __call__(self, *args, **kwargs):
        return self.forward(*args, **kwargs)

    def children(self) -> Iterator[tuple[str, Module]]:
        for name, value in vars(self).items():
            if isinstance(value, Module):
                yield name, value

    def modules(self) -> Iterator[Module]:
        """Yield this module and every sub-module, depth first (as ``torch.nn.Module.modules``)."""
        yield self
        for _, child in self.children():
            yield from child.modules()

    def named_parameters(self, prefix: str = "") -> Iterator[tuple[str, Parameter]]:
        """Yield ``(dotted_name, parameter)`` for this module and every sub-module, depth first."""
        for name, value in vars(self).items():
            if isinstance(value, Parameter):
                yield prefix + name, value
            elif isinstance(value, Module):
                yield from value.named_parameters(prefix + name + ".")

    def parameters(self) -> list[Parameter]:
        return [p for _, p in self.named_parameters()]

    def num_parameters(self) -> int:
        return sum(p.size for p in self.parameters())

    def zero_grad(self) -> None:
        for p in self.parameters():
            p.zero_grad()

    def train(self, mode: bool = True) -> Module:
        self.training = mode
        for _, child in self.children():
            child.train(mode)
        return self

    def eval(self) -> Module:
        return self.train(False)

    def extra_repr(self) -> str:
        return ""

    def __repr__(self) -> str:
        children = list(self.children())
        if not children:
            return f"{type(self).__name__}({self.extra_repr()})"
        body = "\n".join(
            f"  ({name}): " + repr(child).replace("\n", "\n  ") for name, child in children
        )
        return f"{type(self).__name__}(\n{body}\n)"


# ----------------------------------------------------------------------------------------------
# Checks shared by the layers. They run on every batch, so they look at shapes and dtypes only.
# ----------------------------------------------------------------------------------------------

_FAST_DTYPES = (np.float32, np.float64)


def _is_float_array(x: ArrayLike) -> bool:
    return isinstance(x, np.ndarray) and x.dtype.type in _FAST_DTYPES


def _as_input(x: ArrayLike, name: str = "x") -> np.ndarray:
    """Float arrays pass untouched (no copy, no scan); anything else goes through as_float_array."""
    return x if _is_float_array(x) else as_float_array(x, name)


def _as_features(x: ArrayLike, n_features: int, name: str = "x") -> np.ndarray:
    """`x` as a float array (see `_as_input`) of shape ``(n_samples, n_features)``."""
    x = _as_input(x, name)
    if x.ndim != 2 or x.shape[1] != n_features:
        raise ValueError(
            f"{name} must have shape (n_samples, {n_features}); got {x.shape}. "
            f"For one sample use {name}.reshape(1, -1)."
        )
    return x


def _check_images(x: np.ndarray, n_channels: int | None, kernel: tuple[int, int]) -> np.ndarray:
    """Require (N, C, H, W) with C = `n_channels` (if given) and H, W at least the kernel's size."""
    channels = "channels" if n_channels is None else str(n_channels)
    if x.ndim != 4 or (n_channels is not None and x.shape[1] != n_channels):
        raise ValueError(
            f"x must have shape (n_samples, {channels}, height, width); got {x.shape}. "
            "For one image use x[np.newaxis]."
        )
    if x.shape[2] < kernel[0] or x.shape[3] < kernel[1]:
        raise ValueError(
            f"x has height and width {x.shape[2:]}, smaller than the kernel {kernel} "
            "(after padding): use a smaller kernel or more padding."
        )
    return x


def _saved(layer: Module, value):
    """Return what forward stored for backward, or explain that forward has not run yet."""
    if value is None:
        name = type(layer).__name__
        raise RuntimeError(
            f"{name}.backward was called before {name}.forward: call the layer on an input "
            "first, then backward with the gradient of the loss with respect to its output."
        )
    return value


def _check_grad_output(grad_output: ArrayLike, shape: tuple[int, ...], layer: Module) -> np.ndarray:
    grad_output = np.asarray(grad_output)
    if grad_output.shape != shape:
        raise ValueError(
            f"grad_output has shape {grad_output.shape}, expected {shape}: the shape of the "
            f"output of {type(layer).__name__}'s last forward."
        )
    return grad_output


def _check_size(value: int, name: str, minimum: int = 1) -> int:
    """Validate a layer size or kernel dimension: an integer >= `minimum` (bools refused)."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{name} must be an integer; got {value!r}.")
    if value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}; got {value}.")
    return int(value)


def _pair(value: int | tuple[int, int], name: str, minimum: int = 1) -> tuple[int, int]:
    """An int `k` means ``(k, k)``, as PyTorch's kernel_size, stride and padding."""
    values = tuple(value) if isinstance(value, (tuple, list)) else (value, value)
    if len(values) != 2:
        raise ValueError(f"{name} must be an integer or a pair (height, width); got {value!r}.")
    return (_check_size(values[0], name, minimum), _check_size(values[1], name, minimum))


def _as_generator(rng: np.random.Generator | int | None) -> np.random.Generator:
    if rng is None or (isinstance(rng, (int, np.integer)) and not isinstance(rng, bool)):
        return np.random.default_rng(rng)
    if not isinstance(rng, np.random.Generator):
        raise TypeError(
            "rng must be a numpy.random.Generator, an integer seed or None; "
            f"got {type(rng).__name__}. Create one with np.random.default_rng(seed)."
        )
    return rng


def _uniform_init(rng: np.random.Generator, fan_in: int, shape: tuple[int, ...]) -> Parameter:
    r"""PyTorch's default for Linear and Conv2d: :math:`\mathcal U(-k, k)`, :math:`k = 1/\sqrt{n}`.

    `n` is the fan-in: the number of inputs each output sums over.
    """
    bound = 1.0 / np.sqrt(fan_in)
    return Parameter(rng.uniform(-bound, bound, shape))


# ----------------------------------------------------------------------------------------------
# Layers with parameters
# ----------------------------------------------------------------------------------------------


class Linear(Module):
    r"""Affine layer :math:`Y = X W^\top + b`, from ``(N, in_features)`` to ``(N, out_features)``.

    As ``torch.nn.Linear``: ``weight`` has shape ``(out_features, in_features)``, ``bias`` shape
    ``(out_features,)``. With :math:`G = \partial L/\partial Y` the backward pass is

    .. math::

        \frac{\partial L}{\partial W} = G^\top X, \qquad
        \frac{\partial L}{\partial b} = \sum_n G_{n,:}, \qquad
        \frac{\partial L}{\partial X} = G W .

    Initialisation is PyTorch's: every entry of ``weight`` and ``bias`` is drawn from
    :math:`\mathcal U(-k, k)` with :math:`k = 1/\sqrt{\text{in\_features}}` (``weight`` first,
    then ``bias``, from `rng`). PyTorch gets this bound from ``kaiming_uniform_(a=sqrt(5))``.
    Unlike PyTorch, the input must be 2-D (PyTorch accepts any leading dimensions).

    ``backward(grad_output, input_grad=False)`` accumulates the parameters' gradients but skips
    :math:`\partial L/\partial X` and returns ``None``: PyTorch skips it too when the input does
    not require a gradient, as a batch of data does not (see :class:`Sequential`).

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
    """

    def __init__(
        self,
        in_features: int,
        out_features: int,
        bias: bool = True,
        rng: np.random.Generator | int | None = None,
    ):
        self.in_features = _check_size(in_features, "in_features")
        self.out_features = _check_size(out_features, "out_features")
        rng = _as_generator(rng)
        self.weight = _uniform_init(rng, self.in_features, (self.out_features, self.in_features))
        self.bias = _uniform_init(rng, self.in_features, (self.out_features,)) if bias else None
        self._x = None

    def forward(self, x: ArrayLike) -> np.ndarray:
        self._x = _as_features(x, self.in_features)  # kept for backward
        y = self._x @ self.weight.data.T
        if self.bias is not None:
            y += self.bias.data
        return y

    def backward(self, grad_output: ArrayLike, *, input_grad: bool = True) -> np.ndarray | None:
        x = _saved(self, self._x)
        grad_output = _check_grad_output(grad_output, (x.shape[0], self.out_features), self)
        self.weight._accumulate_grad(grad_output.T @ x)  # .grad += dL/dW = G^T X
        if self.bias is not None:
            self.bias._accumulate_grad(grad_output.sum(axis=0))  # .grad += dL/db = sum_n G_n
        return grad_output @ self.weight.data if input_grad else None  # dL/dX = G W

    def extra_repr(self) -> str:
        return (
            f"in_features={self.in_features}, out_features={self.out_features}, "
            f"bias={self.bias is not None}"
        )


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
    ``None``, as :class:`Linear`'s.

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
        self.in_channels = _check_size(in_channels, "in_channels")
        self.out_channels = _check_size(out_channels, "out_channels")
        self.kernel_size = _pair(kernel_size, "kernel_size")
        self.stride = _pair(stride, "stride")
        self.padding = _pair(padding, "padding", minimum=0)
        rng = _as_generator(rng)
        fan_in = self.in_channels * self.kernel_size[0] * self.kernel_size[1]
        self.weight = _uniform_init(
            rng, fan_in, (self.out_channels, self.in_channels, *self.kernel_size)
        )
        self.bias = _uniform_init(rng, fan_in, (self.out_channels,)) if bias else None
        self._windows = None

    def forward(self, x: ArrayLike) -> np.ndarray:
        x = _as_input(x)
        (pad_h, pad_w) = self.padding
        if x.ndim == 4 and (pad_h or pad_w):
            x = np.pad(x, ((0, 0), (0, 0), (pad_h, pad_h), (pad_w, pad_w)))
        _check_images(x, self.in_channels, self.kernel_size)
        self._padded_shape = x.shape
        self._windows = _windows(x, self.kernel_size, self.stride)  # (N, C, H_out, W_out, kh, kw)
        y = np.einsum("nchwij,ocij->nohw", self._windows, self.weight.data, optimize=True)
        if self.bias is not None:
            y += self.bias.data[:, np.newaxis, np.newaxis]
        return y

    def backward(self, grad_output: ArrayLike, *, input_grad: bool = True) -> np.ndarray | None:
        windows = _saved(self, self._windows)
        n_samples, _, n_rows, n_cols = windows.shape[:4]
        shape = (n_samples, self.out_channels, n_rows, n_cols)
        grad_output = _check_grad_output(grad_output, shape, self)
        self.weight.grad += np.einsum("nohw,nchwij->ocij", grad_output, windows, optimize=True)
        if self.bias is not None:
            self.bias.grad += grad_output.sum(axis=(0, 2, 3))
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


class PReLU(Module):
    r"""Parametric ReLU :math:`\max(0, x) + a \min(0, x)` with a learned slope `a`.

    As ``torch.nn.PReLU``: ``weight`` has shape ``(num_parameters,)``; one slope shared by every
    entry when ``num_parameters=1``, else one per channel on axis 1 (inputs ``(N, C, ...)``).
    Calls :func:`nncourse.activations.prelu` and :func:`~nncourse.activations.prelu_backward`;
    the slope's gradient is :math:`\sum G\,\min(0, x)` over the entries that share it.

    Examples
    --------
    >>> act = PReLU()
    >>> act(np.array([[-2.0, 3.0]]))
    array([[-0.5,  3. ]])
    >>> act.backward(np.ones((1, 2)))
    array([[0.25, 1.  ]])
    >>> act.weight.grad
    array([-2.])
    """

    def __init__(self, num_parameters: int = 1, init: float = 0.25):
        self.num_parameters = _check_size(num_parameters, "num_parameters")
        self.weight = Parameter(np.full(self.num_parameters, init, dtype=np.float64))
        self._x = None

    def forward(self, x: ArrayLike) -> np.ndarray:
        x = _as_input(x)
        if self.num_parameters > 1 and (x.ndim < 2 or x.shape[1] != self.num_parameters):
            raise ValueError(
                f"x must have shape (n_samples, {self.num_parameters}, ...) for "
                f"PReLU(num_parameters={self.num_parameters}); got {x.shape}."
            )
        self._x = x
        return prelu(x, self.weight.data)

    def backward(self, grad_output: ArrayLike) -> np.ndarray:
        x = _saved(self, self._x)
        grad_output = _check_grad_output(grad_output, x.shape, self)
        grad_x, grad_weight = prelu_backward(x, self.weight.data, grad_output)
        self.weight.grad += grad_weight  # summed over the entries that share each slope
        return grad_x

    def extra_repr(self) -> str:
        return f"num_parameters={self.num_parameters}"


# ----------------------------------------------------------------------------------------------
# Layers without parameters
# ----------------------------------------------------------------------------------------------


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
        x = _as_input(x)
        self._shape = x.shape
        return x

    def backward(self, grad_output: ArrayLike) -> np.ndarray:
        return _check_grad_output(grad_output, _saved(self, self._shape), self)


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
        x = _as_input(x)
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
        shape = _saved(self, self._shape)
        grad_output = np.asarray(grad_output)
        if grad_output.size != np.prod(shape):
            raise ValueError(
                f"grad_output has shape {grad_output.shape}, which cannot be the gradient of "
                f"Flatten's last output (its input had shape {shape})."
            )
        return grad_output.reshape(shape)

    def extra_repr(self) -> str:
        return f"start_dim={self.start_dim}, end_dim={self.end_dim}"


class Dropout(Module):
    r"""Inverted dropout, as ``torch.nn.Dropout``: in training, each entry is zeroed with
    probability `p` and the survivors are scaled by :math:`1/(1-p)`, so the expected output
    equals the input; in eval mode it is the identity.

    .. math:: y = x \odot m, \qquad m_i = \frac{\mathbb 1[u_i \ge p]}{1 - p},
        \quad u_i \sim \mathcal U[0, 1)

    and backward returns :math:`G \odot m` with the same mask. With ``p = 1`` every entry is
    dropped and the output is zeros, as in PyTorch (the mask is 0, not 0/0).

    Parameters
    ----------
    p : float, default 0.5
        Probability of zeroing an entry, in [0, 1].
    rng : numpy.random.Generator, int or None
        Source of the masks; ``None`` uses ``np.random.default_rng()`` (unseeded).

    Examples
    --------
    >>> drop = Dropout(p=0.5, rng=np.random.default_rng(0))
    >>> sorted(set(drop(np.ones(1000)).tolist()))  # dropped or doubled
    [0.0, 2.0]
    >>> drop.eval()(np.ones(3))
    array([1., 1., 1.])
    """

    def __init__(self, p: float = 0.5, rng: np.random.Generator | int | None = None):
        try:
            valid = not isinstance(p, bool) and 0.0 <= float(p) <= 1.0
        except (TypeError, ValueError):
            valid = False
        if not valid:
            raise ValueError(f"p must be a dropout probability in [0, 1]; got {p!r}.")
        self.p = float(p)
        self.rng = _as_generator(rng)
        self._shape = None
        self._mask = None

    def forward(self, x: ArrayLike) -> np.ndarray:
        x = _as_input(x)
        self._shape = x.shape
        if not self.training:
            self._mask = None
            return x
        self._mask = (self.rng.random(x.shape) >= self.p).astype(x.dtype)
        self._mask *= 0.0 if self.p == 1.0 else 1.0 / (1.0 - self.p)
        return x * self._mask

    def backward(self, grad_output: ArrayLike) -> np.ndarray:
        grad_output = _check_grad_output(grad_output, _saved(self, self._shape), self)
        return grad_output if self._mask is None else grad_output * self._mask

    def extra_repr(self) -> str:
        return f"p={self.p}"


class _Pool2d(Module):
    """Shared set-up of the pooling layers: kernel, stride (default: the kernel) and windows."""

    def __init__(
        self, kernel_size: int | tuple[int, int], stride: int | tuple[int, int] | None = None
    ):
        self.kernel_size = _pair(kernel_size, "kernel_size")
        self.stride = self.kernel_size if stride is None else _pair(stride, "stride")
        self._shape = None

    def _input_windows(self, x: ArrayLike) -> np.ndarray:
        x = _check_images(_as_input(x), None, self.kernel_size)
        self._shape = x.shape
        return _windows(x, self.kernel_size, self.stride)

    def _check_backward(self, grad_output: ArrayLike) -> np.ndarray:
        shape = _saved(self, self._shape)
        n_rows = (shape[2] - self.kernel_size[0]) // self.stride[0] + 1
        n_cols = (shape[3] - self.kernel_size[1]) // self.stride[1] + 1
        return _check_grad_output(grad_output, (*shape[:2], n_rows, n_cols), self)

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
        argmax = _saved(self, self._argmax)
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


# ----------------------------------------------------------------------------------------------
# Activation layers: each calls its function from nncourse.activations and, in backward, that
# function's derivative at the saved input, times the upstream gradient (the chain rule).
# ----------------------------------------------------------------------------------------------


class _Functional(Module):
    """A module that calls a function of :mod:`nncourse.activations` or :mod:`nncourse.losses`.

    Each keyword option given to ``__init__`` becomes a public attribute (``layer.negative_slope``,
    ``criterion.reduction``, as in PyTorch) and is passed, as it is at call time, to both
    ``function`` and ``gradient``.
    """

    function: staticmethod
    gradient: staticmethod

    def __init__(self, **options):
        vars(self).update(options)
        self._option_names = tuple(options)

    def options(self) -> dict:
        """Keyword arguments passed to both the function and its gradient."""
        return {name: getattr(self, name) for name in self._option_names}

    def extra_repr(self) -> str:
        return ", ".join(f"{name}={value!r}" for name, value in self.options().items())


class _Activation(_Functional):
    """An activation layer: forward applies ``function`` and keeps its input for backward."""

    def __init__(self, **options):
        super().__init__(**options)
        self._x = None

    def forward(self, x: ArrayLike) -> np.ndarray:
        self._x = _as_input(x)
        return self.function(self._x, **self.options())

    def backward(self, grad_output: ArrayLike) -> np.ndarray:
        x = _saved(self, self._x)
        return self._chain_rule(x, _check_grad_output(grad_output, x.shape, self))

    def _chain_rule(self, x: np.ndarray, grad_output: np.ndarray) -> np.ndarray:
        """The chain rule for an elementwise f: grad_output times f'(x), f' being ``gradient``."""
        return grad_output * self.gradient(x, **self.options())


class Sigmoid(_Activation):
    r"""Elementwise :math:`\sigma(x) = 1/(1 + e^{-x})`, as ``torch.nn.Sigmoid``; backward
    :math:`G \odot \sigma'(x)`.

    Examples
    --------
    A saturated unit passes (almost) no gradient back:

    >>> layer = Sigmoid()
    >>> layer(np.array([-1000.0, 0.0, 1000.0]))
    array([0. , 0.5, 1. ])
    >>> layer.backward(np.ones(3))
    array([0.  , 0.25, 0.  ])
    """

    function = staticmethod(sigmoid)
    gradient = staticmethod(sigmoid_grad)


class Tanh(_Activation):
    r"""Elementwise :math:`\tanh x`, as ``torch.nn.Tanh``; backward
    :math:`G \odot (1 - \tanh^2 x)`.

    Examples
    --------
    >>> layer = Tanh()
    >>> layer(np.array([0.0, 1.0])).round(6)
    array([0.      , 0.761594])
    >>> layer.backward(np.array([2.0, 2.0])).round(6)  # 2 (1 - tanh^2 x)
    array([2.      , 0.839949])
    """

    function = staticmethod(tanh)
    gradient = staticmethod(tanh_grad)


class ReLU(_Activation):
    r"""Elementwise :math:`\max(0, x)`, as ``torch.nn.ReLU``; backward
    :math:`G \odot \mathbb 1[x > 0]` (0 at :math:`x = 0`, as PyTorch's autograd).

    Examples
    --------
    >>> layer = ReLU()
    >>> layer(np.array([-1.0, 0.0, 2.0]))
    array([0., 0., 2.])
    >>> layer.backward(np.array([5.0, 5.0, 5.0]))
    array([0., 0., 5.])
    """

    # relu's own kernels, without the scan of every value that the public functions make
    function = staticmethod(_relu)
    gradient = staticmethod(_relu_grad)

    # the layer of every training loop: the two steps without the indirections of the others
    def forward(self, x: ArrayLike) -> np.ndarray:
        self._x = _as_input(x)
        return _relu(self._x)

    def backward(self, grad_output: ArrayLike) -> np.ndarray:
        x = _saved(self, self._x)
        return _check_grad_output(grad_output, x.shape, self) * _relu_grad(x)


class LeakyReLU(_Activation):
    r"""Elementwise :math:`\max(0, x) + \alpha \min(0, x)` with
    :math:`\alpha` = `negative_slope`, as ``torch.nn.LeakyReLU``; backward
    :math:`G \odot (1 \text{ if } x > 0 \text{ else } \alpha)`.

    Examples
    --------
    At 0 the gradient is the slope, as PyTorch's autograd:

    >>> layer = LeakyReLU(0.1)
    >>> layer(np.array([-2.0, 0.0, 3.0]))
    array([-0.2,  0. ,  3. ])
    >>> layer.backward(np.ones(3))
    array([0.1, 0.1, 1. ])
    """

    function = staticmethod(leaky_relu)
    gradient = staticmethod(leaky_relu_grad)

    def __init__(self, negative_slope: float = 0.01):
        super().__init__(negative_slope=negative_slope)


class ELU(_Activation):
    r"""Elementwise :math:`x` for :math:`x > 0`, else :math:`\alpha(e^x - 1)`, as
    ``torch.nn.ELU``; backward :math:`G \odot (1 \text{ if } x > 0 \text{ else } \alpha e^x)`.

    Examples
    --------
    With :math:`\alpha = 1/2` at :math:`x = -\log 2`: :math:`\tfrac12(\tfrac12 - 1) = -0.25`, and
    the slope there is :math:`\tfrac12 \cdot \tfrac12`:

    >>> layer = ELU(alpha=0.5)
    >>> layer(np.array([-np.log(2.0), 3.0]))
    array([-0.25,  3.  ])
    >>> layer.backward(np.array([4.0, 4.0]))
    array([1., 4.])
    """

    function = staticmethod(elu)
    gradient = staticmethod(elu_grad)

    def __init__(self, alpha: float = 1.0):
        super().__init__(alpha=alpha)


class _SoftmaxFamily(_Activation):
    """A layer along `axis` whose ``gradient`` is a vector-Jacobian product: it takes
    ``(x, grad_output)`` and never forms the Jacobian."""

    def __init__(self, axis: int = -1):
        super().__init__(axis=axis)

    def _chain_rule(self, x: np.ndarray, grad_output: np.ndarray) -> np.ndarray:
        return self.gradient(x, grad_output, **self.options())


class Softmax(_SoftmaxFamily):
    r"""Softmax along `axis`, :math:`s_i = e^{z_i} / \sum_j e^{z_j}`, as ``torch.nn.Softmax``
    (named ``dim`` there). Backward is the vector-Jacobian product
    :math:`\partial L/\partial z_i = s_i\,(G_i - \sum_j G_j s_j)`, computed by
    :func:`nncourse.activations.softmax_backward` without forming the Jacobian.

    Examples
    --------
    >>> layer = Softmax()
    >>> layer(np.array([[0.0, 0.0]]))
    array([[0.5, 0.5]])
    >>> layer.backward(np.array([[1.0, 0.0]]))
    array([[ 0.25, -0.25]])
    """

    function = staticmethod(softmax)
    gradient = staticmethod(softmax_backward)


class LogSoftmax(_SoftmaxFamily):
    r"""Log-softmax along `axis`, :math:`z_i - \log\sum_j e^{z_j}`, as ``torch.nn.LogSoftmax``.
    Backward: :math:`\partial L/\partial z_i = G_i - s_i \sum_j G_j`, by
    :func:`nncourse.activations.log_softmax_backward`.

    Examples
    --------
    >>> layer = LogSoftmax()
    >>> layer(np.array([[0.0, 0.0]])).round(6)
    array([[-0.693147, -0.693147]])
    >>> layer.backward(np.array([[1.0, 0.0]]))
    array([[ 0.5, -0.5]])
    """

    function = staticmethod(log_softmax)
    gradient = staticmethod(log_softmax_backward)


# ----------------------------------------------------------------------------------------------
# Containers
# ----------------------------------------------------------------------------------------------


def _takes_input_grad(layer: Module) -> bool:
    """Whether ``layer.backward`` accepts the keyword ``input_grad``."""
    return "input_grad" in inspect.signature(layer.backward).parameters


class Sequential(Module):
    r"""A chain of layers, as ``torch.nn.Sequential``: forward runs them in order, backward in
    reverse, each layer's ``backward`` feeding the next one down (the chain rule,
    :math:`\partial L/\partial x = J_1^\top \cdots J_k^\top\, \partial L/\partial y`).

    Layers are named ``"0"``, ``"1"``, ... so parameters are ``"0.weight"``, ``"0.bias"``, ...

    A training loop needs the gradients of the parameters, not :math:`\partial L/\partial x`
    for the batch of data: ``backward(grad_output, input_grad=False)`` returns ``None`` and lets
    a first layer that can (:class:`Linear`, :class:`Conv2d`, or any module whose ``backward``
    takes `input_grad`) skip that product, as PyTorch's autograd skips the gradient of an input
    that does not require one.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> model = Sequential(Linear(4, 3, rng=rng), ReLU(), Linear(3, 2, rng=rng))
    >>> model
    Sequential(
      (0): Linear(in_features=4, out_features=3, bias=True)
      (1): ReLU()
      (2): Linear(in_features=3, out_features=2, bias=True)
    )
    >>> [name for name, _ in model.named_parameters()]
    ['0.weight', '0.bias', '2.weight', '2.bias']
    >>> len(model), model[-1].out_features, model.num_parameters()
    (3, 2, 23)
    >>> y = model(np.ones((5, 4)))
    >>> model.backward(np.ones((5, 2))).shape  # dL/dx, for a gradient check
    (5, 4)
    >>> model.backward(np.ones((5, 2)), input_grad=False) is None  # in training: grads only
    True
    """

    def __init__(self, *layers: Module):
        for index, layer in enumerate(layers):
            if not isinstance(layer, Module):
                raise TypeError(
                    f"Sequential takes Module instances; argument {index} is a "
                    f"{type(layer).__name__}. Did you pass the class instead of an instance?"
                )
            setattr(self, str(index), layer)
        self._layers = tuple(layers)
        self._first_takes_input_grad = bool(layers) and _takes_input_grad(layers[0])

    def forward(self, x: ArrayLike) -> np.ndarray:
        for layer in self._layers:
            x = layer.forward(x)  # what layer(x) calls
        return x

    def backward(self, grad_output: ArrayLike, *, input_grad: bool = True) -> np.ndarray | None:
        if not self._layers:
            return grad_output if input_grad else None
        first, *rest = self._layers
        for layer in reversed(rest):
            grad_output = layer.backward(grad_output)
        if input_grad:
            return first.backward(grad_output)
        if self._first_takes_input_grad:
            return first.backward(grad_output, input_grad=False)
        first.backward(grad_output)  # for its parameters' gradients
        return None

    def __len__(self) -> int:
        return len(self._layers)

    def __iter__(self) -> Iterator[Module]:
        return iter(self._layers)

    def __getitem__(self, index: int | slice) -> Module:
        if isinstance(index, slice):
            return Sequential(*self._layers[index])
        return self._layers[index]


# ----------------------------------------------------------------------------------------------
# Loss modules: ``loss = criterion(input, target)`` calls the function of nncourse.losses,
# ``criterion.backward()`` its ``_grad`` twin on the same arguments.
# ----------------------------------------------------------------------------------------------


class _Loss(_Functional):
    r"""A loss as a module: forward stores `input` and `target`, backward returns
    :math:`\partial L/\partial\,\text{input}` times `grad_output`.

    Sub-classes name their function and its gradient, and pass their options after `reduction`.
    """

    def __init__(self, reduction: str = "mean", **options):
        super().__init__(reduction=check_reduction(reduction), **options)
        self._input = None

    def forward(self, input: ArrayLike, target: ArrayLike) -> float | np.ndarray:
        loss = self._loss(input, target)
        self._input, self._target = input, target
        self._loss_shape = loss.shape if isinstance(loss, np.ndarray) else ()
        return loss

    def _loss(self, input: ArrayLike, target: ArrayLike) -> float | np.ndarray:
        """The loss; a sub-class may also keep what its gradient reuses."""
        return self.function(input, target, **self.options())

    def _input_grad(self) -> np.ndarray:
        """The gradient of the last loss with respect to its input (before grad_output)."""
        return self.gradient(self._input, self._target, **self.options())

    def backward(self, grad_output: ArrayLike = 1.0) -> np.ndarray:
        r"""Return :math:`\partial L/\partial\,\text{input}`, scaled by `grad_output`.

        `grad_output` is a number for ``reduction="mean"`` or ``"sum"``, and for ``"none"``
        either a number or an array shaped like the loss (one weight per element loss).
        """
        _saved(self, self._input)
        grad = self._input_grad()
        if isinstance(grad_output, (int, float)) or np.ndim(grad_output) == 0:
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

    function = staticmethod(mse_loss)
    gradient = staticmethod(mse_loss_grad)

    def __init__(self, *, reduction: str = "mean"):
        super().__init__(reduction)


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

    function = staticmethod(l1_loss)
    gradient = staticmethod(l1_loss_grad)

    def __init__(self, *, reduction: str = "mean"):
        super().__init__(reduction)


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

    function = staticmethod(huber_loss)
    gradient = staticmethod(huber_loss_grad)

    def __init__(self, *, reduction: str = "mean", delta: float = 1.0):
        super().__init__(reduction, delta=delta)


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

    function = staticmethod(binary_cross_entropy)
    gradient = staticmethod(binary_cross_entropy_grad)

    def __init__(self, *, reduction: str = "mean", base: float | None = None):
        super().__init__(reduction, base=base)


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

    function = staticmethod(binary_cross_entropy_with_logits)
    gradient = staticmethod(binary_cross_entropy_with_logits_grad)

    def __init__(self, *, reduction: str = "mean", pos_weight: ArrayLike | None = None):
        super().__init__(reduction, pos_weight=pos_weight)


class CrossEntropyLoss(_Loss):
    r"""Softmax cross-entropy on logits :math:`z` of shape ``(N, C)`` or ``(C,)``,
    :math:`\ell_n = -\log\operatorname{softmax}(z_n)_{y_n}`, as ``torch.nn.CrossEntropyLoss``
    (targets as class indices or as probabilities; optional `label_smoothing`); calls
    :func:`nncourse.losses.cross_entropy` and :func:`~nncourse.losses.cross_entropy_grad`,
    whose gradient is :math:`(\operatorname{softmax}(z_n) - \text{onehot}(y_n))/N` for the mean.
    The softmax is computed once, in forward, and reused by backward; loss and gradient are
    those of the two functions bit for bit.

    The case of every classifier's training loop (a float ``(N, C)`` batch, an integer array of
    class indices, ``reduction="mean"``, no smoothing) is written out below without the
    generality of the functions, from the same pieces (``_softmax_parts``,
    ``_losses_at_target``, ``_grad_at_target``), so it is cheaper but not different.

    Examples
    --------
    >>> criterion = CrossEntropyLoss()
    >>> round(criterion(np.array([[0.0, 0.0]]), np.array([1])), 6)
    0.693147
    >>> criterion.backward()
    array([[ 0.5, -0.5]])
    """

    function = staticmethod(cross_entropy)
    gradient = staticmethod(cross_entropy_grad)

    def __init__(self, *, reduction: str = "mean", label_smoothing: float = 0.0):
        super().__init__(reduction, label_smoothing=label_smoothing)
        self._terms = self._batch = None

    def forward(self, input: ArrayLike, target: ArrayLike) -> float | np.ndarray:
        self._batch = None
        if self.label_smoothing or self.reduction != "mean" or not _is_index_batch(input, target):
            return super().forward(input, target)
        check_class_indices(target, input.shape[1], input.shape[:1])
        top, e, rest = _softmax_parts(input, axis=1, name="input")  # also refuses NaN and inf
        rest = rest[:, 0]
        at_target = (np.arange(input.shape[0]), target)
        self._batch = (e, rest, at_target)
        self._input, self._loss_shape = input, ()  # what _Loss.backward checks
        return reduce(_losses_at_target(rest, input[at_target], top[:, 0]), "mean")

    def _loss(self, input: ArrayLike, target: ArrayLike) -> float | np.ndarray:
        # the softmax of the forward pass serves backward too: the pieces both functions compute
        self._terms = _CrossEntropyTerms(input, target, self.label_smoothing, self.reduction)
        return self._terms.loss()

    def _input_grad(self) -> np.ndarray:
        if self._batch is None:
            return self._terms.grad()
        e, rest, at_target = self._batch  # forward took the training-loop case
        grad = _grad_at_target(e, rest, at_target)
        grad /= rest.shape[0]  # the mean
        return grad


def _is_index_batch(input: ArrayLike, target: ArrayLike) -> bool:
    """Whether `input` is a float ``(N, C)`` array with N, C >= 1 and `target` integer indices."""
    return (
        _is_float_array(input)
        and input.ndim == 2
        and input.size > 0
        and isinstance(target, np.ndarray)
        and target.dtype.kind in "iu"
    )


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

    function = staticmethod(nll_loss)
    gradient = staticmethod(nll_loss_grad)

    def __init__(self, *, reduction: str = "mean"):
        super().__init__(reduction)
