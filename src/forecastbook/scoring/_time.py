"""Time-averaged scores: the standing forecast carried forward day by day, vectorised.

A forecaster's standing forecast on a question is their latest one. Each day from their
first forecast (or the question's creation, if later) until the question closes is scored
with the forecast standing that day; the time-averaged score is the mean over those
days, and the coverage is the share of the question's open period (``created`` to
``closes``, both included) that the forecaster covered. Forecasts after close are ignored.

No Python loop runs per day or per forecast: each forecast is weighted by the number of
days it stood.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ._rules import BINARY_RULES, ScoreName

__all__ = ["time_averaged_scores"]

TIME_AVERAGED_COLUMNS = ["question_id", "forecaster", "n_forecasts", "days_open", "days_covered",
                         "coverage", "score"]


def _days(values: pd.Series) -> np.ndarray:
    return pd.to_datetime(values).to_numpy().astype("datetime64[D]").astype(np.int64)


def _pair_codes(questions: pd.Series, forecasters: pd.Series) -> tuple[np.ndarray, pd.MultiIndex]:
    """Codes of the (question, forecaster) pairs in order of first appearance, and the
    pairs, as ``pd.factorize`` of their MultiIndex gives them (without making tuples)."""
    q_codes, q_uniques = pd.factorize(questions)
    w_codes, w_uniques = pd.factorize(forecasters)
    codes, combined = pd.factorize(q_codes.astype(np.int64) * max(len(w_uniques), 1) + w_codes)
    width = max(len(w_uniques), 1)
    return codes, pd.MultiIndex.from_arrays([q_uniques[combined // width], w_uniques[combined % width]])


def time_averaged_scores(forecasts: pd.DataFrame, *, score: ScoreName = "brier") -> pd.DataFrame:
    """Time-averaged score of each (question, forecaster) pair of binary forecasts.

    ``forecasts`` needs ``question_id, forecaster, day, probability, outcome, created,
    closes`` (dates for the last three but ``outcome``, a float in [0, 1] or NaN); ``at``
    breaks ties on one day (the later forecast stands), else the row order does.

    Returns the columns ``question_id, forecaster, n_forecasts`` (counted before close),
    ``days_open, days_covered, coverage`` (days_covered / days_open) and ``score`` (the
    time-averaged score; NaN when the outcome is unknown or no day was covered).

    >>> import datetime as dt
    >>> d = dt.date
    >>> f = pd.DataFrame({"question_id": ["q", "q"], "forecaster": ["a", "a"],
    ...     "day": [d(2026, 1, 2), d(2026, 1, 4)], "probability": [0.5, 0.9], "outcome": [1.0, 1.0],
    ...     "created": [d(2026, 1, 1)] * 2, "closes": [d(2026, 1, 5)] * 2})
    >>> # 0.25 for 2 days (Jan 2-3), 0.01 for 2 days (Jan 4-5): mean 0.13; 4 of 5 days covered
    >>> time_averaged_scores(f).round(6).to_dict("records")
    [{'question_id': 'q', 'forecaster': 'a', 'n_forecasts': 2, 'days_open': 5, 'days_covered': 4, 'coverage': 0.8, 'score': 0.13}]
    """
    rule = BINARY_RULES[score]
    missing = [c for c in ("question_id", "forecaster", "day", "probability", "outcome", "created", "closes")
               if c not in forecasts]
    if missing:
        raise ValueError(f"forecasts needs the columns {', '.join(missing)}")
    probability = forecasts["probability"].to_numpy(dtype=float)
    if np.isnan(probability).any():
        raise ValueError("probability must not be NaN: a day with no forecast is a day not covered, not a score of 0")
    order = ["question_id", "forecaster", "day"] + (["at"] if "at" in forecasts else [])
    f = forecasts.sort_values(order, kind="stable")
    day, created, closes = _days(f["day"]), _days(f["created"]), _days(f["closes"])
    keep = day <= closes
    f, day, created, closes = f[keep], day[keep], created[keep], closes[keep]
    codes, uniques = _pair_codes(f["question_id"], f["forecaster"])
    n = len(codes)
    same_next = np.zeros(n, dtype=bool)
    same_next[:-1] = codes[1:] == codes[:-1]
    start = np.maximum(day, created)
    next_start = np.empty(n, dtype=np.int64)
    next_start[:-1] = start[1:]
    end = np.where(same_next, np.minimum(next_start, closes + 1), closes + 1)
    duration = np.clip(end - start, 0, None).astype(float)
    s = rule(f["outcome"].to_numpy(dtype=float), f["probability"].to_numpy(dtype=float))
    with np.errstate(invalid="ignore"):
        weighted = np.where(duration > 0, s * duration, 0.0)
        weighted = np.where(np.isnan(s), np.nan, weighted)  # an unknown outcome gives NaN, never 0
    sums = pd.DataFrame({"code": codes, "weighted": weighted, "duration": duration, "unknown": np.isnan(weighted)})
    grouped = sums.groupby("code", sort=True)
    total = grouped["weighted"].sum(min_count=1).to_numpy()  # NaN stays NaN
    total = np.where(grouped["unknown"].any().to_numpy(), np.nan, total)
    covered = grouped["duration"].sum().to_numpy()
    counts = grouped.size().to_numpy()
    first = pd.Series(np.arange(n)).groupby(codes).first().to_numpy()
    days_open = (closes[first] - created[first] + 1).astype(np.int64)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(covered > 0, total / covered, np.nan)
    pairs = uniques[np.sort(np.unique(codes))] if n else uniques
    return pd.DataFrame({
        "question_id": pairs.get_level_values(0) if n else [],
        "forecaster": pairs.get_level_values(1) if n else [],
        "n_forecasts": counts,
        "days_open": days_open,
        "days_covered": covered.astype(np.int64),
        "coverage": covered / days_open,
        "score": mean,
    })
