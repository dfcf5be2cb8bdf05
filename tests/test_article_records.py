"""The records read from the 2026-02-13 commentary: valid, complete, faithful to the text."""

import datetime as dt

from click.testing import CliRunner

from forecastbook.cli import main
from forecastbook.verbal import band
from conftest import FORECASTS, shared_path

ARTICLE_AT = dt.datetime(2026, 2, 13, 11, 51, 37, tzinfo=dt.timezone(dt.timedelta(hours=8)))


def test_validate_passes_strict_on_the_repo_store():
    result = CliRunner().invoke(main, ["validate", "--store", str(FORECASTS), "--strict"])
    assert result.exit_code == 0, result.output
    assert result.output.endswith("0 error(s), 0 warning(s)\n")


def test_the_store_covers_every_kind_and_conditionals(repo_store):
    questions = repo_store.questions.values()
    assert len(repo_store.questions) >= 12
    assert {q.kind for q in questions} == {"binary", "categorical", "numeric", "date"}
    assert sum(q.condition is not None for q in questions) >= 2
    assert all(q.source and q.source.ref == "moyunlanting-2026-02-13" for q in questions)
    assert all(q.source.translation for q in questions)


def test_only_the_author_forecasts(repo_store):
    for q in repo_store.questions.values():
        for f in q.forecasts:
            assert f.by == "moyunlanting"
            assert f.at == ARTICLE_AT


# A digest of what a question asked and what was forecast, taken when its outcome became
# known (the round of 2026-11-30). Hindsight never edits these: flaws go into review notes.
FROZEN_FIELDS = {"title", "kind", "criteria", "fine_print", "created", "closes", "resolve_by", "outcomes", "ordered",
                 "unit", "lower", "upper", "condition", "variant_of", "implies", "excludes", "source", "forecasts"}
FROZEN = {
    "escalate-beyond-prior-level-by-2026-12-31-if-talks-fail": "04135399fbb05fcb",
    "no-china-mobile-unicom-us-order-by-2026-04-30": "491774649fe5c006",
    "no-tp-link-router-ban-by-2026-04-30": "054ab13bb8c0b8f8",
    "retighten-by-2026-12-31": "7ba5578103e1236f",
    "retighten-by-2026-12-31-if-talks-fail": "97ca3b1f3a3a9e33",
    "retighten-by-2026-12-31-if-talks-succeed": "7fdd20ddbdf89b44",
    "trump-first-china-visit-timing-2026": "0ad041d2ce8f2315",
    "trump-visits-china-april-2026": "81d9263cad03a1f9",
    "trump-visits-china-first-week-april-2026": "60a6bc3331a9c36e",
    "visit-talks-fail": "35a47ae0dd43dd97",
}


def test_questions_with_known_outcomes_keep_their_criteria_dates_and_forecasts(repo_store):
    import hashlib
    import json

    ended = {qid for qid, q in repo_store.questions.items() if q.resolution is not None}
    assert ended >= set(FROZEN)
    for qid, digest in FROZEN.items():
        fields = repo_store.questions[qid].model_dump(mode="json", include=FROZEN_FIELDS)
        text = json.dumps(fields, sort_keys=True, ensure_ascii=False)
        assert hashlib.sha256(text.encode()).hexdigest()[:16] == digest, f"{qid} was edited after its outcome was known"


def test_every_resolution_carries_verifiable_evidence(repo_store):
    from forecastbook.checks import is_web_address

    for q in repo_store.questions.values():
        r = q.resolution
        if r is None:
            continue
        assert r.note, q.id  # every ending says why, in words
        if r.status == "annulled":
            assert r.cascaded_from, q.id  # only the cascade annulled anything in this round
            continue
        assert r.evidence, q.id
        for e in r.evidence:
            assert is_web_address(e.url), (q.id, e.url)
            assert e.quote and e.quote.strip(), (q.id, e.url)
            assert e.retrieved is not None and e.retrieved <= r.at, (q.id, e.url)
            assert e.published is None or e.published <= e.retrieved, (q.id, e.url)


def test_overdue_questions_keep_what_was_searched(repo_store):
    """A question left open past its deadline says what was searched, when, and how."""
    from forecastbook.queries import status_as_of

    round_day = dt.date(2026, 11, 30)
    overdue = [q for q in repo_store.questions.values() if status_as_of(q, round_day) == "overdue"]
    assert overdue
    for q in overdue:
        searches = [n for n in q.notes if n.kind == "search" and n.at >= q.resolve_by]
        assert searches and searches[-1].queries, q.id


def test_the_author_is_scored_on_what_happened(repo_store):
    from forecastbook.evaluate import binary_scores, exclusions

    scores = binary_scores(repo_store, as_of="2026-11-30").set_index("question_id")
    row = scores.loc["retighten-by-2026-12-31-if-talks-succeed"]
    # 0.5 on an event that happened: Brier (1 - 0.5)^2 = 0.25, log -ln 0.5 = 0.6931
    assert (row["probability"], row["outcome"]) == (0.5, 1.0)
    assert (round(row["brier"], 4), round(row["log"], 4)) == (0.25, 0.6931)
    excl = exclusions(repo_store, as_of="2026-11-30").set_index("forecaster").loc["moyunlanting"]
    # three forecasts: one scored, one annulled with its condition, one still open
    assert (excl["forecast_questions"], excl["scored"], excl["annulled"], excl["unresolved"]) == (3, 1, 1, 1)


def test_every_quote_stands_verbatim_in_the_article(repo_store):
    article = shared_path("seed", "article-2026-02-13.txt").read_text("utf-8")
    for q in repo_store.questions.values():
        assert q.source.quote in article, q.id


def test_verbal_forecasts_sit_on_the_scale(repo_store):
    """Each verbal forecast records the words and the point the scale gives them, or its
    complement where the words were said of the opposite event (and 'derived' says so)."""
    verbal = [(q, f) for q in repo_store.questions.values() for f in q.forecasts]
    assert len(verbal) >= 3
    for q, f in verbal:
        term = band(f.verbal)
        assert term is not None, f.verbal
        assert f.derived
        assert f.probability in (term.point, round(1 - term.point, 6)), q.id
        assert f.verbal in f.derived or f.verbal in q.source.quote


def test_conditional_tree_of_the_talks(repo_store):
    kids = {q.id: q.condition.outcome for q in repo_store.conditionals_of("visit-talks-fail")}
    assert kids == {
        "retighten-by-2026-12-31-if-talks-fail": True,
        "retighten-by-2026-12-31-if-talks-succeed": False,
        "escalate-beyond-prior-level-by-2026-12-31-if-talks-fail": True,
    }
