"""Optimizers and schedules against independent transcriptions of PyTorch's documented algorithms.

Each ``reference_*`` function below is written from the algorithm box in PyTorch's documentation
(``torch.optim.SGD``, ``Adagrad``, ``RMSprop``, ``Adam``, ``AdamW``) as plain NumPy on one array,
without the package's classes; the tests run both on the same gradients and compare.
"""

import itertools
import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from nncourse.nn import Parameter
from nncourse.optim import (
    SGD,
    Adagrad,
    Adam,
    AdamW,
    CosineAnnealingLR,
    ExponentialLR,
    LRScheduler,
    Optimizer,
    RMSprop,
    StepLR,
)

N_STEPS = 100
SHAPES = [(3, 4), (5,)]


# --- independent transcriptions of PyTorch's algorithm boxes -----------------------------------


def reference_sgd(
    theta,
    grad_fn,
    steps,
    lr,
    momentum=0.0,
    dampening=0.0,
    weight_decay=0.0,
    nesterov=False,
    maximize=False,
):
    theta = theta.copy()
    b = None
    for t in range(1, steps + 1):
        g = grad_fn(t, theta)
        if maximize:
            g = -g
        if weight_decay != 0:
            g = g + weight_decay * theta
        if momentum != 0:
            b = g.copy() if t == 1 else momentum * b + (1 - dampening) * g
            g = g + momentum * b if nesterov else b
        theta = theta - lr * g
    return theta


def reference_adagrad(
    theta,
    grad_fn,
    steps,
    lr=0.01,
    lr_decay=0.0,
    weight_decay=0.0,
    initial_accumulator_value=0.0,
    eps=1e-10,
    maximize=False,
):
    theta = theta.copy()
    state_sum = np.full_like(theta, initial_accumulator_value)
    for t in range(1, steps + 1):
        g = grad_fn(t, theta)
        if maximize:
            g = -g
        decayed_lr = lr / (1 + (t - 1) * lr_decay)
        if weight_decay != 0:
            g = g + weight_decay * theta
        state_sum = state_sum + g**2
        theta = theta - decayed_lr * g / (np.sqrt(state_sum) + eps)
    return theta


def reference_rmsprop(
    theta,
    grad_fn,
    steps,
    lr=0.01,
    alpha=0.99,
    eps=1e-8,
    weight_decay=0.0,
    momentum=0.0,
    centered=False,
    maximize=False,
):
    theta = theta.copy()
    v = np.zeros_like(theta)
    b = np.zeros_like(theta)
    g_ave = np.zeros_like(theta)
    for t in range(1, steps + 1):
        g = grad_fn(t, theta)
        if maximize:
            g = -g
        if weight_decay != 0:
            g = g + weight_decay * theta
        v = alpha * v + (1 - alpha) * g**2
        v_tilde = v
        if centered:
            g_ave = alpha * g_ave + (1 - alpha) * g
            v_tilde = v_tilde - g_ave**2
        if momentum > 0:
            b = momentum * b + g / (np.sqrt(v_tilde) + eps)
            theta = theta - lr * b
        else:
            theta = theta - lr * g / (np.sqrt(v_tilde) + eps)
    return theta


def reference_adam(
    theta,
    grad_fn,
    steps,
    lr=1e-3,
    betas=(0.9, 0.999),
    eps=1e-8,
    weight_decay=0.0,
    amsgrad=False,
    maximize=False,
    decoupled=False,
):
    """Adam's box, or with ``decoupled=True`` AdamW's (whose only change is the decay line)."""
    beta1, beta2 = betas
    theta = theta.copy()
    m = np.zeros_like(theta)
    v = np.zeros_like(theta)
    v_max = np.zeros_like(theta)
    for t in range(1, steps + 1):
        g = grad_fn(t, theta)
        if maximize:
            g = -g
        if decoupled:
            theta = theta - lr * weight_decay * theta
        elif weight_decay != 0:
            g = g + weight_decay * theta
        m = beta1 * m + (1 - beta1) * g
        v = beta2 * v + (1 - beta2) * g**2
        m_hat = m / (1 - beta1**t)
        if amsgrad:
            v_max = np.maximum(v_max, v)
            v_hat = v_max / (1 - beta2**t)
        else:
            v_hat = v / (1 - beta2**t)
        theta = theta - lr * m_hat / (np.sqrt(v_hat) + eps)
    return theta


def reference_adamw(theta, grad_fn, steps, weight_decay=0.01, **options):
    return reference_adam(
        theta, grad_fn, steps, weight_decay=weight_decay, decoupled=True, **options
    )


# --- gradient sources ------------------------------------------------------------------------


def fixed_sequence(shape, seed):
    """A seeded sequence of gradients, independent of theta: large for 20 steps, then small
    (so AMSGrad's maximum matters), with about a fifth of the entries exactly zero."""
    rng = np.random.default_rng(seed)
    scale = np.where(np.arange(1, N_STEPS + 1) <= 20, 10.0, 0.1)
    grads = rng.normal(size=(N_STEPS, *shape)) * scale.reshape(-1, *([1] * len(shape)))
    grads[rng.random(grads.shape) < 0.2] = 0.0
    return lambda t, theta: grads[t - 1]


def noisy_quadratic(shape, seed):
    """The gradient of sum(a * theta**2 / 2) plus seeded noise: it depends on theta."""
    rng = np.random.default_rng(seed)
    curvature = rng.uniform(0.1, 2.0, size=shape)
    noise = rng.normal(scale=0.3, size=(N_STEPS, *shape))
    return lambda t, theta: curvature * theta + noise[t - 1]


GRADIENT_SOURCES = {"fixed_sequence": fixed_sequence, "noisy_quadratic": noisy_quadratic}


def run_nncourse(optimizer_class, kind, steps=N_STEPS, **options):
    """Two parameters of different shapes in one group, `steps` steps: (initial, final, sources)."""
    rng = np.random.default_rng(42)
    initial = [rng.normal(size=shape) for shape in SHAPES]
    sources = [GRADIENT_SOURCES[kind](shape, seed) for seed, shape in enumerate(SHAPES)]
    params = [Parameter(theta) for theta in initial]
    optimizer = optimizer_class(params, **options)
    for t in range(1, steps + 1):
        optimizer.zero_grad()
        for p, source in zip(params, sources, strict=True):
            p.grad += source(t, p.data.copy())
        optimizer.step()
    return initial, [p.data for p in params], sources


def assert_matches_reference(optimizer_class, reference, kind, options):
    initial, final, sources = run_nncourse(optimizer_class, kind, **options)
    for theta0, actual, source in zip(initial, final, sources, strict=True):
        expected = reference(theta0, source, N_STEPS, **options)
        assert np.all(np.isfinite(expected))
        np.testing.assert_allclose(actual, expected, rtol=1e-10, atol=0)


def option_grid(**choices):
    names = list(choices)
    return [
        dict(zip(names, values, strict=True)) for values in itertools.product(*choices.values())
    ]


def option_id(options):
    return ",".join(f"{key}={value}" for key, value in options.items())


SGD_OPTIONS = [
    options
    for options in option_grid(
        lr=[0.01],
        momentum=[0.0, 0.9],
        dampening=[0.0, 0.3],
        weight_decay=[0.0, 0.05],
        nesterov=[False, True],
        maximize=[False, True],
    )
    if not options["nesterov"] or (options["momentum"] > 0 and options["dampening"] == 0)
]
ADAGRAD_OPTIONS = option_grid(
    lr=[0.1],
    weight_decay=[0.0, 0.05],
    lr_decay=[0.0, 0.01],
    initial_accumulator_value=[0.0, 0.5],
    maximize=[False, True],
)
RMSPROP_OPTIONS = option_grid(
    lr=[0.01],
    alpha=[0.9],
    momentum=[0.0, 0.9],
    centered=[False, True],
    weight_decay=[0.0, 0.05],
    maximize=[False, True],
)
ADAM_OPTIONS = option_grid(
    lr=[0.01],
    betas=[(0.9, 0.999), (0.5, 0.9)],
    amsgrad=[False, True],
    weight_decay=[0.0, 0.05],
    maximize=[False, True],
)


# Each optimizer, its reference transcription and the options it is compared under.
DOCUMENTED_ALGORITHMS = [
    pytest.param(
        optimizer_class, reference, options, id=f"{optimizer_class.__name__}-{option_id(options)}"
    )
    for optimizer_class, reference, option_list in [
        (SGD, reference_sgd, SGD_OPTIONS),
        (Adagrad, reference_adagrad, ADAGRAD_OPTIONS),
        (RMSprop, reference_rmsprop, RMSPROP_OPTIONS),
        (Adam, reference_adam, ADAM_OPTIONS),
        (AdamW, reference_adamw, ADAM_OPTIONS),
    ]
    for options in option_list
]


@pytest.mark.parametrize("kind", GRADIENT_SOURCES)
@pytest.mark.parametrize(("optimizer_class", "reference", "options"), DOCUMENTED_ALGORITHMS)
def test_optimizer_matches_documented_algorithm(optimizer_class, reference, options, kind):
    assert_matches_reference(optimizer_class, reference, kind, options)


def test_adamw_default_weight_decay_matches_documented_algorithm():
    assert_matches_reference(AdamW, reference_adamw, "noisy_quadratic", {"lr": 0.01})


@pytest.mark.parametrize("optimizer_class", [Adam, AdamW])
def test_amsgrad_changes_the_trajectory_on_the_test_gradients(optimizer_class):
    # guards the comparisons above: the gradient sequence does exercise the running maximum
    _, plain, _ = run_nncourse(optimizer_class, "fixed_sequence", lr=0.01)
    _, ams, _ = run_nncourse(optimizer_class, "fixed_sequence", lr=0.01, amsgrad=True)
    assert not np.allclose(plain[0], ams[0], rtol=1e-3)


# --- hand-computed steps -----------------------------------------------------------------------


def run_steps(optimizer, param, grads):
    for g in grads:
        optimizer.zero_grad()
        param.grad += g
        optimizer.step()
    return param.data


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        ({}, 0.7),  # 1 - 0.1 * (1 + 1 + 1)
        ({"momentum": 0.9}, 0.439),  # b = 1, 1.9, 2.71
        ({"momentum": 0.9, "nesterov": True}, 0.1951),  # g + 0.9 b = 1.9, 2.71, 3.439
        ({"momentum": 0.9, "dampening": 0.5}, 0.584),  # b = 1 (no dampening), 1.4, 1.76
        ({"weight_decay": 1.0}, 0.458),  # theta <- theta - 0.1 (1 + theta): 0.8, 0.62, 0.458
        ({"maximize": True}, 1.3),
    ],
)
def test_sgd_three_steps_by_hand(options, expected):
    w = Parameter([1.0])
    final = run_steps(SGD([w], lr=0.1, **options), w, [1.0, 1.0, 1.0])
    np.testing.assert_allclose(final, [expected], rtol=1e-14)


def test_sgd_first_momentum_buffer_is_a_copy_of_the_gradient():
    w = Parameter([0.0, 0.0])
    optimizer = SGD([w], lr=0.1, momentum=0.9)
    w.grad += [1.0, 2.0]
    optimizer.step()
    w.grad[...] = 100.0  # must not reach the buffer
    np.testing.assert_array_equal(optimizer.state[w]["momentum_buffer"], [1.0, 2.0])


def test_state_is_empty_until_a_step_and_then_per_parameter():
    w, v = Parameter([0.0]), Parameter([0.0])
    optimizer = SGD([w, v], lr=0.1, momentum=0.9)
    assert len(optimizer.state) == 0 and optimizer.state[w] == {}  # as PyTorch's defaultdict
    optimizer.step()
    assert set(optimizer.state) == {w, v}
    assert optimizer.state[w]["momentum_buffer"] is not optimizer.state[v]["momentum_buffer"]


def test_adam_first_step_is_lr_times_sign_of_gradient():
    w = Parameter(np.zeros(5))
    g = np.array([-1e3, -2.0, 1e-3, 0.5, 7.0])
    final = run_steps(Adam([w], lr=0.01, eps=0.0), w, [g])
    np.testing.assert_allclose(final, -0.01 * np.sign(g), rtol=1e-14)


def test_adam_first_step_with_eps_is_within_lr_eps_over_abs_g_of_lr_sign_g():
    w = Parameter(np.zeros(3))
    g = np.array([-4.0, 0.25, 2.0])
    final = run_steps(Adam([w], lr=0.1), w, [g])
    np.testing.assert_allclose(final, -0.1 * g / (np.abs(g) + 1e-8), rtol=1e-14)
    assert np.max(np.abs(final + 0.1 * np.sign(g))) <= 0.1 * 1e-8 / 0.25


def test_amsgrad_takes_the_maximum_of_the_raw_second_moment():
    # betas (0.5, 0.5), eps 0, gradients 1 then 0:
    # t=1: m_hat = 1, v_hat = 1, step lr.
    # t=2: m = 0.25, m_hat = 1/3; v = 0.25 but v_max = 0.5, v_hat = 0.5 / 0.75 = 2/3,
    #      step lr (1/3) / sqrt(2/3) = lr / sqrt(6).
    # (The maximum of the corrected v_hat, max(1, 1/3) = 1, would give lr / 3 instead.)
    w = Parameter([0.0])
    final = run_steps(Adam([w], lr=0.1, betas=(0.5, 0.5), eps=0.0, amsgrad=True), w, [1.0, 0.0])
    np.testing.assert_allclose(final, [-0.1 * (1 + 1 / math.sqrt(6))], rtol=1e-14)
    w = Parameter([0.0])
    final = run_steps(Adam([w], lr=0.1, betas=(0.5, 0.5), eps=0.0), w, [1.0, 0.0])
    np.testing.assert_allclose(final, [-0.1 * (1 + 1 / math.sqrt(3))], rtol=1e-14)


def test_adagrad_steps_by_hand():
    w = Parameter([0.0])
    final = run_steps(Adagrad([w], lr=1.0, eps=0.0), w, [3.0, 4.0])
    np.testing.assert_allclose(final, [-(3 / 3 + 4 / 5)], rtol=1e-14)
    w = Parameter([0.0])
    final = run_steps(Adagrad([w], lr=1.0, lr_decay=1.0, eps=0.0), w, [3.0, 4.0])
    np.testing.assert_allclose(final, [-(3 / 3 + 0.5 * 4 / 5)], rtol=1e-14)  # lr / (1 + 1 * 1)
    w = Parameter([0.0])
    final = run_steps(Adagrad([w], lr=1.0, initial_accumulator_value=16.0, eps=0.0), w, [3.0])
    np.testing.assert_allclose(final, [-3 / 5], rtol=1e-14)  # sqrt(16 + 9)


def test_rmsprop_first_step_by_hand():
    w = Parameter([0.0])
    final = run_steps(RMSprop([w], lr=0.01, eps=0.0), w, [2.0])
    np.testing.assert_allclose(final, [-0.01 * 2 / math.sqrt(0.01 * 4)], rtol=1e-14)
    w = Parameter([0.0])
    final = run_steps(RMSprop([w], lr=0.01, eps=0.0, centered=True), w, [2.0])
    # v = 0.04, g_ave = 0.02, v - g_ave^2 = 0.0396
    np.testing.assert_allclose(final, [-0.01 * 2 / math.sqrt(0.0396)], rtol=1e-14)


def test_rmsprop_momentum_accumulates_normalised_steps():
    w = Parameter([0.0])
    final = run_steps(RMSprop([w], lr=0.1, alpha=0.0, eps=0.0, momentum=0.5), w, [2.0, 2.0])
    # alpha = 0: v = g^2, each normalised gradient is 1; b = 1, then 0.5 + 1 = 1.5
    np.testing.assert_allclose(final, [-0.1 * (1 + 1.5)], rtol=1e-14)


def test_adamw_decays_before_the_adam_update():
    w = Parameter([2.0])
    final = run_steps(AdamW([w], lr=0.1, weight_decay=0.5, eps=0.0), w, [3.0])
    np.testing.assert_allclose(final, [2.0 * (1 - 0.05) - 0.1], rtol=1e-14)


# --- parameters whose gradient is zero are still updated -------------------------------------


def test_momentum_keeps_moving_a_parameter_whose_gradient_is_zero():
    w = Parameter([0.0])
    final = run_steps(SGD([w], lr=1.0, momentum=0.5), w, [1.0, 0.0, 0.0])
    np.testing.assert_allclose(final, [-(1 + 0.5 + 0.25)], rtol=1e-14)


def test_adamw_shrinks_a_parameter_whose_gradient_is_zero():
    w = Parameter([1.0, -3.0])
    final = run_steps(AdamW([w], lr=0.1, weight_decay=0.2), w, [0.0] * 10)
    np.testing.assert_allclose(final, np.array([1.0, -3.0]) * 0.98**10, rtol=1e-13)


def test_adamw_default_weight_decay_is_pytorchs():
    assert AdamW([Parameter([0.0])]).defaults["weight_decay"] == 0.01
    assert Adam([Parameter([0.0])]).defaults["weight_decay"] == 0


@pytest.mark.parametrize(
    "make_optimizer",
    [
        lambda ps: Adam(ps, eps=0.0),
        lambda ps: Adam(ps, eps=0.0, amsgrad=True),
        lambda ps: Adagrad(ps, eps=0.0),
        lambda ps: RMSprop(ps, eps=0.0),
        lambda ps: RMSprop(ps, eps=0.0, centered=True, momentum=0.9),
    ],
)
def test_zero_gradient_with_zero_eps_gives_no_nan(make_optimizer):
    w = Parameter([1.0, -2.0])
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        final = run_steps(make_optimizer([w]), w, [0.0, 0.0])
    np.testing.assert_array_equal(final, [1.0, -2.0])


def test_rmsprop_centered_variance_rounded_below_zero_is_clipped():
    # found by search: with alpha = 1e-15 and a constant gradient, v - g_ave^2 rounds below 0
    alpha, g = 1e-15, 13.559980252904909
    v = g_ave = 0.0
    negative = False
    for _ in range(5):
        v = alpha * v + (1 - alpha) * g * g
        g_ave = alpha * g_ave + (1 - alpha) * g
        negative |= v - g_ave * g_ave < 0
    assert negative  # PyTorch's formula would take the square root of a negative number
    w = Parameter([0.0])
    optimizer = RMSprop([w], lr=1e-3, alpha=alpha, centered=True)
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        run_steps(optimizer, w, [g] * 5)
    assert np.isfinite(w.data).all()


# --- structure: groups, state, zero_grad, closure --------------------------------------------


def test_param_groups_with_different_learning_rates():
    body, head = Parameter([1.0]), Parameter([1.0])
    optimizer = SGD([{"params": [body]}, {"params": [head], "lr": 0.01}], lr=0.1, momentum=0.9)
    assert [group["lr"] for group in optimizer.param_groups] == [0.1, 0.01]
    assert optimizer.param_groups[1]["momentum"] == 0.9  # filled from the defaults
    for p in (body, head):
        p.grad += 1.0
    optimizer.step()
    np.testing.assert_allclose([body.data[0], head.data[0]], [0.9, 0.99], rtol=1e-15)


def test_group_options_override_defaults_and_the_callers_dict_is_untouched():
    w = Parameter([0.0])
    group = {"params": [w], "betas": (0.5, 0.5)}
    optimizer = Adam([group], lr=0.1)
    assert optimizer.param_groups[0]["betas"] == (0.5, 0.5)
    assert optimizer.param_groups[0]["lr"] == 0.1
    assert group == {"params": [w], "betas": (0.5, 0.5)}


def test_add_param_group_later():
    first, second = Parameter([1.0]), Parameter([1.0])
    optimizer = SGD([first], lr=0.1)
    optimizer.add_param_group({"params": second, "lr": 0.5})
    assert optimizer.param_groups[1]["params"] == [second]
    first.grad += 1.0
    second.grad += 1.0
    optimizer.step()
    np.testing.assert_allclose([first.data[0], second.data[0]], [0.9, 0.5])


def test_state_is_kept_per_parameter():
    a, b = Parameter([1.0]), Parameter([[1.0, 2.0]])
    optimizer = Adam([a], lr=0.1)
    a.grad += 1.0
    optimizer.step()
    optimizer.add_param_group({"params": [b]})
    b.grad += 1.0
    optimizer.step()
    assert optimizer.state[a]["step"] == 2
    assert optimizer.state[b]["step"] == 1
    assert optimizer.state[b]["exp_avg"].shape == (1, 2)
    assert optimizer.state[a]["exp_avg"] is not optimizer.state[b]["exp_avg"]
    # b's first step is lr * sign(g) whatever a's history
    np.testing.assert_allclose(b.data, [[0.9, 1.9]], rtol=1e-7)


def test_zero_grad_clears_every_group():
    a, b = Parameter([1.0, 2.0]), Parameter([3.0])
    optimizer = SGD([{"params": [a]}, {"params": [b]}], lr=0.1)
    a.grad += 5.0
    b.grad += 7.0
    optimizer.zero_grad()
    assert not a.grad.any() and not b.grad.any()


@pytest.mark.parametrize("optimizer_class", [SGD, Adagrad, RMSprop, Adam, AdamW])
def test_step_updates_in_place_and_keeps_float32(optimizer_class):
    w = Parameter(np.array([1.0, -1.0], dtype=np.float32))
    data = w.data
    optimizer = optimizer_class([w], lr=0.1)
    w.grad += np.float32(0.5)
    optimizer.step()
    assert w.data is data  # layers may hold a reference to .data
    assert w.data.dtype == np.float32
    assert w.data[0] < 1.0


def test_step_returns_the_closures_loss():
    w = Parameter([2.0])

    def closure():
        w.zero_grad()
        w.grad += 2 * w.data
        return float(w.data[0] ** 2)

    assert SGD([w], lr=0.25).step(closure) == 4.0
    np.testing.assert_allclose(w.data, [1.0])
    assert SGD([w], lr=0.25).step() is None


def test_repr_lists_each_group():
    optimizer = SGD([{"params": [Parameter([0.0])], "lr": 0.5}], lr=0.1, momentum=0.9)
    text = repr(optimizer)
    assert text.startswith("SGD (") and "Parameter Group 0" in text
    assert "lr: 0.5" in text and "momentum: 0.9" in text


def test_a_generator_of_parameters_is_accepted():
    params = [Parameter([1.0]), Parameter([2.0])]
    optimizer = SGD((p for p in params), lr=0.1)
    assert optimizer.param_groups[0]["params"] == params


# --- a step on a quadratic decreases the loss ----------------------------------------------

OPTIMIZER_FACTORIES = {
    "sgd": lambda ps: SGD(ps, lr=1e-3),
    "sgd_nesterov_wd": lambda ps: SGD(ps, lr=1e-3, momentum=0.9, nesterov=True, weight_decay=0.1),
    "adagrad": lambda ps: Adagrad(ps, lr=1e-3, weight_decay=0.1),
    "rmsprop": lambda ps: RMSprop(ps, lr=1e-3, momentum=0.9, centered=True),
    "adam": lambda ps: Adam(ps, lr=1e-3, amsgrad=True, weight_decay=0.1),
    "adamw": lambda ps: AdamW(ps, lr=1e-3),
}

magnitudes = st.floats(0.1, 10.0)


@pytest.mark.parametrize("name", OPTIMIZER_FACTORIES)
@given(data=st.data())
def test_one_step_on_a_quadratic_decreases_the_loss(name, data):
    size = data.draw(st.integers(1, 6))
    theta = data.draw(arrays(np.float64, size, elements=magnitudes))
    theta *= data.draw(arrays(np.float64, size, elements=st.sampled_from([-1.0, 1.0])))
    curvature = data.draw(arrays(np.float64, size, elements=magnitudes))

    def loss(x):
        return float(np.sum(curvature * x**2) / 2)

    w = Parameter(theta)
    before = loss(w.data)
    w.grad += curvature * w.data
    OPTIMIZER_FACTORIES[name]([w]).step()
    assert loss(w.data) < before


# --- invalid input ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda ps: SGD(ps, lr=-0.1), "lr must be >= 0"),
        (lambda ps: SGD(ps, lr=float("nan")), "lr must be a finite number"),
        (lambda ps: SGD(ps, lr=0.1, momentum=-0.5), "momentum must be >= 0"),
        (lambda ps: SGD(ps, lr=0.1, weight_decay=-1e-4), "weight_decay must be >= 0"),
        (lambda ps: SGD(ps, lr=0.1, nesterov=True), r"nesterov=True requires momentum > 0"),
        (
            lambda ps: SGD(ps, lr=0.1, momentum=0.9, dampening=0.1, nesterov=True),
            r"dampening == 0; got momentum=0.9, dampening=0.1",
        ),
        (lambda ps: Adagrad(ps, lr=-1.0), "lr must be >= 0"),
        (lambda ps: Adagrad(ps, lr_decay=-1.0), "lr_decay must be >= 0"),
        (lambda ps: Adagrad(ps, eps=-1.0), "eps must be >= 0"),
        (lambda ps: Adagrad(ps, weight_decay=-1.0), "weight_decay must be >= 0"),
        (
            lambda ps: Adagrad(ps, initial_accumulator_value=-1.0),
            "initial_accumulator_value must be >= 0",
        ),
        (lambda ps: RMSprop(ps, alpha=-0.1), "alpha must be >= 0"),
        (lambda ps: RMSprop(ps, eps=-1e-8), "eps must be >= 0"),
        (lambda ps: RMSprop(ps, momentum=-0.9), "momentum must be >= 0"),
        (lambda ps: RMSprop(ps, weight_decay=-0.9), "weight_decay must be >= 0"),
        (lambda ps: Adam(ps, lr=-1e-3), "lr must be >= 0"),
        (lambda ps: Adam(ps, betas=(1.0, 0.999)), r"betas\[0\] must be in \[0, 1\); got 1.0"),
        (lambda ps: Adam(ps, betas=(0.9, -0.1)), r"betas\[1\] must be in \[0, 1\); got -0.1"),
        (lambda ps: Adam(ps, betas=(0.9,)), r"betas must be a pair \(beta1, beta2\)"),
        (lambda ps: Adam(ps, betas=0.9), r"betas must be a pair"),
        (lambda ps: Adam(ps, eps=-1.0), "eps must be >= 0"),
        (lambda ps: Adam(ps, weight_decay=-1.0), "weight_decay must be >= 0"),
        (lambda ps: AdamW(ps, betas=(0.9, 1.0)), r"betas\[1\] must be in \[0, 1\)"),
        (lambda ps: AdamW(ps, weight_decay=-0.01), "weight_decay must be >= 0"),
        (lambda ps: SGD([{"params": ps, "lr": -1.0}], lr=0.1), "lr must be >= 0"),
        (lambda ps: Adam([{"params": ps, "betas": (2.0, 0.5)}]), r"betas\[0\] must be in"),
    ],
)
def test_invalid_hyperparameters_raise(make, message):
    with pytest.raises(ValueError, match=message):
        make([Parameter([1.0])])


def test_hyperparameters_after_lr_are_keyword_only():
    with pytest.raises(TypeError):
        SGD([Parameter([1.0])], 0.1, 0.9)
    with pytest.raises(TypeError):
        Adam([Parameter([1.0])], 1e-3, (0.9, 0.999))


def test_invalid_params_raise():
    w = Parameter([1.0])
    with pytest.raises(TypeError, match=r"got a single Parameter\. Wrap it in a list"):
        SGD(w, lr=0.1)
    with pytest.raises(ValueError, match="params is empty"):
        SGD([], lr=0.1)
    with pytest.raises(TypeError, match="not a set"):
        SGD({w}, lr=0.1)
    with pytest.raises(
        TypeError, match="optimizers update Parameters only; params holds an object of type ndarray"
    ):
        SGD([np.zeros(3)], lr=0.1)
    with pytest.raises(ValueError, match="same Parameter more than once"):
        SGD([w, w], lr=0.1)
    with pytest.raises(ValueError, match="more than one parameter group"):
        SGD([{"params": [w]}, {"params": [w]}], lr=0.1)
    with pytest.raises(ValueError, match="must have a 'params' entry"):
        SGD([{"lr": 0.1}], lr=0.1)
    with pytest.raises(TypeError, match="param_group must be a dict"):
        SGD([w], lr=0.1).add_param_group([Parameter([2.0])])
    with pytest.raises(ValueError, match="more than one parameter group"):
        SGD([w], lr=0.1).add_param_group({"params": [w]})


def test_the_base_class_has_no_algorithm():
    with pytest.raises(NotImplementedError, match="Optimizer must implement step"):
        Optimizer([Parameter([1.0])], {"lr": 0.1}).step()


# --- learning-rate schedules -----------------------------------------------------------------


def scheduled_lrs(scheduler, epochs):
    """The learning rate used in each epoch, with scheduler.step() at the end of the epoch."""
    lrs = []
    for _ in range(epochs):
        lrs.append(scheduler.optimizer.param_groups[0]["lr"])
        scheduler.step()
    return lrs


def pytorch_recursive_lrs(rule, base_lr, epochs):
    """PyTorch's chainable get_lr(): each epoch's lr computed from the previous one."""
    lrs, lr = [], base_lr
    for epoch in range(epochs):
        if epoch > 0:
            lr = rule(lr, epoch)
        lrs.append(lr)
    return lrs


def make_sgd(lrs=(1.0,)):
    return SGD([{"params": [Parameter([0.0])], "lr": lr} for lr in lrs], lr=lrs[0])


def test_step_lr_by_hand_and_against_pytorchs_recursion():
    scheduler = StepLR(make_sgd([0.5]), step_size=3, gamma=0.1)
    lrs = scheduled_lrs(scheduler, 10)
    np.testing.assert_allclose(lrs, [0.5] * 3 + [0.05] * 3 + [0.005] * 3 + [0.0005], rtol=1e-14)

    def rule(lr, epoch):
        return lr * 0.1 if epoch % 3 == 0 else lr

    np.testing.assert_allclose(lrs, pytorch_recursive_lrs(rule, 0.5, 10), rtol=1e-14)
    assert scheduler.last_epoch == 10


def test_exponential_lr_by_hand_and_against_pytorchs_recursion():
    lrs = scheduled_lrs(ExponentialLR(make_sgd([2.0]), gamma=0.9), 30)
    np.testing.assert_allclose(lrs, 2.0 * 0.9 ** np.arange(30), rtol=1e-14)
    np.testing.assert_allclose(
        lrs, pytorch_recursive_lrs(lambda lr, epoch: lr * 0.9, 2.0, 30), rtol=1e-13
    )


def test_cosine_annealing_by_hand():
    lrs = scheduled_lrs(CosineAnnealingLR(make_sgd([1.0]), T_max=4, eta_min=0.2), 9)
    half = (1 + math.cos(math.pi / 4)) / 2
    expected = [1.0, 0.2 + 0.8 * half, 0.6, 0.2 + 0.8 * (1 - half), 0.2]
    expected += expected[-2::-1]  # climbs back along the cosine, period 2 T_max
    np.testing.assert_allclose(lrs, expected, rtol=1e-14)


def test_cosine_annealing_equals_pytorchs_recursion():
    base_lr, eta_min, t_max = 0.1, 1e-3, 7

    def rule(lr, epoch):
        if (epoch - 1 - t_max) % (2 * t_max) == 0:
            return lr + (base_lr - eta_min) * (1 - math.cos(math.pi / t_max)) / 2
        ratio = (1 + math.cos(math.pi * epoch / t_max)) / (
            1 + math.cos(math.pi * (epoch - 1) / t_max)
        )
        return ratio * (lr - eta_min) + eta_min

    lrs = scheduled_lrs(CosineAnnealingLR(make_sgd([base_lr]), T_max=t_max, eta_min=eta_min), 50)
    np.testing.assert_allclose(lrs, pytorch_recursive_lrs(rule, base_lr, 50), rtol=1e-12)


def test_schedulers_handle_each_group_and_remember_initial_lr():
    optimizer = make_sgd([1.0, 0.1])
    scheduler = ExponentialLR(optimizer, gamma=0.5)
    assert scheduler.get_last_lr() == [1.0, 0.1]
    scheduler.step()
    assert scheduler.get_last_lr() == [0.5, 0.05]
    assert [group["lr"] for group in optimizer.param_groups] == [0.5, 0.05]
    assert [group["initial_lr"] for group in optimizer.param_groups] == [1.0, 0.1]
    second = StepLR(optimizer, step_size=1, gamma=0.1)  # keeps the recorded initial_lr
    assert second.base_lrs == [1.0, 0.1]


def test_a_schedule_changes_the_optimizers_steps():
    w = Parameter([0.0])
    optimizer = SGD([w], lr=1.0)
    scheduler = StepLR(optimizer, step_size=1, gamma=0.5)
    for _ in range(3):  # one step per epoch, gradient 1
        optimizer.zero_grad()
        w.grad += 1.0
        optimizer.step()
        scheduler.step()
    np.testing.assert_allclose(w.data, [-(1 + 0.5 + 0.25)], rtol=1e-15)


@pytest.mark.parametrize(
    ("make", "error", "message"),
    [
        (
            lambda o: StepLR(o, step_size=0),
            ValueError,
            "step_size must be an integer >= 1; got 0",
        ),
        (lambda o: StepLR(o, step_size=2.5), TypeError, "step_size must be an integer; got 2.5"),
        (lambda o: StepLR(o, step_size=True), TypeError, "step_size must be an integer; got True"),
        (lambda o: StepLR(o, step_size=1, gamma=0.0), ValueError, "gamma must be > 0"),
        (lambda o: ExponentialLR(o, gamma=-0.5), ValueError, "gamma must be > 0"),
        (lambda o: CosineAnnealingLR(o, T_max=0), ValueError, "T_max must be an integer >= 1"),
        (lambda o: CosineAnnealingLR(o, T_max=5, eta_min=-1.0), ValueError, "eta_min must be >= 0"),
        (lambda o: ExponentialLR([o], gamma=0.5), TypeError, "optimizer must be an nncourse"),
    ],
)
def test_invalid_scheduler_arguments_raise(make, error, message):
    with pytest.raises(error, match=message):
        make(make_sgd())


def test_the_base_scheduler_has_no_rule():
    with pytest.raises(NotImplementedError, match="must implement lr_at"):
        LRScheduler(make_sgd())
