"""The vectorised scoring tables give what the per-forecast code gave before vectorisation
(kept in ``reference_frames.py``), on the simulated store and on a random store with every
case the tables tell apart: time zones, ties, drafts, forecasts after close or after the
outcome was known, annulled, ambiguous, probabilistic and early resolutions, other kinds."""

import datetime as dt
import random

import numpy as np
import pandas as pd
import pytest

import reference_frames as ref
from conftest import ROOT
from forecastbook import evaluate, frames, load_store, scoring
from forecastbook.scoring import _time
from forecastbook.scoring._time import _ranks

AS_OF = ["2025-01-01", "2025-03-15", "2025-09-30", "2026-11-27"]
ZONES = ["Z", "+08:00", "-05:00", "+05:45", "-11:00"]


def _forecast(rng, kind, day):
    at = f"2025-{day.month:02d}-{day.day:02d}T{rng.randrange(24):02d}:{rng.choice([0, 0, 30]):02d}:00{rng.choice(ZONES)}"
    if kind == "binary":
        value = f"probability: {rng.choice([0.0, 1.0, round(rng.random(), 3)])}"
    elif kind == "categorical":
        a = round(rng.random(), 2)
        value = f"probabilities: {{x: {a}, y: {round(1 - a, 2)}}}"
    else:
        value = f"quantiles: {{0.1: {rng.randrange(10)}, 0.9: {rng.randrange(10, 20)}}}"
    return [f"- by: f{rng.randrange(4)}", f"  at: '{at}'", f"  {value}"]


def _resolution(rng, kind, probabilistic):
    status = rng.choice(["resolved"] * 6 + ["annulled", "ambiguous", None, None])
    if status is None:
        return []
    at = dt.date(2025, rng.randrange(1, 13), rng.randrange(1, 28))
    lines = ["resolution:", f"  status: {status}", f"  at: {at}"]
    if rng.random() < 0.3:
        lines.append(f"  known: {at - dt.timedelta(days=rng.randrange(60))}")
    if status != "resolved":
        return lines + ["  note: why"]
    outcome = {"binary": rng.choice(["yes", "no", "0.3" if probabilistic else "yes"]), "categorical": rng.choice(["x", "y"]),
               "numeric": str(rng.randrange(20))}[kind]
    return lines + [f"  outcome: {outcome}", "  evidence:", "  - url: https://example.org/e", "    quote: q"]


def write_random_store(root, n=150, seed=7, probabilistic=False):
    rng = random.Random(seed)
    (root / "forecasters").mkdir(parents=True)
    (root / "sources").mkdir()
    (root / "sources" / "s1.yaml").write_text("id: s1\nkind: article\ntitle: S\npublished: 2025-01-01\n")
    for k in range(4):
        (root / "forecasters" / f"f{k}.yaml").write_text(f"id: f{k}\nname: F{k}\n")
    for i in range(n):
        kind = rng.choice(["binary"] * 6 + ["categorical", "numeric"])
        created = dt.date(2025, 1, 1) + dt.timedelta(days=rng.randrange(100))
        closes = created + dt.timedelta(days=rng.randrange(0, 200))
        lines = [f"id: q{i}", f"title: Q{i}", f"kind: {kind}", "criteria: c", f"created: {created}",
                 f"closes: {closes}", f"resolve_by: {closes + dt.timedelta(days=30)}",
                 f"tags: [t{i % 3}, all]"]
        lines += ["outcomes: [x, y]"] if kind == "categorical" else []
        lines += ["source: {ref: s1, quote: q}"] if i % 4 == 0 else []
        lines += ["draft: true"] if i % 17 == 0 else []
        forecasts = []
        for _ in range(rng.randrange(0, 12)):
            forecasts += _forecast(rng, kind, created + dt.timedelta(days=rng.randrange(0, 330)))
        if forecasts and rng.random() < 0.2:  # a tie: the same forecaster at the same moment
            forecasts += forecasts[-3:]
        lines += ["forecasts:", *forecasts] if forecasts else []
        lines += _resolution(rng, kind, probabilistic)
        (root / f"q{i}.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return root


def _store(kind, tmp_path_factory):
    if kind == "simulated":
        return load_store(ROOT / "examples" / "simulated")
    s = load_store(write_random_store(tmp_path_factory.mktemp(kind), probabilistic=kind == "probabilistic"))
    # records with cross-field errors (a resolution before creation) are still read and scored
    assert len(s.questions) == 150 and {q.status for q in s.questions.values()} >= {"resolved", "annulled", "ambiguous"}
    return s


@pytest.fixture(scope="module", params=["simulated", "random", "probabilistic"])
def store(request, tmp_path_factory):
    return _store(request.param, tmp_path_factory)


@pytest.fixture(scope="module", params=["simulated", "random"])
def scored_store(request, tmp_path_factory):
    """Stores the score tables take (a probabilistic resolution stops the Metaculus
    baseline score, today as before)."""
    return _store(request.param, tmp_path_factory)


def same(new, old):
    pd.testing.assert_frame_equal(new, old, check_exact=False, rtol=0, atol=1e-12)


@pytest.mark.parametrize("as_of", [None, *AS_OF])
def test_forecasts_frame(store, as_of):
    same(frames.forecasts_frame(store, as_of=as_of), ref.forecasts_frame(store, as_of=as_of))


@pytest.mark.parametrize("as_of", AS_OF)
def test_binary_forecasts_and_exclusions(store, as_of):
    same(frames.binary_forecasts(store, as_of=as_of), ref.binary_forecasts(store, as_of=as_of))
    same(evaluate.exclusions(store, as_of=as_of), ref.exclusions(store, as_of=as_of))


@pytest.fixture
def reference_pieces(monkeypatch):
    """Swap the reference pieces in, so that the tables built on them come out as before."""
    def use():
        monkeypatch.setattr(evaluate, "binary_forecasts", lambda store, as_of, columns=None:
                            ref.binary_forecasts(store, as_of=as_of))
        # every binary forecast, where the scoreboard takes those on resolved questions
        monkeypatch.setattr(frames, "_binary_forecasts", lambda store, as_of, columns, resolved_only=False:
                            ref.binary_forecasts(store, as_of=as_of))
        monkeypatch.setattr(evaluate, "exclusions", lambda store, as_of, columns=None: ref.exclusions(store, as_of=as_of))
        monkeypatch.setattr(scoring, "time_averaged_scores", lambda forecasts, score="brier", rows=None:
                            ref.time_averaged_scores(forecasts if rows is None else forecasts.iloc[rows], score=score))
        monkeypatch.setattr(evaluate, "_time_mean", ref.time_mean)
        monkeypatch.setattr(evaluate, "_replay_frame", ref.replay_frame)
    return use


def tables(store, as_of):
    return [evaluate.scoreboard(store, as_of=as_of), evaluate.track_record(store, as_of=as_of),
            evaluate.time_averaged(store, as_of=as_of), evaluate.replay(store, until=as_of),
            evaluate.replay(store, until=as_of, dates=[dt.date(2025, 6, 1), dt.date(2024, 1, 1), dt.date(2025, 2, 1)]),
            *(evaluate.calibration_by(store, as_of=as_of, by=by) for by in ("forecaster", "tag", "source", "all"))]


@pytest.mark.parametrize("as_of", AS_OF[1:])
def test_score_tables(scored_store, as_of, reference_pieces):
    new = tables(scored_store, as_of)
    reference_pieces()
    old = tables(scored_store, as_of)
    assert len(new) == len(old) == 9 and any(len(t) for t in new)
    for a, b in zip(new, old):
        same(a, b)


def test_ranks_sort_as_a_stable_sort_values():
    rng = np.random.default_rng(3)
    n = 2000
    frame = pd.DataFrame({
        "question_id": pd.array([f"q{i}" for i in rng.integers(0, 50, n)], dtype="str"),
        "forecaster": np.array([f"f{i}" for i in rng.integers(0, 7, n)], dtype=object),
        "day": np.array([None if i == 0 else dt.date(2025, 1, i) for i in rng.integers(0, 9, n)], dtype=object),
        "at": pd.to_datetime(rng.integers(0, 40, n), unit="h", utc=True).where(rng.random(n) > 0.05),
    })
    columns = ["question_id", "forecaster", "day", "at"]
    order = np.lexsort([_ranks(frame[c])[0] for c in reversed(columns)])
    want = frame.sort_values(columns, kind="stable").index.to_numpy()
    np.testing.assert_array_equal(order, want)


@pytest.mark.parametrize("block", [1, 3, 64])
def test_time_averaged_scores_are_the_same_summed_block_by_block(scored_store, block, monkeypatch):
    whole = evaluate.time_averaged(scored_store, as_of=AS_OF[-1])
    assert len(whole) > 5
    monkeypatch.setattr(_time, "BLOCK", block)
    pd.testing.assert_frame_equal(evaluate.time_averaged(scored_store, as_of=AS_OF[-1]), whole, check_exact=True)


def test_time_averaged_scores_of_rows_are_those_of_the_rows_taken(scored_store):
    bf = frames.binary_forecasts(scored_store, as_of=AS_OF[-1]).rename(columns={"closes": "closing"})
    frame = bf.rename(columns={"cutoff": "closes"})
    rows = np.flatnonzero((bf["status"] == "resolved").to_numpy())[::2]
    taken = scoring.time_averaged_scores(frame.iloc[rows])
    assert len(taken) > 5
    pd.testing.assert_frame_equal(scoring.time_averaged_scores(frame, rows=rows), taken, check_exact=True)
