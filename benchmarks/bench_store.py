"""Loading and checking a large store, against the floor of parsing it with PyYAML's C loader.

Builds a store of 2,000 questions with 20 forecasts each (in a temporary folder), then
times, best of several runs:
- floor: read every file and parse it with ``yaml.load(..., Loader=yaml.CSafeLoader)``;
- forecastbook: ``load_store`` (read, parse, duplicate-key check, pydantic models,
  kind checks, references, cycles), without its cache, and through it on the unchanged store.

Run: ``.venv/bin/python benchmarks/bench_store.py [--questions N] [--forecasts M]``
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import tempfile
from pathlib import Path

import numpy as np
from timing import best_of
import yaml

from forecastbook.store import dump_record, load_store
from forecastbook.records import Forecast, Forecaster, Question


def build_store(root: Path, n_questions: int, n_forecasts: int, seed: int = 1) -> None:
    rng = np.random.default_rng(seed)
    (root / "forecasters").mkdir(parents=True)
    for k in range(20):
        (root / "forecasters" / f"f{k}.yaml").write_text(dump_record(Forecaster(id=f"f{k}", name=f"Forecaster {k}")))
    start = dt.datetime(2025, 1, 1, tzinfo=dt.timezone.utc)
    for i in range(n_questions):
        folder = root / f"set-{i % 20}"
        folder.mkdir(exist_ok=True)
        forecasts = [
            Forecast(by=f"f{j % 20}", at=start + dt.timedelta(hours=int(h)), probability=round(float(p), 3),
                     rationale="A short reason for this forecast." if j % 4 == 0 else None)
            for j, (h, p) in enumerate(zip(np.sort(rng.integers(0, 24 * 300, n_forecasts)), rng.random(n_forecasts)))
        ]
        q = Question(
            id=f"q-{i:05d}", title=f"Does event {i} happen by 2026-01-01?", kind="binary",
            criteria=f"Resolves yes if event {i} is reported by an official source by 2026-01-01.",
            resolution_sources=["https://example.org/source"], created=dt.date(2025, 1, 1),
            closes=dt.date(2025, 12, 31), resolve_by=dt.date(2026, 1, 31), tags=["bench", f"t{i % 7}"],
            forecasts=forecasts,
        )
        (folder / f"{q.id}.yaml").write_text(dump_record(q), encoding="utf-8")


def floor(root: Path) -> int:
    n = 0
    for dirpath, _, files in os.walk(root):
        for name in files:
            if not name.endswith(".yaml"):  # the cache's files
                continue
            with open(os.path.join(dirpath, name), encoding="utf-8") as fh:
                yaml.load(fh.read(), Loader=yaml.CSafeLoader)
            n += 1
    return n


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--questions", type=int, default=2000)
    parser.add_argument("--forecasts", type=int, default=20)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "store"
        build_store(root, args.questions, args.forecasts)
        store = load_store(root)
        assert not store.errors and len(store.questions) == args.questions, store.errors[:3]
        t_floor = best_of(lambda: floor(root), args.repeat)
        t_store = best_of(lambda: load_store(root, cache=False), args.repeat)
        t_warm = best_of(lambda: load_store(root), args.repeat)
    print(f"store: {args.questions} questions x {args.forecasts} forecasts (best of {args.repeat})")
    print(f"PyYAML C loader alone: {t_floor:.3f} s")
    print(f"load_store (parse + validate + checks), no cache: {t_store:.3f} s = {t_store / t_floor:.2f} x floor")
    print(f"load_store, unchanged store through its cache: {t_warm:.3f} s = {t_warm / t_floor:.2f} x floor")


if __name__ == "__main__":
    main()
