"""The checks of one bulk file's rows, on whole columns at once.

They are the checks a YAML forecast gets from its model (:mod:`forecastbook.records`) and
from :mod:`forecastbook.checks`, with the same messages; a problem is placed at its file,
its 1-based data row and its column. Of each kind of problem a file shows the first
:data:`SHOWN` rows, then one problem with the count of the rest. A row with an error is
kept out of the store's forecasts (as a YAML record that fails its model is); warnings
keep it in.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Collection, Mapping as MappingType
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ..problems import Problem, Severity, shorten
from ..records import FIRST_DAY, LAST_DAY, SLUG_MESSAGE, SLUG_PATTERN, SUM_TOLERANCE, Question
from ._columns import SHOWN
from ._read import FileColumns, Mapping

__all__ = ["Context", "Findings", "check_rows", "SHOWN", "KINDS"]

KINDS = ("binary", "categorical", "numeric", "date")
WANTED = ("probability", "probabilities", "quantiles", "quantiles")
VALUE_COLUMNS = ("probability", "probabilities", "quantiles")
DAY_US = 86_400_000_000
_EPOCH_DAY = dt.date(1970, 1, 1).toordinal()


def _days(value: dt.date) -> int:
    return value.toordinal() - _EPOCH_DAY


def _date(days: int) -> dt.date:
    return dt.date.fromordinal(int(days) + _EPOCH_DAY)


def _moment(micros: int) -> str:
    return (dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc) + dt.timedelta(microseconds=int(micros))).isoformat()


@dataclass
class Context:
    """What the rows are checked against: the store's questions and forecasters."""

    question_ids: np.ndarray  # sorted
    question_set: pa.Array
    kind: np.ndarray  # position in KINDS, per question
    created: np.ndarray  # days since 1970-01-01, per question
    closes: np.ndarray
    outcomes: dict[int, list[str]]  # categorical questions with outcomes
    broken: pa.Array  # question files that did not read: forecasts on them are not reported again
    forecaster_ids: np.ndarray
    forecaster_set: pa.Array
    today: dt.date

    @classmethod
    def of(cls, questions: MappingType[str, Question], forecasters: Collection[str], *,
           question_files: Collection[str] = (), today: dt.date | None = None) -> Context:
        ordered = sorted(questions.values(), key=lambda q: q.id)
        ids = np.array([q.id for q in ordered], dtype=object)
        names = np.array(sorted(forecasters), dtype=object)
        return cls(
            question_ids=ids, question_set=pa.array(ids.tolist(), type=pa.large_string()),
            kind=np.array([KINDS.index(q.kind) for q in ordered], dtype=np.int8),
            created=np.array([_days(q.created) for q in ordered], dtype=np.int64),
            closes=np.array([_days(q.closes) for q in ordered], dtype=np.int64),
            outcomes={k: list(q.outcomes) for k, q in enumerate(ordered) if q.kind == "categorical" and q.outcomes},
            broken=pa.array(sorted(set(question_files) - set(questions)), type=pa.large_string()),
            forecaster_ids=names, forecaster_set=pa.array(names.tolist(), type=pa.large_string()),
            today=today or dt.datetime.now(dt.timezone.utc).date(),
        )


Text = str | Callable[[int], str]


class Findings:
    """The problems of one file, at most :data:`SHOWN` of each kind, and which rows have
    an error."""

    def __init__(self, path: str, n: int, positions: dict[str, int]):
        self.path, self.positions = path, positions
        self.problems: list[Problem] = []
        self.bad = np.zeros(n, dtype=bool)

    def rows(self, where: np.ndarray, field: Text, message: Text, *, severity: Severity = "error") -> None:
        """Report rows ``where`` (a mask, or row positions); ``field`` and ``message`` may
        be functions of the row."""
        rows = np.flatnonzero(where) if where.dtype == bool else np.asarray(where)
        if not len(rows):
            return
        if severity == "error":
            self.bad[rows] = True
        for i in rows[:SHOWN].tolist():
            self._add(i, field, message, severity)
        if len(rows) > SHOWN:
            i = int(rows[SHOWN])
            self._add(i, field, lambda _: f"and {len(rows) - SHOWN} more rows with this problem (the first "
                                          f"{SHOWN} are listed)", severity)

    def _add(self, i: int, field: Text, message: Text, severity: Severity) -> None:
        name = field(i) if callable(field) else field
        column = self.positions.get(name.split(".")[0], 1)
        self.problems.append(Problem(self.path, i + 1, column, severity, name,
                                     message(i) if callable(message) else message))


def _codes(text: pa.Array, known: pa.Array) -> np.ndarray:
    """Each value's position in ``known`` (-1 if absent or missing); a dictionary-encoded
    column is looked up once per distinct value."""
    if pa.types.is_dictionary(text.type):
        of_value = _codes(text.dictionary, known)
        return of_value[text.indices.to_numpy(zero_copy_only=False)] if len(of_value) else \
            np.full(len(text), -1, dtype=np.int32)
    return pc.index_in(text, value_set=known).fill_null(-1).to_numpy(zero_copy_only=False).astype(np.int32)


def _plain(text: pa.Array, rows: np.ndarray) -> pa.Array:
    """The values at ``rows`` as plain text."""
    picked = text.take(pa.array(rows, type=pa.int64()))
    return picked.dictionary_decode() if pa.types.is_dictionary(picked.type) else picked


def _missing(array: pa.Array) -> np.ndarray:
    return array.is_null().to_numpy(zero_copy_only=False)


def _first_per_row(mask: np.ndarray, entry_rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The rows with a marked entry, and the first marked entry of each."""
    marked = np.flatnonzero(mask)
    rows, first = np.unique(entry_rows[marked], return_index=True)
    return rows, marked[first]


def check_rows(cols: FileColumns, ctx: Context, path: str) -> tuple[Findings, np.ndarray, np.ndarray]:
    """The problems of a file's rows, and each row's question and forecaster as positions
    in the context's ids (-1 when unknown)."""
    found = Findings(path, cols.n, cols.positions)
    question, by = _codes(cols.question, ctx.question_set), _codes(cols.by, ctx.forecaster_set)
    _check_ids(found, cols, ctx, question, by)
    _check_times(found, cols, ctx, question)
    _check_kinds(found, cols, ctx, question)
    _check_probability(found, cols)
    if cols.probabilities is not None:
        _check_probabilities(found, cols.probabilities, ctx, question)
    if cols.quantiles is not None:
        _check_quantiles(found, cols.quantiles)
    if cols.derived is not None:
        without_words = ~_missing(cols.derived) & (_missing(cols.verbal) if cols.verbal is not None else True)
        found.rows(without_words, "derived", "says how words were read, but 'verbal' (the words) is missing")
    return found, question, by


def _check_ids(found: Findings, cols: FileColumns, ctx: Context, question: np.ndarray, by: np.ndarray) -> None:
    for name, column in (("question", cols.question), ("by", cols.by)):
        found.rows(_missing(column), name, "required value is missing")
    unknown = np.flatnonzero((question < 0) & ~_missing(cols.question))
    broken = pc.is_in(_plain(cols.question, unknown), value_set=ctx.broken).to_numpy(zero_copy_only=False)
    found.bad[unknown[broken]] = True  # the question's own file has the error
    found.rows(unknown[~broken], "question",
               lambda i: f"no question with id {shorten(cols.question[i].as_py())} in the store")
    unknown = np.flatnonzero((by < 0) & ~_missing(cols.by))
    names = _plain(cols.by, unknown)
    slug = pc.and_(pc.match_substring_regex(names, SLUG_PATTERN), pc.less_equal(pc.utf8_length(names), 80))
    slug = slug.fill_null(False).to_numpy(zero_copy_only=False)
    found.rows(unknown[~slug], "by", lambda i: SLUG_MESSAGE.format(value=shorten(cols.by[i].as_py())))
    found.rows(unknown[slug], "by", lambda i: (
        f"no forecaster with id '{cols.by[i].as_py()}' under forecasters/ "
        f"(add one: forecastbook forecaster add {cols.by[i].as_py()} --name NAME)"))


def _check_times(found: Findings, cols: FileColumns, ctx: Context, question: np.ndarray) -> None:
    found.rows(cols.at_missing, "at", "required value is missing")
    found.rows(~cols.at_missing & ~cols.at_in_range, "at", f"must be between {FIRST_DAY} and {LAST_DAY}")
    usable = cols.at_in_range
    future = usable & (cols.at >= (_days(ctx.today) + 1) * DAY_US)
    found.rows(future, "at", lambda i: f"{_moment(cols.at[i])} is in the future")
    known = usable & (question >= 0)
    q = np.where(known, question, 0)
    after = known & (cols.at >= (ctx.closes[q] + 1) * DAY_US) if len(ctx.closes) else known & False
    found.rows(after, "at", lambda i: f"made after the question closed on {_date(ctx.closes[q[i]])}; it will not "
                                      "be scored", severity="warning")
    before = known & (cols.at < ctx.created[q] * DAY_US) if len(ctx.created) else known & False
    found.rows(before, "at", lambda i: f"made before the question was created on {_date(ctx.created[q[i]])}",
               severity="warning")


def _given(cols: FileColumns) -> dict[str, np.ndarray]:
    none = np.zeros(cols.n, dtype=bool)
    return {
        "probability": none if cols.probability is None else ~cols.probability_missing,
        "probabilities": none if cols.probabilities is None else ~cols.probabilities.missing,
        "quantiles": none if cols.quantiles is None else ~cols.quantiles.missing,
    }


def _check_kinds(found: Findings, cols: FileColumns, ctx: Context, question: np.ndarray) -> None:
    given = _given(cols)
    anything = given["probability"] | given["probabilities"] | given["quantiles"]
    kind = np.where(question >= 0, ctx.kind[np.maximum(question, 0)] if len(ctx.kind) else -1, -1)
    for code, name in enumerate(KINDS):
        mine = kind == code
        wanted = WANTED[code]
        found.rows(mine & ~anything, wanted, f"a {name} question's forecast needs '{wanted}'")
        for other in VALUE_COLUMNS:
            if other != wanted:
                found.rows(mine & given[other], other, f"not used by a {name} question; use '{wanted}'")
        if name in ("numeric", "date") and cols.quantiles is not None and cols.quantiles.dates != (name == "date"):
            found.rows(mine & given["quantiles"], "quantiles",
                       f"a {name} question's quantiles must be {'dates' if name == 'date' else 'numbers'}")


def _check_probability(found: Findings, cols: FileColumns) -> None:
    if cols.probability is None:
        return
    p = cols.probability
    with np.errstate(invalid="ignore"):
        bad = ~cols.probability_missing & ~((p >= 0.0) & (p <= 1.0))
    found.rows(bad, "probability", lambda i: f"must be between 0 and 1, got {shorten(float(p[i]), 40)}")


def _key(mapping: Mapping, entry: int) -> str:
    return shorten(mapping.keys[entry].as_py(), 40).strip("'")


def _check_probabilities(found: Findings, m: Mapping, ctx: Context, question: np.ndarray) -> None:
    rows = m.entry_rows()
    with np.errstate(invalid="ignore"):
        bad_value = m.value_missing | ~((m.values >= 0.0) & (m.values <= 1.0))
    bad_rows, entry = _first_per_row(bad_value, rows)
    first = dict(zip(bad_rows.tolist(), entry.tolist()))
    found.rows(bad_rows, lambda i: f"probabilities.{_key(m, first[i])}", lambda i: (
        "must be a number, got None" if m.value_missing[first[i]]
        else f"must be between 0 and 1, got {shorten(float(m.values[first[i]]), 40)}"))
    key_codes = _codes(m.keys, pc.unique(m.keys)) if len(m.keys) else np.zeros(0, dtype=np.int32)
    twice_rows, twice_entry = _duplicates(rows, key_codes)
    again = dict(zip(twice_rows.tolist(), twice_entry.tolist()))
    found.rows(twice_rows, lambda i: f"probabilities.{_key(m, again[i])}",
               "duplicate key: given twice in this forecast")
    n = len(m.offsets) - 1
    totals = np.bincount(rows, weights=np.where(bad_value, 0.0, m.values), minlength=n)
    judged = ~m.missing & ~np.isin(np.arange(n), bad_rows) & ~np.isin(np.arange(n), twice_rows)
    found.rows(judged & (np.abs(totals - 1.0) > SUM_TOLERANCE), "probabilities",
               lambda i: f"must sum to 1, got {round(float(totals[i]), 9)}")
    _check_outcomes(found, m, ctx, question, rows)


def _duplicates(rows: np.ndarray, keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Rows that give a key twice, and the second entry with it."""
    order = np.lexsort((np.arange(len(rows)), keys, rows))
    same = (rows[order][1:] == rows[order][:-1]) & (keys[order][1:] == keys[order][:-1])
    return _first_per_row(same, rows[order][1:]) if len(order) else (order, order)


def _check_outcomes(found: Findings, m: Mapping, ctx: Context, question: np.ndarray, rows: np.ndarray) -> None:
    """Categorical forecasts name only the question's outcomes, and all of them."""
    if not ctx.outcomes or not len(rows):
        return
    q = question[rows]
    named = np.isin(q, list(ctx.outcomes))
    codes = sorted(ctx.outcomes)
    names = sorted({o for k in codes for o in ctx.outcomes[k]})
    allowed = np.array([k * len(names) + names.index(o) for k in codes for o in ctx.outcomes[k]], dtype=np.int64)
    name = _codes(m.keys, pa.array(names, type=pa.large_string())).astype(np.int64)
    known = (name >= 0) & np.isin(q.astype(np.int64) * len(names) + name, allowed)
    bad_rows, entry = _first_per_row(named & ~known, rows)
    first = dict(zip(bad_rows.tolist(), entry.tolist()))
    found.rows(bad_rows, lambda i: f"probabilities.{_key(m, first[i])}", lambda i: (
        f"{shorten(m.keys[first[i]].as_py(), 40)} is not one of the outcomes "
        f"{shorten(ctx.outcomes[int(question[i])], 160)}"))
    given = np.unique(rows[named & known] * np.int64(len(names)) + name[named & known]) // len(names)
    distinct = np.bincount(given, minlength=len(m.offsets) - 1)
    wanted = np.zeros(len(ctx.kind), dtype=np.int64)
    wanted[codes] = [len(ctx.outcomes[k]) for k in codes]
    categorical = (question >= 0) & np.isin(question, codes) & ~m.missing
    short = categorical & ~np.isin(np.arange(len(distinct)), bad_rows) & (distinct < wanted[np.maximum(question, 0)])

    def missing_names(i: int) -> str:
        given = set(m.keys.slice(m.offsets[i], m.offsets[i + 1] - m.offsets[i]).to_pylist())
        text = ", ".join(o for o in ctx.outcomes[int(question[i])] if o not in given)
        return f"missing outcomes: {text if len(text) <= 160 else text[:159] + '…'}"

    found.rows(short, "probabilities", missing_names)


def _check_quantiles(found: Findings, m: Mapping) -> None:
    rows, levels, values = m.entry_rows(), m.keys, m.values
    found.rows(~m.missing & (np.diff(m.offsets) == 0), "quantiles", "must hold at least one quantile")
    with np.errstate(invalid="ignore"):
        bad_level = ~((levels > 0.0) & (levels < 1.0))
    bad_rows, entry = _first_per_row(bad_level, rows)
    first = dict(zip(bad_rows.tolist(), entry.tolist()))
    found.rows(bad_rows, "quantiles",
               lambda i: f"levels must be strictly between 0 and 1, got {float(levels[first[i]])}")
    if m.dates:
        bad_value = m.value_missing | (values < _days(FIRST_DAY)) | (values > _days(LAST_DAY))
        shown = lambda k: "None" if m.value_missing[k] else str(_date(values[k]))  # noqa: E731
        what = f"a date between {FIRST_DAY} and {LAST_DAY}"
    else:
        bad_value = m.value_missing | ~np.isfinite(values)
        shown = lambda k: "None" if m.value_missing[k] else str(float(values[k]))  # noqa: E731
        what = "a finite number"
    value_rows, entry = _first_per_row(bad_value & ~bad_level, rows)
    first_value = dict(zip(value_rows.tolist(), entry.tolist()))
    found.rows(value_rows, "quantiles", lambda i: f"the {float(levels[first_value[i]])} quantile must be {what}, got "
                                                  f"{shown(first_value[i])}")
    clean = ~np.isin(rows, np.concatenate([bad_rows, value_rows]))
    rows, levels, values = rows[clean], levels[clean], values[clean]
    twice_rows, twice_entry = _duplicates(rows, levels)
    again = dict(zip(twice_rows.tolist(), twice_entry.tolist()))
    found.rows(twice_rows, lambda i: f"quantiles.{float(levels[again[i]])}", "duplicate key: given twice in this forecast")
    order = np.lexsort((levels, rows))
    r, lv, v = rows[order], levels[order], values[order]
    falls = (r[1:] == r[:-1]) & (v[1:] < v[:-1]) & (lv[1:] != lv[:-1]) & ~np.isin(r[1:], twice_rows)
    fall_rows, k = _first_per_row(falls, r[1:])
    at = dict(zip(fall_rows.tolist(), k.tolist()))
    value_text = (lambda x: str(_date(x))) if m.dates else (lambda x: str(float(x)))
    found.rows(fall_rows, "quantiles", lambda i: (
        f"out of order: the {float(lv[at[i] + 1])} quantile ({value_text(v[at[i] + 1])}) is below the {float(lv[at[i]])} "
        f"quantile ({value_text(v[at[i]])})"))
