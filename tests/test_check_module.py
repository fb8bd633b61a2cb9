"""check_module: every layer's backward pass passes it; wrong layers fail it with clear messages."""

import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nncourse.gradcheck import GradCheckResult, ModuleCheckResult, check_module
from nncourse.nn import (
    ELU,
    AvgPool2d,
    BCELoss,
    BCEWithLogitsLoss,
    Conv2d,
    CrossEntropyLoss,
    Dropout,
    Flatten,
    HuberLoss,
    Identity,
    L1Loss,
    LeakyReLU,
    Linear,
    LogSoftmax,
    MaxPool2d,
    Module,
    MSELoss,
    NLLLoss,
    Parameter,
    PReLU,
    ReLU,
    Sequential,
    Sigmoid,
    Softmax,
    Tanh,
)

FEW = settings(max_examples=15)  # each example runs two forward passes per checked entry
dims = st.integers(1, 4)
seeds = st.integers(0, 2**16)


def away_from_kinks(rng: np.random.Generator, shape: tuple[int, ...]) -> np.ndarray:
    """Values with |x| in [0.05, 2]: finite differences never straddle a kink at 0."""
    return rng.uniform(0.05, 2.0, shape) * rng.choice([-1.0, 1.0], shape)


def distinct(rng: np.random.Generator, shape: tuple[int, ...]) -> np.ndarray:
    """Values 0.1 apart: a max never changes hands within a finite-difference step."""
    return (rng.permutation(int(np.prod(shape))).reshape(shape) - 3.0) * 0.1 + 0.05


def assert_passes(module: Module, x: np.ndarray, **kwargs) -> ModuleCheckResult:
    result = check_module(module, x, **kwargs)
    assert result.ok, str(result)
    return result


# --------------------------------------------------------------------------------------------
# Every layer passes on hypothesis-generated shapes
# --------------------------------------------------------------------------------------------


@FEW
@given(dims, dims, dims, st.booleans(), seeds)
def test_linear(n, in_features, out_features, bias, seed):
    rng = np.random.default_rng(seed)
    layer = Linear(in_features, out_features, bias=bias, rng=rng)
    result = assert_passes(layer, rng.standard_normal((n, in_features)))
    assert list(result.results) == ["input", "weight", "bias"][: 3 if bias else 2]


@FEW
@given(
    st.integers(1, 2), st.integers(1, 2), st.integers(1, 2), st.integers(1, 3), st.integers(1, 3),
    st.integers(1, 2), st.integers(0, 1), st.booleans(), seeds,
)  # fmt: skip
def test_conv2d(n, c_in, c_out, kh, kw, stride, padding, bias, seed):
    rng = np.random.default_rng(seed)
    conv = Conv2d(c_in, c_out, (kh, kw), stride=stride, padding=padding, bias=bias, rng=rng)
    x = rng.standard_normal((n, c_in, kh + rng.integers(0, 3), kw + rng.integers(0, 3)))
    assert_passes(conv, x)


@FEW
@given(st.integers(1, 3), st.integers(1, 3), st.integers(1, 3), st.booleans(), seeds)
def test_pooling(kh, kw, stride, average, seed):
    rng = np.random.default_rng(seed)
    pool = (AvgPool2d if average else MaxPool2d)((kh, kw), stride)
    assert_passes(pool, distinct(rng, (2, 2, kh + rng.integers(0, 3), kw + rng.integers(0, 3))))


ELEMENTWISE = [Sigmoid(), Tanh(), ReLU(), LeakyReLU(0.2), ELU(0.7), PReLU(), Identity(), Flatten()]


@pytest.mark.parametrize("layer", ELEMENTWISE, ids=lambda layer: type(layer).__name__)
@FEW
@given(shape=st.lists(dims, min_size=2, max_size=3).map(tuple), seed=seeds)
def test_elementwise_layers(layer, shape, seed):
    result = assert_passes(layer, away_from_kinks(np.random.default_rng(seed), shape))
    assert list(result.results) == (["input", "weight"] if isinstance(layer, PReLU) else ["input"])


@FEW
@given(n=dims, channels=dims, length=dims, seed=seeds)
def test_prelu_per_channel(n, channels, length, seed):
    rng = np.random.default_rng(seed)
    layer = PReLU(num_parameters=channels, init=0.1)
    layer.weight.data = rng.uniform(-1, 1, channels)
    assert_passes(layer, away_from_kinks(rng, (n, channels, length)))


@pytest.mark.parametrize("layer_type", [Softmax, LogSoftmax])
@FEW
@given(shape=st.lists(dims, min_size=1, max_size=3).map(tuple), data=st.data(), seed=seeds)
def test_softmax_layers(layer_type, shape, data, seed):
    axis = data.draw(st.integers(-len(shape), len(shape) - 1), label="axis")
    assert_passes(layer_type(axis=axis), 3 * np.random.default_rng(seed).standard_normal(shape))


@FEW
@given(st.integers(1, 5), st.integers(1, 5), seeds)
def test_dropout_in_training_mode_with_a_fixed_mask(n, d, seed):
    drop = Dropout(0.4, rng=np.random.default_rng(seed))
    before = drop.rng.bit_generator.state
    x = np.random.default_rng(seed + 1).standard_normal((n, d))
    assert_passes(drop, x, training=True)
    assert drop.rng.bit_generator.state == before  # the check drew nothing for good
    assert_passes(drop, x)  # eval mode: the identity


@FEW
@given(dims, dims, seeds)
def test_sequential_mlp(n, hidden, seed):
    rng = np.random.default_rng(seed)
    model = Sequential(
        Linear(3, hidden, rng=rng),
        Tanh(),
        Dropout(0.3, rng=rng),
        Linear(hidden, 2, rng=rng),
        Softmax(),
    )
    result = assert_passes(model, rng.standard_normal((n, 3)), training=True)
    assert list(result.results) == ["input", "0.weight", "0.bias", "3.weight", "3.bias"]


def test_small_cnn():
    rng = np.random.default_rng(0)
    model = Sequential(
        Conv2d(1, 2, 3, padding=1, rng=rng), ReLU(), MaxPool2d(2), Flatten(), Linear(8, 3, rng=rng)
    )
    assert_passes(model, distinct(rng, (2, 1, 4, 4)))


# --------------------------------------------------------------------------------------------
# Loss modules, with their target
# --------------------------------------------------------------------------------------------

REDUCTIONS = st.sampled_from(["mean", "sum", "none"])


@FEW
@given(shape=st.lists(dims, min_size=1, max_size=2).map(tuple), reduction=REDUCTIONS, seed=seeds)
def test_regression_losses(shape, reduction, seed):
    rng = np.random.default_rng(seed)
    x, target = rng.standard_normal(shape), rng.standard_normal(shape)
    target = np.where(np.abs(x - target) < 0.05, x + 0.5, target)  # away from |x - y| = 0
    for criterion in (MSELoss(reduction=reduction), L1Loss(reduction=reduction)):
        assert_passes(criterion, x, target=target)
    huber_target = np.where(np.abs(np.abs(x - target) - 0.5) < 0.05, x + 1.0, target)
    assert_passes(HuberLoss(reduction=reduction, delta=0.5), x, target=huber_target)


@FEW
@given(shape=st.lists(dims, min_size=1, max_size=2).map(tuple), reduction=REDUCTIONS, seed=seeds)
def test_binary_losses(shape, reduction, seed):
    rng = np.random.default_rng(seed)
    target = rng.uniform(0, 1, shape)
    assert_passes(BCELoss(reduction=reduction), rng.uniform(0.05, 0.95, shape), target=target)
    pos_weight = rng.uniform(0.5, 2, shape[-1])
    criterion = BCEWithLogitsLoss(reduction=reduction, pos_weight=pos_weight)
    assert_passes(criterion, 3 * rng.standard_normal(shape), target=target)


@FEW
@given(
    n=dims,
    n_classes=st.integers(1, 5),
    reduction=REDUCTIONS,
    smoothing=st.sampled_from([0.0, 0.2]),
    seed=seeds,
)
def test_classification_losses(n, n_classes, reduction, smoothing, seed):
    rng = np.random.default_rng(seed)
    logits, labels = 2 * rng.standard_normal((n, n_classes)), rng.integers(0, n_classes, n)
    criterion = CrossEntropyLoss(reduction=reduction, label_smoothing=smoothing)
    assert_passes(criterion, logits, target=labels)
    probabilities = rng.dirichlet(np.ones(n_classes), n)
    assert_passes(criterion, logits, target=probabilities)
    assert_passes(NLLLoss(reduction=reduction), logits, target=labels)


# --------------------------------------------------------------------------------------------
# Wrong layers fail, naming the tensor
# --------------------------------------------------------------------------------------------


class Scale(Module):
    """y = x * w with one weight per feature; `mistake` picks a bug in backward."""

    def __init__(self, n_features: int, mistake: str | None = None):
        self.w = Parameter(np.linspace(0.5, 1.5, n_features))
        self.mistake = mistake

    def forward(self, x):
        self._x = x
        return x * self.w.data

    def backward(self, grad_output):
        grad_w = (grad_output * self._x).sum(axis=0)
        if self.mistake == "weight":
            grad_w = grad_w * 1.1
        if self.mistake == "overwrite":
            self.w.grad = grad_w
        else:
            self.w.grad += grad_w
        if self.mistake == "return":
            return None
        if self.mistake == "shape":
            return grad_output.sum(axis=0)
        return grad_output * (2.0 if self.mistake == "input" else 1.0) * self.w.data


X3 = np.array([[1.0, -2.0, 0.5], [0.3, 0.1, -1.0]])


def test_a_correct_custom_layer_passes():
    result = check_module(Scale(3), X3).raise_if_failed()
    assert isinstance(result["w"], GradCheckResult) and result.failed == []
    assert result.max_abs_error < 1e-8 and result.max_rel_error < 1e-6
    assert str(result).startswith("check_module(Scale()): OK")


def test_a_wrong_parameter_gradient_is_named():
    result = check_module(Scale(3, mistake="weight"), X3)
    assert not result.ok and result.failed == ["w"]
    assert result["input"].ok and not result["w"].ok
    report = str(result)
    assert "FAILED for w" in report
    assert re.search(r"w\.grad\s+FAILED", report) and re.search(
        r"input \(backward's return\)\s+OK", report
    )
    assert "w.grad check FAILED" in report  # the table of worst entries follows
    with pytest.raises(AssertionError, match=r"check_module\(Scale\(\)\): FAILED for w"):
        result.raise_if_failed()
    np.testing.assert_allclose(result["w"].analytic, 1.1 * result["w"].numeric, rtol=1e-6)


def test_a_wrong_input_gradient_is_named():
    result = check_module(Scale(3, mistake="input"), X3)
    assert result.failed == ["input"]
    assert "gradient w.r.t. the input (backward's return) check FAILED" in str(result)


def test_an_overwritten_gradient_is_reported():
    result = check_module(Scale(3, mistake="overwrite"), X3)
    assert result["w"].ok and result.not_accumulating == ("w",) and not result.ok
    assert "w.grad was overwritten by a second backward instead of accumulated" in str(result)
    assert re.search(r"w\.grad\s+FAILED", str(result))


def test_backward_returning_none_or_a_wrong_shape_raises_clearly():
    with pytest.raises(
        TypeError, match=r"Scale.backward returned None; .* Did you forget the return"
    ):
        check_module(Scale(3, mistake="return"), X3)
    with pytest.raises(
        ValueError, match=re.escape("Scale.backward returned shape (3,), expected (2, 3)")
    ):
        check_module(Scale(3, mistake="shape"), X3)


def test_a_wrong_layer_inside_sequential_is_named_with_its_path():
    model = Sequential(Linear(3, 3, rng=0), Scale(3, mistake="weight"), Tanh())
    result = check_module(model, X3)
    assert result.failed == ["1.w"]
    assert str(result).startswith("check_module(Sequential): FAILED for 1.w")


# --------------------------------------------------------------------------------------------
# Nothing changes: data, grads, modes, random state; float64 whatever the dtype
# --------------------------------------------------------------------------------------------


def test_parameters_modes_and_generators_are_restored():
    rng = np.random.default_rng(0)
    model = Sequential(Linear(3, 4, rng=rng), Dropout(0.5, rng=1), Linear(4, 2, rng=rng))
    model.train()
    model[1].eval()  # mixed modes must come back as they were
    for p in model.parameters():
        p.grad += 7.0
    arrays = [(p.data, p.grad) for p in model.parameters()]
    values = [(p.data.copy(), p.grad.copy()) for p in model.parameters()]
    state = model[1].rng.bit_generator.state
    assert_passes(model, X3)
    assert_passes(model, X3, training=True)
    for p, (data, grad), (data_values, grad_values) in zip(
        model.parameters(), arrays, values, strict=True
    ):
        assert p.data is data and p.grad is grad
        assert np.array_equal(p.data, data_values) and np.array_equal(p.grad, grad_values)
    assert [m.training for m in model.modules()] == [True, True, False, True]
    assert model[1].rng.bit_generator.state == state


def test_float32_layers_are_checked_in_float64():
    layer = Linear(3, 2, rng=0)
    layer.weight = Parameter(layer.weight.data.astype(np.float32))
    result = assert_passes(layer, X3.astype(np.float32))
    assert result["weight"].analytic.dtype == np.float64
    assert layer.weight.data.dtype == np.float32 and layer.weight.grad.dtype == np.float32


def test_result_reports_the_largest_errors():
    result = check_module(Linear(2, 2, rng=0), np.ones((1, 2)))
    assert result.max_abs_error == max(r.max_abs_error for r in result.results.values())
    assert "max abs error" in str(result) and "Checked L = sum(module(x) * R)" in str(result)


def test_bad_arguments():
    with pytest.raises(TypeError, match=r"module must be an nncourse\.nn\.Module"):
        check_module(lambda x: x, X3)
    with pytest.raises(ValueError, match="eps must be > 0"):
        check_module(Tanh(), X3, eps=0.0)
    with pytest.raises(ValueError, match="x must not contain NaN"):
        check_module(Tanh(), [np.nan])
