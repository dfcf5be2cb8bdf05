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

__all__ = ["questions_frame", "forecast_columns", "forecasts_frame", "binary_forecasts", "categorical_forecasts", "as_date"]

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


_AWARE_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc)
_MICROSECOND = dt.timedelta(microseconds=1)


def forecast_columns(store: Store) -> dict[str, np.ndarray]:
    """Every finished question's forecasts as columns, in one pass over the records.

    Keys: ``question`` (position in the questions by id, drafts left out), ``question_id,
    kind, forecaster``, ``at`` (UTC, datetime64[us]), ``day`` (its UTC day, datetime64[D]),
    ``closes`` (the question's, datetime64[D]) and ``probability`` (NaN when absent).
    """
    questions = _finished(store)
    counts = np.fromiter((len(q.forecasts) for q in questions), dtype=np.int64, count=len(questions))
    position = np.repeat(np.arange(len(questions)), counts)
    forecasts = [f for q in questions for f in q.forecasts]
    n = len(forecasts)
    at = np.fromiter(((f.at - _AWARE_EPOCH) // _MICROSECOND for f in forecasts), dtype=np.int64, count=n).astype(
        "datetime64[us]")
    return {
        "question": position,
        "question_id": np.array([q.id for q in questions], dtype=object)[position],
        "kind": np.array([q.kind for q in questions], dtype=object)[position],
        "forecaster": np.array([f.by for f in forecasts], dtype=object),
        "at": at,
        "day": at.astype("datetime64[D]"),
        "closes": np.array([q.closes for q in questions], dtype="datetime64[D]")[position],
        "probability": np.fromiter((np.nan if f.probability is None else f.probability for f in forecasts),
                                   dtype=float, count=n),
    }


def _objects(values: list) -> np.ndarray:
    """A 1-d object array of ``values`` (dicts stay whole)."""
    out = np.empty(len(values), dtype=object)
    out[:] = values
    return out


def _utc(at: np.ndarray) -> pd.Series:
    """UTC timestamps as pandas holds them (an empty column in seconds, as pandas makes one)."""
    return pd.Series(pd.DatetimeIndex(at).tz_localize("UTC") if len(at) else
                     pd.DatetimeIndex([], dtype="datetime64[s, UTC]"))


def _forecast_table(store: Store, cols: dict[str, np.ndarray], keep: np.ndarray, *, objects: bool) -> pd.DataFrame:
    """The forecasts at positions ``keep`` (see :func:`_sorted`) as a frame; with
    ``objects``, also their ``probabilities, quantiles, verbal, derived``."""
    data = {
        "question_id": _text(cols["question_id"][keep]), "kind": _text(cols["kind"][keep]),
        "forecaster": _text(cols["forecaster"][keep]),
        "at": _utc(cols["at"][keep]), "day": cols["day"][keep].astype(object), "probability": cols["probability"][keep],
    }
    if objects:
        forecasts = [f for q in _finished(store) for f in q.forecasts]
        for name in ("probabilities", "quantiles", "verbal", "derived"):
            data[name] = _objects([getattr(f, name) for f in forecasts])[keep]
    data["after_close"] = cols["day"][keep] > cols["closes"][keep]
    return pd.DataFrame(data, columns=FORECAST_COLUMNS if objects else list(data))


def _text(values: np.ndarray) -> pd.api.extensions.ExtensionArray | np.ndarray:
    """Strings as the text column pandas would make of them, converting each distinct
    string once (a column repeats few of them many times)."""
    if not len(values):
        return values
    codes, uniques = pd.factorize(values)
    return pd.array(np.asarray(uniques, dtype=object), dtype="str").take(codes)


def _sorted(cols: dict[str, np.ndarray], keep: np.ndarray) -> np.ndarray:
    """The positions of the kept forecasts by question id, time and forecaster (ties in
    record order); questions are already by id, forecasters sort as text."""
    kept = np.flatnonzero(keep)
    codes, names = pd.factorize(cols["forecaster"][kept])
    rank = np.empty(len(names), dtype=np.int64)
    rank[np.argsort(np.asarray(names, dtype=object), kind="stable")] = np.arange(len(names))
    forecaster = rank[codes]
    return kept[np.lexsort((forecaster, cols["at"][kept], cols["question"][kept]))]


def _made_by(cols: dict[str, np.ndarray], as_of: dt.date | None) -> np.ndarray:
    return np.ones(len(cols["day"]), dtype=bool) if as_of is None else cols["day"] <= np.datetime64(as_of, "D")


def forecasts_frame(store: Store, *, as_of: dt.date | str | None = None) -> pd.DataFrame:
    """One row per forecast (made on or before ``as_of`` when given).

    Columns: ``question_id, kind, forecaster, at`` (UTC timestamp), ``day`` (UTC date),
    ``probability`` (binary, else NaN), ``probabilities`` (dict, categorical), ``quantiles``
    (dict, numeric and date), ``verbal, derived``, ``after_close`` (bool: not scored).
    """
    cols = forecast_columns(store)
    order = _sorted(cols, _made_by(cols, as_of if as_of is None else as_date(as_of)))
    return _forecast_table(store, cols, order, objects=True)


def binary_forecasts(store: Store, *, as_of: dt.date | str, columns: dict[str, np.ndarray] | None = None) -> pd.DataFrame:
    """Binary forecasts made by ``as_of`` joined to what was known of their question then.

    Columns: ``question_id, forecaster, at, day, probability, closes, created, status,
    resolved_at``, ``outcome`` (float: 1.0 yes, 0.0 no, a probability for a probabilistic
    resolution, NaN unless resolved), ``after_close`` (bool), ``cutoff`` (date) and
    ``after_known`` (bool: made after the outcome became known, before close), ``tags, source``.
    ``columns``: :func:`forecast_columns` of the store, when the caller has them already.
    """
    as_of = as_date(as_of)
    cols = forecast_columns(store) if columns is None else columns
    qf = questions_frame(store, as_of=as_of)
    binary = (qf["kind"] == "binary").to_numpy()
    qf = qf[binary]
    qf = qf.assign(outcome=pd.to_numeric(qf["outcome"].map(_binary_float), errors="raise").astype(float))
    order = _sorted(cols, _made_by(cols, as_of))
    ff = _forecast_table(store, cols, order, objects=False)  # then binary: the dtypes of an
    chosen = (ff["kind"] == "binary").to_numpy()  # empty selection are those of the whole
    ff = ff[chosen].drop(columns="kind").reset_index(drop=True)
    row = np.cumsum(binary) - 1  # a question's row among the binary ones
    facts = qf[["created", "closes", "status", "resolved_at", "outcome", "cutoff", "tags", "source"]]
    out = pd.concat([ff, facts.iloc[row[cols["question"][order][chosen]]].reset_index(drop=True)], axis=1)
    out["after_known"] = ~out["after_close"] & (out["day"] > out["cutoff"])
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
