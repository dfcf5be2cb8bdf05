"""ForecastBench (Karger et al., "ForecastBench: A Dynamic Benchmark of AI Forecasting
Capabilities", ICLR 2025): import a round into a store, and reproduce its leaderboard.

Import: one binary question per (question, resolution date) for dataset questions (acled,
dbnomics, fred, wikipedia, yfinance) and one per market question (manifold, metaculus,
infer, polymarket); every individual forecaster becomes a forecaster record; the market's
value at the freeze date becomes a forecast by the ``fb-market`` forecaster (the reference
ForecastBench imputes with); resolutions cite the resolution file. A market question not yet
resolved carries the market's latest probability as a probabilistic resolution. A
resolution of N/A (NaN) annuls the question.

Leaderboard (the recipe of ForecastBench's 2025 leaderboards): the median of the
individual forecasts per (question, resolution date); dataset questions scored once per
resolved resolution date; market questions once each, against the outcome or, if not yet
resolved, the latest market probability; questions resolved N/A dropped; missing forecasts
imputed (0.5 for dataset questions, the market value for market questions); each row
scores (forecast - outcome)**2; "overall" is the plain mean of the dataset and market
means, with a 95% t-interval using se = sqrt(se_dataset**2 + se_market**2) / 2 and
min(n_dataset, n_market) - 1 degrees of freedom.
"""

from __future__ import annotations

import datetime as dt
import gzip
import zlib
import hashlib
import json
import math
import os
import re
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path
from statistics import median
from typing import Any

DATASET_SOURCES = frozenset({"acled", "dbnomics", "fred", "wikipedia", "yfinance"})
MARKET_SOURCES = frozenset({"manifold", "metaculus", "infer", "polymarket"})
FORECASTBENCH_URL = "https://www.forecastbench.org"
MARKET_FORECASTER = "fb-market"

__all__ = ["read_json", "leaderboard", "import_round", "question_slug", "forecaster_slug", "store_brier_rows",
           "DATASET_SOURCES", "MARKET_SOURCES", "MARKET_FORECASTER"]


def read_json(source: str | os.PathLike | dict) -> dict:
    """A parsed ForecastBench file: a path (gzipped or not) or the parsed data itself."""
    if isinstance(source, dict):
        return source
    path = Path(source)
    with path.open("rb") as fh:
        magic = fh.read(2)
    opener = gzip.open if magic == b"\x1f\x8b" else open
    try:
        with opener(path, "rt", encoding="utf-8") as fh:
            data = json.load(fh)
    except (EOFError, zlib.error, gzip.BadGzipFile) as exc:  # a truncated or damaged gzip
        raise ValueError(f"{path.name}: damaged or truncated gzip file ({str(exc)[:80]})") from None
    except json.JSONDecodeError as exc:
        raise ValueError(f"{path.name}:{exc.lineno}:{exc.colno}: not JSON: {exc.msg}") from None
    if not isinstance(data, dict):
        raise ValueError(f"{path.name}: expected a JSON object, got {type(data).__name__}")
    return data


def _check_questions(qdoc: dict) -> None:
    """Refuse a question set whose questions lack what the import needs, naming the question."""
    for i, q in enumerate(qdoc.get("questions") or []):
        name = f"question {i} ({str(q.get('source'))[:30]}/{str(q.get('id'))[:40]})" if isinstance(q, dict) else f"question {i}"
        if not isinstance(q, dict):
            raise ValueError(f"{name}: expected an object")
        for key in ("id", "source", "question", "resolution_criteria"):
            if not isinstance(q.get(key), str):
                raise ValueError(f"{name}: '{key}' must be text, got {type(q.get(key)).__name__}")
        dates = q.get("resolution_dates")
        if q["source"] not in MARKET_SOURCES and not isinstance(dates, list):
            raise ValueError(f"{name}: 'resolution_dates' must be a list of dates for a dataset question, "
                             f"got {str(dates)[:40]!r}")


def _check_forecast(f: dict) -> float:
    value = f.get("forecast")
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 1:
        raise ValueError(f"forecast for {str(f.get('source'))[:30]}/{str(f.get('id'))[:40]} by "
                         f"{str(f.get('user_id'))[:30]} must be a probability between 0 and 1, got {str(value)[:30]}")
    return float(value)


def _slug(text: str, limit: int) -> str:
    """A safe, unique slug: lowercased, non-alphanumerics folded to '-', with a short hash
    of the original when folding lost anything (ForecastBench ids are case-sensitive)."""
    slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "x"
    if slug != text or len(slug) > limit:
        digest = hashlib.sha1(text.encode("utf-8")).hexdigest()[:8]
        slug = f"{slug[: limit - 9].rstrip('-')}-{digest}"
    return slug


def question_slug(source: str, qid: str, resolution_date: str | None) -> str:
    """``fb-SOURCE-ID[-DATE]``, at most 80 characters.

    >>> question_slug("fred", "DTB3", "2024-07-28")
    'fb-fred-dtb3-1eb12c4d-2024-07-28'
    """
    tail = f"-{resolution_date}" if resolution_date else ""
    head = f"fb-{source}-"
    return head + _slug(qid, 80 - len(head) - len(tail)) + tail


def forecaster_slug(user_id: str) -> str:
    return "fb-" + _slug(user_id, 77)


def _single(rows: Iterable[dict]) -> list[dict]:
    """Rows about single questions (combination questions have a list id and a direction)."""
    return [r for r in rows if r.get("direction") is None and isinstance(r.get("id"), str)]


# Ids are unique only within a source (metaculus and infer both have a question 1348),
# so every key below starts with the source.

def _resolution_index(resolutions: dict) -> dict[tuple[str, str, str], dict]:
    return {(r["source"], r["id"], r["resolution_date"]): r for r in _single(resolutions["resolutions"])}


def _latest_market_rows(resolutions: dict) -> dict[tuple[str, str], dict]:
    latest: dict[tuple[str, str], dict] = {}
    for r in _single(resolutions["resolutions"]):
        key = (r["source"], r["id"])
        if r["source"] in MARKET_SOURCES and (key not in latest or r["resolution_date"] > latest[key]["resolution_date"]):
            latest[key] = r
    return latest


def _forecast_key(f: dict) -> tuple[str, str, str | None]:
    return (f["source"], f["id"], f["resolution_date"] if f["source"] in DATASET_SOURCES else None)


def _is_na(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def _all_forecasts(forecasts: Iterable[str | os.PathLike | dict]) -> list[dict]:
    rows = []
    for f in forecasts:
        rows += _single(read_json(f)["forecasts"])
    for row in rows:
        _check_forecast(row)  # NaN, 1.5 or "high" would otherwise be scored
    return rows


def leaderboard(questions: str | os.PathLike | dict, resolutions: str | os.PathLike | dict,
                forecasts: str | os.PathLike | dict | Iterable[str | os.PathLike | dict], *,
                aggregate: str = "median") -> dict[str, Any]:
    """The leaderboard figures of one forecast set (see the module's docstring).

    Returns ``dataset, n_dataset, market_resolved, n_market_resolved, market_unresolved,
    n_market_unresolved, market_overall, n_market_overall, overall_resolved, overall,
    overall_ci95`` (a pair) and ``n_imputed``.
    """
    from scipy import stats

    if aggregate != "median":
        raise ValueError(f"aggregate must be 'median', got {aggregate!r}")
    qset = {(q["source"], q["id"]): q for q in read_json(questions)["questions"]}
    res = read_json(resolutions)
    if isinstance(forecasts, (str, os.PathLike, dict)):
        forecasts = [forecasts]
    grouped: dict[tuple[str, str, str | None], list[float]] = defaultdict(list)
    for f in _all_forecasts(forecasts):
        grouped[_forecast_key(f)].append(_check_forecast(f))
    agg = {key: median(values) for key, values in grouped.items()}
    n_imputed = 0
    dataset: list[float] = []
    for (source, qid, date), r in _resolution_index(res).items():
        if source not in DATASET_SOURCES or (source, qid) not in qset or not r["resolved"] or _is_na(r["resolved_to"]):
            continue
        p = agg.get((source, qid, date))
        if p is None:
            p, n_imputed = 0.5, n_imputed + 1
        dataset.append((p - float(r["resolved_to"])) ** 2)
    resolved: list[float] = []
    unresolved: list[float] = []
    for key, r in _latest_market_rows(res).items():
        if key not in qset or _is_na(r["resolved_to"]):
            continue
        p = agg.get((*key, None))
        if p is None:
            p, n_imputed = float(qset[key]["freeze_datetime_value"]), n_imputed + 1
        (resolved if r["resolved"] else unresolved).append((p - float(r["resolved_to"])) ** 2)
    market = resolved + unresolved

    def mean(xs: list[float]) -> float:
        return sum(xs) / len(xs) if xs else math.nan

    def se(xs: list[float]) -> float:
        return stats.tstd(xs) / math.sqrt(len(xs)) if len(xs) > 1 else math.nan

    overall = (mean(dataset) + mean(market)) / 2
    half = stats.t.ppf(0.975, min(len(dataset), len(market)) - 1) * math.sqrt(se(dataset) ** 2 + se(market) ** 2) / 2
    return {
        "dataset": mean(dataset), "n_dataset": len(dataset),
        "market_resolved": mean(resolved), "n_market_resolved": len(resolved),
        "market_unresolved": mean(unresolved), "n_market_unresolved": len(unresolved),
        "market_overall": mean(market), "n_market_overall": len(market),
        "overall_resolved": (mean(dataset) + mean(resolved)) / 2,
        "overall": overall, "overall_ci95": (float(overall - half), float(overall + half)),
        "n_imputed": n_imputed,
    }


# --- import -------------------------------------------------------------------------------------

def _date(text: str | None) -> dt.date | None:
    if not text or text == "N/A":
        return None
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00")).date() if "T" in text else dt.date.fromisoformat(text)


def _fill(text: str, due: str, date: str | None) -> str:
    """Put the round's dates into ForecastBench's placeholders."""
    text = text.replace("{forecast_due_date}", due)
    return text.replace("{resolution_date}", date) if date else text


def import_round(questions: str | os.PathLike | dict, resolutions: str | os.PathLike | dict,
                 forecasts: Iterable[str | os.PathLike | dict], out: str | os.PathLike, *,
                 resolution_name: str | None = None, forecasts_in: str = "auto") -> dict[str, int]:
    """Write a valid store of one ForecastBench round to ``out`` (which must not exist or be
    empty); the store appears whole or not at all. Returns counts of what was written.

    ``forecasts_in``: ``auto`` puts more than 10,000 forecasts in a ``forecasts.parquet``
    per source folder (see :func:`~forecastbook.importers.common.write_store`); ``yaml``
    or ``parquet`` forces either way."""
    from ..checks import is_web_address
    from .common import Bundle, write_store
    from ..records import Evidence, Forecast, Forecaster, Question, Resolution, Source, SourceRef

    out = Path(out)
    if out.exists() and any(out.iterdir()):
        raise FileExistsError(f"{out} is not empty: import into a new folder")
    qdoc, rdoc = read_json(questions), read_json(resolutions)
    _check_questions(qdoc)
    rows = _all_forecasts(forecasts)
    due = qdoc["forecast_due_date"]
    due_at = dt.datetime.fromisoformat(due).replace(tzinfo=dt.timezone.utc)
    evidence_name = resolution_name or (Path(resolutions).name if not isinstance(resolutions, dict) else "resolution set")
    source_id = _slug(f"forecastbench-{qdoc['question_set'].removesuffix('.json')}", 80)
    by_question: dict[tuple[str, str, str | None], list[dict]] = defaultdict(list)
    for f in rows:
        by_question[_forecast_key(f)].append(f)
    index = _resolution_index(rdoc)
    latest = _latest_market_rows(rdoc)
    users = sorted({f["user_id"] for f in rows})
    counts = {"questions": 0, "forecasts": 0, "forecasters": len(users) + 1, "resolved": 0,
              "probabilistic": 0, "annulled": 0, "open": 0, "duplicates_skipped": 0}
    seen: set[tuple[str, str]] = set()
    bundle = Bundle("forecastbench")
    bundle.add_source(Source(
        id=source_id, kind="dataset", title=f"ForecastBench question set {qdoc['question_set']}",
        author="Forecasting Research Institute", published=dt.date.fromisoformat(due),
        url=FORECASTBENCH_URL, note="Karger et al., ICLR 2025. Data CC BY-SA 4.0."))
    for user in users:
        bundle.add_forecaster(Forecaster(
            id=forecaster_slug(user), name=user, kind="person",
            description="ForecastBench forecaster (anonymised id as published)."))
    bundle.add_forecaster(Forecaster(
        id=MARKET_FORECASTER, name="Market at the freeze date", kind="crowd",
        description="The market's probability when the question set was frozen (ForecastBench's imputation)."))
    for q in qdoc["questions"]:
        if (q["source"], q["id"]) in seen:  # a question set may list a question twice
            counts["duplicates_skipped"] += 1
            continue
        seen.add((q["source"], q["id"]))
        is_market = q["source"] in MARKET_SOURCES
        dates = [None] if is_market else (q["resolution_dates"] if isinstance(q["resolution_dates"], list) else [])
        created = _date(q["freeze_datetime"]) or dt.date.fromisoformat(due)
        for date in dates:
            qid = question_slug(q["source"], q["id"], date)
            text = _fill(q["question"], due, date)
            forecasts_here = [Forecast(by=forecaster_slug(f["user_id"]), at=due_at, probability=float(f["forecast"]),
                                       rationale=(f.get("reasoning") or None))
                              for f in by_question.get((q["source"], q["id"], date), [])]
            freeze = q.get("freeze_datetime_value")
            if is_market and freeze not in (None, "N/A"):
                stamp = dt.datetime.fromisoformat(q["freeze_datetime"].replace("Z", "+00:00"))
                forecasts_here.insert(0, Forecast(by=MARKET_FORECASTER, at=stamp, probability=float(freeze)))
            row = latest.get((q["source"], q["id"])) if is_market else index.get((q["source"], q["id"], date))
            resolution, status = None, "open"
            if row is not None and (row["resolved"] or is_market):
                at = dt.date.fromisoformat(row["resolution_date"])
                quote = (f"{evidence_name}: id={q['id']}, resolution_date={row['resolution_date']}, "
                         f"resolved={row['resolved']}, resolved_to={row['resolved_to']}")
                # the resolution set is a dataset, not a page: the row is kept as the quote
                evidence = [Evidence(url=FORECASTBENCH_URL, quote=quote)]
                if q.get("url") and is_web_address(q["url"]):
                    evidence.append(Evidence(url=q["url"], no_quote="the question's page on its platform"))
                if _is_na(row["resolved_to"]):
                    resolution, status = Resolution(status="annulled", at=at, note="ForecastBench resolved it N/A"), "annulled"
                elif row["resolved"]:
                    resolution, status = Resolution(outcome=bool(float(row["resolved_to"]) == 1.0) if float(row["resolved_to"]) in (0.0, 1.0)
                                                    else float(row["resolved_to"]), at=at, evidence=evidence), "resolved"
                else:
                    resolution, status = Resolution(
                        outcome=float(row["resolved_to"]), at=at, evidence=evidence,
                        note="Not yet resolved: the market's probability on this date, a probabilistic "
                             "resolution (scored as the expected score)."), "probabilistic"
            close = dt.date.fromisoformat(due)
            resolve_by = _date(date) or _date(q.get("market_info_close_datetime")) or close
            record = Question(
                id=qid, title=" ".join(text.split("\n", 1)[0].split())[:300], kind="binary",
                criteria=_fill(q["resolution_criteria"], due, date) + (
                    f" (ForecastBench {q['source']} question {q['id']}" + (f", resolution date {date})." if date else
                                                                           f", forecast due {due}).")),
                fine_print=(q.get("background") or "").strip() or None,
                resolution_sources=[u for u in (q.get("url"), evidence_name) if u],
                created=min(created, close), closes=close, resolve_by=max(resolve_by, close),
                source=SourceRef(ref=source_id, quote=text, locator=f"{qdoc['question_set']}: id {q['id']}"),
                tags=["forecastbench", q["source"], "market" if is_market else "dataset"],
                forecasts=forecasts_here, resolution=resolution,
            )
            bundle.add_question(q["source"], record)
            counts["questions"] += 1
            counts["forecasts"] += len(forecasts_here)
            counts[status] += 1
    write_store(bundle, out, forecasts_in=forecasts_in)  # the shared writer: checked, all or nothing
    return counts


def store_brier_rows(store, *, as_of: dt.date | str = "2025-02-17"):  # noqa: ANN001, ANN201
    """The same figures through the ordinary path: the median of the individual forecasters'
    final forecasts per imputed question of an imported store, imputed as ForecastBench
    does, scored with :func:`forecastbook.scoring.brier_score` (expected score for a
    probabilistic resolution). One row per scored question: ``question_id, group``
    (``dataset``, ``market_resolved``, ``market_unresolved``), ``probability, outcome,
    brier, imputed``."""
    import numpy as np
    import pandas as pd

    from ..evaluate import binary_forecasts
    from ..frames import questions_frame
    from ..scoring import brier_score

    qf = questions_frame(store, as_of=as_of)
    qf = qf[(qf["status"] == "resolved") & qf["tags"].map(lambda t: "forecastbench" in t)]
    bf = binary_forecasts(store, as_of=as_of)
    people = bf[bf["forecaster"] != MARKET_FORECASTER]
    med = people.groupby("question_id")["probability"].median()
    market = bf[bf["forecaster"] == MARKET_FORECASTER].groupby("question_id")["probability"].last()
    is_market = qf["tags"].map(lambda t: "market" in t).to_numpy()
    p = qf["id"].map(med).to_numpy(float)
    imputed = np.isnan(p)
    p = np.where(imputed & is_market, qf["id"].map(market).to_numpy(float), np.where(imputed, 0.5, p))
    outcome = qf["outcome"].map(float).to_numpy(float)
    crisp = np.isin(outcome, (0.0, 1.0))
    group = np.where(~is_market, "dataset", np.where(crisp, "market_resolved", "market_unresolved"))
    return pd.DataFrame({"question_id": qf["id"].to_numpy(), "group": group, "probability": p, "outcome": outcome,
                         "brier": brier_score(outcome, p), "imputed": imputed})
