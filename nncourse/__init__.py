"""nncourse: the small, tested NumPy package that goes with the nncourse textbook.

Every function has its derivative beside it, is numerically stable, and follows PyTorch's
documented definitions unless a chapter says otherwise.

The activations, the losses and the gradient checker live at the top level
(``nc.softmax``, ``nc.mse_loss``, ``nc.check_gradient``); the other modules are reached by name,
as in PyTorch: ``nc.nn.Linear``, ``nc.optim.Adam``, ``nc.information.entropy`` (its
``cross_entropy`` of two distributions differs from the loss of the same name), and the
self-check, ``nc.exercises.check``.
"""

from . import (
    activations,
    data,
    exercises,
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
from .activations import (
    elu,
    elu_grad,
    gelu,
    gelu_grad,
    identity,
    identity_grad,
    leaky_relu,
    leaky_relu_grad,
    log_softmax,
    log_softmax_backward,
    log_softmax_jacobian,
    logsumexp,
    logsumexp_grad,
    prelu,
    prelu_backward,
    prelu_grad,
    relu,
    relu_grad,
    sigmoid,
    sigmoid_grad,
    silu,
    silu_grad,
    softmax,
    softmax_backward,
    softmax_jacobian,
    softplus,
    softplus_grad,
    step,
    step_grad,
    tanh,
    tanh_grad,
)
from .gradcheck import (
    GradCheckResult,
    ModuleCheckResult,
    check_gradient,
    check_module,
    numerical_gradient,
    numerical_jacobian,
)
from .losses import (
    binary_cross_entropy,
    binary_cross_entropy_grad,
    binary_cross_entropy_with_logits,
    binary_cross_entropy_with_logits_grad,
    cosine_loss,
    cosine_loss_grad,
    cosine_similarity,
    cross_entropy,
    cross_entropy_backward,
    cross_entropy_grad,
    hinge_loss,
    hinge_loss_grad,
    huber_loss,
    huber_loss_grad,
    kl_div,
    kl_div_grad,
    l1_loss,
    l1_loss_grad,
    mse_loss,
    mse_loss_grad,
    multi_margin_loss,
    multi_margin_loss_grad,
    nll_loss,
    nll_loss_grad,
    smooth_l1_loss,
    smooth_l1_loss_grad,
)

__version__ = "0.1.0"

# the names above, re-exported: those of the three modules, then the modules reached by name
__all__ = [
    *activations.__all__,
    *losses.__all__,
    *gradcheck.__all__,
    "activations",
    "data",
    "exercises",
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
