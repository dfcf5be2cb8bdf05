"""Opening one bulk file safely and reading its columns into plain arrays.

A file is read only if it is a regular file (not a link, FIFO or device) within the size
limits, starts and ends with Parquet's magic bytes, declares a sane number of rows and
bytes, and has exactly the columns of the schema with their types. Anything else is one
located problem, never an exception. Needs pyarrow (imported by the caller's caller).
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from ..problems import Problem, shorten

__all__ = ["FileColumns", "Mapping", "read_file", "COLUMNS", "REQUIRED", "MAX_BYTES", "MAX_ROWS", "MAX_UNPACKED"]

MAX_BYTES = 1 << 30  # 1 GiB on disk
MAX_ROWS = 10_000_000
MAX_UNPACKED = 4 << 30  # 4 GiB once decompressed, as the file declares it
MAGIC = b"PAR1"

COLUMNS = ("question", "by", "at", "probability", "probabilities", "quantiles", "verbal", "derived", "rationale")
REQUIRED = ("question", "by", "at")
TEXT_COLUMNS = ("question", "by", "verbal", "derived", "rationale")
_WANTED = {
    "question": "string", "by": "string", "verbal": "string", "derived": "string", "rationale": "string",
    "at": "a timestamp with a time zone (UTC), e.g. timestamp[us, tz=UTC]",
    "probability": "float64",
    "probabilities": "map<string, float64>",
    "quantiles": "map<float64, float64> (numeric questions) or map<float64, date32> (date questions)",
}


@dataclass
class Mapping:
    """A map column flattened: row ``i`` holds entries ``offsets[i]:offsets[i + 1]``;
    ``missing`` marks rows without a mapping, ``value_missing`` entries without a value."""

    offsets: np.ndarray
    keys: np.ndarray | pa.Array
    values: np.ndarray
    missing: np.ndarray
    value_missing: np.ndarray
    dates: bool = False  # values are days since 1970-01-01 (date questions)

    def entry_rows(self) -> np.ndarray:
        return np.repeat(np.arange(len(self.offsets) - 1), np.diff(self.offsets))


@dataclass
class FileColumns:
    """One file's columns, typed as the schema says: text as Arrow strings (looked up
    without making Python strings; ``question`` and ``by`` stay dictionary-encoded when
    the file has them so), the rest as numpy arrays; an absent optional column is None."""

    n: int
    positions: dict[str, int]  # column name -> its 1-based position in the file
    question: pa.Array
    by: pa.Array
    at: np.ndarray  # microseconds since the epoch, UTC
    at_missing: np.ndarray
    at_in_range: np.ndarray
    probability: np.ndarray | None = None  # NaN where missing
    probability_missing: np.ndarray | None = None
    probabilities: Mapping | None = None
    quantiles: Mapping | None = None
    verbal: pa.Array | None = None
    derived: pa.Array | None = None
    rationale: pa.Array | None = None


def _problem(path: Path, message: str, *, field: str = "(file)", col: int = 1) -> Problem:
    return Problem(str(path), 1, col, "error", field, message)


def _open(path: Path) -> tuple[object | None, Problem | None]:
    """A binary file object for ``path``, or why it is not read."""
    try:
        st = os.lstat(path)
    except OSError as exc:
        return None, _problem(path, f"cannot be read: {exc.strerror}")
    if stat.S_ISLNK(st.st_mode):
        return None, _problem(path, "is a symbolic link: forecast files are regular files (links are not read)")
    if not stat.S_ISREG(st.st_mode):
        return None, _problem(path, "is not a regular file (a FIFO, device or socket): not read")
    if st.st_size > MAX_BYTES:
        return None, _problem(path, f"is {st.st_size} bytes, over the 1 GiB a forecasts file may have: not read")
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError as exc:
        return None, _problem(path, f"cannot be read: {exc.strerror}")
    fh = os.fdopen(fd, "rb")
    st = os.fstat(fd)
    if not stat.S_ISREG(st.st_mode) or st.st_size > MAX_BYTES:  # replaced since it was looked at
        fh.close()
        return None, _problem(path, "changed while being opened: not read")
    head = fh.read(4)
    fh.seek(max(st.st_size - 4, 0))
    tail = fh.read(4)
    if st.st_size < 12 or head != MAGIC or tail != MAGIC:
        fh.close()
        what = "encrypted Parquet is not read" if tail == b"PARE" else \
            "a Parquet file starts and ends with the bytes PAR1 (truncated, or another format)"
        return None, _problem(path, f"not a Parquet file: {what}")
    fh.seek(0)
    return fh, None


def _check_schema(path: Path, schema: pa.Schema) -> tuple[dict[str, int], list[Problem]]:
    positions: dict[str, int] = {}
    problems = []
    for k, name in enumerate(schema.names, start=1):
        if name in positions:
            problems.append(_problem(path, "the column is given twice", field=shorten(name, 40).strip("'"), col=k))
        elif name not in COLUMNS:
            problems.append(_problem(path, f"unknown column (the columns are {', '.join(COLUMNS)})",
                                     field=shorten(name, 40).strip("'"), col=k))
        positions.setdefault(name, k)
    for name in REQUIRED:
        if name not in positions:
            problems.append(_problem(path, "required column is missing", field=name))
    for name, k in positions.items():
        if name in COLUMNS and not _type_ok(name, schema.field(k - 1).type):
            problems.append(_problem(path, f"must be {_WANTED[name]}, got {_type_text(schema.field(k - 1).type)}",
                                     field=name, col=k))
    return positions, problems


def _type_text(t: pa.DataType) -> str:
    if pa.types.is_timestamp(t) and t.tz is None:
        return f"{t} without a time zone (write it with tz='UTC')"
    return shorten(str(t), 80).strip("'")


def _is_text(t: pa.DataType) -> bool:
    if pa.types.is_dictionary(t):
        t = t.value_type
    return pa.types.is_string(t) or pa.types.is_large_string(t) or pa.types.is_string_view(t)


def _type_ok(name: str, t: pa.DataType) -> bool:
    if pa.types.is_null(t):
        return name not in REQUIRED
    if name in TEXT_COLUMNS:
        return _is_text(t)
    if name == "at":
        return pa.types.is_timestamp(t) and t.tz is not None
    if name == "probability":
        return pa.types.is_floating(t)
    if name in ("probabilities", "quantiles") and not pa.types.is_map(t):
        return False
    if name == "probabilities":
        return _is_text(t.key_type) and pa.types.is_floating(t.item_type)
    return pa.types.is_floating(t.key_type) and (pa.types.is_floating(t.item_type) or pa.types.is_date(t.item_type))


def read_file(path: Path) -> tuple[FileColumns | None, list[Problem]]:
    """The columns of one bulk file, or the problems that stop it being read."""
    fh, why = _open(path)
    if why is not None:
        return None, [why]
    try:
        with fh:
            return _read(path, fh)
    except MemoryError:
        return None, [_problem(path, "cannot be read: it needs more memory than there is")]
    except Exception as exc:  # noqa: BLE001 -- a damaged or hostile file: every failure is a problem
        return None, [_problem(path, f"cannot be read as Parquet: {shorten(str(exc), 160).strip(chr(39))}")]


def _read(path: Path, fh: object) -> tuple[FileColumns | None, list[Problem]]:
    # all on this thread: Arrow's reader threads can still be alive when the interpreter
    # exits, which aborts it now and then; one file decodes fast enough alone
    pf = pq.ParquetFile(fh, pre_buffer=False)
    meta = pf.metadata
    declared = sum(meta.row_group(i).num_rows for i in range(meta.num_row_groups))
    unpacked = sum(meta.row_group(i).total_byte_size for i in range(meta.num_row_groups))
    if meta.num_rows > MAX_ROWS or declared > MAX_ROWS:
        return None, [_problem(path, f"declares {max(meta.num_rows, declared)} rows, over the {MAX_ROWS:,} a "
                                     "forecasts file may have: not read (split it)")]
    if meta.num_rows != declared or meta.num_rows < 0:
        return None, [_problem(path, f"declares {meta.num_rows} rows but its row groups hold {declared}: not read")]
    if unpacked > MAX_UNPACKED:
        return None, [_problem(path, f"declares {unpacked} bytes once decompressed, over the 4 GiB a forecasts "
                                     "file may have: not read (split it)")]
    positions, problems = _check_schema(path, pf.schema_arrow)
    if problems:
        return None, problems
    table = pf.read(columns=list(positions), use_threads=False)
    table.validate(full=True)  # offsets in bounds, text that is UTF-8
    return _columns(table, positions), []


def _array(table: pa.Table, name: str, *, decode: bool = True) -> pa.Array | None:
    if name not in table.column_names or pa.types.is_null(table.schema.field(name).type):
        return None
    column = table.column(name)
    array = column.combine_chunks() if column.num_chunks != 1 else column.chunk(0)
    if pa.types.is_dictionary(array.type) and (decode or array.indices.null_count):
        array = array.dictionary_decode()
    return array


def _text(array: pa.Array | None) -> pa.Array | None:
    """Text as ``large_string`` (dictionary values too: the rows stay codes)."""
    if array is None:
        return None
    if pa.types.is_dictionary(array.type):
        return pa.DictionaryArray.from_arrays(array.indices, pc.cast(array.dictionary, pa.large_string()))
    return pc.cast(array, pa.large_string())


def _micros(array: pa.Array) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Microseconds since the epoch (finer digits dropped), which rows are missing, and
    which are within 1900-01-01 to 2999-12-31 (checked in the file's own unit, before
    anything can overflow)."""
    unit = array.type.unit
    missing = array.is_null().to_numpy(zero_copy_only=False)
    raw = pc.cast(array, pa.int64()).fill_null(0).to_numpy(zero_copy_only=False)
    per_second = {"s": 1, "ms": 1_000, "us": 1_000_000, "ns": 1_000_000_000}[unit]
    first, last = -2208988800, 32503680000  # 1900-01-01 and 3000-01-01, in seconds
    in_range = ~missing & (raw >= first * per_second)
    if unit != "ns":  # nanoseconds end in 2262
        in_range &= raw < last * per_second
    micros = np.where(in_range, raw, 0)
    if unit == "ns":
        micros //= 1000
    elif unit != "us":
        micros *= 1_000_000 // per_second
    return micros, missing, in_range


def _floats(array: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    missing = array.is_null().to_numpy(zero_copy_only=False)
    values = pc.cast(array, pa.float64()).to_numpy(zero_copy_only=False)
    return np.where(missing, np.nan, values), missing


def _mapping(array: pa.Array | None, *, text_keys: bool) -> Mapping | None:
    if array is None:
        return None
    offsets = array.offsets.to_numpy().astype(np.int64)
    first, last = int(offsets[0]), int(offsets[-1])
    keys = array.keys.slice(first, last - first)
    items = array.items.slice(first, last - first)
    dates = pa.types.is_date(items.type)
    if dates:
        value_missing = items.is_null().to_numpy(zero_copy_only=False)
        values = pc.cast(pc.cast(items, pa.date32()), pa.int32()).to_numpy(zero_copy_only=False)
        values = np.where(value_missing, 0, values).astype(np.int64)
    else:
        values, value_missing = _floats(items)
    keys = pc.cast(keys, pa.large_string()) if text_keys else _floats(keys)[0]
    return Mapping(offsets - first, keys, values, array.is_null().to_numpy(zero_copy_only=False), value_missing,
                   dates)


def _columns(table: pa.Table, positions: dict[str, int]) -> FileColumns:
    at, at_missing, at_in_range = _micros(_array(table, "at"))
    cols = FileColumns(n=table.num_rows, positions=positions, question=_text(_array(table, "question", decode=False)),
                       by=_text(_array(table, "by", decode=False)), at=at, at_missing=at_missing,
                       at_in_range=at_in_range)
    probability = _array(table, "probability")
    if probability is not None:
        cols.probability, cols.probability_missing = _floats(probability)
    cols.probabilities = _mapping(_array(table, "probabilities"), text_keys=True)
    cols.quantiles = _mapping(_array(table, "quantiles"), text_keys=False)
    for name in ("verbal", "derived", "rationale"):
        setattr(cols, name, _text(_array(table, name)))
    return cols
