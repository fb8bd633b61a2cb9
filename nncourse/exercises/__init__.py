"""Exercise checkers: the self-check that tells a learner which mistake they made.

:data:`EXERCISES` maps each exercise id, the label of the book's exercise that asks for the
function, to an :class:`Exercise`; :func:`check` runs a learner's function on the exercise's
cases. The exercises are grouped by the part of the book that asks for them:
:mod:`~nncourse.exercises.activations`, :mod:`~nncourse.exercises.foundations` (softmax,
entropy and KL divergence), :mod:`~nncourse.exercises.losses`,
:mod:`~nncourse.exercises.threshold_units`, :mod:`~nncourse.exercises.training` and
:mod:`~nncourse.exercises.optimizers`. Their known mistakes come from the chapters' pitfall boxes
and from the errata register of the worked problem sets.
"""

# The order of the imports is the order of the exercises in EXERCISES.
# isort: off
from . import core
from . import activations, foundations, losses, threshold_units, training, optimizers
from .core import CheckResult, Exercise, check, compare, exercise, register

# isort: on

#: Every exercise that can be checked, by its id: the label of the book's exercise.
EXERCISES = core.EXERCISES

__all__ = [
    "EXERCISES",
    "CheckResult",
    "Exercise",
    "activations",
    "check",
    "compare",
    "exercise",
    "foundations",
    "losses",
    "optimizers",
    "register",
    "threshold_units",
    "training",
]
