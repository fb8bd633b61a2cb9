"""The building blocks of a network: :class:`Parameter`, :class:`Module`, :class:`Sequential`."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
from numpy.typing import ArrayLike

from .._validation import as_float_array


class Parameter:
    """A trainable array: ``.data`` holds the values, ``.grad`` the accumulated gradient.

    As ``torch.nn.Parameter``, but ``.grad`` is always an array of zeros the shape of ``.data``
    (never ``None``), so backward passes accumulate into it with ``+=``, and ``zero_grad()``
    fills it with zeros in place.

    Parameters
    ----------
    data : array_like
        Initial values; integers become float64, float32 stays float32. Strings, objects and
        complex numbers raise a TypeError; NaN or infinity a ValueError.

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
        self.data = np.array(
            as_float_array(data, "Parameter data")
        )  # a copy the caller cannot alias
        self.grad = np.zeros_like(self.data)

    @property
    def shape(self) -> tuple[int, ...]:
        return self.data.shape

    @property
    def size(self) -> int:
        return self.data.size

    def zero_grad(self) -> None:
        """Reset the gradient to zeros, in place."""
        self.grad.fill(0.0)

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

    A layer whose :math:`\partial L/\partial x` is a product of its own (:class:`Linear`,
    :class:`Conv2d`) sets ``skips_input_grad = True`` and takes ``backward(grad_output,
    input_grad=False)``, which accumulates the parameters' gradients and returns ``None``: a
    training loop never needs the gradient with respect to a batch of data.

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
    skips_input_grad: bool = False

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


class Sequential(Module):
    r"""A chain of layers, as ``torch.nn.Sequential``: forward runs them in order, backward in
    reverse, each layer's ``backward`` feeding the next one down (the chain rule,
    :math:`\partial L/\partial x = J_1^\top \cdots J_k^\top\, \partial L/\partial y`).

    Layers are named ``"0"``, ``"1"``, ... so parameters are ``"0.weight"``, ``"0.bias"``, ...

    A training loop needs the gradients of the parameters, not :math:`\partial L/\partial x`
    for the batch of data: ``backward(grad_output, input_grad=False)`` returns ``None`` and lets
    a first layer that can (one with ``skips_input_grad``, such as :class:`Linear`) skip that
    product, as PyTorch's autograd skips the gradient of an input that does not require one.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> from nncourse.nn import Linear, ReLU
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

    def forward(self, x: ArrayLike) -> np.ndarray:
        for layer in self._layers:
            x = layer(x)
        return x

    def backward(self, grad_output: ArrayLike, *, input_grad: bool = True) -> np.ndarray | None:
        if not self._layers:
            return grad_output if input_grad else None
        first, *rest = self._layers
        for layer in reversed(rest):
            grad_output = layer.backward(grad_output)  # the chain rule, one layer at a time
        if input_grad:
            return first.backward(grad_output)
        if first.skips_input_grad:
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
