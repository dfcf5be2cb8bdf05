"""A disposable cache of read records, below :mod:`forecastbook.store`'s reading.

``STORE/.cache/forecastbook.sqlite`` (SQLite, so that two processes share it safely and
an edit rewrites its rows, not the whole cache) keeps a row per record file: its path
below the store, its status (see :func:`stamp`), when it was read, the hash of its bytes
(BLAKE2b), the kind of record and the question its condition names, how many errors it
has, the day it was checked and the last date those checks compared with that day (see
:func:`checks_hold`); and, pickled, its *head* (the problems of parsing it and of
checking it on its own, and where fields were placed in its text), its *record* (as the
plain data parsed from its YAML, which pydantic validates again when the record is asked
for: five times quicker to write than the pickled model, and no slower to read) and, for
a question, its *line* (plain values: what ``list`` and ``due`` show). A row is used only
when the file's path, size and ``mtime_ns`` match, and either its bytes hash the same or
its whole status is the one it had when it was read, well after it last changed (as
git's index trusts a file's status; see :func:`trusted`); any other file is read alone,
and rows of files that are gone are dropped. ``meta`` keeps what is known of the store as
a whole under a hash of every file's path and content, the store's path and, while a
question has a date after today, the day: the problems between records, all the
problems, the coherence warnings and where they are, the lines, and which files edits
wrote since the coherence warnings were placed.

Every pickled part is authenticated with a keyed BLAKE2b whose key lives outside every
store (in the user's cache folder, mode 0600): a cache from elsewhere, of another
version of this code, truncated or garbage is never unpickled, only rebuilt (the reason
is logged at debug level); a ``.cache`` behind a symbolic link is not used.
``FORECASTBOOK_NO_CACHE=1`` or ``--no-cache`` turns it off. The YAML records stay the
truth: deleting the cache changes nothing but time.
"""

from __future__ import annotations

import contextvars
import datetime as dt
import hashlib
import hmac
import logging
import os
import pickle
import sqlite3
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .queries import QuestionLine, line_of

__all__ = ["RecordCache", "Entry", "Row", "enabled", "NO_CACHE_ENV", "CACHE_FILE", "store_key", "SNAPSHOT_ENV",
           "write_snapshot", "read_snapshot"]

NO_CACHE_ENV = "FORECASTBOOK_NO_CACHE"
SNAPSHOT_ENV = "FORECASTBOOK_SNAPSHOT"  # stores a command read once, for the notebooks it runs
CACHE_FILE = Path(".cache") / "forecastbook.sqlite"
FORMAT = 3
RACY_NS = 2_000_000_000  # a file changed less than this before it was read is hashed again, not trusted
log = logging.getLogger("forecastbook.cache")

# Set by the CLI's --no-cache for the command it runs.
disabled: contextvars.ContextVar[bool] = contextvars.ContextVar("forecastbook_no_cache", default=False)


def enabled() -> bool:
    """Whether stores are read through the cache (not with ``--no-cache`` or
    ``FORECASTBOOK_NO_CACHE`` set to anything but '', '0')."""
    return not disabled.get() and os.environ.get(NO_CACHE_ENV, "") in ("", "0")


@dataclass
class Entry:
    """What reading one file gave, under the key it was read with."""

    size: int
    mtime_ns: int
    digest: bytes
    record: Any
    problems: tuple  # (line, col, severity, field, message) of parsing the file
    has_text: bool  # the file decoded as text (problems about it are placed in it)
    checked_on: dt.date | None = None
    checks: tuple = ()  # problems of checking the record on its own, on ``checked_on``
    settles: dt.date | None = None  # those checks hold on any day from this one on (see checks_hold)
    locations: dict | None = None  # field path -> (line, col) in this text, as placed before
    name: str = field(default="", compare=False)
    kind: str = field(default="", compare=False)  # of the record, as the index has it
    read_ns: int = field(default=0, compare=False)  # when the file was read (time.time_ns(), before reading)
    stamp: str = field(default="", compare=False)  # see stamp(): the file's status when read
    data: bytes | None = field(default=None, compare=False, repr=False)  # see pickled_data(); until written

    def head(self) -> tuple:
        return self.problems, self.has_text, self.checked_on, self.checks, self.settles, self.locations


def pickled_data(data: Any) -> bytes | None:
    """What the cache keeps of a record: the plain data it was validated from, pickled
    as soon as it is read (small bytes instead of a tree of objects kept until written);
    None if it cannot be (nested deeper than pickle goes)."""
    try:
        return pickle.dumps(data, protocol=pickle.HIGHEST_PROTOCOL)
    except (pickle.PicklingError, TypeError, RecursionError) as exc:
        log.debug("a record's data cannot be kept in the cache (%s)", exc)
        return None


def _model(kind: str) -> Any:
    """The pydantic model of a row's kind of record (imported only when a record is read)."""
    from .records import Forecaster, Question, Source

    return {"question": Question, "source": Source, "forecaster": Forecaster}[kind]


def line(record: Any) -> QuestionLine | None:
    """What ``list`` and ``due`` keep of a record: a question's line (see
    :class:`~forecastbook.queries.QuestionLine`), None for other records."""
    return line_of(record) if record is not None and hasattr(record, "forecasts") else None


@dataclass(frozen=True)
class Row:
    """What the cache's index says of one file, without unpickling anything."""

    name: str
    size: int
    mtime_ns: int
    read_ns: int  # when the file was read to make this row (time.time_ns(), before reading)
    stamp: str  # see stamp()
    digest: bytes
    kind: str  # "question", "source", "forecaster" or "" (no record)
    parent: str | None  # the question a question's condition names
    errors: int  # how many errors reading and checking the file found
    checked_on: str | None  # the day the record was checked on its own (ISO)
    settles: str | None  # the last day those checks compared with the day they ran (ISO; see checks_hold)


def stamp(st: os.stat_result) -> str:
    """What a file's status says of its content: size, modification and change times and
    inode (a file put in place by ``mv``, ``tar`` or ``cp -p`` has the old mtime but not
    the old change time or inode)."""
    return f"{st.st_size}:{st.st_mtime_ns}:{st.st_ctime_ns}:{st.st_ino}"


def trusted(kept_stamp: str, read_ns: int, st: os.stat_result) -> bool:
    """Whether a file may be taken as it was read without reading it again, as git's index
    does: its status is the one it had when read, and it was changed well before it was
    read (a change within the same tick of the clock would not show in its times)."""
    return kept_stamp == stamp(st) and max(st.st_mtime_ns, st.st_ctime_ns) < read_ns - RACY_NS


def digest(raw: bytes) -> bytes:
    return hashlib.blake2b(raw, digest_size=16).digest()


def today() -> dt.date:
    """The day (UTC) that records are checked against."""
    return dt.datetime.now(dt.timezone.utc).date()


def checks_hold(checked_on: Any, settles: Any, today: Any) -> bool:
    """Whether a question's problems, found by checking it on ``checked_on``, are its
    problems ``today`` (days as dates, or all three as ISO text: they compare alike). Checks compare a record's dates with the day
    they run on only to flag dates in the future, so they find the same problems on any
    day on or after ``settles``, the latest date they compared: a store unchanged since
    yesterday is not checked again.

    >>> checks_hold("2026-11-29", "2026-11-20", "2026-11-30"), checks_hold("2026-11-29", "2026-11-30", "2026-11-30")
    (True, False)
    """
    return checked_on is not None and (checked_on == today or (
        settles is not None and settles <= checked_on and settles <= today))


def day_of_checks(settles: list[str | None], today: str) -> str:
    """The day that the problems of questions whose checks settle on ``settles`` depend
    on: ``today`` if any has a date after it, else none ('')."""
    return today if any(s is None or s > today for s in settles) else ""


def store_key(pairs: list[tuple[str, bytes]], day: str = "") -> bytes:
    """A hash of every file of a store, (path below the store, content digest) pairs,
    and the day its problems depend on (see :func:`day_of_checks`)."""
    h = hashlib.blake2b(day.encode(), digest_size=16)
    for name, d in sorted(pairs):
        h.update(name.encode("utf-8", "surrogateescape") + b"\0" + d)
    return h.digest()


def _fingerprint() -> bytes:
    """What the cached objects depend on: this format, Python, pydantic and the source
    of the modules that define, read and check records."""
    from importlib.metadata import version

    h = hashlib.sha256(f"{FORMAT} {sys.version} {version('pydantic')}".encode())
    here = Path(__file__).parent
    for name in ("records.py", "store.py", "yamltext.py", "files.py", "checks.py", "coherence.py", "problems.py",
                 "_cache.py"):
        h.update((here / name).read_bytes())
    return h.digest()


def _key() -> bytes | None:
    """This user's secret key, made on first use; None if it cannot be kept."""
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "forecastbook"
    path = base / "cache-key"
    try:
        key: bytes | None = path.read_bytes()
        if len(key) >= 32:
            return key[:64]
    except OSError:
        key = None
    try:
        base.mkdir(parents=True, exist_ok=True)
        made = base / f".cache-key.{os.getpid()}"
        fd = os.open(made, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(os.urandom(32))
        try:
            if key is not None:  # a key too short to be secret: replaced
                os.replace(made, path)
            else:
                os.link(made, path)  # the first key made wins
        except FileExistsError:
            pass
        finally:
            made.unlink(missing_ok=True)
        key = path.read_bytes()
    except OSError as exc:
        log.debug("no cache: cannot keep a key in %s (%s)", base, exc)
        return None
    if len(key) < 32:
        log.debug("no cache: the key in %s is too short", base)
        return None
    return key[:64]


_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (k TEXT PRIMARY KEY, v BLOB);
CREATE TABLE IF NOT EXISTS files (
    name TEXT PRIMARY KEY, size INTEGER, mtime_ns INTEGER, read_ns INTEGER, stamp TEXT, digest BLOB,
    kind TEXT, parent TEXT, errors INTEGER, checked_on TEXT, settles TEXT, head BLOB, head_mac BLOB);
CREATE TABLE IF NOT EXISTS records (name TEXT PRIMARY KEY, record BLOB, mac BLOB);
CREATE TABLE IF NOT EXISTS lines (name TEXT PRIMARY KEY, line BLOB, mac BLOB);
"""


def _tune(db: sqlite3.Connection) -> None:
    """Write-ahead logging (readers never wait for a writer), synced at checkpoints only:
    a crash may lose the last writes, never the database's consistency, and the cache is
    only ever a copy."""
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=NORMAL")


class RecordCache:
    """The cache of one store for one reading: rows found are handed out by :meth:`get`,
    new ones taken by :meth:`put`, and :meth:`save` writes what changed (rows of files no
    longer seen are dropped only after a reading of the whole store, ``full=True``)."""

    def __init__(self, root: Path, *, full: bool = True):
        self.path = root / CACHE_FILE
        self.full = full
        self.key = _key()
        self.db: sqlite3.Connection | None = None
        self._rows: dict[str, tuple] | None = None
        self._index: dict[str, Row] | None = None
        self.seen: set[str] = set()
        self.dirty: dict[str, Entry] = {}  # new entries: written whole
        self.touched: dict[str, Entry] = {}  # entries that learnt something: their row only
        self.memo_updates: dict[str, Any] = {}
        self.broken = False  # the cache cannot be used in this reading
        if self.key is not None:
            self.fingerprint = _fingerprint()
            self.db = self._open()

    # --- the database ---------------------------------------------------------------------

    def _open(self) -> sqlite3.Connection | None:
        try:
            linked = self.path.parent.is_symlink() or self.path.is_symlink()
            exists = self.path.exists()
        except OSError as exc:  # a .cache this user cannot enter
            log.debug("cache %s cannot be looked at (%s): not used", self.path, exc)
            self.broken = True
            return None
        if linked:
            log.debug("cache %s is behind a symbolic link: not used", self.path)
            self.broken = True  # never read or written through a link a store may plant
            return None
        for attempt in (1, 2):
            try:
                db = sqlite3.connect(self.path, timeout=30, isolation_level=None, check_same_thread=False) \
                    if exists else None
                if db is None:
                    return None  # made by the first save
                _tune(db)
                row = db.execute("SELECT v FROM meta WHERE k = 'fingerprint'").fetchone()
                if row is None or row[0] != self.fingerprint:
                    log.debug("cache %s is of another version: rebuilding", self.path)
                    db.executescript("DROP TABLE IF EXISTS files; DROP TABLE IF EXISTS records; "
                                     "DROP TABLE IF EXISTS lights; DROP TABLE IF EXISTS lines; "
                                     "DROP TABLE IF EXISTS meta;" + _SCHEMA)
                    db.execute("INSERT INTO meta VALUES ('fingerprint', ?)", (self.fingerprint,))
                return db
            except (sqlite3.Error, OSError) as exc:
                log.debug("cache %s cannot be read (%s): rebuilding", self.path, exc)
                if attempt == 1 and not self._remove():
                    self.broken = True
                    return None
                exists = False
        self.broken = True
        return None

    def _remove(self) -> bool:
        try:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{self.path}{suffix}").unlink(missing_ok=True)
            return True
        except OSError as exc:
            log.debug("cache %s cannot be removed (%s): not used", self.path, exc)
            return False

    def _create(self) -> sqlite3.Connection:
        self.path.parent.mkdir(exist_ok=True)
        ignore = self.path.parent / ".gitignore"
        try:  # never through a link planted in its place
            fd = os.open(ignore, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o644)
        except FileExistsError:
            pass
        else:
            with os.fdopen(fd, "w") as fh:
                fh.write("# forecastbook's disposable cache: never committed\n*\n")
        db = sqlite3.connect(self.path, timeout=30, isolation_level=None, check_same_thread=False)
        _tune(db)
        db.executescript(_SCHEMA)
        db.execute("INSERT OR REPLACE INTO meta VALUES ('fingerprint', ?)", (self.fingerprint,))
        return db

    def _mac(self, *parts: bytes) -> bytes:
        h = hashlib.blake2b(key=self.key, digest_size=16)
        for p in parts:
            h.update(len(p).to_bytes(8, "little"))
            h.update(p)
        return h.digest()

    def _query(self, sql: str, args: tuple = ()) -> list[tuple]:
        if self.db is None and not self.broken and self.key is not None:
            self.db = self._open()
        if self.db is None:
            return []
        try:
            return self.db.execute(sql, args).fetchall()
        except (sqlite3.Error, UnicodeError) as exc:  # UnicodeError: a file name that is not UTF-8
            log.debug("cache %s cannot be read (%s): not used", self.path, exc)
            self.broken = True
            self.close()
            return []

    # --- rows -----------------------------------------------------------------------------

    def index(self) -> dict[str, Row]:
        """Every row's index columns (no record is unpickled), as read first."""
        if self._index is None:
            self._index = {r[0]: Row(*r) for r in self._query(
                "SELECT name, size, mtime_ns, read_ns, stamp, digest, kind, parent, errors, checked_on, settles FROM files")}
        return self._index

    def heads(self, names: list[str]) -> list[tuple] | None:
        """The heads (problems, has_text, checked_on, checks, settles, locations) of the rows
        ``names``, in that order; None if any is missing or cannot be trusted."""
        found = {}
        for name, d, head, mac in self._query("SELECT name, digest, head, head_mac FROM files"):
            if not hmac.compare_digest(mac, self._mac(name.encode("utf-8", "surrogateescape"), d, head)):
                return None
            found[name] = head
        try:
            return [pickle.loads(found[name]) for name in names]
        except Exception:  # noqa: BLE001 - a missing or unreadable row: the caller reads the store
            return None

    def lines(self) -> dict[str, QuestionLine | None] | None:
        """Every row's line (see :func:`line`), or None if any cannot be trusted."""
        out = {}
        for name, d, kept, mac in self._query(
                "SELECT l.name, f.digest, l.line, l.mac FROM lines l JOIN files f ON f.name = l.name"):
            if not hmac.compare_digest(mac, self._mac(name.encode("utf-8", "surrogateescape"), d, kept)):
                return None
            try:
                out[name] = pickle.loads(kept)
            except Exception:  # noqa: BLE001 - a row that cannot be read: the caller reads the store
                return None
        return out

    def _select(self, where: str = "") -> str:
        """The columns of a row and its record (kept in a table of their own, so that
        reading the index or the heads alone does not read every record)."""
        return (f"SELECT f.name, size, mtime_ns, read_ns, stamp, digest, kind, head, head_mac, r.record, r.mac "
                f"FROM files f JOIN records r ON r.name = f.name {where}")

    def _all_rows(self) -> dict[str, tuple]:
        if self._rows is None:
            self._rows = {r[0]: r[1:] for r in self._query(self._select())} if self.full else {}
        return self._rows

    def _row(self, name: str) -> tuple | None:
        rows = self._all_rows()
        if not self.full and name not in rows:
            found = self._query(self._select("WHERE f.name = ?"), (name,))
            rows[name] = found[0][1:] if found else None
        return rows.get(name)

    def _unpack(self, name: str, row: tuple) -> Entry | None:
        size, mtime_ns, read_ns, stamped, d, kind, head, head_mac, rec, rec_mac = row
        key = name.encode("utf-8", "surrogateescape")
        if not hmac.compare_digest(head_mac, self._mac(key, d, head)) \
                or not hmac.compare_digest(rec_mac, self._mac(key, d, rec)):
            log.debug("cache row %s is not one this user wrote, or is damaged: rereading", name)
            return None
        try:
            problems, has_text, checked_on, found, settles, locations = pickle.loads(head)
            data = pickle.loads(rec)
            record = None if data is None else _model(kind).model_validate(data)
        except Exception as exc:  # noqa: BLE001 - a row that cannot be read is reread from the file
            log.debug("cache row %s cannot be read (%s): rereading", name, exc)
            return None
        return Entry(size, mtime_ns, d, record, problems, has_text, checked_on, found, settles, locations, name, kind,
                     read_ns, stamp=stamped)

    def get(self, name: str, st: os.stat_result, raw: bytes | None) -> Entry | None:
        """The entry of file ``name``, with its record, if its size, mtime and content are
        those cached (``raw`` None: the caller found the file trusted, see :func:`trusted`)."""
        row = self._row(name)
        if row is None or row[0] != st.st_size or row[1] != st.st_mtime_ns \
                or (raw is not None and row[4] != digest(raw)):
            return None
        entry = self._unpack(name, row)
        if entry is not None:
            self.seen.add(name)
        return entry

    def unchanged(self, name: str, st: os.stat_result) -> Entry | None:
        """The entry of file ``name`` without reading the file, when :func:`trusted` says
        the file is as it was read (else None: the caller reads and hashes it)."""
        row = self._row(name)
        if row is None or not trusted(row[3], row[2], st):
            return None
        return self.get(name, st, None)

    def put(self, name: str, entry: Entry) -> None:
        entry.name = name
        self.seen.add(name)
        self.dirty[name] = entry
        self.touched.pop(name, None)

    def touch(self, entry: Entry) -> None:
        """``entry`` learnt something (checks of a new day, where a field is, the status its
        file was read with): write its row again (its record and line are as they were)."""
        if entry.name and entry.name not in self.dirty:
            self.touched[entry.name] = entry

    @property
    def changed(self) -> bool:
        return bool(self.dirty or self.touched or self.memo_updates) or (
            self.full and self._rows is not None and self._rows.keys() - self.seen != set())

    # --- what is known of the whole store -------------------------------------------------

    def memo(self, what: str, key: bytes) -> Any:
        """What was kept as ``what`` for the store whose files hash to ``key``, or None."""
        if what in self.memo_updates:
            kept_key, value = self.memo_updates[what]
            return value if kept_key == key else None
        found = self._query("SELECT v FROM meta WHERE k = ?", (f"memo:{what}",))
        if not found:
            return None
        blob = found[0][0]
        mac, body = blob[:16], blob[16:]
        if not hmac.compare_digest(mac, self._mac(what.encode(), body)) or body[:16] != key:
            return None
        try:
            return pickle.loads(body[16:])
        except Exception as exc:  # noqa: BLE001
            log.debug("cache memo %s cannot be read (%s)", what, exc)
            return None

    def stored_under(self, what: str) -> bytes | None:
        """The key ``what`` is kept under (as written: it is checked when read)."""
        if what in self.memo_updates:
            return self.memo_updates[what][0]
        found = self._query("SELECT substr(v, 17, 16) FROM meta WHERE k = ?", (f"memo:{what}",))
        return found[0][0] if found else None

    def set_memo(self, what: str, key: bytes, value: Any) -> None:
        self.memo_updates[what] = (key, value)

    # --- writing --------------------------------------------------------------------------

    def save(self) -> None:
        """Write what changed in one transaction (failures are only logged)."""
        if self.key is None or self.broken or not self.changed:
            return
        try:
            rows, records, lines = [], [], []
            for name, e in (*self.dirty.items(), *self.touched.items()):
                head = pickle.dumps(e.head(), protocol=pickle.HIGHEST_PROTOCOL)
                kind = type(e.record).__name__.lower() if e.record is not None else ""
                condition = getattr(e.record, "condition", None)
                key = name.encode("utf-8", "surrogateescape")
                errors = sum(p[2] == "error" for p in (*e.problems, *e.checks))
                rows.append((name, e.size, e.mtime_ns, e.read_ns, e.stamp, e.digest, kind, condition.question if condition else None,
                             errors, e.checked_on.isoformat() if e.checked_on else None,
                             e.settles.isoformat() if e.settles else None,
                             head, self._mac(key, e.digest, head)))
                if name in self.dirty:
                    if e.record is not None and e.data is None:
                        raise TypeError(f"no data kept for the record of {name}")
                    rec = e.data if e.record is not None else pickle.dumps(None)
                    records.append((name, rec, self._mac(key, e.digest, rec)))
                    kept = pickle.dumps(line(e.record), protocol=pickle.HIGHEST_PROTOCOL)
                    lines.append((name, kept, self._mac(key, e.digest, kept)))
            memos = []
            for what, (key, value) in self.memo_updates.items():
                body = key + pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL) if value is not None else None
                memos.append((f"memo:{what}", self._mac(what.encode(), body) + body if body is not None else None))
        except (pickle.PicklingError, TypeError, RecursionError) as exc:
            log.debug("cache %s not written: %s", self.path, exc)
            return
        try:
            if self.db is None:
                self.db = self._open()
            if self.db is None:
                if self.path.exists() and not self._remove():
                    return
                self.db = self._create()
            db = self.db
            db.execute("BEGIN IMMEDIATE")
            try:
                db.executemany("INSERT OR REPLACE INTO files VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
                db.executemany("INSERT OR REPLACE INTO records VALUES (?, ?, ?)", records)
                db.executemany("INSERT OR REPLACE INTO lines VALUES (?, ?, ?)", lines)
                if self.full and self._rows is not None:
                    gone = [(n,) for n in self._rows.keys() - self.seen]
                    db.executemany("DELETE FROM files WHERE name = ?", gone)
                    db.executemany("DELETE FROM records WHERE name = ?", gone)
                    db.executemany("DELETE FROM lines WHERE name = ?", gone)
                for k, v in memos:
                    if v is None:
                        db.execute("DELETE FROM meta WHERE k = ?", (k,))
                    else:
                        db.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (k, v))
                db.execute("COMMIT")
            except BaseException:
                db.execute("ROLLBACK")
                raise
            for e in self.dirty.values():
                e.data = None
            self.dirty.clear()
            self.touched.clear()
            self.memo_updates.clear()
        except (sqlite3.Error, OSError, UnicodeError) as exc:  # UnicodeError: a file name that is not UTF-8
            log.debug("cache %s not written (%s)", self.path, exc)
            self.broken = True
        finally:
            self.close()

    def close(self) -> None:
        if self.db is not None:
            self.db.close()
            self.db = None


def _snapshot_mac(key: bytes, body: bytes) -> bytes:
    return hashlib.blake2b(body, key=key, digest_size=32, person=b"fb-snapshot").digest()


def write_snapshot(path: Path, stores: dict[str, Any]) -> bool:
    """Keep ``stores`` (resolved store path -> Store) in ``path`` for the notebooks a
    command runs, so that they do not read the stores again; False if it cannot."""
    key = _key()
    if key is None:
        return False
    body = pickle.dumps(stores, protocol=pickle.HIGHEST_PROTOCOL)
    path.write_bytes(_snapshot_mac(key, body) + body)
    return True


def read_snapshot(root: Path) -> Any:
    """The store at ``root`` from the snapshot ``FORECASTBOOK_SNAPSHOT`` names, or None."""
    where = os.environ.get(SNAPSHOT_ENV)
    key = _key() if where else None
    if key is None:
        return None
    try:
        data = Path(where).read_bytes()
    except OSError as exc:
        log.debug("snapshot %s not read (%s)", where, exc)
        return None
    if not hmac.compare_digest(data[:32], _snapshot_mac(key, data[32:])):
        log.debug("snapshot %s is not one this user wrote: not used", where)
        return None
    try:
        return pickle.loads(data[32:]).get(str(root.resolve()))
    except Exception as exc:  # noqa: BLE001
        log.debug("snapshot %s cannot be read (%s)", where, exc)
        return None
