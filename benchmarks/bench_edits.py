"""Edits on a large store: ``note``, ``forecast``, ``resolve``, ``annul`` (with its cascade)
and ``unresolve``, each a whole command in a fresh process, through the cache (the store
checked once before, as a scheduled ``validate`` leaves it) and, once, without it; and
``validate`` after a forecast (coherence found again) and after a resolve (coherence
kept: the edit changed no forecast).

The edits run on a copy of the benchmark store (default 20,000 questions x 20 forecasts,
see ``bigstore.py``) under ``/tmp/fb15``, so the store the other benchmarks read stays
as built. Question ``q-NNNN5`` has two variants conditional on it, so annulling it
annuls them in cascade and unresolving it reopens them.

Run: ``.venv/bin/python benchmarks/bench_edits.py [--questions N] [--repeat R]``
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import time

from bigstore import BASE, store

EVIDENCE = ["--evidence", "https://example.org/report", "--quote", "It happened.", "--published", "2026-01-15"]


def command(args: list[str], env: dict | None = None) -> float:
    t0 = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "forecastbook", *args], stdout=subprocess.DEVNULL,
                          stderr=subprocess.PIPE, text=True, env=env, check=False)
    elapsed = time.perf_counter() - t0
    if done.returncode != 0:
        raise SystemExit(f"forecastbook {' '.join(args)} failed: {done.stderr[-500:]}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--questions", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    source = store(args.questions)
    root = BASE / f"edits-{args.questions}"
    shutil.rmtree(root, ignore_errors=True)
    shutil.copytree(source, root, ignore=shutil.ignore_patterns(".cache"))
    at = ["--store", str(root)]
    t_first = command(["validate", *at])  # reads every file and fills the cache
    open_ids = [f"q-{i:05d}" for i in range(5, args.questions, 10)]  # conditions of two variants each
    rows: dict[str, list[float]] = {}
    for k in range(args.repeat):
        qid = open_ids[k]
        steps = {
            "note": ["note", qid, f"looked again ({k})", *at],
            "forecast": ["forecast", qid, "0.4", "--by", "f1", "--at", "2025-06-01T12:00:00+00:00", *at],
            "validate after the forecast": ["validate", *at],
            "annul (cascade of 2)": ["annul", qid, "--reason", "benchmark", *at],
            "unresolve (reopens 2)": ["unresolve", qid, "--reason", "benchmark", *at],
            "resolve (cascade of 1)": ["resolve", qid, "yes", *EVIDENCE, *at],
            "validate after the resolve": ["validate", *at],
        }
        for name, cmd in steps.items():
            rows.setdefault(name, []).append(command(cmd))
    env = {**os.environ, "FORECASTBOOK_NO_CACHE": "1"}
    t_plain = command(["note", open_ids[args.repeat], "without the cache", *at], env=env)
    print(f"store: {args.questions} questions x 20 forecasts; each command in a fresh process, best of {args.repeat}")
    print(f"  {'validate, first (fills the cache)':<34} {t_first:6.2f} s")
    for name, times in rows.items():
        print(f"  {name:<34} {min(times):6.2f} s" + ("" if name.startswith("validate") else "  (target 1 s)"))
    print(f"  {'note, --no-cache (reads it all)':<34} {t_plain:6.2f} s")


if __name__ == "__main__":
    main()
