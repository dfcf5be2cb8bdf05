"""A spreadsheet of forecasts as a store: mapped columns, time zones, outcomes with and
without evidence, and bad rows refused with a located message."""

import re

import pytest
from click.testing import CliRunner

import forecastbook
from forecastbook.cli import main
from forecastbook.evaluate import binary_scores
from forecastbook.importers import generic
from forecastbook.importers.common import report

TABLE = """Question,Who,When,P,outcome,resolved_at
Rain in Oslo on 2026-03-02?,Ana,2026-03-01 09:00,0.7,yes,2026-03-02
Rain in Oslo on 2026-03-02?,Bo,2026-03-01T10:00:00+01:00,0.4,yes,2026-03-02
Snow in Rome on 2026-03-02?,Ana,2026-03-01,0.1,,
Fog in Lima on 2026-03-02?,Bo,2026-03-01,0.5,annulled,2026-03-02
"""
MAP = ["--map", "Question=question", "--map", "Who=forecaster", "--map", "When=at", "--map", "P=probability"]


def run(*args):
    result = CliRunner().invoke(main, [str(a) for a in args])
    assert "Traceback" not in result.output
    return result


@pytest.fixture
def table(tmp_path):
    path = tmp_path / "sheet.csv"
    path.write_text(TABLE, encoding="utf-8")
    return path


def test_mapped_table_with_evidence_url_scores(table):
    mapping = {"Question": "question", "Who": "forecaster", "When": "at", "P": "probability"}
    bundle = generic.parse(table, mapping=mapping, evidence_url="https://www.yr.no/", tz="Europe/Oslo")
    assert report(bundle) == "read: 4 rows\nwrote: 3 questions, 4 forecasts, 2 forecasters, 1 sources\nleft out: nothing"
    store = generic.read(table, mapping=mapping, evidence_url="https://www.yr.no/", tz="Europe/Oslo")
    rain = next(q for q in store.questions.values() if q.title.startswith("Rain"))
    # 09:00 in Oslo (CET, UTC+1) is 08:00 UTC; the +01:00 time keeps its own zone
    assert [(f.at.hour, f.probability) for f in rain.forecasts] == [(8, 0.7), (9, 0.4)]
    assert rain.outcome_value() is True and rain.resolution.evidence[0].url == "https://www.yr.no/"
    scores = binary_scores(store, as_of="2026-03-10").sort_values("probability")
    # Brier: (0.4 - 1)^2 = 0.36 and (0.7 - 1)^2 = 0.09
    assert scores["brier"].round(12).tolist() == [0.36, 0.09]
    assert next(q for q in store.questions.values() if q.title.startswith("Fog")).status == "annulled"


def test_outcomes_without_evidence_are_left_out_not_invented(table, tmp_path):
    result = run("import", "csv", table, *MAP, "--out", tmp_path / "s")
    assert result.exit_code == 0, result.output
    assert "left out: 1 outcomes without an evidence url (give a url column or --evidence-url)" in result.output
    store = forecastbook.load_store(tmp_path / "s")
    assert not store.errors
    assert sorted(q.status for q in store.questions.values()) == ["annulled", "open", "open"]


@pytest.mark.parametrize("row, message", [
    ("Q?,Ana,2026-03-01,1.3,,", r"sheet.csv:2: probability: must be between 0 and 1, got 1.3"),
    ("Q?,Ana,2026-03-01,NaN,,", r"sheet.csv:2: probability: expected a finite number, got 'NaN'"),
    ("Q?,Ana,someday,0.5,,", r"sheet.csv:2: at: expected an ISO date or time, got 'someday'"),
    ("Q?,Ana,2026-03-01,0.5,yes,", r"sheet.csv:2: resolved_at: is empty but the outcome is 'yes'"),
    ("Q?,Ana,2026-03-01,0.5", r"sheet.csv:2: \(row\): has 4 fields, the header has 6"),
    ("Q?,," + "x" * 3000 + ",0.5,,", r"sheet.csv:2: forecaster: is empty"),
    ("Q?,Ana," + "x" * 3000 + ",0.5,,", r"sheet.csv:2: at: expected an ISO date or time, got 'xxx"),
])
def test_bad_rows(tmp_path, row, message):
    path = tmp_path / "sheet.csv"
    path.write_text("question,forecaster,at,probability,outcome,resolved_at\n" + row + "\n", encoding="utf-8")
    result = run("import", "csv", path, "--out", tmp_path / "out")
    assert result.exit_code == 1 and re.search(message, result.output), result.output
    assert len(result.output) < 400
    assert not (tmp_path / "out").exists() and [p.name for p in tmp_path.iterdir()] == ["sheet.csv"]


def test_missing_column_and_bad_map(table, tmp_path):
    result = run("import", "csv", table, "--out", tmp_path / "out")
    assert result.exit_code == 1
    assert "sheet.csv:1: header: missing column(s) forecaster, at, probability (rename with --map" in result.output
    result = run("import", "csv", table, "--map", "P=chance", "--out", tmp_path / "out")
    assert result.exit_code == 1 and "--map 'P'='chance': the field must be one of question" in result.output
