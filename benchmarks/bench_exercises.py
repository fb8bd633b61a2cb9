"""Benchmark: every self-check runs in under a second.

For each exercise of ``nncourse.exercises`` the script times ``check`` on the reference (every
case run once) and on each known mistake (every case run twice: once to find the failure, once to
name the mistake), and prints the slowest. Each exercise is checked once before it is timed: the
first check of the threshold-unit exercises imports SciPy's linear-program solver, a one-time
cost of the session (printed separately). It exits with status 1 if any check takes a second or
more. Run ``python benchmarks/bench_exercises.py`` (a few seconds).
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run from a source checkout

from nncourse.exercises import EXERCISES, check

LIMIT = 1.0  # seconds per check


def timed_check(exercise_id: str, function) -> float:
    start = time.perf_counter()
    check(exercise_id, function)
    return time.perf_counter() - start


def main() -> int:
    start = time.perf_counter()
    for exercise_id, exercise in EXERCISES.items():
        check(exercise_id, exercise.reference)  # one-time imports and caches
    print(f"first check of every exercise, imports included: {time.perf_counter() - start:.2f} s")
    slowest = []
    for exercise_id, exercise in EXERCISES.items():
        functions = {"reference": exercise.reference, **exercise.mistakes}
        seconds = {name: timed_check(exercise_id, function) for name, function in functions.items()}
        name = max(seconds, key=seconds.get)
        slowest.append((seconds[name], exercise_id, name))
    slowest.sort(reverse=True)
    print(f"{len(EXERCISES)} exercises; the slowest checks (seconds):")
    for seconds, exercise_id, name in slowest[:8]:
        print(f"{seconds:8.3f}  {exercise_id}  ({name})")
    too_slow = [row for row in slowest if row[0] >= LIMIT]
    for seconds, exercise_id, name in too_slow:
        print(f"FAILED: {exercise_id} ({name}) took {seconds:.2f} s >= {LIMIT} s")
    return 1 if too_slow else 0


if __name__ == "__main__":
    sys.exit(main())
