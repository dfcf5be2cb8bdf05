"""Every bulk file of a store read, checked and merged into one set of columns.

Rows are checked file by file. The rows without errors are then sorted once by
(question, forecaster, time), together with the YAML forecasts on the same questions: a
forecast given twice is reported at its later place (records first, then the files in
order, each by row), and the rest, in that order, become one
:class:`~forecastbook.bulk._columns.BulkForecasts`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Mapping as MappingType, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa

from ..problems import Problem, shorten
from ..records import Question
from ._checks import Context, Findings, check_rows
from ._columns import EPOCH, BulkForecasts, Ragged
from ._read import FileColumns, Mapping, read_file

__all__ = ["merge"]

_MICROSECOND = dt.timedelta(microseconds=1)


@dataclass
class _Checked:
    path: str
    cols: FileColumns
    found: Findings
    question: np.ndarray
    by: np.ndarray
    ok: np.ndarray | None = None  # rows without errors, before duplicates are looked for


def merge(paths: Sequence[Path], questions: MappingType[str, Question], forecasters: Collection[str], *,
          question_files: Collection[str] = (), today: dt.date | None = None,
          ) -> tuple[BulkForecasts | None, list[Problem]]:
    ctx = Context.of(questions, forecasters, question_files=question_files, today=today)
    problems: list[Problem] = []
    checked: list[_Checked] = []
    for path in paths:
        cols, why = read_file(path)
        pa.default_memory_pool().release_unused()  # the file as read is let go: its pages are not kept for reuse
        problems += why
        if cols is None:
            continue
        try:
            checked.append(_Checked(str(path), cols, *check_rows(cols, ctx, str(path))))
        except Exception as exc:  # noqa: BLE001 -- input no check foresaw: one problem, never a traceback
            problems.append(Problem(str(path), 1, 1, "error", "(file)",
                                    f"cannot be checked: {type(exc).__name__}: {shorten(str(exc), 120)}"))
    for c in checked:
        c.ok = np.flatnonzero(~c.found.bad)
    bulk = None
    if sum(len(c.ok) for c in checked):
        bulk = _merged(checked, questions, ctx)
    for c in checked:
        problems += c.found.problems
    return bulk, problems


def _yaml_keys(questions: MappingType[str, Question], ctx: Context, codes: np.ndarray) -> tuple[np.ndarray, ...]:
    """(question, forecaster, microseconds, forecast index) of the YAML forecasts on the
    questions at ``codes``."""
    q, by, at, index = [], [], [], []
    for code in codes.tolist():
        for i, f in enumerate(questions[ctx.question_ids[code]].forecasts):
            who = np.searchsorted(ctx.forecaster_ids, f.by)
            if who < len(ctx.forecaster_ids) and ctx.forecaster_ids[who] == f.by:
                q.append(code)
                by.append(who)
                at.append((f.at - EPOCH) // _MICROSECOND)
                index.append(i)
    return tuple(np.array(values, dtype=np.int64) for values in (q, by, at, index))


def _merged(checked: list[_Checked], questions: MappingType[str, Question], ctx: Context) -> BulkForecasts | None:
    """The rows without errors, sorted, less the forecasts given twice (reported)."""
    width = len(ctx.forecaster_ids) + 1
    pair = np.concatenate([c.question[c.ok].astype(np.int64) * width + c.by[c.ok] for c in checked])  # one number
    at = np.concatenate([c.cols.at[c.ok] for c in checked])
    source = np.concatenate([np.full(len(c.ok), k, dtype=np.int16) for k, c in enumerate(checked)])
    row = np.concatenate([c.ok for c in checked])
    asked = sum(np.bincount(c.question[c.ok], minlength=len(ctx.question_ids)) for c in checked)
    yq, yby, yat, yindex = _yaml_keys(questions, ctx, np.flatnonzero(asked))
    n_yaml = len(yq)
    if n_yaml:
        pair, at = np.concatenate([yq * width + yby, pair]), np.concatenate([yat, at])
    order = np.lexsort((at, pair))  # stable: records, then files
    again = _again(pair, at, order)
    del pair, at
    if again.any():
        first = order[np.maximum.accumulate(np.where(again, 0, np.arange(len(order))))]
        _report_twice(checked, order[again] - n_yaml, first[again], n_yaml, source, row, yindex, ctx, yq)
    kept = order[~again & (order >= n_yaml)] - n_yaml
    if not len(kept):
        return None
    return _columns(checked, ctx, kept, source, row)


def _again(pair: np.ndarray, at: np.ndarray, order: np.ndarray) -> np.ndarray:
    """Which rows, in ``order``, have the same question, forecaster and time as the row before."""
    again = np.zeros(len(order), dtype=bool)
    in_order = pair[order]
    again[1:] = in_order[1:] == in_order[:-1]
    in_order = at[order]
    again[1:] &= in_order[1:] == in_order[:-1]
    return again


def _report_twice(checked: list[_Checked], later: np.ndarray, first: np.ndarray, n_yaml: int, source: np.ndarray,
                  row: np.ndarray, yindex: np.ndarray, ctx: Context, yq: np.ndarray) -> None:
    def place(k: int, here: int) -> str:
        if k < n_yaml:
            return f"forecasts[{yindex[k]}] in the record of '{ctx.question_ids[yq[k]]}'"
        k -= n_yaml
        if source[k] == here:
            return f"row {row[k] + 1}"
        return f"row {row[k] + 1} of {checked[source[k]].path}"

    for here, c in enumerate(checked):
        mine = source[later] == here
        earlier = dict(zip(row[later[mine]].tolist(), first[mine].tolist()))
        c.found.rows(np.sort(row[later[mine]]), "at",
                     lambda i, earlier=earlier, here=here: f"the same question, forecaster and time as "
                                                           f"{place(earlier[i], here)}")


def _ragged(m: Mapping | None, rows: np.ndarray) -> Ragged | None:
    """The mapping column at ``rows`` (quantiles by level, as a YAML record holds them)."""
    keys = m.keys.to_numpy(zero_copy_only=False) if isinstance(m.keys, pa.Array) else m.keys
    values = m.values.astype("datetime64[D]") if m.dates else m.values
    if not isinstance(m.keys, pa.Array):
        by_level = np.lexsort((keys, m.entry_rows()))
        keys, values = keys[by_level], values[by_level]
    return Ragged(m.offsets, keys, values).take(rows)


def _empty(n: int, like: Ragged) -> Ragged:
    return Ragged(np.zeros(n + 1, dtype=np.int64), like.keys[:0], like.values[:0])


def _concat(parts: list[Ragged | None], lengths: list[int]) -> Ragged | None:
    like = next((p for p in parts if p is not None), None)
    if like is None:
        return None
    filled = [p if p is not None else _empty(n, like) for p, n in zip(parts, lengths)]
    offsets = [filled[0].offsets]
    for p in filled[1:]:
        offsets.append(p.offsets[1:] + offsets[-1][-1])
    return Ragged(np.concatenate(offsets), np.concatenate([p.keys for p in filled]),
                  np.concatenate([p.values for p in filled]))


def _mapping_column(checked: list[_Checked], name: str, *, dates: bool | None = None) -> Ragged | None:
    parts = []
    for c in checked:
        m = getattr(c.cols, name)
        usable = m is not None and (dates is None or m.dates == dates) and (~m.missing[c.ok]).any()
        parts.append(_ragged(m, c.ok) if usable else None)
    return _concat(parts, [len(c.ok) for c in checked])


def _text_column(checked: list[_Checked], name: str) -> np.ndarray | None:
    if all(getattr(c.cols, name) is None for c in checked):
        return None
    out = np.full(sum(len(c.ok) for c in checked), None, dtype=object)
    start = 0
    for c in checked:
        column = getattr(c.cols, name)
        if column is not None:
            out[start:start + len(c.ok)] = column.take(pa.array(c.ok)).to_numpy(zero_copy_only=False)
        start += len(c.ok)
    return out


def _columns(checked: list[_Checked], ctx: Context, kept: np.ndarray, source: np.ndarray,
             row: np.ndarray) -> BulkForecasts:
    """The kept rows (positions among the rows without errors, in order) as columns."""
    def joined(get) -> np.ndarray:  # noqa: ANN001
        if len(checked) == 1:  # one file: its rows without errors are ``row``
            return get(checked[0])[row[kept]]
        return np.concatenate([get(c)[c.ok] for c in checked])[kept]

    mappings = {"probabilities": _mapping_column(checked, "probabilities"),
                "quantiles": _mapping_column(checked, "quantiles", dates=False),
                "date_quantiles": _mapping_column(checked, "quantiles", dates=True)}
    texts = {name: _text_column(checked, name) for name in ("verbal", "derived", "rationale")}
    return BulkForecasts(
        files=tuple(c.path for c in checked), question_ids=ctx.question_ids, forecaster_ids=ctx.forecaster_ids,
        question=joined(lambda c: c.question).astype(np.int32), by=joined(lambda c: c.by).astype(np.int32),
        at=joined(lambda c: c.cols.at).astype("datetime64[us]"),
        probability=joined(lambda c: c.cols.probability if c.cols.probability is not None
                           else np.full(c.cols.n, np.nan)),
        file=source[kept].astype(np.int16), row=row[kept] + 1, columns=tuple(c.cols.positions for c in checked),
        **{name: m.take(kept) for name, m in mappings.items() if m is not None},
        **{name: t[kept] for name, t in texts.items() if t is not None and any(v is not None for v in t[kept])})
