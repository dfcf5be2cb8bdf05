"""The scoring tables as computed before vectorisation (slow, one Python step per forecast),
kept as the reference the vectorised code is tested against.

Records to tidy pandas tables, as of a date: one row per question, per forecast, and per
scorable binary forecast. Drafts (``draft: true``) are left out: they are not scored.

"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from forecastbook.checks import utc_day
from forecastbook.queries import scoring_cutoff, status_as_of
from forecastbook.store import Store

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


# evaluate.exclusions as it was before vectorisation (one Python step per forecast)
EXCLUSION_COLUMNS = ['forecaster', 'forecast_questions', 'scored', 'unresolved', 'annulled', 'ambiguous', 'not_binary', 'after_close_only', 'after_known_only', 'forecasts_after_close', 'forecasts_after_known']

def exclusions(store: Store, *, as_of: dt.date | str) -> pd.DataFrame:
    """Per forecaster: questions forecast, how many were scored, and why the rest were not.

    Columns: ``forecaster, forecast_questions, scored, unresolved`` (open or overdue),
    ``annulled, ambiguous, not_binary`` (scored by other tables), ``after_close_only``
    (every forecast came after close), ``after_known_only`` (every forecast came after
    close or after the outcome was known, some after it was known),
    ``forecasts_after_close``, ``forecasts_after_known`` (forecasts not scored for that reason).
    """
    as_of = as_date(as_of)
    rows: dict[str, dict[str, int]] = {}
    for q in store.questions.values():
        if q.draft:  # not scored until finished; validate lists each draft
            continue
        status = status_as_of(q, as_of)
        cutoff = scoring_cutoff(q, as_of)
        by_forecaster: dict[str, list[str]] = {}
        for f in q.forecasts:
            day = utc_day(f.at)
            if day <= as_of:
                when = "after_close" if day > q.closes else "after_known" if day > cutoff else "in_time"
                by_forecaster.setdefault(f.by, []).append(when)
        for who, whens in by_forecaster.items():
            r = rows.setdefault(who, dict.fromkeys(EXCLUSION_COLUMNS[1:], 0))
            r["forecast_questions"] += 1
            r["forecasts_after_close"] += whens.count("after_close")
            r["forecasts_after_known"] += whens.count("after_known")
            if status in ("open", "overdue"):
                r["unresolved"] += 1
            elif status in ("annulled", "ambiguous"):
                r[status] += 1
            elif "in_time" not in whens:
                r["after_known_only" if "after_known" in whens else "after_close_only"] += 1
            elif q.kind != "binary":
                r["not_binary"] += 1
            else:
                r["scored"] += 1
    frame = pd.DataFrame([{"forecaster": who, **counts} for who, counts in rows.items()], columns=EXCLUSION_COLUMNS)
    return frame.sort_values("forecaster", ignore_index=True)




# evaluate.replay's loop as it was before vectorisation (a summary of the scores per date)
def replay_frame(scores, dates):
    from forecastbook import scoring

    frames = []
    for day in dates:
        known = scores[pd.to_datetime(scores["resolved_at"]).dt.date <= day]
        if known.empty:
            continue
        s = scoring.summarize_scores(known, columns=["brier", "log"])
        frames.append(pd.DataFrame({"as_of": day, "forecaster": s["forecaster"], "brier": s["brier"],
                                    "log": s["log"], "n": s["brier_n"]}))
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=["as_of", "forecaster", "brier", "log", "n"])


# scoring.time_averaged_scores as it was before vectorisation (a Python call per pair for NaN)
from forecastbook.scoring._rules import BINARY_RULES
from forecastbook.scoring._time import _days


def time_averaged_scores(forecasts: pd.DataFrame, *, score: ScoreName = "brier") -> pd.DataFrame:
    # see forecastbook.scoring.time_averaged_scores
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
    pair = pd.MultiIndex.from_arrays([f["question_id"].to_numpy(), f["forecaster"].to_numpy()])
    codes, uniques = pd.factorize(pair)
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
    sums = pd.DataFrame({"code": codes, "weighted": weighted, "duration": duration})
    grouped = sums.groupby("code", sort=True)
    total = grouped["weighted"].sum(min_count=1).to_numpy()  # NaN stays NaN
    total = np.where(grouped["weighted"].apply(lambda w: w.isna().any()).to_numpy(), np.nan, total)
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


# evaluate._time_mean as it was: the means of the table of every (question, forecaster) pair
def time_mean(bf: pd.DataFrame) -> pd.DataFrame | None:
    resolved = (bf["status"] == "resolved").to_numpy(bool)
    needed = bf.loc[resolved, ["question_id", "forecaster", "day", "at", "probability", "outcome", "created", "cutoff"]]
    ta = time_averaged_scores(needed.rename(columns={"cutoff": "closes"}))
    if ta.empty:
        return None
    return ta.groupby("forecaster").agg(time_averaged_brier=("score", "mean"), coverage=("coverage", "mean"))
