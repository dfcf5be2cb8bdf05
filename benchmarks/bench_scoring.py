"""Calibration and time-averaged scoring at scale, side by side with reference tools.

- On one million binary forecasts: ``decompose`` and ``reliability(method="corp")``
  against scikit-learn's ``IsotonicRegression().fit`` and model-diagnostics' ``decompose``
  on the same data (targets: at most half the fit; less than model-diagnostics), and
  ``reliability(band="consistency")`` (target: at most five times the fit).
- The time-averaged score of 100,000 forecasts on 2,000 questions over a year (target:
  under a second).

Run: ``.venv/bin/python benchmarks/bench_scoring.py`` (needs the test extras).
"""

from __future__ import annotations

import datetime as dt
import time

import numpy as np
from timing import best_of
import pandas as pd

from forecastbook.calibration import decompose, reliability
from forecastbook.scoring import time_averaged_scores


def calibration(n: int = 1_000_000, seed: int = 0) -> None:
    from model_diagnostics.scoring import SquaredError
    from model_diagnostics.scoring import decompose as md_decompose
    from sklearn.isotonic import IsotonicRegression

    rng = np.random.default_rng(seed)
    p = rng.random(n)
    y = (rng.random(n) < p ** 1.3).astype(float)
    rows = {
        "sklearn IsotonicRegression().fit": best_of(lambda: IsotonicRegression().fit(p, y)),
        "model-diagnostics decompose": best_of(lambda: md_decompose(y_obs=y, y_pred=p, scoring_function=SquaredError()), 3),
        "forecastbook decompose": best_of(lambda: decompose(y, p)),
        "forecastbook reliability corp": best_of(lambda: reliability(y, p)),
        "forecastbook reliability consistency band": best_of(lambda: reliability(y, p, band="consistency")),
    }
    fit = rows["sklearn IsotonicRegression().fit"]
    print(f"calibration on {n:,} binary forecasts (best of several runs)")
    for name, t in rows.items():
        print(f"  {name:<45} {t * 1000:8.1f} ms   {t / fit:5.2f} x the isotonic fit")


def time_average(n_forecasts: int = 100_000, n_questions: int = 2_000, seed: int = 0) -> None:
    rng = np.random.default_rng(seed)
    start = np.datetime64("2025-01-01")
    created = start + rng.integers(0, 100, n_questions).astype("timedelta64[D]")
    closes = created + rng.integers(30, 265, n_questions).astype("timedelta64[D]")
    q = rng.integers(0, n_questions, n_forecasts)
    day = created[q] + rng.integers(0, 300, n_forecasts).astype("timedelta64[D]")
    frame = pd.DataFrame({
        "question_id": q.astype(str), "forecaster": rng.integers(0, 50, n_forecasts).astype(str),
        "day": day, "probability": rng.random(n_forecasts),
        "outcome": rng.integers(0, 2, n_questions)[q].astype(float),
        "created": created[q], "closes": closes[q],
    })
    t = best_of(lambda: time_averaged_scores(frame))
    out = time_averaged_scores(frame)
    print(f"time-averaged Brier of {n_forecasts:,} forecasts on {n_questions:,} questions over a year: "
          f"{t * 1000:.1f} ms ({len(out):,} question-forecaster pairs)")


if __name__ == "__main__":
    calibration()
    time_average()
