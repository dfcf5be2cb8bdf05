"""Tidy frames of a store, with their documented columns."""

import datetime as dt

import pandas as pd
import pytest

import forecastbook
from forecastbook.frames import (FORECAST_COLUMNS, QUESTION_COLUMNS, binary_forecasts, categorical_forecasts,
                                 forecasts_frame, questions_frame)
from conftest import ROOT


@pytest.fixture(scope="module")
def sim():
    return forecastbook.load_store(ROOT / "examples" / "simulated")


def test_one_row_per_question_and_per_forecast(sim):
    qf = questions_frame(sim, as_of="2026-01-31")
    ff = forecasts_frame(sim)
    assert list(qf.columns) == QUESTION_COLUMNS and list(ff.columns) == FORECAST_COLUMNS
    assert len(qf) == len(sim.questions) == 360
    assert len(ff) == sum(len(q.forecasts) for q in sim.questions.values())
    assert str(ff["at"].dtype) == "datetime64[us, UTC]"
    assert set(qf["status"]) <= {"open", "overdue", "resolved", "annulled", "ambiguous"}


def test_status_and_outcome_are_as_known_on_the_date(sim):
    early = questions_frame(sim, as_of="2025-01-01")
    assert (early["status"] == "resolved").sum() == 0 and early["outcome"].isna().all()
    late = questions_frame(sim, as_of="2026-01-31").set_index("id")
    q = next(q for q in sim.questions.values() if q.status == "resolved" and q.kind == "binary")
    assert late.loc[q.id, "outcome"] == q.outcome_value()
    cut = forecasts_frame(sim, as_of="2025-03-01")
    assert (cut["day"] <= dt.date(2025, 3, 1)).all()


def test_binary_and_categorical_frames(sim):
    bf = binary_forecasts(sim, as_of="2026-01-31")
    assert bf["outcome"].dropna().isin([0.0, 1.0]).all()
    assert ((bf["status"] == "resolved") == bf["outcome"].notna()).all()
    cf = categorical_forecasts(sim, as_of="2026-01-31")
    sums = cf.groupby(["question_id", "forecaster", "at"])["probability"].sum()
    assert sums.sub(1).abs().max() < 1e-6
    realised = cf.dropna(subset=["realised"]).groupby(["question_id", "forecaster", "at"])["realised"].sum()
    assert (realised == 1).all()


def test_as_of_is_required():
    with pytest.raises(ValueError, match="as_of is required"):
        questions_frame(forecastbook.load_store(ROOT / "forecasts"), as_of=None)
    assert isinstance(questions_frame(forecastbook.load_store(ROOT / "forecasts"), as_of=dt.date(2026, 11, 27)), pd.DataFrame)
