"""Bulk forecasts: forecasts kept in Parquet columns beside the question records.

YAML lists suit forecasts people make; a model run or a benchmark round (1,000 questions
by 500 models is 500,000 forecasts) belongs in columns. Any folder of a store may hold a
file named ``forecasts.parquet`` or ``NAME.forecasts.parquet``; its rows are forecasts
on questions anywhere in the store, read every time the store is read (never cached),
checked as YAML forecasts are, and scored with them.

The schema: one row per forecast, the columns below and no others.

============= ============================================= =============================
column        Arrow type                                    means (as in a YAML forecast)
============= ============================================= =============================
question      string (required)                             id of a question record
by            string (required)                             id of a forecaster record
at            timestamp with a time zone (required), e.g.   when it was made; a time
              ``timestamp[us, tz=UTC]``                     without a zone is an error
probability   float64                                       binary questions: P(yes)
probabilities map<string, float64>                          categorical: outcome ->
                                                            probability, summing to 1
quantiles     map<float64, float64> (numeric questions) or  level in (0, 1) -> value
              map<float64, date32> (date questions)
verbal        string                                        the words it was read from
derived       string                                        how it was read from them
rationale     string                                        why
============= ============================================= =============================

A row gives the one value column its question's kind uses (the others empty); an optional
column may be left out. ``large_string``, dictionary-encoded text and float32 are read
too; time is read to the microsecond. Quantile values in one file are all numbers or all
dates, so a store with numeric and date questions keeps their quantiles in two files.

Checks (vectorised, with the messages YAML forecasts get): the columns and their types;
known question and forecaster ids; probabilities in [0, 1] and not NaN; the value column
the question's kind uses; categorical probabilities summing to 1 over the question's
outcomes, each named once; quantile levels in (0, 1), values finite and not decreasing;
``derived`` only with ``verbal``; ``at`` between 1900 and 2999 and not in the future;
forecasts after the question closed or before it was created (warnings, as in YAML); the
same (question, by, at) twice, in the files or in a YAML record. A problem names the file,
the 1-based data row as its line, and the column (field); of each kind a file lists 20
rows, then a count. A file that is not a regular file, over 1 GiB, over 10,000,000 rows
or 4 GiB decompressed (as declared), not Parquet, truncated or damaged, or whose columns
are wrong, is one problem and is not read further. A row with an error is left out of the
forecasts, as a YAML record that fails its model is.

Reading needs pyarrow (``pip install 'forecastbook[parquet]'``); without it each file is
an error saying so. Importing :mod:`forecastbook` imports neither pyarrow nor pandas.

Once read, bulk forecasts are numpy columns (``store.bulk``). The frames of
:mod:`forecastbook.frames` append them to the records' forecasts, so every score is the
same whichever way a forecast is kept; ``show``, ``list`` and the exports use
:func:`forecasts_of` and :func:`latest_of`. The coherence checks and lints of
:mod:`forecastbook.coherence` look at them as at the records' forecasts, and place what
they find at the file, row and column; the ``forecast`` command refuses a forecast made at
the moment of one of the same forecaster's bulk forecasts on the question.

>>> import datetime as dt, pathlib, tempfile
>>> import pyarrow as pa, pyarrow.parquet as pq
>>> import forecastbook
>>> root = pathlib.Path(tempfile.mkdtemp())
>>> for folder in ("forecasters", "round"):
...     (root / folder).mkdir()
>>> _ = (root / "forecasters" / "m1.yaml").write_text("id: m1\\nname: Model one\\nkind: model\\n")
>>> _ = (root / "round" / "q.yaml").write_text("id: q\\ntitle: Q\\nkind: binary\\ncriteria: c\\n"
...     "created: 2026-01-01\\ncloses: 2026-01-31\\nresolve_by: 2026-02-28\\n")
>>> at = dt.datetime(2026, 1, 2, tzinfo=dt.timezone.utc)
>>> pq.write_table(pa.table({"question": ["q", "q"], "by": ["m1", "m1"], "at": [at, at + dt.timedelta(days=1)],
...                          "probability": [0.3, 1.3]}), root / "round" / "forecasts.parquet")
>>> store = forecastbook.load_store(root, cache=False)
>>> for p in store.problems: print(p.line, p.col, p.field, p.message)
2 4 probability must be between 0 and 1, got 1.3
>>> len(store.bulk), [f.probability for f in forecasts_of(store, store.questions["q"])]
(1, [0.3])
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from ..problems import Problem

if TYPE_CHECKING:
    import numpy as np

    from ..records import Forecast, Question
    from ..store import Store
    from ._columns import BulkForecasts

__all__ = ["BulkFile", "is_bulk_name", "read", "placed", "forecasts_of", "count_of", "forecasters_of", "latest_of",
           "FILE_NAME", "SUFFIX", "INSTALL"]

FILE_NAME = "forecasts.parquet"
SUFFIX = ".forecasts.parquet"
INSTALL = "pip install 'forecastbook[parquet]'"


class BulkFile:
    """Marks a bulk forecasts file among the files a store reads (it has no model)."""


def is_bulk_name(name: str) -> bool:
    """Whether a file of this name holds bulk forecasts.

    >>> is_bulk_name("forecasts.parquet"), is_bulk_name("round-1.forecasts.parquet"), is_bulk_name("x.parquet")
    (True, True, False)
    """
    return name == FILE_NAME or (name.endswith(SUFFIX) and len(name) > len(SUFFIX))


def read(paths: Sequence[Path], questions: Mapping[str, Question], forecasters: Collection[str], *,
         question_files: Collection[str] = (), today: dt.date | None = None,
         ) -> tuple[BulkForecasts | None, list[Problem]]:
    """The forecasts of the bulk files ``paths`` that pass their checks, and the problems
    of all of them (see the module's docstring); None when no file has any forecast."""
    if not paths:
        return None, []
    try:
        import pyarrow as pa
    except ImportError:
        return None, [Problem(str(p), 1, 1, "error", "(file)", f"reading forecasts from Parquet needs pyarrow: {INSTALL}")
                      for p in paths]
    from ._merge import merge

    try:
        return merge(paths, questions, forecasters, question_files=question_files, today=today)
    finally:
        pa.default_memory_pool().release_unused()  # the files' buffers are no longer needed: give them back


def placed(bulk: BulkForecasts | None, ids: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """For the questions ``ids`` (sorted), the position in ``ids`` of each bulk forecast
    on one of them, and that forecast's row in ``bulk``."""
    import numpy as np

    if bulk is None or not len(bulk) or not len(ids):
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    wanted = np.asarray(ids, dtype=object)
    if not (wanted[:-1] < wanted[1:]).all():
        raise ValueError("ids must be distinct question ids in sorted order")
    where = np.minimum(np.searchsorted(wanted, bulk.question_ids), len(wanted) - 1)
    position = np.where(wanted[where] == bulk.question_ids, where, -1)[bulk.question]
    rows = np.flatnonzero(position >= 0)
    return position[rows], rows


def forecasts_of(store: Store, q: Question) -> list[Forecast]:
    """``q``'s forecasts: those in its record, then its bulk forecasts by time (records
    made for this call)."""
    bulk = getattr(store, "bulk", None)
    if bulk is None:
        return list(q.forecasts)
    import numpy as np

    rows = bulk.rows_of(q.id)
    return [*q.forecasts, *bulk.forecasts(rows[np.argsort(bulk.at[rows], kind="stable")])]


def count_of(store: Store, qid: str) -> int:
    """How many bulk forecasts question ``qid`` has."""
    bulk = getattr(store, "bulk", None)
    return 0 if bulk is None else len(bulk.rows_of(qid))


def latest_of(store: Store, qid: str) -> list[Forecast]:
    """Each forecaster's latest bulk forecast on question ``qid``, by forecaster id."""
    bulk = getattr(store, "bulk", None)
    if bulk is None:
        return []
    import numpy as np

    rows = bulk.rows_of(qid)  # by forecaster, then time
    by = bulk.by[rows]
    return bulk.forecasts(rows[np.flatnonzero(np.r_[by[1:] != by[:-1], len(by) > 0])])


def forecasters_of(store: Store, qid: str) -> set[str]:
    """Who made bulk forecasts on question ``qid``."""
    bulk = getattr(store, "bulk", None)
    if bulk is None:
        return set()
    return set(bulk.forecaster_ids[bulk.by[bulk.rows_of(qid)]].tolist())


def __getattr__(name: str):  # noqa: ANN202
    """``BulkForecasts`` loads numpy only when first asked for."""
    if name == "BulkForecasts":
        from ._columns import BulkForecasts

        return BulkForecasts
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
