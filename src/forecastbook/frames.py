"""Records to tidy pandas tables, as of a date: one row per question, per forecast, and per
scorable binary forecast. Drafts (``draft: true``) are left out: they are not scored.

>>> import forecastbook
>>> store = forecastbook.load_store("forecasts")
>>> questions_frame(store, as_of="2026-11-27")[["id", "kind", "status"]].head(3)
                                                  id    kind   status
0  escalate-beyond-prior-level-by-2026-12-31-if-t...  binary     open
1                     first-retightening-action-date    date     open
2      no-china-mobile-unicom-us-order-by-2026-04-30  binary  overdue
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from .checks import utc_day
from .queries import scoring_cutoff, status_as_of
from .store import Store

__all__ = ["questions_frame", "forecasts_frame", "binary_forecasts", "categorical_forecasts", "as_date"]

QUESTION_COLUMNS = [
    "id", "title", "kind", "status", "created", "closes", "resolve_by", "resolved_at", "outcome", "cutoff",
    "condition_question", "condition_outcome", "source", "tags", "n_forecasts", "path",
]
FORECAST_COLUMNS = [
    "question_id", "kind", "forecaster", "at", "day", "probability", "probabilities", "quantiles",
    "verbal", "derived", "after_close",
]


def _finished(store: Store) -> list:
    """The questions by id, drafts left out (they are not scored until finished)."""
    return [q for q in sorted(store.questions.values(), key=lambda q: q.id) if not q.draft]


def as_date(value: dt.date | str | None) -> dt.date:
    """A date from a date, an ISO string or None (None is an error: pass ``as_of``)."""
    if value is None:
        raise ValueError("as_of is required: pass the date to judge status by, e.g. as_of='2026-11-27'")
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value))


def questions_frame(store: Store, *, as_of: dt.date | str) -> pd.DataFrame:
    """One row per question, its status and outcome as known on ``as_of``.

    Columns: ``id, title, kind, status`` (open, overdue, resolved, annulled, ambiguous),
    ``created, closes, resolve_by`` (dates), ``resolved_at`` (date or None), ``outcome``
    (bool for binary, outcome name, number or date; None unless resolved by ``as_of``),
    ``cutoff`` (the last day whose forecasts are scored: ``closes``, or the day the outcome
    became known if earlier),
    ``condition_question, condition_outcome, source`` (source id), ``tags`` (tuple),
    ``n_forecasts, path``.
    """
    as_of = as_date(as_of)
    rows = []
    for q in _finished(store):
        status = status_as_of(q, as_of)
        rows.append((
            q.id, q.title, q.kind, status, q.created, q.closes, q.resolve_by,
            q.resolution.at if q.resolution is not None and q.resolution.at <= as_of else None,
            q.outcome_value() if status == "resolved" else None,
            scoring_cutoff(q, as_of),
            q.condition.question if q.condition else None,
            q.condition.outcome if q.condition else None,
            q.source.ref if q.source else None, tuple(q.tags), len(q.forecasts), str(store.paths[q.id]),
        ))
    return pd.DataFrame(rows, columns=QUESTION_COLUMNS)


def forecasts_frame(store: Store, *, as_of: dt.date | str | None = None) -> pd.DataFrame:
    """One row per forecast (made on or before ``as_of`` when given).

    Columns: ``question_id, kind, forecaster, at`` (UTC timestamp), ``day`` (UTC date),
    ``probability`` (binary, else NaN), ``probabilities`` (dict, categorical), ``quantiles``
    (dict, numeric and date), ``verbal, derived``, ``after_close`` (bool: not scored).
    """
    cutoff = as_date(as_of) if as_of is not None else None
    rows = []
    for q in _finished(store):
        for f in q.forecasts:
            day = utc_day(f.at)
            if cutoff is not None and day > cutoff:
                continue
            rows.append((
                q.id, q.kind, f.by, f.at.astimezone(dt.timezone.utc), day,
                np.nan if f.probability is None else f.probability, f.probabilities, f.quantiles,
                f.verbal, f.derived, day > q.closes,
            ))
    frame = pd.DataFrame(rows, columns=FORECAST_COLUMNS)
    frame["at"] = pd.to_datetime(frame["at"], utc=True)
    frame["probability"] = frame["probability"].astype(float)
    frame["after_close"] = frame["after_close"].astype(bool)
    return frame.sort_values(["question_id", "at", "forecaster"], ignore_index=True)


def binary_forecasts(store: Store, *, as_of: dt.date | str) -> pd.DataFrame:
    """Binary forecasts made by ``as_of`` joined to what was known of their question then.

    Columns: ``question_id, forecaster, at, day, probability, closes, created, status,
    resolved_at``, ``outcome`` (float: 1.0 yes, 0.0 no, a probability for a probabilistic
    resolution, NaN unless resolved), ``after_close`` (bool), ``cutoff`` (date) and
    ``after_known`` (bool: made after the outcome became known, before close), ``tags, source``.
    """
    as_of = as_date(as_of)
    qf = questions_frame(store, as_of=as_of)
    qf = qf[qf["kind"] == "binary"]
    ff = forecasts_frame(store, as_of=as_of)
    ff = ff[ff["kind"] == "binary"][["question_id", "forecaster", "at", "day", "probability", "after_close"]]
    out = ff.merge(
        qf[["id", "created", "closes", "status", "resolved_at", "outcome", "cutoff", "tags", "source"]],
        left_on="question_id", right_on="id", how="left",
    ).drop(columns="id")
    out["after_known"] = ~out["after_close"] & (out["day"] > out["cutoff"])
    out["outcome"] = pd.to_numeric(out["outcome"].map(_binary_float), errors="raise").astype(float)
    return out


def _binary_float(value: object) -> float:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return np.nan
    return float(value)


def categorical_forecasts(store: Store, *, as_of: dt.date | str) -> pd.DataFrame:
    """Categorical forecasts made by ``as_of``, long: one row per (forecast, outcome).

    Columns: ``question_id, forecaster, at, day, outcome_name, position`` (0-based order in
    the question's outcomes), ``probability, realised`` (1.0 for the resolved outcome, 0.0
    for the others, NaN unless resolved), ``ordered, status, after_close, after_known``.
    """
    as_of = as_date(as_of)
    rows = []
    for q in _finished(store):
        if q.kind != "categorical" or not q.outcomes:
            continue
        status = status_as_of(q, as_of)
        outcome = q.outcome_value() if status == "resolved" else None
        cutoff = scoring_cutoff(q, as_of)
        for f in q.forecasts:
            day = utc_day(f.at)
            if day > as_of or f.probabilities is None:
                continue
            for pos, name in enumerate(q.outcomes):
                realised = np.nan if outcome is None else float(name == outcome)
                rows.append((q.id, f.by, f.at.astimezone(dt.timezone.utc), day, name, pos,
                             f.probabilities.get(name, 0.0), realised, q.ordered, status, day > q.closes,
                             q.closes >= day > cutoff))
    columns = ["question_id", "forecaster", "at", "day", "outcome_name", "position", "probability",
               "realised", "ordered", "status", "after_close", "after_known"]
    frame = pd.DataFrame(rows, columns=columns)
    frame["at"] = pd.to_datetime(frame["at"], utc=True)
    return frame
