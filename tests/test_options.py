"""Hyperparameters and layer options: what every optimizer, layer and loss module receives.

The optimizers take their hyperparameters from their signatures, AdamW's algorithm box is derived
from Adam's, the activation layers and loss modules pass their options to their functions at call
time: each test states, with values written out by hand, what every class must see.
"""

import inspect

import numpy as np
import pytest

from nncourse.losses import huber_loss
from nncourse.nn import (
    ELU,
    BCELoss,
    CrossEntropyLoss,
    HuberLoss,
    LeakyReLU,
    LogSoftmax,
    Parameter,
    ReLU,
    Softmax,
)
from nncourse.optim import SGD, Adagrad, Adam, AdamW, RMSprop


def one_parameter():
    return [Parameter([1.0, -2.0])]


@pytest.mark.parametrize(
    ("make", "expected"),
    [
        (
            lambda params: SGD(params, lr=0.1),
            {
                "lr": 0.1,
                "momentum": 0,
                "dampening": 0,
                "weight_decay": 0,
                "nesterov": False,
                "maximize": False,
            },
        ),
        (
            lambda params: Adagrad(params),
            {
                "lr": 0.01,
                "lr_decay": 0,
                "weight_decay": 0,
                "initial_accumulator_value": 0,
                "eps": 1e-10,
                "maximize": False,
            },
        ),
        (
            lambda params: RMSprop(params, momentum=0.5, centered=True),
            {
                "lr": 0.01,
                "alpha": 0.99,
                "eps": 1e-8,
                "weight_decay": 0,
                "momentum": 0.5,
                "centered": True,
                "maximize": False,
            },
        ),
        (
            lambda params: Adam(params, betas=(0.8, 0.9)),
            {
                "lr": 1e-3,
                "betas": (0.8, 0.9),
                "eps": 1e-8,
                "weight_decay": 0,
                "amsgrad": False,
                "maximize": False,
            },
        ),
        (
            lambda params: AdamW(params, amsgrad=True, maximize=True),
            {
                "lr": 1e-3,
                "betas": (0.9, 0.999),
                "eps": 1e-8,
                "weight_decay": 0.01,
                "amsgrad": True,
                "maximize": True,
            },
        ),
    ],
    ids=["SGD", "Adagrad", "RMSprop", "Adam", "AdamW"],
)
def test_defaults_are_exactly_the_hyperparameters_of_the_signature(make, expected):
    optimizer = make(one_parameter())
    assert optimizer.defaults == expected
    assert list(optimizer.defaults) == list(expected)  # in the order of the signature
    group = optimizer.param_groups[0]
    assert {key: group[key] for key in expected} == expected
    assert set(group) == {"params", *expected}


def test_adamw_takes_adams_options_by_keyword_only():
    with pytest.raises(TypeError):
        AdamW(one_parameter(), 1e-3, (0.9, 0.99))  # betas must be named, as for Adam
    with pytest.raises(TypeError, match="unexpected keyword argument 'momentum'"):
        AdamW(one_parameter(), momentum=0.9)
    with pytest.raises(ValueError, match=r"betas\[1\] must be in \[0, 1\); got 1.0"):
        AdamW(one_parameter(), betas=(0.9, 1.0))
    assert list(inspect.signature(AdamW).parameters)[:3] == ["params", "lr", "weight_decay"]


def test_sgd_checks_dampening_before_nesterov():
    with pytest.raises(ValueError, match=r"dampening must be >= 0; got -0\.5"):
        SGD(one_parameter(), lr=0.1, momentum=0.9, dampening=-0.5, nesterov=True)
    with pytest.raises(ValueError, match="nesterov=True requires momentum > 0"):
        SGD(one_parameter(), lr=0.1, momentum=0.9, dampening=0.5, nesterov=True)


@pytest.mark.parametrize(
    ("optimizer_class", "options", "name"),
    [
        (Adagrad, {"initial_accumulator_value": -1.0}, "initial_accumulator_value"),
        (Adagrad, {"lr_decay": -1.0}, "lr_decay"),
        (RMSprop, {"alpha": -0.5}, "alpha"),
        (RMSprop, {"momentum": -0.5}, "momentum"),
    ],
)
def test_nonnegative_rules_apply_to_every_group(optimizer_class, options, name):
    with pytest.raises(ValueError, match=f"{name} must be >= 0"):
        optimizer_class(one_parameter(), **options)
    optimizer = optimizer_class(one_parameter())
    with pytest.raises(ValueError, match=f"{name} must be >= 0"):
        optimizer.add_param_group({"params": [Parameter([0.0])], **options})


def test_adamw_box_is_the_decay_line_then_adams_step():
    adam, adamw = inspect.getdoc(Adam), inspect.getdoc(AdamW)
    l2_line = r"\textbf{if}\ \lambda \neq 0:\ g_t \leftarrow g_t + \lambda \theta_{t-1}"
    decay_line = r"\theta_t \leftarrow \theta_{t-1} - \gamma \lambda \theta_{t-1}"
    assert l2_line in adam and decay_line not in adam
    assert decay_line in adamw and l2_line not in adamw
    assert r"\theta_t \leftarrow \theta_{t-1} - \gamma\, \widehat{m_t}" in adam
    # AdamW's box names Adam's update instead of copying it, as AdamW.step calls it
    assert r"\widehat{m_t}" not in adamw and r"Adam's step from } m_t" in adamw
    assert "{algorithm}" not in adam + adamw
    assert "self._adam_update(p, g, group)" in inspect.getsource(AdamW.step)


def test_activation_options_are_read_when_the_layer_runs():
    layer = LeakyReLU(0.1)
    np.testing.assert_array_equal(layer(np.array([-2.0, 3.0])), [-0.2, 3.0])
    layer.negative_slope = 0.5
    np.testing.assert_array_equal(layer(np.array([-2.0, 3.0])), [-1.0, 3.0])
    np.testing.assert_array_equal(layer.backward(np.array([1.0, 1.0])), [0.5, 1.0])
    assert repr(layer) == "LeakyReLU(negative_slope=0.5)"
    assert (repr(ELU()), repr(ReLU()), repr(Softmax()), repr(LogSoftmax(0))) == (
        "ELU(alpha=1.0)",
        "ReLU()",
        "Softmax(axis=-1)",
        "LogSoftmax(axis=0)",
    )


def test_softmax_layers_differentiate_along_their_axis():
    # along axis 0 each column is a distribution: p = (1/2, 1/2) in both columns
    layer = Softmax(axis=0)
    np.testing.assert_array_equal(layer(np.zeros((2, 3))), np.full((2, 3), 0.5))
    grad = layer.backward(np.array([[1.0, 0.0, 2.0], [0.0, 0.0, 0.0]]))
    np.testing.assert_allclose(grad, [[0.25, 0.0, 0.5], [-0.25, 0.0, -0.5]], rtol=1e-15)
    log_layer = LogSoftmax(axis=0)
    log_layer(np.zeros((2, 1)))
    np.testing.assert_allclose(log_layer.backward(np.array([[1.0], [0.0]])), [[0.5], [-0.5]])


def test_loss_options_are_attributes_passed_to_both_functions():
    criterion = HuberLoss(delta=2.0)
    assert (criterion.delta, criterion.reduction) == (2.0, "mean")
    assert repr(criterion) == "HuberLoss(reduction='mean', delta=2.0)"
    # |3 - 0| > delta = 2: the linear part, delta (|r| - delta / 2) = 2 * 2 = 4
    assert criterion(np.array([3.0]), np.array([0.0])) == 4.0
    np.testing.assert_array_equal(criterion.backward(), [2.0])
    criterion.delta = 1.0
    assert criterion(np.array([3.0]), np.array([0.0])) == huber_loss([3.0], [0.0], delta=1.0)
    assert repr(BCELoss(reduction="sum", base=2)) == "BCELoss(reduction='sum', base=2)"
    smoothed = CrossEntropyLoss(label_smoothing=0.1)
    assert smoothed.options() == {"reduction": "mean", "label_smoothing": 0.1}
    with pytest.raises(ValueError, match="reduction"):
        HuberLoss(reduction="average")
