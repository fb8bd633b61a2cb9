r"""Optimizers and learning-rate schedules with PyTorch's structure and PyTorch's algorithms.

An optimizer holds ``param_groups``, a list of dicts each with the key ``"params"`` (a list
of :class:`~nncourse.nn.Parameter`) and one key per hyperparameter, so a schedule changes
``group["lr"]``; it keeps per-parameter ``state`` (momentum buffers, moment estimates, step
counts) in a dict keyed by the :class:`~nncourse.nn.Parameter` object itself. The training
loop is PyTorch's: ``zero_grad()``, a backward pass that accumulates into ``.grad``, ``step()``.

Every ``step()`` follows, line by line, the algorithm box in PyTorch's documentation of the
optimizer of the same name (``torch.optim.SGD``, ``Adagrad``, ``RMSprop``, ``Adam``, ``AdamW``);
each class docstring repeats that box. The modules: :mod:`~nncourse.optim.optimizer` (the base
class), :mod:`~nncourse.optim.sgd`, :mod:`~nncourse.optim.adaptive` (Adagrad, RMSprop, Adam,
AdamW) and :mod:`~nncourse.optim.lr_scheduler`. Where we differ from PyTorch:

* A :class:`~nncourse.nn.Parameter`'s gradient is never ``None`` (it is zeros after
  ``zero_grad()``), so every parameter is updated at every step, even when its gradient is all
  zeros. PyTorch does the same for any parameter whose ``.grad`` is not ``None``: momentum keeps
  moving it, weight decay keeps shrinking it, and step counts advance.
* Where an adaptive method would divide by zero (possible only with ``eps=0``), the update of
  that entry is 0 instead of PyTorch's ``nan`` or ``inf``; with ``eps > 0`` nothing changes.
* Hyperparameters are checked in every parameter group, not only in the defaults.
* ``zero_grad()`` fills gradients with zeros; PyTorch's default sets them to ``None``.

Examples
--------
Minimise :math:`f(w) = \tfrac12 \lVert w \rVert^2`, whose gradient is :math:`w`:

>>> from nncourse.nn import Parameter
>>> w = Parameter([1.0, -2.0])
>>> optimizer = SGD([w], lr=0.5)
>>> for _ in range(3):
...     optimizer.zero_grad()
...     w.grad += w.data  # the backward pass: df/dw = w
...     optimizer.step()
>>> w.data
array([ 0.125, -0.25 ])
"""

from .adaptive import Adagrad, Adam, AdamW, RMSprop
from .lr_scheduler import CosineAnnealingLR, ExponentialLR, LRScheduler, StepLR
from .optimizer import Optimizer
from .sgd import SGD

__all__ = [
    "SGD",
    "Adagrad",
    "Adam",
    "AdamW",
    "CosineAnnealingLR",
    "ExponentialLR",
    "LRScheduler",
    "Optimizer",
    "RMSprop",
    "StepLR",
]
