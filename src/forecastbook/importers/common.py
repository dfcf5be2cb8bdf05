"""What every importer shares: a bundle of parsed records, the one writer and the one report.

An importer only parses: it fills a :class:`Bundle` with records, counts what it read and
what it left out (with the reason per kind), and raises :class:`ImportFailed` with a
location for bad input. :func:`write_store` checks the records and writes them all or
nothing; :func:`as_store` gives the same records as a :class:`~forecastbook.store.Store`
without writing a file; :func:`report` words the counts.

Above :data:`BULK_THRESHOLD` forecasts (when pyarrow is installed) :func:`write_store`
puts the forecasts of each folder's questions in that folder's ``forecasts.parquet``
(:mod:`forecastbook.bulk`) instead of the records' YAML lists; ``forecasts_in`` forces
either way.

>>> b = Bundle("demo")
>>> b.read("rows", 3)
>>> b.leave_out("hidden forecast of another user")
>>> print(report(b))
read: 3 rows
wrote: 0 questions, 0 forecasts, 0 forecasters, 0 sources
left out: 1 hidden forecast of another user
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
import os
import re
import shutil
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..problems import Problem, shorten
from ..records import Forecaster, Question, Source

__all__ = ["Bundle", "ImportFailed", "as_store", "write_store", "report", "slug", "keyed_slug", "located", "from_epoch",
           "csv_rows", "BULK_THRESHOLD", "FORECASTS_IN",
           "probability", "number", "stable_hash"]


BULK_THRESHOLD = 10_000  # more forecasts than this go to Parquet
FORECASTS_IN = ("auto", "yaml", "parquet")


class ImportFailed(ValueError):
    """Input an importer cannot read: the message names the file, the row or line, and the field."""


def located(where: str | os.PathLike, line: int | str | None, field_: str, message: str) -> ImportFailed:
    """An :class:`ImportFailed` placed at ``FILE:LINE: FIELD: MESSAGE``.

    >>> str(located("f.csv", 3, "probability", "must be between 0 and 1, got 1.3"))
    'f.csv:3: probability: must be between 0 and 1, got 1.3'
    """
    place = f"{where}:{line}" if line is not None else str(where)
    return ImportFailed(f"{place}: {field_}: {message}")


def csv_rows(path: str | os.PathLike, *, short: int = 0) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """A CSV file's header and its non-empty rows with their line numbers; a file that is
    not UTF-8 or not CSV, or a row with another number of fields than the header (up to
    ``short`` fewer are allowed), is refused with its location.

    >>> import pathlib, tempfile
    >>> f = pathlib.Path(tempfile.mkdtemp()) / "t.csv"
    >>> _ = f.write_text("a,b\\n1,2\\n\\n3,4\\n")
    >>> csv_rows(f)
    (['a', 'b'], [(2, ['1', '2']), (4, ['3', '4'])])
    """
    import csv
    import io

    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise located(path, None, "(file)", f"not UTF-8 text ({exc.reason})") from None
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader, None) or []
        rows = [(reader.line_num, r) for r in reader if any(c.strip() for c in r)]
    except csv.Error as exc:
        raise located(path, reader.line_num, "(csv)", str(exc)) from None
    for line, row in rows:
        if not len(header) - short <= len(row) <= len(header):
            raise located(path, line, "(row)", f"has {len(row)} fields, the header has {len(header)}")
    return header, rows


def stable_hash(text: str, n: int = 8) -> str:
    """A short hex digest of ``text`` (the same on every run and machine).

    >>> stable_hash("abc")
    'a9993e36'
    """
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:n]


def slug(*parts: object, limit: int = 80) -> str:
    """A deterministic id from platform parts: lowercased, other characters folded to '-',
    with a short hash of the raw parts when folding lost anything or the text was too long.

    >>> slug("manifold", "rIR6mWqaO9xKLifr6cLL")
    'manifold-rir6mwqao9xklifr6cll-d2f41fb0'
    >>> slug("metaculus", 34666)
    'metaculus-34666'
    """
    raw = "-".join(str(p) for p in parts)
    text = re.sub(r"[^a-z0-9]+", "-", raw.lower()).strip("-") or "x"
    if text != raw or len(text) > limit:
        text = f"{text[: limit - 9].rstrip('-')}-{stable_hash(raw)}"
    return text


def keyed_slug(prefix: str, readable: str, key: str, *, limit: int = 80) -> str:
    """``PREFIX-READABLE-HASH``: a readable start and a hash of the full key, for records
    the platform keys by more than an id (Fatebook: title and creation time).

    >>> keyed_slug("fatebook", "Will it snow?", "Will it snow?|2025-01-15T03:50:10+00:00")
    'fatebook-will-it-snow-5c0ae626'
    """
    text = re.sub(r"[^a-z0-9]+", "-", readable.lower()).strip("-")
    head = f"{prefix}-{text}"[: limit - 9].rstrip("-")
    return f"{head}-{stable_hash(key)}"


def from_epoch(value: Any, *, unit: str = "s", where: str = "", line: Any = None, field_: str = "time") -> dt.datetime:
    """A UTC timestamp from epoch seconds (``unit="s"``) or milliseconds (``"ms"``).

    >>> from_epoch(1652144919441, unit="ms").isoformat()
    '2022-05-10T01:08:39.441000+00:00'
    """
    try:
        seconds = float(value) / (1000.0 if unit == "ms" else 1.0)
        if not math.isfinite(seconds):
            raise ValueError
        return dt.datetime.fromtimestamp(seconds, tz=dt.timezone.utc)
    except (TypeError, ValueError, OverflowError, OSError):
        raise located(where, line, field_, f"expected epoch {'milliseconds' if unit == 'ms' else 'seconds'}, "
                                           f"got {shorten(value)}") from None


def number(value: Any, *, where: str = "", line: Any = None, field_: str = "value") -> float:
    """A finite number from the input, or a located error.

    >>> number("2.5")
    2.5
    """
    try:
        out = float(value)
    except (TypeError, ValueError):
        raise located(where, line, field_, f"expected a number, got {shorten(value)}") from None
    if not math.isfinite(out) or isinstance(value, bool):
        raise located(where, line, field_, f"expected a finite number, got {shorten(value)}")
    return out


def probability(value: Any, *, where: str = "", line: Any = None, field_: str = "probability") -> float:
    """A probability from the input, or a located error naming the value.

    >>> probability("0.25")
    0.25
    >>> probability(1.3, where="f.csv", line=2)
    Traceback (most recent call last):
    ...
    forecastbook.importers.common.ImportFailed: f.csv:2: probability: must be between 0 and 1, got 1.3
    """
    p = number(value, where=where, line=line, field_=field_)
    if not 0.0 <= p <= 1.0:
        raise located(where, line, field_, f"must be between 0 and 1, got {shorten(value, 40).strip(chr(39))}")
    return p


@dataclass
class Bundle:
    """Records parsed from one platform's files, with counts of what was read and left out."""

    platform: str
    questions: dict[str, tuple[str, Question]] = field(default_factory=dict)
    forecasters: dict[str, Forecaster] = field(default_factory=dict)
    sources: dict[str, Source] = field(default_factory=dict)
    counts_in: Counter = field(default_factory=Counter)
    left_out: Counter = field(default_factory=Counter)
    bulk_files: list[str] = field(default_factory=list)  # where write_store put the forecasts, if in Parquet

    def read(self, kind: str, n: int = 1) -> None:
        """Count ``n`` input items of a kind (rows, markets, bets)."""
        self.counts_in[kind] += n

    def leave_out(self, reason: str, n: int = 1) -> None:
        """Count ``n`` items not imported, with the reason."""
        self.left_out[reason] += n

    def add_question(self, folder: str, question: Question) -> None:
        if question.id in self.questions:
            raise ImportFailed(f"two questions would have the id '{question.id}'")
        self.questions[question.id] = (folder, question)

    def add_forecaster(self, forecaster: Forecaster) -> None:
        self.forecasters.setdefault(forecaster.id, forecaster)

    def add_source(self, source: Source) -> None:
        self.sources.setdefault(source.id, source)

    @property
    def n_forecasts(self) -> int:
        return sum(len(q.forecasts) for _, q in self.questions.values())


def report(bundle: Bundle) -> str:
    """Counts in, written and left out, one line each (left-out reasons sorted)."""
    read = ", ".join(f"{n} {kind}" for kind, n in sorted(bundle.counts_in.items())) or "nothing"
    where = f" (in {', '.join(bundle.bulk_files)})" if bundle.bulk_files else ""
    lines = [f"read: {read}",
             f"wrote: {len(bundle.questions)} questions, {bundle.n_forecasts} forecasts{where}, "
             f"{len(bundle.forecasters)} forecasters, {len(bundle.sources)} sources"]
    if bundle.left_out:
        lines.append("left out: " + "; ".join(f"{n} {why}" for why, n in sorted(bundle.left_out.items())))
    else:
        lines.append("left out: nothing")
    return "\n".join(lines)


def _files(bundle: Bundle, *, bulk: bool = False) -> list[tuple[str, Any]]:
    """Every record with its relative path, sorted: the same input gives the same files.
    With ``bulk``, each folder's forecasts are one Parquet file's bytes instead."""
    out: list[tuple[str, Any]] = [(f"sources/{k}.yaml", v) for k, v in bundle.sources.items()]
    out += [(f"forecasters/{k}.yaml", v) for k, v in bundle.forecasters.items()]
    if not bulk:
        out += [(f"{folder}/{qid}.yaml", q) for qid, (folder, q) in bundle.questions.items()]
        return sorted(out, key=lambda item: item[0])
    from ..bulk._write import forecasts_table, parquet_bytes

    by_folder: dict[str, list] = {}
    for qid, (folder, q) in sorted(bundle.questions.items()):
        out.append((f"{folder}/{qid}.yaml", q.model_copy(update={"forecasts": []})))
        by_folder.setdefault(folder, []).extend((qid, f) for f in q.forecasts)
    for folder, rows in sorted(by_folder.items()):
        parts: dict[str, list] = {"forecasts.parquet": [], "dates.forecasts.parquet": []}
        for qid, f in rows:  # quantile values of one file are all numbers or all dates
            dated = f.quantiles is not None and any(isinstance(v, dt.date) for v in f.quantiles.values())
            parts["dates.forecasts.parquet" if dated else "forecasts.parquet"].append((qid, f))
        out += [(f"{folder}/{name}", parquet_bytes(forecasts_table(part))) for name, part in parts.items() if part]
    return sorted(out, key=lambda item: item[0])


def _in_parquet(bundle: Bundle, forecasts_in: str) -> bool:
    """Whether :func:`write_store` puts the forecasts in Parquet (see the module's docstring)."""
    if forecasts_in not in FORECASTS_IN:
        raise ValueError(f"forecasts_in must be one of {', '.join(FORECASTS_IN)}, got {forecasts_in!r}")
    if forecasts_in == "yaml" or (forecasts_in == "auto" and bundle.n_forecasts <= BULK_THRESHOLD):
        return False
    try:
        import pyarrow  # noqa: F401
    except ImportError:
        if forecasts_in == "parquet":
            raise ImportFailed("writing forecasts to Parquet needs pyarrow: pip install 'forecastbook[parquet]'") from None
        return False
    return True


def _problems(bundle: Bundle, root: Path) -> list[Problem]:
    """The checks a store runs on its records, on the bundle in memory (errors only)."""
    from ..checks import check_question, check_references

    questions = {qid: q for qid, (_, q) in bundle.questions.items()}
    found = []
    for qid, q in questions.items():
        found += [(qid, f) for f in check_question(q)]
    found += list(check_references(questions, sources=bundle.sources, forecasters=bundle.forecasters))
    folder = {qid: f for qid, (f, _) in bundle.questions.items()}
    return [Problem(str(root / folder[qid] / f"{qid}.yaml"), 1, 1, f.severity, ".".join(map(str, f.loc)), f.message)
            for qid, f in found if f.severity == "error"]


def _raise_problems(problems: list[Problem]) -> None:
    if problems:
        shown = "\n".join(map(str, problems[:20]))
        more = f"\n... and {len(problems) - 20} more" if len(problems) > 20 else ""
        raise ImportFailed(f"the imported records do not validate:\n{shown}{more}")


def as_store(bundle: Bundle, *, root: str | os.PathLike = "."):  # noqa: ANN201
    """The bundle as a checked :class:`~forecastbook.store.Store`, without writing files
    (``paths`` name where :func:`write_store` would put each record under ``root``)."""
    from ..store import Store

    root = Path(root)
    _raise_problems(_problems(bundle, root))
    store = Store(root=root)
    for qid, (folder, q) in sorted(bundle.questions.items()):
        store.questions[qid] = q
        store.paths[qid] = root / folder / f"{qid}.yaml"
    store.sources = dict(sorted(bundle.sources.items()))
    store.forecasters = dict(sorted(bundle.forecasters.items()))
    return store


def _remove_stale_imports(parent: Path, name: str) -> None:
    """Remove what an import killed before it finished left beside its target: temporary
    folders named for the same target by a process that no longer runs."""
    prefix = f".import-{name[:40]}-"
    for folder in parent.glob(f"{prefix}*-*"):
        try:
            os.kill(int(folder.name[len(prefix):].split("-", 1)[0]), 0)
        except ProcessLookupError:
            shutil.rmtree(folder, ignore_errors=True)
        except (ValueError, PermissionError, OverflowError):
            continue


def write_store(bundle: Bundle, out: str | os.PathLike, *, forecasts_in: str = "auto") -> Path:
    """Write the bundle as a store in ``out`` (a new or empty folder), all or nothing:
    the records are checked, written into a temporary folder beside ``out``, read back as a
    store and only then renamed into place.

    ``forecasts_in``: ``auto`` (Parquet above :data:`BULK_THRESHOLD` forecasts, if
    pyarrow is installed), ``yaml`` or ``parquet``.
    """
    from ..store import dump_record, load_store

    bulk = _in_parquet(bundle, forecasts_in)
    out = Path(out)
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise FileExistsError(f"{out} is not empty: import into a new folder")
    _raise_problems(_problems(bundle, out))
    parent = out.parent if out.parent.exists() else None
    if parent is None:
        raise FileNotFoundError(f"{out.parent} does not exist: make it first")
    _remove_stale_imports(parent, out.name)
    tmp = Path(tempfile.mkdtemp(prefix=f".import-{out.name[:40]}-{os.getpid()}-", dir=parent))
    try:
        files = _files(bundle, bulk=bulk)
        for rel, record in files:
            path = tmp / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(record if isinstance(record, bytes) else dump_record(record).encode("utf-8"))
        _raise_problems(load_store(tmp).errors)
        bundle.bulk_files = [rel for rel, record in files if isinstance(record, bytes)]
        if out.exists():
            out.rmdir()
        os.replace(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return out


def evidence_for(platform: str, url: str, field_: str, raw: Any, *, document: str):  # noqa: ANN201
    """The evidence of an imported resolution (one policy for every importer): the
    question's page on the platform, and in ``no_quote`` the platform's own field, quoted as
    given, with the file it was read from."""
    from ..records import Evidence

    return Evidence(url=url, no_quote=f"resolved on {platform}: the {field_} field of {document} reads "
                                      f"{shorten(raw, 60)}")
