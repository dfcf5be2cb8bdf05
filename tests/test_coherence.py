"""Coherence of related forecasts and lints, as validate reports them."""

import textwrap

import pytest
from click.testing import CliRunner

from forecastbook import load_store
from forecastbook.cli import main
from forecastbook.coherence import implied_unconditional, problems


def question(qid, *, forecasts=(), extra="", kind="binary", criteria="Resolves yes if the event happens by 2026-06-30."):
    lines = [f"id: {qid}", f"title: {qid}", f"kind: {kind}", f"criteria: {criteria}", "created: 2026-01-01",
             "closes: 2026-06-30", "resolve_by: 2026-07-31", "resolution_sources: [https://example.org]"]
    if extra:
        lines += textwrap.dedent(extra).strip().splitlines()
    if forecasts:
        lines.append("forecasts:")
        for who, at, value in forecasts:
            lines += [f"- by: {who}", f"  at: {at}", f"  {value}"]
    return "\n".join(lines) + "\n"


@pytest.fixture
def make_store(tmp_path):
    def make(**files):
        (tmp_path / "forecasters").mkdir(exist_ok=True)
        for who in ("ana", "bo"):
            (tmp_path / "forecasters" / f"{who}.yaml").write_text(f"id: {who}\nname: {who}\n")
        for name, text in files.items():
            (tmp_path / f"{name.replace('_', '-')}.yaml").write_text(text, encoding="utf-8")
        return tmp_path
    return make


T1, T2 = "2026-01-02T10:00:00+00:00", "2026-01-05T10:00:00+00:00"


def messages(root):
    found = sorted(problems(load_store(root)), key=lambda p: (p.path, p.line))
    return [f"{p.path.rsplit('/', 1)[-1]}:{p.line}: {p.field}: {p.message}" for p in found]


def test_implies_is_checked_on_forecasts_standing_together(make_store):
    root = make_store(
        a=question("a", extra="implies: [b]", forecasts=[("ana", T1, "probability: 0.3"), ("ana", T2, "probability: 0.7")]),
        b=question("b", forecasts=[("ana", T1, "probability: 0.5"), ("bo", T1, "probability: 0.1")]),
    )
    assert messages(root) == [
        "a.yaml:16: forecasts[1].probability: ana, standing at 2026-01-05T10:00:00+00:00: "
        "P(this) = 0.7 exceeds P('b') = 0.5, but this question implies that one"]


def categorical_c(*, at):
    """Question c: outcomes x, y, z, with ana's forecast x 0.2, y 0.3, z 0.5 made ``at``."""
    return question("c", kind="categorical", extra="outcomes: [x, y, z]",
                    criteria="Resolves to the outcome published on 2026-06-30 by the office.",
                    forecasts=[("ana", at, "probabilities: {x: 0.2, y: 0.3, z: 0.5}")])


def test_excludes_and_same_event(make_store):
    cat = categorical_c(at=T1)
    root = make_store(
        a=question("a", extra="excludes: [b]\nsame_event: {question: c, outcomes: [x, y]}",
                   forecasts=[("ana", T1, "probability: 0.6")]),
        b=question("b", forecasts=[("ana", T2, "probability: 0.5")]),
        c=cat,
    )
    assert messages(root) == [
        "a.yaml:14: forecasts[0].probability: ana, standing at 2026-01-02T10:00:00+00:00: "
        "P(this) = 0.6 but the same event in 'c' has 0.5",
        "b.yaml:12: forecasts[0].probability: ana, standing at 2026-01-05T10:00:00+00:00: "
        "P(this) + P('a') = 1.1 exceeds 1, but the two exclude each other",
    ]


def test_a_warning_in_the_other_question_s_file_speaks_of_it_as_this(make_store):
    cat = categorical_c(at=T2)
    root = make_store(
        a=question("a", extra="implies: [b]\nsame_event: {question: c, outcomes: [x, y]}",
                   forecasts=[("ana", T1, "probability: 0.7")]),
        b=question("b", forecasts=[("ana", T2, "probability: 0.5")]),
        c=cat,
    )
    assert messages(root) == [
        "b.yaml:12: forecasts[0].probability: ana, standing at 2026-01-05T10:00:00+00:00: "
        "P('a') = 0.7 exceeds P(this) = 0.5, but 'a' implies this question",
        "c.yaml:13: forecasts[0].probabilities: ana, standing at 2026-01-05T10:00:00+00:00: "
        "P(x or y) = 0.5 here, but the same event in 'a' has 0.7",
    ]


def test_law_of_total_probability(make_store):
    files = dict(
        cond=question("cond", forecasts=[("ana", T1, "probability: 0.5")]),
        b=question("b", forecasts=[("ana", T2, "probability: 0.2")]),
        b_yes=question("b-yes", extra="condition: {question: cond, outcome: yes}\nvariant_of: b",
                       forecasts=[("ana", T1, "probability: 0.8")]),
        b_no=question("b-no", extra="condition: {question: cond, outcome: no}\nvariant_of: b",
                      forecasts=[("ana", T1, "probability: 0.4")]),
    )
    root = make_store(**files)
    # 0.5 * 0.8 + 0.5 * 0.4 = 0.6, stated 0.2
    assert messages(root) == [
        "b.yaml:12: forecasts[0].probability: ana, standing at 2026-01-05T10:00:00+00:00: P(this) = 0.2, but "
        "P('cond') = 0.5 with P(this | yes) = 0.8 and P(this | no) = 0.4 implies 0.6"]
    table = implied_unconditional(load_store(root))
    assert table[["implied_low", "implied_high", "stated", "coherent"]].iloc[-1].tolist() == pytest.approx([0.6, 0.6, 0.2, False])
    # without P(cond) the conditionals only bound P(b) to [0.4, 0.8]
    (root / "cond.yaml").write_text(question("cond"))
    assert messages(root) == [
        "b.yaml:12: forecasts[0].probability: ana, standing at 2026-01-05T10:00:00+00:00: P(this) = 0.2 lies outside "
        "[0.4, 0.8], the range its conditional forecasts allow"]


def test_lints(make_store):
    root = make_store(
        short=question("short", criteria="It happens."),
        quiet=question("quiet", forecasts=[("ana", T1, "probability: 0.3\n  verbal: very likely"),
                                           ("ana", T2, "probability: 0.3\n  verbal: 多半")]),
    )
    (root / "nosources.yaml").write_text(question("nosources").replace("resolution_sources: [https://example.org]\n", ""))
    assert messages(root) == [
        "nosources.yaml:1: resolution_sources: none given: say where the answer will be found",
        "quiet.yaml:12: forecasts[0].probability: 0.3 is outside the band of 'very likely' (0.8-0.95), read either way",
        "quiet.yaml:17: forecasts[1].verbal: '多半' is not on the verbal scale; its probability cannot be checked",
        "short.yaml:4: criteria: only 11 characters: say precisely what counts",
        "short.yaml:4: criteria: names no date or year: say by when",
    ]
    result = CliRunner().invoke(main, ["validate", "--store", str(root)])
    assert result.exit_code == 0
    assert CliRunner().invoke(main, ["validate", "--store", str(root), "--strict"]).exit_code == 1


def test_the_article_implies_an_interval_for_retightening(repo_store):
    table = implied_unconditional(repo_store)
    row = table.iloc[0]
    assert (row["question_id"], row["condition"], row["p_given_yes"], row["p_given_no"]) == (
        "retighten-by-2026-12-31", "visit-talks-fail", 0.875, 0.5)
    assert (row["implied_low"], row["implied_high"]) == (0.5, 0.875)
    assert row["coherent"]
