"""Input checks shared by every module: clear messages that name the argument."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
from numpy.typing import ArrayLike

REDUCTIONS = ("mean", "sum", "none")
_FLOAT_DTYPES = (np.dtype(np.float32), np.dtype(np.float64))  # native byte order
_UNSIGNED = {1: np.uint8, 2: np.uint16, 4: np.uint32, 8: np.uint64}  # by size in bytes


def as_float_array(
    x: ArrayLike, name: str, *, allow_infinite: bool = False, check_values: bool = True
) -> np.ndarray:
    """Return `x` as a floating array: float32/float64 kept, integers, bools and lists to float64.

    NaN is refused; infinities too unless `allow_infinite` (e.g. ``log 0 = -inf``).
    ``check_values=False`` skips that scan of the values, for an array already scanned (the
    conventions page says when), but not the conversion and its type checks.

    Raises
    ------
    TypeError
        If `x` is not numeric (strings, objects, complex numbers).
    ValueError
        If `x` contains NaN, or infinity where it is not allowed.
    """
    if type(x) is np.ndarray and x.dtype in _FLOAT_DTYPES:
        array = x  # the common case inside a training loop: no conversion to decide on
    else:
        array = _convert_to_float(x, name)
    if not check_values:
        return array
    if allow_infinite:
        if np.isnan(array).any():
            raise ValueError(f"{name} must not contain NaN.")
    elif not np.isfinite(array).all():
        # one pass for the common case; only a failing array is scanned again for the message
        if np.isnan(array).any():
            raise ValueError(f"{name} must not contain NaN.")
        raise ValueError(f"{name} must contain only finite numbers; it contains infinity.")
    return array


def _convert_to_float(x: ArrayLike, name: str) -> np.ndarray:
    """`x` as a float32 or float64 array (see :func:`as_float_array`), its values unchecked."""
    try:
        array = np.asarray(x)
    except (ValueError, TypeError) as exc:  # ragged nested lists
        raise TypeError(f"{name} must be a numeric array; could not convert it ({exc}).") from exc
    if array.dtype.kind in "biu":
        array = array.astype(np.float64)
    elif array.dtype.kind != "f":
        raise TypeError(
            f"{name} must be a real numeric array; got dtype {array.dtype}. "
            f"Convert it first, e.g. np.asarray({name}, dtype=float)."
        )
    elif array.dtype not in _FLOAT_DTYPES:
        array = array.astype(np.float64)  # float16 or longdouble: compute in float64
    return array


def check_same_shape(
    input: np.ndarray,
    target: np.ndarray,
    target_name: str = "target",
    *,
    input_name: str = "input",
    reason: str | None = None,
) -> None:
    """Refuse silent broadcasting: `target` must have exactly `input`'s shape.

    The message names both arrays and says why the shapes must agree; `reason` defaults to
    "no broadcasting between <input> and <target>".
    """
    if input.shape != target.shape:
        reason = reason or f"no broadcasting between {input_name} and {target_name}"
        raise ValueError(
            f"{target_name} has shape {target.shape}, expected {input.shape} to match "
            f"{input_name}'s shape ({reason})."
        )


def check_reduction(reduction: str, allowed: Sequence[str] = REDUCTIONS) -> str:
    """Return `reduction` if it is one of `allowed`, else raise a ValueError listing them."""
    if reduction not in allowed:
        options = ", ".join(repr(option) for option in allowed)
        raise ValueError(f"reduction must be one of {options}; got {reduction!r}.")
    return reduction


def check_in_unit_interval(x: np.ndarray, name: str, *, check_values: bool = True) -> np.ndarray:
    """Raise unless every entry of `x` lies in [0, 1] (probabilities); no scan without
    `check_values`."""
    if check_values and x.size and (x.min() < 0 or x.max() > 1):
        raise ValueError(
            f"{name} must contain probabilities in [0, 1]; "
            f"got values in [{x.min():.6g}, {x.max():.6g}]."
        )
    return x


def check_positive(value: float, name: str, *, strict: bool = True) -> float:
    """Raise unless the scalar `value` is > 0 (or >= 0 with ``strict=False``)."""
    # a Python float (the usual case) is checked without a round trip through NumPy
    finite = math.isfinite(value) if type(value) is float else is_finite_number(value)
    if not finite:
        raise ValueError(f"{name} must be a finite number; got {value!r}.")
    if value < 0 or (strict and value == 0):
        bound = "> 0" if strict else ">= 0"
        raise ValueError(f"{name} must be {bound}; got {value!r}.")
    return float(value)


def is_finite_number(value: object) -> bool:
    """True for a finite real scalar (Python or NumPy); False for arrays, lists, NaN, infinity."""
    return bool(np.isscalar(value) and np.isfinite(value))


def check_class_indices(
    target: ArrayLike,
    n_classes: int,
    expected_shape: tuple[int, ...],
    *,
    check_values: bool = True,
) -> np.ndarray:
    """Validate integer class labels: shape `expected_shape`, each in [0, n_classes).

    ``check_values=False`` checks the dtype and the shape but does not scan the range.
    """
    target = np.asarray(target)
    if target.dtype.kind not in "iu":
        raise TypeError(f"target must hold integer class indices; got dtype {target.dtype}.")
    if target.shape != expected_shape:
        raise ValueError(
            f"target has shape {target.shape}, expected {expected_shape} "
            "to match input's batch size."
        )
    if not (check_values and target.size):
        return target
    # one pass: seen as unsigned, a negative index is huge, so the largest value finds both errors
    unsigned = target.view(_UNSIGNED[target.dtype.itemsize])
    if np.maximum.reduce(unsigned, axis=None) >= n_classes:
        raise ValueError(
            f"target must hold class indices in [0, {n_classes - 1}] for input with {n_classes} "
            f"classes; got values in [{target.min()}, {target.max()}]."
        )
    return target


def reduce(values: np.ndarray, reduction: str) -> float | np.ndarray:
    """Apply a PyTorch-style reduction: "mean" and "sum" give a float, "none" the array."""
    if reduction == "none":
        return values
    total = values.sum()
    return float(total if reduction == "sum" else total / values.size)  # the mean, bit for bit


def check_size(value: int, name: str, minimum: int = 1) -> int:
    """A count or a size: an integer (bools refused) of at least `minimum`.

    Raises
    ------
    TypeError
        If `value` is not an integer.
    ValueError
        If `value` is below `minimum`.
    """
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{name} must be an integer; got {value!r}.")
    if value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}; got {value}.")
    return int(value)


def as_generator(rng: np.random.Generator | int | None) -> np.random.Generator:
    """`rng` as a Generator: None (fresh entropy), an integer seed or a Generator; no bool."""
    if isinstance(rng, np.random.Generator):
        return rng
    if rng is None or (isinstance(rng, (int, np.integer)) and not isinstance(rng, bool)):
        return np.random.default_rng(rng)
    raise TypeError(
        "rng must be a numpy.random.Generator, an integer seed or None; "
        f"got {type(rng).__name__}. Create one with np.random.default_rng(seed)."
    )


def log_of_base(base: float | None) -> float:
    """The divisor that turns nats into units of `base`: 1 for None (natural logarithms)."""
    if base is None:
        return 1.0
    if isinstance(base, (bool, np.bool_)) or not isinstance(base, (int, float, np.number)):
        raise TypeError(f"base must be a real number or None; got {type(base).__name__}.")
    if not math.isfinite(base) or base <= 0 or base == 1:
        raise ValueError(
            f"base must be a finite number > 0 and != 1 (e.g. 2 for bits, None for nats); "
            f"got {base!r}."
        )
    return math.log(base)


def as_layer_input(x: ArrayLike, name: str = "x") -> np.ndarray:
    """`x` as a float array, for a layer: a float32/float64 array passes as it is.

    Layers check shapes, not values, so a NaN propagates to the output as in PyTorch; anything
    else (lists, integers) goes through :func:`as_float_array`.
    """
    if isinstance(x, np.ndarray) and x.dtype in _FLOAT_DTYPES:
        return x
    return as_float_array(x, name)


def check_features(x: np.ndarray, n_features: int, name: str = "x") -> np.ndarray:
    """Require features on the last axis, ``(*, n_features)``, as PyTorch's Linear does."""
    if x.ndim == 0 or x.shape[-1] != n_features:
        raise ValueError(
            f"{name} must have shape (*, {n_features}), {n_features} features on the last axis; "
            f"got {x.shape}."
        )
    return x
