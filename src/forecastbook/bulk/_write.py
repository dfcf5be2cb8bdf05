"""Forecast records as a bulk file, in the schema :mod:`forecastbook.bulk` reads.

>>> import datetime as dt
>>> from forecastbook.records import Forecast
>>> at = dt.datetime(2026, 1, 2, 8, tzinfo=dt.timezone(dt.timedelta(hours=8)))
>>> t = forecasts_table([("q", Forecast(by="m1", at=at, probability=0.25))])
>>> t.column_names, t.column("at").type, t.column("at")[0].as_py().isoformat()
(['question', 'by', 'at', 'probability'], TimestampType(timestamp[us, tz=UTC]), '2026-01-02T00:00:00+00:00')
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterable

import pyarrow as pa
import pyarrow.parquet as pq

from ..records import Forecast
from ._columns import EPOCH

__all__ = ["forecasts_table", "parquet_bytes"]

_MICROSECOND = dt.timedelta(microseconds=1)


def _quantile_type(rows: list[tuple[str, Forecast]]) -> pa.DataType:
    kinds = {isinstance(v, dt.date) for _, f in rows if f.quantiles for v in f.quantiles.values()}
    if len(kinds) > 1:
        raise ValueError("quantile values are numbers in some forecasts and dates in others: "
                         "write them to two files")
    return pa.map_(pa.float64(), pa.date32() if kinds == {True} else pa.float64())


def forecasts_table(forecasts: Iterable[tuple[str, Forecast]]) -> pa.Table:
    """``(question id, forecast)`` pairs as a table of the bulk schema, in the order
    given; an optional column is there only when some forecast has it."""
    rows = list(forecasts)
    columns = {
        "question": pa.array([qid for qid, _ in rows], type=pa.string()),
        "by": pa.array([f.by for _, f in rows], type=pa.string()),
        "at": pa.array([(f.at - EPOCH) // _MICROSECOND for _, f in rows], type=pa.int64()).cast(
            pa.timestamp("us", tz="UTC")),
    }
    optional = {
        "probability": pa.float64(), "probabilities": pa.map_(pa.string(), pa.float64()),
        "quantiles": _quantile_type(rows), "verbal": pa.string(), "derived": pa.string(), "rationale": pa.string(),
    }
    for name, kind in optional.items():
        values = [getattr(f, name) for _, f in rows]
        if any(v is not None for v in values):
            if pa.types.is_map(kind):
                values = [None if v is None else list(v.items()) for v in values]
            columns[name] = pa.array(values, type=kind)
    return pa.table(columns)


def parquet_bytes(table: pa.Table) -> bytes:
    """A table as the bytes of a Parquet file (zstd; the same bytes for the same table)."""
    buffer = io.BytesIO()
    pq.write_table(table, buffer, compression="zstd")
    return buffer.getvalue()
