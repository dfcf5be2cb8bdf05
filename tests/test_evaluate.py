"""Scoring a store as of a date, with what was left out."""


import numpy as np
import pytest
from click.testing import CliRunner

import forecastbook
from forecastbook.cli import main
from forecastbook.evaluate import binary_scores, exclusions, quantile_scores, scoreboard


@pytest.fixture
def resolved_copy(article_store):
    """The article's store with outcomes made up for this test only (never committed)."""
    root = article_store
    run = lambda *a: CliRunner().invoke(main, [a[0], "--store", str(root), *a[1:]])  # noqa: E731
    assert run("forecast", "us-goods-imports-from-china-2026", "0.1=300,0.5=400,0.9=500", "--by", "moyunlanting",
               "--at", "2026-03-01T00:00:00+00:00").exit_code == 0
    assert run("forecast", "first-retightening-action-date", "0.1=2026-05-01,0.5=2026-08-01,0.9=2026-12-01",
               "--by", "moyunlanting", "--at", "2026-03-01T00:00:00+00:00").exit_code == 0
    for args in (("resolve", "us-goods-imports-from-china-2026", "550", "--at", "2026-11-20"),
                 ("resolve", "first-retightening-action-date", "2026-06-01", "--at", "2026-07-05"),
                 ("resolve", "visit-talks-fail", "yes", "--at", "2026-07-20"),
                 ("resolve", "retighten-by-2026-12-31-if-talks-fail", "yes", "--at", "2026-08-05")):
        result = run(*args, "--evidence", "https://example.org/test-only", "--quote", "made up for this test")
        assert result.exit_code == 0, result.output
    return forecastbook.load_store(root)


def test_quantile_scores_by_hand(resolved_copy):
    table = quantile_scores(resolved_copy, as_of="2027-03-01").set_index("question_id")
    num = table.loc["us-goods-imports-from-china-2026"]
    # y = 550 above every quantile: pinball = 0.1*250, 0.5*150, 0.9*50 = 25, 75, 45;
    # trapezoid weights 0.3, 0.4, 0.3: CRPS = 2 (7.5 + 30 + 13.5) = 102
    assert num["crps"] == pytest.approx(102.0)
    # 80% interval [300, 500]: 200 + (2 / 0.2) * 50 = 700, not covered
    assert (num["interval"], num["interval_score"], num["covered"]) == (0.8, pytest.approx(700.0), False)
    date = table.loc["first-retightening-action-date"]
    assert date["covered"] and date["kind"] == "date"
    assert date["interval_score"] == pytest.approx((np.datetime64("2026-12-01") - np.datetime64("2026-05-01")).astype(int))


def test_binary_scores_and_what_was_left_out(resolved_copy):
    scores = binary_scores(resolved_copy, as_of="2027-03-01")
    assert scores["question_id"].tolist() == ["retighten-by-2026-12-31-if-talks-fail"]
    assert scores["brier"].iloc[0] == pytest.approx((1 - 0.875) ** 2)
    excl = exclusions(resolved_copy, as_of="2027-03-01").set_index("forecaster").loc["moyunlanting"]
    # 3 binary forecasts: one scored, one annulled (its condition failed), one unresolved;
    # the two quantile forecasts are scored by quantile_scores, not the binary table
    assert (excl["forecast_questions"], excl["scored"], excl["annulled"], excl["unresolved"], excl["not_binary"]) == (
        5, 1, 1, 1, 2)
    board = scoreboard(resolved_copy, as_of="2027-03-01").set_index("forecaster")
    assert board.loc["moyunlanting", "n"] == 1
    # before the outcomes were known, nothing was scored
    assert binary_scores(resolved_copy, as_of="2026-08-04").empty


def test_a_probabilistic_resolution_is_scored_without_a_baseline(article_store):
    """A binary question resolved to a probability (an unresolved market in an import) is
    scored by its expected Brier score; Metaculus' baseline needs a yes or a no."""
    from click.testing import CliRunner as Runner

    run = lambda *a: Runner().invoke(main, [a[0], "--store", str(article_store), *a[1:]])  # noqa: E731
    assert run("resolve", "retighten-by-2026-12-31-if-talks-succeed", "0.3", "--evidence", "https://example.org/x",
               "--quote", "made up for this test", "--at", "2026-11-01").exit_code == 0
    store = forecastbook.load_store(article_store)
    row = binary_scores(store, as_of="2026-11-30").set_index("question_id").loc["retighten-by-2026-12-31-if-talks-succeed"]
    # p = 0.5 against q = 0.3: 0.3 (1 - 0.5)^2 + 0.7 (0.5)^2 = 0.25
    assert row["brier"] == pytest.approx(0.25) and np.isnan(row["baseline"])
    board = scoreboard(store, as_of="2026-11-30").set_index("forecaster")
    assert board.loc["moyunlanting", "n"] == 1
