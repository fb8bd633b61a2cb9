"""Exercise checkers: the self-check that tells a learner which mistake they made.

:data:`EXERCISES` maps each exercise id, the label of the book's exercise that asks for the
function, to an :class:`Exercise`; :func:`check` runs a learner's function on the exercise's
cases. The exercises are grouped by the part of the book that asks for them:
:mod:`~nncourse.exercises.foundations`, :mod:`~nncourse.exercises.threshold_units` and
:mod:`~nncourse.exercises.training`.
"""

from . import core, foundations, threshold_units, training
from .core import CheckResult, Exercise, check

#: Every exercise that can be checked, by its id: the label of the book's exercise.
EXERCISES = core.EXERCISES

__all__ = [
    "EXERCISES",
    "CheckResult",
    "Exercise",
    "check",
    "foundations",
    "threshold_units",
    "training",
]
