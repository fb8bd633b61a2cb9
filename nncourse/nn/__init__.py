r"""Layers with hand-written backward passes, in PyTorch's shapes and conventions.

Every layer keeps what its backward pass needs during ``forward`` and, in ``backward``,
multiplies the upstream gradient by its local derivative, accumulating parameter gradients
with ``+=`` as PyTorch does. The activation layers and the loss modules call the functions of
:mod:`nncourse.activations` and :mod:`nncourse.losses`: a layer is a function with a memory.

Layers check the shape of what they are given (cheaply, because they sit inside the training
loop) but not its values: a NaN in the input of a dense or convolution layer propagates to its
output, as in PyTorch. The activation layers and loss modules refuse one, because their
functions do, in forward; the elementwise activations and the loss modules call the derivatives
in backward with ``check_values=False``, so the same values are not scanned twice.

The modules, one concept each: :mod:`~nncourse.nn.module` (:class:`Parameter`,
:class:`Module`, :class:`Sequential`), :mod:`~nncourse.nn.linear`, :mod:`~nncourse.nn.conv`
(convolution, pooling, flattening), :mod:`~nncourse.nn.activation`,
:mod:`~nncourse.nn.dropout` and :mod:`~nncourse.nn.loss`. Every name is reached as
``nncourse.nn.<Name>``.
"""

from .activation import ELU, LeakyReLU, LogSoftmax, PReLU, ReLU, Sigmoid, Softmax, Tanh
from .conv import AvgPool2d, Conv2d, Flatten, MaxPool2d
from .dropout import Dropout
from .linear import Identity, Linear
from .loss import (
    BCELoss,
    BCEWithLogitsLoss,
    CrossEntropyLoss,
    HuberLoss,
    L1Loss,
    MSELoss,
    NLLLoss,
)
from .module import Module, Parameter, Sequential

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
