"""The exercises of the Training part, on backward passes, regularised and adaptive steps.

The references are the package's own layers and optimizers, run on the learner's inputs, so an
exercise checks a hand-written step against exactly what ``nncourse.nn`` and ``nncourse.optim``
compute.
"""

from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from .. import nn, optim
from ..activations import prelu_backward
from .core import Exercise, register

# --- dense layers and backpropagation -------------------------------------------------------


def dense_backward(X, W, b, grad_output):
    """(dL/dX, dL/dW, dL/db) of Y = X W^T + b, by the package's Linear layer."""
    layer = nn.Linear(W.shape[1], W.shape[0])
    layer.weight.data, layer.bias.data = W, b
    layer(X)
    grad_X = layer.backward(grad_output)
    return grad_X, layer.weight.grad, layer.bias.grad


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


register(
    Exercise(
        id="ex-backprop-dense-backward",
        title="dense_backward(X, W, b, grad_output) -> (grad_X, grad_W, grad_b) of Y = X W^T + b",
        reference=dense_backward,
        cases=dense_cases,
        section="ch-backprop",
        mistakes={
            "the weight gradient transposed": lambda X, W, b, G: (G @ W, X.T @ G, G.sum(0)),
            "the bias gradient averaged": lambda X, W, b, G: (G @ W, G.T @ X, G.mean(0)),
            "the input gradient transposed": lambda X, W, b, G: (W.T @ G.T, G.T @ X, G.sum(0)),
        },
        hints={
            "the weight gradient transposed": "dL/dW has W's shape (out, in): G^T X, not X^T G.",
            "the bias gradient averaged": "The bias is added to every sample, so its gradient "
            "sums G over the batch; the mean, if any, is already in G.",
            "the input gradient transposed": "dL/dX has X's shape (N, in): G W, not W^T G^T.",
        },
    )
)


def two_layer_backward(X, y, W1, b1, W2, b2, *, tanh_grad="1 - a^2", mean=True):
    """The four gradients of mean cross-entropy after Linear -> tanh -> Linear, by hand.

    The keywords make the classic wrong versions: ``tanh_grad`` is the local derivative used
    (``"1 - a^2"`` is right) and ``mean=False`` forgets the mean over the batch.
    """
    a = np.tanh(X @ W1.T + b1)
    z = a @ W2.T + b2
    p = np.exp(z - z.max(axis=1, keepdims=True))
    p /= p.sum(axis=1, keepdims=True)
    grad_z = (p - np.eye(z.shape[1])[y]) / (len(y) if mean else 1)
    local = {"1 - a^2": 1 - a**2, "1 - a": 1 - a, "none": np.ones_like(a)}[tanh_grad]
    grad_h = (grad_z @ W2) * local
    return {"W1": grad_h.T @ X, "b1": grad_h.sum(0), "W2": grad_z.T @ a, "b2": grad_z.sum(0)}


def two_layer_reference(X, y, W1, b1, W2, b2):
    """The same gradients from nncourse.nn: Linear, Tanh, Linear and CrossEntropyLoss."""
    first, second = nn.Linear(X.shape[1], len(b1)), nn.Linear(len(b1), len(b2))
    first.weight.data, first.bias.data, second.weight.data, second.bias.data = W1, b1, W2, b2
    model, criterion = nn.Sequential(first, nn.Tanh(), second), nn.CrossEntropyLoss()
    criterion(model(X), y)
    model.backward(criterion.backward())
    grads = (first.weight.grad, first.bias.grad, second.weight.grad, second.bias.grad)
    return dict(zip(("W1", "b1", "W2", "b2"), grads, strict=True))


register(
    Exercise(
        id="ex-backprop-two-layer",
        title="two_layer_backward(X, y, W1, b1, W2, b2) -> dict of the four gradients",
        reference=two_layer_reference,
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
        section="ch-backprop",
        mistakes={
            "the tanh derivative forgotten": lambda *a: two_layer_backward(*a, tanh_grad="none"),
            "tanh' taken as 1 - a": lambda *a: two_layer_backward(*a, tanh_grad="1 - a"),
            "the mean over the batch forgotten": lambda *a: two_layer_backward(*a, mean=False),
        },
        hints={
            "the tanh derivative forgotten": "Going back through the hidden layer multiplies by "
            "its local derivative: delta = (delta_out W2) * tanh'(z1).",
            "tanh' taken as 1 - a": "tanh'(z) = 1 - tanh(z)^2: square the activation.",
            "the mean over the batch forgotten": "The loss is the mean over N samples: "
            "dL/dz2 = (softmax(z2) - onehot(y)) / N.",
        },
    )
)

# --- layers ---------------------------------------------------------------------------------


def maxpool_reference(x, grad_output):
    pool = nn.MaxPool2d(2)
    pool(x)
    return pool.backward(grad_output)


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


register(
    Exercise(
        id="ex-layers-maxpool-backward",
        title="maxpool2x2_backward(x, grad_output), 2 x 2 windows, stride 2",
        reference=maxpool_reference,
        cases=lambda rng: [
            (rng.normal(size=(2, 3, 4, 4)), rng.normal(size=(2, 3, 2, 2))),
            (rng.integers(0, 3, size=(1, 1, 4, 6)).astype(float), rng.normal(size=(1, 1, 2, 3))),
        ],
        section="ch-layers",
        mistakes={
            "the gradient copied to the whole window": lambda x, g: maxpool_spread(
                x, g, lambda win, g: np.broadcast_to(g, win.shape)
            ),
            "the gradient shared out as for average pooling": lambda x, g: maxpool_spread(
                x, g, lambda win, g: np.broadcast_to(g / 4, win.shape)
            ),
            "every tied maximum given the gradient": lambda x, g: maxpool_spread(
                x, g, lambda win, g: (win == win.max(-1, keepdims=True)) * g
            ),
        },
        hints={
            "the gradient copied to the whole window": "The output is one entry of the window, "
            "the maximum: only that entry receives the gradient, the others get 0.",
            "the gradient shared out as for average pooling": "G / 4 to each entry is the "
            "backward pass of average pooling; max pooling routes all of G to the maximum.",
            "every tied maximum given the gradient": "With a tie the output still comes from one "
            "entry: give G to the first maximum in row-major order (argmax), as PyTorch does.",
        },
    )
)


def conv_reference(x, kernel, grad_output):
    """(dL/dX, dL/dK, dL/db) of one-channel Y = b + K (*) X, by the package's Conv2d."""
    conv = nn.Conv2d(1, 1, kernel.shape[0])
    conv.weight.data = kernel[None, None]
    conv(x[None, None])
    grad_x = conv.backward(grad_output[None, None])
    return grad_x[0, 0], conv.weight.grad[0, 0], float(conv.bias.grad[0])


def full_correlation(grad_output, kernel):
    """sum_ij G[p - k + 1 + i, q - k + 1 + j] K[i, j]: G padded by k - 1, slid over by K."""
    k = kernel.shape[0]
    padded = np.pad(grad_output, k - 1)
    return np.einsum("pqij,ij->pq", sliding_window_view(padded, kernel.shape), kernel)


def conv_variant(x, kernel, grad_output, *, flip=True, sum_bias=True):
    grad_kernel = np.einsum("ijhw,hw->ij", sliding_window_view(x, grad_output.shape), grad_output)
    grad_x = full_correlation(grad_output, kernel[::-1, ::-1] if flip else kernel)
    return grad_x, grad_kernel, float(grad_output.sum()) if sum_bias else grad_output


register(
    Exercise(
        id="ex-layers-conv-backward",
        title="conv_backward(x, kernel, grad_output) -> (dL/dX, dL/dK, dL/db), 1 channel, stride 1",
        reference=conv_reference,
        cases=lambda rng: [
            (rng.normal(size=(5, 6)), rng.normal(size=(3, 3)), rng.normal(size=(3, 4))),
            (rng.normal(size=(4, 4)), rng.normal(size=(2, 2)), rng.normal(size=(3, 3))),
        ],
        section="ch-layers",
        mistakes={
            "the kernel flipped in dL/dX": lambda x, k, g: conv_variant(x, k, g, flip=False),
            "the bias gradient not summed": lambda x, k, g: conv_variant(x, k, g, sum_bias=False),
        },
        hints={
            "the kernel flipped in dL/dX": "Pixel X[p, q] meets K[i, j] in output (p - i, q - j): "
            "dL/dX is the full convolution of G with K, i.e. a correlation with K rotated by 180 "
            "degrees, padded by k - 1.",
            "the bias gradient not summed": "The bias is added to every output pixel, so its "
            "gradient is the sum of G: a single number.",
        },
    )
)


def prelu_slope_reference(x, grad_output):
    return float(prelu_backward(x, np.array([0.25]), grad_output)[1][0])


register(
    Exercise(
        id="ex-layers-prelu-slope-grad",
        title="prelu_slope_grad(x, grad_output), dL/da for one slope a shared by every entry",
        reference=prelu_slope_reference,
        cases=lambda rng: [
            (rng.normal(size=(3, 4)), rng.normal(size=(3, 4))),
            (np.array([[-4.0, 2.0], [-0.5, 1.0]]), np.array([[1.0, 2.0], [-3.0, 0.5]])),
        ],
        section="ch-layers",
        mistakes={
            "the slope's gradient not summed": lambda x, g: np.minimum(x, 0) * g,
            "x in place of min(0, x)": lambda x, g: float((x * g).sum()),
            "max(0, x) in place of min(0, x)": lambda x, g: float((np.maximum(x, 0) * g).sum()),
        },
        hints={
            "the slope's gradient not summed": "One slope acts on every entry, so its gradient "
            "adds up the contributions min(0, x) G of all of them: a single number.",
            "x in place of min(0, x)": "The slope multiplies only the negative entries: "
            "positive ones do not depend on a.",
            "max(0, x) in place of min(0, x)": "y = max(0, x) + a min(0, x): a multiplies "
            "min(0, x).",
        },
        errata={"the slope's gradient not summed": "ps3-prelu-slope-gradient-not-summed"},
    )
)

# --- regularisation and optimizers ----------------------------------------------------------


def sgd_step(w, grad, lr, weight_decay):
    """One step of the package's SGD with weight decay, from `w` with gradient `grad`."""
    parameter = nn.Parameter(w)
    parameter.grad += grad
    optim.SGD([parameter], lr=lr, weight_decay=weight_decay).step()
    return parameter.data


def steps_cases(rng: np.random.Generator) -> list[tuple]:
    return [
        (rng.normal(size=4), rng.normal(size=4)),
        (np.array([[1.0, -2.0]]), np.array([[0.5, 0.5]])),
    ]


register(
    Exercise(
        id="ex-regularization-sgd-l2-step",
        title="sgd_l2_step(w, grad, lr, weight_decay): one SGD step on L + weight_decay/2 |w|^2",
        reference=sgd_step,
        cases=lambda rng: [(*case, 0.1, 0.3) for case in steps_cases(rng)],
        section="ch-regularization",
        mistakes={
            "the decay's sign flipped": lambda w, g, lr, wd: w - lr * (g - wd * w),
            "the decay not scaled by the learning rate": lambda w, g, lr, wd: w - lr * g - wd * w,
            "the decay doubled": lambda w, g, lr, wd: w - lr * (g + 2 * wd * w),
        },
        hints={
            "the decay's sign flipped": "The penalty's gradient weight_decay * w is added to the "
            "loss's gradient, and the step subtracts both: the weights shrink.",
            "the decay not scaled by the learning rate": "w <- w - lr (grad + lambda w) = "
            "(1 - lr lambda) w - lr grad: the decay is multiplied by the learning rate too.",
            "the decay doubled": "With the penalty (lambda/2)|w|^2 the gradient is lambda w; 2 "
            "lambda w belongs to the penalty lambda |w|^2. Say which convention you use.",
        },
        errata={
            "the decay's sign flipped": "ps1-l2-update-sign",
            "the decay not scaled by the learning rate": "ps1-l2-update-no-learning-rate",
        },
    )
)


def momentum_reference(w, grad, buffer, lr, momentum):
    """PyTorch's momentum from a given buffer: b <- mu b + g, then w <- w - lr b."""
    buffer = momentum * buffer + grad
    return w - lr * buffer, buffer


register(
    Exercise(
        id="ex-optimizers-momentum-step",
        title="momentum_step(w, grad, buffer, lr, momentum) -> (w, buffer), PyTorch's rule",
        reference=momentum_reference,
        cases=lambda rng: [(w, g, rng.normal(size=w.shape), 0.1, 0.9) for w, g in steps_cases(rng)],
        section="ch-optimizers",
        mistakes={
            "the learning rate inside the buffer": lambda w, g, b, lr, mu: (
                w - (mu * b + lr * g),
                mu * b + lr * g,
            ),
            "the old buffer used for the step": lambda w, g, b, lr, mu: (w - lr * b, mu * b + g),
            "the gradient dampened by 1 - momentum": lambda w, g, b, lr, mu: (
                w - lr * (mu * b + (1 - mu) * g),
                mu * b + (1 - mu) * g,
            ),
        },
        hints={
            "the learning rate inside the buffer": "PyTorch's buffer holds gradients, b <- mu b "
            "+ g, and the step is lr b. Sutskever's v <- mu v + lr g is the same only while lr "
            "never changes.",
            "the old buffer used for the step": "Update the buffer first, then step with the new "
            "one.",
            "the gradient dampened by 1 - momentum": "That is an exponential average; PyTorch's "
            "momentum adds the whole gradient (dampening = 0).",
        },
    )
)


def rmsprop_reference(w, grad, square_avg, lr, alpha, eps):
    """RMSprop's step from a given running average v: v <- alpha v + (1 - alpha) g^2."""
    v = alpha * square_avg + (1 - alpha) * grad**2
    return w - lr * grad / (np.sqrt(v) + eps), v


def adam_reference(w, grad, m, v, t, lr, beta1, beta2, eps):
    """Adam's step t (from 1) from given moments: the box of ``nncourse.optim.Adam``."""
    m = beta1 * m + (1 - beta1) * grad
    v = beta2 * v + (1 - beta2) * grad**2
    m_hat, v_hat = m / (1 - beta1**t), v / (1 - beta2**t)
    return w - lr * m_hat / (np.sqrt(v_hat) + eps), m, v


register(
    Exercise(
        id="ex-optimizers-rmsprop-step",
        title="rmsprop_step(w, grad, square_avg, lr, alpha, eps) -> (w, square_avg)",
        reference=rmsprop_reference,
        cases=lambda rng: [
            (w, g, rng.uniform(0, 1, w.shape), 0.01, 0.9, 1e-2) for w, g in steps_cases(rng)
        ],
        section="ch-optimizers",
        mistakes={
            "alpha and 1 - alpha swapped": lambda w, g, v, lr, a, eps: rmsprop_reference(
                w, g, v, lr, 1 - a, eps
            ),
            "eps inside the square root": lambda w, g, v, lr, a, eps: (
                w - lr * g / np.sqrt(a * v + (1 - a) * g**2 + eps),
                a * v + (1 - a) * g**2,
            ),
            "the gradient not squared": lambda w, g, v, lr, a, eps: (
                w - lr * g / (np.sqrt(a * v + (1 - a) * np.abs(g)) + eps),
                a * v + (1 - a) * np.abs(g),
            ),
        },
        hints={
            "alpha and 1 - alpha swapped": "alpha (0.9 or 0.99) weights the old average: "
            "v <- alpha v + (1 - alpha) g^2.",
            "eps inside the square root": "PyTorch adds eps after the square root: "
            "g / (sqrt(v) + eps).",
            "the gradient not squared": "v averages g^2, the squared gradient; its square root "
            "is then the gradient's root mean square.",
        },
    )
)

register(
    Exercise(
        id="ex-optimizers-adam-step",
        title="adam_step(w, grad, m, v, t, lr, beta1, beta2, eps) -> (w, m, v), step t from 1",
        reference=adam_reference,
        cases=lambda rng: [
            (
                w,
                g,
                rng.normal(size=w.shape) * 0.1,
                rng.uniform(0, 0.1, w.shape),
                t,
                0.01,
                0.9,
                0.999,
                1e-3,
            )
            for (w, g), t in zip(steps_cases(rng), (1, 3), strict=True)
        ],
        section="ch-optimizers",
        mistakes={
            "the bias correction forgotten": lambda w, g, m, v, t, lr, b1, b2, eps: (
                _adam_uncorrected(w, g, m, v, lr, b1, b2, eps)
            ),
            "the betas swapped": lambda w, g, m, v, t, lr, b1, b2, eps: adam_reference(
                w, g, m, v, t, lr, b2, b1, eps
            ),
            "eps inside the square root": lambda w, g, m, v, t, lr, b1, b2, eps: _adam_eps_inside(
                w, g, m, v, t, lr, b1, b2, eps
            ),
        },
        hints={
            "the bias correction forgotten": "m and v start at 0, so early on they are too "
            "small: divide by 1 - beta1^t and 1 - beta2^t.",
            "the betas swapped": "beta1 (0.9) averages the gradient, beta2 (0.999) its square.",
            "eps inside the square root": "Adam adds eps after the square root: "
            "m_hat / (sqrt(v_hat) + eps).",
        },
    )
)


def _adam_uncorrected(w, g, m, v, lr, beta1, beta2, eps):
    m = beta1 * m + (1 - beta1) * g
    v = beta2 * v + (1 - beta2) * g**2
    return w - lr * m / (np.sqrt(v) + eps), m, v


def _adam_eps_inside(w, g, m, v, t, lr, beta1, beta2, eps):
    _, m, v = adam_reference(w, g, m, v, t, lr, beta1, beta2, eps)
    return w - lr * (m / (1 - beta1**t)) / np.sqrt(v / (1 - beta2**t) + eps), m, v
