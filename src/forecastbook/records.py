"""The record format: pydantic models of questions, forecasts, sources and forecasters.

One YAML file holds one record. Questions live anywhere in the store; sources live under
``sources/`` and forecasters under ``forecasters/``. The models check each record on its
own (types, ranges, slugs, sums); checks across records live in :mod:`forecastbook.checks`.

Dates are calendar dates (UTC). A forecast's ``at`` is a timestamp with a time zone.

>>> q = Question.model_validate({
...     "id": "rain-tomorrow", "title": "Rain tomorrow?", "kind": "binary",
...     "criteria": "Resolves yes if the gauge records at least 1 mm on 2026-03-02.",
...     "created": "2026-03-01", "closes": "2026-03-01", "resolve_by": "2026-03-03",
...     "forecasts": [{"by": "ana", "at": "2026-03-01T09:00:00+00:00", "probability": 0.7}],
... })
>>> q.forecasts[0].probability
0.7
>>> q.status
'open'
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
)
from pydantic_core import PydanticCustomError

from .files import is_slug

__all__ = [
    "Condition",
    "Evidence",
    "Forecast",
    "Forecaster",
    "HistoryEntry",
    "Note",
    "Question",
    "Resolution",
    "SameEvent",
    "Source",
    "SourceRef",
    "SLUG_PATTERN",
    "binary_outcome",
    "is_slug",
    "json_schema",
]

SLUG_PATTERN = r"^[a-z0-9][a-z0-9-]*$"
SUM_TOLERANCE = 1e-6


SLUG_MESSAGE = ("must be a lowercase slug (a-z, 0-9 and '-', starting with a letter or digit, "
                "at most 80 characters), got {value}")
PROBABILITY_MESSAGE = "must be between 0 and 1, got {value}"


# The checks run in pydantic's core (they are on every forecast of every record); the store
# turns their errors into the messages above.
Slug = Annotated[str, StringConstraints(pattern=SLUG_PATTERN, max_length=80)]
# strict: a probability is a number as written, never "yes" (read as 1.0) or the text "0.5"
Probability = Annotated[float, Field(ge=0.0, le=1.0, allow_inf_nan=False, strict=True)]

FIRST_DAY, LAST_DAY = dt.date(1900, 1, 1), dt.date(2999, 12, 31)
RANGE_MESSAGE = f"must be between {FIRST_DAY} and {LAST_DAY}"


def _day_in_range(value: dt.date) -> dt.date:
    day = value.date() if isinstance(value, dt.datetime) else value
    if not FIRST_DAY <= day <= LAST_DAY:  # 9999-12-31 plus a day, or a time zone, overflows
        raise PydanticCustomError("day_out_of_range", RANGE_MESSAGE, {})
    return value


def _moment_in_range(value: dt.datetime) -> dt.datetime:
    if FIRST_DAY.year < value.year < LAST_DAY.year:  # a zone moves it by less than a day: in range
        return value
    _day_in_range(value)
    try:
        _day_in_range(value.astimezone(dt.timezone.utc))
    except OverflowError:
        raise PydanticCustomError("day_out_of_range", RANGE_MESSAGE, {}) from None
    return value


Day = Annotated[dt.date, AfterValidator(_day_in_range)]
Finite = Annotated[float, Field(allow_inf_nan=False)]
Moment = Annotated[AwareDatetime, AfterValidator(_moment_in_range)]


def binary_outcome(value: Any) -> bool:
    """Read a binary outcome written as yes/no, true/false or 1/0.

    >>> binary_outcome("yes"), binary_outcome(False), binary_outcome(1)
    (True, False, True)
    """
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in {"yes", "true", "no", "false"}:
        return value.strip().lower() in {"yes", "true"}
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    raise ValueError(f"a binary outcome is yes or no, got {value!r}")


class _Record(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=False, str_strip_whitespace=False)


class SourceRef(_Record):
    """Provenance: the exact words in a source that made the claim."""

    ref: Slug = Field(description="id of a source record")
    quote: str = Field(min_length=1, description="the original words, in the source's language")
    translation: str | None = Field(default=None, description="an English translation")
    locator: str | None = Field(default=None, description="where in the source (paragraph, page)")


class Condition(_Record):
    """This question counts only if `question` resolves to `outcome`; otherwise it is annulled."""

    question: Slug
    outcome: bool | str = Field(description="yes/no for a binary question, an outcome name otherwise")

    @field_validator("outcome", mode="before")
    @classmethod
    def _yes_no(cls, value: Any) -> Any:
        if isinstance(value, str) and value.strip().lower() in {"yes", "no", "true", "false"}:
            return binary_outcome(value)
        return value


class SameEvent(_Record):
    """This binary question is the same event as ``question`` resolving to one of ``outcomes``."""

    question: Slug
    outcomes: list[str] = Field(min_length=1)


class Forecast(_Record):
    """One dated forecast by a named forecaster. Append-only."""

    by: Slug = Field(description="id of a forecaster record")
    at: Moment = Field(description="when the forecast was made, with a time zone")
    probability: Probability | None = Field(default=None, description="binary questions: P(yes)")
    probabilities: dict[str, Probability] | None = Field(
        default=None, description="categorical questions: outcome -> probability, summing to 1"
    )
    quantiles: dict[float, float | Day] | None = Field(
        default=None,
        description="numeric and date questions: quantile level in (0, 1) -> value",
    )
    verbal: str | None = Field(default=None, description="the words the probability was read from")
    derived: str | None = Field(default=None, description="how the probability was read from words")
    rationale: str | None = None

    @field_validator("probabilities", mode="before")
    @classmethod
    def _yes_no_keys(cls, value: Any) -> Any:
        # YAML 1.1 reads the keys yes/no as booleans; keep them as the words written.
        if isinstance(value, dict):
            return {("yes" if k else "no") if isinstance(k, bool) else k: v for k, v in value.items()}
        return value

    @field_validator("probabilities")
    @classmethod
    def _sums_to_one(cls, value: dict[str, float] | None) -> dict[str, float] | None:
        if value is not None:
            total = math.fsum(value.values())
            if abs(total - 1.0) > SUM_TOLERANCE:
                raise PydanticCustomError(
                    "probability_sum", "must sum to 1, got {total}", {"total": round(total, 9)}
                )
        return value

    @field_validator("quantiles")
    @classmethod
    def _ordered(cls, value: dict[float, Any] | None) -> dict[float, Any] | None:
        if value is None:
            return value
        if not value:
            raise PydanticCustomError("quantiles_empty", "must hold at least one quantile", {})
        for level in value:
            if not 0.0 < level < 1.0:  # NaN fails this too
                raise PydanticCustomError(
                    "quantile_level", "levels must be strictly between 0 and 1, got {level}",
                    {"level": level},
                )
        for level, v in value.items():
            if not isinstance(v, dt.date) and not math.isfinite(v):
                raise PydanticCustomError("quantile_value", "the {level} quantile must be a finite number, got {value}",
                                          {"level": level, "value": str(v)})
        kinds = {isinstance(v, dt.date) for v in value.values()}
        if len(kinds) > 1:
            raise PydanticCustomError(
                "quantile_types", "values must be all numbers or all dates", {}
            )
        pairs = sorted(value.items())
        for (lo_level, lo), (hi_level, hi) in zip(pairs, pairs[1:]):
            if hi < lo:
                raise PydanticCustomError(
                    "quantile_order",
                    "out of order: the {hi_level} quantile ({hi}) is below the "
                    "{lo_level} quantile ({lo})",
                    {"hi_level": hi_level, "hi": str(hi), "lo_level": lo_level, "lo": str(lo)},
                )
        return dict(pairs)


class Evidence(_Record):
    """A page that shows the outcome: its address, the words on it that settle the
    question (copied verbatim), when it was published and when it was read."""

    url: str = Field(min_length=1, description="an absolute http(s) address")
    quote: str | None = Field(default=None, description="the words on the page that settle it, verbatim")
    no_quote: str | None = Field(default=None, description="why there is no quote (e.g. a data table)")
    published: Day | None = Field(default=None, description="the page's publication date")
    retrieved: Day | None = Field(default=None, description="when the page was read")


class Resolution(_Record):
    """How a question ended. ``resolved`` needs an outcome and evidence."""

    status: Literal["resolved", "annulled", "ambiguous"] = "resolved"
    outcome: bool | str | float | Day | None = None
    at: Day
    known: Day | None = Field(
        default=None, description="the day the outcome became known, if before `at`: later forecasts are not scored")
    by: str | None = None
    evidence: list[Evidence] = Field(default_factory=list)
    note: str | None = None
    cascaded_from: Slug | None = Field(
        default=None, description="annulled because the condition on this question failed (set by the cascade)")

    @property
    def known_on(self) -> dt.date:
        """The day the outcome became known: ``known``, else ``at``."""
        return self.known or self.at


class HistoryEntry(_Record):
    """A change to a record that must not be lost (an unresolve, an annulment)."""

    at: Moment
    action: str
    reason: str
    previous: dict[str, Any] | None = None


class Note(_Record):
    """A dated note kept with a question: a search that found nothing yet (with its
    queries), a review written in hindsight, or anything a later reader needs."""

    at: Day
    kind: Literal["search", "review", "note"] = "note"
    text: str = Field(min_length=1)
    by: str | None = None
    queries: list[str] = Field(default_factory=list, description="search notes: what was searched, and where")


class Question(_Record):
    """A question with crisp resolution criteria and the forecasts made on it."""

    id: Slug
    title: str = Field(min_length=1)
    kind: Literal["binary", "categorical", "numeric", "date"]
    criteria: str = Field(min_length=1)
    fine_print: str | None = None
    resolution_sources: list[str] = Field(default_factory=list)
    created: Day
    closes: Day = Field(description="forecasts dated after this day (UTC) are not scored")
    resolve_by: Day = Field(description="after this day an unresolved question is overdue")
    outcomes: list[str] | None = Field(default=None, description="categorical: the outcomes")
    ordered: bool = Field(default=False, description="categorical: are the outcomes ordered?")
    unit: str | None = Field(default=None, description="numeric: the unit")
    lower: Finite | Day | None = Field(default=None, description="numeric/date: lower bound")
    upper: Finite | Day | None = Field(default=None, description="numeric/date: upper bound")
    condition: Condition | None = None
    variant_of: Slug | None = Field(
        default=None, description="conditional questions: the unconditional question this one asks under `condition`")
    same_event: SameEvent | None = Field(
        default=None, description="binary questions: the same event as outcomes of a categorical question")
    implies: list[Slug] = Field(default_factory=list, description="P(this) <= P(each of these)")
    excludes: list[Slug] = Field(default_factory=list, description="P(this) + P(that) <= 1")
    source: SourceRef | None = None
    tags: list[str] = Field(default_factory=list)
    forecasts: list[Forecast] = Field(default_factory=list)
    resolution: Resolution | None = None
    history: list[HistoryEntry] = Field(default_factory=list)
    notes: list[Note] = Field(default_factory=list, description="searches, reviews in hindsight, other notes")
    draft: bool = Field(
        default=False, description="captured from a text, not yet finished: left out of scoring and due; "
                                   "validate lists what it still needs")

    @property
    def status(self) -> str:
        """``open`` or the resolution's status."""
        return "open" if self.resolution is None else self.resolution.status

    def outcome_value(self) -> Any:
        """The resolved outcome, normalised (bool for binary), or None."""
        if self.resolution is None or self.resolution.status != "resolved":
            return None
        value = self.resolution.outcome
        if self.kind == "binary" and not isinstance(value, float):
            return binary_outcome(value)
        if self.kind == "date" and isinstance(value, str):
            return dt.date.fromisoformat(value)
        return value


class Source(_Record):
    """Where forecasts were said: an article, a report, a meeting note."""

    id: Slug
    kind: Literal["article", "report", "memo", "meeting", "dataset", "other"]
    title: str = Field(min_length=1)
    author: str | None = None
    publisher: str | None = None
    published: Moment | Day
    language: str | None = Field(default=None, description="BCP 47 tag, e.g. zh-Hans")
    url: str | None = None
    locator: str | None = Field(default=None, description="where a copy of the text is kept")
    note: str | None = None


class Forecaster(_Record):
    """Who made forecasts: a person, a team, a model, a crowd or a baseline."""

    id: Slug
    name: str = Field(min_length=1)
    kind: Literal["person", "team", "model", "crowd", "baseline"] = "person"
    description: str | None = None
    url: str | None = None


def json_schema(kind: Literal["question", "source", "forecaster"] = "question") -> dict:
    """The JSON Schema of one record kind, for editors that validate YAML as it is typed.

    >>> json_schema("question")["title"]
    'Question'
    """
    model = {"question": Question, "source": Source, "forecaster": Forecaster}[kind]
    schema = model.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    return schema

