"""Write the SIMULATED example store in examples/simulated/ (seeded, reproducible).

Nothing here is real: questions, forecasters, forecasts and outcomes are all made up by
this script so that scoring and calibration can be shown on resolved questions. Every
record is tagged ``simulated`` and says so in its title.

Forecasters of known character, each seeing the same true probability ``theta`` of a
question (outcomes are drawn from ``theta``):
- ``calibrated``: reports theta (to two decimals);
- ``overconfident``: pushes theta away from 1/2 (logit times 2.5);
- ``underconfident``: pulls theta towards 1/2 (logit halved);
- ``late-updater``: says 50% for most of a question's life, then theta in its last tenth;
- ``easy-only``: reports theta, but only on questions with theta below 0.1 or above 0.9.

Run: ``.venv/bin/python scripts/simulate_store.py [--out examples/simulated] [--seed 2025]``
"""

from __future__ import annotations

import argparse
import datetime as dt
import shutil
from pathlib import Path

import numpy as np

from forecastbook.records import Evidence, Forecast, Forecaster, Question, Resolution
from forecastbook.store import dump_record

N_BINARY = 320
N_CATEGORICAL = 40
YEAR = dt.date(2025, 1, 1)
CHARACTERS = {
    "calibrated": "Reports the true probability: well calibrated.",
    "overconfident": "Pushes probabilities away from 50% (logit times 2.5): overconfident.",
    "underconfident": "Pulls probabilities towards 50% (logit halved): underconfident.",
    "late-updater": "Says 50% for most of a question's life and updates only near the close.",
    "easy-only": "Well calibrated, but forecasts only easy questions (below 10% or above 90%).",
}


def _logit(p: np.ndarray) -> np.ndarray:
    return np.log(p / (1 - p))


def _expit(x: np.ndarray) -> np.ndarray:
    return 1 / (1 + np.exp(-x))


def _stamp(day: dt.date, rng: np.random.Generator) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(int(rng.integers(8, 20)), int(rng.integers(0, 60))), tzinfo=dt.timezone.utc)


def _binary(i: int, rng: np.random.Generator) -> Question:
    theta = float(np.clip(rng.random(), 0.01, 0.99))
    created = YEAR + dt.timedelta(days=int(rng.integers(0, 240)))
    closes = created + dt.timedelta(days=int(rng.integers(20, 110)))
    resolve_at = closes + dt.timedelta(days=int(rng.integers(1, 20)))
    life = (closes - created).days
    forecasts = []
    shaped = {
        "calibrated": theta,
        "overconfident": float(_expit(2.5 * _logit(np.array(theta)))),
        "underconfident": float(_expit(0.5 * _logit(np.array(theta)))),
    }
    for who, p in shaped.items():
        for k in range(int(rng.integers(1, 4))):
            day = created + dt.timedelta(days=int(rng.integers(0, life + 1)))
            forecasts.append(Forecast(by=who, at=_stamp(day, rng), probability=round(p, 2)))
    forecasts.append(Forecast(by="late-updater", at=_stamp(created, rng), probability=0.5))
    late_day = closes - dt.timedelta(days=max(1, life // 10))
    forecasts.append(Forecast(by="late-updater", at=_stamp(late_day, rng), probability=round(theta, 2)))
    if theta < 0.1 or theta > 0.9:
        forecasts.append(Forecast(by="easy-only", at=_stamp(created + dt.timedelta(days=1), rng), probability=round(theta, 2)))
    outcome = bool(rng.random() < theta)
    qid = f"sim-binary-{i:04d}"
    status_roll = rng.random()
    if resolve_at > dt.date(2025, 12, 31) or status_roll < 0.04:
        resolution = None  # still open (or overdue) in the simulation
    elif status_roll < 0.06:
        resolution = Resolution(status="annulled", at=resolve_at, note="SIMULATED: the event became impossible to judge.")
    elif status_roll < 0.07:
        resolution = Resolution(status="ambiguous", at=resolve_at, note="SIMULATED: the sources disagreed.")
    else:
        resolution = Resolution(outcome=outcome, at=resolve_at, by="simulation",
                                evidence=[Evidence(url=f"https://example.org/simulated/{qid}", quote="SIMULATED outcome")])
    return Question(
        id=qid, title=f"SIMULATED binary question {i}", kind="binary",
        criteria=f"SIMULATED: resolves yes with the simulated probability {theta:.3f}, drawn on {resolve_at}.",
        resolution_sources=[f"https://example.org/simulated/{qid}"], created=created, closes=closes,
        resolve_by=closes + dt.timedelta(days=30), tags=["simulated", "easy" if theta < 0.1 or theta > 0.9 else "hard"],
        forecasts=sorted(forecasts, key=lambda f: f.at), resolution=resolution,
    )


def _categorical(i: int, rng: np.random.Generator) -> Question:
    outcomes = ["low", "middle", "high", "very-high"]
    theta = rng.dirichlet(np.full(4, 0.8))
    created = YEAR + dt.timedelta(days=int(rng.integers(0, 240)))
    closes = created + dt.timedelta(days=int(rng.integers(20, 110)))
    forecasts = []
    for who, power in (("calibrated", 1.0), ("overconfident", 2.0), ("underconfident", 0.5)):
        shaped = theta**power / np.sum(theta**power)
        rounded = np.round(shaped, 3)
        rounded[-1] = round(1 - rounded[:-1].sum(), 3)
        if rounded[-1] < 0:
            continue
        day = created + dt.timedelta(days=int(rng.integers(0, (closes - created).days + 1)))
        forecasts.append(Forecast(by=who, at=_stamp(day, rng), probabilities=dict(zip(outcomes, map(float, rounded)))))
    qid = f"sim-categorical-{i:04d}"
    result = outcomes[int(rng.choice(4, p=theta))]
    resolve_at = closes + dt.timedelta(days=5)
    return Question(
        id=qid, title=f"SIMULATED categorical question {i}", kind="categorical", outcomes=outcomes, ordered=True,
        criteria=f"SIMULATED: resolves on {closes + dt.timedelta(days=5)} to the band drawn from the simulated probabilities.",
        resolution_sources=[f"https://example.org/simulated/{qid}"], created=created, closes=closes,
        resolve_by=closes + dt.timedelta(days=30), tags=["simulated"], forecasts=sorted(forecasts, key=lambda f: f.at),
        resolution=Resolution(outcome=result, at=resolve_at, by="simulation",
                              evidence=[Evidence(url=f"https://example.org/simulated/{qid}", quote="SIMULATED outcome")]),
    )


def write_store(out: Path, seed: int = 2025) -> None:
    rng = np.random.default_rng(seed)
    if out.exists():
        shutil.rmtree(out)
    (out / "forecasters").mkdir(parents=True)
    (out / "binary").mkdir()
    (out / "categorical").mkdir()
    (out / "README.md").write_text(
        "# SIMULATED example store\n\nEvery record here is made up by `scripts/simulate_store.py` "
        f"(seed {seed}) to show scoring and calibration on resolved questions. Nothing here is real.\n",
        encoding="utf-8")
    for who, text in CHARACTERS.items():
        record = Forecaster(id=who, name=f"{who} (simulated)", kind="model", description=f"SIMULATED. {text}")
        (out / "forecasters" / f"{who}.yaml").write_text(dump_record(record), encoding="utf-8")
    for i in range(1, N_BINARY + 1):
        q = _binary(i, rng)
        (out / "binary" / f"{q.id}.yaml").write_text(dump_record(q), encoding="utf-8")
    for i in range(1, N_CATEGORICAL + 1):
        q = _categorical(i, rng)
        (out / "categorical" / f"{q.id}.yaml").write_text(dump_record(q), encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description="Write the SIMULATED example store.")
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parents[1] / "examples" / "simulated")
    parser.add_argument("--seed", type=int, default=2025)
    args = parser.parse_args()
    write_store(args.out, args.seed)
    print(f"wrote the SIMULATED store to {args.out}")


if __name__ == "__main__":
    main()
