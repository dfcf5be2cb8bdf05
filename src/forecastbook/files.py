"""The files of a store: which are records, how one is read safely, and what
``validate``, ``list`` and ``due`` need of an unchanged store, all without building a
record (this module imports neither pydantic nor PyYAML: an answer from the cache stays
cheap).
"""

from __future__ import annotations

import contextlib
import gc
import os
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple, TypeVar

from . import _cache
from .bulk import is_bulk_name
from .problems import Problem
from .queries import QuestionLine, lines_of

__all__ = ["CheckedStore", "check_store", "Listing", "list_store", "is_store", "is_slug", "record_files", "read_record",
           "stat_record", "LOCK_NAME", "JOURNAL_NAME", "STORE_MARKER", "FOLDER_KINDS", "MAX_RECORD_BYTES"]

LOCK_NAME = ".forecastbook.lock"
JOURNAL_NAME = ".forecastbook-journal.json"
FOLDER_KINDS = {"sources": "source", "forecasters": "forecaster"}  # every other folder holds questions
T = TypeVar("T")
_SLUG = re.compile(r"[a-z0-9][a-z0-9-]*")  # used with fullmatch: Python's $ would allow a final newline


def is_slug(value: str) -> bool:
    """Whether ``value`` is a safe id: it can never name a path outside the store.

    >>> is_slug("trump-visit-2026"), is_slug("../etc/passwd"), is_slug("Upper"), is_slug("a\\n")
    (True, False, False, False)
    """
    return len(value) <= 80 and _SLUG.fullmatch(value) is not None


def memo_key(key: bytes, root: Path) -> bytes:
    """What a store-wide finding is kept under: the hash of every file (and the day, if
    the problems depend on it: see :func:`_cache.store_key`) and the store's path as given
    (findings name their files by it)."""
    return _cache.digest(b"\0".join([key, str(root).encode("utf-8", "surrogateescape")]))


MAX_RECORD_BYTES = 10 * 1024 * 1024


def read_record_bytes(path: Path) -> tuple[bytes | None, str | None]:
    """The bytes of a record file, or why it cannot be one: only regular files (not a
    link, a FIFO or a device) of at most 10 MB are read."""
    raw, why, _ = read_record(path)
    return raw, why


def stat_record(path: str | Path) -> tuple[os.stat_result | None, str | None]:
    """The status of a record file (not following a link), or why it cannot be read."""
    import stat

    try:
        st = os.lstat(path)
    except OSError as exc:
        return None, f"cannot be read: {exc.strerror}"
    if stat.S_ISLNK(st.st_mode):
        return st, "is a symbolic link: records are regular files (links are neither read nor edited)"
    if not stat.S_ISREG(st.st_mode):
        return st, "is not a regular file (a FIFO, device or socket): not read"
    if st.st_size > MAX_RECORD_BYTES:
        return st, f"is {st.st_size} bytes, over the 10 MB a record may have: not read"
    return st, None


def read_record(path: str | Path, st: os.stat_result | None = None
                ) -> tuple[bytes | None, str | None, os.stat_result | None]:
    """:func:`read_record_bytes`, with the file's status taken before it was read (or
    ``st``, taken by :func:`stat_record` just before)."""
    if st is None:
        st, why = stat_record(path)
        if why is not None:
            return None, why, st
    try:
        with open(path, "rb") as fh:
            raw = fh.read(MAX_RECORD_BYTES + 1)
    except OSError as exc:
        return None, f"cannot be read: {exc.strerror}", st
    if len(raw) > MAX_RECORD_BYTES:
        return None, "grew past the 10 MB a record may have while being read: not read", st
    return raw, None, st


class RecordFile(NamedTuple):
    """A record file found below a store."""

    path: str  # as problems name it: the store's path and ``name``, as pathlib joins them
    name: str  # the path below the store (the cache's key)
    stem: str  # the record's id, if it is a safe one
    kind: str  # "question", "source", "forecaster" or "bulk" (forecasts in Parquet, see forecastbook.bulk)


def record_files(root: Path, problems: list[Problem]) -> Iterator[RecordFile]:
    """Every record file below ``root``; what cannot be read, or is not a record, goes to
    ``problems`` (never skipped in silence). Names starting with '.' are the tool's own
    (the lock, the journal) or hidden, and are passed over. Paths are built as strings:
    on a large store, pathlib's joins cost more than the walk."""
    def unreadable(exc: OSError) -> None:
        problems.append(Problem(str(exc.filename or root), 1, 1, "error", "(file)",
                                f"folder cannot be read: {exc.strerror}"))

    base = os.fspath(root)
    for dirpath, dirnames, filenames in os.walk(root, onerror=unreadable):
        here = dirpath[2:] if base == "." and dirpath.startswith("./") else "" if dirpath == "." else dirpath
        rel = here if base == "." else here[len(base) + (not base.endswith(os.sep)):]
        for name in sorted(dirnames):
            if not name.startswith(".") and os.path.islink(os.path.join(dirpath, name)):
                problems.append(Problem(_join(here, name), 1, 1, "error", "(file)",
                                        "is a symbolic link to a folder: records are read from the store itself"))
        dirnames[:] = sorted(d for d in dirnames if not d.startswith(".") and not os.path.islink(os.path.join(dirpath, d)))
        kind = FOLDER_KINDS.get(rel.split(os.sep, 1)[0], "question") if rel else "question"
        for name in sorted(filenames):
            if name.startswith("."):
                continue
            if name.endswith((".yaml", ".yml")):
                yield RecordFile(_join(here, name), _join(rel, name), name.rsplit(".", 1)[0], kind)
            elif is_bulk_name(name):
                yield RecordFile(_join(here, name), _join(rel, name), name, "bulk")
            elif name.lower().endswith((".yaml", ".yml")):
                problems.append(Problem(_join(here, name), 1, 1, "error", "(file)",
                                        "record files end in lowercase .yaml: rename it, or it is not read"))
            elif name.lower() not in _NOT_RECORDS:
                problems.append(Problem(_join(here, name), 1, 1, "warning", "(file)",
                                        "not a record (only .yaml files are): ignored"))


def _join(folder: str, name: str) -> str:
    return f"{folder}{'' if folder.endswith(os.sep) else os.sep}{name}" if folder else name


_NOT_RECORDS = {"readme.md", "readme", "readme.txt", ".gitkeep", "license"}

@contextlib.contextmanager
def no_cyclic_gc() -> Iterator[None]:
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
    return any((root / name).is_dir() and not (root / name).is_symlink() for name in FOLDER_KINDS) \
        or (root / STORE_MARKER).is_file()


def interrupted_edit(root: Path) -> Problem | None:
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

def unsafe_name(path: str) -> Problem:
    stem = os.path.basename(path).rsplit(".", 1)[0]
    return Problem(path, 1, 1, "error", "(file)",
                   f"file name '{stem}' is not a safe id (a lowercase slug of a-z, 0-9 and '-')")

@dataclass
class CheckedStore:
    """What ``validate`` reports of a store: every problem and how many records it has."""

    problems: list[Problem]
    questions: int
    forecasters: int
    sources: int
    bulk_forecasts: int | None = None  # read from Parquet files, if the store has any


def check_store(root: str | os.PathLike[str], *, cache: bool | None = None) -> CheckedStore:
    """Every problem of the store at ``root``, coherence warnings and lints included.

    On a store whose every file is as it was when last checked (the same bytes, and
    checks that still hold today: see :func:`_cache.checks_hold`), the answer comes from
    the cache without building a record.
    """
    root = Path(root)
    kept = _from_cache_if_on(root, cache, _check_from_cache)
    if kept is not None:
        return kept
    from . import coherence
    from .store import load_store

    with no_cyclic_gc():  # the store holds no cycles; only its problems outlive this call
        store = load_store(root, cache=cache)
        found = sorted([*store.problems, *coherence.problems(store)], key=lambda p: (p.path, p.line, p.col))
    return CheckedStore(found, len(store.questions), len(store.forecasters), len(store.sources),
                        len(store.bulk) if store.bulk is not None else None)


def _check_from_cache(root: Path) -> CheckedStore | None:
    """:func:`check_store` from the cache alone, or None when any file is not as cached."""
    cache = _cache.RecordCache(root)
    found = from_cache(root, cache)
    if found is None:
        return None
    coherence = _coherence_from_cache(cache, memo_key(found.key, root))
    if coherence is None:
        return None
    counts = {"question": 0, "forecaster": 0, "source": 0}
    for _, row in found.files:
        if row.kind in counts:
            counts[row.kind] += 1
    problems = sorted([*found.problems, *(Problem(*p) for p in coherence)], key=lambda p: (p.path, p.line, p.col))
    return CheckedStore(problems, counts["question"], counts["forecaster"], counts["source"])


def _coherence_from_cache(cache: _cache.RecordCache, key: bytes) -> list[tuple] | None:
    """The coherence warnings and lints kept for the store whose memos are kept under
    ``key``: as kept for it, or as kept for the store before edits that changed no
    forecast, with those in the files they wrote placed again (see
    :func:`forecastbook.store.after_edit`); None if neither is kept."""
    placed = cache.memo("coherence", key)
    if placed is not None:
        return placed
    moved = cache.memo("coherence-moves", key)
    if moved is None:
        return None
    before, edited = moved
    placed, places = cache.memo("coherence", before), cache.memo("coherence-places", before)
    if placed is None or places is None or len(places) > len(placed):
        return None
    from .store import locate  # PyYAML, and only after an edit

    placed, texts = list(placed), {}
    for k, (qid, loc) in enumerate(places):
        if qid in edited:
            path = placed[k][0]
            if path not in texts:
                raw, why, _ = read_record(path)
                if why is not None:
                    return None
                texts[path] = raw.decode("utf-8-sig", errors="replace")
            line, col = locate(texts[path], loc)
            placed[k] = (path, line, col, *placed[k][3:])
    cache.set_memo("coherence", key, placed)
    cache.set_memo("coherence-places", key, places)
    cache.save()
    return placed


@dataclass
class Listing:
    """What ``list`` and ``due`` need of a store: its questions as lines, by id, and its
    errors (a store with errors is not listed)."""

    lines: list[QuestionLine]
    errors: list[Problem]


def list_store(root: str | os.PathLike[str], *, cache: bool | None = None) -> Listing:
    """The questions of the store at ``root`` as :class:`~forecastbook.queries.QuestionLine`,
    and its errors. On a store whose every file is as cached, they come from the cache
    without building a record; otherwise the store is read whole.
    """
    root = Path(root)
    kept = _from_cache_if_on(root, cache, _list_from_cache)
    if kept is not None:
        return kept
    from .store import load_store

    store = load_store(root, cache=cache)
    return Listing(lines_of(store), store.errors)


def _from_cache_if_on(root: Path, cache: bool | None, answer: Callable[[Path], T | None]) -> T | None:
    """``answer(root)``, an answer from the cache alone (or None), if the cache is on."""
    if not (_cache.enabled() if cache is None else cache):
        return None
    with no_cyclic_gc():
        return answer(root)


def _list_from_cache(root: Path) -> Listing | None:
    """:func:`list_store` from the cache alone, or None when any file is not as cached.
    The lines of all files are kept together for the store as it is (one unpickling),
    and gathered row by row after an edit changed some files."""
    cache = _cache.RecordCache(root)
    found = from_cache(root, cache, errors_only=True)
    if found is None:
        return None
    key = memo_key(found.key, root)
    lines = cache.memo("lines", key)
    if lines is None:
        each = cache.lines()
        if each is None or not all(row.name in each for _, row in found.files):
            return None
        lines = sorted((each[row.name] for f, row in found.files if f.kind == "question" and each[row.name]),
                       key=lambda line: line.id)
        cache.set_memo("lines", key, lines)
        cache.save()
    return Listing(lines, found.problems)


@dataclass
class FromCache:
    """A store as the cache has it: every problem (sorted) and each record file's row."""

    problems: list[Problem]
    files: list[tuple[RecordFile, _cache.Row]]
    key: bytes  # the hash of every file (see _cache.store_key)


def from_cache(root: Path, cache: _cache.RecordCache, *, errors_only: bool = False) -> FromCache | None:
    """Every file of the store at ``root`` as the cache's index has it, and its problems,
    those between records included (not coherence warnings or lints; only the
    errors with ``errors_only``); None when a file is not as cached, has checks that
    do not hold today (see :func:`_cache.checks_hold`) or has a duplicate id, or when
    what is known of the whole store is not kept for these very files.

    A file whose status is the one cached is not read (see :func:`_cache.trusted`). The
    problems of the files are kept together for the store as it is (an edit keeps them
    so); otherwise they are gathered from each file's row, and kept together again.
    """
    if not root.is_dir() or not is_store(root):
        return None
    walk: list[Problem] = []  # found by walking the store, never kept
    interrupted = interrupted_edit(root)
    if interrupted is not None:
        walk.append(interrupted)
    today = _cache.today().isoformat()
    index = cache.index()
    digests: list[tuple[str, bytes]] = []
    files = []
    stems: set[tuple[str, str]] = set()
    settles: list[str | None] = []
    for f in record_files(root, walk):
        if f.kind == "bulk":
            return None  # Parquet files are read (and checked against the records) every time
        if not is_slug(f.stem):
            walk.append(unsafe_name(f.path))
            continue
        if (f.kind, f.stem) in stems:
            return None  # a duplicate id, placed in the text: found by a full reading
        stems.add((f.kind, f.stem))
        st, why = stat_record(f.path)
        if why is not None:
            walk.append(Problem(f.path, 1, 1, "error", "(file)", why))
            digests.append((f.name, b""))
            continue
        row = index.get(f.name)
        if row is None or row.size != st.st_size or row.mtime_ns != st.st_mtime_ns:
            return None
        if not _cache.trusted(row.stamp, row.read_ns, st):  # moved in place, or changed as it was read: hash it
            raw, why, st = read_record(f.path, st)
            if why is not None or _cache.digest(raw) != row.digest:
                return None
        if row.kind == "question":
            if not _cache.checks_hold(row.checked_on, row.settles, today):
                return None
            settles.append(row.settles)
        files.append((f, row))
        digests.append((f.name, row.digest))
    key = _cache.store_key(digests, _cache.day_of_checks(settles, today))
    problems: list[tuple] | None = []
    if not errors_only or any(row.errors for _, row in files):  # the index counts each file's errors
        problems = cache.memo("problems", memo_key(key, root))
        if problems is None:
            problems = _problems_of_rows(root, cache, files, key)
            if problems is None:
                return None
    found = [*walk, *(Problem(*p) for p in problems)]
    kept = cache.memo("references", memo_key(key, root))
    if kept is None:
        return None
    found.extend(Problem(*p) for p in kept)
    if errors_only:
        found = [p for p in found if p.severity == "error"]
    found.sort(key=lambda p: (p.path, p.line, p.col))
    return FromCache(found, files, key)


def _problems_of_rows(root: Path, cache: _cache.RecordCache, files: list[tuple[RecordFile, _cache.Row]],
                      key: bytes) -> list[tuple] | None:
    """The problems of each file, from its row; kept together for the next reading of
    the same files."""
    heads = cache.heads([row.name for _, row in files])
    if heads is None:
        return None
    problems = [(f.path, *p) for (f, row), (parsed, _, _, checked, _, _) in zip(files, heads) for p in (*parsed, *checked)]
    cache.set_memo("problems", memo_key(key, root), problems)
    cache.save()
    return problems
