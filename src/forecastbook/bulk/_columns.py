"""Bulk forecasts held as numpy columns, sorted by question, time and forecaster.

Nothing here imports pyarrow: once read, bulk forecasts are plain arrays, and a frame or
a command that uses them never touches Parquet.

>>> import numpy as np
>>> r = Ragged(np.array([0, 2, 2, 3]), np.array(["a", "b", "c"], dtype=object), np.array([0.3, 0.7, 1.0]))
>>> r.row(0), r.row(1), r.take(np.array([2, 0])).row(0)
({'a': 0.3, 'b': 0.7}, None, {'c': 1.0})
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, fields

import numpy as np

from ..problems import Problem, Severity
from ..records import Forecast

__all__ = ["Ragged", "BulkForecasts", "EPOCH", "SHOWN"]

EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc)
SHOWN = 20  # of each kind of problem, the rows a file lists before a count


@dataclass(eq=False)
class Ragged:
    """A column of small mappings (outcome -> probability, level -> value) as three flat
    arrays: row ``i`` holds ``keys[offsets[i]:offsets[i + 1]]`` and the values beside
    them. A row of length 0 has no mapping."""

    offsets: np.ndarray
    keys: np.ndarray
    values: np.ndarray

    def lengths(self) -> np.ndarray:
        return np.diff(self.offsets)

    def entry_rows(self) -> np.ndarray:
        """The row of each entry."""
        return np.repeat(np.arange(len(self.offsets) - 1), self.lengths())

    def take(self, rows: np.ndarray) -> Ragged:
        """The rows at ``rows``, in that order."""
        lengths = self.lengths()[rows]
        offsets = np.zeros(len(rows) + 1, dtype=np.int64)
        np.cumsum(lengths, out=offsets[1:])
        gather = np.repeat(self.offsets[:-1][rows] - offsets[:-1], lengths) + np.arange(offsets[-1])
        return Ragged(offsets, self.keys[gather], self.values[gather])

    def row(self, i: int) -> dict | None:
        start, stop = self.offsets[i], self.offsets[i + 1]
        if start == stop:
            return None
        return dict(zip(self.keys[start:stop].tolist(), self.values[start:stop].tolist()))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Ragged) and all(
            np.array_equal(getattr(self, name), getattr(other, name)) for name in ("offsets", "keys", "values"))


@dataclass(eq=False)
class BulkForecasts:
    """Every bulk forecast of a store that passed its checks, one row each, sorted by
    question id, forecaster id and time.

    ``question`` and ``by`` are positions in ``question_ids`` and ``forecaster_ids``;
    ``at`` is UTC (datetime64[us]); ``probability`` is NaN when absent; ``probabilities``
    (categorical), ``quantiles`` (numeric) and ``date_quantiles`` (date) are
    :class:`Ragged` columns, and ``verbal, derived, rationale`` object arrays, each None
    when no file has it; ``file`` (position in ``files``) and ``row`` (its 1-based data
    row) say where each forecast was read, and ``columns`` gives each file's column
    positions (name -> 1-based).
    """

    files: tuple[str, ...]
    question_ids: np.ndarray
    forecaster_ids: np.ndarray
    question: np.ndarray
    by: np.ndarray
    at: np.ndarray
    probability: np.ndarray
    file: np.ndarray
    row: np.ndarray
    probabilities: Ragged | None = None
    quantiles: Ragged | None = None
    date_quantiles: Ragged | None = None
    verbal: np.ndarray | None = None
    derived: np.ndarray | None = None
    rationale: np.ndarray | None = None
    columns: tuple[dict[str, int], ...] = ()

    def __len__(self) -> int:
        return len(self.question)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, BulkForecasts):
            return NotImplemented
        for f in fields(self):
            mine, theirs = getattr(self, f.name), getattr(other, f.name)
            if isinstance(mine, np.ndarray) and isinstance(theirs, np.ndarray):
                if not np.array_equal(mine, theirs):
                    return False
            elif mine != theirs:
                return False
        return True

    def __repr__(self) -> str:
        return f"<BulkForecasts: {len(self)} forecasts from {len(self.files)} file(s)>"

    def rows_of(self, qid: str) -> np.ndarray:
        """Positions of the forecasts on question ``qid`` (by forecaster, then time)."""
        code = np.searchsorted(self.question_ids, qid)
        if code >= len(self.question_ids) or self.question_ids[code] != qid:
            return np.arange(0)
        # in the column's own type: numpy would otherwise convert the whole column to compare
        return np.arange(*np.searchsorted(self.question, np.array([code, code + 1], dtype=self.question.dtype)))

    def rows_of_any(self, qids: Iterable[str]) -> np.ndarray:
        """Positions of the forecasts on any of the questions ``qids``, in order."""
        wanted = np.array(sorted(set(qids)), dtype=object)
        codes = np.minimum(np.searchsorted(self.question_ids, wanted), max(len(self.question_ids) - 1, 0))
        codes = codes[self.question_ids[codes] == wanted] if len(self.question_ids) else codes[:0]
        starts = np.searchsorted(self.question, codes.astype(self.question.dtype))
        lengths = np.searchsorted(self.question, (codes + 1).astype(self.question.dtype)) - starts
        begins = np.cumsum(lengths) - lengths  # where each question's rows begin in the answer
        return np.repeat(starts - begins, lengths) + np.arange(lengths.sum())

    def row_at(self, qid: str, by: str, at: dt.datetime) -> int | None:
        """The position of ``by``'s forecast on ``qid`` made at ``at`` (to the
        microsecond), if there is one."""
        rows = self.rows_of(qid)
        code = np.searchsorted(self.forecaster_ids, by)
        if not len(rows) or code >= len(self.forecaster_ids) or self.forecaster_ids[code] != by:
            return None
        micros = (at - EPOCH) // dt.timedelta(microseconds=1)
        found = rows[(self.by[rows] == code) & (self.at[rows].astype(np.int64) == micros)]
        return int(found[0]) if len(found) else None

    def where(self, k: int) -> str:
        """Where the forecast at position ``k`` was read, as a message names it."""
        return f"row {int(self.row[k])} of {self.files[int(self.file[k])]}"

    def problems(self, found: Iterable[tuple[int, str, str]], *, what: str,
                 severity: Severity = "warning") -> list[Problem]:
        """``(position, column, message)`` findings about forecasts, each placed at its
        file, data row and column; of each column a file lists :data:`SHOWN` rows, then
        one problem with the count of the rest (``what`` names them)."""
        groups: dict[tuple[int, str], list[tuple[int, str]]] = {}
        for k, column, message in found:
            groups.setdefault((int(self.file[k]), column), []).append((int(self.row[k]), message))
        out = []
        for (f, column), rows in groups.items():
            rows.sort(key=lambda item: item[0])
            col = self.columns[f].get(column, 1) if f < len(self.columns) else 1
            out += [Problem(self.files[f], row, col, severity, column, message) for row, message in rows[:SHOWN]]
            if len(rows) > SHOWN:
                out.append(Problem(self.files[f], rows[SHOWN][0], col, severity, column,
                                   f"and {len(rows) - SHOWN} more {what} (the first {SHOWN} are listed)"))
        return out

    def counts(self) -> np.ndarray:
        """How many forecasts each question of ``question_ids`` has."""
        return np.bincount(self.question, minlength=len(self.question_ids))

    def values(self, name: str, rows: np.ndarray) -> np.ndarray:
        """The object column ``name`` (``probabilities``, ``quantiles``, ``verbal``,
        ``derived``, ``rationale``) at ``rows``: dicts, text or None."""
        out = np.full(len(rows), None, dtype=object)
        if name == "quantiles":
            for ragged in (self.quantiles, self.date_quantiles):
                if ragged is not None:
                    mine = ragged.lengths()[rows] > 0
                    picked = ragged.take(rows[mine])
                    out[mine] = [picked.row(i) for i in range(int(mine.sum()))]
            return out
        column = getattr(self, name)
        if isinstance(column, Ragged):
            mine = column.lengths()[rows] > 0
            picked = column.take(rows[mine])
            out[mine] = [picked.row(i) for i in range(int(mine.sum()))]
        elif column is not None:
            out[:] = column[rows]
        return out

    def forecasts(self, rows: np.ndarray) -> list[Forecast]:
        """The forecasts at ``rows`` as records (built without validating again: they
        passed the same checks when read)."""
        micros = self.at[rows].astype(np.int64).tolist()
        columns = {name: self.values(name, rows) for name in ("probabilities", "quantiles", "verbal", "derived",
                                                              "rationale")}
        probability = self.probability[rows]
        out = []
        for k, i in enumerate(rows.tolist()):
            p = probability[k]
            out.append(Forecast.model_construct(
                by=self.forecaster_ids[self.by[i]], at=EPOCH + dt.timedelta(microseconds=micros[k]),
                probability=None if np.isnan(p) else float(p),
                **{name: values[k] for name, values in columns.items()}))
        return out
