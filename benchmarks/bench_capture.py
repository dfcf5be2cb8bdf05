"""Capture on a 10,000-character article, timed: target under one second.

Times ``find`` on the seed article repeated to 10,000 characters (and an English text of
the development set, likewise), in this process with the markers already compiled, and
the whole command (``forecastbook capture --format json``: start, import, read, find,
print) as a new process.

Run: ``.venv/bin/python benchmarks/bench_capture.py``
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

from forecastbook.capture import find
from timing import best_of

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT.parent / "shared" / "seed" / "article-2026-02-13.txt"


def _ten_thousand(text: str) -> str:
    return (text * (10_000 // len(text) + 1))[:10_000]


def main() -> None:
    english = yaml.safe_load((ROOT / "tests" / "capture_dev" / "en-tune-1.yaml").read_text(encoding="utf-8"))["text"]
    texts = {"en (dev set)": _ten_thousand(english)}
    if SEED.exists():
        texts["zh (seed article)"] = _ten_thousand(SEED.read_text(encoding="utf-8"))
    find("warm up", lang="en"), find("预热", lang="zh")
    for name, text in texts.items():
        seconds = best_of(lambda: find(text))
        print(f"find, {name}, {len(text):,} characters: {seconds * 1000:.1f} ms, {len(find(text))} candidates")
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "article.txt"
            path.write_text(text, encoding="utf-8")
            t0 = time.perf_counter()
            subprocess.run([sys.executable, "-m", "forecastbook", "capture", str(path), "--format", "json"],
                           check=True, capture_output=True)
            print(f"  the whole command in a new process: {time.perf_counter() - t0:.2f} s (target < 1 s)")


if __name__ == "__main__":
    main()
