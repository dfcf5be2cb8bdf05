"""The tidy frames of a store as CSV, JSON Lines or Parquet: the columns of
:func:`~forecastbook.frames.questions_frame`, :func:`~forecastbook.frames.forecasts_frame` and
:func:`~forecastbook.evaluate.binary_scores`, so a store opens in pandas, DuckDB, R or a
spreadsheet.

In CSV and Parquet, cells holding several values (``tags``, ``probabilities``,
``quantiles``) and mixed cells (``outcome``: yes/no, a name, a number or a date) are JSON
text; dates are ISO text; in JSON Lines they are JSON values.

>>> import forecastbook
>>> frame = table(forecastbook.load_store("forecasts"), "questions", as_of="2026-11-27")
>>> list(frame.columns[:4])
['id', 'title', 'kind', 'status']
"""

from __future__ import annotations

import datetime as dt
import io
import json
import math
from typing import Any, Literal

__all__ = ["table", "encode", "WHAT", "FORMATS"]

WHAT = ("questions", "forecasts", "scores")
FORMATS = ("csv", "jsonl", "parquet")


def table(store, what: Literal["questions", "forecasts", "scores"], *, as_of: dt.date | str):  # noqa: ANN001, ANN201
    """The tidy frame ``what`` of ``store`` as of a date."""
    from ..evaluate import binary_scores
    from ..frames import forecasts_frame, questions_frame

    if what == "questions":
        return questions_frame(store, as_of=as_of)
    if what == "forecasts":
        return forecasts_frame(store, as_of=as_of)
    if what == "scores":
        return binary_scores(store, as_of=as_of)
    raise ValueError(f"what must be one of {', '.join(WHAT)}, got {what!r}")


def _json_value(value: Any) -> Any:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): _json_value(v) for k, v in value.items()}
    if isinstance(value, (tuple, list)):
        return [_json_value(v) for v in value]
    if hasattr(value, "item"):  # numpy scalars
        return value.item()
    return value


def _text(value: Any) -> str | None:
    plain = _json_value(value)
    if plain is None or isinstance(plain, str):
        return plain
    return json.dumps(plain, ensure_ascii=False)


def _flat(frame):  # noqa: ANN001, ANN202
    """Object columns as text (JSON for anything that is not already text)."""
    out = frame.copy()
    for name in out.columns:
        if out[name].dtype == object:
            out[name] = out[name].map(_text).astype(object)
    return out


def encode(frame, fmt: Literal["csv", "jsonl", "parquet"]) -> bytes:  # noqa: ANN001
    """A frame as the bytes of a CSV, JSON Lines or Parquet file."""
    if fmt == "csv":
        return _flat(frame).to_csv(index=False, lineterminator="\n").encode("utf-8")
    if fmt == "jsonl":
        rows = [{k: _json_value(v) for k, v in row.items()} for row in frame.to_dict(orient="records")]
        return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows).encode("utf-8")
    if fmt == "parquet":
        import pyarrow as pa
        import pyarrow.parquet as pq

        buffer = io.BytesIO()
        pq.write_table(pa.Table.from_pandas(_flat(frame), preserve_index=False), buffer)
        return buffer.getvalue()
    raise ValueError(f"format must be one of {', '.join(FORMATS)}, got {fmt!r}")
