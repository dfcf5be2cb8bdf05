"""The record format: models, JSON Schema, and the YAML round trip."""

import datetime as dt
import string

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from forecastbook.records import Forecast, Question, json_schema
from forecastbook.store import dump_record, parse_yaml

slugs = st.from_regex(r"[a-z0-9][a-z0-9-]{0,20}", fullmatch=True)
# Any printable text, Chinese included; YAML must carry it unchanged.
texts = st.text(alphabet=st.sampled_from(string.printable + "中国大概率可能「」,。 é"), min_size=1, max_size=60)
days = st.dates(min_value=dt.date(2020, 1, 1), max_value=dt.date(2030, 12, 31))
zones = st.sampled_from([dt.timezone.utc, dt.timezone(dt.timedelta(hours=8)), dt.timezone(dt.timedelta(hours=-5))])
stamps = st.builds(
    lambda d, s, tz: dt.datetime.combine(d, dt.time()) .replace(tzinfo=tz) + dt.timedelta(seconds=s),
    days, st.integers(0, 86399), zones,
)
probabilities = st.floats(0, 1, allow_nan=False)


@st.composite
def binary_questions(draw):
    created = draw(days)
    forecasts = draw(st.lists(st.builds(
        Forecast, by=slugs, at=stamps, probability=probabilities,
        verbal=st.none() | texts, rationale=st.none() | texts,
    ), max_size=4))
    return Question(
        id=draw(slugs), title=draw(texts), kind="binary", criteria=draw(texts),
        created=created, closes=created + dt.timedelta(days=draw(st.integers(0, 400))),
        resolve_by=created + dt.timedelta(days=draw(st.integers(400, 800))),
        tags=draw(st.lists(slugs, max_size=3)), forecasts=forecasts,
        implies=draw(st.lists(slugs, max_size=2)),
    )


@st.composite
def categorical_questions(draw):
    q = draw(binary_questions())
    outcomes = draw(st.lists(slugs, min_size=2, max_size=5, unique=True))
    weights = draw(st.lists(st.integers(1, 100), min_size=len(outcomes), max_size=len(outcomes)))
    probs = {o: w / sum(weights) for o, w in zip(outcomes, weights)}
    fc = Forecast(by="ana", at=draw(stamps), probabilities=probs)
    return q.model_copy(update={"kind": "categorical", "outcomes": outcomes, "forecasts": [fc],
                                "ordered": draw(st.booleans())})


@st.composite
def numeric_questions(draw):
    q = draw(binary_questions())
    values = sorted(draw(st.lists(st.floats(-1e6, 1e6, allow_nan=False), min_size=3, max_size=3)))
    fc = Forecast(by="ana", at=draw(stamps), quantiles=dict(zip([0.1, 0.5, 0.9], values)))
    return q.model_copy(update={"kind": "numeric", "unit": "units", "forecasts": [fc]})


@settings(max_examples=150, deadline=None)
@given(st.one_of(binary_questions(), categorical_questions(), numeric_questions()))
def test_record_to_yaml_to_record_is_identity(question):
    text = dump_record(question)
    data, duplicates = parse_yaml(text)
    assert duplicates == []
    again = Question.model_validate(data)
    assert again == question
    assert dump_record(again) == text  # and YAML -> record -> YAML leaves the text unchanged


def test_yes_no_keys_and_outcomes_survive_yaml_1_1():
    q = Question.model_validate(parse_yaml(
        "id: c\ntitle: C\nkind: binary\ncriteria: c\ncreated: 2026-01-01\ncloses: 2026-01-02\n"
        "resolve_by: 2026-01-03\ncondition: {question: d, outcome: no}\n"
        "resolution: {outcome: yes, at: 2026-01-03, evidence: [{url: 'https://example.org'}]}\n")[0])
    assert q.condition.outcome is False
    assert q.outcome_value() is True


@pytest.mark.parametrize("kind", ["question", "source", "forecaster"])
def test_json_schema_describes_every_field(kind):
    schema = json_schema(kind)
    assert schema["additionalProperties"] is False
    if kind == "question":
        assert {"id", "kind", "criteria", "condition", "forecasts", "resolution", "source"} <= set(schema["properties"])
        forecast = schema["$defs"]["Forecast"]["properties"]
        assert {"by", "at", "probability", "verbal", "derived"} <= set(forecast)
