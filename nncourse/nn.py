r"""Layers with hand-written backward passes, in PyTorch's shapes and conventions.

Every layer keeps what its backward pass needs during ``forward`` and, in ``backward``,
multiplies the upstream gradient by its local derivative, accumulating parameter gradients
with ``+=`` as PyTorch does.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
from numpy.typing import ArrayLike

from ._validation import as_float_array

__all__ = ["Module", "Parameter"]


class Parameter:
    """A trainable array: ``.data`` holds the values, ``.grad`` the accumulated gradient.

    Parameters
    ----------
    data : array_like
        Initial values; integers become float64, float32 stays float32.

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
        self.data = np.array(as_float_array(data, "data"))  # a copy the caller cannot alias
        self.grad = np.zeros_like(self.data)

    @property
    def shape(self) -> tuple[int, ...]:
        return self.data.shape

    @property
    def size(self) -> int:
        return self.data.size

    def zero_grad(self) -> None:
        self.grad[...] = 0.0

    def __repr__(self) -> str:
        return f"Parameter(shape={self.data.shape}, dtype={self.data.dtype})"


class Module:
    """Base class of layers: ``forward``, ``backward`` and a tree of parameters and sub-modules.

    Sub-classes set :class:`Parameter` and :class:`Module` attributes in ``__init__``;
    ``parameters()`` finds them in the order they were assigned, as PyTorch does.
    """

    training: bool = True

    def forward(self, x: np.ndarray) -> np.ndarray:
        raise NotImplementedError(f"{type(self).__name__} must implement forward(x)")

    def backward(self, grad_output: np.ndarray) -> np.ndarray:
        raise NotImplementedError(f"{type(self).__name__} must implement backward(grad_output)")

    def __call__(self, x: ArrayLike) -> np.ndarray:
        return self.forward(x)

    def children(self) -> Iterator[tuple[str, Module]]:
        for name, value in vars(self).items():
            if isinstance(value, Module):
                yield name, value

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
        body = "\n".join(f"  ({name}): " + repr(child).replace("\n", "\n  ") for name, child in children)
        return f"{type(self).__name__}(\n{body}\n)"
