"""Stores whose forecasts can be written in YAML records, in Parquet files, or split
between the two: the same forecasts either way. One has every question kind; the other
(:func:`write_related`) questions related by every relation coherence checks."""

import datetime as dt
from pathlib import Path

import numpy as np
import yaml

from forecastbook.bulk._write import forecasts_table, parquet_bytes
from forecastbook.records import Evidence, Forecast, Forecaster, Question, Resolution
from forecastbook.store import dump_record

FORECASTERS = [f"m-{k:02d}" for k in range(8)]
START = dt.date(2025, 1, 1)
ZONES = [dt.timezone.utc, dt.timezone(dt.timedelta(hours=8)), dt.timezone(dt.timedelta(hours=-5))]


def _resolution(kind: str, k: int, rng: np.random.Generator, outcomes=None):
    state = k % 6
    at = START + dt.timedelta(days=70 + int(rng.integers(0, 200)))
    evidence = [Evidence(url="https://example.org/outcome", quote="the outcome")]
    if state == 4:
        return None
    if state == 5:
        return Resolution(status="annulled", at=at, note="the condition failed")
    if kind == "binary":
        outcome = round(float(rng.random()), 2) if state == 3 else bool(rng.random() < 0.45)
        known = at - dt.timedelta(days=40) if state == 2 else None
        return Resolution(outcome=outcome, at=at, known=known, evidence=evidence)
    if kind == "categorical":
        return Resolution(outcome=outcomes[int(rng.integers(0, len(outcomes)))], at=at, evidence=evidence)
    if kind == "numeric":
        return Resolution(outcome=float(rng.normal(10, 3)), at=at, evidence=evidence)
    return Resolution(outcome=START + dt.timedelta(days=int(rng.integers(100, 300))), at=at, evidence=evidence)


def _value(kind: str, q: Question, rng: np.random.Generator) -> dict:
    if kind == "binary":
        return {"probability": float(rng.random())}
    if kind == "categorical":
        w = rng.random(len(q.outcomes)) + 0.01
        p = w / w.sum()
        p[-1] = 1.0 - p[:-1].sum()
        return {"probabilities": dict(zip(q.outcomes, map(float, p)))}
    levels = [0.1, 0.5, 0.9] if rng.random() < 0.5 else [0.05, 0.25, 0.5, 0.75, 0.95]
    if kind == "numeric":
        values = np.sort(rng.normal(10, 4, len(levels)))
        return {"quantiles": dict(zip(levels, map(float, values)))}
    days = np.sort(rng.integers(100, 300, len(levels)))
    return {"quantiles": {lv: START + dt.timedelta(days=int(d)) for lv, d in zip(levels, days)}}


def questions(seed: int = 7) -> list[tuple[str, Question]]:
    """(folder, question) pairs, each question with its forecasts in time order."""
    rng = np.random.default_rng(seed)
    out = []
    for kind, n in (("binary", 40), ("categorical", 8), ("numeric", 5), ("date", 4)):
        for k in range(n):
            qid = f"{kind}-{k:03d}"
            outcomes = ["low", "mid", "high"] if kind == "categorical" else None
            closes = START + dt.timedelta(days=int(rng.integers(30, 90)))
            q = Question(id=qid, title=f"Question {qid}", kind=kind, criteria=f"Resolves on the {qid} data by 2025-12-31.",
                         created=START, closes=closes, resolve_by=closes + dt.timedelta(days=300),
                         outcomes=outcomes, ordered=kind == "categorical" and k % 2 == 0,
                         unit="units" if kind == "numeric" else None, tags=[kind, f"batch-{k % 3}"],
                         resolution=_resolution(kind, k, rng, outcomes))
            forecasts = []
            for who in FORECASTERS:
                if rng.random() < 0.15:
                    continue
                for _ in range(int(rng.integers(1, 4))):
                    at = dt.datetime.combine(START, dt.time(), tzinfo=dt.timezone.utc) + dt.timedelta(
                        seconds=int(rng.integers(0, (closes - START).days * 86400 + 10 * 86400)))
                    at = at.astimezone(ZONES[int(rng.integers(0, 3))])
                    words = {"verbal": "likely", "derived": "likely read at its band's midpoint"} \
                        if kind == "binary" and rng.random() < 0.1 else {}
                    forecasts.append(Forecast(by=who, at=at, rationale="a reason" if rng.random() < 0.2 else None,
                                              **_value(kind, q, rng), **words))
            q.forecasts = sorted(forecasts, key=lambda f: (f.at, f.by))
            out.append((kind, q))
    return out


def write(root: Path, *, parquet_share: float, seed: int = 7) -> Path:
    """The store in ``root``, each forecast in Parquet with probability ``parquet_share``
    (the same draw for the same seed), otherwise in its record."""
    rng = np.random.default_rng(seed + 1)
    (root / "forecasters").mkdir(parents=True)
    for who in FORECASTERS:
        (root / "forecasters" / f"{who}.yaml").write_text(dump_record(Forecaster(id=who, name=who, kind="model")))
    bulk: dict[str, list] = {}
    for folder, q in questions(seed):
        in_parquet = rng.random(len(q.forecasts)) < parquet_share
        kept = [f for f, p in zip(q.forecasts, in_parquet) if not p]
        (root / folder).mkdir(exist_ok=True)
        (root / folder / f"{q.id}.yaml").write_text(dump_record(q.model_copy(update={"forecasts": kept})),
                                                    encoding="utf-8")
        name = "dates.forecasts.parquet" if q.kind == "date" else \
            "forecasts.parquet" if q.kind == "binary" else "other.forecasts.parquet"
        bulk.setdefault(name, []).extend((q.id, f) for f, p in zip(q.forecasts, in_parquet) if p)
    for name, rows in bulk.items():
        if rows:
            folder = root / ("binary" if name == "forecasts.parquet" else "bulk")
            folder.mkdir(exist_ok=True)
            (folder / name).write_bytes(parquet_bytes(forecasts_table(rows)))
    return root


RELATED = {  # question -> what relates it to others
    "a": "implies: [b]\nexcludes: [c]",
    "b": "",
    "c": "excludes: [a]",
    "e": "implies: [b]",
    "d": "same_event: {question: cat, outcomes: [x, y]}",
    "cat": "kind: categorical\noutcomes: [x, y, z]",
    "cond": "",
    "total": "",
    "total-yes": "condition: {question: cond, outcome: yes}\nvariant_of: total",
    "total-no": "condition: {question: cond, outcome: no}\nvariant_of: total",
    "alone": "",
}
WORDS = ["likely", "very likely", "unlikely", "多半"]


def related_forecasts(seed: int = 11) -> list[tuple[str, Forecast]]:
    """Forecasts on the questions of :data:`RELATED` by four forecasters, at moments
    that interleave, some read from words: plenty of incoherence and lints."""
    rng = np.random.default_rng(seed)
    out = []
    for qid, extra in RELATED.items():
        for who in FORECASTERS[:4]:
            if rng.random() < 0.15:
                continue
            seconds = rng.choice(60 * 86400, size=int(rng.integers(1, 4)), replace=False)
            for s in sorted(seconds.tolist()):
                at = (dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc) + dt.timedelta(seconds=s)).astimezone(
                    ZONES[int(rng.integers(0, 3))])
                if "categorical" in extra:
                    w = rng.random(3) + 0.05
                    x, y = (round(float(v), 3) for v in w[:2] / w.sum())
                    value = {"probabilities": {"x": x, "y": y, "z": round(1 - x - y, 3)}}
                else:
                    value = {"probability": round(float(rng.random()), 2)}
                words = {"verbal": WORDS[int(rng.integers(0, 4))]} if "probability" in value and rng.random() < 0.2 else {}
                out.append((qid, Forecast(by=who, at=at, **value, **words)))
    return out


def write_related(root: Path, *, parquet_share: float, seed: int = 11) -> Path:
    """The store of :data:`RELATED` in ``root``, each forecast in ``forecasts.parquet``
    with probability ``parquet_share``, otherwise in its record."""
    rng = np.random.default_rng(seed + 1)
    (root / "forecasters").mkdir(parents=True)
    for who in FORECASTERS[:4]:
        (root / "forecasters" / f"{who}.yaml").write_text(dump_record(Forecaster(id=who, name=who, kind="model")))
    forecasts = related_forecasts(seed)
    in_parquet = rng.random(len(forecasts)) < parquet_share
    for qid, extra in RELATED.items():
        lines = [f"id: {qid}", f"title: Question {qid}", "kind: binary", "criteria: Resolves on the office's figure "
                 "published by 2026-06-30.", "created: 2026-01-01", "closes: 2026-06-30", "resolve_by: 2026-07-31",
                 "resolution_sources: [https://example.org]", *extra.splitlines()]
        if "kind: categorical" in lines:
            lines.remove("kind: binary")
        mine = [f.model_dump(mode="json", exclude_none=True)
                for (q, f), bulk in zip(forecasts, in_parquet) if q == qid and not bulk]
        text = "\n".join(lines) + "\n" + (yaml.safe_dump({"forecasts": mine}, allow_unicode=True) if mine else "")
        (root / f"{qid}.yaml").write_text(text, encoding="utf-8")
    rows = [pair for pair, bulk in zip(forecasts, in_parquet) if bulk]
    if rows:
        (root / "forecasts.parquet").write_bytes(parquet_bytes(forecasts_table(rows)))
    return root
