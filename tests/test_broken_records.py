"""A corpus of broken records, one problem each: every one gives its exact message and
location, in one pass, with no traceback.

Each case is ``tests/broken/<case>.yaml`` (or a folder ``tests/broken/<case>/``), checked in
a store that also holds ``tests/broken/_base`` (a forecaster, a source, a valid question).
"""

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from forecastbook.cli import main

BROKEN = Path(__file__).parent / "broken"

CASES = [
    ("Unsafe_File_Name", "Unsafe_File_Name.yaml:1:1: error: (file): file name 'Unsafe_File_Name' is not a safe id (a lowercase slug of a-z, 0-9 and '-')"),
    ("annulled-without-reason", "annulled-without-reason.yaml:13:3: error: resolution.note: say why the question is annulled"),
    ("binary-outcome-not-yes-or-no", "binary-outcome-not-yes-or-no.yaml:13:12: error: resolution.outcome: a binary outcome is yes or no, got 'maybe'"),
    ("binary-with-probabilities", "binary-with-probabilities.yaml:11:18: error: forecasts[0].probabilities: not used by a binary question; use 'probability'"),
    ("categorical-missing-outcome", "categorical-missing-outcome.yaml:12:18: error: forecasts[0].probabilities: missing outcomes: mid"),
    ("categorical-one-outcome", "categorical-one-outcome.yaml:4:11: error: outcomes: a categorical question needs at least two outcomes"),
    ("categorical-resolved-to-unknown-outcome", "categorical-resolved-to-unknown-outcome.yaml:14:12: error: resolution.outcome: must be one of ['low', 'mid', 'high'], got 'medium'"),
    ("categorical-unknown-outcome", "categorical-unknown-outcome.yaml:12:45: error: forecasts[0].probabilities.huge: 'huge' is not one of the outcomes ['low', 'mid', 'high']"),
    ("closes-before-created", "closes-before-created.yaml:6:9: error: closes: is before the question was created (2026-01-01)"),
    ("condition-cycle", "condition-cycle.yaml:12:23: error: condition.question: conditions form a cycle: condition-cycle -> condition-cycle"),
    ("condition-outcome-not-an-outcome", "condition-outcome-not-an-outcome.yaml:12:50: error: condition.outcome: 'condition-target' can resolve to ['yes', 'no'], got 'perhaps'"),
    ("created-not-a-date", "created-not-a-date.yaml:5:10: error: created: must be a date as YYYY-MM-DD, got 'soon'"),
    ("dangling-condition", "dangling-condition.yaml:12:23: error: condition.question: no question with id 'no-such-question'"),
    ("dangling-implies", "dangling-implies.yaml:12:11: error: implies[0]: no question with id 'no-such-question'"),
    ("date-question-with-number-quantiles", "date-question-with-number-quantiles.yaml:11:20: error: forecasts[0].quantiles.0.1: a date question's quantiles must be dates"),
    ("duplicate-key", "duplicate-key.yaml:3:1: error: title: duplicate key: YAML would silently keep only the last value"),
    ("empty-file", "empty-file.yaml:1:1: error: (record): the file holds no record: it is empty"),
    ("forecast-after-close", "forecast-after-close.yaml:10:7: warning: forecasts[0].at: made after the question closed on 2026-03-31; it will not be scored"),
    ("forecast-given-twice", "forecast-given-twice.yaml:13:7: error: forecasts[1].at: the same forecaster and time as forecasts[0]: which one stood is ambiguous; keep one"),
    ("forecast-in-future", "forecast-in-future.yaml:10:7: error: forecasts[0].at: 2999-01-02T09:00:00+00:00 is in the future"),
    ("forecast-without-time-zone", "forecast-without-time-zone.yaml:10:7: error: forecasts[0].at: must be a timestamp with a time zone, e.g. 2026-02-13T11:51:37+08:00, got '2026-01-02 09:00:00'"),
    ("malformed-yaml", "malformed-yaml.yaml:3:6: error: (yaml): malformed YAML: mapping values are not allowed in this context"),
    ("missing-field", "missing-field.yaml:1:1: error: criteria: required field is missing"),
    ("not-a-mapping", "not-a-mapping.yaml:1:1: error: (record): a record is a YAML mapping of fields, got list"),
    ("not-utf8", "not-utf8.yaml:2:11: error: (file): not UTF-8 text: byte 0xe9 cannot be decoded"),
    ("numeric-bounds-reversed", "numeric-bounds-reversed.yaml:6:8: error: upper: must be above lower (100.0), got 5.0"),
    ("probabilities-not-summing-to-one", "probabilities-not-summing-to-one.yaml:12:18: error: forecasts[0].probabilities: must sum to 1, got 1.1"),
    ("probability-negative", "probability-negative.yaml:11:16: error: forecasts[0].probability: must be between 0 and 1, got -0.1"),
    ("probability-not-a-number", "probability-not-a-number.yaml:11:16: error: forecasts[0].probability: must be a number, got 'high'"),
    ("probability-too-high", "probability-too-high.yaml:11:16: error: forecasts[0].probability: must be between 0 and 1, got 1.3"),
    ("python-tag", "python-tag.yaml:2:8: error: (yaml): malformed YAML: could not determine a constructor for the tag 'tag:yaml.org,2002:python/object/apply:os.system'"),
    ("quantile-level-outside-0-1", "quantile-level-outside-0-1.yaml:13:14: error: forecasts[0].quantiles: levels must be strictly between 0 and 1, got 1.5"),
    ("quantiles-out-of-order", "quantiles-out-of-order.yaml:13:14: error: forecasts[0].quantiles: out of order: the 0.9 quantile (40.0) is below the 0.5 quantile (50.0)"),
    ("resolution-before-creation", "resolution-before-creation.yaml:14:7: error: resolution.at: resolved on 2025-12-01, before the question was created (2026-01-01)"),
    ("resolved-without-evidence", "resolved-without-evidence.yaml:13:3: error: resolution.evidence: a resolution needs evidence (at least one url)"),
    ("stem-mismatch", "stem-mismatch.yaml:1:5: error: id: must match the file name 'stem-mismatch', got 'another-id'"),
    ("unknown-field", "unknown-field.yaml:12:1: error: colour: unknown field"),
    ("unknown-forecaster", "unknown-forecaster.yaml:9:7: error: forecasts[0].by: no forecaster with id 'bob' under forecasters/ (add one: forecastbook forecaster add bob --name NAME)"),
    ("unknown-source", "unknown-source.yaml:12:15: error: source.ref: no source with id 'no-such-source' under sources/ (add one: forecastbook source add no-such-source --title TITLE --published DATE)"),
    ("unsafe-id", "unsafe-id.yaml:1:5: error: id: must be a lowercase slug (a-z, 0-9 and '-', starting with a letter or digit, at most 80 characters), got '../../etc/passwd'"),
    ("wrong-kind", "wrong-kind.yaml:3:7: error: kind: input should be 'binary', 'categorical', 'numeric' or 'date', got 'yesno'"),
    ("evidence-url-not-web", "evidence-url-not-web.yaml:17:10: error: resolution.evidence[0].url: must be an absolute http(s) address, got 'www.example.org/news'"),
    ("evidence-without-quote", "evidence-without-quote.yaml:17:5: error: resolution.evidence[0].quote: give the words on the page that settle it, or say why not in 'no_quote'"),
    ("evidence-retrieved-in-future", "evidence-retrieved-in-future.yaml:19:16: error: resolution.evidence[0].retrieved: 2999-01-01 is in the future"),
    ("evidence-retrieved-before-creation", "evidence-retrieved-before-creation.yaml:19:16: error: resolution.evidence[0].retrieved: 2025-06-01 is before the question was created (2026-01-01)"),
    ("resolution-in-future", "resolution-in-future.yaml:15:7: error: resolution.at: resolved on 2999-05-01, which is in the future"),
    ("known-after-resolution", "known-after-resolution.yaml:16:10: error: resolution.known: the outcome was known on 2026-05-09, after it was resolved (2026-05-01)"),
    ("note-unknown-kind", "note-unknown-kind.yaml:15:9: error: notes[0].kind: input should be 'search', 'review' or 'note', got 'rumour'"),
    ("duplicate-id", "b/same-id.yaml:1:5: error: id: duplicate id: 'same-id' is also a/same-id.yaml"),
]


def _store_with(case: str, tmp_path: Path) -> Path:
    shutil.copytree(BROKEN / "_base", tmp_path, dirs_exist_ok=True)
    folder = BROKEN / case
    if folder.is_dir():
        shutil.copytree(folder, tmp_path, dirs_exist_ok=True)
    else:
        shutil.copy(BROKEN / f"{case}.yaml", tmp_path)
    return tmp_path


def test_the_corpus_is_large_and_every_case_is_listed():
    on_disk = {p.stem for p in BROKEN.glob("*.yaml")} | {p.name for p in BROKEN.iterdir() if p.is_dir() and p.name != "_base"}
    assert on_disk == {case for case, _ in CASES}
    assert len(CASES) >= 25


def test_the_base_store_is_clean(tmp_path, monkeypatch):
    monkeypatch.chdir(_store_with("_base", tmp_path))
    result = CliRunner().invoke(main, ["validate", "--store", ".", "--strict"])
    assert result.exit_code == 0, result.output
    assert result.output == "1 questions, 1 forecasters, 1 sources: 0 error(s), 0 warning(s)\n"


@pytest.mark.parametrize(("case", "expected"), CASES, ids=[c for c, _ in CASES])
def test_broken_record_gives_exact_message_and_location(case, expected, tmp_path, monkeypatch):
    monkeypatch.chdir(_store_with(case, tmp_path))
    result = CliRunner().invoke(main, ["validate", "--store", "."])
    problems = result.stdout.splitlines()
    assert problems == [expected]
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    is_warning = ": warning: " in expected
    assert result.exit_code == (0 if is_warning else 1)
    strict = CliRunner().invoke(main, ["validate", "--store", ".", "--strict"])
    assert strict.exit_code == 1


def test_every_problem_is_reported_in_one_pass(tmp_path, monkeypatch):
    """Several broken files at once: each problem of each file, sorted by file and line."""
    store = _store_with("_base", tmp_path)
    for case in ("probability-too-high", "unknown-field", "not-utf8", "dangling-condition"):
        shutil.copy(BROKEN / f"{case}.yaml", store)
    monkeypatch.chdir(store)
    result = CliRunner().invoke(main, ["validate", "--store", "."])
    expected = [line for case, line in CASES
                if case in ("probability-too-high", "unknown-field", "not-utf8", "dangling-condition")]
    assert result.stdout.splitlines() == sorted(expected)
    assert result.exit_code == 1
