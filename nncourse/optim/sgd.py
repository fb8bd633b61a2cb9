"""Stochastic gradient descent, with momentum and Nesterov momentum: :class:`SGD`."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from .optimizer import Optimizer, ParamsT


class SGD(Optimizer):
    r"""Stochastic gradient descent, optionally with momentum, as ``torch.optim.SGD``.

    .. math::

        \begin{aligned}
        &\textbf{input}: \gamma \text{ (lr)},\ \theta_0 \text{ (params)},\ f(\theta)
            \text{ (objective)},\ \lambda \text{ (weight decay)},\ \mu \text{ (momentum)},\
            \tau \text{ (dampening)},\ \textit{nesterov},\ \textit{maximize} \\
        &\textbf{for}\ t = 1, 2, \ldots\ \textbf{do} \\
        &\quad g_t \leftarrow \nabla_\theta f_t(\theta_{t-1})
            \quad (-\nabla_\theta f_t(\theta_{t-1}) \text{ if } \textit{maximize}) \\
        &\quad \textbf{if}\ \lambda \neq 0:\ g_t \leftarrow g_t + \lambda \theta_{t-1} \\
        &\quad \textbf{if}\ \mu \neq 0: \\
        &\qquad \textbf{if}\ t > 1:\ b_t \leftarrow \mu b_{t-1} + (1 - \tau) g_t
            \quad \textbf{else}:\ b_t \leftarrow g_t \\
        &\qquad \textbf{if}\ \textit{nesterov}:\ g_t \leftarrow g_t + \mu b_t
            \quad \textbf{else}:\ g_t \leftarrow b_t \\
        &\quad \theta_t \leftarrow \theta_{t-1} - \gamma g_t
        \end{aligned}

    The first momentum buffer is the gradient itself, without dampening. The momentum is
    PyTorch's, :math:`b \leftarrow \mu b + g,\ \theta \leftarrow \theta - \gamma b`, not
    Sutskever et al.'s :math:`v \leftarrow \mu v + \gamma g,\ \theta \leftarrow \theta - v`;
    the two agree while :math:`\gamma` is constant. `maximize` negates the gradient first, as
    PyTorch's code does (older versions of its documentation added :math:`\gamma g_t` at the
    end instead, which differs when :math:`\lambda \neq 0`).

    Parameters
    ----------
    params : iterable of Parameter, or iterable of dict
        Parameters, or parameter groups (see :class:`Optimizer`).
    lr : float
        Learning rate :math:`\gamma \ge 0`, the step per unit of the (momentum) direction.
    momentum : float, default 0
        Momentum factor :math:`\mu \ge 0`; 0 gives plain gradient descent.
    dampening : float, default 0
        Dampening :math:`\tau` of the momentum.
    weight_decay : float, default 0
        L2 penalty :math:`\lambda \ge 0`: adds :math:`\lambda\theta` to the gradient.
    nesterov : bool, default False
        Nesterov momentum; needs ``momentum > 0`` and ``dampening == 0``.
    maximize : bool, default False
        Ascend the objective instead of descending it.

    Examples
    --------
    >>> from nncourse.nn import Parameter
    >>> w = Parameter([1.0, -2.0])
    >>> optimizer = SGD([w], lr=0.1, momentum=0.9)
    >>> for _ in range(2):
    ...     w.grad[...] = 1.0  # a constant gradient: b_1 = 1, b_2 = 0.9 + 1 = 1.9
    ...     optimizer.step()
    >>> w.data  # each entry moved by 0.1 * (1 + 1.9)
    array([ 0.71, -2.29])
    """

    _nonnegative = ("lr", "momentum", "weight_decay", "dampening")

    def __init__(
        self, params: ParamsT, lr: float, *,
        momentum: float = 0, dampening: float = 0, weight_decay: float = 0,
        nesterov: bool = False, maximize: bool = False,
    ):  # fmt: skip
        defaults = dict(lr=lr, momentum=momentum, dampening=dampening, weight_decay=weight_decay,
                        nesterov=nesterov, maximize=maximize)  # fmt: skip
        super().__init__(params, defaults)

    def _check_hyperparameters(self, group: dict[str, Any]) -> None:
        super()._check_hyperparameters(group)
        if group["nesterov"] and (group["momentum"] <= 0 or group["dampening"] != 0):
            raise ValueError(
                "nesterov=True requires momentum > 0 and dampening == 0; got "
                f"momentum={group['momentum']!r}, dampening={group['dampening']!r}."
            )

    def step(self, closure: Callable[[], float] | None = None) -> float | None:
        """One SGD step for every parameter: decay, momentum buffer, Nesterov, update."""
        loss = closure() if closure is not None else None
        for group in self.param_groups:
            lr, mu, tau = group["lr"], group["momentum"], group["dampening"]
            weight_decay, nesterov = group["weight_decay"], group["nesterov"]
            for p in group["params"]:
                g = -p.grad if group["maximize"] else p.grad  # g_t
                if weight_decay != 0:
                    g = g + weight_decay * p.data  # g_t <- g_t + lambda theta_{t-1}
                if mu != 0:
                    buffer = self.state[p].get("momentum_buffer")
                    if buffer is None:
                        buffer = self.state[p]["momentum_buffer"] = np.array(g)  # b_1 = g_1
                    else:  # b_t = mu b_{t-1} + (1 - tau) g_t, with no copy (1 - 0) g of g
                        buffer *= mu
                        buffer += g if tau == 0 else (1 - tau) * g
                    g = g + mu * buffer if nesterov else buffer
                p.data -= lr * g  # theta_t = theta_{t-1} - lr g_t
        return loss
