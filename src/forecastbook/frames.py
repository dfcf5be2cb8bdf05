"""Records to tidy pandas tables, as of a date: one row per question, per forecast, and per
scorable binary forecast. Drafts (``draft: true``) are left out: they are not scored.
Forecasts in records and bulk forecasts (:mod:`forecastbook.bulk`) are the same rows here:
bulk columns are appended as whole arrays.

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

from . import bulk
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
    ``n_forecasts`` (in the record and in bulk files), ``path``.
    """
    as_of = as_date(as_of)
    rows = []
    questions = _finished(store)
    in_bulk = np.bincount(bulk.placed(store.bulk, [q.id for q in questions])[0], minlength=len(questions))
    for q, n_bulk in zip(questions, in_bulk.tolist()):
        status = status_as_of(q, as_of)
        rows.append((
            q.id, q.title, q.kind, status, q.created, q.closes, q.resolve_by,
            q.resolution.at if q.resolution is not None and q.resolution.at <= as_of else None,
            q.outcome_value() if status == "resolved" else None,
            scoring_cutoff(q, as_of),
            q.condition.question if q.condition else None,
            q.condition.outcome if q.condition else None,
            q.source.ref if q.source else None, tuple(q.tags), len(q.forecasts) + n_bulk, str(store.paths[q.id]),
        ))
    return pd.DataFrame(rows, columns=QUESTION_COLUMNS)


_AWARE_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc)
_MICROSECOND = dt.timedelta(microseconds=1)


def forecast_columns(store: Store) -> dict[str, np.ndarray]:
    """Every finished question's forecasts as columns, in one pass over the records, then
    the bulk forecasts on them.

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
    forecaster = np.array([f.by for f in forecasts], dtype=object)
    probability = np.fromiter((np.nan if f.probability is None else f.probability for f in forecasts),
                              dtype=float, count=n)
    where, rows = bulk.placed(store.bulk, [q.id for q in questions])
    if len(rows):
        b = store.bulk
        position = np.concatenate([position, where])
        forecaster = np.concatenate([forecaster, b.forecaster_ids[b.by[rows]]])
        at = np.concatenate([at, b.at[rows]])
        probability = np.concatenate([probability, b.probability[rows]])
    return {
        "question": position,
        "question_id": np.array([q.id for q in questions], dtype=object)[position],
        "kind": np.array([q.kind for q in questions], dtype=object)[position],
        "forecaster": forecaster,
        "at": at,
        "day": at.astype("datetime64[D]"),
        "closes": np.array([q.closes for q in questions], dtype="datetime64[D]")[position],
        "probability": probability,
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


def _forecast_table(store: Store, cols: dict[str, np.ndarray], keep: np.ndarray, *, objects: bool,
                    kind: bool = True) -> pd.DataFrame:
    """The forecasts at positions ``keep`` (see :func:`_sorted`) as a frame; with
    ``objects``, also their ``probabilities, quantiles, verbal, derived``; without
    ``kind``, no ``kind`` column."""
    data = {"question_id": _text(cols["question_id"][keep])}
    if kind:
        data["kind"] = _text(cols["kind"][keep])
    data.update({"forecaster": _text(cols["forecaster"][keep]), "at": _utc(cols["at"][keep]),
                 "day": _dates(cols["day"][keep]), "probability": cols["probability"][keep]})
    if objects:
        questions = _finished(store)
        forecasts = [f for q in questions for f in q.forecasts]
        rows = bulk.placed(store.bulk, [q.id for q in questions])[1]
        in_record = keep < len(forecasts)  # the record's forecasts come first in the columns
        for name in ("probabilities", "quantiles", "verbal", "derived"):
            values = np.empty(len(keep), dtype=object)
            values[in_record] = _objects([getattr(f, name) for f in forecasts])[keep[in_record]]
            if len(rows):
                values[~in_record] = store.bulk.values(name, rows[keep[~in_record] - len(forecasts)])
            data[name] = values
    data["after_close"] = cols["day"][keep] > cols["closes"][keep]
    return pd.DataFrame(data, columns=FORECAST_COLUMNS if objects else list(data))


def _dates(days: np.ndarray) -> np.ndarray:
    """Days (datetime64[D]) as ``datetime.date`` objects, one object per distinct day."""
    distinct, at = np.unique(days, return_inverse=True)
    return distinct.astype(object)[at]


def _text(values: np.ndarray) -> pd.api.extensions.ExtensionArray | np.ndarray:
    """Strings as the text column pandas would make of them, converting each distinct
    string once (a column repeats few of them many times)."""
    if not len(values):
        return values
    codes, uniques = _factorize(values)
    return pd.array(np.asarray(uniques, dtype=object), dtype="str").take(codes)


def _factorize(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``pd.factorize`` of a long column of few distinct values (ids, kinds): its hash
    table starts small and grows with them, where by default it is sized for every row
    (some 24 MB more for 500,000 of them)."""
    return pd.factorize(values, size_hint=1024)


def _sorted(cols: dict[str, np.ndarray], keep: np.ndarray) -> np.ndarray:
    """The positions of the kept forecasts by question id, time and forecaster (ties in
    record order); questions are already by id, forecasters sort as text."""
    kept = np.flatnonzero(keep)
    codes, names = _factorize(cols["forecaster"][kept])
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
    return _binary_forecasts(store, as_date(as_of), forecast_columns(store) if columns is None else columns)


def _binary_forecasts(store: Store, as_of: dt.date, cols: dict[str, np.ndarray], *,
                      resolved_only: bool = False) -> pd.DataFrame:
    """:func:`binary_forecasts`; with ``resolved_only``, only the forecasts on questions
    resolved by ``as_of`` (all that scores use)."""
    qf = questions_frame(store, as_of=as_of)
    binary = (qf["kind"] == "binary").to_numpy()
    if resolved_only:
        binary = binary & (qf["status"] == "resolved").to_numpy()
    qf = qf[binary]
    qf = qf.assign(outcome=pd.to_numeric(qf["outcome"].map(_binary_float), errors="raise").astype(float))
    order = _sorted(cols, _made_by(cols, as_of))
    chosen = binary[cols["question"][order]]
    whole = not chosen.any()  # none chosen: the empty table has the dtypes of the others'
    ff = _forecast_table(store, cols, order if whole else order[chosen], objects=False, kind=False)
    if whole:
        ff = ff.iloc[:0]
    row = np.cumsum(binary) - 1  # a question's row among the binary ones
    facts = qf[["created", "closes", "status", "resolved_at", "outcome", "cutoff", "tags", "source"]]
    out = pd.concat([ff, facts.iloc[row[cols["question"][order[chosen]]]].reset_index(drop=True)], axis=1)
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
    frame = pd.DataFrame(rows, columns=CATEGORICAL_COLUMNS)
    frame["at"] = pd.to_datetime(frame["at"], utc=True)
    in_bulk = _bulk_categorical(store, as_of)
    if in_bulk is None:
        return frame
    if frame.empty:
        return in_bulk
    both = pd.concat([frame, in_bulk], ignore_index=True)
    return both.iloc[np.argsort(both["question_id"].to_numpy(dtype=object), kind="stable")].reset_index(drop=True)


CATEGORICAL_COLUMNS = ["question_id", "forecaster", "at", "day", "outcome_name", "position", "probability",
                       "realised", "ordered", "status", "after_close", "after_known"]


def _bulk_categorical(store: Store, as_of: dt.date) -> pd.DataFrame | None:
    """:func:`categorical_forecasts` of the bulk forecasts, built from their columns: each
    forecast repeated once per outcome of its question, its probabilities put in place."""
    b = store.bulk
    if b is None or b.probabilities is None:
        return None
    questions = [q for q in _finished(store) if q.kind == "categorical" and q.outcomes]
    where, rows = bulk.placed(b, [q.id for q in questions])
    keep = (b.at[rows].astype("datetime64[D]") <= np.datetime64(as_of, "D")) & (b.probabilities.lengths()[rows] > 0)
    where, rows = where[keep], rows[keep]
    if not len(rows):
        return None
    n_outcomes = np.array([len(q.outcomes) for q in questions], dtype=np.int64)
    first_outcome = np.concatenate([[0], np.cumsum(n_outcomes)])
    names = np.array([o for q in questions for o in q.outcomes], dtype=object)
    per = n_outcomes[where]
    start = np.concatenate([[0], np.cumsum(per)])
    forecast = np.repeat(np.arange(len(rows)), per)
    position = np.arange(start[-1]) - start[forecast]
    picked = b.probabilities.take(rows)
    entry = picked.entry_rows()
    codes, _ = pd.factorize(np.concatenate([picked.keys, names]))
    width = int(codes.max()) + 1
    of_question = np.repeat(np.arange(len(questions)), n_outcomes)
    table = of_question * width + codes[len(picked.keys):]  # (question, outcome name) -> its index in names
    sorter = np.argsort(table)
    found = sorter[np.searchsorted(table, where[entry] * width + codes[:len(picked.keys)], sorter=sorter)]
    probability = np.zeros(start[-1])
    probability[start[entry] + found - first_outcome[where[entry]]] = picked.values

    facts = [(status_as_of(q, as_of), scoring_cutoff(q, as_of)) for q in questions]
    status = np.array([s for s, _ in facts], dtype=object)
    resolved = np.array([s == "resolved" for s, _ in facts], dtype=bool)
    outcome_at = np.array([q.outcomes.index(q.outcome_value()) if s == "resolved" and q.outcome_value() in q.outcomes
                           else -1 for q, (s, _) in zip(questions, facts)], dtype=np.int64)
    realised = np.where(resolved[where][forecast], (position == outcome_at[where][forecast]).astype(float), np.nan)
    day = b.at[rows].astype("datetime64[D]")
    closes = np.array([q.closes for q in questions], dtype="datetime64[D]")[where]
    cutoff = np.array([c for _, c in facts], dtype="datetime64[D]")[where]
    return pd.DataFrame({
        "question_id": np.array([q.id for q in questions], dtype=object)[where][forecast],
        "forecaster": b.forecaster_ids[b.by[rows]][forecast],
        "at": _utc(b.at[rows][forecast]),
        "day": day.astype(object)[forecast],
        "outcome_name": names[first_outcome[where][forecast] + position],
        "position": position,
        "probability": probability,
        "realised": realised,
        "ordered": np.array([q.ordered for q in questions], dtype=bool)[where][forecast],
        "status": status[where][forecast],
        "after_close": (day > closes)[forecast],
        "after_known": ((closes >= day) & (day > cutoff))[forecast],
    }, columns=CATEGORICAL_COLUMNS)
