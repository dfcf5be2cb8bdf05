"""Reading a store: a folder tree of YAML records, checked, with every problem located.

Layout: ``sources/*.yaml`` and ``forecasters/*.yaml`` at the top of the store hold those
records; every other ``*.yaml`` file below the store is a question. A file's stem is
its record's id.

Reading is fast on the path that matters (PyYAML's C loader, then pydantic): a file is
parsed a second time, into nodes with line numbers, only when it has a problem to place.

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

import contextlib
import datetime as dt
import functools
import gc
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from . import _cache, bulk, checks
from .problems import Finding, Loc, Problem, StoreError, field_name, shorten
from .records import SLUG_MESSAGE, Forecaster, Question, Source, is_slug

__all__ = ["Store", "load_store", "default_store_path", "parse_yaml", "locate", "dump_record", "is_store",
           "RecordSyntaxError"]

try:
    _BaseLoader = yaml.CSafeLoader
except AttributeError:  # PyYAML built without libyaml
    _BaseLoader = yaml.SafeLoader  # type: ignore[misc]

STORE_ENV = "FORECASTBOOK_STORE"
LOCK_NAME = ".forecastbook.lock"
JOURNAL_NAME = ".forecastbook-journal.json"
SPECIAL_FOLDERS = {"sources": Source, "forecasters": Forecaster}


def default_store_path() -> Path:
    """``$FORECASTBOOK_STORE`` if set, else ``./forecasts``."""
    return Path(os.environ.get(STORE_ENV) or "forecasts")


_STR_TAG = "tag:yaml.org,2002:str"


class _Loader(_BaseLoader):  # type: ignore[misc, valid-type]
    """The safe C loader, noting duplicate keys (PyYAML keeps the last one silently)."""

    def __init__(self, stream: str):
        super().__init__(stream)
        self.duplicates: list[tuple[str, Any]] = []

    def construct_mapping(self, node, deep=False):  # noqa: ANN001, ANN201
        mapping = super().construct_mapping(node, deep)
        if len(mapping) != len(node.value):  # fewer keys than pairs: some key came twice
            seen = set()
            for key_node, _ in node.value:
                key = self.construct_object(key_node)  # 0.5 and 0.50 are one key, as YAML reads them
                try:
                    if key in seen:
                        self.duplicates.append((str(key_node.value)[:80], key_node.start_mark))
                    seen.add(key)
                except TypeError:  # an unhashable key: the constructor has refused it already
                    continue
        return mapping


# Timestamps stay text: pydantic parses them (in Rust) into the field's own type, which is
# faster than PyYAML's regex constructor and never turns a title like "2026-01-01" into a date.
_Loader.add_constructor("tag:yaml.org,2002:timestamp", lambda loader, node: loader.construct_scalar(node))


class RecordSyntaxError(ValueError):
    """YAML that parses but that a record must not hold, with where it is."""

    def __init__(self, message: str, line: int, col: int):
        super().__init__(message)
        self.line, self.col = line, col


def _refuse_aliases(text: str) -> None:
    """Records hold no anchors or aliases: a few bytes of nested aliases expand to more
    than any message, history copy or edit can hold (a 'billion laughs')."""
    if "&" not in text and "*" not in text:  # the common case costs nothing
        return
    for event in yaml.parse(text, Loader=_BaseLoader):
        anchor = getattr(event, "anchor", None)
        if isinstance(event, yaml.AliasEvent) or anchor is not None:
            mark = event.start_mark
            raise RecordSyntaxError("anchors and aliases (&name, *name) are not allowed in records",
                                    mark.line + 1, mark.column + 1)


def parse_yaml(text: str) -> tuple[Any, list[tuple[str, Any]]]:
    """Parse YAML safely; returns the data and any duplicate keys with their marks.

    Raises ``yaml.YAMLError`` for malformed YAML and :class:`RecordSyntaxError` for YAML a
    record must not hold (anchors and aliases, integers too long to read).
    """
    _refuse_aliases(text)
    loader = _Loader(text)
    try:
        return loader.get_single_data(), loader.duplicates
    except ValueError as exc:  # Python refuses to read an integer of thousands of digits
        import re

        long = re.search(r"\d{1000,}", text)
        line = text.count("\n", 0, long.start()) + 1 if long else 1
        raise RecordSyntaxError(f"cannot read a number: {str(exc)[:120]}", line, 1) from None
    finally:
        loader.dispose()


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


def _key_matches(node_value: str, part: object) -> bool:
    if node_value == str(part):
        return True
    try:
        return float(node_value) == float(part)  # quantile levels: 0.50 and 0.5 are one key
    except (TypeError, ValueError):
        return False


class _NodeLoader(_BaseLoader):  # type: ignore[misc, valid-type]
    """Composes nodes without resolving scalar tags: placing a problem needs only the
    tree, its keys as written and their marks (resolving tags is most of compose's time)."""

    def resolve(self, kind, value, implicit):  # noqa: ANN001, ANN201, ARG002
        return _STR_TAG


@functools.lru_cache(maxsize=16)
def _compose(text: str) -> yaml.Node | None:
    """The node tree of a text with problems (kept: a file often has several to place)."""
    try:
        return yaml.compose(text, Loader=_NodeLoader)
    except yaml.YAMLError:
        return None


def locate(text: str, loc: Loc) -> tuple[int, int]:
    """Line and column (1-based) of the field at ``loc`` in a YAML text.

    Points at the value when the field is there, at its key for a key problem, and at
    the nearest enclosing mapping when the field is missing.

    >>> locate("a: 1\\nb:\\n  - x: 2\\n", ("b", 0, "x"))
    (3, 8)
    """
    node = _compose(text)
    if node is None:
        return (1, 1)
    mark = node.start_mark
    parts = list(loc)
    while parts:
        part = parts.pop(0)
        if part == "[key]":
            break
        if isinstance(node, yaml.MappingNode):
            for key_node, value_node in node.value:
                if _key_matches(key_node.value, part):
                    if parts and parts[0] == "[key]":
                        mark, node = key_node.start_mark, key_node
                    else:
                        mark, node = value_node.start_mark, value_node
                    break
            else:
                break
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and 0 <= part < len(node.value):
            node = node.value[part]
            mark = node.start_mark
        else:
            break
    return mark.line + 1, mark.column + 1


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
        return sorted((q for q in self.questions.values() if q.condition and q.condition.question == qid),
                      key=lambda q: q.id)

    def path_of(self, qid: str) -> Path:
        return self.paths[qid]

    def locate(self, qid: str, finding: Finding) -> Problem:
        """Place a finding about question ``qid`` in its file."""
        path = self.paths[qid]
        known = self._locations(qid)
        if finding.loc not in known:
            known[finding.loc] = locate(path.read_text(encoding="utf-8"), finding.loc)
            if self._cache is not None:
                self._cache.changed = True
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
                    learnt = True
                line, col = known[f.loc]
                placed[k] = Problem(str(path), line, col, f.severity, field_name(_strip_key(f.loc)), f.message)
        if learnt and self._cache is not None:
            self._cache.changed = True
            self._cache.save()
        return placed  # type: ignore[return-value]

    def _locations(self, qid: str) -> dict:
        """Where fields of ``qid``'s file were placed before (kept in the cache, whose
        entry is for this very text), or a dict to fill for this call only."""
        entry = self._cached.get(qid)
        if entry is None:
            return {}
        if entry.locations is None:
            entry.locations = {}
        return entry.locations

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
        self._raw: bytes | None = None

    def _read_bytes(self) -> tuple[bytes | None, os.stat_result | None]:
        raw, why, st = _read_record(self.path)
        if why is not None:
            self.problems.append(Problem(self.shown, 1, 1, "error", "(file)", why))
        return raw, st

    def add(self, findings: Iterable[Finding]) -> None:
        if self.text is None and self._raw is not None and self.entry is not None and self.entry.has_text:
            self.text = self._raw.decode("utf-8-sig")  # a cached file's text, decoded when needed
        for f in findings:
            line, col = locate(self.text, f.loc) if self.text is not None else (1, 1)
            self.problems.append(Problem(self.shown, line, col, f.severity, field_name(_strip_key(f.loc)), f.message))

    def read(self, model: type[BaseModel], cache: _cache.RecordCache | None = None) -> BaseModel | None:
        """The file's record (None if it has none), through ``cache`` when given."""
        raw, st = self._read_bytes()
        if raw is None:
            return None
        self._raw = raw
        if cache is not None:
            self.entry = cache.get(self.name, st, raw)
            if self.entry is not None:
                self.problems.extend(Problem(self.shown, *p) for p in self.entry.problems)
                return self.entry.record
        record = self._parse(raw, model)
        if cache is not None:
            self.entry = _cache.Entry(st.st_size, st.st_mtime_ns, _cache.digest(raw), record,
                                      tuple((p.line, p.col, p.severity, p.field, p.message) for p in self.problems),
                                      self.text is not None)
            cache.put(self.name, self.entry)
        return record

    def check(self, record: Question, cache: _cache.RecordCache | None) -> None:
        """Add the problems of ``record`` on its own (kept in the cache for the day)."""
        today = dt.datetime.now(dt.timezone.utc).date()
        if self.entry is not None and self.entry.checked_on == today:
            self.problems.extend(Problem(self.shown, *p) for p in self.entry.checks)
            return
        first = len(self.problems)
        self.add(checks.check_question(record, today=today))
        if self.entry is not None and cache is not None:
            self.entry.checked_on = today
            self.entry.checks = tuple((p.line, p.col, p.severity, p.field, p.message) for p in self.problems[first:])
            cache.changed = True

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
        return None if duplicates else record


MAX_RECORD_BYTES = 10 * 1024 * 1024


def _read_record_bytes(path: Path) -> tuple[bytes | None, str | None]:
    """The bytes of a record file, or why it cannot be one: only regular files (not a
    link, a FIFO or a device) of at most 10 MB are read."""
    raw, why, _ = _read_record(path)
    return raw, why


def _read_record(path: Path) -> tuple[bytes | None, str | None, os.stat_result | None]:
    """:func:`_read_record_bytes`, with the file's status taken before it was read."""
    import stat

    try:
        st = os.lstat(path)
    except OSError as exc:
        return None, f"cannot be read: {exc.strerror}", None
    if stat.S_ISLNK(st.st_mode):
        return None, "is a symbolic link: records are regular files (links are neither read nor edited)", st
    if not stat.S_ISREG(st.st_mode):
        return None, "is not a regular file (a FIFO, device or socket): not read", st
    if st.st_size > MAX_RECORD_BYTES:
        return None, f"is {st.st_size} bytes, over the 10 MB a record may have: not read", st
    try:
        with open(path, "rb") as fh:
            raw = fh.read(MAX_RECORD_BYTES + 1)
    except OSError as exc:
        return None, f"cannot be read: {exc.strerror}", st
    if len(raw) > MAX_RECORD_BYTES:
        return None, "grew past the 10 MB a record may have while being read: not read", st
    return raw, None, st


def _strip_key(loc: Loc) -> Loc:
    return tuple(p for p in loc if p != "[key]")


def _record_files(root: Path, problems: list[Problem]) -> Iterator[tuple[Path, type[BaseModel]]]:
    """Every record file below ``root``; what cannot be read, or is not a record, goes to
    ``problems`` (never skipped in silence). Names starting with '.' are the tool's own
    (the lock, the journal) or hidden, and are passed over."""
    def unreadable(exc: OSError) -> None:
        problems.append(Problem(str(exc.filename or root), 1, 1, "error", "(file)",
                                f"folder cannot be read: {exc.strerror}"))

    for dirpath, dirnames, filenames in os.walk(root, onerror=unreadable):
        here = Path(dirpath)
        for name in sorted(dirnames):
            if not name.startswith(".") and (here / name).is_symlink():
                problems.append(Problem(str(here / name), 1, 1, "error", "(file)",
                                        "is a symbolic link to a folder: records are read from the store itself"))
        dirnames[:] = sorted(d for d in dirnames if not d.startswith(".") and not (here / d).is_symlink())
        rel = here.relative_to(root)
        model = SPECIAL_FOLDERS.get(rel.parts[0], Question) if rel.parts else Question
        for name in sorted(filenames):
            if name.startswith("."):
                continue
            path = here / name
            if name.endswith((".yaml", ".yml")):
                yield path, model
            elif bulk.is_bulk_name(name):
                yield path, bulk.BulkFile
            elif name.lower().endswith((".yaml", ".yml")):
                problems.append(Problem(str(path), 1, 1, "error", "(file)",
                                        "record files end in lowercase .yaml: rename it, or it is not read"))
            elif name.lower() not in _NOT_RECORDS:
                problems.append(Problem(str(path), 1, 1, "warning", "(file)",
                                        "not a record (only .yaml files are): ignored"))


_NOT_RECORDS = {"readme.md", "readme", "readme.txt", ".gitkeep", "license"}


@contextlib.contextmanager
def _no_cyclic_gc() -> Iterator[None]:
    """Pause the cyclic garbage collector while a store is built: the records hold no
    reference cycles, and collections triggered by the many allocations of a large store
    would otherwise cost about a fifth of the load."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


STORE_MARKER = ".forecastbook-store"


def is_store(root: Path) -> bool:
    """A folder says it is a store by having ``forecasters/`` or ``sources/`` (or an empty
    ``.forecastbook-store`` file): ``--store /`` must not walk the whole file system."""
    return any((root / name).is_dir() and not (root / name).is_symlink() for name in SPECIAL_FOLDERS) \
        or (root / STORE_MARKER).is_file()


def _interrupted_edit(root: Path) -> Problem | None:
    """A journal left by an edit that was killed (one that a running edit holds is not)."""
    import fcntl

    journal = root / JOURNAL_NAME
    if not journal.exists():
        return None
    try:
        fd = os.open(root / LOCK_NAME, os.O_RDONLY)
    except OSError:
        fd = None
    if fd is not None:
        try:
            fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            return None  # an edit is running right now and holds its journal
        finally:
            os.close(fd)
    return Problem(str(journal), 1, 1, "error", "(store)",
                   "an edit was interrupted before all its files were written; "
                   "run `forecastbook repair` (or any edit command) to complete or undo it")


def load_store(root: str | os.PathLike[str] | None = None, *, cache: bool | None = None) -> Store:
    """Read and check every record under ``root`` (default: :func:`default_store_path`).

    Never raises for bad records: see ``store.problems`` (or call ``raise_for_errors``).
    ``cache``: read through the store's disposable cache (see :mod:`forecastbook._cache`);
    by default unless ``--no-cache`` or ``FORECASTBOOK_NO_CACHE`` says not to. The store
    and its problems are the same either way.
    """
    with _no_cyclic_gc():
        return _load_store(Path(root) if root is not None else default_store_path(),
                           _cache.enabled() if cache is None else cache)


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
    interrupted = _interrupted_edit(root)
    if interrupted is not None:
        store.problems.append(interrupted)
    first_seen: dict[tuple[type[BaseModel], str], Path] = {}
    cache = _cache.RecordCache(root) if use_cache else None
    bulk_files = []
    for path, model in _record_files(root, store.problems):
        if model is bulk.BulkFile:
            bulk_files.append(path)
            continue
        stem = path.stem
        if not is_slug(stem):
            store.problems.append(Problem(str(path), 1, 1, "error", "(file)",
                                          f"file name '{stem}' is not a safe id (a lowercase slug of a-z, 0-9 and '-')"))
            continue
        reader = _FileReader(path, str(path.relative_to(root)))
        record = reader.read(model, cache)
        earlier = first_seen.setdefault((model, stem), path)
        if earlier != path:
            reader.add([Finding(("id",), f"duplicate id: '{stem}' is also {earlier}")])
        elif isinstance(record, Question):
            store.questions[stem] = record
            store.paths[stem] = path
            reader.check(record, cache)
            if reader.entry is not None:
                store._cached[stem] = reader.entry
        elif isinstance(record, Source):
            store.sources[stem] = record
        elif isinstance(record, Forecaster):
            store.forecasters[stem] = record
        store.problems.extend(reader.problems)
    store._cache = cache
    question_files = [stem for (model, stem) in first_seen if model is Question]
    for qid, finding in checks.check_references(store.questions, sources=store.sources,
                                                forecasters=store.forecasters, question_files=question_files):
        store.problems.append(store.locate(qid, finding))
    store.bulk, found = bulk.read(bulk_files, store.questions, store.forecasters, question_files=question_files)
    store.problems.extend(found)
    store.problems.sort(key=lambda p: (p.path, p.line, p.col))
    if cache is not None:
        cache.save()
    return store
