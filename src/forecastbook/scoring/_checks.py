"""Argument checks for the public scoring functions, in scikit-learn's manner: each
message names the argument, the rule and the value received."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray


def column(name: str, values: ArrayLike) -> NDArray[np.float64]:
    """``values`` as a 1-d float array (a scalar stays a scalar; an (n, 1) column is
    accepted); anything else is refused.

    >>> column("y_true", [[1], [0]])
    array([1., 0.])
    """
    try:
        arr = np.asarray(values, dtype=float)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be numbers, got {str(values)[:60]!r}") from None
    if arr.ndim == 2 and arr.shape[1] == 1:
        arr = arr[:, 0]
    if arr.ndim > 1:
        raise ValueError(f"{name} must be 1-dimensional, got shape {arr.shape}")
    return arr


def same_length(**arrays: NDArray) -> int:
    """The common length of 1-d arrays; a scalar (0-d) stands for every row, but 1-d
    arrays must agree: one outcome is never scored against three forecasts.

    >>> same_length(y_true=np.ones(3), y_prob=np.float64(0.5))
    3
    """
    sizes = {name: a.size for name, a in arrays.items() if a.ndim > 0}
    lengths = set(sizes.values())
    if len(lengths) > 1:
        shown = ", ".join(f"{name} has {size}" for name, size in sizes.items())
        raise ValueError(f"{' and '.join(sizes)} must have the same length: {shown}")
    return lengths.pop() if lengths else 1


def in_unit_interval(name: str, arr: NDArray) -> NDArray:
    """Refuse values outside [0, 1] (NaN passes: it means unknown and scores NaN)."""
    bad = (arr < 0) | (arr > 1)
    if np.any(bad):
        raise ValueError(f"{name} must be between 0 and 1, got {arr[bad].flat[0]}")
    return arr


def binary_outcomes(name: str, arr: NDArray) -> NDArray:
    """Refuse anything but 0, 1 and NaN."""
    bad = ~(np.isin(arr, (0.0, 1.0)) | np.isnan(arr))
    if np.any(bad):
        raise ValueError(f"{name} must be 0 or 1, got {arr[bad].flat[0]}")
    return arr
