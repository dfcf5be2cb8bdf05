"""Cold ``validate`` on a large store (load, checks, coherence and lints), against the
floor of parsing every file with PyYAML's C loader, side by side in one run: without the
cache (``--no-cache``), and on a store read for the first time (the cache written).

The store (default 20,000 questions x 20 forecasts, with implications, conditional
variants and resolutions; see ``bigstore.py``) is built once under ``/tmp/fb15``.
Coherence and lints are linear in questions and declared relations.

Run: ``.venv/bin/python benchmarks/bench_checks.py [--questions N] [--repeat R]``
"""

from __future__ import annotations

import argparse
import os
import shutil
from pathlib import Path

import yaml
from bigstore import store
from timing import best_of

from forecastbook import coherence
from forecastbook.store import load_store


def floor(root: Path) -> int:
    """Read and parse every file with PyYAML's C loader alone."""
    n = 0
    for dirpath, _, files in os.walk(root):
        for name in files:
            if name.endswith(".yaml"):
                with open(os.path.join(dirpath, name), encoding="utf-8") as fh:
                    yaml.load(fh.read(), Loader=yaml.CSafeLoader)
                n += 1
    return n


def checks(root: Path, cache: bool = False) -> int:
    """What a cold ``validate`` computes: the store's problems, coherence and lints; with
    ``cache``, the first reading, which writes the cache."""
    if cache:
        shutil.rmtree(root / ".cache", ignore_errors=True)
    s = load_store(root, cache=cache)
    return len(s.problems) + len(coherence.problems(s))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--questions", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=1)
    args = parser.parse_args()
    root = store(args.questions)
    t_floor = best_of(lambda: floor(root), args.repeat)
    t_checks = best_of(lambda: checks(root), args.repeat)
    t_first = best_of(lambda: checks(root, cache=True), args.repeat)
    print(f"store: {args.questions} questions x 20 forecasts (best of {args.repeat})")
    print(f"PyYAML C loader alone (floor): {t_floor:.2f} s")
    print(f"load_store + coherence + lints, no cache: {t_checks:.2f} s = {t_checks / t_floor:.2f} x floor "
          "(target <= 1.5)")
    print(f"the same, writing the cache: {t_first:.2f} s = {t_first / t_floor:.2f} x floor")


if __name__ == "__main__":
    main()
