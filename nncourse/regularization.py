r"""L2 and L1 weight penalties, and how they relate to the optimizers' ``weight_decay``.

**SGD: weight decay is an L2 penalty.** ``SGD(weight_decay=λ)`` adds :math:`\lambda\theta` to
the gradient before anything else (see :class:`nncourse.optim.SGD`). Plain SGD on the
penalised loss :math:`L(\theta) + \tfrac{\lambda}{2}\lVert\theta\rVert^2` receives the gradient

.. math::

    \nabla_\theta \Big( L(\theta) + \frac{\lambda}{2}\lVert\theta\rVert^2 \Big)
        = \nabla_\theta L(\theta) + \lambda\theta,

the same :math:`g_t`; everything after that line of the algorithm (momentum, dampening,
Nesterov, the update :math:`\theta_t = \theta_{t-1} - \gamma g_t`) sees identical input, so the
two runs are identical. Without momentum one step reads
:math:`\theta_t = (1 - \gamma\lambda)\,\theta_{t-1} - \gamma\nabla L(\theta_{t-1})`: every weight
decays by the factor :math:`1 - \gamma\lambda`, hence the name.

**Adam: L2 penalty and weight decay differ.** ``Adam(weight_decay=λ)`` is again the L2 penalty,
:math:`g_t = \nabla L(\theta_{t-1}) + \lambda\theta_{t-1}`, so it too equals Adam on the loss plus
``l2_penalty(λ)``. But Adam divides its step by the root mean square of past gradients: with
:math:`\widehat{m_t}` and :math:`\widehat{v_t}` the running averages of :math:`g_t` and
:math:`g_t^2`,

.. math::

    \theta_t = \theta_{t-1} - \gamma\, \frac{\widehat{m_t}}{\sqrt{\widehat{v_t}} + \epsilon},
    \qquad \widehat{m_t} \approx \overline{\nabla L} + \lambda\theta,

where :math:`\overline{\nabla L}` is a running average of the loss's gradients; so the decay
term :math:`\lambda\theta` is divided by :math:`\sqrt{\widehat{v_t}}` like the rest
of the gradient: a weight with a large gradient history is decayed less than a weight whose
gradients are small, and the penalty no longer shrinks all weights alike. ``AdamW(weight_decay=λ)``
(Loshchilov and Hutter, 2019) decouples the two:

.. math::

    \theta_t = (1 - \gamma\lambda)\,\theta_{t-1}
        - \gamma\, \frac{\widehat{m_t}}{\sqrt{\widehat{v_t}} + \epsilon},
    \qquad \widehat{m_t} \approx \overline{\nabla L}:

every weight shrinks by the same factor :math:`1 - \gamma\lambda` and the moment estimates see
only the gradient of the loss. No penalty added to the loss reproduces AdamW: whatever a penalty
adds to the gradient is divided by :math:`\sqrt{\widehat{v_t}}` as well.

Examples
--------
>>> from nncourse.nn import Parameter
>>> w = Parameter([3.0, -4.0])
>>> l2_penalty([w], lam=0.1, accumulate_grad=True)  # 0.1 / 2 * (9 + 16)
1.25
>>> w.grad  # lam * w
array([ 0.3, -0.4])
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

import numpy as np

from ._validation import check_positive
from .nn import Parameter

__all__ = ["l1_penalty", "l2_penalty"]


def _as_parameters(params: Parameter | Iterable[Parameter]) -> list[Parameter]:
    params = [params] if isinstance(params, Parameter) else list(params)
    for p in params:
        if not isinstance(p, Parameter):
            raise TypeError(
                f"params must hold Parameters (e.g. model.parameters()); got an object of type "
                f"{type(p).__name__}."
            )
    return params


def _check_flag(value: bool, name: str) -> bool:
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be True or False; got {value!r}.")
    return bool(value)


def _penalised(
    params: Parameter | Iterable[Parameter],
    lam: float,
    accumulate_grad: bool,
    gradient: Callable[[np.ndarray], np.ndarray],
) -> tuple[list[Parameter], float]:
    """Check the arguments both penalties take and, if asked, add ``lam * gradient(w)`` into
    each parameter's ``.grad``; return the parameters as a list and `lam` as a float."""
    lam = check_positive(lam, "lam", strict=False)
    accumulate_grad = _check_flag(accumulate_grad, "accumulate_grad")
    params = _as_parameters(params)
    if accumulate_grad:
        for p in params:
            p.grad += lam * gradient(p.data)
    return params, lam


def l2_penalty(
    params: Parameter | Iterable[Parameter], lam: float, accumulate_grad: bool = False
) -> float:
    r"""L2 penalty :math:`\tfrac{\lambda}{2}\sum_w \lVert w\rVert^2` and, if asked, its gradient.

    .. math::

        R(\theta) = \frac{\lambda}{2} \sum_{w \in \theta} \sum_i w_i^2, \qquad
        \frac{\partial R}{\partial w} = \lambda w

    Adding :math:`R` to the loss is exactly ``SGD(weight_decay=lam)`` (and ``Adam(weight_decay=
    lam)``, but not ``AdamW``; see the module docstring). PyTorch has no such function: there
    the penalty is the ``weight_decay`` argument of the optimizers, or summed by hand.

    Parameters
    ----------
    params : Parameter or iterable of Parameter
        The weights to penalise, e.g. ``model.parameters()`` (often without the biases).
    lam : float
        :math:`\lambda \ge 0`, the same number as SGD's ``weight_decay`` it reproduces.
    accumulate_grad : bool, default False
        If True, add :math:`\lambda w` into each parameter's ``.grad``, as a backward pass does.

    Returns
    -------
    float
        :math:`R(\theta)`, the squares summed in float64 whatever the parameters' dtype.

    Examples
    --------
    >>> from nncourse.nn import Parameter
    >>> l2_penalty([Parameter([1.0, 2.0]), Parameter([[2.0]])], lam=0.5)  # 0.25 * (1 + 4 + 4)
    2.25
    """
    params, lam = _penalised(params, lam, accumulate_grad, gradient=lambda w: w)  # dR/dw = lam w
    total = sum(float(np.sum(np.square(p.data, dtype=np.float64))) for p in params)
    return lam / 2 * total


def l1_penalty(
    params: Parameter | Iterable[Parameter], lam: float, accumulate_grad: bool = False
) -> float:
    r"""L1 penalty :math:`\lambda\sum_w \lVert w\rVert_1` and, if asked, a subgradient.

    .. math::

        R(\theta) = \lambda \sum_{w \in \theta} \sum_i \lvert w_i\rvert, \qquad
        \frac{\partial R}{\partial w} = \lambda \operatorname{sign}(w)

    :math:`\lvert w\rvert` has no derivative at 0; we use the subgradient 0 there, as
    ``numpy.sign`` and PyTorch's autograd of ``abs`` do. A gradient step therefore makes every
    nonzero weight move towards 0 by the same amount :math:`\gamma\lambda`, whatever its size,
    where L2 moves it by :math:`\gamma\lambda w`, in proportion to its size: L1 pushes small
    weights all the way to 0 (sparsity), L2 only shrinks them.

    Parameters
    ----------
    params : Parameter or iterable of Parameter
        The weights to penalise: one Parameter, or e.g. ``model.parameters()``.
    lam : float
        :math:`\lambda \ge 0`: a gradient step of size :math:`\gamma` moves every nonzero
        weight towards 0 by :math:`\gamma\lambda`.
    accumulate_grad : bool, default False
        If True, add :math:`\lambda\operatorname{sign}(w)` into each parameter's ``.grad``.

    Returns
    -------
    float
        :math:`R(\theta)`, the absolute values summed in float64.

    Examples
    --------
    >>> from nncourse.nn import Parameter
    >>> w = Parameter([3.0, 0.0, -4.0])
    >>> round(l1_penalty(w, lam=0.1, accumulate_grad=True), 6)  # 0.1 * (3 + 0 + 4)
    0.7
    >>> w.grad
    array([ 0.1,  0. , -0.1])
    """
    params, lam = _penalised(params, lam, accumulate_grad, gradient=np.sign)  # 0 at w = 0
    total = sum(float(np.sum(np.abs(p.data), dtype=np.float64)) for p in params)
    return lam * total
