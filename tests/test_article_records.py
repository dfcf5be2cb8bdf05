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


def test_nothing_is_resolved_and_only_the_author_forecasts(repo_store):
    for q in repo_store.questions.values():
        assert q.resolution is None, q.id
        for f in q.forecasts:
            assert f.by == "moyunlanting"
            assert f.at == ARTICLE_AT


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
