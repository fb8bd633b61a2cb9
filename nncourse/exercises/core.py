r"""The self-check: :class:`Exercise`, the registry :data:`EXERCISES` and :func:`check`.

An exercise knows the function it asks for (its *reference*, usually the public ``nncourse``
function), how to make inputs (random shapes and values, and the edge cases a careless solution
gets wrong: zeros, ties, extreme logits, a batch of one) and the classic wrong versions of the
solution, its *mistakes*. :func:`check` runs a learner's function on every input and compares
it with the reference. When it is wrong and its answers are those of a known mistake, it names
the mistake and says where the book explains it.

An exercise is declared as its reference function, decorated with :func:`exercise`, whose
docstring's first paragraph is the title; each mistake is a small wrong function decorated with
:meth:`Exercise.mistake`, whose docstring is the hint the report prints.
"""

from __future__ import annotations

import inspect
import signal
import textwrap
import threading
import time
import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

#: Seconds allowed for all the cases of one check: a learner's loop may never end.
TIME_LIMIT = 10.0


@dataclass(frozen=True, repr=False)
class Exercise:
    """An exercise a learner can check: the function it asks for and how to tell a mistake.

    Attributes
    ----------
    id : str
        The label of the book's exercise that asks for the function, e.g.
        ``"ex-softmax-jacobian"``.
    title : str
        What to implement, with the signature: ``"softmax_jacobian(z) for a vector z"``.
    reference : callable
        The correct function.
    cases : callable
        ``cases(rng)`` returns a list of argument tuples, the inputs of the check.
    section : str
        The label of the book's section that explains it (``"ch-softmax"``).
    mistakes : dict of str to callable
        Known wrong versions of the function, by the name of the mistake.
    hints : dict of str to str
        One paragraph per mistake: what is wrong and how to fix it.
    errata : dict of str to str or tuple of str
        For a mistake recorded in the errata register of the worked problem sets, its id there
        (a tuple when the register records the same mistake more than once).
    outcome : callable, optional
        ``outcome(args, output)`` turns an output into what is compared (for an exercise whose
        answers are not unique, such as the weights of a threshold unit: what they compute).
    rtol, atol : float
        Tolerances of the comparison.
    """

    id: str
    title: str
    reference: Callable
    cases: Callable[[np.random.Generator], list[tuple]]
    section: str
    mistakes: dict[str, Callable] = field(default_factory=dict)
    hints: dict[str, str] = field(default_factory=dict)
    errata: dict[str, str | tuple[str, ...]] = field(default_factory=dict)
    outcome: Callable[[tuple, Any], Any] | None = None
    rtol: float = 1e-6
    atol: float = 1e-9

    def __repr__(self) -> str:  # short: the API page shows the registry's value
        return f"Exercise({self.id!r})"

    def inputs(self) -> list[tuple]:
        """The argument tuples of the check, the same at every call (a seeded generator)."""
        return self.cases(np.random.default_rng(0))

    def expected(self, args: tuple, function: Callable | None = None) -> Any:
        """What `function` (the reference by default) gives on `args`, as compared."""
        output = (function or self.reference)(*_copies(args))
        return output if self.outcome is None else self.outcome(args, output)

    def errata_ids(self, mistake: str) -> tuple[str, ...]:
        """The ids in the errata register of the worked problem sets that record `mistake`."""
        ids = self.errata.get(mistake, ())
        return (ids,) if isinstance(ids, str) else tuple(ids)

    def mistake(
        self, name: str, *, erratum: str | tuple[str, ...] | None = None
    ) -> Callable[[Callable], Callable]:
        """Declare a known mistake: decorate the wrong function a learner would hand in.

        The decorated function's docstring is the hint, folded into one paragraph. Mistakes are
        tried in the order they are declared: a learner's function is named after the first
        whose answers it gives on every case.

        Parameters
        ----------
        name : str
            What the mistake is, as the report says it: ``"the sign flipped"``.
        erratum : str or tuple of str, optional
            The id of the mistake in the errata register of the worked problem sets, or a tuple
            of ids when the register records it more than once.

        Returns
        -------
        callable
            A decorator that adds the function to :attr:`mistakes`, its docstring to
            :attr:`hints` and `erratum` to :attr:`errata`, and returns the function unchanged.

        Raises
        ------
        ValueError
            If the function has no docstring (a mistake needs a hint) or the exercise already
            has a mistake called `name`.

        Examples
        --------
        >>> import numpy as np
        >>> cases = lambda rng: [(np.ones(2),)]
        >>> double = Exercise("ex-double", "double(x)", lambda x: 2 * x, cases, "ch-self-check")
        >>> @double.mistake("the input returned")
        ... def _(x):
        ...     '''Doubling multiplies every entry by 2.'''
        ...     return x
        >>> list(double.mistakes), double.hints["the input returned"]
        (['the input returned'], 'Doubling multiplies every entry by 2.')
        """

        def declare(wrong: Callable) -> Callable:
            hint = _folded(wrong.__doc__)
            if not hint:
                raise ValueError(
                    f"exercise {self.id!r}, mistake {name!r}: a mistake needs a hint, the "
                    "docstring of its function."
                )
            if name in self.mistakes:
                raise ValueError(f"exercise {self.id!r}: the mistake {name!r} is declared twice.")
            self.mistakes[name] = wrong
            self.hints[name] = hint
            if erratum is not None:
                self.errata[name] = erratum
            return wrong

        return declare


#: Every exercise that can be checked, by its id (the label of the book's exercise).
EXERCISES: dict[str, Exercise] = {}


def register(exercise: Exercise) -> Exercise:
    """Add `exercise` to :data:`EXERCISES` and return it; its mistakes must each have a hint.

    Raises
    ------
    ValueError
        If an exercise with the same id is registered already, or a mistake has no hint.
    """
    if exercise.id in EXERCISES:
        raise ValueError(f"exercise {exercise.id!r} is registered twice.")
    if set(exercise.hints) != set(exercise.mistakes) or not set(exercise.errata) <= set(
        exercise.hints
    ):
        raise ValueError(f"exercise {exercise.id!r}: every mistake needs one hint.")
    EXERCISES[exercise.id] = exercise
    return exercise


def exercise(
    id: str,
    *,
    section: str,
    cases: Callable[[np.random.Generator], list[tuple]],
    title: str | None = None,
    reference: Callable | None = None,
    outcome: Callable[[tuple, Any], Any] | None = None,
    rtol: float = 1e-6,
    atol: float = 1e-9,
) -> Any:
    """Declare and register an exercise; as a decorator, the decorated function is its reference.

    Decorating the reference function, the exercise's title is the first paragraph of the
    function's docstring: what to implement, with the signature. Called with `reference` (a
    library function whose docstring is no title), it registers the exercise at once; `title`
    is then required. Either way the :class:`Exercise` is returned, and its known mistakes are
    declared after it with :meth:`Exercise.mistake`.

    Parameters
    ----------
    id : str
        The label of the book's exercise that asks for the function.
    section : str
        The label of the book's section that explains it.
    cases : callable
        ``cases(rng)`` returns a list of argument tuples, the inputs of the check.
    title : str, optional
        What to implement, with the signature; by default the first paragraph of the
        reference's docstring.
    reference : callable, optional
        The correct function, when it is not the decorated one.
    outcome : callable, optional
        ``outcome(args, output)`` turns an output into what is compared.
    rtol, atol : float
        Tolerances of the comparison.

    Returns
    -------
    Exercise or callable
        The registered exercise, or, without `reference`, a decorator that makes the decorated
        function the reference, registers the exercise and returns it.

    Raises
    ------
    ValueError
        If the exercise has no title or `id` is registered already.

    Examples
    --------
    >>> import numpy as np
    >>> @exercise("ex-double", section="ch-self-check", cases=lambda rng: [(rng.normal(size=3),)])
    ... def double(x):
    ...     '''double(x), every entry of x times 2'''
    ...     return 2 * x
    >>> @double.mistake("the input returned")
    ... def _(x):
    ...     '''Doubling multiplies every entry by 2.'''
    ...     return x
    >>> double, double.title
    (Exercise('ex-double'), 'double(x), every entry of x times 2')
    >>> check("ex-double", lambda x: x).mistake
    'the input returned'
    >>> del EXERCISES["ex-double"]  # an example, not an exercise of the book
    """

    def declare(function: Callable) -> Exercise:
        heading = title if title is not None else _folded(function.__doc__, paragraphs=1)
        if not heading:
            raise ValueError(f"exercise {id!r} needs a title: its reference's docstring.")
        return register(
            Exercise(id, heading, function, cases, section, outcome=outcome, rtol=rtol, atol=atol)
        )

    if reference is None:
        return declare
    if title is None:
        raise ValueError(f"exercise {id!r} needs a title: a reference passed by name has none.")
    return declare(reference)


def _folded(doc: str | None, paragraphs: int | None = None) -> str:
    """A docstring (its first `paragraphs`) as one line: the white space folded to spaces."""
    parts = inspect.cleandoc(doc or "").split("\n\n")
    return " ".join(" ".join(parts[:paragraphs]).split())


@dataclass
class CheckResult:
    """What :func:`check` found. ``ok`` is True when every case agreed with the reference.

    Shown as the last value of a notebook cell, it reads as a short report: the number of cases,
    or the first case that failed with the expected and the actual value, and the name of the
    mistake with a hint when the answers are those of a known mistake.
    """

    exercise: Exercise
    ok: bool
    n_cases: int
    case: int | None = None  # index of the first failing case
    args: tuple = ()
    expected: Any = None
    actual: Any = None
    problem: str = ""  # what went wrong on that case, in words
    mistake: str | None = None
    seconds: float = 0.0

    def __repr__(self) -> str:
        head = f"{self.exercise.id}: {self.exercise.title}"
        if self.ok:
            return f"✓ {head}\n  correct on {self.n_cases} cases."
        lines = [f"✗ {head}"]
        if self.case is not None:
            lines.append(f"  wrong on case {self.case + 1} of {self.n_cases}: {self.problem}")
            lines += [f"  input {name}: {_show(value)}" for name, value in _named(self.args)]
            if self.expected is not None:
                lines.append(f"  expected: {_show(self.expected)}")
            if self.actual is not None:
                lines.append(f"  got:      {_show(self.actual)}")
        else:
            lines.append(f"  {self.problem}")
        if self.mistake is not None:
            lines.append(f"  This is a known mistake: {self.mistake}.")
            lines.append(
                textwrap.fill(
                    self.exercise.hints[self.mistake],
                    96,
                    initial_indent="  ",
                    subsequent_indent="  ",
                )
            )
            errata = ", ".join(self.exercise.errata_ids(self.mistake))
            if errata:
                lines.append(f"  It is in the errata of the worked problem sets: {errata}.")
        lines.append(f"  The book explains it in the section labelled {self.exercise.section}.")
        return "\n".join(lines)

    __str__ = __repr__


def check(exercise_id: str, function: Callable) -> CheckResult:
    """Check a learner's `function` against the reference of exercise `exercise_id`.

    Every generated case is run; the first one on which `function` raises, returns the wrong
    shape, NaN or another value than the reference is reported. A wrong function whose answers
    on every case are those of a known mistake is named, with a hint. On Linux and macOS a
    function still running after ``nncourse.exercises.core.TIME_LIMIT`` seconds (10) is
    stopped; elsewhere the time it took is reported when it returns.

    Parameters
    ----------
    exercise_id : str
        A key of :data:`EXERCISES`, the label of the book's exercise.
    function : callable
        The learner's function, with the exercise's signature.

    Returns
    -------
    CheckResult
        ``.ok`` and a readable report.

    Examples
    --------
    >>> import numpy as np
    >>> check("ex-activations-sigmoid-grad", lambda x: np.exp(-x) / (1 + np.exp(-x)) ** 2).ok
    True
    >>> result = check("ex-activations-sigmoid-grad", lambda x: 1 / (1 + np.exp(-x)))
    >>> result.ok, result.mistake
    (False, 'the sigmoid is not its own derivative')
    """
    if exercise_id not in EXERCISES:
        known = ", ".join(sorted(EXERCISES))
        raise ValueError(f"exercise_id {exercise_id!r} is not an exercise; known: {known}.")
    if not callable(function):
        raise TypeError(f"function must be callable; got {type(function).__name__}.")
    exercise = EXERCISES[exercise_id]
    cases = exercise.inputs()
    start = time.perf_counter()
    try:
        with _time_limit(TIME_LIMIT):
            result = _run(exercise, function, cases)
    except _TimeUp:
        result = CheckResult(
            exercise, False, len(cases), problem=f"still running after {TIME_LIMIT:g} s: stopped."
        )
    result.seconds = time.perf_counter() - start
    if not result.ok and result.case is None and result.seconds > TIME_LIMIT:
        result.problem += f" It took {result.seconds:.1f} s."
    return result


def _run(exercise: Exercise, function: Callable, cases: list[tuple]) -> CheckResult:
    for index, args in enumerate(cases):
        expected = exercise.expected(args)
        try:
            actual = _quiet(exercise.expected, args, function)
        except Exception as error:  # the learner's code: any error is a finding, not a crash
            problem = f"your function raised {type(error).__name__}: {error}"
            return CheckResult(exercise, False, len(cases), index, args, expected, None, problem)
        problem = compare(expected, actual, exercise.rtol, exercise.atol)
        if problem:
            result = CheckResult(
                exercise, False, len(cases), index, args, expected, actual, problem
            )
            result.mistake = _known_mistake(exercise, function, cases)
            return result
    return CheckResult(exercise, True, len(cases))


def _known_mistake(exercise: Exercise, function: Callable, cases: list[tuple]) -> str | None:
    """The mistake whose answers are the learner's on every case, if there is one."""
    answers = []
    for args in cases:
        try:
            answers.append(_quiet(exercise.expected, args, function))
        except Exception:
            return None
    for name, wrong in exercise.mistakes.items():
        if all(
            not compare(
                _quiet(exercise.expected, args, wrong), answer, exercise.rtol, exercise.atol
            )
            for args, answer in zip(cases, answers, strict=True)
        ):
            return name
    return None


def compare(expected: Any, actual: Any, rtol: float, atol: float) -> str:
    """Empty if `actual` matches `expected`; else what differs, in words.

    Dicts are compared key by key and tuples entry by entry; anything else as an array of
    floats, its shape first, then its values with :func:`numpy.allclose`.

    Examples
    --------
    >>> compare([1.0, 2.0], [1.0, 2.0], rtol=1e-6, atol=1e-9)
    ''
    >>> compare([1.0, 2.0], [1.0, 2.5], rtol=1e-6, atol=1e-9)
    'wrong values; the largest difference is at index (1,).'
    """
    if isinstance(expected, Mapping):
        if not isinstance(actual, Mapping) or set(actual) != set(expected):
            keys = sorted(expected)
            return f"expected a dict with keys {keys}; got {_kind(actual)}."
        for key in expected:
            problem = compare(expected[key], actual[key], rtol, atol)
            if problem:
                return f"[{key!r}] {problem}"
        return ""
    if isinstance(expected, tuple):
        if not isinstance(actual, (tuple, list)) or len(actual) != len(expected):
            return f"expected a tuple of {len(expected)} values; got {_kind(actual)}."
        for position, (want, got) in enumerate(zip(expected, actual, strict=True)):
            problem = compare(want, got, rtol, atol)
            if problem:
                return f"value {position + 1} of the tuple: {problem}"
        return ""
    want = np.asarray(expected, dtype=float)
    try:
        got = np.asarray(actual, dtype=float)
    except (TypeError, ValueError):
        return f"expected numbers; got {_kind(actual)}."
    if got.shape != want.shape:
        return f"expected shape {want.shape}; got shape {got.shape}."
    if np.isnan(got).any() and not np.isnan(want).any():
        return "your result contains NaN."
    if not np.allclose(got, want, rtol=rtol, atol=atol, equal_nan=True):
        if want.ndim == 0:
            return "wrong value."
        worst = np.unravel_index(np.nanargmax(_difference(got, want)), want.shape)
        return f"wrong values; the largest difference is at index {tuple(int(i) for i in worst)}."
    return ""


def _difference(got: np.ndarray, want: np.ndarray) -> np.ndarray:
    with np.errstate(invalid="ignore"):
        return np.where(np.isclose(got, want, equal_nan=True), 0.0, np.abs(got - want) + 1.0)


def _quiet(evaluate: Callable, args: tuple, function: Callable) -> Any:
    """`evaluate(args, function)` without NumPy's warnings: a wrong formula may overflow."""
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return evaluate(args, function)


def _copies(args: tuple) -> tuple:
    """Fresh copies of array arguments: a function that changes its input changes no case."""
    return tuple(np.array(a) if isinstance(a, np.ndarray) else a for a in args)


def _kind(value: Any) -> str:
    return f"a {type(value).__name__}" if not isinstance(value, np.ndarray) else "an array"


def _named(args: tuple) -> list[tuple[str, Any]]:
    return [(f"{position + 1}", value) for position, value in enumerate(args)]


def _show(value: Any) -> str:
    """A short, stable text for a value: rounded, wrapped, no memory address."""
    if isinstance(value, Mapping):
        return "{" + ", ".join(f"{key!r}: {_show(item)}" for key, item in value.items()) + "}"
    if isinstance(value, (tuple, list)) and not _is_numeric_list(value):
        return "(" + ", ".join(_show(item) for item in value) + ")"
    array = np.asarray(value)
    if array.dtype.kind not in "biuf":
        return type(value).__name__
    text = np.array2string(array, precision=4, separator=", ", suppress_small=True, threshold=20)
    return text.replace("\n", "\n            ")


def _is_numeric_list(value: Any) -> bool:
    return all(isinstance(item, (int, float, np.number)) for item in value)


class _TimeUp(
    BaseException
):  # not an Exception: the learner's `except Exception` cannot swallow it
    """The learner's function ran out of time."""


class _time_limit:
    """Stop the block after `seconds` with SIGALRM where there is one: Linux, macOS, main thread."""

    def __init__(self, seconds: float):
        self.seconds = seconds
        self.armed = (
            hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()
        )

    def __enter__(self) -> None:
        if self.armed:
            self.previous = signal.signal(signal.SIGALRM, self._stop)
            signal.setitimer(signal.ITIMER_REAL, self.seconds)

    def __exit__(self, *exc_info) -> None:
        if self.armed:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, self.previous)

    @staticmethod
    def _stop(signum, frame) -> None:
        raise _TimeUp
