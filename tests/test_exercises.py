"""The self-check: every exercise's reference passes, every known mistake is named, the mistakes
can be told apart, and a learner's function that raises, loops or returns nonsense gets a clear
report instead of a traceback from inside nncourse."""

import json
import re
from pathlib import Path

import numpy as np
import pytest
import yaml

from nncourse import exercises
from nncourse.exercises import EXERCISES, check
from nncourse.exercises.core import compare

ROOT = Path(__file__).resolve().parent.parent
IDS = sorted(EXERCISES)
MISTAKES = [(eid, name) for eid in IDS for name in EXERCISES[eid].mistakes]
EXERCISE_DIRECTIVE = re.compile(r"```\{exercise\}[^\n]*\n((?::[^\n]*\n)*)")


def book_sources() -> dict[str, str]:
    """The text of every page of the book: Markdown pages and the cells of notebooks."""
    texts = {}
    for path in sorted((ROOT / "book").rglob("*")):
        if path.suffix == ".md":
            texts[str(path)] = path.read_text()
        elif path.suffix == ".ipynb" and ".ipynb_checkpoints" not in path.parts:
            cells = json.loads(path.read_text())["cells"]
            texts[str(path)] = "\n".join("".join(cell["source"]) for cell in cells)
    return texts


def answers(exercise, function):
    return [exercise.expected(args, function) for args in exercise.inputs()]


@pytest.mark.parametrize("exercise_id", IDS)
def test_the_reference_passes(exercise_id):
    result = check(exercise_id, EXERCISES[exercise_id].reference)
    assert result.ok, result
    assert f"correct on {result.n_cases} cases" in repr(result) and result.n_cases >= 1


@pytest.mark.parametrize(("exercise_id", "mistake"), MISTAKES)
def test_every_known_mistake_is_recognised_by_name(exercise_id, mistake):
    exercise = EXERCISES[exercise_id]
    result = check(exercise_id, exercise.mistakes[mistake])
    assert not result.ok and result.mistake == mistake, result
    text = repr(result)
    assert f"This is a known mistake: {mistake}." in text
    assert (exercise.section in text and "expected" in text) or "raised" in text


@pytest.mark.parametrize("exercise_id", IDS)
def test_every_mistake_differs_from_the_reference_and_from_the_others(exercise_id):
    exercise = EXERCISES[exercise_id]
    variants = {"the reference": exercise.reference, **exercise.mistakes}
    with np.errstate(all="ignore"):
        outputs = {name: answers(exercise, function) for name, function in variants.items()}
    names = list(outputs)
    for i, first in enumerate(names):
        for second in names[i + 1 :]:
            differ = any(
                compare(a, b, exercise.rtol, exercise.atol)
                for a, b in zip(outputs[first], outputs[second], strict=True)
            )
            assert differ, f"{exercise_id}: {first!r} and {second!r} agree on every case"


def scrambled(value, rng):
    """`value` with every number moved: a wrong answer that is no known mistake."""
    if isinstance(value, dict):
        return {key: scrambled(item, rng) for key, item in value.items()}
    if isinstance(value, (tuple, list)):
        return type(value)(scrambled(item, rng) for item in value)
    array = np.asarray(value, dtype=float)
    return array + rng.uniform(0.5, 1.5, array.shape) * (1 + np.abs(array))


SILENT_UNITS = {  # where answers are judged by what they compute: units that never fire
    "ex-tlu-truth-table": lambda outputs: (np.zeros(len(outputs).bit_length() - 1), -1.0),
    "ex-tlu-xor-network": lambda: [(np.eye(2), np.zeros(2)), (np.ones((1, 2)), np.array([-5.0]))],
}


@pytest.mark.parametrize("exercise_id", IDS)
def test_a_random_wrong_function_is_wrong_without_a_name(exercise_id):
    exercise = EXERCISES[exercise_id]
    rng = np.random.default_rng(1)

    def wrong(*args):
        return scrambled(exercise.reference(*args), rng)

    wrong = SILENT_UNITS.get(exercise_id, wrong)

    result = check(exercise_id, wrong)
    assert not result.ok and result.mistake is None, result
    assert "known mistake" not in repr(result)


def test_a_function_that_raises_gets_a_clear_message():
    result = check("ex-softmax-jacobian", lambda z: z / 0 if z.size > 100 else z.undefined)
    assert not result.ok
    assert "your function raised AttributeError" in repr(result)


def test_wrong_shape_and_nan_are_reported_in_words():
    shape = check("ex-softmax-softmax", lambda z: z.sum(axis=-1))
    assert "expected shape (4, 3); got shape (4,)" in repr(shape)
    nan = check("ex-activations-sigmoid-grad", lambda x: np.full_like(x, np.nan))
    assert "your result contains NaN" in repr(nan) and nan.mistake is None


def test_a_function_that_never_returns_is_stopped(monkeypatch):
    monkeypatch.setattr(exercises.core, "TIME_LIMIT", 0.3)

    def forever(x):
        while True:
            x = x + 1

    result = check("ex-activations-sigmoid-grad", forever)
    assert not result.ok and "still running after 0.3 s: stopped" in repr(result)


def test_reports_hold_no_memory_address_and_are_stable():
    mistaken = EXERCISES["ex-softmax-jacobian"].mistakes["the Kronecker delta dropped"]
    first, second = (
        repr(check("ex-softmax-jacobian", mistaken)),
        repr(check("ex-softmax-jacobian", mistaken)),
    )
    assert first == second and not re.search(r"0x[0-9a-f]{6,}", first)


def test_bad_arguments_are_refused_clearly():
    with pytest.raises(ValueError, match="'ex-nothing' is not an exercise; known: ex-"):
        check("ex-nothing", len)
    with pytest.raises(TypeError, match="function must be callable; got int"):
        check("ex-softmax-softmax", 3)


def test_every_implement_exercise_of_the_chapters_has_a_checker():
    chapters = {path: text for path, text in book_sources().items() if "problem-sets" not in path}
    labels = {
        re.search(r":label:\s*(\S+)", options).group(1)
        for text in chapters.values()
        for options in EXERCISE_DIRECTIVE.findall(text)
        if re.search(r":class:.*\bimplement\b", options)
    }
    assert labels, "the book has no exercise marked :class: implement"
    assert not labels - set(EXERCISES), f"no checker for {sorted(labels - set(EXERCISES))}"


def test_sections_and_errata_named_by_the_exercises_exist():
    labels = {
        m for text in book_sources().values() for m in re.findall(r"^\(([\w-]+)\)=", text, re.M)
    }
    errata = {
        entry["id"] for entry in yaml.safe_load((ROOT / "book/problem-sets/errata.yml").read_text())
    }
    for exercise in EXERCISES.values():
        assert exercise.section in labels, f"{exercise.id}: no section {exercise.section!r}"
        for mistake in exercise.errata:
            for erratum in exercise.errata_ids(mistake):
                assert erratum in errata, f"{exercise.id}, {mistake!r}: no erratum {erratum!r}"


# The entries of the errata register that are detectors: a mistake that a learner could hand in
# as a function. The others are verbal claims, slips in one worked number, notation, or products
# whose shapes do not fit (the rule is in the docstring of nncourse.exercises.foundations).
ERRATA_DETECTED = {
    "ps1-bce-called-entropy": ("ex-losses-bce", "the entropy of the prediction"),
    "ps1-bce-log-base-dropped": ("ex-losses-bce", "logarithms to base 2"),
    "ps1-l2-update-sign": (
        "ex-regularization-sgd-l2-step",
        "the decay added, without the learning rate",
    ),
    "ps1-l2-update-no-learning-rate": (
        "ex-regularization-sgd-l2-step",
        "the decay not scaled by the learning rate",
    ),
    "ps1-kl-ratio-of-logs": ("ex-entropy-kl-divergence", "a ratio of logarithms"),
    "ps1-cross-entropy-is-entropy": ("ex-entropy-cross-entropy", "the same distribution twice"),
    "ps1-ce-gradient-sign": ("ex-softmax-ce-grad", "the sign flipped (y - p)"),
    "ps1-ce-chain-rule-one-path": (
        "ex-softmax-soft-ce-grad",
        "only the path through the true class",
    ),
    "ps1-softmax-standardised-logits": ("ex-softmax-softmax", "the logits standardised"),
    "ps2-sigmoid-derivative-sign": (
        "ex-activations-sigmoid-grad",
        "a sign error in the chain rule",
    ),
    "ps2-dropped-denominators": ("ex-losses-bce-grad", "the denominators dropped"),
    "ps2-softmax-diagonal-twice": ("ex-softmax-ce-grad", "the diagonal term counted twice"),
    "ps2-softmax-diagonal-sign": ("ex-softmax-ce-grad", "the diagonal term's sign flipped"),
    "ps2-softmax-off-diagonal": ("ex-softmax-jacobian", "-p_i p_i off the diagonal"),
    "ps2-log-softmax-overflow": ("ex-softmax-stable", "the log of a naive softmax"),
    "ps2-minterm-constant-sign": ("ex-tlu-truth-table", "the threshold given as the bias"),
    "ps2-adam-bias-correction": ("ex-optimizers-adam-step", "the bias correction forgotten"),
    "ps3-relu-for-leaky-relu": ("ex-activations-leaky-relu-grad", "the ReLU's derivative"),
    "ps3-prelu-negative-sign-dropped": (
        "ex-activations-prelu",
        "the sign of the negative inputs dropped",
    ),
    "ps3-prelu-slope-gradient-not-summed": (
        "ex-layers-prelu-slope-grad",
        "the slope's gradient not summed",
    ),
    "ps4-sigmoid-derivative-sign": (
        "ex-activations-sigmoid-grad",
        "a sign error in the chain rule",
    ),
    "ps4-mse-grad-absolute": ("ex-losses-mse-grad", "an absolute value in the derivative"),
    "ps4-hinge-dot-product": ("ex-losses-hinge-grad", "one hinge of a dot product"),
    "ps4-huber-grad-missing-delta": ("ex-losses-huber-grad", "delta missing on the linear piece"),
    "ps4-cosine-sqrt-expansion": ("ex-losses-cosine-grad", "sqrt(1 + eps) expanded as 1 + eps"),
    "ps4-cosine-first-order-grouping": (
        "ex-losses-cosine-grad",
        "the first-order terms grouped wrongly",
    ),
    "ps4-cosine-loss-sign": ("ex-losses-cosine-grad", "the similarity's gradient, not the loss's"),
    "ps4-forward-bias-missing": (
        "ex-backprop-two-layer",
        "the hidden bias left out of the forward pass",
    ),
    "ps4-db1-factor-dropped": (
        "ex-activations-sigmoid-grad",
        "the sigmoid is not its own derivative",
    ),
    "ps5-decay-term-dropped": ("ex-regularization-sgd-l2-step", "the decay term dropped"),
}


def test_the_errata_that_are_detectors_are_linked_and_recognised():
    linked = {
        erratum: (exercise.id, mistake)
        for exercise in EXERCISES.values()
        for mistake in exercise.errata
        for erratum in exercise.errata_ids(mistake)
    }
    # a mistake may be linked from a second exercise too (ps3-relu-for-leaky-relu: the PReLU's)
    assert set(linked) == set(ERRATA_DETECTED), sorted(set(linked) ^ set(ERRATA_DETECTED))
    for erratum, (exercise_id, mistake) in ERRATA_DETECTED.items():
        exercise = EXERCISES[exercise_id]
        assert erratum in exercise.errata_ids(mistake), (erratum, exercise_id, mistake)
        result = check(exercise_id, exercise.mistakes[mistake])
        assert result.mistake == mistake and erratum in repr(result), result


def test_a_mistake_without_a_hint_cannot_be_registered():
    exercise = EXERCISES["ex-softmax-softmax"]
    incomplete = exercises.Exercise(
        id="ex-incomplete", title="", reference=exercise.reference, cases=exercise.cases,
        section="ch-softmax", mistakes={"a mistake": len},
    )  # fmt: skip
    with pytest.raises(ValueError, match="every mistake needs one hint"):
        exercises.register(incomplete)
    with pytest.raises(ValueError, match="registered twice"):
        exercises.register(exercise)
    with pytest.raises(
        ValueError, match="mistake 'a mistake': a mistake needs a hint, the docstring"
    ):

        @incomplete.mistake("a mistake")
        def _(z):
            return z

    assert "ex-incomplete" not in EXERCISES


def test_an_exercise_is_declared_by_its_reference_and_its_wrong_functions():
    @exercises.exercise("ex-declared", section="ch-softmax", cases=lambda rng: [(np.ones(2),)])
    def double(x):
        """double(x), twice every entry

        A second paragraph describes the reference; it is not part of the title.
        """
        return 2 * x

    try:
        assert EXERCISES["ex-declared"] is double and double.reference(np.ones(1)) == 2
        assert double.title == "double(x), twice every entry"

        @double.mistake("the input returned", erratum="ps1-some-entry")
        def returned(x):
            """Doubling multiplies
            by 2."""
            return x

        assert returned(3) == 3 and double.mistakes == {"the input returned": returned}
        assert double.hints == {"the input returned": "Doubling multiplies by 2."}
        assert double.errata_ids("the input returned") == ("ps1-some-entry",)
        assert check("ex-declared", lambda x: x).mistake == "the input returned"
        with pytest.raises(ValueError, match="'the input returned' is declared twice"):
            double.mistake("the input returned")(returned)
        with pytest.raises(ValueError, match="registered twice"):
            exercises.exercise("ex-declared", section="ch-softmax", cases=double.cases)(returned)
    finally:
        del EXERCISES["ex-declared"]
    with pytest.raises(ValueError, match="'ex-untitled' needs a title"):
        exercises.exercise("ex-untitled", section="ch-softmax", cases=double.cases)(lambda x: x)
    with pytest.raises(ValueError, match="'ex-untitled' needs a title"):
        exercises.exercise("ex-untitled", section="ch-softmax", cases=double.cases, reference=len)
    assert "ex-untitled" not in EXERCISES
