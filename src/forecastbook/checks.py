"""Checks that a pydantic model cannot make alone: kind consistency and references.

``check_question`` looks at one question; ``check_references`` at the whole store.
Both yield :class:`~forecastbook.problems.Finding` objects with the field they concern.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Collection, Iterable, Iterator, Mapping

from .problems import Finding, shorten
from .records import Evidence, Forecast, Question, binary_outcome


def forecast_value_field(kind: str) -> str:
    """The forecast field a question of this kind uses.

    >>> forecast_value_field("categorical")
    'probabilities'
    """
    return {"binary": "probability", "categorical": "probabilities"}.get(kind, "quantiles")


def utc_day(timestamp: dt.datetime) -> dt.date:
    """The UTC calendar day of an aware timestamp (close and resolve dates are UTC days)."""
    return timestamp.astimezone(dt.timezone.utc).date()


def _check_forecast(q: Question, i: int, f: Forecast, *, after: dt.datetime, before: dt.datetime,
                    tomorrow: dt.datetime) -> Iterator[Finding]:
    """One forecast of ``q``; ``after`` and ``before`` bound the days it is scored on,
    ``tomorrow`` is the first moment after today (UTC)."""
    wanted = forecast_value_field(q.kind)
    given = [name for name in ("probability", "probabilities", "quantiles") if getattr(f, name) is not None]
    if wanted not in given and not given:
        yield Finding(("forecasts", i), f"a {q.kind} question's forecast needs '{wanted}'")
    for name in given:
        if name != wanted:
            yield Finding(("forecasts", i, name), f"not used by a {q.kind} question; use '{wanted}'")
    if f.probabilities is not None and q.kind == "categorical" and q.outcomes:
        missing = [o for o in q.outcomes if o not in f.probabilities]
        unknown = [o for o in f.probabilities if o not in q.outcomes]
        for o in unknown:
            yield Finding(("forecasts", i, "probabilities", o), f"'{o}' is not one of the outcomes {q.outcomes}")
        if missing and not unknown:
            yield Finding(("forecasts", i, "probabilities"), f"missing outcomes: {', '.join(missing)}")
    if f.quantiles is not None and q.kind in ("numeric", "date"):
        want_date = q.kind == "date"
        for level, value in f.quantiles.items():
            if isinstance(value, dt.date) != want_date:
                yield Finding(("forecasts", i, "quantiles", level),
                              f"a {q.kind} question's quantiles must be {'dates' if want_date else 'numbers'}")
                break
    if f.derived is not None and f.verbal is None:
        yield Finding(("forecasts", i, "derived"), "says how words were read, but 'verbal' (the words) is missing")
    if f.at >= tomorrow:  # after today, UTC
        yield Finding(("forecasts", i, "at"), f"{f.at.isoformat()} is in the future")
    if f.at >= after:
        yield Finding(("forecasts", i, "at"),
                      f"made after the question closed on {q.closes}; it will not be scored", "warning")
    if f.at < before:
        yield Finding(("forecasts", i, "at"), f"made before the question was created on {q.created}", "warning")


def _utc_midnight(day: dt.date) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, tzinfo=dt.timezone.utc)


def _check_outcome(q: Question, value: object, loc: tuple) -> Iterator[Finding]:
    if q.kind == "binary":
        if isinstance(value, float) and not isinstance(value, bool):
            if not 0.0 <= value <= 1.0:
                yield Finding(loc, f"a probabilistic resolution must be between 0 and 1, got {value}")
            return
        try:
            binary_outcome(value)
        except ValueError as exc:
            yield Finding(loc, str(exc))
    elif q.kind == "categorical":
        if q.outcomes and value not in q.outcomes:
            yield Finding(loc, f"must be one of {q.outcomes}, got {value!r}")
    elif q.kind == "numeric":
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
            yield Finding(loc, f"a numeric question resolves to a finite number, got {shorten(value)}")
    elif q.kind == "date":
        try:
            if not isinstance(value, dt.date):
                dt.date.fromisoformat(str(value))
        except ValueError:
            yield Finding(loc, f"a date question resolves to a date (YYYY-MM-DD), got {value!r}")


def check_question(q: Question, *, today: dt.date | None = None) -> Iterator[Finding]:
    """Kind consistency, dates and resolution of one question.

    >>> from forecastbook.records import Question
    >>> q = Question.model_validate({"id": "x", "title": "X", "kind": "categorical",
    ...     "criteria": "c", "created": "2026-01-01", "closes": "2026-01-02",
    ...     "resolve_by": "2026-01-03"})
    >>> [f.message for f in check_question(q)]
    ['a categorical question needs at least two outcomes']
    """
    # Every comparison with ``today`` below flags a date after it, and settles_on takes
    # that date into account: a check of another kind would make the cache's problems stale.
    today = today or dt.datetime.now(dt.timezone.utc).date()
    if q.kind == "categorical":
        if not q.outcomes or len(q.outcomes) < 2:
            yield Finding(("outcomes",), "a categorical question needs at least two outcomes")
        elif len(set(q.outcomes)) != len(q.outcomes):
            yield Finding(("outcomes",), "outcomes must be distinct")
    else:
        if q.outcomes is not None:
            yield Finding(("outcomes",), f"only categorical questions have outcomes, this one is {q.kind}")
        if q.ordered:
            yield Finding(("ordered",), f"only categorical questions are ordered, this one is {q.kind}")
    if q.kind != "numeric" and q.unit is not None:
        yield Finding(("unit",), f"only numeric questions have a unit, this one is {q.kind}")
    for bound in ("lower", "upper"):
        value = getattr(q, bound)
        if value is None:
            continue
        if q.kind not in ("numeric", "date"):
            yield Finding((bound,), f"only numeric and date questions have bounds, this one is {q.kind}")
        elif isinstance(value, dt.date) != (q.kind == "date"):
            yield Finding((bound,), f"a {q.kind} question's bound must be {'a date' if q.kind == 'date' else 'a number'}")
    if q.lower is not None and q.upper is not None and type(q.lower) is type(q.upper) and q.lower >= q.upper:
        yield Finding(("upper",), f"must be above lower ({q.lower}), got {q.upper}")
    if q.closes < q.created:
        yield Finding(("closes",), f"is before the question was created ({q.created})")
    if q.resolve_by < q.closes:
        yield Finding(("resolve_by",), f"is before the question closes ({q.closes})")
    # Comparing aware timestamps with UTC day boundaries is the same as comparing UTC days.
    after, before = _utc_midnight(q.closes) + dt.timedelta(days=1), _utc_midnight(q.created)
    tomorrow = _utc_midnight(today) + dt.timedelta(days=1)
    first: dict[tuple[str, dt.datetime], int] = {}  # equal instants hash alike, whatever their zones
    for i, f in enumerate(q.forecasts):
        yield from _check_forecast(q, i, f, after=after, before=before, tomorrow=tomorrow)
        j = first.setdefault((f.by, f.at), i)
        if j != i:
            yield Finding(("forecasts", i, "at"), f"the same forecaster and time as forecasts[{j}]: "
                                                  "which one stood is ambiguous; keep one")
    r = q.resolution
    if r is not None:
        if r.at < q.created:
            yield Finding(("resolution", "at"), f"resolved on {r.at}, before the question was created ({q.created})")
        if r.status == "resolved":
            if r.outcome is None:
                yield Finding(("resolution", "outcome"), "a resolved question needs an outcome")
            else:
                yield from _check_outcome(q, r.outcome, ("resolution", "outcome"))
            if not r.evidence:
                yield Finding(("resolution", "evidence"), "a resolution needs evidence (at least one url)")
        else:
            if r.outcome is not None:
                yield Finding(("resolution", "outcome"), f"an {r.status} question has no outcome")
            if not r.note:
                yield Finding(("resolution", "note"), f"say why the question is {r.status}")
        yield from _check_resolution_dates(q, today=today)
        for i, e in enumerate(r.evidence):
            yield from check_evidence(e, created=q.created, today=today, loc=("resolution", "evidence", i))
        if r.cascaded_from is not None and r.status != "annulled":
            yield Finding(("resolution", "cascaded_from"), "only an annulment is cascaded from a condition")
    for i, note in enumerate(q.notes):
        if note.at > today:
            yield Finding(("notes", i, "at"), "is in the future")


def settles_on(q: Question) -> dt.date:
    """The latest of the dates :func:`check_question` compares with today. Those checks
    only flag dates in the future, so checking ``q`` on this day or any later one finds
    the same problems (the cache then keeps them across days).

    >>> from forecastbook.records import Question
    >>> q = Question.model_validate({"id": "x", "title": "X", "kind": "binary", "criteria": "c",
    ...     "created": "2026-01-01", "closes": "2026-02-01", "resolve_by": "2026-03-01",
    ...     "notes": [{"at": "2026-02-10", "text": "searched"}],
    ...     "forecasts": [{"by": "a", "at": "2026-01-05T23:00:00-05:00", "probability": 0.5}]})
    >>> settles_on(q)
    datetime.date(2026, 2, 10)
    """
    days = [n.at for n in q.notes]
    if q.forecasts:
        days.append(utc_day(max(f.at for f in q.forecasts)))
    r = q.resolution
    if r is not None:
        days.append(r.at)
        days += [day for e in r.evidence for day in (e.published, e.retrieved) if day is not None]
    return max(days, default=dt.date.min)


def _check_resolution_dates(q: Question, *, today: dt.date) -> Iterator[Finding]:
    r = q.resolution
    if r.at > today:
        yield Finding(("resolution", "at"), f"resolved on {r.at}, which is in the future")
    if r.known is not None:
        if r.known > r.at:
            yield Finding(("resolution", "known"), f"the outcome was known on {r.known}, after it was resolved ({r.at})")
        if r.known < q.created:
            yield Finding(("resolution", "known"), f"is before the question was created ({q.created})")


def is_web_address(url: str) -> bool:
    """Whether ``url`` is an absolute http(s) address with a host.

    >>> is_web_address("https://www.fcc.gov/document/x"), is_web_address("fcc.gov"), is_web_address("ftp://a/b")
    (True, False, False)
    """
    from urllib.parse import urlsplit

    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.hostname) and not any(c.isspace() for c in url)


def check_evidence(e: Evidence, *, created: dt.date, today: dt.date, loc: tuple) -> Iterator[Finding]:
    """One evidence entry: a web address, a quote (or why there is none), sane dates."""
    if not is_web_address(e.url):
        yield Finding((*loc, "url"), f"must be an absolute http(s) address, got {shorten(e.url)}")
    if not (e.quote or "").strip() and not (e.no_quote or "").strip():
        yield Finding((*loc, "quote"), "give the words on the page that settle it, or say why not in 'no_quote'")
    for name in ("retrieved", "published"):
        day = getattr(e, name)
        if day is not None and day > today:
            yield Finding((*loc, name), f"{day} is in the future")
    if e.retrieved is not None and e.retrieved < created:
        yield Finding((*loc, "retrieved"), f"{e.retrieved} is before the question was created ({created})")


def condition_target_outcomes(target: Question) -> list[object] | None:
    """The outcomes a condition on ``target`` may name, or None if any value may do."""
    if target.kind == "binary":
        return [True, False]
    if target.kind == "categorical":
        return list(target.outcomes or [])
    return None


def check_references(
    questions: Mapping[str, Question],
    *,
    sources: Collection[str],
    forecasters: Collection[str],
    question_files: Collection[str] = (),
    only: Collection[str] | None = None,
) -> Iterator[tuple[str, Finding]]:
    """References between records: conditions, relations, forecasters, sources, cycles.

    ``sources``, ``forecasters`` and ``question_files`` are the ids that exist; a
    reference to a question file with errors of its own is not reported again.
    ``only``: check the references of these questions alone (``questions`` is then only
    looked up). Yields ``(question_id, finding)`` pairs.
    """
    exists = set(questions) | set(question_files)
    for qid in questions if only is None else only:
        q = questions[qid]
        if q.condition is not None:
            target = questions.get(q.condition.question)
            if q.condition.question not in exists:
                yield qid, Finding(("condition", "question"), f"no question with id '{q.condition.question}'")
            elif target is not None:
                allowed = condition_target_outcomes(target)
                if allowed is not None and q.condition.outcome not in allowed:
                    shown = ["yes", "no"] if target.kind == "binary" else allowed
                    yield qid, Finding(("condition", "outcome"),
                                       f"'{target.id}' can resolve to {shown}, got {q.condition.outcome!r}")
        if q.variant_of is not None:
            if q.variant_of not in exists:
                yield qid, Finding(("variant_of",), f"no question with id '{q.variant_of}'")
            elif q.condition is None:
                yield qid, Finding(("variant_of",), "only a conditional question is a variant of another")
        if q.same_event is not None:
            target = questions.get(q.same_event.question)
            if q.same_event.question not in exists:
                yield qid, Finding(("same_event", "question"), f"no question with id '{q.same_event.question}'")
            elif target is not None and target.kind != "categorical":
                yield qid, Finding(("same_event", "question"), f"'{target.id}' is {target.kind}, not categorical")
            elif target is not None:
                for j, name in enumerate(q.same_event.outcomes):
                    if name not in (target.outcomes or []):
                        yield qid, Finding(("same_event", "outcomes", j), f"'{name}' is not an outcome of '{target.id}'")
        for relation in ("implies", "excludes"):
            for j, other in enumerate(getattr(q, relation)):
                if other not in exists:
                    yield qid, Finding((relation, j), f"no question with id '{other}'")
                elif other == qid:
                    yield qid, Finding((relation, j), "a question cannot relate to itself")
        if q.source is not None and q.source.ref not in sources:
            yield qid, Finding(("source", "ref"), f"no source with id '{q.source.ref}' under sources/ "
                               f"(add one: forecastbook source add {q.source.ref} --title TITLE --published DATE)")
        for i, f in enumerate(q.forecasts):
            if f.by not in forecasters:
                yield qid, Finding(("forecasts", i, "by"), f"no forecaster with id '{f.by}' under forecasters/ "
                                   f"(add one: forecastbook forecaster add {f.by} --name NAME)")
    yield from _condition_cycles(questions, questions if only is None else only)


def _condition_cycles(questions: Mapping[str, Question], starts: Iterable[str]) -> Iterator[tuple[str, Finding]]:
    state: dict[str, int] = {}  # 1 = on the current path, 2 = done
    reported: set[str] = set()
    for start in starts:
        path: list[str] = []
        node: str | None = start
        while node is not None and node in questions and state.get(node) != 2:
            if state.get(node) == 1:
                cycle = path[path.index(node):]
                text = " -> ".join([*cycle, node])
                for member in cycle:
                    if member not in reported:
                        reported.add(member)
                        yield member, Finding(("condition", "question"), f"conditions form a cycle: {text}")
                break
            state[node] = 1
            path.append(node)
            cond = questions[node].condition
            node = cond.question if cond is not None else None
        for member in path:
            state[member] = 2
