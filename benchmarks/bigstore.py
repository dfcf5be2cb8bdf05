"""Build (once) and reuse large benchmark stores under ``/tmp/fb15`` (never in the repo).

A store of ``n`` questions with ``m`` binary forecasts each by 20 forecasters; every
tenth question implies another, every tenth pair of questions are the two variants of a
question under a binary condition, and half the questions are resolved with evidence.
Files are written as text (fast), in the layout ``dump_record`` produces.

Run: ``.venv/bin/python benchmarks/bigstore.py N M`` prints the path, building if needed.
"""

from __future__ import annotations

import os
import random
import sys
from pathlib import Path

BASE = Path(os.environ.get("FORECASTBOOK_BENCH_DIR", "/tmp/fb15"))


def _question(i: int, m: int, rng: random.Random) -> str:
    qid = f"q-{i:05d}"
    lines = [f"id: {qid}", f"title: Does event {i} happen by 2026-01-01?", "kind: binary",
             f"criteria: Resolves yes if event {i} is reported by an official source by 2026-01-01.",
             "resolution_sources:", "- https://example.org/source",
             "created: 2025-01-01", "closes: 2025-12-31", "resolve_by: 2026-01-31"]
    base = i - i % 10
    if i % 10 in (2, 3):  # variants of base+4 under the condition base+5
        lines += ["condition:", f"  question: q-{base + 5:05d}", f"  outcome: {'true' if i % 10 == 2 else 'false'}",
                  f"variant_of: q-{base + 4:05d}"]
    if i % 10 == 1:
        lines += ["implies:", f"- q-{base:05d}"]
    lines += ["tags:", "- bench", f"- t{i % 7}", "forecasts:"]
    hours = sorted(rng.randrange(0, 24 * 300) for _ in range(m))
    for j, h in enumerate(hours):
        day, hour = divmod(h, 24)
        month, mday = divmod(day, 28)
        lines += [f"- by: f{j % 20}", f"  at: 2025-{month + 1:02d}-{mday + 1:02d}T{hour:02d}:{rng.randrange(60):02d}:00Z",
                  f"  probability: {round(rng.random() * 0.98 + 0.01, 3)}"]
        if j % 4 == 0:
            lines.append("  rationale: A short reason for this forecast.")
    if i % 2 == 0 and i % 10 not in (2, 3):
        lines += ["resolution:", "  status: resolved", f"  outcome: {'yes' if rng.random() < 0.5 else 'no'}",
                  "  at: 2026-01-02", "  evidence:", "  - url: https://example.org/source",
                  "    quote: It happened as reported."]
    return "\n".join(lines) + "\n"


def build(root: Path, n: int, m: int, seed: int = 1) -> Path:
    """Write a store of ``n`` questions x ``m`` forecasts at ``root``."""
    rng = random.Random(seed)
    (root / "forecasters").mkdir(parents=True, exist_ok=True)
    for k in range(20):
        (root / "forecasters" / f"f{k}.yaml").write_text(f"id: f{k}\nname: Forecaster {k}\n")
    for i in range(n):
        folder = root / f"set-{i % 20}"
        folder.mkdir(exist_ok=True)
        (folder / f"q-{i:05d}.yaml").write_text(_question(i, m, rng), encoding="utf-8")
    return root


def store(n: int, m: int = 20) -> Path:
    """The path of the ``n`` x ``m`` benchmark store, built on first use."""
    root = BASE / f"store-{n}x{m}"
    done = root / ".built"
    if not done.exists():
        import shutil

        shutil.rmtree(root, ignore_errors=True)
        build(root, n, m)
        done.write_text("")
    return root


if __name__ == "__main__":
    print(store(int(sys.argv[1]), int(sys.argv[2]) if len(sys.argv) > 2 else 20))
