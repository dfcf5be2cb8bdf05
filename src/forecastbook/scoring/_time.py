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


def _ranks(values: pd.Series) -> tuple[np.ndarray, pd.Index]:
    """Each value's rank among the distinct values (missing values last), and those
    values in order: the keys a stable ``sort_values`` sorts by."""
    codes, uniques = pd.factorize(values, sort=True, size_hint=1024)  # a table sized for the rows is big
    return np.where(codes < 0, len(uniques), codes), uniques


def _empty() -> pd.DataFrame:
    """The table of no pair, with the dtypes it always had."""
    return pd.DataFrame({"question_id": [], "forecaster": [], **{c: np.zeros(0, dtype=np.int64) for c in
                         ("n_forecasts", "days_open", "days_covered")}, "coverage": np.zeros(0), "score": np.zeros(0)})


def time_averaged_scores(forecasts: pd.DataFrame, *, score: ScoreName = "brier",
                         rows: np.ndarray | None = None) -> pd.DataFrame:
    """Time-averaged score of each (question, forecaster) pair of binary forecasts.

    ``forecasts`` needs ``question_id, forecaster, day, probability, outcome, created,
    closes`` (dates for the last three but ``outcome``, a float in [0, 1] or NaN); ``at``
    breaks ties on one day (the later forecast stands), else the row order does. No
    question id, forecaster or probability may be missing. ``rows``: the positions of the
    rows to score (all by default), for a selection without a copy of the frame.

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
    pairs, questions, forecasters = per_pair(forecasts, score=score, rows=rows)
    if not len(pairs["score"]):
        return _empty()
    return pd.DataFrame({"question_id": questions.take(pairs.pop("question")),
                         "forecaster": forecasters.take(pairs.pop("forecaster")), **pairs})


def per_pair(forecasts: pd.DataFrame, *, score: ScoreName = "brier",
             rows: np.ndarray | None = None) -> tuple[dict[str, np.ndarray], pd.Index, pd.Index]:
    """The columns of :func:`time_averaged_scores` as arrays, ``question`` and
    ``forecaster`` as positions in the two indexes returned (the ids in order)."""
    rule = BINARY_RULES[score]
    column = _columns(forecasts, rows)
    order, (question, questions), (forecaster, forecasters) = _sorted(column, "at" in forecasts)
    day, created, closes = (_days(column(name))[order] for name in ("day", "created", "closes"))
    kept = day <= closes
    order, question, forecaster = order[kept], question[kept], forecaster[kept]
    day, created, closes = day[kept], created[kept], closes[kept]
    new = np.ones(len(order), dtype=bool)  # the first forecast of a (question, forecaster) pair
    new[1:] = (question[1:] != question[:-1]) | (forecaster[1:] != forecaster[:-1])
    first = np.flatnonzero(new)
    duration = _days_standing(day, created, closes, new)
    days_open = (closes[first] - created[first] + 1).astype(np.int64)
    del day, created, closes  # a store's worth of forecasts makes each of these arrays big
    s = rule(column("outcome").to_numpy(dtype=float)[order], column("probability").to_numpy(dtype=float)[order])
    with np.errstate(invalid="ignore"):
        weighted = np.where(duration > 0, s * duration, 0.0)
        weighted[np.isnan(s)] = np.nan  # an unknown outcome gives NaN, never 0
    del s
    covered = np.add.reduceat(duration, first) if len(first) else duration
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(covered > 0, _sums(weighted, first) / covered, np.nan)
    pairs = {"question": question[first], "forecaster": forecaster[first],
             "n_forecasts": np.diff(np.append(first, len(order))), "days_open": days_open,
             "days_covered": covered.astype(np.int64), "coverage": covered / days_open, "score": mean}
    return pairs, questions, forecasters


def _columns(forecasts: pd.DataFrame, rows: np.ndarray | None):  # noqa: ANN202
    """A function from a column's name to the column (at ``rows``), once the columns are
    checked."""
    missing = [c for c in ("question_id", "forecaster", "day", "probability", "outcome", "created", "closes")
               if c not in forecasts]
    if missing:
        raise ValueError(f"forecasts needs the columns {', '.join(missing)}")
    column = (lambda name: forecasts[name]) if rows is None else (lambda name: forecasts[name].iloc[rows])
    if column("probability").isna().any():
        raise ValueError("probability must not be NaN: a day with no forecast is a day not covered, not a score of 0")
    if column("question_id").isna().any() or column("forecaster").isna().any():
        raise ValueError("question_id and forecaster must not be missing")
    return column


def _sorted(column, at: bool) -> tuple[np.ndarray, tuple, tuple]:  # noqa: ANN001
    """The rows by question, forecaster, day and time (ties in row order), as a stable
    ``sort_values`` orders them but without a sorted copy of the frame; and each sorted
    row's question and forecaster as positions in their ids."""
    (question, questions), (forecaster, forecasters) = _ranks(column("question_id")), _ranks(column("forecaster"))
    within = ["at", "day"] if at else ["day"]  # np.lexsort sorts by the last key first
    order = np.lexsort([_ranks(column(c))[0] for c in within] + [forecaster, question])
    return order, (question[order], questions), (forecaster[order], forecasters)


def _days_standing(day: np.ndarray, created: np.ndarray, closes: np.ndarray, new: np.ndarray) -> np.ndarray:
    """The days each forecast stood: from its day (or the question's creation) until the
    same pair's next forecast, or the day after close."""
    start = np.maximum(day, created)
    end = closes + 1
    standing = ~new[1:]  # the next forecast is the same pair's: this one stands until then
    end[:-1][standing] = np.minimum(start[1:][standing], end[:-1][standing])
    return np.clip(end - start, 0, None).astype(float)


BLOCK = 1 << 16  # rows summed by one groupby: its temporary tables grow with the rows it is given


def _sums(weighted: np.ndarray, first: np.ndarray) -> np.ndarray:
    """Per pair (rows ``first[i]`` to ``first[i + 1]``), the sum of ``weighted``, NaN if
    any is NaN: pandas' compensated sum per group, the digits it gave before (the other
    sums are of whole days, exact either way), whole pairs a block of rows at a time."""
    if not len(first):
        return weighted
    cut = np.unique(np.searchsorted(first, np.arange(0, len(weighted), BLOCK)))  # the pair a block starts with
    cut = np.append(cut[cut < len(first)], len(first))
    start = np.append(first, len(weighted))
    total = np.concatenate([_block_sums(weighted[start[i]:start[j]], first[i:j] - start[i])
                            for i, j in zip(cut[:-1], cut[1:])])
    return np.where(np.logical_or.reduceat(np.isnan(weighted), first), np.nan, total)


def _block_sums(weighted: np.ndarray, first: np.ndarray) -> np.ndarray:
    """The sums of :func:`_sums` for the pairs starting at rows ``first`` of a block."""
    new = np.zeros(len(weighted), dtype=np.int64)
    new[first] = 1
    return pd.Series(weighted).groupby(np.cumsum(new), sort=True).sum(min_count=1).to_numpy()
