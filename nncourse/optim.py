r"""Optimizers and learning-rate schedules with PyTorch's structure and PyTorch's algorithms.

An optimizer holds ``param_groups``, a list of dicts each with the key ``"params"`` (a list
of :class:`~nncourse.nn.Parameter`) and one key per hyperparameter, so a schedule changes
``group["lr"]``; it keeps per-parameter ``state`` (momentum buffers, moment estimates, step
counts) in a dict keyed by the :class:`~nncourse.nn.Parameter` object itself. The training
loop is PyTorch's: ``zero_grad()``, a backward pass that accumulates into ``.grad``, ``step()``.

Every ``step()`` follows, line by line, the algorithm box in PyTorch's documentation of the
optimizer of the same name (``torch.optim.SGD``, ``Adagrad``, ``RMSprop``, ``Adam``, ``AdamW``);
each class docstring repeats that box. Where we differ from PyTorch:

* A :class:`~nncourse.nn.Parameter`'s gradient is never ``None`` (it is zeros after
  ``zero_grad()``), so every parameter is updated at every step, even when its gradient is all
  zeros. PyTorch does the same for any parameter whose ``.grad`` is not ``None``: momentum keeps
  moving it, weight decay keeps shrinking it, and step counts advance.
* Where an adaptive method would divide by zero (possible only with ``eps=0``), the update of
  that entry is 0 instead of PyTorch's ``nan`` or ``inf``; with ``eps > 0`` nothing changes.
* Hyperparameters are checked in every parameter group, not only in the defaults.
* ``zero_grad()`` resets gradients to zeros; PyTorch's default sets them to ``None``. Either way
  the next backward pass stores its gradient instead of adding it to zeros (see
  :class:`~nncourse.nn.Parameter`).

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

from __future__ import annotations

import math
import numbers
from collections import defaultdict
from collections.abc import Callable, Iterable
from typing import Any

import numpy as np

from ._validation import check_positive
from .nn import Parameter

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

ParamsT = Iterable[Parameter] | Iterable[dict[str, Any]]


def _check_nonnegative(group: dict[str, Any], *names: str) -> None:
    for name in names:
        check_positive(group[name], name, strict=False)


def _check_ordered(params: Any) -> None:
    if isinstance(params, (set, frozenset)):
        raise TypeError(
            "params must be an ordered collection (a list), not a set: the order of a set "
            "changes between runs, and with it the order of updates."
        )


def _hyperparameters(arguments: dict[str, Any]) -> dict[str, Any]:
    """An optimizer's hyperparameters: the arguments of its ``__init__`` after `params`.

    Called as ``_hyperparameters(locals())`` on the first line of ``__init__``, where the local
    names are exactly the arguments (and ``__class__``, which ``super()`` adds): the signature
    stays the one list of an optimizer's hyperparameters and their defaults.
    """
    return {
        name: value
        for name, value in arguments.items()
        if name not in ("self", "params", "__class__")
    }


def _divide(numerator: np.ndarray, denominator: np.ndarray) -> np.ndarray:
    """``numerator / denominator``, with 0 where the denominator is 0 (only when ``eps = 0``)."""
    return np.divide(numerator, denominator, out=np.zeros_like(numerator), where=denominator != 0)


class Optimizer:
    r"""Base class of optimizers, as ``torch.optim.Optimizer``.

    Parameters
    ----------
    params : iterable of Parameter, or iterable of dict
        The parameters to optimize, e.g. ``model.parameters()``; or parameter groups, dicts
        with a ``"params"`` entry and any hyperparameters that override `defaults` for that
        group (e.g. ``[{"params": body, "lr": 0.01}, {"params": head}]``).
    defaults : dict
        The hyperparameters of every group that does not set its own.

    Attributes
    ----------
    param_groups : list of dict
        One dict per group: ``"params"`` (a list of Parameter) and every hyperparameter.
    state : dict
        Per-parameter state, keyed by the :class:`~nncourse.nn.Parameter` object.
    defaults : dict
        The hyperparameters given to the constructor.

    Raises
    ------
    TypeError
        If `params` is a single Parameter or a set, or holds something other than Parameters.
    ValueError
        If `params` is empty, a parameter appears twice, or a hyperparameter is invalid.

    Examples
    --------
    Parameter groups give parts of a model their own hyperparameters; what a group does not set
    comes from the defaults, and the training loop (or a schedule) may change it later:

    >>> from nncourse.nn import Linear
    >>> body, head = Linear(4, 3, rng=0), Linear(3, 2, rng=1)
    >>> groups = [{"params": body.parameters(), "lr": 0.01}, {"params": head.parameters()}]
    >>> optimizer = SGD(groups, lr=0.1, momentum=0.9)
    >>> [(group["lr"], group["momentum"]) for group in optimizer.param_groups]
    [(0.01, 0.9), (0.1, 0.9)]
    >>> optimizer.param_groups[1]["lr"] /= 10  # what a learning-rate schedule does
    >>> optimizer.param_groups[1]["lr"]
    0.01

    A new optimizer passes its hyperparameters to ``Optimizer.__init__`` and implements
    ``step()``; here sign descent, :math:`\theta \leftarrow \theta - \gamma \operatorname{sign}(g)`:

    >>> class SignDescent(Optimizer):
    ...     def __init__(self, params, lr):
    ...         super().__init__(params, {"lr": lr})  # lr >= 0 is checked by the base class
    ...     def step(self, closure=None):
    ...         for group in self.param_groups:
    ...             for p in group["params"]:
    ...                 p.data -= group["lr"] * np.sign(p.grad)
    >>> from nncourse.nn import Parameter
    >>> w = Parameter([3.0, -1.0])
    >>> optimizer = SignDescent([w], lr=0.5)
    >>> w.grad += [10.0, -0.1]  # the size of the gradient does not matter, only its sign
    >>> optimizer.step()
    >>> w.data
    array([ 2.5, -0.5])
    """

    _nonnegative: tuple[str, ...] = ("lr",)  # the hyperparameters that must be >= 0

    def __init__(self, params: ParamsT, defaults: dict[str, Any]):
        self.defaults = dict(defaults)
        self._check_hyperparameters(self.defaults)
        # as PyTorch's: a parameter's state dict is created empty on first use
        self.state: defaultdict[Parameter, dict[str, Any]] = defaultdict(dict)
        self.param_groups: list[dict[str, Any]] = []
        if isinstance(params, (Parameter, dict)):
            raise TypeError(
                "params must be an iterable of Parameters or of dicts (parameter groups); got a "
                f"single {type(params).__name__}. Wrap it in a list: [params]."
            )
        _check_ordered(params)
        groups = list(params)
        if not groups:
            raise ValueError("params is empty: the optimizer got no parameters to optimize.")
        if not isinstance(groups[0], dict):
            groups = [{"params": groups}]
        for group in groups:
            self.add_param_group(group)

    def _check_hyperparameters(self, group: dict[str, Any]) -> None:
        """Raise ValueError for an invalid hyperparameter: one named in ``_nonnegative`` below 0.

        An optimizer with further rules (Nesterov's conditions, Adam's betas) overrides this.
        """
        _check_nonnegative(group, *self._nonnegative)

    def add_param_group(self, param_group: dict[str, Any]) -> None:
        """Add a group of parameters, e.g. a layer unfrozen during fine-tuning.

        Hyperparameters missing from `param_group` are taken from ``defaults``; the caller's
        dict is not modified.
        """
        if not isinstance(param_group, dict):
            kind = type(param_group).__name__
            raise TypeError(f"param_group must be a dict with a 'params' entry; got a {kind}.")
        if "params" not in param_group:
            raise ValueError("param_group must have a 'params' entry listing its Parameters.")
        params = param_group["params"]
        _check_ordered(params)
        params = [params] if isinstance(params, Parameter) else list(params)
        for p in params:
            if not isinstance(p, Parameter):
                kind = type(p).__name__
                raise TypeError(
                    f"optimizers update Parameters only; params holds an object of type {kind}."
                )
        ids = {id(p) for p in params}
        if len(ids) != len(params):
            raise ValueError("param_group lists the same Parameter more than once.")
        if ids & {id(p) for group in self.param_groups for p in group["params"]}:
            raise ValueError("some Parameters appear in more than one parameter group.")
        group = {"params": params, **self.defaults}
        group.update((key, value) for key, value in param_group.items() if key != "params")
        self._check_hyperparameters(group)
        self.param_groups.append(group)

    def zero_grad(self) -> None:
        """Reset the gradient of every parameter to zeros (PyTorch's default sets it to None)."""
        for group in self.param_groups:
            for p in group["params"]:
                p.zero_grad()

    def step(self, closure: Callable[[], float] | None = None) -> float | None:
        """Update every parameter once from its ``.grad``; return ``closure()`` if given.

        As in PyTorch, the closure (which may recompute the loss and the gradients) runs before
        the update. Each optimizer's algorithm is its ``_step_group``, applied to every group.
        """
        loss = closure() if closure is not None else None
        for group in self.param_groups:
            self._step_group(group)
        return loss

    def _step_group(self, group: dict[str, Any]) -> None:
        raise NotImplementedError(f"{type(self).__name__} must implement step()")

    def __repr__(self) -> str:
        lines = [f"{type(self).__name__} ("]
        for i, group in enumerate(self.param_groups):
            lines.append(f"Parameter Group {i}")
            lines.extend(f"    {key}: {group[key]}" for key in sorted(group) if key != "params")
        return "\n".join([*lines, ")"])


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

    def __init__(
        self,
        params: ParamsT,
        lr: float,
        *,
        momentum: float = 0,
        dampening: float = 0,
        weight_decay: float = 0,
        nesterov: bool = False,
        maximize: bool = False,
    ):
        super().__init__(params, _hyperparameters(locals()))

    def _check_hyperparameters(self, group: dict[str, Any]) -> None:
        _check_nonnegative(group, "lr", "momentum", "weight_decay", "dampening")
        if group["nesterov"] and (group["momentum"] <= 0 or group["dampening"] != 0):
            raise ValueError(
                "nesterov=True requires momentum > 0 and dampening == 0; got "
                f"momentum={group['momentum']!r}, dampening={group['dampening']!r}."
            )

    def _step_group(self, group: dict[str, Any]) -> None:
        """One SGD step for the parameters of `group`: decay, momentum buffer, Nesterov, update."""
        lr, mu, tau = group["lr"], group["momentum"], group["dampening"]
        weight_decay, nesterov = group["weight_decay"], group["nesterov"]
        maximize = group["maximize"]
        for p in group["params"]:
            g = -p.grad if maximize else p.grad  # g_t
            if weight_decay != 0:
                g = g + weight_decay * p.data  # g_t <- g_t + lambda theta_{t-1}
            if mu != 0:
                state = self.state[p]
                if "momentum_buffer" not in state:
                    state["momentum_buffer"] = np.array(g)  # b_1 = g_1, a copy of it
                else:
                    buffer = state["momentum_buffer"]
                    buffer *= mu
                    # b_t = mu b_{t-1} + (1 - tau) g_t; with tau = 0 the factor 1 is skipped
                    buffer += (1 - tau) * g if tau != 0 else g
                buffer = state["momentum_buffer"]
                g = g + mu * buffer if nesterov else buffer
            p.data -= lr * g  # theta_t = theta_{t-1} - lr g_t


class Adagrad(Optimizer):
    r"""Adagrad, as ``torch.optim.Adagrad``: steps shrink with the sum of squared gradients.

    .. math::

        \begin{aligned}
        &\textbf{input}: \gamma \text{ (lr)},\ \theta_0 \text{ (params)},\ f(\theta)
            \text{ (objective)},\ \lambda \text{ (weight decay)},\
            \tau \text{ (initial accumulator value)},\ \eta \text{ (lr decay)},\
            \epsilon \\
        &\textbf{initialize}: s_0 \leftarrow \tau \text{ (state sum)} \\
        &\textbf{for}\ t = 1, 2, \ldots\ \textbf{do} \\
        &\quad g_t \leftarrow \nabla_\theta f_t(\theta_{t-1})
            \quad (-\nabla_\theta f_t(\theta_{t-1}) \text{ if } \textit{maximize}) \\
        &\quad \tilde\gamma \leftarrow \gamma / (1 + (t - 1)\eta) \\
        &\quad \textbf{if}\ \lambda \neq 0:\ g_t \leftarrow g_t + \lambda \theta_{t-1} \\
        &\quad s_t \leftarrow s_{t-1} + g_t^2 \\
        &\quad \theta_t \leftarrow \theta_{t-1} - \tilde\gamma\, \frac{g_t}{\sqrt{s_t} + \epsilon}
        \end{aligned}

    All operations are elementwise; :math:`t` counts the steps of each parameter.

    Parameters
    ----------
    params : iterable of Parameter, or iterable of dict
        Parameters, or parameter groups (see :class:`Optimizer`).
    lr : float, default 0.01
        Learning rate :math:`\gamma \ge 0`: as :math:`s_t \ge g_t^2`, no entry moves by more
        than :math:`\gamma` in a step, and with :math:`\tau = 0` (:math:`\epsilon` negligible)
        the first step of every entry is exactly :math:`\gamma`.
    lr_decay : float, default 0
        :math:`\eta \ge 0`.
    weight_decay : float, default 0
        L2 penalty :math:`\lambda \ge 0`.
    initial_accumulator_value : float, default 0
        :math:`\tau \ge 0`, the starting value of the sum of squares.
    eps : float, default 1e-10
        :math:`\epsilon \ge 0`, added to the denominator.
    maximize : bool, default False
        Ascend the objective instead of descending it.

    Examples
    --------
    >>> from nncourse.nn import Parameter
    >>> w = Parameter([0.0])
    >>> optimizer = Adagrad([w], lr=1.0)
    >>> w.grad[...] = 3.0
    >>> optimizer.step()  # s_1 = 9: the step is 3 / sqrt(9) = 1
    >>> w.grad[...] = 4.0
    >>> optimizer.step()  # s_2 = 25: the step is 4 / sqrt(25) = 0.8
    >>> w.data.round(6)
    array([-1.8])
    """

    def __init__(
        self,
        params: ParamsT,
        lr: float = 0.01,
        *,
        lr_decay: float = 0,
        weight_decay: float = 0,
        initial_accumulator_value: float = 0,
        eps: float = 1e-10,
        maximize: bool = False,
    ):
        super().__init__(params, _hyperparameters(locals()))

    _nonnegative = ("lr", "lr_decay", "weight_decay", "initial_accumulator_value", "eps")

    def _step_group(self, group: dict[str, Any]) -> None:
        """One Adagrad step for every parameter of `group`."""
        lr, eta, weight_decay, eps = (
            group["lr"],
            group["lr_decay"],
            group["weight_decay"],
            group["eps"],
        )
        for p in group["params"]:
            state = self.state[p]
            if not state:
                state["step"] = 0
                state["sum"] = np.full_like(p.data, group["initial_accumulator_value"])  # s_0
            state["step"] += 1
            t = state["step"]
            g = -p.grad if group["maximize"] else p.grad  # g_t
            lr_t = lr / (1 + (t - 1) * eta)  # gamma~ = gamma / (1 + (t - 1) eta)
            if weight_decay != 0:
                g = g + weight_decay * p.data  # g_t <- g_t + lambda theta_{t-1}
            state["sum"] += g * g  # s_t = s_{t-1} + g_t^2
            p.data -= lr_t * _divide(g, np.sqrt(state["sum"]) + eps)


class RMSprop(Optimizer):
    r"""RMSprop, as ``torch.optim.RMSprop``: divide by a running root mean square of gradients.

    .. math::

        \begin{aligned}
        &\textbf{input}: \alpha \text{ (alpha)},\ \gamma \text{ (lr)},\ \theta_0
            \text{ (params)},\ f(\theta) \text{ (objective)},\ \lambda \text{ (weight decay)},\
            \mu \text{ (momentum)},\ \textit{centered},\ \epsilon \\
        &\textbf{initialize}: v_0 \leftarrow 0 \text{ (square average)},\
            b_0 \leftarrow 0 \text{ (buffer)},\ g^{ave}_0 \leftarrow 0 \\
        &\textbf{for}\ t = 1, 2, \ldots\ \textbf{do} \\
        &\quad g_t \leftarrow \nabla_\theta f_t(\theta_{t-1})
            \quad (-\nabla_\theta f_t(\theta_{t-1}) \text{ if } \textit{maximize}) \\
        &\quad \textbf{if}\ \lambda \neq 0:\ g_t \leftarrow g_t + \lambda \theta_{t-1} \\
        &\quad v_t \leftarrow \alpha v_{t-1} + (1 - \alpha) g_t^2 \\
        &\quad \tilde v_t \leftarrow v_t \\
        &\quad \textbf{if}\ \textit{centered}: \\
        &\qquad g^{ave}_t \leftarrow \alpha g^{ave}_{t-1} + (1 - \alpha) g_t \\
        &\qquad \tilde v_t \leftarrow \tilde v_t - (g^{ave}_t)^2 \\
        &\quad \textbf{if}\ \mu > 0: \\
        &\qquad b_t \leftarrow \mu b_{t-1} + g_t / (\sqrt{\tilde v_t} + \epsilon) \\
        &\qquad \theta_t \leftarrow \theta_{t-1} - \gamma b_t \\
        &\quad \textbf{else}: \\
        &\qquad \theta_t \leftarrow \theta_{t-1} - \gamma g_t / (\sqrt{\tilde v_t} + \epsilon)
        \end{aligned}

    In exact arithmetic :math:`\tilde v_t = v_t - (g^{ave}_t)^2 \ge 0` (a variance: the weights
    of both running averages sum to :math:`1 - \alpha^t \le 1`), but rounding can make it a tiny
    negative number, whose square root PyTorch turns into ``nan``; we clip it at 0.

    Parameters
    ----------
    params : iterable of Parameter, or iterable of dict
        Parameters, or parameter groups (see :class:`Optimizer`).
    lr : float, default 0.01
        Learning rate :math:`\gamma \ge 0`. As :math:`v_0 = 0`, the first step (without
        momentum, :math:`\epsilon` negligible) has size :math:`\gamma / \sqrt{1 - \alpha}`,
        ten times :math:`\gamma` for :math:`\alpha = 0.99`.
    alpha : float, default 0.99
        Smoothing constant :math:`\alpha \ge 0` of the running averages.
    eps : float, default 1e-8
        :math:`\epsilon \ge 0`, added to the denominator.
    weight_decay : float, default 0
        L2 penalty :math:`\lambda \ge 0`.
    momentum : float, default 0
        Momentum factor :math:`\mu \ge 0`.
    centered : bool, default False
        Divide by an estimate of the gradient's standard deviation instead of its RMS.
    maximize : bool, default False
        Ascend the objective instead of descending it.

    Examples
    --------
    The step does not depend on the gradient's scale: an entry whose gradient is 100 times
    larger moves just as far.

    >>> from nncourse.nn import Parameter
    >>> w = Parameter([0.0, 0.0])
    >>> optimizer = RMSprop([w], lr=0.01, alpha=0.99, eps=0.0)
    >>> w.grad[...] = [1.0, 100.0]
    >>> optimizer.step()  # v_1 = 0.01 g^2: the step is 0.01 g / (0.1 |g|) = 0.1
    >>> w.data.round(6)
    array([-0.1, -0.1])
    """

    def __init__(
        self,
        params: ParamsT,
        lr: float = 0.01,
        *,
        alpha: float = 0.99,
        eps: float = 1e-8,
        weight_decay: float = 0,
        momentum: float = 0,
        centered: bool = False,
        maximize: bool = False,
    ):
        super().__init__(params, _hyperparameters(locals()))

    _nonnegative = ("lr", "alpha", "eps", "weight_decay", "momentum")

    def _step_group(self, group: dict[str, Any]) -> None:
        """One RMSprop step for every parameter of `group`."""
        lr, alpha, eps = group["lr"], group["alpha"], group["eps"]
        weight_decay, mu = group["weight_decay"], group["momentum"]
        for p in group["params"]:
            state = self.state[p]
            if not state:
                state["step"] = 0
                state["square_avg"] = np.zeros_like(p.data)  # v_0
                if mu > 0:
                    state["momentum_buffer"] = np.zeros_like(p.data)  # b_0
                if group["centered"]:
                    state["grad_avg"] = np.zeros_like(p.data)  # g^ave_0
            state["step"] += 1
            g = -p.grad if group["maximize"] else p.grad  # g_t
            if weight_decay != 0:
                g = g + weight_decay * p.data  # g_t <- g_t + lambda theta_{t-1}
            v = state["square_avg"]
            v *= alpha
            v += (1 - alpha) * g * g  # v_t = alpha v_{t-1} + (1 - alpha) g_t^2
            v_tilde = v
            if group["centered"]:
                g_ave = state["grad_avg"]
                g_ave *= alpha
                g_ave += (1 - alpha) * g  # g^ave_t = alpha g^ave_{t-1} + (1 - alpha) g_t
                v_tilde = np.maximum(v - g_ave * g_ave, 0.0)  # >= 0 up to rounding
            if mu > 0:
                buffer = state["momentum_buffer"]
                buffer *= mu
                buffer += _divide(g, np.sqrt(v_tilde) + eps)  # b_t
                p.data -= lr * buffer  # theta_t = theta_{t-1} - lr b_t
            else:
                p.data -= lr * _divide(g, np.sqrt(v_tilde) + eps)


def _check_betas(betas: Any) -> None:
    try:
        beta_pair = tuple(betas)
    except TypeError:
        beta_pair = ()
    if len(beta_pair) != 2:
        raise ValueError(f"betas must be a pair (beta1, beta2); got {betas!r}.")
    for i, beta in enumerate(beta_pair):
        if not (isinstance(beta, numbers.Real) and 0 <= beta < 1):
            raise ValueError(f"betas[{i}] must be in [0, 1); got {beta!r}.")


# The algorithm box of ``torch.optim.Adam``'s documentation; AdamW's is derived from it below.
_ADAM_ALGORITHM = r"""
    .. math::

        \begin{aligned}
        &\textbf{input}: \gamma \text{ (lr)},\ \beta_1, \beta_2 \text{ (betas)},\ \theta_0
            \text{ (params)},\ f(\theta) \text{ (objective)},\ \lambda \text{ (weight decay)},\
            \textit{amsgrad},\ \epsilon \\
        &\textbf{initialize}: m_0 \leftarrow 0,\ v_0 \leftarrow 0,\ v_0^{max} \leftarrow 0 \\
        &\textbf{for}\ t = 1, 2, \ldots\ \textbf{do} \\
        &\quad g_t \leftarrow \nabla_\theta f_t(\theta_{t-1})
            \quad (-\nabla_\theta f_t(\theta_{t-1}) \text{ if } \textit{maximize}) \\
        &\quad \textbf{if}\ \lambda \neq 0:\ g_t \leftarrow g_t + \lambda \theta_{t-1} \\
        &\quad m_t \leftarrow \beta_1 m_{t-1} + (1 - \beta_1) g_t \\
        &\quad v_t \leftarrow \beta_2 v_{t-1} + (1 - \beta_2) g_t^2 \\
        &\quad \widehat{m_t} \leftarrow m_t / (1 - \beta_1^t) \\
        &\quad \textbf{if}\ \textit{amsgrad}: \\
        &\qquad v_t^{max} \leftarrow \max(v_{t-1}^{max}, v_t) \\
        &\qquad \widehat{v_t} \leftarrow v_t^{max} / (1 - \beta_2^t) \\
        &\quad \textbf{else}: \\
        &\qquad \widehat{v_t} \leftarrow v_t / (1 - \beta_2^t) \\
        &\quad \theta_t \leftarrow \theta_{t-1} - \gamma\, \widehat{m_t} / (\sqrt{\widehat{v_t}}
            + \epsilon)
        \end{aligned}
"""


def _decoupled(adam_algorithm: str) -> str:
    """AdamW's box from Adam's: the L2 line becomes a decay of the weights themselves, and the
    update starts from the decayed weights. Nothing else differs, so nothing else is written
    twice."""
    changes = [
        (
            r"&\quad \textbf{if}\ \lambda \neq 0:\ g_t \leftarrow g_t + \lambda \theta_{t-1} \\",
            r"&\quad \theta_t \leftarrow \theta_{t-1} - \gamma \lambda \theta_{t-1} \\",
        ),
        (
            r"\theta_t \leftarrow \theta_{t-1} - \gamma\,",
            r"\theta_t \leftarrow \theta_t - \gamma\,",
        ),
    ]
    for adam_line, adamw_line in changes:
        if adam_algorithm.count(adam_line) != 1:
            raise ValueError(f"Adam's algorithm box must contain {adam_line!r} exactly once.")
        adam_algorithm = adam_algorithm.replace(adam_line, adamw_line)
    return adam_algorithm


def _with_algorithm(box: str) -> Callable[[type], type]:
    """Class decorator: put the algorithm `box` where the class docstring says ``{algorithm}``."""

    def decorate(cls: type) -> type:
        cls.__doc__ = cls.__doc__.replace("    {algorithm}\n", box.lstrip("\n"))
        return cls

    return decorate


@_with_algorithm(_ADAM_ALGORITHM)
class Adam(Optimizer):
    r"""Adam, as ``torch.optim.Adam``: bias-corrected running moments of the gradient.

    {algorithm}

    AMSGrad keeps the running maximum of the raw :math:`v_t` and bias-corrects it with the
    current step's :math:`1 - \beta_2^t`, as PyTorch's code and current documentation do (older
    versions of that documentation took the maximum of the corrected :math:`\widehat{v_t}`,
    which gives different numbers). With :math:`\epsilon` negligible, the first step moves every
    parameter by exactly :math:`\gamma` against the sign of its gradient.

    ``weight_decay`` here is an L2 penalty added to the gradient, which then gets divided by
    :math:`\sqrt{\widehat{v_t}}` like the rest of it; :class:`AdamW` decays the weights directly
    (see :mod:`nncourse.regularization`).

    Parameters
    ----------
    params : iterable of Parameter, or iterable of dict
        Parameters, or parameter groups (see :class:`Optimizer`).
    lr : float, default 1e-3
        Learning rate :math:`\gamma \ge 0`: the size of every entry's first step, and the
        scale of the later ones.
    betas : (float, float), default (0.9, 0.999)
        :math:`\beta_1, \beta_2`, each in [0, 1): the decay rates of the running averages of
        :math:`g_t` and :math:`g_t^2`.
    eps : float, default 1e-8
        :math:`\epsilon \ge 0`, added to the denominator.
    weight_decay : float, default 0
        L2 penalty :math:`\lambda \ge 0`, added to the gradient.
    amsgrad : bool, default False
        Use the AMSGrad variant (Reddi et al., 2018).
    maximize : bool, default False
        Ascend the objective instead of descending it.

    Examples
    --------
    >>> from nncourse.nn import Parameter
    >>> w = Parameter([1.0, 1.0, 1.0])
    >>> optimizer = Adam([w], lr=0.1)
    >>> w.grad[...] = [-50.0, 0.01, 3.0]
    >>> optimizer.step()  # the first step is lr * sign(g), whatever the size of g
    >>> w.data.round(6)
    array([1.1, 0.9, 0.9])
    """

    def __init__(
        self,
        params: ParamsT,
        lr: float = 1e-3,
        *,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0,
        amsgrad: bool = False,
        maximize: bool = False,
    ):
        super().__init__(params, _hyperparameters(locals()))

    def _check_hyperparameters(self, group: dict[str, Any]) -> None:
        _check_nonnegative(group, "lr", "eps", "weight_decay")
        _check_betas(group["betas"])

    def _apply_weight_decay(
        self, p: Parameter, g: np.ndarray, lr: float, weight_decay: float
    ) -> np.ndarray:
        return g + weight_decay * p.data  # g_t <- g_t + lambda theta_{t-1}

    def _step_group(self, group: dict[str, Any]) -> None:
        """One Adam step for every parameter of `group`."""
        lr, (beta1, beta2), eps = group["lr"], group["betas"], group["eps"]
        weight_decay = group["weight_decay"]
        for p in group["params"]:
            state = self.state[p]
            if not state:
                state["step"] = 0
                state["exp_avg"] = np.zeros_like(p.data)  # m_0
                state["exp_avg_sq"] = np.zeros_like(p.data)  # v_0
                if group["amsgrad"]:
                    state["max_exp_avg_sq"] = np.zeros_like(p.data)  # v_0^max
            state["step"] += 1
            t = state["step"]
            g = -p.grad if group["maximize"] else p.grad  # g_t
            if weight_decay != 0:
                g = self._apply_weight_decay(p, g, lr, weight_decay)
            m, v = state["exp_avg"], state["exp_avg_sq"]
            m *= beta1
            m += (1 - beta1) * g  # m_t = beta1 m_{t-1} + (1 - beta1) g_t
            v *= beta2
            v += (1 - beta2) * g * g  # v_t = beta2 v_{t-1} + (1 - beta2) g_t^2
            m_hat = m / (1 - beta1**t)
            if group["amsgrad"]:
                v_max = state["max_exp_avg_sq"]
                np.maximum(v_max, v, out=v_max)  # v_t^max = max(v_{t-1}^max, v_t)
                v_hat = v_max / (1 - beta2**t)
            else:
                v_hat = v / (1 - beta2**t)
            p.data -= lr * _divide(m_hat, np.sqrt(v_hat) + eps)


@_with_algorithm(_decoupled(_ADAM_ALGORITHM))
class AdamW(Adam):
    r"""AdamW, as ``torch.optim.AdamW``: Adam with decoupled weight decay.

    {algorithm}

    The only change from :class:`Adam` is the decay line: every weight shrinks by the factor
    :math:`1 - \gamma\lambda` before the Adam update, whatever its gradient history, and the
    gradient itself carries no penalty term (Loshchilov and Hutter, 2019). So a parameter whose
    gradient is zero still shrinks at every step.

    Parameters
    ----------
    params : iterable of Parameter, or iterable of dict
        Parameters, or parameter groups (see :class:`Optimizer`).
    lr : float, default 1e-3
        Learning rate :math:`\gamma \ge 0` of the Adam update; it also sets the decay, each step
        multiplying the weights by :math:`1 - \gamma\lambda`.
    weight_decay : float, default 0.01
        Decoupled weight decay :math:`\lambda \ge 0` (PyTorch's default; Adam's is 0).
    **adam_options
        ``betas``, ``eps``, ``amsgrad`` and ``maximize``, keyword-only, with :class:`Adam`'s
        meanings and defaults.

    Examples
    --------
    With a zero gradient, AdamW only decays the weights, each in proportion to its size, while
    Adam's L2 term becomes the whole gradient and, normalised, moves each weight by :math:`\gamma`:

    >>> from nncourse.nn import Parameter
    >>> w_adamw, w_adam = Parameter([2.0, -4.0]), Parameter([2.0, -4.0])
    >>> AdamW([w_adamw], lr=0.1, weight_decay=0.5).step()  # times 1 - 0.1 * 0.5
    >>> Adam([w_adam], lr=0.1, weight_decay=0.5).step()
    >>> w_adamw.data.round(6), w_adam.data.round(6)
    (array([ 1.9, -3.8]), array([ 1.9, -3.9]))
    """

    def __init__(
        self, params: ParamsT, lr: float = 1e-3, *, weight_decay: float = 0.01, **adam_options: Any
    ):
        super().__init__(params, lr, weight_decay=weight_decay, **adam_options)

    def _apply_weight_decay(
        self, p: Parameter, g: np.ndarray, lr: float, weight_decay: float
    ) -> np.ndarray:
        p.data *= 1 - lr * weight_decay  # theta_t = theta_{t-1} - lr lambda theta_{t-1}
        return g


def _check_positive_int(value: Any, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 1:
        raise ValueError(f"{name} must be a positive integer; got {value!r}.")
    return int(value)


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
        self.step_size = _check_positive_int(step_size, "step_size")
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
    >>> from nncourse.nn import Parameter
    >>> optimizer = SGD([Parameter([0.0])], lr=1.0)
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
        self.T_max = _check_positive_int(T_max, "T_max")
        self.eta_min = check_positive(eta_min, "eta_min", strict=False)
        super().__init__(optimizer)

    def lr_at(self, base_lr: float, epoch: int) -> float:
        cosine = math.cos(math.pi * epoch / self.T_max)
        return self.eta_min + (base_lr - self.eta_min) * (1 + cosine) / 2
