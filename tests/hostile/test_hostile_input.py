"""Careless and hostile input: nothing lost, nothing hangs, every refusal located.

Each test is one kind of bad input from the attack on the store, the edits, the commands,
the importer and the scoring functions; README's "Bad input" table says what each gets.
"""

import gzip
import json
import math
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from forecastbook import load_store
from forecastbook.cli import main
from conftest import ROOT

BASE = ROOT / "tests" / "broken" / "_base"
QUESTION = textwrap.dedent("""\
    id: {id}
    title: {title}
    kind: {kind}
    criteria: Resolves yes if the thing happens by 2026-06-30.
    created: 2026-01-01
    closes: {closes}
    resolve_by: 2026-07-31
    resolution_sources: [https://example.org/source]
    """)


def run(*args, **kwargs):
    result = CliRunner().invoke(main, [str(a) for a in args], **kwargs)
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    return result


@pytest.fixture
def store(tmp_path):
    root = tmp_path / "store"
    shutil.copytree(BASE, root)
    return root


def question(root: Path, qid: str, *, kind="binary", title="A question", closes="2026-03-31", extra="",
             name=None) -> Path:
    path = root / (name or f"{qid}.yaml")
    path.write_text(QUESTION.format(id=qid, title=title, kind=kind, closes=closes) + extra, encoding="utf-8")
    return path


def snapshot(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


# --- data silently lost or invisible --------------------------------------------------------

def test_duplicate_keys_that_are_not_text_are_found(store):
    question(store, "q", kind="numeric", extra="forecasts:\n- by: ana\n  at: 2026-01-02T09:00:00+00:00\n"
             "  quantiles: {0.1: 1, 0.5: 5, 0.50: 50, 0.9: 90}\n")
    result = run("validate", "--store", store)
    assert result.exit_code == 1
    assert "q.yaml:12:31: error: 0.50: duplicate key: YAML would silently keep only the last value" in result.output


def test_a_record_that_is_a_symbolic_link_is_neither_read_nor_edited(store, tmp_path):
    target = question(tmp_path, "linked")
    (store / "linked.yaml").symlink_to(target)
    before = target.read_bytes()
    result = run("validate", "--store", store)
    assert result.exit_code == 1
    assert "linked.yaml:1:1: error: (file): is a symbolic link: records are regular files" in result.output
    refused = run("forecast", "--store", store, "linked", "0.4", "--by", "ana", "--at", "2026-01-02T09:00:00+00:00")
    assert refused.exit_code == 1 and "the store has 1 error(s)" in refused.output
    assert target.read_bytes() == before and (store / "linked.yaml").is_symlink()


def test_folders_that_cannot_be_read_or_are_links_are_reported(store, tmp_path, monkeypatch):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    question(elsewhere, "hidden-away")
    (store / "linked-folder").symlink_to(elsewhere, target_is_directory=True)
    result = run("validate", "--store", store)
    assert "linked-folder:1:1: error: (file): is a symbolic link to a folder" in result.output
    import forecastbook.store as store_module

    real_walk = os.walk

    def walk(top, onerror=None, **kw):  # noqa: ANN001, ANN202 - a folder the process may not read
        onerror(PermissionError(13, "Permission denied", str(Path(top) / "locked")))
        yield from real_walk(top, onerror=onerror, **kw)
    monkeypatch.setattr(store_module.os, "walk", walk)
    result = run("due", "--store", store, "--check")
    assert result.exit_code == 1
    assert "locked:1:1: error: (file): folder cannot be read: Permission denied" in result.output


def test_files_the_loader_would_skip_are_reported(store):
    question(store, "shouty", name="shouty.YAML")
    (store / "notes.txt").write_text("to do")
    result = run("validate", "--store", store)
    assert result.exit_code == 1
    assert "shouty.YAML:1:1: error: (file): record files end in lowercase .yaml" in result.output
    assert "notes.txt:1:1: warning: (file): not a record (only .yaml files are): ignored" in result.output


@pytest.mark.parametrize("folder", [".hidden", "sources", "forecasters/x", "/tmp/outside", "a/../../b", "."])
def test_new_writes_only_where_the_loader_reads(store, folder):
    result = run("new", "--store", store, "--id", "placed", "--title", "T", "--kind", "binary", "--criteria",
                 "Resolves yes by 2026-06-30.", "--closes", "2026-03-31", "--resolve-by", "2026-07-31",
                 "--folder", folder)
    assert result.exit_code == 1 and "the folder must be a visible sub-folder of the store" in result.output
    assert not list(store.rglob("placed.yaml"))


@pytest.mark.parametrize(("args", "field", "value"), [
    (["forecast", "q", "0.4", "--by", "ana", "--at", "2026-01-02T09:00:00+00:00", "--rationale", "no"],
     ("forecasts", 0, "rationale"), "no"),
    (["forecast", "q", "0.4", "--by", "ana", "--at", "2026-01-02T09:00:00+00:00", "--verbal", "off"],
     ("forecasts", 0, "verbal"), "off"),
    (["resolve", "q", "yes", "--evidence", "https://e.org", "--quote", "q", "--at", "2026-05-01", "--note", "12:30:00"],
     ("resolution", "note"), "12:30:00"),
    (["annul", "q", "--reason", "no", "--at", "2026-05-01"], ("resolution", "note"), "no"),
    (["note", "q", "1e3", "--at", "2026-05-01"], ("notes", 0, "text"), "1e3"),
])
def test_words_yaml_1_1_would_read_as_other_things_stay_text(store, args, field, value):
    question(store, "q")
    result = run(args[0], "--store", store, *args[1:])
    assert result.exit_code == 0, result.output
    record = load_store(store).questions["q"].model_dump()
    for part in field:
        record = record[part]
    assert record == value


@pytest.mark.parametrize(("crlf", "bom"), [(True, False), (False, True), (True, True)])
def test_edits_keep_line_ends_and_byte_order_mark(store, crlf, bom):
    text = "# a comment, kept\n" + QUESTION.format(id="q", title="A question", kind="binary", closes="2026-03-31")
    raw = text.replace("\n", "\r\n" if crlf else "\n").encode()
    raw = (b"\xef\xbb\xbf" if bom else b"") + raw
    (store / "q.yaml").write_bytes(raw)
    assert run("forecast", "--store", store, "q", "0.4", "--by", "ana", "--at", "2026-01-02T09:00:00+00:00").exit_code == 0
    new = (store / "q.yaml").read_bytes()
    assert new.startswith(raw)
    added = new[len(raw):]
    assert (b"\r\n" in added) == crlf and (b"\n" in added.replace(b"\r\n", b"")) == (not crlf)
    assert load_store(store).questions["q"].forecasts[0].probability == 0.4


# --- hangs and exhaustion --------------------------------------------------------------------

BOMB = "".join(f"{chr(98 + i)}: &{chr(98 + i)} [" + ", ".join([f"*{chr(97 + i)}"] * 9) + "]\n" for i in range(8))


@pytest.mark.parametrize("where", ["title", "history"])
def test_an_alias_bomb_is_refused_at_once_with_a_short_message(store, where):
    bomb = "a: &a [x, x, x, x, x, x, x, x, x]\n" + BOMB
    if where == "title":
        text = QUESTION.format(id="q", title="*i", kind="binary", closes="2026-03-31").replace(
            "title: *i\n", "title: *i\n") + "x-anchors:\n" + textwrap.indent(bomb, "  ")
    else:
        text = QUESTION.format(id="q", title="T", kind="binary", closes="2026-03-31") + (
            "history:\n- at: 2026-01-05T00:00:00+00:00\n  action: annul\n  reason: r\n  previous:\n"
            + textwrap.indent(bomb, "    "))
    (store / "q.yaml").write_text(text, encoding="utf-8")
    proc = subprocess.run([sys.executable, "-m", "forecastbook", "validate", "--store", str(store)],
                          capture_output=True, text=True, timeout=30)
    assert proc.returncode == 1
    assert "error: (yaml): anchors and aliases (&name, *name) are not allowed in records" in proc.stdout
    assert len(proc.stdout) < 2000
    annul = subprocess.run([sys.executable, "-m", "forecastbook", "annul", "q", "--reason", "r", "--store", str(store)],
                           capture_output=True, text=True, timeout=30)
    assert annul.returncode == 1 and "Traceback" not in annul.stderr


def test_only_regular_files_of_bounded_size_are_read(store):
    os.mkfifo(store / "fifo.yaml")
    (store / "zero.yaml").symlink_to("/dev/zero")
    big = store / "big.yaml"
    with open(big, "wb") as fh:
        fh.truncate(11 * 1024 * 1024)
    proc = subprocess.run([sys.executable, "-m", "forecastbook", "validate", "--store", str(store)],
                          capture_output=True, text=True, timeout=30)
    assert proc.returncode == 1
    assert "fifo.yaml:1:1: error: (file): is not a regular file (a FIFO, device or socket): not read" in proc.stdout
    assert "zero.yaml:1:1: error: (file): is a symbolic link" in proc.stdout
    assert "big.yaml:1:1: error: (file): is 11534336 bytes, over the 10 MB a record may have: not read" in proc.stdout


def test_a_folder_that_is_not_a_store_is_refused_without_walking_it(tmp_path):
    for args in (["validate", "--store", "/"], ["due", "--store", str(tmp_path)]):
        result = run(*args)
        assert result.exit_code == 1
        assert "not a store: a store has a forecasters/ or sources/ folder" in result.output


# --- tracebacks instead of messages ------------------------------------------------------------

def test_dates_at_the_edges_are_refused_with_a_message(store):
    question(store, "far", closes="9999-12-31")
    question(store, "late", extra="forecasts:\n- by: ana\n  at: 9999-12-31T23:00:00-05:00\n  probability: 0.5\n")
    result = run("validate", "--store", store)
    assert result.exit_code == 1
    assert "far.yaml:6:9: error: closes: must be between 1900-01-01 and 2999-12-31, got '9999-12-31'" in result.output
    assert "late.yaml:11:7: error: forecasts[0].at: must be between 1900-01-01 and 2999-12-31" in result.output
    (store / "far.yaml").unlink()
    (store / "late.yaml").unlink()
    question(store, "q")
    at = run("forecast", "--store", store, "q", "0.5", "--by", "ana", "--at", "9999-12-31T23:00:00-05:00")
    assert at.exit_code == 2 and "must be between 1900-01-01 and 2999-12-31" in at.output
    new = run("new", "--store", store, "--id", "n", "--title", "T", "--kind", "binary", "--criteria", "by 2026",
              "--closes", "9999-12-31", "--resolve-by", "9999-12-31")
    assert new.exit_code == 1 and "closes: must be between 1900-01-01 and 2999-12-31" in new.output


def test_a_number_of_thousands_of_digits_is_located(store):
    question(store, "q", extra="forecasts:\n- by: ana\n  at: 2026-01-02T09:00:00+00:00\n  probability: "
             + "9" * 5000 + "\n")
    result = run("validate", "--store", store)
    assert result.exit_code == 1
    assert "q.yaml:12:16: error: (yaml): cannot read a number: '9999" in result.output  # at the number itself
    assert "(5000 digits: Python reads at most 4300)" in result.output
    assert len(result.output) < 1000


def test_file_system_errors_are_messages(store, tmp_path, monkeypatch):
    question(store, "q")
    missing = tmp_path / "nowhere"
    for args in (["forecast", "--store", missing, "q", "0.5", "--by", "ana"], ["annul", "--store", missing, "q",
                 "--reason", "r"], ["new", "--store", missing, "--id", "n", "--title", "T", "--kind", "binary",
                 "--criteria", "c", "--closes", "2026-03-31", "--resolve-by", "2026-04-30"]):
        result = run(*args)
        assert result.exit_code == 1 and f"no store folder at {missing}" in result.output, args
    a_file = tmp_path / "a-file"
    a_file.write_text("x")
    assert "no store folder at" in run("annul", "--store", a_file, "q", "--reason", "r").output
    long = tmp_path / ("x" * 300)
    assert run("annul", "--store", long, "q", "--reason", "r").exit_code == 1
    # the disk fills up while the new texts are written: a message, and nothing changed
    import errno

    import forecastbook.edits as edits

    before = snapshot(store)

    def full(path, text, **kw):  # noqa: ANN001, ANN202
        raise OSError(errno.ENOSPC, "No space left on device", str(path))
    monkeypatch.setattr(edits, "_write_file", full)
    result = run("annul", "--store", store, "q", "--reason", "r")
    assert result.exit_code == 1 and "No space left on device; no file was changed" in result.output
    monkeypatch.undo()
    assert {k: v for k, v in snapshot(store).items() if not k.startswith(".")} == \
        {k: v for k, v in before.items() if not k.startswith(".")}
    # nothing left behind but the lock and the reading cache (disposable, rebuilt at will)
    assert not [p for p in store.rglob(".*") if p.name != ".forecastbook.lock" and
                p.relative_to(store).parts[0] != ".cache"]
    (store / ".forecastbook.lock").unlink()
    (store / ".forecastbook.lock").mkdir()
    locked = run("annul", "--store", store, "q", "--reason", "r")
    assert locked.exit_code == 1 and "cannot lock the store" in locked.output
    report = run("report", "--store", store, "--out", a_file)
    assert report.exit_code == 2 and "is a file" in report.output
    due = run("due", "--store", store, "--within", "1000000000000")
    assert due.exit_code == 2 and "1000000000000 is not in the range" in due.output


def _fb_files(tmp_path, *, question_id="D1", dates=("2024-07-28",), forecast=0.6):
    questions = {"forecast_due_date": "2024-07-21", "question_set": "tiny.json", "questions": [
        {"id": question_id, "source": "fred", "question": "Up?", "resolution_criteria": "Data.", "background": "",
         "url": "https://example.org/d1", "freeze_datetime": "2024-07-12T00:00:00+00:00",
         "freeze_datetime_value": "5.0", "resolution_dates": list(dates) if isinstance(dates, tuple) else dates}]}
    resolutions = {"resolutions": [{"id": "D1", "source": "fred", "direction": None, "resolution_date": "2024-07-28",
                                    "resolved_to": 1.0, "resolved": True}]}
    forecasts = {"forecasts": [{"id": "D1", "source": "fred", "forecast": forecast, "resolution_date": "2024-07-28",
                                "direction": None, "user_id": "a"}]}
    paths = []
    for name, doc in (("q.json", questions), ("r.json", resolutions), ("f.json", forecasts)):
        (tmp_path / name).write_text(json.dumps(doc))
        paths.append(tmp_path / name)
    return ["--questions", paths[0], "--resolutions", paths[1], "--forecasts", paths[2]]


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"question_id": 1348}, "question 0 (fred/1348): 'id' must be text, got int"),
    ({"dates": "2024-07-28"}, "question 0 (fred/D1): 'resolution_dates' must be a list of dates"),
    ({"forecast": 1.5}, "forecast for fred/D1 by a must be a probability between 0 and 1, got 1.5"),
    ({"forecast": float("nan")}, "must be a probability between 0 and 1, got nan"),
])
def test_the_forecastbench_importer_names_what_is_wrong(tmp_path, kwargs, message):
    files = _fb_files(tmp_path, **kwargs)
    result = run("import", "forecastbench", *files, "--out", tmp_path / "out")
    assert result.exit_code == 1 and message in result.output
    assert not (tmp_path / "out").exists() and not list(tmp_path.glob(".import-*"))
    score = run("forecastbench-score", *files, "--format", "json")
    assert score.exit_code == 1 or json.loads(score.output)  # refused, or strict JSON


def test_a_truncated_gzip_and_what_a_killed_import_left_are_handled(tmp_path):
    files = _fb_files(tmp_path)
    data = gzip.compress((tmp_path / "f.json").read_bytes())
    (tmp_path / "f.json.gz").write_bytes(data[: len(data) // 2])
    files[-1] = tmp_path / "f.json.gz"
    result = run("import", "forecastbench", *files, "--out", tmp_path / "out")
    assert result.exit_code == 1 and "f.json.gz: damaged or truncated gzip file" in result.output
    assert "Aborted" not in result.output
    stale = tmp_path / ".import-out-999999999-abc"  # from a process that no longer runs
    stale.mkdir()
    files[-1] = tmp_path / "f.json"
    assert run("import", "forecastbench", *files, "--out", tmp_path / "out").exit_code == 0
    assert not stale.exists() and (tmp_path / "out").is_dir()


def test_forecastbench_score_writes_strict_json(tmp_path):
    files = _fb_files(tmp_path)
    result = run("forecastbench-score", *files, "--format", "json")
    assert result.exit_code == 0, result.output
    figures = json.loads(result.output, parse_constant=lambda c: pytest.fail(f"not JSON: {c}"))
    assert figures["n_dataset"] == 1


# --- values let through ------------------------------------------------------------------------

@pytest.mark.parametrize(("extra", "message"), [
    ("forecasts:\n- by: ana\n  at: 2026-01-02T09:00:00+00:00\n  probability: yes\n",
     "forecasts[0].probability: must be a number, got True"),
    ("forecasts:\n- by: ana\n  at: 2026-01-02T09:00:00+00:00\n  probability: '0.5'\n",
     "forecasts[0].probability: must be a number, got '0.5'"),
    ("forecasts:\n- by: ana\n  at: 2026-01-02T09:00:00+00:00\n  probability: .nan\n",
     "forecasts[0].probability: must be between 0 and 1, got nan"),
])
def test_records_are_strict_about_probabilities(store, extra, message):
    question(store, "q", extra=extra)
    result = run("validate", "--store", store)
    assert result.exit_code == 1 and message in result.output


def test_nan_and_infinity_are_not_quantiles_or_outcomes(store):
    question(store, "n", kind="numeric")
    refused = run("forecast", "--store", store, "n", "0.1=1,0.5=nan,0.9=3", "--by", "ana",
                  "--at", "2026-01-02T09:00:00+00:00")
    assert refused.exit_code == 1 and "the 0.5 quantile must be a finite number, got nan" in refused.output
    for value in ("nan", "inf"):
        outcome = run("resolve", "--store", store, "n", value, "--evidence", "https://e.org", "--quote", "q",
                      "--at", "2026-05-01")
        assert outcome.exit_code == 1 and "a numeric question resolves to a finite number" in outcome.output


def test_control_characters_never_reach_the_terminal_raw(store):
    question(store, "q", title='"Evil \\e]0;owned\\a\\e[2J title"')
    assert "\x1b" in load_store(store).questions["q"].title
    for args in (["show", "q"], ["list"], ["due", "--as-of", "2026-12-01"]):
        result = run(args[0], "--store", store, *args[1:])
        assert result.exit_code in (0, 1), result.output
        assert "\x1b" not in result.output and "\x07" not in result.output, args
        assert "Evil \\u001b]0;owned\\u0007\\u001b[2J title" in result.output or args[0] != "show"


# --- the scoring functions' edges --------------------------------------------------------------

def test_time_averaged_scores_never_call_an_unknown_a_perfect_score():
    import datetime as dt

    from forecastbook.scoring import time_averaged_scores

    d = dt.date
    f = pd.DataFrame({"question_id": ["q"], "forecaster": ["a"], "day": [d(2026, 1, 2)], "probability": [0.5],
                      "outcome": [np.nan], "created": [d(2026, 1, 1)], "closes": [d(2026, 1, 5)]})
    assert math.isnan(time_averaged_scores(f)["score"].iloc[0])
    with pytest.raises(ValueError, match="probability must not be NaN"):
        time_averaged_scores(f.assign(probability=np.nan, outcome=1.0))
    for column in ("question_id", "forecaster"):  # never counted under another pair
        with pytest.raises(ValueError, match="question_id and forecaster must not be missing"):
            time_averaged_scores(pd.concat([f, f.assign(**{column: None})], ignore_index=True))


def test_uniform_bins_put_exact_decimals_where_a_person_expects():
    from forecastbook.calibration import reliability

    p = np.round(np.arange(101) / 100, 2)  # 0.00 .. 1.00: ten to a bin, 1.00 in the last
    table = reliability((np.arange(101) % 2).astype(float), p, method="uniform", n_bins=10)
    assert table["n"].tolist() == [10] * 9 + [11]


def test_metaculus_scores_at_the_edges():
    from forecastbook.scoring import metaculus_baseline_score, metaculus_peer_score

    frame = pd.DataFrame({"question_id": ["q"] * 3, "forecaster": list("abc"), "p_outcome": [0.0, 0.5, np.nan]})
    # a confident miss: -inf for the one, +inf for the peer; no forecast: no score, not ln p = 0
    assert metaculus_peer_score(frame).tolist()[:2] == [-np.inf, np.inf]
    assert math.isnan(metaculus_peer_score(frame).iloc[2])
    for y, p, message in (([0.3], [0.5], "y_true must be 0 or 1, got 0.3"), ([2], [0.5], "y_true must be 0 or 1"),
                          ([1], [1.2], "y_prob must be between 0 and 1, got 1.2")):
        with pytest.raises(ValueError, match=message):
            metaculus_baseline_score(y, p)
    assert math.isnan(metaculus_baseline_score([np.nan], [0.5])[0])


@pytest.mark.parametrize(("probs", "outcome", "message"), [
    ([[0.5, 0.5]], [1.5], "outcome must be an index from 0 to 1, got 1.5"),
    ([[0.5, 0.5]], [-0.5], "outcome must be an index from 0 to 1, got -0.5"),
    ([[0.5, 0.5], [0.2, 0.8]], [1], "outcome must have one entry per row of probs: 1 outcome"),
    ([[0.5, np.nan, 0.5]], [0], "probs: row 0 is partly NaN"),
])
def test_categorical_rules_check_their_inputs(probs, outcome, message):
    from forecastbook.scoring import brier_score_categorical

    with pytest.raises(ValueError, match=message):
        brier_score_categorical(probs, outcome)


@pytest.mark.parametrize(("call", "message"), [
    (lambda s: s.brier_score([1], [0.2, 0.5, 0.9]), "y_true and y_prob must have the same length: y_true has 1"),
    (lambda s: s.log_score([1, 0], [0.2, 0.5, 0.9]), "y_true and y_prob must have the same length"),
    (lambda s: s.crps_from_quantiles([0], [[1, 2, 3]], [0.5]), "quantiles must have one column per level"),
    (lambda s: s.crps_from_quantiles([0, 1], [[1, 2, 3]], [0.1, 0.5, 0.9]), "y_true and quantiles must have the same"),
    (lambda s: s.interval_score([5], 10, 2, alpha=0.2), "lower must not be above upper, got lower 10 and upper 2"),
    (lambda s: s.brier_score([[1, 0], [0, 1]], [[0.5, 0.5], [0.5, 0.5]]), "y_prob must be 1-dimensional"),
])
def test_scoring_functions_refuse_silent_broadcasting(call, message):
    from forecastbook import scoring

    with pytest.raises(ValueError, match=message):
        call(scoring)


def test_decompose_refuses_mismatched_shapes():
    from forecastbook.calibration import decompose

    with pytest.raises(ValueError, match="y_true must be 1-dimensional, got shape"):
        decompose(np.ones((2, 3)), np.ones((3, 2)) / 2)


@pytest.mark.parametrize("title, where, says", [
    ("!!bool maybe", "q.yaml:2:8", "cannot read a boolean: 'maybe'"),
    ("!!int ''", "q.yaml:2:8", "cannot read a number: ''"),
    ("1" + ":00" * 300_000, "q.yaml:2:8", "cannot read a number: '1:00:00"),  # read in quadratic time
    ("[!!bool x]\ntags: !foo y", "q.yaml:3:7", "could not determine a constructor for the tag '!foo'"),
])
def test_values_that_cannot_be_read_are_refused_where_they_are(store, title, where, says):
    question(store, "q", title=title)
    for cache in ([], ["--no-cache"]):
        result = run("validate", "--store", store, *cache)
        assert result.exit_code == 1 and f"{where}: error: (yaml): " in result.output and says in result.output
        assert len(result.output) < 1000


@pytest.mark.parametrize("title", ["0x" + "f" * 4000, "[" * 990 + "]" * 990])
def test_a_value_too_large_to_show_is_named_not_shown(store, title):
    question(store, "q", title=title)  # read (hex has no digit limit; libyaml allows this depth): the wrong type
    result = run("validate", "--store", store)
    assert result.exit_code == 1 and "q.yaml:2:8: error: title: " in result.output and "too large to show" in result.output
    assert len(result.output) < 1000


def test_each_of_a_hundred_thousand_unknown_fields_is_placed(store):
    question(store, "q", extra="".join(f"k{i}: 1\n" for i in range(100_000)))
    result = run("validate", "--store", store)  # (placing each by scanning every key took minutes)
    assert result.exit_code == 1 and result.output.count("unknown field") == 100_000
    assert "q.yaml:100008:1: error: k99999: unknown field" in result.output
