"""The resolution round end to end, on a temporary copy of the repo's store."""

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from forecastbook import load_store
from forecastbook.cli import main
from conftest import FORECASTS, run_cli as run

ARTICLE = "us-china-tech-pause-2026"


@pytest.fixture
def store(article_store):
    return article_store


def snapshot(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*.yaml"))}


def test_resolving_a_condition_annuls_the_conditionals_whose_condition_failed(store):
    before = snapshot(store)
    result = run("resolve", "--store", store, "visit-talks-fail", "no", "--evidence", "https://example.org/statement",
                 "--quote", "Both sides signed ...", "--published", "2026-05-19", "--retrieved", "2026-05-20",
                 "--at", "2026-05-20", "--by", "tester")
    assert result.exit_code == 0, result.output
    changed = sorted(line.split()[-1] for line in result.output.splitlines() if line.startswith("changed "))
    assert "retighten-by-2026-12-31-if-talks-fail: annulled (condition failed: 'visit-talks-fail' resolved no, not yes)" \
        in result.output.splitlines()
    assert changed == sorted(str(store / ARTICLE / f"{q}.yaml") for q in (
        "visit-talks-fail", "retighten-by-2026-12-31-if-talks-fail",
        "escalate-beyond-prior-level-by-2026-12-31-if-talks-fail"))
    after = snapshot(store)
    for name, old in before.items():
        new = after[name]
        if store / name in map(Path, changed):
            # only lines added at the end: comments and every untouched line byte-identical
            assert new.startswith(old), name
        else:
            assert new == old, name
    s = load_store(store)
    assert not s.errors
    assert s.questions["visit-talks-fail"].outcome_value() is False
    annulled = s.questions["retighten-by-2026-12-31-if-talks-fail"]
    assert annulled.status == "annulled"
    assert annulled.resolution.note == "condition failed: 'visit-talks-fail' resolved no, not yes"
    assert annulled.history[0].action == "annul"
    assert s.questions["retighten-by-2026-12-31-if-talks-succeed"].status == "open"
    added = after[f"{ARTICLE}/visit-talks-fail.yaml"][len(before[f"{ARTICLE}/visit-talks-fail.yaml"]):].decode()
    assert added == textwrap.dedent("""\
        resolution:
          outcome: no
          at: 2026-05-20
          by: tester
          evidence:
          - url: https://example.org/statement
            quote: Both sides signed ...
            published: 2026-05-19
            retrieved: 2026-05-20
        """)


@pytest.mark.parametrize(("args", "message"), [
    (["resolve", "trump-first-china-visit-timing-2026", "june-2026", "--evidence", "https://e.org", "--quote", "q"],
     "Error: trump-first-china-visit-timing-2026: the outcome must be one of"),
    (["resolve", "visit-talks-fail", "maybe", "--evidence", "https://e.org", "--quote", "q"],
     "Error: visit-talks-fail: a binary question's outcome is yes or no"),
    (["resolve", "visit-talks-fail", "yes", "--evidence", "https://e.org", "--quote", "q", "--at", "2025-01-01"],
     "Error: refused: the change would make the records invalid; no file was changed"),
    (["forecast", "visit-talks-fail", "0.4", "--by", "nobody", "--at", "2026-03-01T00:00:00+00:00"],
     "Error: no forecaster 'nobody' in "),
    (["forecast", "visit-talks-fail", "1.4", "--by", "moyunlanting", "--at", "2026-03-01T00:00:00+00:00"],
     "Error: visit-talks-fail: probability must be between 0 and 1, got 1.4"),
    (["forecast", "visit-talks-fail", "0.4", "--by", "moyunlanting", "--at", "2026-04-02T00:00:00+00:00"],
     "Error: visit-talks-fail closed on 2026-03-31: a forecast made 2026-04-02T00:00:00+00:00 would not be scored"),
    (["unresolve", "visit-talks-fail", "--reason", "typo"], "Error: visit-talks-fail is not resolved"),
    (["resolve", "no-such-question", "yes", "--evidence", "https://e.org", "--quote", "q"], "Error: no question with id 'no-such-question'"),
])
def test_an_invalid_edit_is_refused_and_no_file_changes(store, args, message):
    before = snapshot(store)
    result = run(args[0], "--store", store, *args[1:])
    assert result.exit_code == 1
    assert message in result.output
    assert snapshot(store) == before


def test_refused_edit_names_file_line_and_field(store):
    result = run("forecast", "--store", store, "visit-talks-fail", "0.4", "--by", "moyunlanting",
                 "--at", "2026-03-01T00:00:00+00:00", "--derived", "read from words")
    path = store / ARTICLE / "visit-talks-fail.yaml"
    assert (f"{path}:32:12: error: forecasts[0].derived: says how words were read, but 'verbal' (the words) is missing"
            in result.output)
    # a problem the model itself finds is named by field, in words, not as a raw dump
    result = run("forecast", "--store", store, "trump-first-china-visit-timing-2026",
                 "before-april-2026=0.5,april-2026=0.5,may-june-2026=0.1,july-december-2026=0,not-in-2026=0",
                 "--by", "moyunlanting", "--at", "2026-03-01T00:00:00+00:00")
    assert result.exit_code == 1
    assert "forecasts[0].probabilities: must sum to 1, got 1.1" in result.output
    assert "pydantic" not in result.output and "validation error" not in result.output


def test_an_unknown_forecaster_says_how_to_add_one(store):
    result = run("forecast", "--store", store, "visit-talks-fail", "0.4", "--by", "analyst",
                 "--at", "2026-03-01T00:00:00+00:00")
    assert result.exit_code == 1
    assert "add one with `forecastbook forecaster add analyst --name NAME`" in result.output
    added = run("forecaster", "add", "--store", store, "analyst", "--name", "An Analyst", "--kind", "person")
    assert added.exit_code == 0, added.output
    assert (store / "forecasters" / "analyst.yaml").read_text() == "id: analyst\nname: An Analyst\n"
    assert run("forecast", "--store", store, "visit-talks-fail", "0.4", "--by", "analyst",
               "--at", "2026-03-01T00:00:00+00:00").exit_code == 0
    again = run("forecaster", "add", "--store", store, "analyst", "--name", "Someone else")
    assert again.exit_code == 1 and "exists already" in again.output
    bad = run("forecaster", "add", "--store", store, "Not A Slug", "--name", "x")
    assert bad.exit_code == 1 and "id: must be a lowercase slug" in bad.output


def test_source_add_and_new_with_provenance_and_a_first_forecast(store):
    added = run("source", "add", "--store", store, "memo-2026-03-01", "--title", "Team memo", "--kind", "memo",
                "--published", "2026-03-01", "--author", "Desk", "--language", "en")
    assert added.exit_code == 0, added.output
    r = run("new", "--store", store, "--id", "memo-visit-by-june", "--title", "Visit by June?", "--kind", "binary",
            "--criteria", "Resolves yes if the visit begins by 2026-06-30.", "--closes", "2026-03-31",
            "--resolve-by", "2026-07-15", "--created", "2026-03-01", "--source", "memo-2026-03-01",
            "--source-url", "https://example.org/memo",
            "--quote", "the visit will very likely happen by June", "--locator", "para 2",
            "--forecast", "0.875", "--by", "moyunlanting", "--at", "2026-03-01T09:00:00+00:00", "--verbal", "very likely",
            "--derived", "very likely read at the band's midpoint")
    assert r.exit_code == 0, r.output
    q = load_store(store).questions["memo-visit-by-june"]
    assert (q.source.ref, q.source.locator, q.forecasts[0].probability, q.forecasts[0].verbal) == (
        "memo-2026-03-01", "para 2", 0.875, "very likely")
    assert run("validate", "--store", store, "--strict").exit_code == 0


def test_forecast_unresolve_and_history(store):
    r = run("forecast", "--store", store, "trump-first-china-visit-timing-2026",
            "before-april-2026=0.1,april-2026=0.5,may-june-2026=0.2,july-december-2026=0.1,not-in-2026=0.1",
            "--by", "moyunlanting", "--at", "2026-03-01T09:00:00+08:00", "--rationale", "test")
    assert r.exit_code == 0, r.output
    r = run("forecast", "--store", store, "us-goods-imports-from-china-2026", "0.1=300,0.5=380,0.9=450",
            "--by", "moyunlanting", "--at", "2026-03-01T09:00:00+08:00")
    assert r.exit_code == 0, r.output
    assert run("resolve", "--store", store, "reuters-pause-confirmed", "yes", "--evidence", "https://e.org/a",
               "--quote", "confirmed", "--at", "2026-04-01").exit_code == 0
    r = run("unresolve", "--store", store, "reuters-pause-confirmed", "--reason", "the statement was misquoted")
    assert r.exit_code == 0, r.output
    s = load_store(store)
    assert not s.errors
    q = s.questions["reuters-pause-confirmed"]
    assert q.resolution is None
    assert q.history[-1].action == "unresolve" and q.history[-1].reason == "the statement was misquoted"
    assert q.history[-1].previous["resolution"]["evidence"][0]["url"] == "https://e.org/a"
    assert s.questions["us-goods-imports-from-china-2026"].forecasts[0].quantiles == {0.1: 300.0, 0.5: 380.0, 0.9: 450.0}


def test_new_scaffolds_a_question_that_validates(store):
    r = run("new", "--store", store, "--id", "tariff-cut-by-2026-12-31", "--title", "Tariff cut?", "--kind", "binary",
            "--criteria", "Resolves yes if the US cuts tariffs on Chinese goods by 2026-12-31.",
            "--closes", "2026-12-01", "--resolve-by", "2027-01-15", "--created", "2026-11-27",
            "--source-url", "https://ustr.gov/", "--folder", "extra")
    assert r.exit_code == 0, r.output
    assert (store / "extra" / "tariff-cut-by-2026-12-31.yaml").exists()
    assert run("validate", "--store", store, "--strict").exit_code == 0
    again = run("new", "--store", store, "--id", "tariff-cut-by-2026-12-31", "--title", "x", "--kind", "binary",
                "--criteria", "c 2026-01-01", "--closes", "2026-12-01", "--resolve-by", "2027-01-15")
    assert again.exit_code == 1 and "exists already" in again.output
    bad_id = run("new", "--store", store, "--id", "../../etc/x", "--title", "x", "--kind", "binary", "--criteria", "c",
                 "--closes", "2026-12-01", "--resolve-by", "2027-01-15")
    assert bad_id.exit_code == 1 and "id: must be a lowercase slug" in bad_id.output
    escape = run("new", "--store", store, "--id", "x-1", "--title", "x", "--kind", "binary", "--criteria", "c",
                 "--closes", "2026-12-01", "--resolve-by", "2027-01-15", "--folder", "../outside")
    assert escape.exit_code == 1 and "must be a visible sub-folder of the store" in escape.output


def test_new_asks_for_what_is_missing_on_a_terminal(store, monkeypatch):
    import forecastbook.cli

    monkeypatch.setattr(forecastbook.cli, "_interactive", lambda: True)
    answers = "\n".join(["asked-question", "Asked?", "binary",
                         "Resolves yes if the office announces it by 2026-12-31.", "2026-12-01", "2027-01-15"]) + "\n"
    r = CliRunner().invoke(main, ["new", "--store", str(store), "--created", "2026-11-27",
                                  "--source-url", "https://example.org"], input=answers)
    assert r.exit_code == 0, r.output
    assert "Id (a lowercase slug):" in r.output and "Closes (YYYY-MM-DD):" in r.output
    q = load_store(store).questions["asked-question"]
    assert (q.title, str(q.closes), str(q.resolve_by)) == ("Asked?", "2026-12-01", "2027-01-15")


def test_new_without_a_terminal_lists_every_missing_option(store):
    r = run("new", "--store", store, "--title", "Half a question")
    assert r.exit_code == 2
    assert ("missing --id, --kind, --criteria, --closes, --resolve-by (give them as options, or run the command on a "
            "terminal to be asked)") in r.output
    assert "Aborted" not in r.output


def test_due_lists_overdue_article_questions_with_sources():
    r = run("due", "--store", FORECASTS, "--as-of", "2026-11-27")
    assert r.exit_code == 0
    lines = r.output.splitlines()
    ids = [line.split()[0] for line in lines if not line.startswith(" ") and "[" in line]
    assert ids == ["trump-visits-china-first-week-april-2026", "trump-visits-china-april-2026",
                   "no-china-mobile-unicom-us-order-by-2026-04-30", "no-chinese-electric-truck-bus-ban-by-2026-04-30",
                   "no-tp-link-router-ban-by-2026-04-30", "reuters-pause-confirmed", "visit-talks-fail"]
    assert "trump-visits-china-first-week-april-2026  [overdue: was due by 2026-04-14, 227 day(s) ago]" in lines
    assert "    - https://www.fmprc.gov.cn/" in lines
    assert lines[-1] == "7 overdue, as of 2026-11-27"
    assert run("due", "--store", FORECASTS, "--as-of", "2026-11-27", "--check").exit_code == 1
    soon = run("due", "--store", FORECASTS, "--as-of", "2026-04-01", "--within", "14", "--check")
    assert soon.exit_code == 0
    assert soon.output.splitlines()[-1] == "0 overdue, 1 coming due within 14 day(s), as of 2026-04-01"


def _cli(store, *args):
    return subprocess.Popen([sys.executable, "-m", "forecastbook", *args, "--store", str(store)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def test_two_resolves_at_once_on_different_questions_both_land(store):
    a = _cli(store, "resolve", "trump-visits-china-april-2026", "no", "--evidence", "https://e.org/1", "--quote", "q", "--at", "2026-05-01")
    b = _cli(store, "resolve", "reuters-pause-confirmed", "yes", "--evidence", "https://e.org/2", "--quote", "q", "--at", "2026-05-01")
    for proc in (a, b):
        out, err = proc.communicate(timeout=60)
        assert proc.returncode == 0, err
    s = load_store(store)
    assert s.questions["trump-visits-china-april-2026"].status == "resolved"
    assert s.questions["reuters-pause-confirmed"].status == "resolved"


def test_a_process_killed_during_a_write_leaves_the_old_file_intact(store, tmp_path):
    target = store / ARTICLE / "visit-talks-fail.yaml"
    before = snapshot(store)
    marker = tmp_path / "writing"
    script = textwrap.dedent(f"""
        import os, time, pathlib
        import forecastbook.edits as e, forecastbook.resolve as r
        def slow(fd):
            pathlib.Path({str(marker)!r}).write_text("x")
            time.sleep(60)
        e.os.fsync = slow
        r.resolve(pathlib.Path({str(store)!r}), "visit-talks-fail", "yes", evidence=[{{"url": "https://e.org", "quote": "q"}}])
    """)
    proc = subprocess.Popen([sys.executable, "-c", script])
    deadline = time.monotonic() + 30
    while not marker.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert marker.exists(), "the write never started"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(10)
    assert snapshot(store) == before
    assert target.read_bytes() == before[f"{ARTICLE}/visit-talks-fail.yaml"]
    assert not load_store(store).errors
