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
    parts = {}
    for c in columns:
        v = scores[c].to_numpy(dtype=float)
        finite = np.isfinite(v)
        parts[c] = np.where(finite, v, 0.0)
        parts[f"{c}_n"] = finite.astype(np.int64)
        parts[f"{c}_inf"] = np.isinf(v).astype(np.int64)
        parts[f"{c}_nan"] = np.isnan(v).astype(np.int64)
    frame = pd.DataFrame(parts, index=scores.index)
    for k in keys:
        frame[k] = scores[k].to_numpy()
    out = frame.groupby(keys, sort=True).sum()
    for c in columns:
        with np.errstate(invalid="ignore", divide="ignore"):
            out[c] = np.where(out[f"{c}_n"] > 0, out[c] / out[f"{c}_n"], np.nan)
    return out.reset_index()
