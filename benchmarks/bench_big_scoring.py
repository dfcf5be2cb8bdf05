"""Scoring a million forecasts: ``scoreboard``, ``calibration_by``, ``replay`` and
``forecasts_frame`` on the 50,000 x 20 benchmark store (``bigstore.py``).

The store is read once and kept as a pickle beside it (scoring is timed, not reading).
``--reference`` times the same tables with the per-forecast code patched in
(``tests/reference_frames.py``; slow: minutes).

Run: ``.venv/bin/python benchmarks/bench_big_scoring.py [--questions N] [--reference]``
"""

from __future__ import annotations

import argparse
import pickle
import sys
from pathlib import Path
from unittest import mock

from bigstore import store
from timing import best_of

from forecastbook import evaluate, frames, load_store, scoring

AS_OF = "2026-11-27"


def loaded(n: int):  # noqa: ANN201
    """The store of ``n`` questions, read from YAML once and then from a pickle."""
    root = store(n)
    kept = root.with_suffix(".pickle")
    if kept.exists():
        return pickle.loads(kept.read_bytes())
    s = load_store(root)
    kept.write_bytes(pickle.dumps(s, protocol=pickle.HIGHEST_PROTOCOL))
    return s


def reference_patches() -> list:
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
    import reference_frames as ref

    return [mock.patch.object(evaluate, "binary_forecasts", lambda s, as_of, columns=None: ref.binary_forecasts(s, as_of=as_of)),
            mock.patch.object(frames, "_binary_forecasts", lambda s, as_of, columns, resolved_only=False:
                              ref.binary_forecasts(s, as_of=as_of)),
            mock.patch.object(evaluate, "exclusions", lambda s, as_of, columns=None: ref.exclusions(s, as_of=as_of)),
            mock.patch.object(scoring, "time_averaged_scores", lambda f, score="brier", rows=None:
                              ref.time_averaged_scores(f if rows is None else f.iloc[rows], score=score)),
            mock.patch.object(evaluate, "_time_mean", ref.time_mean),
            mock.patch.object(evaluate, "_replay_frame", ref.replay_frame),
            mock.patch.object(frames, "forecasts_frame", ref.forecasts_frame)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--questions", type=int, default=50_000)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--reference", action="store_true")
    args = parser.parse_args()
    s = loaded(args.questions)
    n = sum(len(q.forecasts) for q in s.questions.values())
    cases = {
        "scoreboard": lambda: evaluate.scoreboard(s, as_of=AS_OF),
        "calibration_by forecaster": lambda: evaluate.calibration_by(s, as_of=AS_OF),
        "replay": lambda: evaluate.replay(s, until=AS_OF),
        "forecasts_frame": lambda: frames.forecasts_frame(s),
    }
    patches = reference_patches() if args.reference else []
    for p in patches:
        p.start()
    print(f"{'reference (before vectorisation)' if args.reference else 'forecastbook'}: {n:,} forecasts on "
          f"{len(s.questions):,} questions (best of {args.repeat})")
    for name, fn in cases.items():
        print(f"  {name:<28} {best_of(fn, args.repeat):7.2f} s", flush=True)


if __name__ == "__main__":
    main()
