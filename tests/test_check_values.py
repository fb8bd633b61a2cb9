"""``check_values=False``: a layer's backward pass does not scan again what its forward scanned.

The functions that an activation layer or a loss module calls in backward, on the arrays its
forward pass has already checked, take ``check_values``; so do ``log_softmax``, which
``CrossEntropyLoss`` calls on logits it has just checked, and ``sigmoid``, which
``sigmoid_grad`` calls on the input it has just checked. With ``False`` each gives the same
result on valid input, lets a bad value through unscanned, and still checks types and shapes.
The modules pass ``False`` in backward only, so a NaN still stops at their forward pass.
"""

import inspect

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from nncourse import activations, losses, nn
from nncourse._validation import as_float_array

X = np.array([[-1.5, 0.0, 2.0], [0.25, -3.0, 1.0]])
PROBABILITIES = np.array([[0.2, 0.5, 0.9], [0.1, 0.7, 0.4]])
LABELS = np.array([2, 0])
LOG_P = activations.log_softmax(X)


def spoiled(array, value=np.nan):
    """A copy of `array` with one entry replaced by `value`, which only a scan of values finds."""
    array = array.astype(float)  # a copy
    array[0, 1] = value
    return array


# (function, valid arguments, the same with a bad value that only a scan finds, keywords)
CASES = {
    "sigmoid": (activations.sigmoid, (X,), (spoiled(X),), {}),
    "sigmoid_grad": (activations.sigmoid_grad, (X,), (spoiled(X),), {}),
    "tanh_grad": (activations.tanh_grad, (X,), (spoiled(X, np.inf),), {}),
    "relu_grad": (activations.relu_grad, (X,), (spoiled(X),), {}),
    "leaky_relu_grad": (activations.leaky_relu_grad, (X,), (spoiled(X),), {"negative_slope": 0.1}),
    "elu_grad": (activations.elu_grad, (X,), (spoiled(X),), {"alpha": 0.5}),
    "log_softmax": (activations.log_softmax, (X,), (spoiled(X),), {"axis": 0}),
    "mse_loss_grad": (losses.mse_loss_grad, (X, X[::-1]), (X, spoiled(X, -np.inf)), {}),
    "l1_loss_grad": (losses.l1_loss_grad, (X, X[::-1]), (spoiled(X), X), {}),
    "huber_loss_grad": (losses.huber_loss_grad, (X, 2 * X), (spoiled(X), X), {"delta": 0.5}),
    "binary_cross_entropy_grad": (
        losses.binary_cross_entropy_grad,
        (PROBABILITIES, PROBABILITIES[::-1]),
        (PROBABILITIES + 1, PROBABILITIES),  # probabilities above 1
        {"base": 2},
    ),
    "binary_cross_entropy_with_logits_grad": (
        losses.binary_cross_entropy_with_logits_grad,
        (X, PROBABILITIES),
        (X, PROBABILITIES - 1),  # targets below 0
        {"pos_weight": np.array([1.0, 2.0, 0.5])},
    ),
    "nll_loss_grad": (losses.nll_loss_grad, (LOG_P, LABELS), (LOG_P, LABELS + 5), {}),
    "cross_entropy_backward": (
        losses.cross_entropy_backward,
        (LOG_P, LABELS),
        (LOG_P, LABELS - 3),  # negative class indices
        {"label_smoothing": 0.1, "reduction": "sum"},
    ),
}


def test_the_functions_with_check_values_are_those_the_layers_call_again():
    # the option is no general switch: it belongs to the functions that see an array twice
    with_option = {
        name
        for module in (activations, losses)
        for name in module.__all__
        if "check_values" in inspect.signature(getattr(module, name)).parameters
    }
    assert with_option == set(CASES)
    for name in with_option:
        parameter = inspect.signature(CASES[name][0]).parameters["check_values"]
        assert parameter.kind is inspect.Parameter.KEYWORD_ONLY and parameter.default is True


@pytest.mark.parametrize("name", sorted(CASES))
def test_without_the_scan_a_valid_input_gives_the_same_result(name):
    function, valid, _, options = CASES[name]
    expected = function(*valid, **options)
    actual = function(*valid, **options, check_values=False)
    np.testing.assert_array_equal(actual, expected)
    assert actual.dtype == expected.dtype


@pytest.mark.parametrize("name", sorted(CASES))
def test_without_the_scan_a_bad_value_is_not_looked_for(name):
    function, _, bad, options = CASES[name]
    with pytest.raises(ValueError, match="must"):
        function(*bad, **options)  # the default scans and refuses it
    with np.errstate(all="ignore"):  # what the arithmetic makes of the bad value is not the point
        result = function(*bad, **options, check_values=False)
    assert np.shape(result) == np.shape(bad[0])


@pytest.mark.parametrize("name", sorted(CASES))
def test_without_the_scan_types_and_shapes_are_still_checked(name):
    function, valid, _, options = CASES[name]
    wrong_type = (np.array([["a", "b", "c"]]), *valid[1:])
    with pytest.raises(TypeError, match="must be a real numeric array"):
        function(*wrong_type, **options, check_values=False)
    if len(valid) == 2:  # a target of the wrong shape
        with pytest.raises(ValueError, match="shape"):
            function(valid[0], valid[1][:1], **options, check_values=False)


@given(arrays(st.sampled_from([np.float32, np.float64]), (4, 3), elements=st.floats(-30, 30)))
def test_activation_gradients_agree_with_and_without_the_scan(x):
    for name in ("sigmoid_grad", "tanh_grad", "relu_grad", "leaky_relu_grad", "elu_grad"):
        function = CASES[name][0]
        np.testing.assert_array_equal(function(x, check_values=False), function(x))


def test_as_float_array_without_the_scan_still_converts_and_checks_the_type():
    converted = as_float_array([1, np.nan], "x", check_values=False)
    assert converted.dtype == np.float64 and np.isnan(converted[1])
    with pytest.raises(TypeError, match="x must be a real numeric array"):
        as_float_array(["a"], "x", check_values=False)
    with pytest.raises(ValueError, match="x must not contain NaN"):
        as_float_array([1, np.nan], "x")


def run(module, x):
    """Forward and backward through `module`, a layer or a loss, at input `x`."""
    if isinstance(module, nn.CrossEntropyLoss | nn.NLLLoss):
        module(x, LABELS)
        return module.backward()
    if isinstance(module, nn.BCELoss | nn.BCEWithLogitsLoss):
        module(x, PROBABILITIES)
        return module.backward()
    if isinstance(module, nn.MSELoss | nn.L1Loss | nn.HuberLoss):
        module(x, np.zeros_like(x))
        return module.backward()
    module(x)
    return module.backward(np.ones_like(x))


MODULES = [
    nn.Sigmoid, nn.Tanh, nn.ReLU, nn.LeakyReLU, nn.ELU, nn.MSELoss, nn.L1Loss, nn.HuberLoss,
    nn.BCELoss, nn.BCEWithLogitsLoss, nn.NLLLoss, nn.CrossEntropyLoss,
]  # fmt: skip


@pytest.mark.parametrize("module_class", MODULES)
def test_modules_skip_the_scan_in_backward_only(module_class, monkeypatch):
    keywords = []
    real = module_class.gradient

    def spy(*args, **kwargs):
        keywords.append(kwargs.get("check_values", True))
        return real(*args, **kwargs)

    monkeypatch.setattr(module_class, "gradient", staticmethod(spy))
    x = PROBABILITIES if module_class is nn.BCELoss else LOG_P
    grad = run(module_class(), x)
    assert keywords == [False] and grad.shape == x.shape


@pytest.mark.parametrize("module_class", MODULES)
def test_modules_still_refuse_nan_in_forward(module_class):
    x = spoiled(PROBABILITIES if module_class is nn.BCELoss else X)
    with pytest.raises(ValueError, match="must not contain NaN"):
        run(module_class(), x)


def test_cross_entropy_module_scans_its_logits_once_and_names_them_input(monkeypatch):
    scanned = []
    real = np.isfinite

    def counting(array, *args, **kwargs):
        scanned.append(np.shape(array))
        return real(array, *args, **kwargs)

    criterion = nn.CrossEntropyLoss()
    monkeypatch.setattr(np, "isfinite", counting)
    criterion(X, LABELS)
    criterion.backward()
    assert scanned == [X.shape]  # the logits, in forward; log p is only scanned for NaN
    monkeypatch.undo()
    with pytest.raises(ValueError, match="input must contain only finite numbers"):
        criterion(spoiled(X, np.inf), LABELS)
