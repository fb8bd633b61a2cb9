"""Activation layers. Each calls its function from :mod:`nncourse.activations` in ``forward``
and, in ``backward``, that function's derivative at the saved input times the upstream gradient
(the chain rule): a layer is a function with a memory.

The function checks the input's values in forward (a NaN is refused, as the function refuses
it). The elementwise layers' backward passes ``check_values=False`` to the derivative, which
then does not scan the same input again on every batch.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from .._validation import as_layer_input, check_size
from ..activations import (
    elu,
    elu_grad,
    leaky_relu,
    leaky_relu_grad,
    log_softmax,
    log_softmax_backward,
    prelu,
    prelu_backward,
    relu,
    relu_grad,
    sigmoid,
    sigmoid_grad,
    softmax,
    softmax_backward,
    tanh,
    tanh_grad,
)
from ._checks import check_grad_output, saved
from .module import Module, Parameter


class _Elementwise(Module):
    r"""An activation applied entry by entry, :math:`y = f(x)`; backward is the chain rule,
    :math:`\partial L/\partial x = G \odot f'(x)`.

    A sub-class names :math:`f` and :math:`f'`, public functions of :mod:`nncourse.activations`,
    as ``function`` and ``gradient`` (which takes ``check_values``), and in ``option_names`` the
    attributes that both take as keyword arguments (read at each call, so a changed option takes
    effect at once).
    """

    function: staticmethod
    gradient: staticmethod
    option_names: tuple[str, ...] = ()
    _x: np.ndarray | None = None  # the input, kept by forward for backward

    def options(self) -> dict:
        """Keyword arguments passed to both ``function`` and ``gradient``: the options' values."""
        return {name: getattr(self, name) for name in self.option_names}

    def forward(self, x: ArrayLike) -> np.ndarray:
        self._x = as_layer_input(x)  # kept for backward
        return self.function(self._x, **self.options())

    def backward(self, grad_output: ArrayLike) -> np.ndarray:
        x = saved(self, self._x)
        grad_output = check_grad_output(grad_output, x.shape, self)
        # forward's call of the function checked x's values: not again, on every batch
        return grad_output * self.gradient(x, **self.options(), check_values=False)  # G * f'(x)

    def extra_repr(self) -> str:
        return ", ".join(f"{name}={value!r}" for name, value in self.options().items())


class Sigmoid(_Elementwise):
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

    function, gradient = staticmethod(sigmoid), staticmethod(sigmoid_grad)


class Tanh(_Elementwise):
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

    function, gradient = staticmethod(tanh), staticmethod(tanh_grad)


class ReLU(_Elementwise):
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

    function, gradient = staticmethod(relu), staticmethod(relu_grad)


class LeakyReLU(_Elementwise):
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

    function, gradient = staticmethod(leaky_relu), staticmethod(leaky_relu_grad)
    option_names = ("negative_slope",)

    def __init__(self, negative_slope: float = 0.01):
        self.negative_slope = negative_slope


class ELU(_Elementwise):
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

    function, gradient = staticmethod(elu), staticmethod(elu_grad)
    option_names = ("alpha",)

    def __init__(self, alpha: float = 1.0):
        self.alpha = alpha


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
        self.num_parameters = check_size(num_parameters, "num_parameters")
        self.weight = Parameter(np.full(self.num_parameters, init, dtype=np.float64))
        self._x = None

    def forward(self, x: ArrayLike) -> np.ndarray:
        x = as_layer_input(x)
        if self.num_parameters > 1 and (x.ndim < 2 or x.shape[1] != self.num_parameters):
            raise ValueError(
                f"x must have shape (n_samples, {self.num_parameters}, ...) for "
                f"PReLU(num_parameters={self.num_parameters}); got {x.shape}."
            )
        self._x = x
        return prelu(x, self.weight.data)

    def backward(self, grad_output: ArrayLike) -> np.ndarray:
        x = saved(self, self._x)
        grad_output = check_grad_output(grad_output, x.shape, self)
        grad_x, grad_weight = prelu_backward(x, self.weight.data, grad_output)
        self.weight.grad += grad_weight  # summed over the entries that share each slope
        return grad_x

    def extra_repr(self) -> str:
        return f"num_parameters={self.num_parameters}"


class _AlongAxis(Module):
    """A softmax-like layer along `axis`: its backward is a vector-Jacobian product, computed by
    ``backward_function(x, grad_output, axis)`` without forming the Jacobian."""

    function: staticmethod
    backward_function: staticmethod

    def __init__(self, axis: int = -1):
        self.axis = axis
        self._x = None

    def forward(self, x: ArrayLike) -> np.ndarray:
        self._x = as_layer_input(x)  # kept for backward
        return self.function(self._x, axis=self.axis)

    def backward(self, grad_output: ArrayLike) -> np.ndarray:
        x = saved(self, self._x)
        grad_output = check_grad_output(grad_output, x.shape, self)
        return self.backward_function(x, grad_output, axis=self.axis)

    def extra_repr(self) -> str:
        return f"axis={self.axis!r}"


class Softmax(_AlongAxis):
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

    function, backward_function = staticmethod(softmax), staticmethod(softmax_backward)


class LogSoftmax(_AlongAxis):
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

    function, backward_function = staticmethod(log_softmax), staticmethod(log_softmax_backward)
