"""Import the ForecastBench round in ../shared/refdata/forecastbench and score it, timed.

Target: import plus scoring under 10 seconds. Also prints the leaderboard of the
superforecaster median and the CORP decomposition of its resolved forecasts.

Run: ``.venv/bin/python benchmarks/bench_forecastbench.py``
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

import forecastbook
from forecastbook.calibration import decompose
from forecastbook.importers.forecastbench import import_round, leaderboard, store_brier_rows

BASE = Path(__file__).resolve().parents[2] / "shared" / "refdata" / "forecastbench"
FILES = (BASE / "2024-07-21-human.json", BASE / "2024-07-21_resolution_set.2025-02-17.human_subset.json",
         BASE / "2024-07-21.ForecastBench.human_super_individual.json.gz")


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        counts = import_round(FILES[0], FILES[1], [FILES[2]], Path(tmp) / "store")
        t1 = time.perf_counter()
        store = forecastbook.load_store(Path(tmp) / "store")
        rows = store_brier_rows(store, as_of="2025-02-17")
        crisp = rows[rows["outcome"].isin([0.0, 1.0])]
        brier, log = decompose(crisp["outcome"], crisp["probability"]), decompose(crisp["outcome"], crisp["probability"], score="log")
        board = leaderboard(*FILES)
        t2 = time.perf_counter()
    print(f"import: {t1 - t0:.2f} s ({counts})")
    print(f"load + score (both paths) + CORP: {t2 - t1:.2f} s; total {t2 - t0:.2f} s (target < 10 s)")
    for key, value in board.items():
        print(f"  {key}: {value}")
    print(f"CORP Brier of the median's {brier.n} resolved forecasts: {brier}")
    print(f"CORP log score: {log}")
    print(rows.groupby("group")["brier"].agg(["mean", "count"]))


if __name__ == "__main__":
    main()
