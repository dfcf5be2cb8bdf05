"""Scoring a store as of a date: which forecasts count, their scores, what was left out,
calibration by group, and how the record grew as outcomes arrived.

A forecast counts when it is a forecaster's final forecast on a question made on or before
the day the question closes (or, for a question resolved early, on or before the day its
outcome became known), and the question was resolved on or before ``as_of``. Everything
else is counted, never silently dropped: questions still open or overdue, annulled or
ambiguous, forecasts made after close or after the outcome was known, and questions
nobody forecast. Drafts (``draft: true``) are neither scored nor counted here: ``validate``
lists each one, with what it still needs.

>>> import forecastbook
>>> store = forecastbook.load_store("forecasts")
>>> exclusions(store, as_of="2026-11-27")[["forecaster", "forecast_questions", "scored", "unresolved"]]
     forecaster  forecast_questions  scored  unresolved
0  moyunlanting                   3       0           3
"""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Iterable
from typing import Literal

import numpy as np
import pandas as pd

from . import bulk, frames, scoring
from .calibration import decompose
from .checks import utc_day
from .frames import as_date, binary_forecasts, categorical_forecasts
from .queries import scoring_cutoff, status_as_of
from .scoring._time import per_pair
from .store import Store

__all__ = ["binary_scores", "categorical_scores", "quantile_scores", "exclusions", "scoreboard", "time_averaged",
           "track_record", "calibration_by", "replay", "resolution_dates"]

SCORES = ["brier", "log", "spherical", "misclassification"]
EXCLUSION_COLUMNS = ["forecaster", "forecast_questions", "scored", "unresolved", "annulled", "ambiguous",
                     "not_binary", "after_close_only", "after_known_only", "forecasts_after_close",
                     "forecasts_after_known"]


def _final(frame: pd.DataFrame) -> np.ndarray:
    """The positions of each forecaster's last forecast per question made on or before
    close (and before the outcome was known), in time order (ties in row order)."""
    before = np.flatnonzero(~frame["after_close"].to_numpy(bool) & ~frame["after_known"].to_numpy(bool))
    by_time = np.lexsort((np.arange(len(before)), pd.DatetimeIndex(frame["at"]).asi8[before]))  # stable, by time
    question = pd.factorize(frame["question_id"])[0][before]
    forecaster, names = pd.factorize(frame["forecaster"])
    pair = question.astype(np.int64) * max(len(names), 1) + forecaster[before]
    seen_last = len(by_time) - 1 - np.unique(pair[by_time][::-1], return_index=True)[1]
    return before[by_time[np.sort(seen_last)]]


def binary_scores(store: Store, *, as_of: dt.date | str) -> pd.DataFrame:
    """One row per scored binary forecast (final before close, resolved by ``as_of``).

    Columns: ``question_id, forecaster, at, probability, outcome`` (1.0, 0.0 or a
    probability), ``brier, log, spherical, misclassification`` (losses),
    ``baseline`` (Metaculus' baseline score), ``tags, source, resolved_at``.
    """
    return _binary_scores(binary_forecasts(store, as_of=as_of))


def _binary_scores(bf: pd.DataFrame) -> pd.DataFrame:
    """:func:`binary_scores` from the store's :func:`~forecastbook.frames.binary_forecasts`."""
    rows = _final(bf)
    rows = rows[(bf["status"] == "resolved").to_numpy(bool)[rows]]
    # the columns used, at the rows scored: a copy of all of bf's columns would be big
    out = bf[["question_id", "forecaster", "at", "probability", "outcome"]].iloc[rows].reset_index(drop=True)
    y, p = out["outcome"].to_numpy(float), out["probability"].to_numpy(float)
    for name in SCORES:
        out[name] = scoring.BINARY_RULES[name](y, p)
    crisp = np.isin(y, (0.0, 1.0))  # Metaculus' baseline is defined for a yes or a no, not a probability
    baseline = np.full(y.shape, np.nan)
    baseline[crisp] = scoring.metaculus_baseline_score(y[crisp], p[crisp])
    out["baseline"] = baseline
    for name in ("tags", "source", "resolved_at"):
        out[name] = bf[name].iloc[rows].reset_index(drop=True)
    return out


def categorical_scores(store: Store, *, as_of: dt.date | str) -> pd.DataFrame:
    """One row per scored categorical forecast: ``brier`` (summed over outcomes, on the
    0-2 scale), ``log``, and ``rps`` (normalised to 0-1; ordered questions only)."""
    cf = categorical_forecasts(store, as_of=as_of)
    if cf.empty:
        return pd.DataFrame(columns=["question_id", "forecaster", "at", "n_outcomes", "brier", "log", "rps"])
    cf = cf[(cf["status"] == "resolved") & ~cf["after_close"] & ~cf["after_known"]]
    rows = []
    for (qid, who), part in cf.groupby(["question_id", "forecaster"], sort=True):
        last = part[part["at"] == part["at"].max()].sort_values("position")
        probs = last["probability"].to_numpy(float)[None, :]
        idx = [int(np.argmax(last["realised"].to_numpy()))]
        rows.append((qid, who, last["at"].iloc[0], probs.shape[1],
                     scoring.brier_score_categorical(probs, idx)[0], scoring.log_score_categorical(probs, idx)[0],
                     scoring.ranked_probability_score(probs, idx)[0] if last["ordered"].iloc[0] else np.nan))
    return pd.DataFrame(rows, columns=["question_id", "forecaster", "at", "n_outcomes", "brier", "log", "rps"])


def quantile_scores(store: Store, *, as_of: dt.date | str) -> pd.DataFrame:
    """One row per scored numeric or date forecast (final before close, resolved by
    ``as_of``): ``question_id, forecaster, kind, crps`` (approximated from the quantiles;
    in the question's unit, or in days for dates), and for the widest central interval the
    quantiles give (levels a and 1 - a): ``interval`` (its coverage, e.g. 0.8),
    ``interval_score`` and ``covered``."""
    as_of = as_date(as_of)
    rows = []
    for q in sorted(store.questions.values(), key=lambda q: q.id):
        if q.draft or q.kind not in ("numeric", "date") or status_as_of(q, as_of) != "resolved":
            continue
        outcome = q.outcome_value()
        y = float(outcome.toordinal()) if q.kind == "date" else float(outcome)
        cutoff = scoring_cutoff(q, as_of)
        final: dict[str, object] = {}
        for f in sorted(bulk.forecasts_of(store, q), key=lambda f: f.at):
            if f.quantiles is not None and utc_day(f.at) <= cutoff:
                final[f.by] = f
        for who, f in sorted(final.items()):
            levels = np.array(sorted(f.quantiles))
            values = np.array([float(v.toordinal()) if isinstance(v, dt.date) else float(v)
                               for _, v in sorted(f.quantiles.items())])
            crps = scoring.crps_from_quantiles([y], [values], levels)[0]
            pairs = [a for a in levels if a < 0.5 and np.isclose(levels, 1 - a).any()]
            if pairs:
                a = min(pairs)
                lo, hi = values[levels == a][0], values[np.isclose(levels, 1 - a)][0]
                interval = round(1 - 2 * a, 6)
                score = scoring.interval_score([y], lo, hi, alpha=2 * a)[0]
                covered = bool(scoring.interval_coverage([y], lo, hi)[0])
            else:
                interval, score, covered = np.nan, np.nan, None
            rows.append((q.id, who, q.kind, crps, interval, score, covered))
    return pd.DataFrame(rows, columns=["question_id", "forecaster", "kind", "crps", "interval", "interval_score", "covered"])


def exclusions(store: Store, *, as_of: dt.date | str, columns: dict[str, np.ndarray] | None = None) -> pd.DataFrame:
    """Per forecaster: questions forecast, how many were scored, and why the rest were not.

    Columns: ``forecaster, forecast_questions, scored, unresolved`` (open or overdue),
    ``annulled, ambiguous, not_binary`` (scored by other tables), ``after_close_only``
    (every forecast came after close), ``after_known_only`` (every forecast came after
    close or after the outcome was known, some after it was known),
    ``forecasts_after_close``, ``forecasts_after_known`` (forecasts not scored for that reason).
    ``columns``: :func:`~forecastbook.frames.forecast_columns` of the store, if at hand.
    """
    as_of = as_date(as_of)
    cols = frames.forecast_columns(store) if columns is None else columns
    questions = frames._finished(store)
    keep = cols["day"] <= np.datetime64(as_of)
    if not keep.any():
        return pd.DataFrame([], columns=EXCLUSION_COLUMNS)
    q, day = cols["question"][keep], cols["day"][keep]
    cutoff = np.array([scoring_cutoff(x, as_of) for x in questions], dtype="datetime64[D]")
    after_close = day > cols["closes"][keep]
    after_known = ~after_close & (day > cutoff[q])
    who, names = frames._factorize(cols["forecaster"][keep])
    pair, at_pair = np.unique(who.astype(np.int64) * len(questions) + q, return_inverse=True)
    close = np.bincount(at_pair, weights=after_close, minlength=len(pair)).astype(np.int64)
    known = np.bincount(at_pair, weights=after_known, minlength=len(pair)).astype(np.int64)
    in_time = np.bincount(at_pair, weights=~after_close & ~after_known, minlength=len(pair)) > 0
    pair_who, pair_question = pair // len(questions), pair % len(questions)
    status = np.array([STATUS_CODES[status_as_of(x, as_of)] for x in questions], dtype=np.int8)[pair_question]
    binary = np.array([x.kind == "binary" for x in questions], dtype=bool)[pair_question]
    reason = _exclusion_reason(status, in_time, known > 0, binary)
    per_forecaster = {"forecast_questions": np.bincount(pair_who, minlength=len(names))}
    for code, name in enumerate(EXCLUSION_COLUMNS[2:9]):
        per_forecaster[name] = np.bincount(pair_who[reason == code], minlength=len(names))
    per_forecaster["forecasts_after_close"] = np.bincount(pair_who, weights=close, minlength=len(names))
    per_forecaster["forecasts_after_known"] = np.bincount(pair_who, weights=known, minlength=len(names))
    by_name = np.argsort(np.asarray(names, dtype=object), kind="stable")
    frame = pd.DataFrame({"forecaster": np.asarray(names, dtype=object)[by_name],
                          **{k: v[by_name].astype(np.int64) for k, v in per_forecaster.items()}})
    return frame[EXCLUSION_COLUMNS]


STATUS_CODES = {"open": 0, "overdue": 1, "annulled": 2, "ambiguous": 3, "resolved": 4}


def _exclusion_reason(status: np.ndarray, in_time: np.ndarray, known: np.ndarray, binary: np.ndarray) -> np.ndarray:
    """Why a forecaster's question was not scored, one per pair: the position of the
    reason in ``EXCLUSION_COLUMNS[2:9]`` (``scored`` is 0); ``status`` as ``STATUS_CODES``."""
    reasons = EXCLUSION_COLUMNS[2:9]
    return np.select(
        [status <= STATUS_CODES["overdue"], status == STATUS_CODES["annulled"], status == STATUS_CODES["ambiguous"],
         ~in_time & known, ~in_time, ~binary],
        [reasons.index(name) for name in ("unresolved", "annulled", "ambiguous", "after_known_only",
                                          "after_close_only", "not_binary")],
        reasons.index("scored")).astype(np.int8)


def time_averaged(store: Store, *, as_of: dt.date | str, score: scoring._rules.ScoreName = "brier") -> pd.DataFrame:
    """Time-averaged scores of each forecaster on each binary question resolved by ``as_of``
    (see :func:`forecastbook.scoring.time_averaged_scores`)."""
    return _time_averaged(binary_forecasts(store, as_of=as_of), score)


def _time_averaged(bf: pd.DataFrame, score: scoring._rules.ScoreName = "brier") -> pd.DataFrame:
    needed, rows = _resolved(bf)
    return scoring.time_averaged_scores(needed, score=score, rows=rows)


def _resolved(bf: pd.DataFrame) -> tuple[pd.DataFrame, np.ndarray]:
    """The columns time-averaged scores use, and the rows on resolved questions."""
    needed = bf[["question_id", "forecaster", "day", "at", "probability", "outcome", "created", "cutoff"]]
    # the standing forecast is scored until the question closes or its outcome is known
    return needed.rename(columns={"cutoff": "closes"}), np.flatnonzero((bf["status"] == "resolved").to_numpy(bool))


def _reference_scores(scores: pd.DataFrame, reference: str, base_rate: float) -> np.ndarray:
    y = scores["outcome"].to_numpy(float)
    if reference == "always-50":
        return scoring.brier_score(y, np.full(y.size, 0.5))
    if reference == "base-rate":
        return scoring.brier_score(y, np.full(y.size, base_rate))
    if reference == "crowd-median":
        median = scores.groupby("question_id")["probability"].transform("median").to_numpy(float)
        return scoring.brier_score(y, median)
    # another forecaster: their final forecast on the same question (NaN where they had none)
    theirs = scores[scores["forecaster"] == reference].set_index("question_id")["probability"]
    return scoring.brier_score(y, scores["question_id"].map(theirs).to_numpy(float))


def scoreboard(store: Store, *, as_of: dt.date | str,
               references: Iterable[str] = ("always-50", "base-rate", "crowd-median")) -> pd.DataFrame:
    """Per forecaster: mean Brier, log (finite mean, with the count of infinite ones),
    spherical, time-averaged Brier with coverage, Brier skill against each reference
    (``always-50``, ``base-rate`` of the scored outcomes, ``crowd-median`` of all
    forecasters' final forecasts, or another forecaster's id), and the exclusion counts.
    """
    columns = frames.forecast_columns(store)  # one pass over the records for every table below
    excl = exclusions(store, as_of=as_of, columns=columns)
    bf = frames._binary_forecasts(store, as_date(as_of), columns, resolved_only=True)  # only those scored
    del columns  # each table is let go once used: a large store's peak memory is a few tables, not all
    _release_text()
    time_mean = _time_mean(bf)
    _release_text()
    scores = _binary_scores(bf)
    del bf
    _release_text()
    if scores.empty:
        return excl.assign(brier=np.nan, log=np.nan, log_inf=0, n=0)
    summary = scoring.summarize_scores(scores, columns=["brier", "log", "spherical", "baseline"])
    summary = summary.rename(columns={"brier_n": "n"}).drop(columns=["brier_inf", "brier_nan", "spherical_n",
                                                                      "spherical_inf", "spherical_nan", "log_nan",
                                                                      "log_n", "baseline_n", "baseline_nan"])
    base_rate = float(np.nanmean(scores["outcome"]))
    brier, groups = scores["brier"].to_numpy(float), scores.groupby("forecaster").indices
    for ref in references:
        ref_scores = _reference_scores(scores, ref, base_rate)
        skill = {who: scoring.skill_score(brier[idx], ref_scores[idx]) for who, idx in groups.items()}
        summary[f"skill_vs_{ref}"] = summary["forecaster"].map(skill)
    if time_mean is not None:
        summary = summary.merge(time_mean, left_on="forecaster", right_index=True, how="left")
    return summary.merge(excl, on="forecaster", how="outer").sort_values("forecaster", ignore_index=True)


def _release_text() -> None:
    """Give back to the system what pyarrow's pool keeps of freed buffers (pandas holds
    text in them): kept for reuse beside the heap, they would lie under every table after."""
    pa = sys.modules.get("pyarrow")
    if pa is not None:
        pa.default_memory_pool().release_unused()


def _time_mean(bf: pd.DataFrame) -> pd.DataFrame | None:
    """Per forecaster, the mean time-averaged Brier score and coverage (None if none)."""
    needed, rows = _resolved(bf)
    pairs, _, forecasters = per_pair(needed, rows=rows)  # no table of every pair
    if not len(pairs["score"]):
        return None
    means = pd.DataFrame({"time_averaged_brier": pairs["score"], "coverage": pairs["coverage"]})
    means = means.groupby(pairs["forecaster"], sort=True).mean()
    means.index = forecasters.take(means.index).rename("forecaster")
    return means


TRACK_RECORD_COLUMNS = ["forecaster", "forecast_questions", "scored", "brier", "log", "log_inf",
                        "brier_always_50", "skill_vs_always_50", "annulled", "ambiguous", "unresolved", "not_binary"]


def track_record(store: Store, *, as_of: dt.date | str) -> pd.DataFrame:
    """One row per forecaster: what they forecast, how much of it could be scored, and
    how it scored, beside always saying 50% on the same questions (Brier 0.25 each).

    Columns: ``forecaster, forecast_questions, scored`` (n behind the means), ``brier,
    log`` (means over the scored binary forecasts; ``log_inf`` confident misses kept out
    of the log mean), ``brier_always_50``, ``skill_vs_always_50`` (1 - brier / that;
    positive is better than always 50%), and why the rest were not scored: ``annulled,
    ambiguous, unresolved, not_binary``. A forecaster with nothing scored has NaN scores.
    """
    scores = binary_scores(store, as_of=as_of)
    excl = exclusions(store, as_of=as_of)
    rows = []
    for row in excl.itertuples(index=False):
        mine = scores[scores["forecaster"] == row.forecaster]
        brier = mine["brier"].to_numpy(float)
        log = mine["log"].to_numpy(float)
        always = scoring.brier_score(mine["outcome"].to_numpy(float), np.full(len(mine), 0.5))
        finite = np.isfinite(log)
        mean = (lambda v: float(np.mean(v)) if len(v) else np.nan)  # noqa: E731
        rows.append((row.forecaster, row.forecast_questions, len(mine), mean(brier), mean(log[finite]),
                     int((~finite).sum()), mean(always),
                     scoring.skill_score(brier, always) if len(mine) else np.nan,
                     row.annulled, row.ambiguous, row.unresolved, row.not_binary))
    return pd.DataFrame(rows, columns=TRACK_RECORD_COLUMNS)


def calibration_by(store: Store, *, as_of: dt.date | str,
                   by: Literal["forecaster", "tag", "source", "all"] = "forecaster",
                   score: scoring._rules.ScoreName = "brier") -> pd.DataFrame:
    """CORP decomposition of the scored binary forecasts per group: ``group, n, score,
    miscalibration, discrimination, uncertainty``. Probabilistic resolutions are left out
    (CORP needs 0/1 outcomes) and counted in ``n_left_out``."""
    scores = binary_scores(store, as_of=as_of)
    crisp = scores[np.isin(scores["outcome"], (0.0, 1.0))]
    left_out = len(scores) - len(crisp)
    if by == "tag":
        crisp = crisp.explode("tags").rename(columns={"tags": "group"}).dropna(subset=["group"])
    else:
        crisp = crisp.assign(group="all" if by == "all" else crisp[by])
    rows = []
    for group, part in crisp.groupby("group", sort=True):
        d = decompose(part["outcome"], part["probability"], score=score)
        rows.append((group, d.n, d.score, d.miscalibration, d.discrimination, d.uncertainty))
    out = pd.DataFrame(rows, columns=["group", "n", "score", "miscalibration", "discrimination", "uncertainty"])
    out.attrs["n_left_out"] = left_out
    return out


def resolution_dates(store: Store, *, until: dt.date | str) -> list[dt.date]:
    """Distinct dates on which questions were resolved, up to ``until``."""
    until = as_date(until)
    return sorted({q.resolution.at for q in store.questions.values()
                   if q.resolution is not None and q.resolution.status == "resolved" and q.resolution.at <= until})


def replay(store: Store, *, until: dt.date | str, dates: Iterable[dt.date] | None = None) -> pd.DataFrame:
    """The track record as it grew: for each date (default: each resolution date up to
    ``until``), per forecaster, the mean Brier and log scores and n as of that date."""
    dates = list(dates) if dates is not None else resolution_dates(store, until=until)
    if not dates:
        return pd.DataFrame(columns=REPLAY_COLUMNS)
    return _replay_frame(binary_scores(store, as_of=max(dates)), dates)


REPLAY_COLUMNS = ["as_of", "forecaster", "brier", "log", "n"]


def _replay_frame(scores: pd.DataFrame, dates: list[dt.date]) -> pd.DataFrame:
    """Per date and forecaster, the means over the scores resolved by then: running sums
    per forecaster looked up by date (no pass over the scores per date)."""
    day = pd.to_datetime(scores["resolved_at"]).to_numpy().astype("datetime64[D]")
    who, names = pd.factorize(scores["forecaster"].to_numpy(), sort=True)
    wanted = np.array(dates, dtype="datetime64[D]")
    stats = {c: _running(scores[c].to_numpy(float), who, day, len(names), wanted) for c in ("brier", "log")}
    date_i, who_i = np.nonzero(stats["brier"][1] + stats["brier"][2] > 0)  # dates in order, then forecasters
    if not len(date_i):
        return pd.DataFrame(columns=REPLAY_COLUMNS)
    out = {"as_of": _objects_of([dates[i] for i in date_i]), "forecaster": names[who_i]}
    for c, (total, n, _) in stats.items():
        with np.errstate(invalid="ignore", divide="ignore"):
            out[c] = np.where(n[date_i, who_i] > 0, total[date_i, who_i] / n[date_i, who_i], np.nan)
    out["n"] = stats["brier"][1][date_i, who_i]
    return pd.DataFrame(out, columns=REPLAY_COLUMNS)


def _running(values: np.ndarray, who: np.ndarray, day: np.ndarray, n_who: int,
             wanted: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Sum of the finite values, their count and the count of the others, per wanted
    date (rows) and forecaster (columns), over the scores resolved on or before it."""
    finite = np.isfinite(values)
    shape = (len(wanted), n_who)
    total, n, other = np.zeros(shape), np.zeros(shape, dtype=np.int64), np.zeros(shape, dtype=np.int64)
    for w in range(n_who):
        mine = who == w
        order = np.argsort(day[mine], kind="stable")
        days, fin = day[mine][order], finite[mine][order]
        upto = np.searchsorted(days, wanted, side="right")
        total[:, w] = np.concatenate([[0.0], np.cumsum(np.where(fin, values[mine][order], 0.0))])[upto]
        n[:, w] = np.concatenate([[0], np.cumsum(fin)])[upto]
        other[:, w] = np.concatenate([[0], np.cumsum(~fin)])[upto]
    return total, n, other


def _objects_of(values: list) -> np.ndarray:
    out = np.empty(len(values), dtype=object)
    out[:] = values
    return out
