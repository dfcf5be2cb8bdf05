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
from dataclasses import dataclass, fields

import numpy as np

from ..records import Forecast

__all__ = ["Ragged", "BulkForecasts", "EPOCH"]

EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc)


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
    row) say where each forecast was read.
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
        return np.arange(*np.searchsorted(self.question, [code, code + 1]))

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
