"""Checks that the layers share. They run on every batch, so they look at shapes, not values."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from .._validation import check_size


def check_images(x: np.ndarray, n_channels: int | None, kernel: tuple[int, int]) -> np.ndarray:
    """Require (N, C, H, W) with C = `n_channels` (if given) and H, W at least the kernel's size."""
    channels = "channels" if n_channels is None else str(n_channels)
    if x.ndim != 4 or (n_channels is not None and x.shape[1] != n_channels):
        raise ValueError(
            f"x must have shape (n_samples, {channels}, height, width); got {x.shape}. "
            "For one image use x[np.newaxis]."
        )
    if x.shape[2] < kernel[0] or x.shape[3] < kernel[1]:
        raise ValueError(
            f"x has height and width {x.shape[2:]}, smaller than the kernel {kernel} "
            "(after padding): use a smaller kernel or more padding."
        )
    return x


def saved(layer, value):
    """Return what forward stored for backward, or explain that forward has not run yet."""
    if value is None:
        name = type(layer).__name__
        raise RuntimeError(
            f"{name}.backward was called before {name}.forward: call the layer on an input "
            "first, then backward with the gradient of the loss with respect to its output."
        )
    return value


def check_grad_output(grad_output: ArrayLike, shape: tuple[int, ...], layer) -> np.ndarray:
    grad_output = np.asarray(grad_output)
    if grad_output.shape != shape:
        raise ValueError(
            f"grad_output has shape {grad_output.shape}, expected {shape}: the shape of the "
            f"output of {type(layer).__name__}'s last forward."
        )
    return grad_output


def pair(value: int | tuple[int, int], name: str, minimum: int = 1) -> tuple[int, int]:
    """An int `k` means ``(k, k)``, as PyTorch's kernel_size, stride and padding."""
    values = tuple(value) if isinstance(value, (tuple, list)) else (value, value)
    if len(values) != 2:
        raise ValueError(f"{name} must be an integer or a pair (height, width); got {value!r}.")
    return (check_size(values[0], name, minimum), check_size(values[1], name, minimum))
