"""The exercises of the Training part on backward passes and layers: dense layers, a two-layer
network, pooling, convolution, PReLU slopes and dropout.

The references are the package's own layers, run on the learner's inputs, so an exercise checks a
hand-written backward pass against exactly what ``nncourse.nn`` computes. The exercises on
regularised and adaptive steps are in :mod:`~nncourse.exercises.optimizers`.
"""

from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from .. import nn
from ..activations import prelu_backward, softmax
from ..losses import cross_entropy_grad
from .core import exercise

# --- dense layers and backpropagation -------------------------------------------------------


def dense_cases(rng: np.random.Generator) -> list[tuple]:
    """Inputs (N, 4) of a layer with 3 outputs, a batch of one included."""
    return [
        (
            rng.normal(size=(n, 4)),
            rng.normal(size=(3, 4)),
            rng.normal(size=3),
            rng.normal(size=(n, 3)),
        )
        for n in (5, 1)
    ]


@exercise("ex-backprop-dense-backward", section="ch-backprop", cases=dense_cases)
def dense_backward(X, W, b, grad_output):
    """dense_backward(X, W, b, grad_output) -> (grad_X, grad_W, grad_b) of Y = X W^T + b

    The reference is the package's Linear layer.
    """
    layer = nn.Linear(W.shape[1], W.shape[0])
    layer.weight.data, layer.bias.data = W, b
    layer(X)
    grad_X = layer.backward(grad_output)
    return grad_X, layer.weight.grad, layer.bias.grad


@dense_backward.mistake("the weight gradient transposed")
def _(X, W, b, G):
    """dL/dW has W's shape (out, in): G^T X, not X^T G."""
    return (G @ W, X.T @ G, G.sum(0))


@dense_backward.mistake("the bias gradient averaged")
def _(X, W, b, G):
    """The bias is added to every sample, so its gradient sums G over the batch; the mean, if any,
    is already in G."""
    return (G @ W, G.T @ X, G.mean(0))


@dense_backward.mistake("the input gradient transposed")
def _(X, W, b, G):
    """dL/dX has X's shape (N, in): G W, not W^T G^T."""
    return (W.T @ G.T, G.T @ X, G.sum(0))


def two_layer_variant(X, y, W1, b1, W2, b2, *, tanh_grad="1 - a^2", mean=True, hidden_bias=True):
    """The four gradients of mean cross-entropy after Linear -> tanh -> Linear, written out.

    The keywords make the classic wrong versions: ``tanh_grad`` is the local derivative used
    (``"1 - a^2"`` is right), ``mean=False`` forgets the mean over the batch and
    ``hidden_bias=False`` leaves the hidden bias out of the forward pass.
    """
    a = np.tanh(X @ W1.T + (b1 if hidden_bias else 0.0))
    z = a @ W2.T + b2
    p = softmax(z, axis=1)
    grad_z = (p - np.eye(z.shape[1])[y]) / (len(y) if mean else 1)
    local = {
        "1 - a^2": 1 - a**2,
        "1 - a": 1 - a,
        "none": np.ones_like(a),
        "at the activation": 1 - np.tanh(a) ** 2,
    }[tanh_grad]
    grad_h = (grad_z @ W2) * local
    return {"W1": grad_h.T @ X, "b1": grad_h.sum(0), "W2": grad_z.T @ a, "b2": grad_z.sum(0)}


@exercise(
    "ex-backprop-two-layer",
    section="ch-backprop",
    cases=lambda rng: [
        (
            rng.normal(size=(n, 4)),
            rng.integers(0, 3, n),
            rng.normal(size=(5, 4)),
            rng.normal(size=5),
            rng.normal(size=(3, 5)),
            rng.normal(size=3),
        )
        for n in (6, 1)
    ],
)
def two_layer_backward(X, y, W1, b1, W2, b2):
    """two_layer_backward(X, y, W1, b1, W2, b2) -> dict of the four gradients

    The reference is nncourse.nn: Linear, Tanh, Linear and CrossEntropyLoss.
    """
    first, second = nn.Linear(X.shape[1], len(b1)), nn.Linear(len(b1), len(b2))
    first.weight.data, first.bias.data, second.weight.data, second.bias.data = W1, b1, W2, b2
    model, criterion = nn.Sequential(first, nn.Tanh(), second), nn.CrossEntropyLoss()
    criterion(model(X), y)
    model.backward(criterion.backward())
    grads = (first.weight.grad, first.bias.grad, second.weight.grad, second.bias.grad)
    return dict(zip(("W1", "b1", "W2", "b2"), grads, strict=True))


@two_layer_backward.mistake("the tanh derivative forgotten")
def _(*args):
    """Going back through the hidden layer multiplies by its local derivative: delta = (delta_out
    W2) * tanh'(z1)."""
    return two_layer_variant(*args, tanh_grad="none")


@two_layer_backward.mistake("tanh' taken as 1 - a")
def _(*args):
    """tanh'(z) = 1 - tanh(z)^2: square the activation."""
    return two_layer_variant(*args, tanh_grad="1 - a")


@two_layer_backward.mistake("the mean over the batch forgotten")
def _(*args):
    """The loss is the mean over N samples: dL/dz2 = (softmax(z2) - onehot(y)) / N."""
    return two_layer_variant(*args, mean=False)


@two_layer_backward.mistake("the derivative taken at the activation")
def _(*args):
    """The backward pass needs f'(z1), the slope at the unit's input. In terms of the output a =
    tanh(z1) it is 1 - a^2; tanh'(a) = 1 - tanh(a)^2 evaluates the slope at the wrong point."""
    return two_layer_variant(*args, tanh_grad="at the activation")


@two_layer_backward.mistake(
    "the hidden bias left out of the forward pass", erratum="ps4-forward-bias-missing"
)
def _(*args):
    """z1 = X W1^T + b1: without b1 every activation, and so every gradient, is computed at the
    wrong point."""
    return two_layer_variant(*args, hidden_bias=False)


# --- layers ---------------------------------------------------------------------------------


def pool_windows(x):
    """(N, C, H/2, W/2, 4): the four entries of every 2 x 2 window, in row-major order."""
    n, c, h, w = x.shape
    return (
        x.reshape(n, c, h // 2, 2, w // 2, 2)
        .transpose(0, 1, 2, 4, 3, 5)
        .reshape(n, c, h // 2, w // 2, 4)
    )


def from_windows(values, shape):
    n, c, h, w = shape
    return values.reshape(n, c, h // 2, w // 2, 2, 2).transpose(0, 1, 2, 4, 3, 5).reshape(shape)


def maxpool_spread(x, grad_output, rule):
    """Send each window's gradient back by `rule(windows, G)`: the wrong versions' shape."""
    return from_windows(rule(pool_windows(x), grad_output[..., None]), x.shape)


@exercise(
    "ex-layers-maxpool-backward",
    section="ch-layers",
    cases=lambda rng: [
        (rng.normal(size=(2, 3, 4, 4)), rng.normal(size=(2, 3, 2, 2))),
        (rng.integers(0, 3, size=(1, 1, 4, 6)).astype(float), rng.normal(size=(1, 1, 2, 3))),
    ],
)
def maxpool2x2_backward(x, grad_output):
    """maxpool2x2_backward(x, grad_output), 2 x 2 windows, stride 2"""
    pool = nn.MaxPool2d(2)
    pool(x)
    return pool.backward(grad_output)


@maxpool2x2_backward.mistake("the gradient copied to the whole window")
def _(x, g):
    """The output is one entry of the window, the maximum: only that entry receives the gradient,
    the others get 0."""
    return maxpool_spread(x, g, lambda win, g: np.broadcast_to(g, win.shape))


@maxpool2x2_backward.mistake("the gradient shared out as for average pooling")
def _(x, g):
    """G / 4 to each entry is the backward pass of average pooling; max pooling routes all of G to
    the maximum."""
    return maxpool_spread(x, g, lambda win, g: np.broadcast_to(g / 4, win.shape))


@maxpool2x2_backward.mistake("every tied maximum given the gradient")
def _(x, g):
    """With a tie the output still comes from one entry: give G to the first maximum in row-major
    order (argmax), as PyTorch does."""
    return maxpool_spread(x, g, lambda win, g: (win == win.max(-1, keepdims=True)) * g)


def full_correlation(grad_output, kernel):
    """sum_ij G[p - k + 1 + i, q - k + 1 + j] K[i, j]: G padded by k - 1, slid over by K."""
    k = kernel.shape[0]
    padded = np.pad(grad_output, k - 1)
    return np.einsum("pqij,ij->pq", sliding_window_view(padded, kernel.shape), kernel)


def conv_variant(x, kernel, grad_output, *, flip=True, sum_bias=True):
    grad_kernel = np.einsum("ijhw,hw->ij", sliding_window_view(x, grad_output.shape), grad_output)
    grad_x = full_correlation(grad_output, kernel[::-1, ::-1] if flip else kernel)
    return grad_x, grad_kernel, float(grad_output.sum()) if sum_bias else grad_output


@exercise(
    "ex-layers-conv-backward",
    section="ch-layers",
    cases=lambda rng: [
        (rng.normal(size=(5, 6)), rng.normal(size=(3, 3)), rng.normal(size=(3, 4))),
        (rng.normal(size=(4, 4)), rng.normal(size=(2, 2)), rng.normal(size=(3, 3))),
    ],
)
def conv_backward(x, kernel, grad_output):
    """conv_backward(x, kernel, grad_output) -> (dL/dX, dL/dK, dL/db), 1 channel, stride 1

    The reference is the package's Conv2d, for one-channel Y = b + K (*) X.
    """
    conv = nn.Conv2d(1, 1, kernel.shape[0])
    conv.weight.data = kernel[None, None]
    conv(x[None, None])
    grad_x = conv.backward(grad_output[None, None])
    return grad_x[0, 0], conv.weight.grad[0, 0], float(conv.bias.grad[0])


@conv_backward.mistake("the kernel flipped in dL/dX")
def _(x, k, g):
    """Pixel X[p, q] meets K[i, j] in output (p - i, q - j): dL/dX is the full convolution of G with
    K, i.e. a correlation with K rotated by 180 degrees, padded by k - 1."""
    return conv_variant(x, k, g, flip=False)


@conv_backward.mistake("the bias gradient not summed")
def _(x, k, g):
    """The bias is added to every output pixel, so its gradient is the sum of G: a single number."""
    return conv_variant(x, k, g, sum_bias=False)


@exercise(
    "ex-layers-prelu-slope-grad",
    section="ch-layers",
    cases=lambda rng: [
        (rng.normal(size=(3, 4)), rng.normal(size=(3, 4))),
        (np.array([[-4.0, 2.0], [-0.5, 1.0]]), np.array([[1.0, 2.0], [-3.0, 0.5]])),
    ],
)
def prelu_slope_grad(x, grad_output):
    """prelu_slope_grad(x, grad_output), dL/da for one slope a shared by every entry"""
    return float(prelu_backward(x, np.array([0.25]), grad_output)[1][0])


@prelu_slope_grad.mistake(
    "the slope's gradient not summed", erratum="ps3-prelu-slope-gradient-not-summed"
)
def _(x, g):
    """One slope acts on every entry, so its gradient adds up the contributions min(0, x) G of all
    of them: a single number."""
    return np.minimum(x, 0) * g


@prelu_slope_grad.mistake("x in place of min(0, x)")
def _(x, g):
    """The slope multiplies only the negative entries: positive ones do not depend on a."""
    return float((x * g).sum())


@prelu_slope_grad.mistake("max(0, x) in place of min(0, x)")
def _(x, g):
    """y = max(0, x) + a min(0, x): a multiplies min(0, x)."""
    return float((np.maximum(x, 0) * g).sum())


@exercise(
    "ex-layers-prelu-channel-grad",
    section="ch-layers",
    cases=lambda rng: [
        (rng.normal(size=(2, 3, 4, 4)), rng.normal(size=(2, 3, 4, 4))),
        (rng.normal(size=(1, 2, 3, 3)), rng.normal(size=(1, 2, 3, 3))),
    ],
)
def prelu_channel_grad(x, grad_output):
    """prelu_channel_grad(x, grad_output) -> dL/da of shape (C,), one slope per channel
    of x (N, C, H, W)

    The reference is the package's PReLU backward pass, one slope per channel (axis 1).
    """
    return prelu_backward(x, np.full(x.shape[1], 0.25), grad_output)[1]


@prelu_channel_grad.mistake("the contributions not summed")
def _(x, g):
    """G min(0, x) has the shape of x: it holds the contributions. The slope of channel c receives
    the sum of those of its channel."""
    return np.minimum(x, 0) * g


@prelu_channel_grad.mistake("summed over the batch only")
def _(x, g):
    """The positions of a feature map share the slope too: sum over the batch and over height and
    width, axes (0, 2, 3), leaving (C,)."""
    return (np.minimum(x, 0) * g).sum(axis=0)


@prelu_channel_grad.mistake("summed over every channel")
def _(x, g):
    """With one slope per channel, each slope collects only its own channel's contributions; the
    total over all channels is the gradient of a single shared slope."""
    return np.full(x.shape[1], (np.minimum(x, 0) * g).sum())


def dropout_cases(rng: np.random.Generator) -> list[tuple]:
    """Inputs with a 0/1 keep-mask, in training and at evaluation."""
    x, p = rng.normal(size=(3, 4)), 0.25
    keep = (rng.random(x.shape) >= p).astype(float)
    return [
        (x, keep, p, True),
        (x, keep, p, False),
        (np.array([[2.0, -1.0]]), np.ones((1, 2)), 0.5, True),
    ]


@exercise("ex-layers-dropout", section="ch-layers", cases=dropout_cases)
def dropout(x, keep, p, training):
    """dropout(x, keep, p, training), inverted dropout with the keep-mask keep

    Inverted dropout: x m / (1 - p) in training, x at evaluation.
    """
    return x * keep / (1 - p) if training else x


@dropout.mistake("no rescaling in training")
def _(x, m, p, training):
    """Without the factor 1 / (1 - p) the training outputs are (1 - p) times smaller on average than
    at evaluation, so the next layer meets inputs of another size at test time."""
    return x * m if training else x


@dropout.mistake("the test outputs scaled again")
def _(x, m, p, training):
    """Inverted dropout rescales in training so that evaluation needs nothing: scaling by 1 - p at
    test time as well makes the test activations (1 - p) times too small."""
    return x * m / (1 - p) if training else (1 - p) * x


@dropout.mistake("the original scheme, not inverted dropout")
def _(x, m, p, training):
    """Keeping training outputs unscaled and multiplying by 1 - p at test time is the original
    formulation; the book, PyTorch and nncourse use inverted dropout, x m / (1 - p) in training and
    x at evaluation."""
    return x * m if training else (1 - p) * x


# --- training practice --------------------------------------------------------------------


def per_sample_reference(X, y, W):
    """Each sample's cross-entropy gradient in W, logits X W^T: rows of cross_entropy_grad."""
    return cross_entropy_grad(X @ W.T, y, reduction="sum")[:, :, None] * X[:, None, :]


@exercise(
    "ex-practice-per-sample-grads",
    section="ch-practice",
    cases=lambda rng: [
        (rng.normal(size=(5, 4)), rng.integers(0, 3, 5), rng.normal(size=(3, 4))),
        (rng.normal(size=(1, 2)), np.array([1]), rng.normal(size=(2, 2))),
    ],
)
def per_sample_grads(X, y, W):
    """per_sample_grads(X, y, W) -> (N, C, D), each sample's cross-entropy gradient in W"""
    return per_sample_reference(X, y, W)


@per_sample_grads.mistake("the batch's mean taken")
def _(X, y, W):
    """Each entry is the gradient of one sample's loss: no division by N. The mean of the N entries
    is the gradient of the mean loss."""
    return per_sample_reference(X, y, W) / len(y)


@per_sample_grads.mistake("the sign flipped")
def _(X, y, W):
    """dL/dz = softmax(z) - onehot(y), prediction minus target."""
    return -per_sample_reference(X, y, W)


@per_sample_grads.mistake("the batch gradient repeated for every sample")
def _(X, y, W):
    """The point is the spread of the samples' gradients around their mean: entry i is (p_i - y_i)
    x_i^T for sample i."""
    return np.broadcast_to(per_sample_reference(X, y, W).mean(axis=0), (len(y), *W.shape))
