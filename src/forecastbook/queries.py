"""Questions about a store that the commands and frames share: status as of a date,
filters, the latest forecast, the conditional tree. No pandas here: commands use it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, NamedTuple

if TYPE_CHECKING:  # the CLI imports this module before any record is read
    from .records import Forecast, Question
    from .store import Store

__all__ = ["STATUSES", "AS_OF_ENV", "resolve_as_of", "status_as_of", "scoring_cutoff", "select", "forecast_summary",
           "outcome_text", "condition_text", "conditional_tree", "ForecastSummary", "summarise", "Settled",
           "QuestionLine", "line_of", "lines_of", "due_of", "ListRow", "list_rows"]

STATUSES = ("open", "overdue", "resolved", "annulled", "ambiguous")
AS_OF_ENV = "FORECASTBOOK_AS_OF"
# one colour per status, shared by the pages and the figures
STATUS_COLOURS = {"resolved": "#d8efd8", "annulled": "#e6e6e6", "ambiguous": "#fbeccd", "overdue": "#f8d7d5",
                  "open": "#e3ecf9"}


def resolve_as_of(value: dt.date | str | None = None) -> dt.date:
    """The date to judge a store by: ``value`` if given, else ``$FORECASTBOOK_AS_OF``,
    else today (UTC). Notebooks call it so that opening one shows today, while the test
    run and the script that stores their outputs fix the date through the variable.

    >>> resolve_as_of("2026-11-30")
    datetime.date(2026, 11, 30)
    """
    import os

    value = value or os.environ.get(AS_OF_ENV) or dt.datetime.now(dt.timezone.utc).date()
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        raise ValueError(f"as_of must be a date as YYYY-MM-DD, got {str(value)[:40]!r}") from None


def status_as_of(q: Question | QuestionLine, as_of: dt.date) -> str:
    """``resolved``/``annulled``/``ambiguous`` if resolved on or before ``as_of``, else
    ``overdue`` once ``resolve_by`` has passed, else ``open``.

    A resolution dated after ``as_of`` is not yet known on ``as_of``.
    """
    r = q.resolution
    if r is not None and r.at <= as_of:
        return r.status
    return "overdue" if q.resolve_by < as_of else "open"


def scoring_cutoff(q: Question, as_of: dt.date) -> dt.date:
    """The last day whose forecasts are scored: the day the question closes, or the day
    its outcome became known if it resolved earlier (a forecast made once the answer was
    out is not a forecast).

    >>> from forecastbook.records import Question
    >>> q = Question.model_validate({"id": "x", "title": "X", "kind": "binary", "criteria": "c",
    ...     "created": "2026-01-01", "closes": "2026-12-31", "resolve_by": "2027-01-31",
    ...     "resolution": {"outcome": "yes", "at": "2026-03-10", "known": "2026-03-05",
    ...                    "evidence": [{"url": "https://e.org", "quote": "done"}]}})
    >>> scoring_cutoff(q, dt.date(2026, 11, 30)), scoring_cutoff(q, dt.date(2026, 3, 1))
    (datetime.date(2026, 3, 5), datetime.date(2026, 12, 31))
    """
    r = q.resolution
    if r is None or r.status != "resolved" or r.at > as_of:
        return q.closes
    return min(q.closes, r.known_on)


def select(
    lines: Iterable[QuestionLine],
    *,
    as_of: dt.date,
    status: Iterable[str] = (),
    tag: Iterable[str] = (),
    source: Iterable[str] = (),
    forecaster: Iterable[str] = (),
) -> list[QuestionLine]:
    """Questions (as :func:`lines_of` gives them) matching every given filter (any of the
    values within one filter), by id.

    ``status`` ``open`` includes ``overdue`` (an overdue question is still open).
    """
    status, tag, source, forecaster = set(status), set(tag), set(source), set(forecaster)
    if "open" in status:
        status.add("overdue")
    out = []
    for q in sorted(lines, key=lambda q: q.id):
        if status and status_as_of(q, as_of) not in status:
            continue
        if tag and not tag.intersection(q.tags):
            continue
        if source and q.source_ref not in source:
            continue
        if forecaster and not forecaster & q.forecasters:
            continue
        out.append(q)
    return out


def forecast_summary(q: Question, f: Forecast) -> str:
    """A short text of one forecast's value.

    >>> from forecastbook.records import Forecast, Question
    >>> q = Question.model_validate({"id": "x", "title": "X", "kind": "numeric", "criteria": "c",
    ...     "created": "2026-01-01", "closes": "2026-01-02", "resolve_by": "2026-01-03"})
    >>> forecast_summary(q, Forecast(by="a", at="2026-01-01T00:00:00Z", quantiles={0.1: 1, 0.5: 2, 0.9: 4}))
    'q0.1=1, q0.5=2, q0.9=4'
    """
    if f.probability is not None:
        return f"{f.probability:.3g}"
    if f.probabilities is not None:
        return ", ".join(f"{k}={v:.3g}" for k, v in f.probabilities.items())
    if f.quantiles is not None:
        return ", ".join(f"q{k:g}={v:g}" if isinstance(v, float) else f"q{k:g}={v}" for k, v in f.quantiles.items())
    return ""


def outcome_text(value: object) -> str:
    """An outcome as people write it: yes/no for a binary one.

    >>> outcome_text(True), outcome_text("april-2026")
    ('yes', 'april-2026')
    """
    return ("yes" if value else "no") if isinstance(value, bool) else str(value)


def condition_text(q: Question) -> str:
    """``ID = OUTCOME`` for a conditional question, else an empty string."""
    if q.condition is None:
        return ""
    return f"{q.condition.question} = {outcome_text(q.condition.outcome)}"


def conditional_tree(store: Store, qid: str) -> Iterator[str]:
    """Lines drawing the conditions above ``qid`` and the questions conditional on it."""
    chain = []
    node = store.question(qid)
    while node.condition is not None and node.condition.question in store.questions and len(chain) < 50:
        chain.append(node)
        node = store.questions[node.condition.question]
    root = node
    yield root.id + ("   <- this question" if root.id == qid else "")

    def walk(parent: Question, depth: int) -> Iterator[str]:
        for child in store.conditionals_of(parent.id):
            marker = "   <- this question" if child.id == qid else ""
            yield f"{'    ' * depth}└─ if {outcome_text(child.condition.outcome)}: {child.id}{marker}"
            if depth < 50:
                yield from walk(child, depth + 1)

    yield from walk(root, 0)


class ForecastSummary(NamedTuple):
    """What listing a question needs of its forecasts."""

    n: int
    latest: Any  # the forecast made last (the first of those made at that time), or None
    by: frozenset  # who forecast it


def summarise(question: Question) -> ForecastSummary:
    """The summary of the forecasts in ``question``'s record."""
    forecasts = question.forecasts
    return ForecastSummary(len(forecasts), max(forecasts, key=lambda f: f.at, default=None),
                           frozenset(f.by for f in forecasts))


class Settled(NamedTuple):
    """Of a resolution, what a question's status needs."""

    at: dt.date
    status: str


class QuestionLine(NamedTuple):
    """A question as ``list`` and ``due`` show it, in plain values: what the cache keeps
    of each question for them, so that listing needs neither the records nor their
    forecasts. :func:`status_as_of` and :func:`due_of` take it as they take a question."""

    id: str
    kind: str
    title: str
    closes: dt.date
    resolve_by: dt.date
    resolution: Settled | None
    draft: bool
    tags: tuple[str, ...]
    source_ref: str | None
    condition: str  # see condition_text
    resolution_sources: tuple[str, ...]
    last_search: tuple[dt.date, str] | None  # the last search note: its day and text
    n_forecasts: int
    latest: str  # "FORECASTER: VALUE" of the latest forecast, or ""
    forecasters: frozenset[str]


def line_of(q: Question, summary: ForecastSummary | None = None) -> QuestionLine:
    """``q`` as :class:`QuestionLine`; ``summary``: of its forecasts, if not only those in
    its record (see :meth:`forecastbook.store.Store.forecast_summary`)."""
    summary = summary if summary is not None else summarise(q)
    r = q.resolution
    searches = [n for n in q.notes if n.kind == "search"]
    return QuestionLine(
        id=q.id, kind=q.kind, title=q.title, closes=q.closes, resolve_by=q.resolve_by,
        resolution=Settled(r.at, r.status) if r is not None else None, draft=q.draft, tags=tuple(q.tags),
        source_ref=q.source.ref if q.source is not None else None, condition=condition_text(q),
        resolution_sources=tuple(q.resolution_sources),
        last_search=(searches[-1].at, searches[-1].text) if searches else None,
        n_forecasts=summary.n, forecasters=summary.by,
        latest=f"{summary.latest.by}: {forecast_summary(q, summary.latest)}" if summary.latest else "",
    )


def lines_of(store: Store) -> list[QuestionLine]:
    """Every question of ``store`` as a :class:`QuestionLine` (forecasts kept in Parquet
    files counted), by id."""
    return [line_of(q, store.forecast_summary(q.id)) for q in sorted(store.questions.values(), key=lambda q: q.id)]


def due_of(questions: Iterable[Question | QuestionLine], *, as_of: dt.date,
           within: int = 0) -> list[tuple[Any, str]]:
    """Unresolved questions past ``resolve_by`` (``overdue``) or due within ``within`` days
    (``due``), oldest deadline first. Drafts are left out."""
    out = []
    soon = as_of + dt.timedelta(days=within)
    for q in questions:
        if q.draft:  # a draft has placeholder dates: it is not due until it is finished
            continue
        status = status_as_of(q, as_of)
        if status == "overdue":
            out.append((q, "overdue"))
        elif status == "open" and q.resolve_by <= soon:
            out.append((q, "due"))
    return sorted(out, key=lambda pair: (pair[0].resolve_by, pair[0].id))


@dataclass(frozen=True)
class ListRow:
    id: str
    kind: str
    status: str
    closes: dt.date
    resolve_by: dt.date
    n_forecasts: int
    latest: str
    condition: str
    title: str


def list_rows(lines: Iterable[QuestionLine], *, as_of: dt.date) -> list[ListRow]:
    """One row per question for ``forecastbook list``."""
    return [ListRow(id=q.id, kind=q.kind, status=status_as_of(q, as_of), closes=q.closes, resolve_by=q.resolve_by,
                    n_forecasts=q.n_forecasts, latest=q.latest, condition=q.condition, title=q.title)
            for q in lines]
