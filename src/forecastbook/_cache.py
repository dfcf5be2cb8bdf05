"""A disposable cache of read records, below :mod:`forecastbook.store`'s reading.

``STORE/.cache/forecastbook.pickle`` keeps, for each record file, what reading it gave:
the record (or None) and the problems of parsing it, the problems of checking it on its
own with the day they were found, and where in the text fields were placed (a warning
about a question is placed by parsing its file once, then found here). An entry is used only when the file's path, size,
``mtime_ns`` and content hash (BLAKE2b of its bytes, which are read every time) all
match; any other file is read alone, and files that are gone are dropped.

The file is authenticated with an HMAC whose key lives outside every store (in the
user's cache folder, mode 0600): a cache from elsewhere, of another version of this
code, truncated or garbage is never unpickled, only rebuilt (the reason is logged at
debug level). It is written atomically (a temporary file renamed over it), so two
processes never see half a cache. ``FORECASTBOOK_NO_CACHE=1`` or ``--no-cache`` turns
it off. The YAML records stay the truth: deleting the cache changes nothing but time.
"""

from __future__ import annotations

import contextvars
import datetime as dt
import hashlib
import hmac
import logging
import os
import pickle
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = ["RecordCache", "Entry", "enabled", "NO_CACHE_ENV", "CACHE_FILE"]

NO_CACHE_ENV = "FORECASTBOOK_NO_CACHE"
CACHE_FILE = Path(".cache") / "forecastbook.pickle"
FORMAT = 1
_MAGIC = b"forecastbook-cache\n"
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
    locations: dict | None = None  # field path -> (line, col) in this text, as placed before


def digest(raw: bytes) -> bytes:
    return hashlib.blake2b(raw, digest_size=16).digest()


def _fingerprint() -> bytes:
    """What the cached objects depend on: this format, Python, pydantic and the source
    of the modules that define and read records."""
    import pydantic

    h = hashlib.sha256(f"{FORMAT} {sys.version} {pydantic.VERSION}".encode())
    here = Path(__file__).parent
    for name in ("records.py", "store.py", "checks.py", "problems.py", "_cache.py"):
        h.update((here / name).read_bytes())
    return h.digest()


def _key() -> bytes | None:
    """This user's HMAC key, made on first use; None if it cannot be kept."""
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "forecastbook"
    path = base / "cache-key"
    try:
        key = path.read_bytes()
        if len(key) >= 32:
            return key
    except OSError:
        pass
    try:
        base.mkdir(parents=True, exist_ok=True)
        fd = os.open(base / f".cache-key.{os.getpid()}", os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(os.urandom(32))
        try:
            os.link(base / f".cache-key.{os.getpid()}", path)  # the first key made wins
        except FileExistsError:
            pass
        finally:
            os.unlink(base / f".cache-key.{os.getpid()}")
        return path.read_bytes()
    except OSError as exc:
        log.debug("no cache: cannot keep a key in %s (%s)", base, exc)
        return None


class RecordCache:
    """The cache of one store for one reading: entries found are handed out by
    :meth:`get`, new ones taken by :meth:`put`, and :meth:`save` writes what is current."""

    def __init__(self, root: Path):
        self.path = root / CACHE_FILE
        self.key = _key()
        self.fingerprint = _fingerprint() if self.key is not None else b""
        self.old: dict[str, Entry] = self._load() if self.key is not None else {}
        self.new: dict[str, Entry] = {}
        self.changed = False

    def _load(self) -> dict[str, Entry]:
        try:
            data = self.path.read_bytes()
        except FileNotFoundError:
            return {}
        except OSError as exc:
            log.debug("cache %s not read (%s): rebuilding", self.path, exc)
            return {}
        head = len(_MAGIC)
        mac, body = data[head:head + 32], data[head + 32:]
        if not data.startswith(_MAGIC) or not hmac.compare_digest(mac, hmac.new(self.key, body, "sha256").digest()):
            log.debug("cache %s is not one this user wrote, or is damaged: rebuilding", self.path)
            return {}
        if body[:32] != self.fingerprint:
            log.debug("cache %s is of another version: rebuilding", self.path)
            return {}
        try:
            entries = pickle.loads(body[32:])
        except Exception as exc:  # noqa: BLE001 - a cache that cannot be read is rebuilt
            log.debug("cache %s cannot be read (%s): rebuilding", self.path, exc)
            return {}
        return entries if isinstance(entries, dict) else {}

    def get(self, name: str, st: os.stat_result, raw: bytes) -> Entry | None:
        """The entry of file ``name`` if its size, mtime and content are those cached."""
        entry = self.old.get(name)
        if entry is None or entry.size != st.st_size or entry.mtime_ns != st.st_mtime_ns \
                or entry.digest != digest(raw):
            return None
        self.new[name] = entry
        return entry

    def put(self, name: str, entry: Entry) -> None:
        self.new[name] = entry
        self.changed = True

    def save(self) -> None:
        """Write the current entries if anything changed (atomically; failures only logged)."""
        if not self.changed and self.new.keys() == self.old.keys():
            return
        if self.key is None:
            return
        try:
            body = self.fingerprint + pickle.dumps(self.new, protocol=pickle.HIGHEST_PROTOCOL)
        except (pickle.PicklingError, TypeError, RecursionError) as exc:
            log.debug("cache %s not written: %s", self.path, exc)
            return
        data = _MAGIC + hmac.new(self.key, body, "sha256").digest() + body
        try:
            self.path.parent.mkdir(exist_ok=True)
            ignore = self.path.parent / ".gitignore"
            if not ignore.exists():
                ignore.write_text("# forecastbook's disposable cache: never committed\n*\n")
            fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=".forecastbook-", suffix=".tmp")
            try:
                with os.fdopen(fd, "wb") as fh:
                    fh.write(data)
                os.replace(tmp, self.path)
            except BaseException:
                os.unlink(tmp)
                raise
        except OSError as exc:
            log.debug("cache %s not written (%s)", self.path, exc)
