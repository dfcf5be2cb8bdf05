"""Reading a store: a folder tree of YAML records, checked, with every problem located.

Layout: ``sources/*.yaml`` and ``forecasters/*.yaml`` at the top of the store hold those
records; every other ``*.yaml`` file below the store is a question. A file's stem is
its record's id.

Reading is fast on the path that matters (PyYAML's C parser, plain values built from its
nodes by :mod:`forecastbook.yamltext`, then pydantic): a file is parsed a second time,
into nodes with line numbers, only when it has a problem to place.

>>> import pathlib, tempfile
>>> root = pathlib.Path(tempfile.mkdtemp())
>>> (root / "forecasters").mkdir()
>>> _ = (root / "q.yaml").write_text("id: q\\ntitle: Q\\nkind: binary\\ncriteria: c\\n"
...     "created: 2026-01-01\\ncloses: 2026-01-02\\nresolve_by: 2026-01-03\\n"
...     "forecasts:\\n- {by: ana, at: 2026-01-01T10:00:00Z, probability: 0.3}\\n")
>>> store = load_store(root)
>>> for p in store.problems: print(p.line, p.col, p.field, p.message)
9 8 forecasts[0].by no forecaster with id 'ana' under forecasters/ (add one: forecastbook forecaster add ana --name NAME)
"""

from __future__ import annotations

import collections
import dataclasses
import os
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from . import _cache, bulk, checks
from .queries import ForecastSummary, summarise
from .files import (
    JOURNAL_NAME,
    LOCK_NAME,
    MAX_RECORD_BYTES,
    STORE_MARKER,
    CheckedStore,
    check_store,
    from_cache,
    interrupted_edit,
    is_store,
    memo_key,
    no_cyclic_gc,
    read_record,
    read_record_bytes,
    record_files,
    stat_record,
    unsafe_name,
)
from .problems import Finding, Loc, Problem, StoreError, field_name, shorten
from .records import SLUG_MESSAGE, Forecaster, Question, Source, is_slug
from .yamltext import RecordSyntaxError, locate, parse_yaml

__all__ = ["Store", "load_store", "check_store", "CheckedStore", "default_store_path", "parse_yaml", "locate",
           "dump_record", "is_store", "RecordSyntaxError", "LOCK_NAME", "JOURNAL_NAME", "STORE_MARKER",
           "MAX_RECORD_BYTES", "read_record_bytes"]

STORE_ENV = "FORECASTBOOK_STORE"
SPECIAL_FOLDERS = {"sources": Source, "forecasters": Forecaster}


def default_store_path() -> Path:
    """``$FORECASTBOOK_STORE`` if set, else ``./forecasts``."""
    return Path(os.environ.get(STORE_ENV) or "forecasts")


class _Dumper(getattr(yaml, "CSafeDumper", yaml.SafeDumper)):  # type: ignore[misc]
    """Writes a value used twice twice, never as an anchor and alias (records hold none)."""

    def ignore_aliases(self, data: Any) -> bool:  # noqa: ARG002
        return True


def dump_record(record: BaseModel) -> str:
    """A record as YAML, fields in model order, defaults left out, text kept as written.

    >>> from forecastbook.records import Forecaster
    >>> print(dump_record(Forecaster(id="ana", name="Ana Lima")), end="")
    id: ana
    name: Ana Lima
    """
    data = record.model_dump(mode="python", exclude_defaults=True)
    return yaml.dump(data, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=88,
                     default_flow_style=False)


def pydantic_findings(exc: ValidationError) -> Iterator[Finding]:
    """A pydantic error as findings with this project's messages."""
    for err in exc.errors(include_url=False):
        loc = tuple(err["loc"])
        kind = err["type"]
        if kind == "extra_forbidden":
            yield Finding((*loc, "[key]"), "unknown field")
        elif kind == "missing":
            yield Finding(loc, "required field is missing")
        elif kind.startswith(("timezone_", "datetime_")) and loc and loc[-1] in ("at", "published"):
            yield Finding(loc, f"must be a timestamp with a time zone, e.g. 2026-02-13T11:51:37+08:00, got {_shown(err['input'])}")
        elif kind in ("string_pattern_mismatch", "string_too_long"):  # only slugs carry these constraints
            yield Finding(loc, SLUG_MESSAGE.format(value=shorten(err["input"])))
        elif kind in ("greater_than_equal", "less_than_equal", "finite_number", "float_type") and \
                (loc and loc[-1] == "probability" or len(loc) > 1 and loc[-2] == "probabilities"):
            what = "a number" if kind == "float_type" else "between 0 and 1"
            yield Finding(loc, f"must be {what}, got {shorten(err['input'], 40)}")
        elif kind.startswith("date_"):
            yield Finding(loc, f"must be a date as YYYY-MM-DD, got {_shown(err['input'])}")
        else:
            msg = err["msg"]
            if msg.startswith("Value error, "):
                msg = msg[len("Value error, "):]
            if kind not in {"probability_sum", "quantile_order", "quantile_level", "quantile_types", "quantiles_empty",
                            "quantile_value"}:
                msg = f"{msg[0].lower()}{msg[1:]}, got {shorten(err['input'])}" if "input" in err else msg
            # Union errors repeat one loc per member type: drop the member name.
            loc = tuple(p for p in loc if p not in _UNION_MEMBER_NAMES)
            yield Finding(loc, msg)


def _shown(value: Any) -> str:
    return value.isoformat() if hasattr(value, "isoformat") else shorten(value)


_UNION_MEMBER_NAMES = {"bool", "str", "float", "date", "int"}


@dataclass
class Store:
    """The records of a store, with every problem found while reading and checking them.

    Records that cannot be read or fail their model are kept out of ``questions``,
    ``sources`` and ``forecasters``; records with other errors stay in, with the errors listed.
    """

    root: Path
    questions: dict[str, Question] = field(default_factory=dict)
    sources: dict[str, Source] = field(default_factory=dict)
    forecasters: dict[str, Forecaster] = field(default_factory=dict)
    paths: dict[str, Path] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    bulk: bulk.BulkForecasts | None = None  # forecasts read from Parquet files (see forecastbook.bulk)
    # what the cache holds of each question's file, when read through it (see _cache)
    _cached: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)
    _cache: Any = field(default=None, repr=False, compare=False)
    _key: bytes | None = field(default=None, repr=False, compare=False)  # hash of every file (see _cache)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "warning"]

    def raise_for_errors(self) -> Store:
        """Raise :class:`StoreError` with every error, or return the store."""
        if self.errors:
            raise StoreError(self.errors)
        return self

    def question(self, qid: str) -> Question:
        try:
            return self.questions[qid]
        except KeyError:
            raise KeyError(f"no question with id '{qid}' in {self.root}") from None

    def conditionals_of(self, qid: str) -> list[Question]:
        """Questions whose condition names ``qid``, sorted by id."""
        if isinstance(self.questions, _CachedRecords):  # the cache's index knows them
            return [self.questions[c] for c in sorted(self.questions.children.get(qid, ()))]
        return sorted((q for q in self.questions.values() if q.condition and q.condition.question == qid),
                      key=lambda q: q.id)

    def forecast_summary(self, qid: str) -> ForecastSummary:
        """How many forecasts ``qid`` has, the latest, and by whom (those kept in Parquet
        files included)."""
        summary = summarise(self.questions[qid])
        if self.bulk is None:
            return summary
        in_bulk = bulk.latest_of(self, qid)
        latest = max([summary.latest, *in_bulk] if summary.latest is not None else in_bulk, key=lambda f: f.at,
                     default=None)
        return ForecastSummary(summary.n + bulk.count_of(self, qid), latest, summary.by | bulk.forecasters_of(self, qid))

    def path_of(self, qid: str) -> Path:
        return self.paths[qid]

    def locate(self, qid: str, finding: Finding) -> Problem:
        """Place a finding about question ``qid`` in its file."""
        path = self.paths[qid]
        known = self._locations(qid)
        if finding.loc not in known:
            known[finding.loc] = locate(path.read_text(encoding="utf-8"), finding.loc)
            self._learnt(qid)
        line, col = known[finding.loc]
        return Problem(str(path), line, col, finding.severity, field_name(_strip_key(finding.loc)), finding.message)

    def locate_all(self, found: Iterable[tuple[str, Finding]]) -> list[Problem]:
        """Place ``(question_id, finding)`` pairs in their files, in the order given; each
        file is read and parsed once however many findings it has."""
        found = list(found)
        by_question: dict[str, list[int]] = {}
        for k, (qid, _) in enumerate(found):
            by_question.setdefault(qid, []).append(k)
        placed: list[Problem | None] = [None] * len(found)
        learnt = False
        for qid, ks in by_question.items():
            path = self.paths[qid]
            known = self._locations(qid)
            text = None if all(found[k][1].loc in known for k in ks) else path.read_text(encoding="utf-8")
            for k in ks:
                f = found[k][1]
                if f.loc not in known:
                    known[f.loc] = locate(text, f.loc)
                    learnt = self._learnt(qid) or learnt
                line, col = known[f.loc]
                placed[k] = Problem(str(path), line, col, f.severity, field_name(_strip_key(f.loc)), f.message)
        if learnt:
            self._cache.save()
        return placed  # type: ignore[return-value]

    def _learnt(self, qid: str) -> bool:
        """Keep in the cache that a field of ``qid``'s file was placed."""
        entry = self._cached.get(qid)
        if self._cache is None or entry is None:
            return False
        self._cache.touch(entry)
        return True

    def memoised(self, what: str, compute: Callable[[], list], *, also: bytes = b"", as_problems: bool = True) -> list:
        """``compute()``, or what it gave before on this very store (every file the same,
        and the day if its problems depend on it), as kept in the cache; ``also`` is a
        hash of anything else it depends on (the bulk forecasts it reads: the store's key
        covers only records). ``as_problems``: it gives problems (else plain values)."""
        if self._cache is None or self._key is None:
            return compute()
        key = memo_key(self._key + also, self.root)
        kept = self._cache.memo(what, key)
        if kept is not None:
            return [Problem(*p) for p in kept] if as_problems else kept
        found = compute()
        if found is None:  # only asking
            return None  # type: ignore[return-value]
        self._cache.set_memo(what, key, [p.row() for p in found] if as_problems else found)
        self._cache.save()
        return found

    def _locations(self, qid: str) -> dict:
        """Where fields of ``qid``'s file were placed before (kept in the cache, whose
        entry is for this very text), or a dict to fill for this call only."""
        entry = self._cached.get(qid)
        if entry is None:
            return {}
        if entry.locations is None:
            entry.locations = {}
        return entry.locations

    def moved_to(self, root: Path) -> Store:
        """This store as read from ``root``, another path to the same folder (paths in
        problems and ``paths`` under it), without the cache: a copy to hand on."""
        def under(path: str | Path) -> Path:
            try:
                return root / Path(path).relative_to(self.root)
            except ValueError:
                return Path(path)
        return Store(root=root, questions=self.questions, sources=self.sources, forecasters=self.forecasters,
                     paths={qid: under(p) for qid, p in self.paths.items()},
                     problems=[dataclasses.replace(p, path=str(under(p.path))) for p in self.problems],
                     bulk=self.bulk)

    def __repr__(self) -> str:
        counts: dict[str, int] = {}
        for q in self.questions.values():
            counts[q.status] = counts.get(q.status, 0) + 1
        shown = ", ".join(f"{k} {v}" for k, v in sorted(counts.items()))
        return (f"<Store {self.root}: {len(self.questions)} questions ({shown}), "
                f"{len(self.forecasters)} forecasters, {len(self.sources)} sources, "
                f"{len(self.errors)} errors, {len(self.warnings)} warnings>")


class _FileReader:
    """Reads one file into a record, turning each problem into a located Problem."""

    def __init__(self, path: Path, name: str = ""):
        self.path = path
        self.name = name  # the path below the store: the cache's key
        self.shown = str(path)
        self.text: str | None = None
        self.problems: list[Problem] = []
        self.entry: _cache.Entry | None = None  # what the cache holds of this file
        self.data: Any = None  # the parsed YAML its record was validated from, when read from the file
        self._raw: bytes | None = None

    def add(self, findings: Iterable[Finding]) -> None:
        if self.text is None and self.entry is not None and self.entry.has_text:
            if self._raw is None:  # taken from the cache without reading the file
                self._raw = read_record(self.path)[0] or b""
            self.text = self._raw.decode("utf-8-sig", errors="replace")  # a cached file's text, when needed
        for f in findings:
            line, col = locate(self.text, f.loc) if self.text is not None else (1, 1)
            self.problems.append(Problem(self.shown, line, col, f.severity, field_name(_strip_key(f.loc)), f.message))

    def read(self, model: type[BaseModel], cache: _cache.RecordCache | None = None) -> BaseModel | None:
        """The file's record (None if it has none), through ``cache`` when given."""
        st, why = stat_record(self.path)
        if why is None and cache is not None:
            self.entry = cache.unchanged(self.name, st)
        if self.entry is None:
            read_ns = time.time_ns()
            raw, why, st = read_record(self.path, st) if why is None else (None, why, st)
            if why is not None:
                self.problems.append(Problem(self.shown, 1, 1, "error", "(file)", why))
                return None
            self._raw = raw
            self.entry = cache.get(self.name, st, raw) if cache is not None else None
            if self.entry is not None and not _cache.trusted(self.entry.stamp, self.entry.read_ns, st):
                self.entry.stamp, self.entry.read_ns = _cache.stamp(st), read_ns  # the same bytes, read again
                cache.touch(self.entry)
        if self.entry is not None:
            self.problems.extend(Problem(self.shown, *p) for p in self.entry.problems)
            return self.entry.record
        record = self._parse(raw, model)
        if cache is not None:
            data = _cache.pickled_data(self.data) if record is not None else None
            if record is not None and data is None:
                return record  # data too deep to pickle: read from the file every time
            self.entry = _cache.Entry(st.st_size, st.st_mtime_ns, _cache.digest(raw), record,
                                      tuple((p.line, p.col, p.severity, p.field, p.message) for p in self.problems),
                                      self.text is not None, read_ns=read_ns, stamp=_cache.stamp(st), data=data)
            cache.put(self.name, self.entry)
        return record

    def check(self, record: Question, cache: _cache.RecordCache | None) -> None:
        """Add the problems of ``record`` on its own (kept in the cache while they hold:
        see :func:`_cache.checks_hold`)."""
        today = _cache.today()
        if self.entry is not None and _cache.checks_hold(self.entry.checked_on, self.entry.settles, today):
            self.problems.extend(Problem(self.shown, *p) for p in self.entry.checks)
            return
        first = len(self.problems)
        self.add(checks.check_question(record, today=today))
        if self.entry is not None and cache is not None:
            self.entry.checked_on = today
            self.entry.settles = checks.settles_on(record)
            self.entry.checks = tuple((p.line, p.col, p.severity, p.field, p.message) for p in self.problems[first:])
            cache.touch(self.entry)

    def _parse(self, raw: bytes, model: type[BaseModel]) -> BaseModel | None:
        try:
            self.text = raw.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            line = raw.count(b"\n", 0, exc.start) + 1
            col = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
            self.problems.append(Problem(self.shown, line, col, "error", "(file)",
                                         f"not UTF-8 text: byte 0x{raw[exc.start]:02x} cannot be decoded"))
            return None
        try:
            data, duplicates = parse_yaml(self.text)
        except yaml.MarkedYAMLError as exc:
            mark = exc.problem_mark or exc.context_mark
            line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
            what = " ".join(x for x in (exc.context, exc.problem) if x)
            self.problems.append(Problem(self.shown, line, col, "error", "(yaml)", f"malformed YAML: {what}"))
            return None
        except yaml.YAMLError as exc:
            self.problems.append(Problem(self.shown, 1, 1, "error", "(yaml)", f"malformed YAML: {str(exc)[:200]}"))
            return None
        except RecordSyntaxError as exc:
            self.problems.append(Problem(self.shown, exc.line, exc.col, "error", "(yaml)", str(exc)))
            return None
        for key, mark in duplicates:
            self.problems.append(Problem(self.shown, mark.line + 1, mark.column + 1, "error", key,
                                         "duplicate key: YAML would silently keep only the last value"))
        if data is None:
            self.problems.append(Problem(self.shown, 1, 1, "error", "(record)", "the file holds no record: it is empty"))
            return None
        if not isinstance(data, dict):
            self.problems.append(Problem(self.shown, 1, 1, "error", "(record)",
                                         f"a record is a YAML mapping of fields, got {type(data).__name__}"))
            return None
        try:
            record = model.model_validate(data)
        except ValidationError as exc:
            self.add(pydantic_findings(exc))
            return None
        stem = self.path.stem
        if record.id != stem:  # type: ignore[attr-defined]
            self.add([Finding(("id",), f"must match the file name '{stem}', got '{record.id}'")])  # type: ignore[attr-defined]
            return None
        if duplicates:
            return None
        self.data = data
        return record


def _strip_key(loc: Loc) -> Loc:
    return tuple(p for p in loc if p != "[key]")


_MODELS = {"question": Question, "source": Source, "forecaster": Forecaster}


class _CachedRecords(Mapping):
    """Records of one kind, each read from the cache when first asked for: an edit's view
    of a large store touches only the records the edit can affect."""

    def __init__(self, cache: _cache.RecordCache, root: Path, rows: dict[str, _cache.Row]):
        self.cache, self.root, self.rows = cache, root, rows  # id -> the cache's index row
        self.loaded: dict[str, BaseModel] = {}
        self.children: dict[str, list[str]] = {}
        for rid, row in rows.items():
            if row.parent is not None:
                self.children.setdefault(row.parent, []).append(rid)

    def __getitem__(self, rid: str) -> BaseModel:
        if rid not in self.loaded:
            row = self.rows[rid]
            path = self.root / row.name
            entry = self.cache.get(row.name, os.lstat(path), None)
            if entry is None or entry.record is None:
                raise StaleCacheError(path)
            self.loaded[rid] = entry.record
        return self.loaded[rid]

    def __iter__(self) -> Iterator[str]:
        return iter(self.rows)

    def __len__(self) -> int:
        return len(self.rows)

    def __contains__(self, rid: object) -> bool:
        return rid in self.rows


class _Paths(Mapping):
    """Question id -> its file, made a path when asked for (from its name below the store)."""

    def __init__(self, root: Path, names: dict[str, str]):
        self.root, self.names = root, names

    def __getitem__(self, qid: str) -> Path:
        return self.root / self.names[qid]

    def __iter__(self) -> Iterator[str]:
        return iter(self.names)

    def __len__(self) -> int:
        return len(self.names)


class StaleCacheError(RuntimeError):
    """A file changed between an edit's look at the cache and its reading of the file."""


def edit_view(root: Path) -> Store | None:
    """The store at ``root`` as an edit sees it, from the cache's index alone, when every
    file is as it was cached (see :func:`_cache.trusted`; a file that may have changed
    unseen is hashed), and the store was checked today and had no error; None otherwise
    (the edit then reads the whole store, which lists any error). Records are read from
    the cache only when asked for; the files the edit changes are read and checked again.
    """
    if not _cache.enabled() or not root.is_dir() or not is_store(root):
        return None
    with no_cyclic_gc():
        cache = _cache.RecordCache(root, full=False)
        found = from_cache(root, cache, errors_only=True)  # an edit needs to know only that there are none
        if found is None or found.problems:
            return None  # errors are listed by a full reading
        store = Store(root=root, problems=found.problems, _cache=cache, _key=found.key)
        rows: dict[str, dict[str, _cache.Row]] = {"question": {}, "source": {}, "forecaster": {}}
        for f, row in found.files:
            rows[f.kind][f.stem] = row
        store.questions = _CachedRecords(cache, root, rows["question"])  # type: ignore[assignment]
        store.sources = _CachedRecords(cache, root, rows["source"])  # type: ignore[assignment]
        store.forecasters = _CachedRecords(cache, root, rows["forecaster"])  # type: ignore[assignment]
        store.paths = _Paths(root, {qid: row.name for qid, row in rows["question"].items()})  # type: ignore[assignment]
        return store


def after_edit(store: Store, texts: dict[str, str]) -> None:
    """Keep the cache true after an edit wrote ``texts`` (question id -> the new text of
    its file): those files' rows, the problems between records, which an edit that
    changes no id, kind, outcome list or condition changes only in the files it wrote,
    and, when it changed no forecast, that the coherence warnings still hold.
    Whatever cannot be kept is left for the next reading to find (the cache is never the
    truth: a failure here only costs time, and is logged at debug level)."""
    cache = store._cache
    if cache is None or store._key is None:
        return
    try:
        _keep_after_edit(store, cache, texts)
    except Exception as exc:  # noqa: BLE001
        _cache.log.debug("cache of %s not kept after an edit (%s)", store.root, exc)


def _keep_after_edit(store: Store, cache: _cache.RecordCache, texts: dict[str, str]) -> None:
    before = memo_key(store._key, store.root)
    kept = cache.memo("references", before)
    if kept is None:
        return
    every = cache.memo("problems", before)  # of each file on its own
    written = {str(store.paths[qid]) for qid in texts}
    reference_problems = [p for p in kept if p[0] not in written]
    file_problems = [p for p in every or () if p[0] not in written]
    index = cache.index()
    digests = {name: row.digest for name, row in index.items()}
    settles = {name: row.settles for name, row in index.items() if row.kind == "question"}
    records = {}
    for qid in texts:
        path = store.paths[qid]
        reader = _FileReader(path, str(path.relative_to(store.root)))
        record = reader.read(Question, cache)
        if not isinstance(record, Question) or reader.entry is None:
            return
        reader.check(record, cache)
        digests[reader.name] = reader.entry.digest
        settles[reader.name] = reader.entry.settles.isoformat()
        records[qid] = record
        file_problems.extend(p.row() for p in reader.problems)
    lookup = collections.ChainMap(records, store.questions)
    for qid, f in checks.check_references(lookup, sources=store.sources, forecasters=store.forecasters,
                                          only=records):
        line, col = locate(texts[qid].removeprefix("\ufeff"), f.loc)
        reference_problems.append((str(store.paths[qid]), line, col, f.severity,
                                   field_name(_strip_key(f.loc)), f.message))
    today = _cache.today().isoformat()
    store._key = _cache.store_key(list(digests.items()), _cache.day_of_checks(list(settles.values()), today))
    after = memo_key(store._key, store.root)
    cache.set_memo("references", after, reference_problems)
    if every is not None:
        cache.set_memo("problems", after, file_problems)
    earlier = store.questions.loaded if isinstance(store.questions, _CachedRecords) else store.questions
    if all(_coherence_reads_alike(earlier.get(qid), records[qid]) for qid in records):
        _keep_coherence_moves(cache, before, after, records)
    cache.save()


def _coherence_reads_alike(before: Question | None, after: Question) -> bool:
    """Whether coherence and lints find the same in ``after`` as in ``before``: they
    read no resolution, note or history, which is all an edit other than a forecast
    changes."""
    if before is None:
        return False
    unread = {"resolution": None, "notes": [], "history": []}
    return before.model_copy(update=unread) == after.model_copy(update=unread)


def _keep_coherence_moves(cache: _cache.RecordCache, before: bytes, after: bytes, edited: Iterable[str]) -> None:
    """Keep that the coherence warnings kept for the store before the edit (memo key
    ``before``) hold after it (``after``) once those of the ``edited`` questions' files
    are placed again in their new text: the next check does that (see
    :func:`files._coherence_from_cache`), so that an edit does not rewrite them all."""
    if cache.stored_under("coherence") == before:
        cache.set_memo("coherence-moves", after, (before, set(edited)))
        return
    moved = cache.memo("coherence-moves", before)  # edits since the warnings were last placed
    if moved is not None:
        first, earlier = moved
        cache.set_memo("coherence-moves", after, (first, earlier | set(edited)))


def load_store(root: str | os.PathLike[str] | None = None, *, cache: bool | None = None) -> Store:
    """Read and check every record under ``root`` (default: :func:`default_store_path`).

    Never raises for bad records: see ``store.problems`` (or call ``raise_for_errors``).
    ``cache``: read through the store's disposable cache (see :mod:`forecastbook._cache`);
    by default unless ``--no-cache`` or ``FORECASTBOOK_NO_CACHE`` says not to. The store
    and its problems are the same either way.
    """
    root = Path(root) if root is not None else default_store_path()
    if os.environ.get(_cache.SNAPSHOT_ENV):  # a notebook run by a command that read the store already
        kept = _cache.read_snapshot(root)
        if kept is not None:
            return kept
    with no_cyclic_gc():
        return _load_store(root, _cache.enabled() if cache is None else cache)


def _load_store(root: Path, use_cache: bool = False) -> Store:
    store = Store(root=root)
    if not root.is_dir():
        store.problems.append(Problem(str(root), 1, 1, "error", "(store)", "no such folder"))
        return store
    if not is_store(root):
        store.problems.append(Problem(str(root), 1, 1, "error", "(store)",
                                      "not a store: a store has a forecasters/ or sources/ folder (or a "
                                      f"{STORE_MARKER} file); refusing to read every file below it"))
        return store
    interrupted = interrupted_edit(root)
    if interrupted is not None:
        store.problems.append(interrupted)
    first_seen: dict[tuple[type[BaseModel], str], Path] = {}
    cache = _cache.RecordCache(root) if use_cache else None
    digests: list[tuple[str, bytes]] | None = [] if cache is not None else None  # of every file, for the memos
    settles: list[str | None] = []  # of every question's checks
    bulk_files = []
    for f in record_files(root, store.problems):
        if f.kind == "bulk":
            bulk_files.append(Path(f.path))
            continue
        model, stem = _MODELS[f.kind], f.stem
        if not is_slug(stem):
            store.problems.append(unsafe_name(f.path))
            continue
        path = Path(f.path)
        reader = _FileReader(path, f.name)
        record = reader.read(model, cache)
        if digests is not None:
            if reader.entry is None and reader._raw is not None:  # read, but not kept in the cache
                digests = None
            else:
                digests.append((reader.name, reader.entry.digest if reader.entry is not None else b""))
        earlier = first_seen.setdefault((model, stem), path)
        if earlier != path:
            reader.add([Finding(("id",), f"duplicate id: '{stem}' is also {earlier}")])
        elif isinstance(record, Question):
            store.questions[stem] = record
            store.paths[stem] = path
            reader.check(record, cache)
            if reader.entry is not None:
                store._cached[stem] = reader.entry
                settles.append(reader.entry.settles and reader.entry.settles.isoformat())
        elif isinstance(record, Source):
            store.sources[stem] = record
        elif isinstance(record, Forecaster):
            store.forecasters[stem] = record
        store.problems.extend(reader.problems)
    store._cache = cache
    if cache is not None and digests is not None:
        today = _cache.today().isoformat()
        store._key = _cache.store_key(digests, _cache.day_of_checks(settles, today))
    question_files = [stem for (model, stem) in first_seen if model is Question]

    def references() -> list[Problem]:
        return [store.locate(qid, finding) for qid, finding in checks.check_references(
            store.questions, sources=store.sources, forecasters=store.forecasters, question_files=question_files)]
    store.problems.extend(store.memoised("references", references))
    store.bulk, found = bulk.read(bulk_files, store.questions, store.forecasters, question_files=question_files)
    store.problems.extend(found)
    store.problems.sort(key=lambda p: (p.path, p.line, p.col))
    if cache is not None:
        cache.save()
    return store
