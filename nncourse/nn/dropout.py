"""Inverted dropout: :class:`Dropout`."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from .._validation import as_generator, as_layer_input
from ._checks import check_grad_output, saved
from .module import Module


class Dropout(Module):
    r"""Inverted dropout, as ``torch.nn.Dropout``: in training, each entry is zeroed with
    probability `p` and the survivors are scaled by :math:`1/(1-p)`, so the expected output
    equals the input; in eval mode it is the identity.

    .. math:: y = x \odot m, \qquad m_i = \frac{\mathbb 1[u_i \ge p]}{1 - p},
        \quad u_i \sim \mathcal U[0, 1)

    and backward returns :math:`G \odot m` with the same mask. With ``p = 1`` every entry is
    dropped and the output is zeros, as in PyTorch (the mask is 0, not 0/0).

    Parameters
    ----------
    p : float, default 0.5
        Probability of zeroing an entry, in [0, 1].
    rng : numpy.random.Generator, int or None
        Source of the masks; ``None`` uses ``np.random.default_rng()`` (unseeded).

    Examples
    --------
    >>> drop = Dropout(p=0.5, rng=np.random.default_rng(0))
    >>> sorted(set(drop(np.ones(1000)).tolist()))  # dropped or doubled
    [0.0, 2.0]
    >>> drop.eval()(np.ones(3))
    array([1., 1., 1.])
    """

    def __init__(self, p: float = 0.5, rng: np.random.Generator | int | None = None):
        try:
            valid = not isinstance(p, bool) and 0.0 <= float(p) <= 1.0
        except (TypeError, ValueError):
            valid = False
        if not valid:
            raise ValueError(f"p must be a dropout probability in [0, 1]; got {p!r}.")
        self.p = float(p)
        self.rng = as_generator(rng)
        self._shape = None
        self._mask = None

    def forward(self, x: ArrayLike) -> np.ndarray:
        x = as_layer_input(x)
        self._shape = x.shape
        if not self.training:
            self._mask = None
            return x
        self._mask = (self.rng.random(x.shape) >= self.p).astype(x.dtype)
        self._mask *= 0.0 if self.p == 1.0 else 1.0 / (1.0 - self.p)
        return x * self._mask

    def backward(self, grad_output: ArrayLike) -> np.ndarray:
        grad_output = check_grad_output(grad_output, saved(self, self._shape), self)
        return grad_output if self._mask is None else grad_output * self._mask

    def extra_repr(self) -> str:
        return f"p={self.p}"
