"""What a real resolution round needs: undoing a resolution undoes exactly its cascade,
multi-file edits are all-or-nothing even when killed between renames, evidence is
checked, early resolutions are scored honestly, and notes are kept."""

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from forecastbook import load_store
from forecastbook.store import JOURNAL_NAME
from conftest import run_cli as run

ARTICLE = "us-china-tech-pause-2026"
IF_FAIL = "retighten-by-2026-12-31-if-talks-fail"
IF_SUCCEED = "retighten-by-2026-12-31-if-talks-succeed"
ESCALATE = "escalate-beyond-prior-level-by-2026-12-31-if-talks-fail"
EVIDENCE = ["--evidence", "https://example.org/made-up", "--quote", "made up for this test",
            "--published", "2026-05-20", "--retrieved", "2026-05-21"]


def statuses(store):
    s = load_store(store)
    assert not s.errors, s.errors
    return {qid: s.questions[qid].status for qid in (IF_FAIL, IF_SUCCEED, ESCALATE)}


def test_unresolve_then_resolve_again_moves_the_cascade_with_the_outcome(article_store):
    store = article_store
    assert run("resolve", "--store", store, "visit-talks-fail", "no", "--at", "2026-05-21", *EVIDENCE).exit_code == 0
    assert statuses(store) == {IF_FAIL: "annulled", IF_SUCCEED: "open", ESCALATE: "annulled"}

    result = run("unresolve", "--store", store, "visit-talks-fail", "--reason", "misread the statement")
    assert result.exit_code == 0, result.output
    assert f"{IF_FAIL}: reopened (its condition 'visit-talks-fail' was unresolved)" in result.output.splitlines()
    assert statuses(store) == {IF_FAIL: "open", IF_SUCCEED: "open", ESCALATE: "open"}

    result = run("resolve", "--store", store, "visit-talks-fail", "yes", "--at", "2026-05-22", *EVIDENCE)
    assert result.exit_code == 0, result.output
    assert statuses(store) == {IF_FAIL: "open", IF_SUCCEED: "annulled", ESCALATE: "open"}

    s = load_store(store)
    # the history keeps both: the withdrawn annulment of the one, the withdrawn resolution of the other
    fail = s.questions[IF_FAIL]
    assert [h.action for h in fail.history] == ["annul", "unresolve"]
    assert fail.history[1].previous["resolution"]["cascaded_from"] == "visit-talks-fail"
    root = s.questions["visit-talks-fail"]
    assert root.outcome_value() is True
    assert root.history[-1].previous["resolution"]["outcome"] == "no"  # as written
    assert s.questions[IF_SUCCEED].resolution.cascaded_from == "visit-talks-fail"


def test_unresolve_keeps_an_annulment_made_by_hand(article_store):
    store = article_store
    assert run("annul", "--store", store, ESCALATE, "--reason", "the criteria cannot be applied").exit_code == 0
    assert run("resolve", "--store", store, "visit-talks-fail", "no", "--at", "2026-05-21", *EVIDENCE).exit_code == 0
    assert run("unresolve", "--store", store, "visit-talks-fail", "--reason", "typo").exit_code == 0
    assert statuses(store) == {IF_FAIL: "open", IF_SUCCEED: "open", ESCALATE: "annulled"}
    assert load_store(store).questions[ESCALATE].resolution.note == "the criteria cannot be applied"


def _chain_store(root: Path, n: int) -> Path:
    (root / "forecasters").mkdir(parents=True)
    (root / "forecasters" / "ana.yaml").write_text("id: ana\nname: Ana\n")
    body = ("title: Q\nkind: binary\ncriteria: Resolves yes if it happens by 2026-06-30.\n"
            "created: 2026-01-01\ncloses: 2026-03-31\nresolve_by: 2026-04-30\n")
    (root / "q0.yaml").write_text("id: q0\n" + body)
    for i in range(1, n):
        (root / f"q{i}.yaml").write_text(f"id: q{i}\n{body}condition: {{question: q{i - 1}, outcome: yes}}\n")
    return root


def test_a_chain_of_conditions_cascades_and_reopens_all_the_way_down(tmp_path):
    store = _chain_store(tmp_path / "chain", 6)
    result = run("resolve", "--store", store, "q0", "no", "--at", "2026-05-01", *EVIDENCE[:4])
    assert result.exit_code == 0, result.output
    s = load_store(store)
    assert [s.questions[f"q{i}"].status for i in range(6)] == ["resolved"] + ["annulled"] * 5
    assert s.questions["q5"].resolution.cascaded_from == "q4"
    assert "q5: annulled (condition failed: 'q4' was not resolved yes (annulled or ambiguous))" in result.output
    assert run("unresolve", "--store", store, "q0", "--reason", "test").exit_code == 0
    assert all(q.status == "open" for q in load_store(store).questions.values())


def test_the_cascade_of_a_chain_longer_than_the_recursion_limit_is_planned(tmp_path):
    import datetime as dt

    from forecastbook.resolve import _cascade

    n = sys.getrecursionlimit() + 500
    store = load_store(_chain_store(tmp_path / "chain", n))
    plan: dict = {}
    annulled = _cascade(store, "q0", False, plan, at=dt.date(2026, 5, 1))
    assert len(annulled) == len(plan) == n - 1
    assert annulled[-1][0] == f"q{n - 1}"


# --- all-or-nothing across files -----------------------------------------------------------

def _killed_during(store: Path, tmp_path: Path, when: str) -> None:
    """Resolve visit-talks-fail (three files) in a process killed at ``when``: after the first
    rename (``rename``) or while staging the temporary files (``stage``)."""
    marker = tmp_path / f"reached-{when}"
    script = textwrap.dedent(f"""
        import os, time, pathlib
        import forecastbook.edits as e
        real_replace, real_write = os.replace, e._write_file
        def stop():
            pathlib.Path({str(marker)!r}).write_text("x")
            time.sleep(60)
        def replace(src, dst):
            real_replace(src, dst)
            if str(dst).endswith(".yaml"):
                stop()
        def write(path, text, **kw):
            real_write(path, text, **kw)
            if str(path).endswith(".tmp") and ".yaml." in str(path):
                stop()
        if {when!r} == "rename":
            e.os.replace = replace
        else:
            e._write_file = write
        import forecastbook.resolve as r
        r.resolve(pathlib.Path({str(store)!r}), "visit-talks-fail", "no",
                  evidence=[{{"url": "https://example.org/x", "quote": "q"}}], at=__import__("datetime").date(2026, 5, 21))
    """)
    proc = subprocess.Popen([sys.executable, "-c", script])
    deadline = time.monotonic() + 60
    while not marker.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert marker.exists(), "the edit never reached the point to kill it at"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(10)


def _leftovers(store: Path) -> list[str]:
    """Hidden files an edit left behind (the lock and the reading cache are the tool's own)."""
    return sorted(p.name for p in store.rglob(".*") if p.name != ".forecastbook.lock" and
                  p.relative_to(store).parts[0] != ".cache")


def test_an_edit_killed_between_two_renames_is_completed_by_the_next_command(article_store, tmp_path):
    store = article_store
    _killed_during(store, tmp_path, "rename")
    # half applied: one file renamed, two not; the journal says what is missing
    assert (store / JOURNAL_NAME).exists()
    journal = json.loads((store / JOURNAL_NAME).read_text())
    assert journal["state"] == "commit" and len(journal["renames"]) == 3
    checked = run("validate", "--store", store)
    assert checked.exit_code == 1
    assert f"{store / JOURNAL_NAME}:1:1: error: (store): an edit was interrupted" in checked.output
    result = run("note", "--store", store, "reuters-pause-confirmed", "nothing found yet", "--at", "2026-05-21")
    assert result.exit_code == 0, result.output
    assert result.output.startswith("completed an interrupted edit of 3 file(s)")
    assert statuses(store) == {IF_FAIL: "annulled", IF_SUCCEED: "open", ESCALATE: "annulled"}
    assert _leftovers(store) == []


def test_an_edit_killed_while_staging_is_rolled_back(article_store, tmp_path):
    store = article_store
    before = {p: p.read_bytes() for p in store.rglob("*.yaml")}
    _killed_during(store, tmp_path, "stage")
    assert _leftovers(store)  # the journal and a temporary file
    result = run("repair", "--store", store)
    assert result.exit_code == 0, result.output
    assert result.output.startswith("rolled back an edit interrupted before any record changed")
    assert {p: p.read_bytes() for p in store.rglob("*.yaml")} == before
    assert _leftovers(store) == []
    assert run("repair", "--store", store).output == "nothing to repair: no edit was interrupted\n"


def test_a_journal_naming_paths_outside_the_store_is_refused(article_store):
    (article_store / JOURNAL_NAME).write_text(json.dumps(
        {"format": "forecastbook-journal/1", "state": "commit", "renames": [{"from": "../x.tmp", "to": "../x.yaml"}]}))
    result = run("repair", "--store", article_store)
    assert result.exit_code == 1
    assert "names a path outside the store" in result.output


# --- evidence ------------------------------------------------------------------------------

@pytest.mark.parametrize(("args", "message"), [
    (["--evidence", "www.example.org/page", "--quote", "q"],
     "resolution.evidence[0].url: must be an absolute http(s) address, got 'www.example.org/page'"),
    (["--evidence", "https://example.org/page"],
     "give one --quote per --evidence, in the same order (or --no-quote REASON for the rest): got 1 --evidence and 0 --quote"),
    (["--evidence", "https://example.org/page", "--quote", "  "],
     "resolution.evidence[0].quote: give the words on the page that settle it, or say why not in 'no_quote'"),
    (["--evidence", "https://example.org/page", "--quote", "q", "--retrieved", "2999-01-01"],
     "resolution.evidence[0].retrieved: 2999-01-01 is in the future"),
    (["--evidence", "https://example.org/page", "--quote", "q", "--retrieved", "2026-01-01"],
     "resolution.evidence[0].retrieved: 2026-01-01 is before the question was created (2026-02-13)"),
    (["--evidence", "https://example.org/page", "--quote", "q", "--at", "2999-01-01"],
     "resolution.at: resolved on 2999-01-01, which is in the future"),
    (["--evidence", "https://example.org/page", "--quote", "q", "--at", "2026-05-01", "--known", "2026-05-02"],
     "resolution.known: the outcome was known on 2026-05-02, after it was resolved (2026-05-01)"),
    (["--evidence", "https://a.org", "--quote", "q", "--evidence", "https://b.org", "--quote", "r", "--published", "2026-05-01"],
     "give one --published per --evidence, in the same order: got 2 and 1"),
    ([], "a resolution needs evidence: --evidence URL --quote WORDS --published DATE"),
])
def test_evidence_is_checked_and_a_refusal_changes_nothing(article_store, args, message):
    before = {p: p.read_bytes() for p in article_store.rglob("*.yaml")}
    result = run("resolve", "--store", article_store, "reuters-pause-confirmed", "no", *args)
    assert result.exit_code != 0
    assert message in result.output
    assert {p: p.read_bytes() for p in article_store.rglob("*.yaml")} == before


def test_no_quote_says_why_and_an_evidence_file_carries_long_quotes(article_store, tmp_path):
    ev = tmp_path / "evidence.yaml"
    ev.write_text("- url: https://example.org/long\n  quote: |-\n    第一行\n    second line: no\n"
                  "  published: 2026-05-01\n", encoding="utf-8")
    result = run("resolve", "--store", article_store, "reuters-pause-confirmed", "no", "--evidence",
                 "https://example.org/table", "--no-quote", "a data table", "--evidence-file", ev, "--at", "2026-05-21")
    assert result.exit_code == 0, result.output
    r = load_store(article_store).questions["reuters-pause-confirmed"].resolution
    assert (r.evidence[0].no_quote, r.evidence[0].quote) == ("a data table", None)
    assert r.evidence[1].quote == "第一行\nsecond line: no"
    assert str(r.evidence[1].retrieved) == str(__import__("datetime").datetime.now(__import__("datetime").timezone.utc).date())


def test_ambiguous_needs_a_note_and_annuls_the_conditionals(article_store):
    refused = run("resolve", "--store", article_store, "visit-talks-fail", "--ambiguous")
    assert refused.exit_code == 1 and "--note is required" in refused.output
    result = run("resolve", "--store", article_store, "visit-talks-fail", "--ambiguous", "--note",
                 "a visit happened but the deal was only 'to be finalised'", "--at", "2026-06-01", *EVIDENCE)
    assert result.exit_code == 0, result.output
    s = load_store(article_store)
    assert s.questions["visit-talks-fail"].status == "ambiguous"
    assert {q: s.questions[q].status for q in (IF_FAIL, IF_SUCCEED)} == {IF_FAIL: "annulled", IF_SUCCEED: "annulled"}


# --- early resolution ------------------------------------------------------------------------

def test_forecasts_made_after_the_outcome_was_known_are_not_scored_but_counted(article_store):
    from forecastbook.evaluate import binary_scores, exclusions, time_averaged

    store = article_store
    for at, p in (("2026-03-01T00:00:00+00:00", 0.6), ("2026-06-10T00:00:00+00:00", 0.99)):
        assert run("forecast", "--store", store, "retighten-by-2026-12-31", p, "--by", "moyunlanting",
                   "--at", at).exit_code == 0
    result = run("resolve", "--store", store, "retighten-by-2026-12-31", "yes", "--at", "2026-07-01",
                 "--known", "2026-06-01", *EVIDENCE)
    assert result.exit_code == 0, result.output
    s = load_store(store)
    scores = binary_scores(s, as_of="2026-11-30").set_index("question_id")
    # the 0.99 of 2026-06-10 came after the outcome was known on 2026-06-01: the 0.6 stands
    assert scores.loc["retighten-by-2026-12-31", "probability"] == 0.6
    assert scores.loc["retighten-by-2026-12-31", "brier"] == pytest.approx(0.16)  # (1 - 0.6)^2
    excl = exclusions(s, as_of="2026-11-30").set_index("forecaster").loc["moyunlanting"]
    assert (excl["forecasts_after_known"], excl["forecasts_after_close"]) == (1, 0)
    # the standing forecast is scored from 2026-03-01 to 2026-06-01 (93 days) and no later
    ta = time_averaged(s, as_of="2026-11-30").set_index("question_id").loc["retighten-by-2026-12-31"]
    assert (ta["days_covered"], ta["days_open"]) == (93, 109)  # 2026-02-13 .. 2026-06-01
    assert ta["score"] == pytest.approx(0.16)
    shown = run("show", "--store", store, "retighten-by-2026-12-31", "--as-of", "2026-11-30").output
    assert "known since 2026-06-01 (forecasts made after that day are not scored)" in shown


def test_only_forecasts_after_the_outcome_was_known_means_nothing_is_scored(article_store):
    from forecastbook.evaluate import binary_scores, exclusions

    store = article_store
    assert run("forecast", "--store", store, "retighten-by-2026-12-31", "0.99", "--by", "moyunlanting",
               "--at", "2026-06-10T00:00:00+00:00").exit_code == 0
    assert run("resolve", "--store", store, "retighten-by-2026-12-31", "yes", "--at", "2026-07-01",
               "--known", "2026-06-01", *EVIDENCE).exit_code == 0
    s = load_store(store)
    assert "retighten-by-2026-12-31" not in set(binary_scores(s, as_of="2026-11-30")["question_id"])
    assert exclusions(s, as_of="2026-11-30").set_index("forecaster").loc["moyunlanting", "after_known_only"] == 1


# --- notes ---------------------------------------------------------------------------------------

def test_search_and_review_notes_from_the_command_line(article_store):
    store = article_store
    r = run("note", "--store", store, "no-chinese-electric-truck-bus-ban-by-2026-04-30",
            "No final rule found; nothing after 2026-04-30 says it was still shelved.", "--kind", "search",
            "--query", "pages: Chinese electric trucks buses rule 2026", "--query", "pages: 电动卡车 禁令 2026",
            "--at", "2026-11-30", "--by", "analyst")
    assert r.exit_code == 0, r.output
    r = run("note", "--store", store, "visit-talks-fail", "no", "--kind", "review", "--at", "2026-11-30")
    assert r.exit_code == 0, r.output  # 'no' stays the text 'no', not a boolean
    s = load_store(store)
    note = s.questions["no-chinese-electric-truck-bus-ban-by-2026-04-30"].notes[0]
    assert (note.kind, note.by, note.queries) == ("search", "analyst", [
        "pages: Chinese electric trucks buses rule 2026", "pages: 电动卡车 禁令 2026"])
    assert s.questions["visit-talks-fail"].notes[0].text == "no"
    shown = run("show", "--store", store, "no-chinese-electric-truck-bus-ban-by-2026-04-30").output
    assert "Searches:\n  2026-11-30 (analyst): No final rule found" in shown
    assert "    - pages: 电动卡车 禁令 2026" in shown
    due = run("due", "--store", store, "--as-of", "2026-11-30").output
    assert "    last searched 2026-11-30: No final rule found; nothing after 2026-04-30 says it was still shelved." in due
    refused = run("note", "--store", store, "visit-talks-fail", "later", "--at", "2999-01-01")
    assert refused.exit_code == 1 and "notes[1].at: is in the future" in refused.output
