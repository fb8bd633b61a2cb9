"""Learning-rate schedules: :class:`LRScheduler`, :class:`StepLR`, :class:`ExponentialLR`,
:class:`CosineAnnealingLR`."""

from __future__ import annotations

import math

from .._validation import check_positive, check_size
from .optimizer import Optimizer


class LRScheduler:
    r"""Base class of learning-rate schedules, as ``torch.optim.lr_scheduler.LRScheduler``.

    On construction every parameter group remembers its learning rate as ``"initial_lr"``
    (kept if already there) and the schedule is applied for epoch 0; then each call of
    :meth:`step`, once per epoch after the optimizer's steps, advances ``last_epoch`` by one
    and sets each group's ``"lr"`` to :meth:`lr_at` of its initial learning rate.

    We use each schedule's closed form in the epoch; PyTorch's ``step()`` updates the current
    ``group["lr"]`` recursively, which gives the same numbers up to rounding unless something
    else changed ``group["lr"]`` between epochs (another schedule chained on the same
    optimizer, or a manual change): here such a change is overwritten at the next step.

    Parameters
    ----------
    optimizer : Optimizer
        Whose groups' ``"lr"`` the schedule sets.

    Examples
    --------
    A new schedule states its learning rate as a function of the epoch; here a linear warm-up
    to the initial learning rate over the first `warmup` epochs:

    >>> from nncourse.nn import Parameter
    >>> from nncourse.optim import SGD
    >>> class LinearWarmup(LRScheduler):
    ...     def __init__(self, optimizer, warmup):
    ...         self.warmup = warmup  # before LRScheduler.__init__, which applies epoch 0
    ...         super().__init__(optimizer)
    ...     def lr_at(self, base_lr, epoch):
    ...         return base_lr * min(1.0, (epoch + 1) / self.warmup)
    >>> optimizer = SGD([Parameter([0.0])], lr=0.4)
    >>> scheduler = LinearWarmup(optimizer, warmup=4)
    >>> for epoch in range(6):
    ...     print(epoch, round(optimizer.param_groups[0]["lr"], 6))  # train an epoch at it
    ...     scheduler.step()
    0 0.1
    1 0.2
    2 0.3
    3 0.4
    4 0.4
    5 0.4
    """

    def __init__(self, optimizer: Optimizer):
        if not isinstance(optimizer, Optimizer):
            raise TypeError(
                f"optimizer must be an nncourse Optimizer; got {type(optimizer).__name__}."
            )
        self.optimizer = optimizer
        for group in optimizer.param_groups:
            group.setdefault("initial_lr", group["lr"])
        self.base_lrs = [group["initial_lr"] for group in optimizer.param_groups]
        self.last_epoch = -1
        self._last_lr: list[float] = []
        self.step()

    def lr_at(self, base_lr: float, epoch: int) -> float:
        """The learning rate of a group with initial learning rate `base_lr` at `epoch`."""
        raise NotImplementedError(f"{type(self).__name__} must implement lr_at(base_lr, epoch)")

    def step(self) -> None:
        """Advance one epoch and set every group's learning rate."""
        self.last_epoch += 1
        self._last_lr = [self.lr_at(base_lr, self.last_epoch) for base_lr in self.base_lrs]
        for group, lr in zip(self.optimizer.param_groups, self._last_lr, strict=True):
            group["lr"] = lr

    def get_last_lr(self) -> list[float]:
        """The learning rate of each parameter group set by the last :meth:`step`."""
        return list(self._last_lr)


class StepLR(LRScheduler):
    r"""Multiply the learning rate by `gamma` every `step_size` epochs, as PyTorch's ``StepLR``.

    .. math:: \gamma_e = \gamma_0 \cdot \textit{gamma}^{\lfloor e / \textit{step\_size} \rfloor}

    Parameters
    ----------
    optimizer : Optimizer
        Whose groups' ``"lr"`` to set.
    step_size : int
        Epochs between decays, >= 1.
    gamma : float, default 0.1
        Decay factor, > 0 (PyTorch does not check it).

    Examples
    --------
    >>> from nncourse.nn import Parameter
    >>> from nncourse.optim import SGD
    >>> optimizer = SGD([Parameter([0.0])], lr=1.0)
    >>> scheduler = StepLR(optimizer, step_size=2, gamma=0.5)
    >>> lrs = []
    >>> for epoch in range(5):
    ...     lrs.append(scheduler.get_last_lr()[0])  # train the epoch with this lr, then:
    ...     scheduler.step()
    >>> lrs
    [1.0, 1.0, 0.5, 0.5, 0.25]
    """

    def __init__(self, optimizer: Optimizer, step_size: int, gamma: float = 0.1):
        self.step_size = check_size(step_size, "step_size")
        self.gamma = check_positive(gamma, "gamma")
        super().__init__(optimizer)

    def lr_at(self, base_lr: float, epoch: int) -> float:
        return base_lr * self.gamma ** (epoch // self.step_size)


class ExponentialLR(LRScheduler):
    r"""Multiply the learning rate by `gamma` every epoch, as PyTorch's ``ExponentialLR``.

    .. math:: \gamma_e = \gamma_0 \cdot \textit{gamma}^{e}

    Parameters
    ----------
    optimizer : Optimizer
        Whose groups' ``"lr"`` to set.
    gamma : float
        Decay factor, > 0 (PyTorch does not check it).

    Examples
    --------
    >>> from nncourse import nn, optim
    >>> optimizer = optim.SGD([nn.Parameter([0.0])], lr=1.0)
    >>> scheduler = ExponentialLR(optimizer, gamma=0.5)
    >>> scheduler.step(); scheduler.step()
    >>> scheduler.get_last_lr(), optimizer.param_groups[0]["lr"]
    ([0.25], 0.25)
    """

    def __init__(self, optimizer: Optimizer, gamma: float):
        self.gamma = check_positive(gamma, "gamma")
        super().__init__(optimizer)

    def lr_at(self, base_lr: float, epoch: int) -> float:
        return base_lr * self.gamma**epoch


class CosineAnnealingLR(LRScheduler):
    r"""Cosine annealing from the initial learning rate to `eta_min`, as PyTorch's.

    .. math::

        \gamma_e = \eta_{min} + \tfrac12 (\gamma_0 - \eta_{min})
            \left(1 + \cos\frac{\pi\, e}{T_{max}}\right)

    The learning rate reaches :math:`\eta_{min}` at epoch :math:`T_{max}` and, if stepping
    goes on, climbs back along the same cosine (period :math:`2T_{max}`), as PyTorch's does
    (there is no restart; that is ``CosineAnnealingWarmRestarts``). PyTorch's ``step()`` uses
    the recursion

    .. math::

        \gamma_e = \eta_{min} + (\gamma_{e-1} - \eta_{min})\,
            \frac{1 + \cos(\pi e / T_{max})}{1 + \cos(\pi (e - 1) / T_{max})},

    which telescopes to the closed form above; we use the closed form, which also avoids the
    recursion's 0/0 one epoch after :math:`T_{max}` (a special case in PyTorch's code).

    Parameters
    ----------
    optimizer : Optimizer
        Whose groups' ``"lr"`` to set.
    T_max : int
        Epochs from the initial learning rate to the minimum, >= 1.
    eta_min : float, default 0
        The minimum learning rate, >= 0.

    Examples
    --------
    >>> from nncourse.nn import Parameter
    >>> from nncourse.optim import SGD
    >>> optimizer = SGD([Parameter([0.0])], lr=1.0)
    >>> scheduler = CosineAnnealingLR(optimizer, T_max=4)
    >>> lrs = []
    >>> for epoch in range(5):
    ...     lrs.append(round(scheduler.get_last_lr()[0], 6))
    ...     scheduler.step()
    >>> lrs
    [1.0, 0.853553, 0.5, 0.146447, 0.0]
    """

    def __init__(self, optimizer: Optimizer, T_max: int, eta_min: float = 0):
        self.T_max = check_size(T_max, "T_max")
        self.eta_min = check_positive(eta_min, "eta_min", strict=False)
        super().__init__(optimizer)

    def lr_at(self, base_lr: float, epoch: int) -> float:
        cosine = math.cos(math.pi * epoch / self.T_max)
        return self.eta_min + (base_lr - self.eta_min) * (1 + cosine) / 2
