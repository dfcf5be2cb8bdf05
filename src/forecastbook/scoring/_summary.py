"""Summaries of per-forecast scores that say their n and what they left out."""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["summarize_scores"]


def summarize_scores(scores: pd.DataFrame, *, by: str | list[str] = "forecaster",
                     columns: list[str] | None = None) -> pd.DataFrame:
    """Mean of each score column per group, with the counts behind it.

    For each score column ``c`` the result has ``c`` (the mean of finite values),
    ``c_n`` (finite values), ``c_inf`` (infinite values: a confident miss under the log
    score, reported as a count, not folded into the mean) and ``c_nan`` (unknown), so a
    mean never hides what it left out.

    >>> s = pd.DataFrame({"forecaster": ["a", "a", "b"], "log": [0.1, np.inf, 0.3]})
    >>> summarize_scores(s, columns=["log"]).to_dict("records")
    [{'forecaster': 'a', 'log': 0.1, 'log_n': 1, 'log_inf': 1, 'log_nan': 0}, {'forecaster': 'b', 'log': 0.3, 'log_n': 1, 'log_inf': 0, 'log_nan': 0}]
    """
    keys = [by] if isinstance(by, str) else list(by)
    columns = columns or [c for c in scores.columns if c not in keys and pd.api.types.is_float_dtype(scores[c])]
    values = {c: scores[c].to_numpy(dtype=float) for c in columns}
    sums, group = _group_sums(scores, keys, values)
    out = {}
    for c, v in values.items():
        n, inf, nan = (np.bincount(group[mask & (group >= 0)], minlength=len(sums))
                       for mask in (np.isfinite(v), np.isinf(v), np.isnan(v)))
        with np.errstate(invalid="ignore", divide="ignore"):
            out[c] = np.where(n > 0, sums[c].to_numpy() / n, np.nan)
        out[f"{c}_n"], out[f"{c}_inf"], out[f"{c}_nan"] = n, inf, nan
    return pd.DataFrame(out, index=sums.index).reset_index()


def _group_sums(scores: pd.DataFrame, keys: list[str],
                values: dict[str, np.ndarray]) -> tuple[pd.DataFrame, np.ndarray]:
    """Per group, the sums of the finite values (pandas' compensated sums: the counts are
    exact whichever way, so they need no table), and each row's group (-1 when its key
    is missing: left out)."""
    frame = pd.DataFrame({c: np.where(np.isfinite(v), v, 0.0) for c, v in values.items()}, index=scores.index)
    for k in keys:
        frame[k] = _key(scores[k])
    grouped = frame.groupby(keys, sort=True)
    group = grouped.ngroup().to_numpy()
    return grouped.sum(), np.where(np.isnan(group), -1, group).astype(np.int64) if group.dtype.kind == "f" else group


def _key(column: pd.Series) -> np.ndarray | pd.api.extensions.ExtensionArray:
    """A key column's values to group by: pandas' text as it is (``to_numpy`` would make
    a Python string of every row), any other (and an empty one) as a plain array."""
    if isinstance(column.dtype, pd.StringDtype) and len(column):
        return column.array
    return column.to_numpy()
