"""Warm starts: reading an unchanged store through its cache, against the floor of
parsing every file with PyYAML's C loader, side by side in one run.

On the benchmark store (default 20,000 questions x 20 forecasts, see ``bigstore.py``):
- floor: read and parse every file with the C loader;
- cold: ``load_store(cache=False)``; first: ``load_store`` writing the cache;
- warm: ``load_store`` with the cache in place, ``list_store`` (the questions as ``list``
  and ``due`` show them), and the commands ``validate``, ``list`` and ``due`` each in a
  fresh process (after one untimed run that fills the cache);
- the next day: ``check_store`` and ``list_store`` in this process with the clock moved
  on a day (the store is not checked again: none of its dates is after today).

Run: ``.venv/bin/python benchmarks/bench_cache.py [--questions N] [--repeat R]``
"""

from __future__ import annotations

import argparse
import datetime as dt
import shutil
import subprocess
import sys
import time

from bench_checks import floor
from bigstore import store
from timing import best_of

from forecastbook import _cache
from forecastbook.files import list_store
from forecastbook.store import check_store, load_store


def command(args: list[str]) -> float:
    t0 = time.perf_counter()
    subprocess.run([sys.executable, "-m", "forecastbook", *args], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                   check=False)
    return time.perf_counter() - t0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--questions", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--cold", action="store_true", help="also time the reading without a cache")
    args = parser.parse_args()
    root = store(args.questions)
    shutil.rmtree(root / ".cache", ignore_errors=True)
    rows = {"floor (PyYAML C loader)": best_of(lambda: floor(root), 1)}
    if args.cold:
        rows["cold: load_store, no cache"] = best_of(lambda: load_store(root, cache=False), 1)
    rows["first: load_store writing the cache"] = best_of(lambda: load_store(root), 1)
    rows["warm: load_store"] = best_of(lambda: load_store(root), args.repeat)
    rows["warm: list_store"] = best_of(lambda: list_store(root), args.repeat)
    for name in ("validate", "list", "due"):
        cmd = [name, "--store", str(root)]
        command(cmd)  # fills what the cache keeps for this command (e.g. warning locations)
        rows[f"warm: forecastbook {name}"] = best_of(lambda: command(cmd), args.repeat)
    tomorrow = _cache.today() + dt.timedelta(days=1)
    _cache.today = lambda: tomorrow
    rows["next day: check_store"] = best_of(lambda: check_store(root), 1)
    rows["next day: list_store"] = best_of(lambda: list_store(root), 1)
    base = rows["floor (PyYAML C loader)"]
    print(f"store: {args.questions} questions x 20 forecasts")
    for name, t in rows.items():
        print(f"  {name:<38} {t:7.2f} s  {t / base:5.2f} x floor")


if __name__ == "__main__":
    main()
