"""ForecastBench: the importer's store and the leaderboard recipe, on the shared round and
on a small hand-computed case."""

import json
import math

import pytest
from click.testing import CliRunner

import forecastbook
from forecastbook.cli import main
from forecastbook.importers.forecastbench import import_round, leaderboard, store_brier_rows
from conftest import shared_path


def files():
    base = shared_path("refdata", "forecastbench")
    return (base / "2024-07-21-human.json", base / "2024-07-21_resolution_set.2025-02-17.human_subset.json",
            base / "2024-07-21.ForecastBench.human_super_individual.json.gz")


@pytest.fixture(scope="module")
def imported(tmp_path_factory):
    q, r, f = files()
    out = tmp_path_factory.mktemp("fb") / "store"
    counts = import_round(q, r, [f], out)
    return counts, forecastbook.load_store(out)


def test_import_counts_and_validates(imported):
    counts, store = imported
    # 110 dataset questions with 878 resolution dates in all, and 90 market questions
    assert counts["questions"] == len(store.questions) == 968
    assert sum("dataset" in q.tags for q in store.questions.values()) == 878
    assert sum("market" in q.tags for q in store.questions.values()) == 90
    # 40 superforecasters and the market; 7,693 individual forecasts and 90 market values
    assert len(store.forecasters) == 41
    assert sum(len(q.forecasts) for q in store.questions.values()) == counts["forecasts"] == 7693 + 90
    assert counts["resolved"] == 422 + 49 and counts["probabilistic"] == 27
    assert not store.errors
    # two different questions share the id 1348 (metaculus and infer): both are kept
    assert {"fb-metaculus-1348", "fb-infer-1348"} <= set(store.questions)


def test_leaderboard_counts_and_recipe():
    q, r, f = files()
    board = leaderboard(q, r, f)
    assert (board["n_dataset"], board["n_market_resolved"], board["n_market_unresolved"], board["n_imputed"]) == (
        422, 49, 27, 0)
    assert board["n_market_overall"] == 76
    assert board["overall"] == pytest.approx((board["dataset"] + board["market_overall"]) / 2)
    assert board["overall_resolved"] == pytest.approx((board["dataset"] + board["market_resolved"]) / 2)
    low, high = board["overall_ci95"]
    assert low < board["overall"] < high and (board["overall"] - low) == pytest.approx(high - board["overall"])


def test_the_ordinary_path_agrees_on_the_brier_figures(imported):
    q, r, f = files()
    board = leaderboard(q, r, f)
    rows = store_brier_rows(imported[1], as_of="2025-02-17")
    means = rows.groupby("group")["brier"].mean()
    counts = rows.groupby("group").size()
    assert means["dataset"] == pytest.approx(board["dataset"], abs=1e-12)
    assert means["market_resolved"] == pytest.approx(board["market_resolved"], abs=1e-12)
    assert counts["dataset"] == board["n_dataset"] and counts["market_resolved"] == board["n_market_resolved"]
    # against a probability q, the record scores the expected Brier score, (p - q)^2 + q (1 - q);
    # ForecastBench scores (p - q)^2: they differ by exactly the mean of q (1 - q)
    unresolved = rows[rows["group"] == "market_unresolved"]
    gap = (unresolved["outcome"] * (1 - unresolved["outcome"])).mean()
    assert means["market_unresolved"] == pytest.approx(board["market_unresolved"] + gap, abs=1e-12)


def _tiny():
    questions = {"forecast_due_date": "2024-07-21", "question_set": "tiny.json", "questions": [
        {"id": "D1", "source": "fred", "question": "Up by {resolution_date}?", "resolution_criteria": "Data.",
         "background": "", "url": "https://example.org/d1", "freeze_datetime": "2024-07-12T00:00:00+00:00",
         "freeze_datetime_value": "5.0", "resolution_dates": ["2024-07-28", "2024-08-20"]},
        {"id": "D2", "source": "acled", "question": "More by {resolution_date}?", "resolution_criteria": "Data.",
         "background": "", "url": "https://example.org/d2", "freeze_datetime": "2024-07-12T00:00:00+00:00",
         "freeze_datetime_value": "1", "resolution_dates": ["2024-07-28"]},
        {"id": "M1", "source": "manifold", "question": "Market one?", "resolution_criteria": "Market.",
         "background": "", "url": "https://example.org/m1", "freeze_datetime": "2024-07-12T00:00:00+00:00",
         "freeze_datetime_value": "0.3", "resolution_dates": "N/A"},
        {"id": "M2", "source": "polymarket", "question": "Market two?", "resolution_criteria": "Market.",
         "background": "", "url": "https://example.org/m2", "freeze_datetime": "2024-07-12T00:00:00+00:00",
         "freeze_datetime_value": "0.6", "resolution_dates": "N/A"},
    ]}
    resolutions = {"resolutions": [
        {"id": "D1", "source": "fred", "direction": None, "resolution_date": "2024-07-28", "resolved_to": 1.0, "resolved": True},
        {"id": "D1", "source": "fred", "direction": None, "resolution_date": "2024-08-20", "resolved_to": 0.0, "resolved": True},
        {"id": "D2", "source": "acled", "direction": None, "resolution_date": "2024-07-28", "resolved_to": 0.0, "resolved": True},
        {"id": "M1", "source": "manifold", "direction": None, "resolution_date": "2024-07-28", "resolved_to": 0.4, "resolved": False},
        {"id": "M1", "source": "manifold", "direction": None, "resolution_date": "2024-08-20", "resolved_to": 1.0, "resolved": True},
        {"id": "M2", "source": "polymarket", "direction": None, "resolution_date": "2024-08-20", "resolved_to": 0.5, "resolved": False},
        {"id": ["D1", "D2"], "source": "fred", "direction": [1, -1], "resolution_date": "2024-07-28", "resolved_to": 1.0, "resolved": True},
    ]}
    forecasts = {"forecasts": [
        {"id": "D1", "source": "fred", "forecast": 0.6, "resolution_date": "2024-07-28", "direction": None, "user_id": "a"},
        {"id": "D1", "source": "fred", "forecast": 0.8, "resolution_date": "2024-07-28", "direction": None, "user_id": "b"},
        {"id": "D1", "source": "fred", "forecast": 0.9, "resolution_date": "2024-07-28", "direction": None, "user_id": "c"},
        {"id": "D1", "source": "fred", "forecast": 0.2, "resolution_date": "2024-08-20", "direction": None, "user_id": "a"},
        {"id": "M1", "source": "manifold", "forecast": 0.7, "resolution_date": None, "direction": None, "user_id": "a"},
        {"id": "M1", "source": "manifold", "forecast": 0.9, "resolution_date": None, "direction": None, "user_id": "b"},
    ]}
    return questions, resolutions, forecasts


def test_leaderboard_by_hand():
    board = leaderboard(*_tiny())
    # dataset rows: D1@07-28 median(0.6, 0.8, 0.9) = 0.8 vs 1 -> 0.04; D1@08-20 0.2 vs 0 -> 0.04;
    # D2@07-28 no forecast -> 0.5 imputed vs 0 -> 0.25. Mean 0.11
    assert board["dataset"] == pytest.approx(0.11) and board["n_dataset"] == 3
    # market: M1 latest row resolved yes, median(0.7, 0.9) = 0.8 -> 0.04;
    # M2 unresolved at 0.5, no forecast -> the market value 0.6 imputed -> 0.01
    assert board["market_resolved"] == pytest.approx(0.04) and board["market_unresolved"] == pytest.approx(0.01)
    assert board["market_overall"] == pytest.approx(0.025) and board["n_imputed"] == 2
    assert board["overall"] == pytest.approx((0.11 + 0.025) / 2)
    # se_d = sd(0.04, 0.04, 0.25) / sqrt 3; se_m = sd(0.04, 0.01) / sqrt 2; df = min(3, 2) - 1 = 1
    sd_d = math.sqrt(((0.04 - 0.11) ** 2 * 2 + (0.25 - 0.11) ** 2) / 2)
    sd_m = math.sqrt(((0.04 - 0.025) ** 2 + (0.01 - 0.025) ** 2) / 1)
    se = math.sqrt((sd_d / math.sqrt(3)) ** 2 + (sd_m / math.sqrt(2)) ** 2) / 2
    t = 12.706204736174704  # t(0.975, 1)
    assert board["overall_ci95"] == pytest.approx((0.0675 - t * se, 0.0675 + t * se))


def test_tiny_round_imports_and_annuls_na(tmp_path):
    q, r, f = _tiny()
    r["resolutions"].append({"id": "D2", "source": "acled", "direction": None, "resolution_date": "2024-07-29",
                             "resolved_to": float("nan"), "resolved": True})
    q["questions"][1]["resolution_dates"].append("2024-07-29")
    counts = import_round(q, r, [f], tmp_path / "s")
    store = forecastbook.load_store(tmp_path / "s")
    assert not store.errors
    na = next(v for k, v in store.questions.items() if k.startswith("fb-acled-d2") and k.endswith("2024-07-29"))
    assert na.status == "annulled" and na.resolution.note == "ForecastBench resolved it N/A"
    assert counts["annulled"] == 1
    m2 = next(v for k, v in store.questions.items() if k.startswith("fb-polymarket-m2"))
    assert m2.outcome_value() == 0.5 and "probabilistic" in m2.resolution.note
    assert next(iter(store.questions.values())).source.quote


def test_cli_score_json_and_refusing_a_non_empty_folder(tmp_path):
    q, r, f = files()
    result = CliRunner().invoke(main, ["forecastbench-score", "--questions", str(q), "--resolutions", str(r),
                                       "--forecasts", str(f), "--format", "json"])
    assert result.exit_code == 0
    assert json.loads(result.output)["n_dataset"] == 422
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "x.txt").write_text("x")
    refused = CliRunner().invoke(main, ["import", "forecastbench", "--questions", str(q), "--resolutions", str(r),
                                        "--forecasts", str(f), "--out", str(tmp_path / "full")])
    assert refused.exit_code == 1
    assert "is not empty: import into a new folder" in refused.output
    broken = tmp_path / "broken.json"
    broken.write_text('{"questions": [{"id": 1}]}')
    bad = CliRunner().invoke(main, ["forecastbench-score", "--questions", str(broken), "--resolutions", str(r),
                                    "--forecasts", str(f)])
    assert bad.exit_code == 1 and "cannot read the ForecastBench files" in bad.output and "Traceback" not in bad.output
