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

Both look at every forecast, in the records and in bulk files (:mod:`forecastbook.bulk`)
alike: the same forecasts give the same findings wherever they are kept. A finding on a
bulk forecast is placed at its file, data row and column, and of each column a file lists
20 such findings, then a count (as the bulk files' own checks do). Only the questions a
relation names are grouped by forecaster, so bulk forecasts on other questions cost
nothing here. The findings are kept in the store's cache, under a key that covers the
records and the bulk forecasts they read.

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
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from . import verbal
from .files import no_cyclic_gc
from .problems import Finding, Problem, shorten
from .records import Forecast, Question
from .store import Store

if TYPE_CHECKING:
    import numpy as np

    from .bulk._columns import BulkForecasts, Ragged

__all__ = ["TOLERANCE", "DRAFT_PLACEHOLDER", "BULK", "coherence_findings", "draft_findings", "lint_findings",
           "verbal_lint", "problems", "implied_unconditional"]

TOLERANCE = 0.005
DRAFT_PLACEHOLDER = "DRAFT:"  # how a draft's criteria start until they are written
MIN_CRITERIA = 40
EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc)  # times are compared as microseconds from it
_MICROSECOND = dt.timedelta(microseconds=1)
BULK = "bulk"  # a finding on a bulk forecast is located at (BULK, its position in store.bulk, its column)
_DATE = re.compile(r"\b(19|20)\d{2}\b")


@dataclass(slots=True)  # not frozen: a frozen class's construction costs a third of a large grouping
class _Standing:
    """One forecaster's forecasts on one question in time order (microseconds since
    1970, UTC), each read as one probability. A place is the forecast's index in
    ``record`` (the question's forecasts), or ``~k`` for the bulk forecast at position
    ``k`` of ``store.bulk``."""

    times: Sequence[int]
    values: Sequence[float]
    places: Sequence[int]
    record: list[Forecast]

    def at(self, t: int) -> tuple[float, int, int] | None:
        """The forecast standing at ``t``: its value, place and time."""
        k = bisect.bisect_right(self.times, t) - 1
        return (self.values[k], self.places[k], self.times[k]) if k >= 0 else None

    def moment(self, t: int) -> dt.datetime | None:
        """``t`` as the first forecast made then gives it (a record's in its own zone)."""
        k = bisect.bisect_left(self.times, t)
        if k == len(self.times) or self.times[k] != t:
            return None
        place = self.places[k]
        return self.record[place].at if place >= 0 else EPOCH + dt.timedelta(microseconds=t)


Rows = dict[str, list[tuple[int, float, int]]]  # forecaster -> (time, value, place) of each forecast


def _standings(q: Question, rows: Rows, bulk: BulkForecasts | None = None, positions: np.ndarray | None = None,
               values: np.ndarray | None = None) -> dict[str, _Standing]:
    """The standings of ``rows`` (from ``q``'s record) and of the bulk forecasts at
    ``positions`` (``q``'s, by forecaster then time), read as ``values``."""
    table = {}
    if positions is not None and len(positions):
        import numpy as np

        codes = bulk.by[positions]
        starts = np.flatnonzero(np.r_[True, codes[1:] != codes[:-1]])
        names = bulk.forecaster_ids[codes[starts]].tolist()
        times, read, places = bulk.at[positions].astype("int64").tolist(), values.tolist(), (~positions).tolist()
        for who, s, e in zip(names, starts.tolist(), [*starts[1:].tolist(), len(codes)]):
            if who in rows:
                rows[who].extend(zip(times[s:e], read[s:e], places[s:e]))
            else:  # already in time order, one at a time
                table[who] = _Standing(times[s:e], read[s:e], places[s:e], q.forecasts)
    for who, found in rows.items():
        found.sort()
        table[who] = _Standing(*zip(*found), q.forecasts)
    return table


def _group_binary(q: Question, bulk: BulkForecasts | None) -> dict[str, _Standing]:
    """Each forecaster's binary forecasts on ``q``, in its record and in bulk."""
    rows: Rows = {}
    for i, f in enumerate(q.forecasts):
        if f.probability is not None:
            rows.setdefault(f.by, []).append(((f.at - EPOCH) // _MICROSECOND, f.probability, i))
    if bulk is None:
        return _standings(q, rows)
    import numpy as np

    positions = bulk.rows_of(q.id)
    p = bulk.probability[positions]
    given = ~np.isnan(p)
    return _standings(q, rows, bulk, positions[given], p[given])


def _group_summed(q: Question, outcomes: list[str], bulk: BulkForecasts | None) -> dict[str, _Standing]:
    """Each forecaster's categorical forecasts on ``q``, read as the probability of
    ``outcomes`` together."""
    rows: Rows = {}
    for i, f in enumerate(q.forecasts):
        if f.probabilities is not None:
            p = sum(f.probabilities.get(o, 0.0) for o in outcomes)
            rows.setdefault(f.by, []).append(((f.at - EPOCH) // _MICROSECOND, p, i))
    if bulk is None or bulk.probabilities is None:
        return _standings(q, rows)
    return _standings(q, rows, bulk, *_bulk_sums(bulk.probabilities, bulk.rows_of(q.id), outcomes))


def _bulk_sums(probabilities: Ragged, positions: np.ndarray, outcomes: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """The positions with probabilities, and each one's total over ``outcomes`` (added
    in their order, as for a record, so the totals are the same to the last bit)."""
    import numpy as np

    positions = positions[probabilities.lengths()[positions] > 0]
    picked = probabilities.take(positions)
    entry = picked.entry_rows()
    total = np.zeros(len(positions))
    for o in outcomes:
        mine = picked.keys == o
        total += np.bincount(entry[mine], weights=picked.values[mine], minlength=len(positions))
    return positions, total


class _Standings:
    """Each question's standings per forecaster, grouped in one pass over its forecasts
    (in its record and in bulk) the first time they are asked for, so a question is
    scanned once per check however many relations name it, and only if one does."""

    def __init__(self, store: Store) -> None:
        self.bulk = store.bulk
        self._kept: dict[tuple[int, tuple[str, ...] | None], dict[str, _Standing]] = {}

    def binary(self, q: Question) -> dict[str, _Standing]:
        key = (id(q), None)
        if key not in self._kept:
            self._kept[key] = _group_binary(q, self.bulk)
        return self._kept[key]

    def summed(self, q: Question, outcomes: list[str]) -> dict[str, _Standing]:
        key = (id(q), tuple(outcomes))
        if key not in self._kept:
            self._kept[key] = _group_summed(q, outcomes, self.bulk)
        return self._kept[key]


def _moments(*series: _Standing | None) -> list[int]:
    return sorted({t for s in series if s is not None for t in s.times})


def _shown(t: int, *series: _Standing | None) -> dt.datetime:
    """The moment ``t`` as the first of ``series`` to have a forecast then gives it."""
    for s in series:
        shown = s.moment(t) if s is not None else None
        if shown is not None:
            return shown
    raise ValueError(f"no forecast at {t}")


def _finding(q: Question, place: int, field: str, message: str) -> tuple[str, Finding]:
    """A warning on the forecast at ``place`` (see :class:`_Standing`) of ``q``."""
    loc = ("forecasts", place, field) if place >= 0 else (BULK, ~place, field)
    return q.id, Finding(loc, message, "warning")


def _pairwise(a: Question, b: Question, table_a: dict[str, _Standing], table_b: dict[str, _Standing],
              relation: str) -> Iterator[tuple[str, Finding]]:
    for who in sorted(table_a.keys() & table_b.keys()):
        sa, sb = table_a[who], table_b[who]
        for t in _moments(sa, sb):
            pa, pb = sa.at(t), sb.at(t)
            if pa is None or pb is None:
                continue
            if _violated(relation, pa[0], pb[0]):
                here_a = pa[2] >= pb[2]  # the warning goes where the later forecast is
                later, place = (a, pa[1]) if here_a else (b, pb[1])
                field = "probability" if later.kind == "binary" else "probabilities"
                message = _violation(relation, pa[0], pb[0], a.id, b.id, here_a,
                                     a.same_event.outcomes if relation == "same_event" else ())
                yield _finding(later, place, field, f"{who}, standing at {_shown(t, sa, sb).isoformat()}: {message}")
                break


def _violated(relation: str, pa: float, pb: float) -> bool:
    """Whether P(a) = ``pa`` and P(b) = ``pb`` break ``relation`` (a to b) by more than
    the tolerance."""
    if relation == "implies":
        return pa > pb + TOLERANCE
    if relation == "excludes":
        return pa + pb > 1 + TOLERANCE
    return abs(pa - pb) > TOLERANCE  # same_event


def _violation(relation: str, pa: float, pb: float, a: str, b: str, here_a: bool,
               outcomes: Sequence[str] = ()) -> str:
    """What is wrong, said from the question where the warning is placed ('this');
    ``outcomes``: of ``b`` that are the same event as ``a``.

    >>> _violation("implies", 0.7, 0.5, "a", "b", here_a=False)
    "P('a') = 0.7 exceeds P(this) = 0.5, but 'a' implies this question"
    """
    if relation == "implies":
        return (f"P(this) = {pa:g} exceeds P('{b}') = {pb:g}, but this question implies that one" if here_a
                else f"P('{a}') = {pa:g} exceeds P(this) = {pb:g}, but '{a}' implies this question")
    if relation == "excludes":
        mine, theirs, other = (pa, pb, b) if here_a else (pb, pa, a)
        return f"P(this) + P('{other}') = {mine + theirs:g} exceeds 1, but the two exclude each other"
    return (f"P(this) = {pa:g} but the same event in '{b}' has {pb:g}" if here_a
            else f"P({' or '.join(outcomes)}) = {pb:g} here, but the same event in '{a}' has {pa:g}")


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
    index, standing = _variant_index(store), _Standings(store)
    for b in sorted(store.questions.values(), key=lambda q: q.id):
        if b.id not in index:
            continue
        a, yes, no = index[b.id]
        t1, t0, ta, tb = (standing.binary(q) for q in (yes, no, a, b))
        for who in sorted(t1.keys() & t0.keys()):
            s1, s0, sa, sb = t1[who], t0[who], ta.get(who), tb.get(who)
            for t in _moments(s1, s0, sa, sb):
                p1, p0 = s1.at(t), s0.at(t)
                if p1 is None or p0 is None:
                    continue
                pa, pb = (sa.at(t) if sa else None), (sb.at(t) if sb else None)
                if pa is not None:
                    low = high = pa[0] * p1[0] + (1 - pa[0]) * p0[0]
                else:
                    low, high = min(p1[0], p0[0]), max(p1[0], p0[0])
                stated = pb[0] if pb is not None else math.nan
                coherent = math.isnan(stated) or (low - TOLERANCE <= stated <= high + TOLERANCE)
                rows.append((b.id, a.id, who, _shown(t, s1, s0, sa, sb), p1[0], p0[0], pa[0] if pa else math.nan,
                             low, high, stated, coherent))
    return pd.DataFrame(rows, columns=["question_id", "condition", "forecaster", "at", "p_given_yes", "p_given_no",
                                       "p_condition", "implied_low", "implied_high", "stated", "coherent"])


def _total_probability(store: Store, standing: _Standings) -> Iterator[tuple[str, Finding]]:
    index = _variant_index(store)
    for b in store.questions.values():
        if b.id not in index:
            continue
        a, yes, no = index[b.id]
        t1, t0, ta, tb = (standing.binary(q) for q in (yes, no, a, b))
        for who in sorted(tb.keys() & t1.keys() & t0.keys()):
            s1, s0, sa, sb = t1[who], t0[who], ta.get(who), tb[who]
            for t in _moments(s1, s0, sa, sb):
                p1, p0, pb = s1.at(t), s0.at(t), sb.at(t)
                pa = sa.at(t) if sa else None
                if p1 is None or p0 is None or pb is None:
                    continue
                if pa is not None:
                    implied = pa[0] * p1[0] + (1 - pa[0]) * p0[0]
                    if abs(pb[0] - implied) > TOLERANCE:
                        yield _finding(b, pb[1], "probability",
                                       f"{who}, standing at {_shown(t, s1, s0, sa, sb).isoformat()}: P(this) = "
                                       f"{pb[0]:g}, but P('{a.id}') = {pa[0]:g} with P(this | yes) = {p1[0]:g} and "
                                       f"P(this | no) = {p0[0]:g} implies {implied:.4g}")
                        break
                elif not min(p1[0], p0[0]) - TOLERANCE <= pb[0] <= max(p1[0], p0[0]) + TOLERANCE:
                    yield _finding(b, pb[1], "probability",
                                   f"{who}, standing at {_shown(t, s1, s0, sa, sb).isoformat()}: P(this) = {pb[0]:g} "
                                   f"lies outside [{min(p1[0], p0[0]):g}, {max(p1[0], p0[0]):g}], the range its "
                                   f"conditional forecasts allow")
                    break


def coherence_findings(store: Store) -> Iterator[tuple[str, Finding]]:
    """Every incoherence among standing forecasts, as ``(question_id, warning)``; a
    warning on a bulk forecast is located at ``("bulk", position in store.bulk, column)``.

    Linear in questions, declared relations and the forecasts on related questions:
    variants are indexed once, and each related question's forecasts are grouped by
    forecaster once.
    """
    standing = _Standings(store)
    for a in sorted(store.questions.values(), key=lambda q: q.id):
        if a.kind != "binary":
            continue
        for other in a.implies:
            b = store.questions.get(other)
            if b is not None and b.kind == "binary":
                yield from _pairwise(a, b, standing.binary(a), standing.binary(b), "implies")
        for other in a.excludes:
            b = store.questions.get(other)
            if b is not None and b.kind == "binary" and (a.id < b.id or a.id not in b.excludes):
                yield from _pairwise(a, b, standing.binary(a), standing.binary(b), "excludes")
        if a.same_event is not None and a.same_event.question in store.questions:
            b = store.questions[a.same_event.question]
            yield from _pairwise(a, b, standing.binary(a), standing.summed(b, a.same_event.outcomes), "same_event")
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
    """Lints of each question's text and verbal forecasts, as ``(question_id, warning)``
    (a bulk forecast's located as in :func:`coherence_findings`)."""
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
            if f.verbal is not None and f.probability is not None:
                found = verbal_lint(f.verbal, f.probability)
                if found is not None:
                    yield _finding(q, i, *found)
    yield from _bulk_verbal_lints(store)


def verbal_lint(words: str, probability: float) -> tuple[str, str] | None:
    """What is wrong with a probability read from ``words``, as (field, message).

    >>> verbal_lint("very likely", 0.9) is None, verbal_lint("very likely", 0.3)[1]
    (True, "0.3 is outside the band of 'very likely' (0.8-0.95), read either way")
    """
    term = verbal.band(words)
    if term is None:
        return "verbal", f"{shorten(words)} is not on the verbal scale; its probability cannot be checked"
    if not (term.contains(probability) or term.contains(1 - probability)):
        return "probability", (f"{probability:g} is outside the band of {shorten(words)} "
                               f"({term.low:g}-{term.high:g}), read either way")
    return None


def _bulk_verbal_lints(store: Store) -> Iterator[tuple[str, Finding]]:
    bulk = store.bulk
    if bulk is None or bulk.verbal is None:
        return
    positions = _verbal_positions(bulk)
    qids = bulk.question_ids[bulk.question[positions]].tolist()
    words, p = bulk.verbal[positions].tolist(), bulk.probability[positions].tolist()
    for k, qid, w, probability in zip(positions.tolist(), qids, words, p):
        found = verbal_lint(w, probability)
        if found is not None:
            yield qid, Finding((BULK, k, found[0]), found[1], "warning")


def _verbal_positions(bulk: BulkForecasts) -> np.ndarray:
    """The bulk forecasts given as a probability read from words."""
    import numpy as np

    return np.flatnonzero(np.not_equal(bulk.verbal, None) & ~np.isnan(bulk.probability))


def _related(store: Store) -> set[str]:
    """The questions a relation names (coherence reads their forecasts and no others)."""
    named = set()
    for q in store.questions.values():
        targets = [*q.implies, *q.excludes, *([q.same_event.question] if q.same_event is not None else [])]
        if targets:
            named.update(targets)
            named.add(q.id)
    for b, (a, yes, no) in _variant_index(store).items():
        named.update((b, a.id, yes.id, no.id))
    return named


def _bulk_state(store: Store) -> bytes:
    """A hash of what the findings read of the bulk forecasts (b"" when there are none):
    the forecasts on related questions and those read from words, with where they are.
    Question and forecaster codes need no names: those come from the records, which the
    store's own key covers."""
    bulk = store.bulk
    if bulk is None:
        return b""
    import hashlib

    h = hashlib.blake2b(repr((bulk.files, bulk.columns)).encode("utf-8", "surrogateescape"), digest_size=16)
    related = bulk.rows_of_any(_related(store))
    for column in (bulk.question, bulk.by, bulk.at, bulk.probability, bulk.file, bulk.row):
        h.update(column[related].tobytes())
    if bulk.probabilities is not None:
        picked = bulk.probabilities.take(related)
        h.update(picked.offsets.tobytes() + picked.values.tobytes() + repr(picked.keys.tolist()).encode())
    if bulk.verbal is not None:
        worded = _verbal_positions(bulk)
        for column in (bulk.question, bulk.probability, bulk.file, bulk.row):
            h.update(column[worded].tobytes())
        h.update(repr(bulk.verbal[worded].tolist()).encode("utf-8", "surrogateescape"))
    return h.digest()


def _placed(store: Store, coherence: Iterable[tuple[str, Finding]], lints: Iterable[tuple[str, Finding]]
            ) -> list[Problem]:
    """Findings placed in the records' files (each parsed once), in the order given, then
    in the bulk files."""
    in_records: list[tuple[str, Finding]] = []
    in_bulk: tuple[list, list] = ([], [])
    for kind, found in enumerate((coherence, lints)):
        for qid, f in found:
            if f.loc[:1] == (BULK,):
                in_bulk[kind].append((f.loc[1], f.loc[2], f.message))
            else:
                in_records.append((qid, f))
    placed = store.locate_all(in_records)
    if store.bulk is not None:
        placed += store.bulk.problems(in_bulk[0], what="coherence warnings")
        placed += store.bulk.problems(in_bulk[1], what="verbal-scale warnings")
    return placed


def problems(store: Store) -> list[Problem]:
    """Coherence warnings and lints, located in their files (found again only when a
    file of the store changed since the last time). Beside them the cache keeps the
    question and field of each one placed in a record, in the same order, so that an
    edit that changes no forecast can place those of the files it wrote again."""
    places: list[list[tuple[str, tuple]]] = []

    def compute() -> list[Problem]:
        coherence, lints = list(coherence_findings(store)), list(lint_findings(store))
        places.append([(qid, f.loc) for qid, f in (*coherence, *lints) if f.loc[:1] != (BULK,)])
        return _placed(store, coherence, lints)
    with no_cyclic_gc():  # findings hold no cycles: collections cost 2/3 of a large store's checks
        also = _bulk_state(store)
        found = store.memoised("coherence", compute, also=also)
        if places:  # computed just now
            store.memoised("coherence-places", lambda: places[0], also=also, as_problems=False)
    return found
