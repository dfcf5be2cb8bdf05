"""The one edit path: round-trip YAML edits, validated, written all-or-nothing under a
lock on the store.

An edit of several files must never be half applied. :func:`write_atomic` writes a
journal of intent before it touches any record:

1. the journal (state ``prepare``) names every temporary file and its target;
2. each new text goes to its temporary file beside the target, fsynced;
3. the journal turns to ``commit`` (one atomic rename);
4. the temporary files are renamed over their targets; the journal is removed.

A process killed anywhere in between leaves a journal. The next edit (or ``forecastbook
repair``) takes the lock and finishes the work: a ``prepare`` journal is rolled back (its
temporary files removed; no record was touched), a ``commit`` journal is rolled forward
(the renames still missing are done). ``load_store`` reports a journal that no running
edit holds, so ``validate`` says when an edit was interrupted.

>>> import pathlib, tempfile
>>> root = pathlib.Path(tempfile.mkdtemp())
>>> write_atomic({root / "a.yaml": "a: 1\\n", root / "b.yaml": "b: 2\\n"}, root=root)
>>> sorted(p.name for p in root.iterdir())
['a.yaml', 'b.yaml']
"""

from __future__ import annotations

import collections
import contextlib
import fcntl
import io
import json
import os
import secrets
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import checks
from .problems import Problem, field_name
from .records import Question
from .store import (
    JOURNAL_NAME,
    LOCK_NAME,
    StaleCacheError,
    Store,
    after_edit,
    edit_view,
    load_store,
    locate,
    parse_yaml,
)

__all__ = ["EditError", "store_lock", "write_atomic", "recover", "apply", "validated", "RoundTrip"]

_JOURNAL_FORMAT = "forecastbook-journal/1"


class EditError(Exception):
    """A refused change: nothing was written. ``problems`` lists why, located."""

    def __init__(self, message: str, problems: list[Problem] | None = None):
        self.problems = problems or []
        super().__init__(message + "".join(f"\n  {p}" for p in self.problems))


# --- locking ---------------------------------------------------------------------------------

@contextlib.contextmanager
def store_lock(root: Path, *, timeout: float = 30.0) -> Iterator[None]:
    """An exclusive lock on the store (a lock file at its root), waited for up to ``timeout``."""
    path = Path(root) / LOCK_NAME
    try:
        fh = open(path, "a+")
    except OSError as exc:  # a folder named like the lock, a read-only store, no such folder
        raise EditError(f"cannot lock the store {str(root)[:200]}: {path.name}: {exc.strerror}") from None
    with fh:
        deadline = time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise EditError(f"the store {root} is locked by another command (waited {timeout:g} s)") from None
                time.sleep(0.05)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


# --- all-or-nothing writes ---------------------------------------------------------------------

def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _write_file(path: Path, text: str, *, mode: int, exclusive: bool = False) -> None:
    flags = os.O_WRONLY | os.O_CREAT | (os.O_EXCL if exclusive else os.O_TRUNC)
    fd = os.open(path, flags, mode)
    with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
        fh.write(text)
        fh.flush()
        os.fsync(fh.fileno())
    os.chmod(path, mode)


def _write_journal(root: Path, state: str, renames: list[tuple[str, str]]) -> None:
    journal = root / JOURNAL_NAME
    tmp = root / (JOURNAL_NAME + ".tmp")
    body = {"format": _JOURNAL_FORMAT, "state": state, "renames": [{"from": a, "to": b} for a, b in renames]}
    _write_file(tmp, json.dumps(body, ensure_ascii=False, indent=1) + "\n", mode=0o644)
    os.replace(tmp, journal)
    _fsync_dir(root)


def write_atomic(changes: dict[Path, str], *, root: Path) -> None:
    """Write several files under ``root`` all-or-nothing, through the journal (module
    docstring). Call it holding :func:`store_lock`."""
    root = Path(root)
    token = secrets.token_hex(4)
    renames = []
    for path in changes:
        tmp = path.with_name(f".{path.name}.{token}.tmp")
        renames.append((os.path.relpath(tmp, root), os.path.relpath(path, root)))
    _write_journal(root, "prepare", renames)
    try:
        for (tmp_rel, _), (path, text) in zip(renames, changes.items()):
            mode = path.stat().st_mode & 0o777 if path.exists() else 0o644
            _write_file(root / tmp_rel, text, mode=mode, exclusive=True)
    except BaseException:
        _roll_back(root, renames)
        raise
    _write_journal(root, "commit", renames)
    _roll_forward(root, renames)


def _roll_back(root: Path, renames: list[tuple[str, str]]) -> None:
    for tmp_rel, _ in renames:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(root / tmp_rel)
    _finish(root)


def _roll_forward(root: Path, renames: list[tuple[str, str]]) -> None:
    for tmp_rel, target_rel in renames:
        if (root / tmp_rel).exists():
            os.replace(root / tmp_rel, root / target_rel)
    for folder in {(root / target).parent for _, target in renames}:
        _fsync_dir(folder)
    _finish(root)


def _finish(root: Path) -> None:
    for name in (JOURNAL_NAME, JOURNAL_NAME + ".tmp"):
        with contextlib.suppress(FileNotFoundError):
            os.unlink(root / name)
    _fsync_dir(root)


def _inside(root: Path, rel: object) -> bool:
    if not isinstance(rel, str) or not rel or os.path.isabs(rel) or ".." in Path(rel).parts:
        return False
    return (root / rel).resolve().is_relative_to(root.resolve())


def recover(root: Path) -> str | None:
    """Finish an interrupted edit, if any (call it holding :func:`store_lock`). Returns
    what was done, or None when there was nothing to do."""
    root = Path(root)
    journal = root / JOURNAL_NAME
    with contextlib.suppress(FileNotFoundError):
        os.unlink(root / (JOURNAL_NAME + ".tmp"))  # a journal never finished: nothing was staged yet
    if not journal.exists():
        return None
    try:
        body = json.loads(journal.read_text(encoding="utf-8"))
        state = body["state"]
        renames = [(r["from"], r["to"]) for r in body["renames"]]
        if body.get("format") != _JOURNAL_FORMAT or state not in ("prepare", "commit"):
            raise ValueError
    except (OSError, ValueError, KeyError, TypeError):
        raise EditError(f"{journal}: not a journal this version can read; move it away and check the records "
                        "with `forecastbook validate`") from None
    bad = [pair for pair in renames if not (_inside(root, pair[0]) and _inside(root, pair[1]))]
    if bad:
        raise EditError(f"{journal}: names a path outside the store ({bad[0][1]!r:.80}); nothing was done")
    targets = ", ".join(target for _, target in renames)
    if state == "prepare":
        _roll_back(root, renames)
        return f"rolled back an edit interrupted before any record changed ({targets})"
    _roll_forward(root, renames)
    return f"completed an interrupted edit of {len(renames)} file(s): {targets}"


# --- round-trip edits ------------------------------------------------------------------------

def _yaml():  # noqa: ANN202
    from ruamel.yaml import YAML

    y = YAML()
    y.preserve_quotes = True
    y.width = 4096  # never re-wrap a line we did not touch
    y.indent(mapping=2, sequence=2, offset=0)
    y.representer.ignore_aliases = lambda data: True  # a date used twice is written twice, not as &id001
    return y


def _guess_yaml(text: str):  # noqa: ANN202
    """A ruamel YAML set to the file's own indentation, so untouched lines stay as they are."""
    from ruamel.yaml.util import load_yaml_guess_indent

    _, indent, block_seq_indent = load_yaml_guess_indent(text)
    y = _yaml()
    if indent is not None:
        y.indent(mapping=indent, sequence=indent + (block_seq_indent or 0), offset=block_seq_indent or 0)
    return y


@dataclass
class RoundTrip:
    """One record opened for a round-trip edit: change ``data``, then ``dump()``. The
    file's line ends (LF or CRLF) and byte-order mark come back as they were."""

    path: Path
    text: str
    data: Any  # the ruamel document
    yaml: Any
    crlf: bool = False
    bom: bool = False

    @classmethod
    def open(cls, path: Path) -> RoundTrip:
        raw = path.read_bytes()
        bom = raw.startswith(b"\xef\xbb\xbf")
        text = raw.decode("utf-8-sig")
        crlf = "\r\n" in text
        text = text.replace("\r\n", "\n")
        y = _guess_yaml(text)
        return cls(path, text, y.load(text), y, crlf, bom)

    def dump(self) -> str:
        out = io.StringIO()
        self.yaml.dump(self.data, out)
        text = out.getvalue()
        if self.crlf:
            text = text.replace("\n", "\r\n")
        return ("\ufeff" if self.bom else "") + text


def validated(store: Store, edits: dict[str, str]) -> None:
    """Check the new texts of some questions, alone and against the rest of the store."""
    from pydantic import ValidationError

    from .store import pydantic_findings

    problems: list[Problem] = []
    parsed: dict[str, Question] = {}
    for qid, text in edits.items():
        path = str(store.paths[qid])
        try:
            data, _ = parse_yaml(text)
            q = Question.model_validate(data)
        except ValidationError as exc:
            for f in pydantic_findings(exc):
                line, col = locate(text, f.loc)
                problems.append(Problem(path, line, col, "error", field_name(f.loc), f.message))
            continue
        except Exception as exc:  # noqa: BLE001  a change that does not parse is a bug: say so, write nothing
            problems.append(Problem(path, 1, 1, "error", "(record)", f"the change would not parse: {exc!s:.200}"))
            continue
        parsed[qid] = q
        for f in checks.check_question(q):
            if f.severity == "error":
                line, col = locate(text, f.loc)
                problems.append(Problem(path, line, col, "error", field_name(f.loc), f.message))
    questions = collections.ChainMap(parsed, store.questions)  # the new texts over the store
    for qid, f in checks.check_references(questions, sources=store.sources, forecasters=store.forecasters,
                                          only=parsed):
        if qid in parsed and f.severity == "error":
            line, col = locate(edits[qid], f.loc)
            problems.append(Problem(str(store.paths[qid]), line, col, "error", field_name(f.loc), f.message))
    if problems:
        raise EditError("refused: the change would make the records invalid; no file was changed", problems)


Change = Callable[[Any], None]


def _require_store(root: Path) -> None:
    from .store import is_store

    if not root.is_dir():
        raise EditError(f"no store folder at {str(root)[:200]}")
    if not is_store(root):
        raise EditError(f"{str(root)[:200]} is not a store (it has no forecasters/ or sources/ folder)")


def apply(store_root: Path, mutate: Callable[[Store], dict[str, list[Change]]]) -> list[Path]:
    """Under the lock: finish any interrupted edit, load the store, let ``mutate`` name the
    changes (question id -> changes to apply in order), validate, write all-or-nothing.
    Returns the files changed."""
    store_root = Path(store_root)
    _require_store(store_root)
    with store_lock(store_root):
        recover(store_root)
        for attempt in ("view", "full"):
            # An edit looks at the records it can affect through the cache when every file
            # is as cached; otherwise (or if a file changes under it) it reads them all.
            store = edit_view(store_root) if attempt == "view" else load_store(store_root)
            if store is None:
                continue
            try:
                return _apply(store_root, store, mutate)
            except StaleCacheError:
                continue
        raise AssertionError("unreachable: the full reading raises no StaleCacheError")


def _apply(store_root: Path, store: Store, mutate: Callable[[Store], dict[str, list[Change]]]) -> list[Path]:
    if store.errors:
        raise EditError(f"the store has {len(store.errors)} error(s); fix them first", store.errors)
    plan = mutate(store)
    texts: dict[str, str] = {}
    for qid, changes in plan.items():
        edit = RoundTrip.open(store.paths[qid])
        for change in changes:
            change(edit.data)
        texts[qid] = edit.dump()
    validated(store, texts)
    write_atomic({store.paths[qid]: text for qid, text in texts.items()}, root=store_root)
    after_edit(store, texts)
    return [store.paths[qid] for qid in plan]
