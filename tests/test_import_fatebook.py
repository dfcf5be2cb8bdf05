"""Fatebook CSV export: both layouts of the shared samples, hidden forecasts, time zones,
and bad input refused with a located message and no partial store."""

import datetime as dt

import pytest
from click.testing import CliRunner

import forecastbook
from forecastbook.cli import main
from forecastbook.importers import fatebook
from forecastbook.importers.common import ImportFailed, report
from conftest import shared_path

UTC = dt.timezone.utc


def sample(name="synthetic-from-code.csv"):
    return shared_path("refdata", "interop", "fatebook", name)


def run(*args):
    result = CliRunner().invoke(main, [str(a) for a in args])
    assert "Traceback" not in result.output
    return result


def by_title(store, start):
    return [q for q in store.questions.values() if q.title.startswith(start)]


def test_current_layout_counts_and_values():
    bundle = fatebook.parse(sample())
    # 8 rows: 3 forecasts on the report question, 1 hidden forecast on the snow question,
    # 1 on the meetup, 3 options of the logo question (one binary question each)
    assert report(bundle) == ("read: 8 rows\nwrote: 6 questions, 7 forecasts, 2 forecasters, 1 sources\n"
                              "left out: 1 hidden forecasts of other users")
    store = fatebook.read(sample())
    [big] = by_title(store, 'Will I finish the "big" report')
    assert [(f.by, f.at, f.probability) for f in big.forecasts] == [
        ("fatebook-alice-a9038223", dt.datetime(2024, 12, 9, 1, 12, 2, tzinfo=UTC), 0.6),   # "01:12:2" = 01:12:02
        ("fatebook-bob-c63b8c21", dt.datetime(2024, 12, 10, 7, 0, 0, tzinfo=UTC), 0.45),
        ("fatebook-alice-a9038223", dt.datetime(2024, 12, 11, 18, 5, 9, tzinfo=UTC), 0.7)]
    assert big.outcome_value() is True and big.resolution.at == dt.date(2024, 12, 13)
    assert big.criteria == "Counts if sent to Bob.\nDraft doesn't count, obviously"  # a note over two lines
    assert big.tags == ["fatebook", "work", "writing"]
    assert store.forecasters["fatebook-bob-c63b8c21"].name == "Bob"
    [snow] = by_title(store, "Will it snow")
    assert snow.forecasts == [] and snow.status == "open" and snow.resolve_by == dt.date(2033, 3, 22)
    [meetup] = by_title(store, "Will the meetup")
    assert meetup.status == "ambiguous"
    logo = {q.title: q for q in by_title(store, "Which colour")}
    assert sorted(logo) == ["Which colour will the new logo be? [Blue]", "Which colour will the new logo be? [Green]",
                            "Which colour will the new logo be? [Red]"]
    assert logo["Which colour will the new logo be? [Red]"].outcome_value() is True
    assert logo["Which colour will the new logo be? [Blue]"].forecasts[0].probability == 0.3
    assert "Fatebook" in big.resolution.evidence[0].no_quote and big.resolution.evidence[0].url == fatebook.SITE


def test_old_layout_and_scores():
    from forecastbook.evaluate import binary_scores

    store = fatebook.read(sample("synthetic-from-code-v1-2023.csv"))
    assert len(store.questions) == 2
    [train] = by_title(store, "Will the train")
    assert train.outcome_value() is False and train.forecasts[0].at == dt.datetime(2023, 7, 20, 8, 1, 7, tzinfo=UTC)
    scores = binary_scores(store, as_of="2026-01-01")
    # one scored forecast: 0.25 on a question that resolved NO: Brier 0.25^2 = 0.0625 (Fatebook's own figure)
    assert scores["brier"].tolist() == [0.0625]


def test_tz_override_moves_the_instants():
    store = fatebook.read(sample("synthetic-from-code-v1-2023.csv"), tz="America/New_York")
    [train] = by_title(store, "Will the train")
    # 08:01:07 in New York (EDT, UTC-4) is 12:01:07 UTC
    assert train.forecasts[0].at == dt.datetime(2023, 7, 20, 12, 1, 7, tzinfo=UTC)
    with pytest.raises(ImportFailed, match="not a time zone name"):
        fatebook.parse(sample(), tz="Mars/Olympus")


def test_cli_writes_a_valid_store_and_the_same_bytes_twice(tmp_path):
    for out in ("a", "b"):
        result = run("import", "fatebook", sample(), "--out", tmp_path / out)
        assert result.exit_code == 0
        assert result.output.splitlines()[1:] == ["read: 8 rows", "wrote: 6 questions, 7 forecasts, 2 forecasters, 1 sources",
                                                 "left out: 1 hidden forecasts of other users"]
    assert not forecastbook.load_store(tmp_path / "a").errors
    files = sorted(p.relative_to(tmp_path / "a") for p in (tmp_path / "a").rglob("*.yaml"))
    assert len(files) == 6 + 2 + 1
    assert all((tmp_path / "a" / f).read_bytes() == (tmp_path / "b" / f).read_bytes() for f in files)


HEADER = ",".join(fatebook.COLUMNS_V1)
GOOD = '"Q?","Ann",0.5,2023-07-20 08:01:7,"Ann",2023-07-20 08:01:7,,2023-08-01 00:00:0,,,,"",""'


@pytest.mark.parametrize("text, message", [
    (HEADER + "\n" + GOOD.replace(",0.5,", ",1.3,") + ",false,\"\"",
     r"bad.csv:2: Forecast \(scale = 0-1\): must be between 0 and 1, got 1.3"),
    (HEADER + "\n" + GOOD.replace(",0.5,", ",NaN,") + ",false,\"\"",
     r"bad.csv:2: Forecast \(scale = 0-1\): expected a finite number, got 'NaN'"),
    (HEADER.replace("Question created at,", "") + "\n" + GOOD,
     r"bad.csv:1: header: missing column\(s\) 'Question created at': not a Fatebook export"),
    (HEADER + "\n" + GOOD + ",false",
     r"bad.csv:2: \(row\): has 14 fields, the header has 15"),
    (HEADER + "\n" + GOOD.replace("08:01:7,", "yesterday,", 1) + ",false,\"\"",
     r"bad.csv:2: Forecast created at: expected a time as YYYY-MM-DD HH:MM:SS, got '2023-07-20 yesterday'"),
    (HEADER + "\n" + GOOD.replace(",,2023-08-01", ',"MAYBE",2023-08-01') + ",false,\"\"",
     r"bad.csv:2: Resolution: expected YES, NO or AMBIGUOUS, got 'MAYBE'"),
    ("", r"bad.csv:1: \(file\): empty"),
    (HEADER + '\n"unclosed,' + "x" * 5000, r"bad.csv:\d+: "),
])
def test_bad_input_is_located_and_leaves_nothing(tmp_path, text, message):
    bad = tmp_path / "bad.csv"
    bad.write_text(text, encoding="utf-8")
    result = run("import", "fatebook", bad, "--out", tmp_path / "out")
    assert result.exit_code == 1
    assert result.output.startswith("Error: ") and len(result.output) < 400
    assert __import__("re").search(message, result.output), result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.csv"]


def test_refuses_a_non_empty_folder(tmp_path):
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "keep.txt").write_text("x")
    result = run("import", "fatebook", sample(), "--out", tmp_path / "out")
    assert result.exit_code == 1 and "is not empty: import into a new folder" in result.output
    assert [p.name for p in (tmp_path / "out").iterdir()] == ["keep.txt"]
