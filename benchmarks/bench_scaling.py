"""How reading and checking grow with the store: 1,000, 5,000, 20,000 and 50,000
questions (20 forecasts each), cold (no cache) and warm (an unchanged store, through its
cache), with the growth exponent k of time ~ n^k fitted over the sizes.

Timed in one process: what ``validate`` computes (cold: ``load_store`` + coherence and
lints; warm: ``check_store``, answered from the cache), and, warm, ``load_store`` (the
records whole) and ``list_store`` (the questions as ``list`` and ``due`` show them).

Run: ``.venv/bin/python benchmarks/bench_scaling.py [--sizes 1000 5000 20000 50000]``
"""

from __future__ import annotations

import argparse
import shutil

import numpy as np
from bigstore import store
from timing import best_of

from forecastbook import coherence
from forecastbook.files import list_store
from forecastbook.store import check_store, load_store


def validate(root, cache: bool) -> None:  # noqa: ANN001
    if cache:
        check_store(root)
    else:
        coherence.problems(load_store(root, cache=False))


def exponent(sizes: list[int], times: list[float]) -> float:
    """The slope of log(time) against log(size)."""
    return float(np.polyfit(np.log(sizes), np.log(times), 1)[0])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 5000, 20000, 50000])
    args = parser.parse_args()
    columns: dict[str, list[float]] = {"cold validate": [], "warm validate": [], "warm load_store": [],
                                       "warm list_store": []}
    for n in args.sizes:
        root = store(n)
        shutil.rmtree(root / ".cache", ignore_errors=True)
        columns["cold validate"].append(best_of(lambda: validate(root, False), 1))
        validate(root, True)  # fills the cache and what it keeps of the whole store
        list_store(root)
        columns["warm validate"].append(best_of(lambda: validate(root, True), 2))
        columns["warm load_store"].append(best_of(lambda: load_store(root), 2))
        columns["warm list_store"].append(best_of(lambda: list_store(root), 2))
        print(f"  {n:>7} questions: " + "   ".join(f"{k} {v[-1]:6.2f} s" for k, v in columns.items()), flush=True)
    print("growth exponent: " + ", ".join(f"{k} {exponent(args.sizes, v):.2f}" for k, v in columns.items()))


if __name__ == "__main__":
    main()
