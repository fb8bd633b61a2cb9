r"""Activation functions, each with its derivative beside it, and the softmax family.

Every elementwise activation ``f(x, ...)`` has ``f_grad(x, ...)`` returning :math:`f'(x)`
elementwise, with the shape of `x`. The softmax family works along ``axis=-1`` by default and
comes with its Jacobian and its vector-Jacobian product (``*_backward``), the form backpropagation
uses.

Conventions:

* Definitions follow PyTorch's documented ones (``torch.nn.functional``); each docstring names
  the PyTorch function and says where this module differs.
* At a kink the derivative is the value PyTorch's autograd returns there: ``relu_grad(0) = 0``,
  ``leaky_relu_grad(0) = negative_slope``, ``elu_grad(0) = alpha``, ``prelu_grad(0) = weight``.
* Exactness: in float64 every function agrees with its mathematical definition to better than
  1e-12 relative, also in the tails, or is 0 where the true value underflows. Derivatives avoid
  cancellations such as :math:`1 - \sigma(x)` (use :math:`\sigma(-x)`) or :math:`1 - \tanh^2 x`.
  The exception is the neighbourhood of a sign change inside a function's domain (such as
  :func:`silu_grad` at :math:`x \approx -1.278`): there two terms of order 1 cancel, and the
  error is a few 1e-17 absolute rather than relative, as for any float64 formula.
* Several functions here are more accurate than PyTorch's float64 kernels in the tails, where
  PyTorch's formulas cancel (each docstring says where); in the central range they agree to
  rounding.
* Stability: finite inputs never give NaN or infinity and raise no overflow, invalid-value or
  divide-by-zero warning (underflow to 0 is allowed). The one exception is a
  :func:`log_softmax` whose true value is below the most negative float.
* dtype: integers, booleans and lists become float64; float32 stays float32.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
from numpy.typing import ArrayLike
from scipy.special import erfc

from ._numerics import softmax_parts
from ._validation import as_float_array, check_same_shape

__all__ = [
    "elu",
    "elu_grad",
    "gelu",
    "gelu_grad",
    "identity",
    "identity_grad",
    "leaky_relu",
    "leaky_relu_grad",
    "log_softmax",
    "log_softmax_backward",
    "log_softmax_jacobian",
    "logsumexp",
    "logsumexp_grad",
    "prelu",
    "prelu_backward",
    "prelu_grad",
    "relu",
    "relu_grad",
    "sigmoid",
    "sigmoid_grad",
    "silu",
    "silu_grad",
    "softmax",
    "softmax_backward",
    "softmax_jacobian",
    "softplus",
    "softplus_grad",
    "step",
    "step_grad",
    "tanh",
    "tanh_grad",
]

_SQRT_2_OVER_PI = math.sqrt(2 / math.pi)  # PyTorch's kBeta in the tanh approximation of GELU
_GELU_KAPPA = 0.044715
_INV_SQRT_2 = 1 / math.sqrt(2)
_INV_SQRT_2PI = 1 / math.sqrt(2 * math.pi)
# Beyond these magnitudes the Gaussian factors are 0 (or 1) in float64; clipping first keeps
# x**2 and x**3 from overflowing without changing any result.
_GAUSS_CLIP = 60.0
_TANH_GELU_CLIP = 1e4
# exp(-1e4) is 0 in every float dtype: exponents below it may be clipped there, which keeps
# 2|x| from overflowing for inputs near the largest float.
_EXP_FLOOR = 1e4


def _check_number(value: float, name: str) -> float:
    """Return a finite real `value` as a Python float (so float32 arrays stay float32)."""
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise TypeError(f"{name} must be a real number; got {type(value).__name__}.")
    if not np.isfinite(value):
        raise ValueError(f"{name} must be a finite number; got {value!r}.")
    return float(value)


def _check_grad_output(grad_output: ArrayLike, like: np.ndarray, like_name: str) -> np.ndarray:
    """`grad_output` as a float array with exactly the shape of `like` (no broadcasting)."""
    grad_output = as_float_array(grad_output, "grad_output")
    check_same_shape(
        like,
        grad_output,
        "grad_output",
        input_name=like_name,
        reason="one upstream gradient per output entry",
    )
    return grad_output


# ----------------------------------------------------------------------------------------------
# Elementwise activations
# ----------------------------------------------------------------------------------------------


def identity(x: ArrayLike) -> np.ndarray:
    r"""Identity activation (a linear output layer), as ``torch.nn.Identity``.

    .. math:: f(x) = x

    Parameters
    ----------
    x : array_like
        Pre-activations, any shape.

    Returns
    -------
    ndarray
        A float copy of `x`.

    Examples
    --------
    >>> identity([-2, 0, 3])
    array([-2.,  0.,  3.])
    """
    return as_float_array(x, "x").copy()


def identity_grad(x: ArrayLike) -> np.ndarray:
    r"""Derivative of :func:`identity`.

    .. math:: f'(x) = 1

    The gradient PyTorch's autograd gives ``torch.nn.Identity``.

    Parameters
    ----------
    x : array_like
        Pre-activations, any shape.

    Returns
    -------
    ndarray
        Ones with the shape of `x`: the identity passes upstream gradients through unchanged.

    Examples
    --------
    >>> identity_grad([-2.0, 0.0, 3.0])
    array([1., 1., 1.])
    """
    return np.ones_like(as_float_array(x, "x"))


def step(x: ArrayLike, at_zero: float = 1.0) -> np.ndarray:
    r"""Heaviside step, the activation of the perceptron; as ``torch.heaviside(x, at_zero)``.

    .. math::

        H(x) = \begin{cases} 1 & x > 0 \\ \text{at\_zero} & x = 0 \\ 0 & x < 0 \end{cases}

    Parameters
    ----------
    x : array_like
        Pre-activations, any shape.
    at_zero : float, default 1.0
        The value at :math:`x = 0` (PyTorch's ``values`` argument; 1 is Rosenblatt's
        convention, 0.5 the symmetric one).

    Returns
    -------
    ndarray
        0, `at_zero` or 1 at each entry, with the shape and dtype of `x`.

    Examples
    --------
    >>> step([-1.0, 0.0, 2.0])
    array([0., 1., 1.])
    >>> step([-1.0, 0.0, 2.0], at_zero=0.5)
    array([0. , 0.5, 1. ])
    """
    x = as_float_array(x, "x")
    at_zero = _check_number(at_zero, "at_zero")
    return np.where(x > 0, 1.0, np.where(x == 0, at_zero, 0.0)).astype(x.dtype)


def step_grad(x: ArrayLike, at_zero: float = 1.0) -> np.ndarray:
    r"""Derivative of :func:`step`: 0 everywhere.

    .. math:: H'(x) = 0 \quad (x \neq 0)

    At :math:`x = 0` the step has no derivative; 0 is returned there too (PyTorch refuses to
    differentiate ``torch.heaviside``). This zero gradient is why the perceptron is not trained
    by gradient descent.

    Parameters
    ----------
    x : array_like
        Pre-activations, any shape.
    at_zero : float, default 1.0
        Accepted for symmetry with :func:`step`; it does not change the derivative.

    Returns
    -------
    ndarray
        Zeros with the shape of `x`: no gradient reaches the weights through a step.

    Examples
    --------
    >>> step_grad([-1.0, 0.0, 2.0])
    array([0., 0., 0.])
    """
    x = as_float_array(x, "x")
    _check_number(at_zero, "at_zero")
    return np.zeros_like(x)


def sigmoid(x: ArrayLike, *, check_values: bool = True) -> np.ndarray:
    r"""Logistic sigmoid, computed without overflow; as ``torch.sigmoid``.

    .. math:: \sigma(x) = \frac{1}{1 + e^{-x}}

    Only :math:`e^{-|x|}` is evaluated, so the exponent is never positive: for :math:`x < 0`
    the equal form :math:`e^{x} / (1 + e^{x})` keeps full relative accuracy in the left tail.

    Parameters
    ----------
    x : array_like
        Pre-activations, any shape.
    check_values : bool, default True
        Refuse NaN and infinity in `x`, which costs a pass over it. :func:`sigmoid_grad` passes
        ``False`` for the `x` it has just checked (see :ref:`conventions <conventions>`).

    Returns
    -------
    ndarray
        Same shape as `x`, in [0, 1].

    Examples
    --------
    >>> sigmoid([-1000.0, 0.0, 1000.0])
    array([0. , 0.5, 1. ])
    """
    x = as_float_array(x, "x", check_values=check_values)
    e = np.exp(-np.abs(x))  # exponent is never positive, so it cannot overflow
    return np.where(x >= 0, 1 / (1 + e), e / (1 + e))


def sigmoid_grad(x: ArrayLike, *, check_values: bool = True) -> np.ndarray:
    r"""Derivative of :func:`sigmoid`.

    .. math:: \sigma'(x) = \sigma(x)\,(1 - \sigma(x)) = \sigma(x)\,\sigma(-x)

    Mathematically what PyTorch's autograd returns for ``torch.sigmoid``; PyTorch computes
    :math:`(1 - \sigma)\,\sigma`, whose relative error grows like :math:`10^{-16} e^{x}` (1e-3
    at :math:`x = 30`) and which is 0 for :math:`x > 37`, while this form stays exact.

    Parameters
    ----------
    x : array_like
        Pre-activations, any shape.
    check_values : bool, default True
        Refuse NaN and infinity in `x`, which costs a pass over it. A layer passes
        ``False`` for the array its forward pass has already checked (see
        :ref:`conventions <conventions>`).

    Returns
    -------
    ndarray
        :math:`\sigma'(x)`, in [0, 1/4] (0 only by underflow), same shape as `x`.

    Examples
    --------
    >>> sigmoid_grad([0.0, 1000.0])
    array([0.25, 0.  ])
    """
    x = as_float_array(x, "x", check_values=check_values)
    # 1 - sigmoid(x) cancels to 0 in the tail; sigmoid(-x) does not. x has been checked, above or
    # by the caller, so neither sigmoid scans it again
    return sigmoid(x, check_values=False) * sigmoid(-x, check_values=False)


def tanh(x: ArrayLike) -> np.ndarray:
    r"""Hyperbolic tangent; as ``torch.tanh``.

    .. math:: \tanh x = \frac{e^{x} - e^{-x}}{e^{x} + e^{-x}} = 2\sigma(2x) - 1

    Parameters
    ----------
    x : array_like
        Pre-activations, any shape.

    Returns
    -------
    ndarray
        Same shape as `x`, in [-1, 1].

    Examples
    --------
    >>> tanh([-1000.0, 0.0, 1000.0])
    array([-1.,  0.,  1.])
    """
    return np.tanh(as_float_array(x, "x"))


def tanh_grad(x: ArrayLike, *, check_values: bool = True) -> np.ndarray:
    r"""Derivative of :func:`tanh`, as :math:`\operatorname{sech}^2` without cancellation.

    .. math::

        \tanh'(x) = 1 - \tanh^2 x = \operatorname{sech}^2 x
        = \frac{4}{(e^{x} + e^{-x})^2} = \frac{4 e^{-2|x|}}{(1 + e^{-2|x|})^2}

    :math:`1 - \tanh^2 x` is 0 in float64 once :math:`|x| > 19`, although the true value is
    about :math:`4e^{-2|x|}`; the last form keeps full relative accuracy and never overflows.

    Mathematically what PyTorch's autograd returns for ``torch.tanh``; PyTorch computes
    :math:`1 - y^2` from the output :math:`y`, which loses relative accuracy as :math:`|x|`
    grows (1e-8 at :math:`|x| = 10`) and is 0 for :math:`|x| > 19`.

    Parameters
    ----------
    x : array_like
        Pre-activations, any shape.
    check_values : bool, default True
        Refuse NaN and infinity in `x`, which costs a pass over it. A layer passes
        ``False`` for the array its forward pass has already checked (see
        :ref:`conventions <conventions>`).

    Returns
    -------
    ndarray
        :math:`\operatorname{sech}^2 x`, in [0, 1] (0 only by underflow), same shape as `x`.

    Examples
    --------
    >>> tanh_grad([0.0, 1000.0])
    array([1., 0.])
    """
    x = as_float_array(x, "x", check_values=check_values)
    e = np.exp(-2 * np.minimum(np.abs(x), _EXP_FLOOR))
    return 4 * e / (1 + e) ** 2


def relu(x: ArrayLike) -> np.ndarray:
    r"""Rectified linear unit; as ``torch.nn.functional.relu``.

    .. math:: \operatorname{ReLU}(x) = \max(0, x)

    Parameters
    ----------
    x : array_like
        Pre-activations, any shape.

    Returns
    -------
    ndarray
        `x` with its negative entries replaced by 0, same shape.

    Examples
    --------
    >>> relu([-2.0, 0.0, 3.0])
    array([0., 0., 3.])
    """
    x = as_float_array(x, "x")
    # np.maximum returns its second argument on a tie, so relu(-0.0) is +0.0; it keeps the dtype,
    # propagates NaN, and np.asarray keeps a 0-d input a 0-d array rather than a NumPy scalar
    return np.asarray(np.maximum(x, 0.0))


def relu_grad(x: ArrayLike, *, check_values: bool = True) -> np.ndarray:
    r"""Derivative of :func:`relu`, with :math:`\operatorname{ReLU}'(0) = 0` as PyTorch's autograd.

    .. math:: \operatorname{ReLU}'(x) = \begin{cases} 1 & x > 0 \\ 0 & x \le 0 \end{cases}

    Parameters
    ----------
    x : array_like
        Pre-activations, any shape.
    check_values : bool, default True
        Refuse NaN and infinity in `x`, which costs a pass over it. A layer passes
        ``False`` for the array its forward pass has already checked (see
        :ref:`conventions <conventions>`).

    Returns
    -------
    ndarray
        0 or 1, same shape as `x`.

    Examples
    --------
    >>> relu_grad([-2.0, 0.0, 3.0])  # 0 at the kink, as PyTorch's autograd
    array([0., 0., 1.])
    """
    x = as_float_array(x, "x", check_values=check_values)
    return (x > 0).astype(x.dtype)


def leaky_relu(x: ArrayLike, negative_slope: float = 0.01) -> np.ndarray:
    r"""Leaky ReLU; as ``torch.nn.functional.leaky_relu``.

    .. math:: \operatorname{LeakyReLU}(x) = \max(0, x) + \text{negative\_slope}\cdot\min(0, x)

    Parameters
    ----------
    x : array_like
        Pre-activations, any shape.
    negative_slope : float, default 0.01
        Slope for :math:`x < 0` (PyTorch's default; 0 gives :func:`relu`).

    Returns
    -------
    ndarray
        `x` where it is positive, ``negative_slope * x`` elsewhere; same shape.

    Examples
    --------
    >>> leaky_relu([-2.0, 0.0, 3.0], negative_slope=0.1)
    array([-0.2,  0. ,  3. ])
    """
    x = as_float_array(x, "x")
    negative_slope = _check_number(negative_slope, "negative_slope")
    return np.where(x > 0, x, negative_slope * x)


def leaky_relu_grad(
    x: ArrayLike, negative_slope: float = 0.01, *, check_values: bool = True
) -> np.ndarray:
    r"""Derivative of :func:`leaky_relu`; at 0 it is `negative_slope`, as PyTorch's autograd.

    .. math::

        \operatorname{LeakyReLU}'(x) =
        \begin{cases} 1 & x > 0 \\ \text{negative\_slope} & x \le 0 \end{cases}

    Parameters
    ----------
    x : array_like
        Pre-activations, any shape.
    negative_slope : float, default 0.01
        As in :func:`leaky_relu`; it is also the derivative at 0.
    check_values : bool, default True
        Refuse NaN and infinity in `x`, which costs a pass over it. A layer passes
        ``False`` for the array its forward pass has already checked (see
        :ref:`conventions <conventions>`).

    Returns
    -------
    ndarray
        1 or `negative_slope`, same shape as `x`.

    Examples
    --------
    >>> leaky_relu_grad([-2.0, 0.0, 3.0], negative_slope=0.1)
    array([0.1, 0.1, 1. ])
    """
    x = as_float_array(x, "x", check_values=check_values)
    negative_slope = _check_number(negative_slope, "negative_slope")
    return np.where(x > 0, 1.0, negative_slope).astype(x.dtype)


def elu(x: ArrayLike, alpha: float = 1.0) -> np.ndarray:
    r"""Exponential linear unit; as ``torch.nn.functional.elu``.

    .. math::

        \operatorname{ELU}(x) = \begin{cases} x & x > 0 \\ \alpha\,(e^{x} - 1) & x \le 0 \end{cases}

    :math:`e^{x} - 1` is computed with ``expm1``, exact also for small :math:`|x|`.

    Parameters
    ----------
    x : array_like
        Pre-activations, any shape.
    alpha : float, default 1.0
        The value :math:`-\alpha` is the limit as :math:`x \to -\infty`.

    Returns
    -------
    ndarray
        Same shape as `x`, in :math:`[-\alpha, \infty)` for :math:`\alpha \ge 0`.

    Examples
    --------
    >>> elu([-1000.0, 0.0, 2.0])
    array([-1.,  0.,  2.])
    """
    x = as_float_array(x, "x")
    alpha = _check_number(alpha, "alpha")
    return np.where(x > 0, x, alpha * np.expm1(np.minimum(x, 0)))  # min: no exp of large x


def elu_grad(x: ArrayLike, alpha: float = 1.0, *, check_values: bool = True) -> np.ndarray:
    r"""Derivative of :func:`elu`; at 0 it is `alpha`, as PyTorch's autograd.

    .. math::

        \operatorname{ELU}'(x) = \begin{cases} 1 & x > 0 \\ \alpha\, e^{x} & x \le 0 \end{cases}

    Parameters
    ----------
    x : array_like
        Pre-activations, any shape.
    alpha : float, default 1.0
        As in :func:`elu`.
    check_values : bool, default True
        Refuse NaN and infinity in `x`, which costs a pass over it. A layer passes
        ``False`` for the array its forward pass has already checked (see
        :ref:`conventions <conventions>`).

    Returns
    -------
    ndarray
        1 or :math:`\alpha e^{x}`, same shape as `x`.

    Examples
    --------
    >>> elu_grad([-1000.0, 0.0, 2.0], alpha=0.5)
    array([0. , 0.5, 1. ])

    For :math:`x \le 0` the derivative is the function plus :math:`\alpha`:

    >>> x = np.array([-2.0, -0.5])
    >>> np.allclose(elu_grad(x), elu(x) + 1.0)
    True
    """
    x = as_float_array(x, "x", check_values=check_values)
    alpha = _check_number(alpha, "alpha")
    return np.where(x > 0, 1.0, alpha * np.exp(np.minimum(x, 0))).astype(x.dtype)


def softplus(x: ArrayLike) -> np.ndarray:
    r"""Softplus, exactly :math:`\log(1 + e^x)` and without overflow.

    .. math:: \operatorname{softplus}(x) = \log(1 + e^{x}) = \max(x, 0) + \log(1 + e^{-|x|})

    The right-hand form is computed (with ``log1p``): its exponent is never positive.

    Follows ``torch.nn.functional.softplus`` with ``beta=1``, with one difference: PyTorch
    returns :math:`x` itself once :math:`x > 20` (its ``threshold``), an error of about
    :math:`e^{-x}`, up to 2e-9 absolute at 20. Here the exact value is returned everywhere, so
    softplus and its derivative :func:`sigmoid` agree to the last digit.

    Parameters
    ----------
    x : array_like
        Pre-activations, any shape.

    Returns
    -------
    ndarray
        Same shape as `x`, positive (0 where :math:`e^x` underflows).

    Examples
    --------
    >>> softplus([-1000.0, 0.0, 2.0]).round(6)
    array([0.      , 0.693147, 2.126928])
    """
    x = as_float_array(x, "x")
    return np.maximum(x, 0) + np.log1p(np.exp(-np.abs(x)))


def softplus_grad(x: ArrayLike) -> np.ndarray:
    r"""Derivative of :func:`softplus`, the sigmoid.

    .. math:: \operatorname{softplus}'(x) = \frac{e^{x}}{1 + e^{x}} = \sigma(x)

    PyTorch's autograd gives the same for :math:`x \le 20`; above its threshold it returns 1.

    Parameters
    ----------
    x : array_like
        Pre-activations, any shape.

    Returns
    -------
    ndarray
        :math:`\sigma(x)`, same shape as `x`.

    Examples
    --------
    >>> softplus_grad([0.0])
    array([0.5])
    """
    return sigmoid(x)


def _check_approximate(approximate: str) -> str:
    if approximate not in ("none", "tanh"):
        raise ValueError(f"approximate must be 'none' or 'tanh'; got {approximate!r}.")
    return approximate


def _std_normal_cdf(x: np.ndarray) -> np.ndarray:
    """Phi(x) = erfc(-x / sqrt 2) / 2: exact also for x << 0, where 1 + erf(x / sqrt 2) cancels."""
    return 0.5 * erfc(-x * _INV_SQRT_2)


def _std_normal_pdf(x: np.ndarray) -> np.ndarray:
    # exp(-60**2 / 2) is already 0, and clipping keeps x**2 from overflowing
    clipped = np.clip(x, -_GAUSS_CLIP, _GAUSS_CLIP)
    return _INV_SQRT_2PI * np.exp(-0.5 * clipped * clipped)


def _tanh_gelu_argument(x: np.ndarray) -> np.ndarray:
    """2u with u = sqrt(2/pi) (x + 0.044715 x^3); x clipped where sigma(2u) is already 0 or 1."""
    clipped = np.clip(x, -_TANH_GELU_CLIP, _TANH_GELU_CLIP)
    return 2 * _SQRT_2_OVER_PI * (clipped + _GELU_KAPPA * clipped**3)


def gelu(x: ArrayLike, approximate: str = "none") -> np.ndarray:
    r"""Gaussian error linear unit; as ``torch.nn.functional.gelu``.

    .. math::

        \operatorname{GELU}(x) = x\,\Phi(x)
        = \frac{x}{2}\operatorname{erfc}\!\left(-\frac{x}{\sqrt 2}\right)

    with :math:`\Phi` the standard normal CDF. ``approximate="tanh"`` gives PyTorch's
    approximation

    .. math::

        \frac{x}{2}\left(1 + \tanh u\right) = x\,\sigma(2u), \qquad
        u = \sqrt{2/\pi}\,\left(x + 0.044715\,x^{3}\right),

    computed in the equal form :math:`x\,\sigma(2u)`, in which nothing cancels for
    :math:`x \ll 0` (where :math:`1 + \tanh u` would be 0 in float64).

    Both forms keep full relative accuracy in the left tail, where PyTorch's do not: PyTorch
    evaluates :math:`\tfrac{x}{2}(1 + \operatorname{erf}(x/\sqrt 2))` and
    :math:`\tfrac{x}{2}(1 + \tanh u)`, whose relative errors pass 1e-12 near :math:`x = -4`
    and which return -0.0 below about -8.37 (-7.15 for the tanh form). The values differ there
    by less than 1e-15 absolute.

    Parameters
    ----------
    x : array_like
        Pre-activations, any shape.
    approximate : {"none", "tanh"}, default "none"
        Exact GELU, or the tanh approximation.

    Returns
    -------
    ndarray
        Same shape as `x`. Unlike ReLU, GELU dips below 0: its minimum is about -0.170, at
        :math:`x \approx -0.752`.

    Examples
    --------
    >>> gelu([-1.0, 0.0, 1.0]).round(6)
    array([-0.158655,  0.      ,  0.841345])
    >>> gelu([1.0], approximate="tanh").round(6)
    array([0.841192])
    """
    x = as_float_array(x, "x")
    if _check_approximate(approximate) == "tanh":
        return x * sigmoid(_tanh_gelu_argument(x))
    return x * _std_normal_cdf(x)


def gelu_grad(x: ArrayLike, approximate: str = "none") -> np.ndarray:
    r"""Derivative of :func:`gelu`.

    .. math:: \operatorname{GELU}'(x) = \Phi(x) + x\,\varphi(x), \qquad
        \varphi(x) = \frac{e^{-x^2/2}}{\sqrt{2\pi}}

    and for ``approximate="tanh"``, with :math:`u` as in :func:`gelu`,

    .. math::

        \frac{d}{dx}\,x\,\sigma(2u) = \sigma(2u) + 2x\,\sigma(2u)\,\sigma(-2u)\,
        \sqrt{2/\pi}\,\left(1 + 3 \cdot 0.044715\,x^{2}\right),

    which equals PyTorch's :math:`\tfrac12(1 + \tanh u) + \tfrac{x}{2}\operatorname{sech}^2(u)\,u'`
    without its cancellations. The exact form uses ``erfc`` for :math:`\Phi`, where PyTorch's
    autograd evaluates :math:`\tfrac12(1 + \operatorname{erf}(x/\sqrt 2))`; in the left tail
    PyTorch's derivatives lose relative accuracy (about 1e-2 at :math:`x = -8.5`, and the tanh
    form's is 0 below about -7.15), this one does not.

    Parameters
    ----------
    x : array_like
        Pre-activations, any shape.
    approximate : {"none", "tanh"}, default "none"
        As in :func:`gelu`.

    Returns
    -------
    ndarray
        Same shape as `x`; for the exact GELU between about -0.129 and 1.129 (the extremes at
        :math:`x = \mp\sqrt 2`).

    Examples
    --------
    >>> gelu_grad([0.0, 1.0]).round(6)
    array([0.5     , 1.083315])
    """
    x = as_float_array(x, "x")
    if _check_approximate(approximate) == "tanh":
        clipped = np.clip(x, -_TANH_GELU_CLIP, _TANH_GELU_CLIP)
        two_u = _tanh_gelu_argument(x)
        two_u_prime = 2 * _SQRT_2_OVER_PI * (1 + 3 * _GELU_KAPPA * clipped * clipped)
        return sigmoid(two_u) + clipped * two_u_prime * sigmoid(two_u) * sigmoid(-two_u)
    return _std_normal_cdf(x) + x * _std_normal_pdf(x)


def silu(x: ArrayLike) -> np.ndarray:
    r"""Sigmoid linear unit (swish); as ``torch.nn.functional.silu``.

    .. math:: \operatorname{SiLU}(x) = x\,\sigma(x)

    Parameters
    ----------
    x : array_like
        Pre-activations, any shape.

    Returns
    -------
    ndarray
        Same shape as `x`; like GELU it dips below 0, to about -0.278 at
        :math:`x \approx -1.278`.

    Examples
    --------
    >>> silu([-1000.0, 0.0, 1.0]).round(6)
    array([-0.      ,  0.      ,  0.731059])
    """
    x = as_float_array(x, "x")
    return x * sigmoid(x)


def silu_grad(x: ArrayLike) -> np.ndarray:
    r"""Derivative of :func:`silu`.

    .. math:: \operatorname{SiLU}'(x) = \sigma(x) + x\,\sigma(x)\,\sigma(-x)

    Mathematically what PyTorch's autograd returns for ``torch.nn.functional.silu``.

    Parameters
    ----------
    x : array_like
        Pre-activations, any shape.

    Returns
    -------
    ndarray
        :math:`\sigma(x)\,(1 + x\,\sigma(-x))`, same shape as `x`, between about -0.0998 and
        1.0998 (the extremes at :math:`x \approx \mp 2.40`).

    Examples
    --------
    >>> silu_grad([0.0, 1000.0])
    array([0.5, 1. ])
    """
    x = as_float_array(x, "x")
    s = sigmoid(x)
    return s + x * s * sigmoid(-x)  # sigma(-x), not 1 - sigma(x): no cancellation for x >> 0


def _prelu_weight(x: np.ndarray, weight: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    """Return `weight` as given (float array) and reshaped to broadcast over x's channel axis 1."""
    weight = as_float_array(weight, "weight")
    n_channels = x.shape[1] if x.ndim >= 2 else 1  # PyTorch: no channel axis below 2 dimensions
    if weight.ndim > 1 or weight.size not in (1, n_channels):
        raise ValueError(
            f"weight has shape {weight.shape}, expected () or (1,) for one slope shared by all "
            f"channels, or ({n_channels},) for one slope per channel on axis 1 of x "
            f"(x has shape {x.shape})."
        )
    slopes = weight.astype(x.dtype, copy=False)  # computed in x's dtype, as PyTorch requires
    if weight.size == 1:
        return weight, slopes.reshape(())
    return weight, slopes.reshape((1, n_channels) + (1,) * (x.ndim - 2))


def prelu(x: ArrayLike, weight: ArrayLike) -> np.ndarray:
    r"""Parametric ReLU with a learnable slope; as ``torch.nn.functional.prelu``.

    .. math:: \operatorname{PReLU}(x) = \max(0, x) + a\,\min(0, x)

    Parameters
    ----------
    x : array_like
        Pre-activations, shape ``(N, C, ...)`` (PyTorch layout, channels on axis 1), or any
        shape when the slope is shared.
    weight : float or array_like
        The slope :math:`a`: one value shared by all channels (a scalar or shape ``(1,)``) or one
        per channel, shape ``(C,)``. As in PyTorch, inputs with fewer than 2 dimensions have a
        single channel.

    Returns
    -------
    ndarray
        Same shape as `x`, in the dtype of `x`.

    Examples
    --------
    >>> prelu([[-1.0, -1.0], [2.0, -3.0]], weight=[0.1, 0.5])
    array([[-0.1, -0.5],
           [ 2. , -1.5]])
    """
    x = as_float_array(x, "x")
    _, slopes = _prelu_weight(x, weight)
    return np.where(x > 0, x, slopes * x)


def prelu_grad(x: ArrayLike, weight: ArrayLike) -> np.ndarray:
    r"""Derivative of :func:`prelu` in `x`; at 0 it is the slope, as PyTorch's autograd.

    .. math::

        \frac{\partial\,\operatorname{PReLU}}{\partial x}
        = \begin{cases} 1 & x > 0 \\ a & x \le 0 \end{cases}

    Parameters
    ----------
    x : array_like
        Pre-activations, as in :func:`prelu`.
    weight : float or array_like
        The slope(s), as in :func:`prelu`.

    Returns
    -------
    ndarray
        1 or the slope of the entry's channel, same shape as `x`.

    Examples
    --------
    >>> prelu_grad([-1.0, 0.0, 2.0], weight=0.25)
    array([0.25, 0.25, 1.  ])
    """
    x = as_float_array(x, "x")
    _, slopes = _prelu_weight(x, weight)
    return np.where(x > 0, 1.0, np.broadcast_to(slopes, x.shape)).astype(x.dtype)


def prelu_backward(
    x: ArrayLike, weight: ArrayLike, grad_output: ArrayLike
) -> tuple[np.ndarray, np.ndarray]:
    r"""Backward pass of :func:`prelu`: gradients with respect to `x` and to `weight`.

    With :math:`G = \partial L / \partial\,\operatorname{PReLU}(x)` (`grad_output`):

    .. math::

        \frac{\partial L}{\partial x} = G \odot \operatorname{PReLU}'(x), \qquad
        \frac{\partial L}{\partial a_c} = \sum_{\text{positions in channel } c} G\,\min(0, x)

    and a shared slope collects the sum over every position.

    PyTorch's autograd computes the same two gradients for ``torch.nn.functional.prelu``.

    Parameters
    ----------
    x : array_like
        The forward input, as in :func:`prelu`.
    weight : float or array_like
        The slope(s), as in :func:`prelu`.
    grad_output : array_like
        Upstream gradient, same shape as `x`.

    Returns
    -------
    grad_x : ndarray
        Same shape as `x`.
    grad_weight : ndarray
        Same shape as `weight` (0-dimensional for a scalar `weight`).

    Examples
    --------
    >>> x, weight, grad_output = [[-1.0, -2.0], [3.0, -4.0]], [0.1, 0.5], np.ones((2, 2))
    >>> grad_x, grad_weight = prelu_backward(x, weight, grad_output)
    >>> grad_x
    array([[0.1, 0.5],
           [1. , 0.5]])
    >>> grad_weight
    array([-1., -6.])
    """
    x = as_float_array(x, "x")
    weight, slopes = _prelu_weight(x, weight)
    grad_output = _check_grad_output(grad_output, x, "x")
    grad_x = grad_output * np.where(x > 0, 1.0, slopes)
    per_entry = grad_output * np.minimum(x, 0)
    if weight.size == 1:
        grad_weight = per_entry.sum().reshape(weight.shape)
    else:
        grad_weight = per_entry.sum(axis=tuple(a for a in range(x.ndim) if a != 1))
    return grad_x, grad_weight


# ----------------------------------------------------------------------------------------------
# Softmax family
# ----------------------------------------------------------------------------------------------


def _check_logits(z: ArrayLike, axis: int, *, check_values: bool = True) -> np.ndarray:
    """`z` as a float array with at least one entry along a valid integer `axis`."""
    z = as_float_array(z, "z", check_values=check_values)
    if isinstance(axis, bool) or not isinstance(axis, (int, np.integer)):
        raise TypeError(f"axis must be an integer; got {type(axis).__name__}.")
    if z.ndim == 0:
        raise ValueError("z must have at least one dimension (a vector of logits); got a scalar.")
    if not -z.ndim <= axis < z.ndim:
        raise ValueError(
            f"axis {axis} is out of range for z with {z.ndim} dimension(s); "
            f"expected {-z.ndim} <= axis < {z.ndim}."
        )
    if z.shape[axis] == 0:
        raise ValueError(f"z must have at least one entry along axis {axis}; got shape {z.shape}.")
    return z


def _softmax_and_complement(z: np.ndarray, axis: int) -> tuple[np.ndarray, np.ndarray]:
    """Return :math:`p` = softmax(z) and :math:`1 - p`, the latter without cancellation.

    Only the largest :math:`p_k` can be close to 1; there :math:`1 - p_k` is computed as
    ``rest / (1 + rest)`` (the other probabilities summed) instead of ``1 - p_k``.
    """
    _, _, e, rest = softmax_parts(z, axis)
    p = e / (1 + rest)
    complement = 1 - p
    top_index = np.argmax(z, axis=axis, keepdims=True)
    np.put_along_axis(complement, top_index, rest / (1 + rest), axis=axis)
    return p, complement


def logsumexp(z: ArrayLike, axis: int = -1, keepdims: bool = False) -> np.ndarray:
    r"""Log-sum-exp along `axis`, computed without overflow; as ``torch.logsumexp``.

    .. math::

        \operatorname{LSE}(z) = \log \sum_j e^{z_j}
        = m + \log\Bigl(1 + \sum_{j \neq k} e^{z_j - m}\Bigr), \qquad m = z_k = \max_j z_j

    The shifted exponents are never positive, and the last logarithm is taken with ``log1p``, so
    the result keeps full relative accuracy even when one logit dominates. PyTorch takes the
    ``log`` of the sum, so a result close to 0 loses relative accuracy there:
    ``torch.logsumexp`` of :math:`(0, -20)` is off by 1e-9 relative and that of :math:`(0, -40)`
    is 0 instead of :math:`4.2 \cdot 10^{-18}`.

    Parameters
    ----------
    z : array_like
        Logits, at least one dimension.
    axis : int, default -1
        The axis to reduce.
    keepdims : bool, default False
        Keep the reduced axis with length 1 (PyTorch's ``keepdim``); by default it is removed,
        as in PyTorch.

    Returns
    -------
    ndarray
        Shape of `z` without `axis` (0-dimensional for a vector).

    Examples
    --------
    >>> round(float(logsumexp([1000.0, 1000.0])), 6)
    1000.693147
    >>> logsumexp([[0.0, 0.0], [1.0, 1.0]]).round(6)
    array([0.693147, 1.693147])
    """
    z = _check_logits(z, axis)
    top, _, _, rest = softmax_parts(z, axis)
    out = top + np.log1p(rest)
    return out if keepdims else np.squeeze(out, axis=axis)


def logsumexp_grad(z: ArrayLike, axis: int = -1) -> np.ndarray:
    r"""Gradient of :func:`logsumexp` with respect to `z`: the softmax.

    .. math:: \frac{\partial}{\partial z_i} \log \sum_j e^{z_j} = \frac{e^{z_i}}{\sum_j e^{z_j}}

    The gradient PyTorch's autograd gives ``torch.logsumexp``.

    Parameters
    ----------
    z : array_like
        Logits, at least one dimension.
    axis : int, default -1
        The reduced axis.

    Returns
    -------
    ndarray
        Same shape as `z`: :func:`softmax` along `axis`.

    Examples
    --------
    >>> logsumexp_grad([0.0, 0.0])
    array([0.5, 0.5])
    """
    return softmax(z, axis=axis)


def softmax(z: ArrayLike, axis: int = -1) -> np.ndarray:
    r"""Softmax along `axis`, stable by subtracting the maximum; as ``torch.softmax``.

    .. math::

        \operatorname{softmax}(z)_i = \frac{e^{z_i}}{\sum_j e^{z_j}}
        = \frac{e^{z_i - m}}{\sum_j e^{z_j - m}}, \qquad m = \max_j z_j

    Subtracting :math:`m` changes nothing mathematically (:math:`\operatorname{softmax}(z + c)
    = \operatorname{softmax}(z)`) but keeps every exponent :math:`\le 0`, so nothing overflows.
    PyTorch's ``dim`` has no default; here it is the last axis (classes last).

    Parameters
    ----------
    z : array_like
        Logits (unnormalised log-probabilities), at least one dimension; any finite values.
    axis : int, default -1
        The class axis, along which the probabilities sum to 1.

    Returns
    -------
    ndarray
        Same shape as `z`; entries in [0, 1] summing to 1 along `axis`.

    Examples
    --------
    >>> softmax([1000.0, 0.0, -1000.0])
    array([1., 0., 0.])
    >>> softmax([[0.0, 0.0], [0.0, np.log(3)]]).round(6)
    array([[0.5 , 0.5 ],
           [0.25, 0.75]])
    """
    z = _check_logits(z, axis)
    _, _, e, rest = softmax_parts(z, axis)
    return e / (1 + rest)


def log_softmax(z: ArrayLike, axis: int = -1, *, check_values: bool = True) -> np.ndarray:
    r"""Log-softmax along `axis`, with no overflow and no :math:`\log 0`; as ``torch.log_softmax``.

    .. math::

        \log \operatorname{softmax}(z)_i = z_i - \operatorname{LSE}(z)
        = (z_i - m) - \log\Bigl(1 + \sum_{j \neq k} e^{z_j - m}\Bigr)

    with :math:`m = z_k` the maximum (see :func:`logsumexp`). Never ``log(softmax(z))``: the
    softmax underflows to 0 for very negative logits, whose log-probability is still finite.
    The ``log1p`` keeps the log-probability of a dominant class exact; PyTorch's
    ``torch.log_softmax`` takes the ``log`` of the sum and returns 0 for it once the other
    probabilities sum to less than about 1e-16 (e.g. ``[0, -40]``).
    (The one overflow left is a true value below the most negative float, for logits spanning
    more than about 1.8e308.)

    Parameters
    ----------
    z : array_like
        Logits, at least one dimension; the result stays finite however far apart they are.
    axis : int, default -1
        The class axis: the exponentials of the result sum to 1 along it.
    check_values : bool, default True
        Refuse NaN and infinity in `z`, which costs a pass over it.
        :class:`~nncourse.nn.CrossEntropyLoss` passes ``False`` for the logits it has just
        checked (see :ref:`conventions <conventions>`).

    Returns
    -------
    ndarray
        Same shape as `z`, entries :math:`\le 0`.

    Examples
    --------
    >>> log_softmax([1000.0, 0.0, -1000.0])
    array([    0., -1000., -2000.])
    """
    z = _check_logits(z, axis, check_values=check_values)
    _, shifted, _, rest = softmax_parts(z, axis)
    return shifted - np.log1p(rest)  # (z_i - m) - log S


def _class_jacobian(
    z: ArrayLike,
    axis: int,
    off_diagonal: Callable[[np.ndarray], np.ndarray],
    diagonal: Callable[[np.ndarray, np.ndarray], np.ndarray],
) -> np.ndarray:
    """A Jacobian along the class axis, ``(..., K, K)``, from :math:`p` = softmax(z).

    ``off_diagonal(p)`` gives the whole matrix by the off-diagonal formula, ``diagonal(p,
    complement)`` then overwrites its diagonal, with ``complement`` = :math:`1 - p` computed
    without cancellation (see :func:`_softmax_and_complement`).
    """
    z = np.moveaxis(_check_logits(z, axis), axis, -1)
    p, complement = _softmax_and_complement(z, -1)
    jacobian = off_diagonal(p)
    index = np.arange(z.shape[-1])
    jacobian[..., index, index] = diagonal(p, complement)
    return jacobian


def softmax_jacobian(z: ArrayLike, axis: int = -1) -> np.ndarray:
    r"""Jacobian of :func:`softmax`: :math:`J_{ij} = \partial p_i / \partial z_j`.

    .. math:: \frac{\partial p_i}{\partial z_j} = p_i\,(\delta_{ij} - p_j)

    The diagonal :math:`p_i (1 - p_i)` computes :math:`1 - p_i` for the largest probability as
    the sum of the others, so it stays exact when one class dominates (for two classes it is
    :math:`\sigma(x)\,\sigma(-x)`, as :func:`sigmoid_grad`).

    What ``torch.autograd.functional.jacobian`` gives for ``torch.softmax`` on one row.

    Parameters
    ----------
    z : array_like
        Logits with :math:`K` entries along `axis`.
    axis : int, default -1
        The class axis.

    Returns
    -------
    ndarray
        Shape ``(..., K, K)``: the other axes of `z` in order, then :math:`i` and :math:`j`. The
        matrix is symmetric and each of its rows sums to 0 (the probabilities always sum to 1).

    Examples
    --------
    >>> softmax_jacobian([0.0, 0.0])
    array([[ 0.25, -0.25],
           [-0.25,  0.25]])
    """
    return _class_jacobian(
        z,
        axis,
        off_diagonal=lambda p: -p[..., :, None] * p[..., None, :],  # -p_i p_j
        diagonal=lambda p, complement: p * complement,  # p_i (1 - p_i)
    )


def softmax_backward(z: ArrayLike, grad_output: ArrayLike, axis: int = -1) -> np.ndarray:
    r"""Vector-Jacobian product of :func:`softmax`, without building the Jacobian.

    With :math:`g = \partial L / \partial p` (`grad_output`), :math:`p = \operatorname{softmax}(z)`:

    .. math::

        \frac{\partial L}{\partial z_j} = \sum_i g_i\, p_i (\delta_{ij} - p_j)
        = p_j \Bigl(g_j - \sum_i g_i p_i\Bigr)

    :math:`O(K)` work per row instead of the :math:`O(K^2)` Jacobian. Because
    :math:`\sum_i p_i = 1`, :math:`g` may be shifted by any constant; it is shifted by its entry
    at the largest probability, which removes the cancellation when one class dominates.

    Mathematically the formula of PyTorch's backward of ``torch.softmax``
    (``_softmax_backward_data``), which does not shift :math:`g`: at a dominant class PyTorch's
    entry cancels (for :math:`z = (0, -40, -45)` and :math:`g = (1, 2, -1)` it is 0 instead of
    :math:`-4.2 \cdot 10^{-18}`); elsewhere the two agree to rounding.

    Parameters
    ----------
    z : array_like
        Logits, at least one dimension.
    grad_output : array_like
        Upstream gradient with respect to the softmax output, same shape as `z`.
    axis : int, default -1
        The class axis.

    Returns
    -------
    ndarray
        :math:`\partial L / \partial z`, same shape as `z`, summing to 0 along `axis`.

    Examples
    --------
    >>> softmax_backward([0.0, 0.0], [1.0, 0.0])
    array([ 0.25, -0.25])
    """
    z = _check_logits(z, axis)
    grad_output = _check_grad_output(grad_output, z, "z")
    _, _, e, rest = softmax_parts(z, axis)
    p = e / (1 + rest)
    top_index = np.argmax(z, axis=axis, keepdims=True)
    shifted = grad_output - np.take_along_axis(grad_output, top_index, axis=axis)
    return p * (shifted - (shifted * p).sum(axis=axis, keepdims=True))


def log_softmax_jacobian(z: ArrayLike, axis: int = -1) -> np.ndarray:
    r"""Jacobian of :func:`log_softmax`: :math:`J_{ij} = \partial \log p_i / \partial z_j`.

    .. math:: \frac{\partial \log p_i}{\partial z_j} = \delta_{ij} - p_j

    The diagonal :math:`1 - p_i` is computed without cancellation, as in :func:`softmax_jacobian`.

    It is what ``torch.autograd.functional.jacobian`` returns for ``torch.log_softmax`` applied
    to one row.

    Parameters
    ----------
    z : array_like
        Logits with :math:`K` entries along `axis`.
    axis : int, default -1
        The class axis, moved to the last two axes of the result.

    Returns
    -------
    ndarray
        Shape ``(..., K, K)``, laid out as in :func:`softmax_jacobian`; row :math:`i` is
        :math:`e_i - p`, so each row sums to 0, but the matrix is not symmetric.

    Examples
    --------
    >>> log_softmax_jacobian([0.0, 0.0, np.log(2.0)])  # p = (1/4, 1/4, 1/2)
    array([[ 0.75, -0.25, -0.5 ],
           [-0.25,  0.75, -0.5 ],
           [-0.25, -0.25,  0.5 ]])

    When one class dominates, its diagonal entry :math:`1 - p_0 \approx e^{-50}` is not lost to
    cancellation:

    >>> log_softmax_jacobian([0.0, -50.0])
    array([[ 1.92874985e-22, -1.92874985e-22],
           [-1.00000000e+00,  1.00000000e+00]])
    """
    return _class_jacobian(
        z,
        axis,
        off_diagonal=lambda p: np.repeat(-p[..., None, :], p.shape[-1], axis=-2),  # -p_j
        diagonal=lambda p, complement: complement,  # 1 - p_i
    )


def log_softmax_backward(z: ArrayLike, grad_output: ArrayLike, axis: int = -1) -> np.ndarray:
    r"""Vector-Jacobian product of :func:`log_softmax`, without building the Jacobian.

    With :math:`g = \partial L / \partial \log p` (`grad_output`):

    .. math::

        \frac{\partial L}{\partial z_j} = \sum_i g_i (\delta_{ij} - p_j) = g_j - p_j \sum_i g_i

    At the largest probability :math:`p_k` the entry is computed as
    :math:`-\sum_{i \neq k} g_i + (1 - p_k) \sum_i g_i` with :math:`1 - p_k` from the other
    probabilities, so a dominant class does not cancel to 0. For the cross-entropy of a
    one-hot target (:math:`g = -e_y`) this gives :math:`p - e_y`.

    The same as PyTorch's backward of ``torch.log_softmax`` (``_log_softmax_backward_data``).

    Parameters
    ----------
    z : array_like
        Logits, at least one dimension.
    grad_output : array_like
        Upstream gradient with respect to the log-softmax output, same shape as `z`.
    axis : int, default -1
        The class axis.

    Returns
    -------
    ndarray
        :math:`\partial L / \partial z`, same shape as `z`; :math:`p - e_y` when `grad_output`
        is :math:`-e_y`, the gradient of the cross-entropy.

    Examples
    --------
    >>> log_softmax_backward([0.0, 0.0], [-1.0, 0.0])
    array([-0.5,  0.5])
    """
    z = _check_logits(z, axis)
    grad_output = _check_grad_output(grad_output, z, "z")
    p, complement = _softmax_and_complement(z, axis)
    top_index = np.argmax(z, axis=axis, keepdims=True)
    others = grad_output.copy()
    np.put_along_axis(others, top_index, 0.0, axis=axis)
    sum_others = others.sum(axis=axis, keepdims=True)
    total = sum_others + np.take_along_axis(grad_output, top_index, axis=axis)
    grad_z = grad_output - p * total
    top_complement = np.take_along_axis(complement, top_index, axis=axis)
    np.put_along_axis(grad_z, top_index, top_complement * total - sum_others, axis=axis)
    return grad_z
