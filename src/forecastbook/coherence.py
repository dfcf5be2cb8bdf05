"""Consistency across related forecasts, and lints of records. Nothing here writes.

For each forecaster, forecasts standing at the same time (their latest on each question at
that moment) are compared:

- law of total probability: with a condition A, the variants B|A and B|not-A of a question
  B imply P(B) = P(A) P(B|A) + (1 - P(A)) P(B|not A); without P(A) they still bound P(B)
  between P(B|A) and P(B|not A);
- ``implies``: P(this) <= P(that); ``excludes``: P(this) + P(that) <= 1;
- ``same_event``: P(binary) equals the summed probability of the categorical outcomes.

Lints: criteria too short or without a date, no resolution sources, verbal words off the
scale or with a probability outside their band.

Both look at the forecasts in the records; bulk forecasts (:mod:`forecastbook.bulk`) are
checked row by row when read, not here.

>>> import forecastbook
>>> store = forecastbook.load_store("forecasts")
>>> implied_unconditional(store)[["question_id", "forecaster", "implied_low", "implied_high", "stated"]]
               question_id    forecaster  implied_low  implied_high  stated
0  retighten-by-2026-12-31  moyunlanting          0.5         0.875     NaN
"""

from __future__ import annotations

import bisect
import datetime as dt
import math
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from . import verbal
from .problems import Finding, Problem
from .records import Forecast, Question
from .files import no_cyclic_gc
from .store import Store

__all__ = ["TOLERANCE", "DRAFT_PLACEHOLDER", "coherence_findings", "draft_findings", "lint_findings", "problems",
           "implied_unconditional"]

TOLERANCE = 0.005
DRAFT_PLACEHOLDER = "DRAFT:"  # how a draft's criteria start until they are written
MIN_CRITERIA = 40
_DATE = re.compile(r"\b(19|20)\d{2}\b")


@dataclass(frozen=True)
class _Standing:
    """One forecaster's binary forecasts on one question, in time order."""

    times: list[dt.datetime]
    values: list[float]
    indices: list[int]

    def at(self, t: dt.datetime) -> tuple[float, int] | None:
        k = bisect.bisect_right(self.times, t) - 1
        return (self.values[k], self.indices[k]) if k >= 0 else None


def _standing(q: Question, who: str, value: Callable[[Forecast], float | None]) -> _Standing | None:
    """``who``'s forecasts on ``q`` in time order, each read as one probability by ``value``."""
    rows = sorted((f.at, p, i) for i, f in enumerate(q.forecasts) if f.by == who and (p := value(f)) is not None)
    if not rows:
        return None
    return _Standing([r[0] for r in rows], [r[1] for r in rows], [r[2] for r in rows])


class _Standings:
    """Each question's binary standings per forecaster, grouped in one pass over its
    forecasts the first time they are asked for (so a question is scanned once per check,
    however many relations name it)."""

    def __init__(self) -> None:
        self._by_question: dict[int, dict[str, _Standing]] = {}

    def __call__(self, q: Question, who: str) -> _Standing | None:
        table = self._by_question.get(id(q))
        if table is None:
            table = self._by_question[id(q)] = _group_binary(q)
        return table.get(who)


def _group_binary(q: Question) -> dict[str, _Standing]:
    """``_binary_standing(q, who)`` for every forecaster ``who`` of ``q`` at once."""
    rows: dict[str, list[tuple[dt.datetime, float, int]]] = {}
    for i, f in enumerate(q.forecasts):
        if f.probability is not None:
            rows.setdefault(f.by, []).append((f.at, f.probability, i))
    table = {}
    for who, found in rows.items():
        found.sort()
        table[who] = _Standing([r[0] for r in found], [r[1] for r in found], [r[2] for r in found])
    return table


def _categorical_standing(q: Question, who: str, outcomes: list[str]) -> _Standing | None:
    return _standing(q, who, lambda f: None if f.probabilities is None
                     else sum(f.probabilities.get(o, 0.0) for o in outcomes))


def _forecasters(*questions: Question) -> set[str]:
    return {f.by for q in questions for f in q.forecasts}


def _moments(*series: _Standing | None) -> list[dt.datetime]:
    return sorted({t for s in series if s is not None for t in s.times})


def _pairwise(a: Question, b: Question, series_a, series_b, relation: str) -> Iterator[tuple[str, Finding]]:
    for who in sorted(_forecasters(a, b)):
        sa, sb = series_a(a, who), series_b(b, who)
        if sa is None or sb is None:
            continue
        for t in _moments(sa, sb):
            pa, pb = sa.at(t), sb.at(t)
            if pa is None or pb is None:
                continue
            message = _violation(relation, pa[0], pb[0], b.id)
            if message:
                later, index = (a, pa[1]) if a.forecasts[pa[1]].at >= b.forecasts[pb[1]].at else (b, pb[1])
                field = "probability" if later.kind == "binary" else "probabilities"
                yield later.id, Finding(("forecasts", index, field), f"{who}, standing at {t.isoformat()}: {message}",
                                        "warning")
                break


def _violation(relation: str, pa: float, pb: float, other: str) -> str | None:
    if relation == "implies" and pa > pb + TOLERANCE:
        return f"P(this) = {pa:g} exceeds P('{other}') = {pb:g}, but this question implies that one"
    if relation == "excludes" and pa + pb > 1 + TOLERANCE:
        return f"P(this) + P('{other}') = {pa + pb:g} exceeds 1, but the two exclude each other"
    if relation == "same_event" and abs(pa - pb) > TOLERANCE:
        return f"P(this) = {pa:g} but the same event in '{other}' has {pb:g}"
    return None


def _variant_index(store: Store) -> dict[str, tuple[Question, Question, Question]]:
    """Condition A and the variants of B under A = yes and A = no, for every B that has
    both (one pass over the store; of several variants, the last in store order counts)."""
    given: dict[str, list[Question | None]] = {}
    for q in store.questions.values():
        if q.variant_of is not None and q.condition is not None and q.condition.outcome in (True, False):
            given.setdefault(q.variant_of, [None, None])[0 if q.condition.outcome is True else 1] = q
    index = {}
    for b, (given_yes, given_no) in given.items():
        if given_yes is None or given_no is None or given_yes.condition.question != given_no.condition.question:
            continue
        a = store.questions.get(given_yes.condition.question)
        if a is not None:
            index[b] = (a, given_yes, given_no)
    return index


def implied_unconditional(store: Store):  # noqa: ANN201 - a DataFrame; pandas is imported only here
    """For every question with variants under a binary condition: per forecaster and
    moment, P(B|A), P(B|not A), P(A) if stated, the interval or point they imply for P(B),
    and the P(B) stated, if any.

    Columns: ``question_id, condition, forecaster, at, p_given_yes, p_given_no,
    p_condition, implied_low, implied_high, stated, coherent``.
    """
    import pandas as pd

    rows = []
    index, standing = _variant_index(store), _Standings()
    for b in sorted(store.questions.values(), key=lambda q: q.id):
        if b.id not in index:
            continue
        a, yes, no = index[b.id]
        for who in sorted(_forecasters(a, b, yes, no)):
            s1, s0 = standing(yes, who), standing(no, who)
            sa, sb = standing(a, who), standing(b, who)
            for t in _moments(s1, s0, sa, sb):
                p1, p0 = s1.at(t) if s1 else None, s0.at(t) if s0 else None
                if p1 is None or p0 is None:
                    continue
                pa, pb = (sa.at(t) if sa else None), (sb.at(t) if sb else None)
                if pa is not None:
                    low = high = pa[0] * p1[0] + (1 - pa[0]) * p0[0]
                else:
                    low, high = min(p1[0], p0[0]), max(p1[0], p0[0])
                stated = pb[0] if pb is not None else math.nan
                coherent = math.isnan(stated) or (low - TOLERANCE <= stated <= high + TOLERANCE)
                rows.append((b.id, a.id, who, t, p1[0], p0[0], pa[0] if pa else math.nan, low, high, stated, coherent))
    return pd.DataFrame(rows, columns=["question_id", "condition", "forecaster", "at", "p_given_yes", "p_given_no",
                                       "p_condition", "implied_low", "implied_high", "stated", "coherent"])


def _total_probability(store: Store, standing: _Standings) -> Iterator[tuple[str, Finding]]:
    index = _variant_index(store)
    for b in store.questions.values():
        if b.id not in index:
            continue
        a, yes, no = index[b.id]
        for who in sorted(_forecasters(b)):
            s1, s0, sa, sb = (standing(q, who) for q in (yes, no, a, b))
            if sb is None or s1 is None or s0 is None:
                continue
            for t in _moments(s1, s0, sa, sb):
                p1, p0, pb = s1.at(t), s0.at(t), sb.at(t)
                pa = sa.at(t) if sa else None
                if p1 is None or p0 is None or pb is None:
                    continue
                if pa is not None:
                    implied = pa[0] * p1[0] + (1 - pa[0]) * p0[0]
                    if abs(pb[0] - implied) > TOLERANCE:
                        yield b.id, Finding(("forecasts", pb[1], "probability"),
                                            f"{who}, standing at {t.isoformat()}: P(this) = {pb[0]:g}, but P('{a.id}') = "
                                            f"{pa[0]:g} with P(this | yes) = {p1[0]:g} and P(this | no) = {p0[0]:g} "
                                            f"implies {implied:.4g}", "warning")
                        break
                elif not min(p1[0], p0[0]) - TOLERANCE <= pb[0] <= max(p1[0], p0[0]) + TOLERANCE:
                    yield b.id, Finding(("forecasts", pb[1], "probability"),
                                        f"{who}, standing at {t.isoformat()}: P(this) = {pb[0]:g} lies outside "
                                        f"[{min(p1[0], p0[0]):g}, {max(p1[0], p0[0]):g}], the range its conditional "
                                        f"forecasts allow", "warning")
                    break


def coherence_findings(store: Store) -> Iterator[tuple[str, Finding]]:
    """Every incoherence among standing forecasts, as ``(question_id, warning)``.

    Linear in questions and declared relations: variants are indexed once, and each
    question's forecasts are grouped by forecaster once.
    """
    standing = _Standings()
    for a in sorted(store.questions.values(), key=lambda q: q.id):
        if a.kind != "binary":
            continue
        for other in a.implies:
            b = store.questions.get(other)
            if b is not None and b.kind == "binary":
                yield from _pairwise(a, b, standing, standing, "implies")
        for other in a.excludes:
            b = store.questions.get(other)
            if b is not None and b.kind == "binary" and (a.id < b.id or a.id not in b.excludes):
                yield from _pairwise(a, b, standing, standing, "excludes")
        if a.same_event is not None and a.same_event.question in store.questions:
            b = store.questions[a.same_event.question]
            outcomes = a.same_event.outcomes
            yield from _pairwise(a, b, standing, lambda q, who: _categorical_standing(q, who, outcomes), "same_event")
    yield from _total_probability(store, standing)


def draft_findings(q: Question) -> Iterator[Finding]:
    """What a draft (``draft: true``) still needs, as warnings."""
    if not q.draft:
        return
    yield Finding(("draft",), "a draft captured from a text: not scored and not listed by due until it is "
                              "finished and 'draft: true' is removed", "warning")
    if q.criteria.startswith(DRAFT_PLACEHOLDER):
        yield Finding(("criteria",), "still the draft's placeholder: write criteria two strangers would resolve "
                                     "the same way", "warning")
    for name in ("closes", "resolve_by"):
        if getattr(q, name) == q.created:
            yield Finding((name,), "still the draft's placeholder (the day it was created): set the real date", "warning")


def lint_findings(store: Store) -> Iterator[tuple[str, Finding]]:
    """Lints of each question's text and verbal forecasts, as ``(question_id, warning)``."""
    for q in sorted(store.questions.values(), key=lambda q: q.id):
        yield from ((q.id, f) for f in draft_findings(q))
        text = " ".join(q.criteria.split())
        if len(text) < MIN_CRITERIA:
            yield q.id, Finding(("criteria",), f"only {len(text)} characters: say precisely what counts", "warning")
        if not _DATE.search(q.criteria):
            yield q.id, Finding(("criteria",), "names no date or year: say by when", "warning")
        if not q.resolution_sources:
            yield q.id, Finding(("resolution_sources",), "none given: say where the answer will be found", "warning")
        for i, f in enumerate(q.forecasts):
            if f.verbal is None or f.probability is None:
                continue
            term = verbal.band(f.verbal)
            if term is None:
                yield q.id, Finding(("forecasts", i, "verbal"),
                                    f"'{f.verbal}' is not on the verbal scale; its probability cannot be checked", "warning")
            elif not (term.contains(f.probability) or term.contains(1 - f.probability)):
                yield q.id, Finding(("forecasts", i, "probability"),
                                    f"{f.probability:g} is outside the band of '{f.verbal}' "
                                    f"({term.low:g}-{term.high:g}), read either way", "warning")


def problems(store: Store) -> list[Problem]:
    """Coherence warnings and lints, located in their files (found again only when a
    file of the store changed since the last time, or the day did)."""
    def compute() -> list[Problem]:
        with no_cyclic_gc():  # findings hold no cycles: collections cost 2/3 of a large store's checks
            return store.locate_all([*coherence_findings(store), *lint_findings(store)])
    return store.memoised("coherence", compute)
