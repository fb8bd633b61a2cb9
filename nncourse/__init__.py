"""nncourse: the small, tested NumPy package that goes with the nncourse textbook.

Every function has its derivative beside it, is numerically stable, and follows PyTorch's
documented definitions unless a chapter says otherwise.

The activations, the losses and the gradient checker live at the top level
(``nc.softmax``, ``nc.mse_loss``, ``nc.check_gradient``); the other modules are reached by name,
as in PyTorch: ``nc.nn.Linear``, ``nc.optim.Adam``, ``nc.information.entropy`` (its
``cross_entropy`` of two distributions differs from the loss of the same name).
"""

from . import (
    activations,
    data,
    gradcheck,
    information,
    losses,
    nn,
    optim,
    plotting,
    regularization,
    surfaces,
    tlu,
)
from .activations import *  # noqa: F403
from .gradcheck import *  # noqa: F403
from .losses import *  # noqa: F403

__version__ = "0.1.0"

__all__ = [
    *activations.__all__,
    *losses.__all__,
    *gradcheck.__all__,
    "activations",
    "data",
    "gradcheck",
    "information",
    "losses",
    "nn",
    "optim",
    "plotting",
    "regularization",
    "surfaces",
    "tlu",
]
