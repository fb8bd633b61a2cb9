"""Optimizers that adapt each parameter's step to its gradients' history: :class:`Adagrad`,
:class:`RMSprop`, :class:`Adam` and :class:`AdamW`."""

from __future__ import annotations

import numbers
from collections.abc import Callable
from typing import Any

import numpy as np

from ..nn import Parameter
from .optimizer import Optimizer, ParamsT


def _divide(numerator: np.ndarray, denominator: np.ndarray) -> np.ndarray:
    """``numerator / denominator``, with 0 where the denominator is 0 (only when ``eps = 0``)."""
    return np.divide(numerator, denominator, out=np.zeros_like(numerator), where=denominator != 0)


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

    _nonnegative = ("lr", "lr_decay", "weight_decay", "initial_accumulator_value", "eps")

    def __init__(
        self, params: ParamsT, lr: float = 0.01, *,
        lr_decay: float = 0, weight_decay: float = 0,
        initial_accumulator_value: float = 0, eps: float = 1e-10, maximize: bool = False,
    ):  # fmt: skip
        defaults = dict(lr=lr, lr_decay=lr_decay, weight_decay=weight_decay,
                        initial_accumulator_value=initial_accumulator_value, eps=eps,
                        maximize=maximize)  # fmt: skip
        super().__init__(params, defaults)

    def step(self, closure: Callable[[], float] | None = None) -> float | None:
        """One Adagrad step for every parameter."""
        loss = closure() if closure is not None else None
        for group in self.param_groups:
            lr, eta, eps = group["lr"], group["lr_decay"], group["eps"]
            weight_decay = group["weight_decay"]
            for p in group["params"]:
                state = self.state[p]
                if not state:
                    state["step"] = 0
                    state["sum"] = np.full_like(p.data, group["initial_accumulator_value"])  # s_0
                state["step"] += 1
                lr_t = lr / (1 + (state["step"] - 1) * eta)  # gamma~ = gamma / (1 + (t - 1) eta)
                g = -p.grad if group["maximize"] else p.grad  # g_t
                if weight_decay != 0:
                    g = g + weight_decay * p.data  # g_t <- g_t + lambda theta_{t-1}
                state["sum"] += g * g  # s_t = s_{t-1} + g_t^2
                p.data -= lr_t * _divide(g, np.sqrt(state["sum"]) + eps)
        return loss


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

    _nonnegative = ("lr", "alpha", "eps", "weight_decay", "momentum")

    def __init__(
        self, params: ParamsT, lr: float = 0.01, *,
        alpha: float = 0.99, eps: float = 1e-8, weight_decay: float = 0,
        momentum: float = 0, centered: bool = False, maximize: bool = False,
    ):  # fmt: skip
        defaults = dict(lr=lr, alpha=alpha, eps=eps, weight_decay=weight_decay,
                        momentum=momentum, centered=centered, maximize=maximize)  # fmt: skip
        super().__init__(params, defaults)

    def step(self, closure: Callable[[], float] | None = None) -> float | None:
        """One RMSprop step for every parameter."""
        loss = closure() if closure is not None else None
        for group in self.param_groups:
            lr, alpha, eps, mu = group["lr"], group["alpha"], group["eps"], group["momentum"]
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
                if group["weight_decay"] != 0:
                    g = g + group["weight_decay"] * p.data  # g_t <- g_t + lambda theta_{t-1}
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
        return loss


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


class Adam(Optimizer):
    r"""Adam, as ``torch.optim.Adam``: bias-corrected running moments of the gradient.

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

    _nonnegative = ("lr", "eps", "weight_decay")

    def __init__(
        self, params: ParamsT, lr: float = 1e-3, *,
        betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8,
        weight_decay: float = 0, amsgrad: bool = False, maximize: bool = False,
    ):  # fmt: skip
        defaults = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, amsgrad=amsgrad,
                        maximize=maximize)  # fmt: skip
        super().__init__(params, defaults)

    def _check_hyperparameters(self, group: dict[str, Any]) -> None:
        super()._check_hyperparameters(group)
        _check_betas(group["betas"])

    def step(self, closure: Callable[[], float] | None = None) -> float | None:
        """One Adam step for every parameter: the L2 term joins the gradient, then the update."""
        loss = closure() if closure is not None else None
        for group in self.param_groups:
            for p in group["params"]:
                g = -p.grad if group["maximize"] else p.grad  # g_t
                if group["weight_decay"] != 0:  # L2: g_t <- g_t + lambda theta_{t-1}
                    g = g + group["weight_decay"] * p.data
                self._adam_update(p, g, group)
        return loss

    def _adam_update(self, p: Parameter, g: np.ndarray, group: dict[str, Any]) -> None:
        """The moments of `g`, their bias correction and the step: the box from m_t on."""
        lr, (beta1, beta2), eps = group["lr"], group["betas"], group["eps"]
        state = self.state[p]
        if not state:
            state["step"] = 0
            state["exp_avg"] = np.zeros_like(p.data)  # m_0
            state["exp_avg_sq"] = np.zeros_like(p.data)  # v_0
            if group["amsgrad"]:
                state["max_exp_avg_sq"] = np.zeros_like(p.data)  # v_0^max
        state["step"] += 1
        t = state["step"]
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


class AdamW(Adam):
    r"""AdamW, as ``torch.optim.AdamW``: Adam with decoupled weight decay.

    .. math::

        \begin{aligned}
        &\textbf{for}\ t = 1, 2, \ldots\ \textbf{do} \\
        &\quad g_t \leftarrow \nabla_\theta f_t(\theta_{t-1})
            \quad (-\nabla_\theta f_t(\theta_{t-1}) \text{ if } \textit{maximize}) \\
        &\quad \theta_t \leftarrow \theta_{t-1} - \gamma \lambda \theta_{t-1} \\
        &\quad \text{Adam's step from } m_t \text{ on (see } \textit{Adam}\text{), with this }
            g_t \text{ and } \theta_t
        \end{aligned}

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

    def step(self, closure: Callable[[], float] | None = None) -> float | None:
        """One AdamW step for every parameter: the weights decay, then the Adam update."""
        loss = closure() if closure is not None else None
        for group in self.param_groups:
            lr, weight_decay = group["lr"], group["weight_decay"]
            for p in group["params"]:
                g = -p.grad if group["maximize"] else p.grad  # g_t, with no penalty term
                p.data *= 1 - lr * weight_decay  # theta_t = theta_{t-1} - lr lambda theta_{t-1}
                self._adam_update(p, g, group)
        return loss
