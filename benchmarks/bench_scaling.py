"""How reading and checking grow with the store: 1,000, 5,000 and 20,000 questions (20
forecasts each), cold (no cache) and warm (an unchanged store read through its cache),
with the growth exponent k of time ~ n^k fitted over the sizes.

Timed in one process: ``load_store`` + coherence and lints (what ``validate`` computes).

Run: ``.venv/bin/python benchmarks/bench_scaling.py [--sizes 1000 5000 20000]``
"""

from __future__ import annotations

import argparse
import shutil

import numpy as np
from bigstore import store
from timing import best_of

from forecastbook import coherence
from forecastbook.store import load_store


def validate(root, cache: bool) -> None:  # noqa: ANN001
    coherence.problems(load_store(root, cache=cache))


def exponent(sizes: list[int], times: list[float]) -> float:
    """The slope of log(time) against log(size)."""
    return float(np.polyfit(np.log(sizes), np.log(times), 1)[0])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 5000, 20000])
    args = parser.parse_args()
    cold, warm = [], []
    for n in args.sizes:
        root = store(n)
        shutil.rmtree(root / ".cache", ignore_errors=True)
        cold.append(best_of(lambda: validate(root, False), 1))
        validate(root, True)  # writes the cache, and where the warnings are
        warm.append(best_of(lambda: validate(root, True), 2))
        print(f"  {n:>7} questions: cold {cold[-1]:7.2f} s   warm {warm[-1]:6.2f} s", flush=True)
    print(f"growth exponent: cold {exponent(args.sizes, cold):.2f}, warm {exponent(args.sizes, warm):.2f}")


if __name__ == "__main__":
    main()
