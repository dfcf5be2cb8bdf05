"""Questions about a store that the commands and frames share: status as of a date,
filters, the latest forecast, the conditional tree. No pandas here: commands use it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from typing import TYPE_CHECKING

from . import bulk

if TYPE_CHECKING:  # the CLI imports this module before any record is read
    from .records import Forecast, Question
    from .store import Store

__all__ = ["STATUSES", "AS_OF_ENV", "resolve_as_of", "status_as_of", "scoring_cutoff", "select", "forecast_summary", "outcome_text", "condition_text",
           "conditional_tree", "ListRow", "list_rows"]

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


def status_as_of(q: Question, as_of: dt.date) -> str:
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
    store: Store,
    *,
    as_of: dt.date,
    status: Iterable[str] = (),
    tag: Iterable[str] = (),
    source: Iterable[str] = (),
    forecaster: Iterable[str] = (),
) -> list[Question]:
    """Questions matching every given filter (any of the values within one filter), by id.

    ``status`` ``open`` includes ``overdue`` (an overdue question is still open).
    """
    status, tag, source, forecaster = set(status), set(tag), set(source), set(forecaster)
    if "open" in status:
        status.add("overdue")
    out = []
    for q in sorted(store.questions.values(), key=lambda q: q.id):
        if status and status_as_of(q, as_of) not in status:
            continue
        if tag and not tag & set(q.tags):
            continue
        if source and (q.source is None or q.source.ref not in source):
            continue
        if forecaster and not forecaster & ({f.by for f in q.forecasts} | bulk.forecasters_of(store, q.id)):
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


def list_rows(questions: Iterable[Question], *, as_of: dt.date, store: Store | None = None) -> list[ListRow]:
    """One row per question for ``forecastbook list`` (with the bulk forecasts of
    ``store`` when given)."""
    rows = []
    for q in questions:
        in_bulk = bulk.latest_of(store, q.id) if store is not None else []
        latest = max([*q.forecasts, *in_bulk], key=lambda f: f.at, default=None)
        rows.append(ListRow(
            id=q.id, kind=q.kind, status=status_as_of(q, as_of), closes=q.closes,
            resolve_by=q.resolve_by, n_forecasts=len(q.forecasts) + (bulk.count_of(store, q.id) if in_bulk else 0),
            latest=f"{latest.by}: {forecast_summary(q, latest)}" if latest else "",
            condition=condition_text(q), title=q.title,
        ))
    return rows
