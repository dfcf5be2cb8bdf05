"""Metaculus /api/posts/ JSON: every shared sample imported (or a post refused with its
reason), hand-checked values, resolutions of each kind, bad input."""

import datetime as dt
import json

import pytest
from click.testing import CliRunner

import forecastbook
from forecastbook.cli import main
from forecastbook.evaluate import quantile_scores
from forecastbook.importers import metaculus
from forecastbook.importers.common import ImportFailed, report
from conftest import shared_path

UTC = dt.timezone.utc


def sample(*parts):
    return shared_path("refdata", "interop", "metaculus", *parts)


def only(store):
    [q] = store.questions.values()
    return q


@pytest.mark.parametrize("name, counts", [
    ("post-34666_question-34180_binary-closed.json", "81 forecasts, 2 forecasters"),
    ("post-34280_question-33777_multiple_choice-closed.json", "74 forecasts, 2 forecasters"),
    ("post-34278_question-33775_numeric-closed.json", "69 forecasts, 2 forecasters"),
    ("post-38880_question-38195_discrete-open.json", "17 forecasts, 2 forecasters"),
])
def test_api_posts_counts(name, counts):
    bundle = metaculus.parse(sample("api-posts", name))
    assert f"wrote: 1 questions, {counts}, 1 sources" in report(bundle)


def test_binary_user_vector_is_p_no_p_yes_and_the_aggregate_p_yes():
    q = only(metaculus.read(sample("api-posts", "post-34666_question-34180_binary-closed.json")))
    assert q.id == "metaculus-34666-34180" and q.kind == "binary" and q.status == "open"
    # my_forecasts: start_time 1738422273.345971, forecast_values [0.6, 0.4] -> P(yes) = 0.4
    [mine] = [f for f in q.forecasts if f.by == "metaculus-user-189869"]
    assert mine.probability == 0.4 and mine.at == dt.datetime(2025, 2, 1, 15, 4, 33, 345971, tzinfo=UTC)
    # the first community point: centers [0.35] = P(yes) 0.35
    crowd = [f for f in q.forecasts if f.by == "metaculus-recency-weighted"]
    assert len(crowd) == 80 and crowd[0].probability == 0.35
    assert q.resolution_sources == ["https://www.metaculus.com/questions/34666/"]


def test_multiple_choice_and_numeric_values():
    mc = only(metaculus.read(sample("api-posts", "post-34280_question-33777_multiple_choice-closed.json")))
    assert mc.outcomes == ["Less than 10", "10", "Greater than 10"]
    [mine] = [f for f in mc.forecasts if f.by == "metaculus-user-189869"]
    assert mine.probabilities == {"Less than 10": 0.3424906380747965, "10": 0.3287546809626017,
                                  "Greater than 10": 0.3287546809626017}
    num = only(metaculus.read(sample("api-posts", "post-34278_question-33775_numeric-closed.json")))
    assert (num.lower, num.upper) == (460.0, 488.5)
    first = [f for f in num.forecasts if f.by == "metaculus-recency-weighted"][0]
    # centre 0.5801688670622716 of the range 460..488.5 (linear): 460 + 28.5 * 0.58016... = 476.5348
    assert first.quantiles[0.5] == pytest.approx(460 + 28.5 * 0.5801688670622716)
    [mine] = [f for f in num.forecasts if f.by == "metaculus-user-189869"]
    assert sorted(mine.quantiles) == list(metaculus.LEVELS)


def test_discrete_cdf_beyond_the_open_upper_bound_is_left_out():
    bundle = metaculus.parse(sample("api-posts", "post-38880_question-38195_discrete-open.json"))
    # two of the eleven own forecasts put more than 5% above the open upper bound
    assert dict(bundle.left_out) == {"quantile levels beyond an open bound of the range": 2}


def test_resolved_samples():
    binary = only(metaculus.read(sample("official-docs-examples", "openapi_posts_list_BinaryRequestExample.json")))
    assert binary.outcome_value() is False and binary.resolution.at == dt.date(2016, 2, 1)
    assert "'no'" in binary.resolution.evidence[0].no_quote
    numeric = only(metaculus.read(sample("official-docs-examples", "openapi_posts_list_NumericRequestExample.json")))
    assert numeric.outcome_value() == 77289125.94957079
    scores = quantile_scores(numeric_store := metaculus.read(
        sample("official-docs-examples", "openapi_posts_list_NumericRequestExample.json")), as_of="2026-01-01")
    assert len(scores) == 2 and numeric_store.questions
    mantic = metaculus.read(sample("metaculus-software-other-instance",
                                   "competitions.mantic.com_api-posts_resolved_TRIMMED.json"),
                            site="https://competitions.mantic.com")
    below = mantic.questions["metaculus-645"]
    assert below.outcome_value() == 998.5 and "metaculus-below-lower-bound" in below.tags
    assert "below the range's bound 998.5" in below.resolution.note
    assert mantic.questions["metaculus-643"].outcome_value() == 1.0
    assert below.resolution_sources == ["https://competitions.mantic.com/questions/645/"]


def test_group_imported_and_conditional_refused_with_its_reason():
    group = metaculus.parse(sample("official-docs-examples", "openapi_posts_list_GroupOfQuestionsRequestExample.json"))
    assert sorted(q for q in group.questions) == ["metaculus-11480-10880", "metaculus-11480-10923"]
    cond = metaculus.parse(sample("official-docs-examples", "openapi_posts_list_ConditionalRequestExample.json"))
    assert not cond.questions and dict(cond.left_out) == {"conditional posts (not imported)": 1}
    mc = metaculus.read(sample("official-docs-examples", "openapi_posts_list_MultipleChoiceRequestExample.json"))
    assert only(mc).outcomes == ["Democratic", "Republican", "Libertarian", "Green", "Other"]


def test_cli_and_bad_input(tmp_path):
    good = sample("api-posts", "post-34666_question-34180_binary-closed.json")
    result = CliRunner().invoke(main, ["import", "metaculus", str(good), "--out", str(tmp_path / "s")])
    assert result.exit_code == 0 and "wrote: 1 questions, 81 forecasts" in result.output
    assert not forecastbook.load_store(tmp_path / "s").errors
    data = json.loads(good.read_text())
    data["question"]["my_forecasts"]["history"][0]["forecast_values"] = [-0.3, 1.3]
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(data))
    result = CliRunner().invoke(main, ["import", "metaculus", str(bad), "--out", str(tmp_path / "t")])
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert (f"{bad}: question 34180.my_forecasts.history[0].forecast_values[1]: must be between 0 and 1, got 1.3"
            in result.output)
    with pytest.raises(ImportFailed, match=r"results\[0\]: not a Metaculus post"):
        metaculus.parse({"results": [{"id": 1}]})
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.json", "s"]
