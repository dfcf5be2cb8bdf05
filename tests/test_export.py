"""Exports: the tidy frames as CSV, JSON Lines and Parquet with the frames' columns, and
round trips import -> export -> import that give the same files."""

import json

import pandas as pd
import pytest
from click.testing import CliRunner

from forecastbook.cli import main
from forecastbook.evaluate import binary_scores
from forecastbook.frames import forecasts_frame, questions_frame
from conftest import FORECASTS, shared_path, store_files

AS_OF = "2026-11-30"


def run(*args):
    result = CliRunner().invoke(main, [str(a) for a in args])
    assert "Traceback" not in result.output
    return result


@pytest.mark.parametrize("what, frame", [
    ("questions", lambda s: questions_frame(s, as_of=AS_OF)),
    ("forecasts", lambda s: forecasts_frame(s, as_of=AS_OF)),
    ("scores", lambda s: binary_scores(s, as_of=AS_OF)),
])
def test_tables_keep_the_frames_columns(tmp_path, repo_store, what, frame):
    expected = frame(repo_store)
    for fmt in ("csv", "jsonl", "parquet"):
        out = tmp_path / f"{what}.{fmt}"
        result = run("export", "--store", FORECASTS, "--as-of", AS_OF, "--format", fmt, "--what", what, "--out", out)
        assert result.exit_code == 0 and result.output == f"{out}: wrote: {len(expected)} rows of {what}\n"
        got = (pd.read_csv(out) if fmt == "csv" else pd.read_parquet(out) if fmt == "parquet"
               else pd.read_json(out, lines=True))
        assert list(got.columns) == list(expected.columns) and len(got) == len(expected)


def test_table_values(tmp_path):
    out = tmp_path / "f.jsonl"
    run("export", "--store", FORECASTS, "--as-of", AS_OF, "--format", "jsonl", "--what", "questions", "--out", out)
    rows = {r["id"]: r for r in map(json.loads, out.read_text(encoding="utf-8").splitlines())}
    assert rows["trump-visits-china-april-2026"]["outcome"] is False
    assert rows["first-retightening-action-date"]["status"] in ("open", "overdue")
    assert isinstance(rows["trump-visits-china-april-2026"]["tags"], list)
    run("export", "--store", FORECASTS, "--as-of", AS_OF, "--format", "parquet", "--what", "forecasts",
        "--out", tmp_path / "f.parquet")
    frame = pd.read_parquet(tmp_path / "f.parquet")
    assert str(frame["at"].dtype) == "datetime64[us, UTC]" and frame["probability"].tolist() == [0.875, 0.5, 0.675]


def _round_trip(tmp_path, platform, source, fmt, *options):
    assert run("import", platform, source, *options, "--out", tmp_path / "a").exit_code == 0
    exported = tmp_path / "exported"
    assert run("export", "--store", tmp_path / "a", "--format", fmt, "--out", exported).exit_code == 0
    result = run("import", platform, exported, *options, "--out", tmp_path / "b")
    assert result.exit_code == 0, result.output
    files = sorted(p.relative_to(tmp_path / "a") for p in store_files(tmp_path / "a"))
    assert files == sorted(p.relative_to(tmp_path / "b") for p in store_files(tmp_path / "b"))
    assert all((tmp_path / "a" / f).read_bytes() == (tmp_path / "b" / f).read_bytes() for f in files)
    return files


@pytest.mark.parametrize("name, n_files", [("synthetic-from-code.csv", 9), ("synthetic-from-code-v1-2023.csv", 4)])
def test_fatebook_round_trip_is_identity(tmp_path, name, n_files):
    files = _round_trip(tmp_path, "fatebook", shared_path("refdata", "interop", "fatebook", name), "fatebook-csv")
    assert len(files) == n_files


@pytest.mark.parametrize("parts, n_files", [
    (("api-posts", "post-34666_question-34180_binary-closed.json"), 4),   # with 81 forecasts
    (("official-docs-examples", "openapi_posts_list_BinaryRequestExample.json"), 2),   # resolved no
    (("official-docs-examples", "openapi_posts_list_GroupOfQuestionsRequestExample.json"), 3),
])
def test_metaculus_round_trip_is_identity(tmp_path, parts, n_files):
    files = _round_trip(tmp_path, "metaculus", shared_path("refdata", "interop", "metaculus", *parts), "metaculus-json")
    assert len(files) == n_files


def test_platform_exports_count_what_they_cannot_hold(tmp_path):
    result = run("export", "--store", FORECASTS, "--format", "fatebook-csv", "--out", tmp_path / "f.csv")
    assert result.output == (f"{tmp_path / 'f.csv'}: wrote: 11 questions, 11 rows; left out: 2 annulments (Fatebook has "
                             "YES, NO, AMBIGUOUS); 1 categorical questions (Fatebook's export holds binary ones); "
                             "1 date questions (Fatebook's export holds binary ones); 1 numeric questions "
                             "(Fatebook's export holds binary ones)\n")
    result = run("export", "--store", FORECASTS, "--format", "metaculus-json", "--out", tmp_path / "m.json")
    assert result.exit_code == 0 and "wrote: 3 forecasts, 11 questions" in result.output
    posts = json.loads((tmp_path / "m.json").read_text())["results"]
    mine = [h for p in posts for h in p["question"]["my_forecasts"]["history"]]
    # a binary forecast of 0.875 is written as [P(no), P(yes)]
    assert [0.125, 0.875] in [h["forecast_values"] for h in mine]


def test_export_refuses_a_broken_store_and_an_unwritable_file(tmp_path):
    result = run("export", "--store", tmp_path / "nowhere", "--format", "csv", "--out", tmp_path / "x.csv")
    assert result.exit_code == 1 and "Error: " in result.output
    result = run("export", "--store", FORECASTS, "--format", "csv", "--out", tmp_path / "no" / "x.csv")
    assert result.exit_code == 1 and result.output.startswith("Error: ")
