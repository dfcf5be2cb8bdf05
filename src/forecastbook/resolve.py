"""The resolution workflow: what is due, resolving (with the conditional cascade),
annulling, unresolving, adding forecasts and new questions.

Every change edits only the files it concerns, round-trip (ruamel.yaml keeps comments, key
order, quoting and Chinese text exactly), is validated before anything is written, and is
written atomically (temporary file, fsync, rename) under a lock on the store. A change
that would make a record invalid is refused and no file changes.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import io
import os
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import checks
from .problems import Problem, field_name
from .queries import outcome_text, status_as_of
from .records import Question, binary_outcome
from .store import Store, load_store, locate, parse_yaml

__all__ = ["EditError", "due", "resolve", "annul", "unresolve", "add_forecast", "new_question", "parse_value",
           "write_atomic", "store_lock"]

LOCK_NAME = ".forecastbook.lock"


class EditError(Exception):
    """A refused change: nothing was written. ``problems`` lists why, located."""

    def __init__(self, message: str, problems: list[Problem] | None = None):
        self.problems = problems or []
        super().__init__(message + "".join(f"\n  {p}" for p in self.problems))


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


# --- locking and atomic writes --------------------------------------------------------------

@contextlib.contextmanager
def store_lock(root: Path, *, timeout: float = 30.0) -> Iterator[None]:
    """An exclusive lock on the store (a lock file at its root), waited for up to ``timeout``."""
    import time

    path = Path(root) / LOCK_NAME
    with open(path, "a+") as fh:
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


def write_atomic(changes: dict[Path, str]) -> None:
    """Write several files so that each is either wholly old or wholly new: every new text
    goes to a temporary file beside its target and is fsynced first; only then are the
    temporary files renamed over the targets."""
    staged: list[tuple[str, Path]] = []
    try:
        for path, text in changes.items():
            fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
            staged.append((tmp, path))
            with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
                fh.write(text)
                fh.flush()
                os.fsync(fh.fileno())
            if path.exists():
                os.chmod(tmp, path.stat().st_mode & 0o777)
            else:
                os.chmod(tmp, 0o644)
    except BaseException:
        for tmp, _ in staged:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp)
        raise
    for tmp, path in staged:
        os.replace(tmp, path)
    for folder in {path.parent for path in changes}:
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


# --- editing ----------------------------------------------------------------------------------

@dataclass
class _Edit:
    path: Path
    text: str
    data: Any  # the ruamel document
    yaml: Any

    @classmethod
    def open(cls, path: Path) -> _Edit:
        text = path.read_text(encoding="utf-8")
        y = _guess_yaml(text)
        return cls(path, text, y.load(text), y)

    def dump(self) -> str:
        out = io.StringIO()
        self.yaml.dump(self.data, out)
        return out.getvalue()


def _validated(store: Store, edits: dict[str, str]) -> None:
    """Check the new texts of some questions, alone and against the rest of the store."""
    problems: list[Problem] = []
    questions = dict(store.questions)
    parsed: dict[str, Question] = {}
    for qid, text in edits.items():
        path = str(store.paths[qid])
        try:
            data, _ = parse_yaml(text)
            q = Question.model_validate(data)
        except Exception as exc:  # a change we made that does not even parse is a bug; say so
            problems.append(Problem(path, 1, 1, "error", "(record)", f"the change would not parse: {exc}"))
            continue
        parsed[qid] = q
        questions[qid] = q
        for f in checks.check_question(q):
            if f.severity == "error":
                line, col = locate(text, f.loc)
                problems.append(Problem(path, line, col, "error", field_name(f.loc), f.message))
    for qid, f in checks.check_references(questions, sources=store.sources, forecasters=store.forecasters):
        if qid in parsed and f.severity == "error":
            line, col = locate(edits[qid], f.loc)
            problems.append(Problem(str(store.paths[qid]), line, col, "error", field_name(f.loc), f.message))
    if problems:
        raise EditError("refused: the change would make the records invalid; no file was changed", problems)


def _apply(store_root: Path, mutate: Callable[[Store], dict[str, Callable[[Any], None]]]) -> list[Path]:
    """Under the lock: load the store, let ``mutate`` name the edits, validate, write."""
    with store_lock(store_root):
        store = load_store(store_root)
        if store.errors:
            raise EditError(f"the store has {len(store.errors)} error(s); fix them first", store.errors)
        plan = mutate(store)
        texts: dict[str, str] = {}
        for qid, change in plan.items():
            edit = _Edit.open(store.paths[qid])
            change(edit.data)
            texts[qid] = edit.dump()
        _validated(store, texts)
        write_atomic({store.paths[qid]: text for qid, text in texts.items()})
        return [store.paths[qid] for qid in plan]


def _now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc).replace(microsecond=0)


def _history(doc: Any, action: str, reason: str, previous: dict | None = None) -> None:
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    entry = CommentedMap([("at", _now()), ("action", action), ("reason", reason)])
    if previous:
        entry["previous"] = previous
    if "history" not in doc or doc["history"] is None:
        doc["history"] = CommentedSeq()
    doc["history"].append(entry)


def _plain(value: Any) -> Any:
    """A ruamel node as plain Python (for keeping a copy in the history)."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, str):
        return str(value)
    return value


def parse_value(q: Question, text: str, *, what: str = "outcome") -> Any:
    """Read an outcome (or a forecast value) given on the command line for ``q``'s kind.

    >>> from forecastbook.records import Question
    >>> q = Question.model_validate({"id": "x", "title": "X", "kind": "date", "criteria": "c",
    ...     "created": "2026-01-01", "closes": "2026-01-02", "resolve_by": "2026-01-03"})
    >>> parse_value(q, "2026-05-01")
    datetime.date(2026, 5, 1)
    """
    text = text.strip()
    try:
        if q.kind == "binary":
            if what == "outcome" and text.lower() not in ("yes", "no", "true", "false"):
                value = float(text)
                if not 0 <= value <= 1:
                    raise ValueError
                return value
            return binary_outcome(text)
        if q.kind == "categorical":
            if text not in (q.outcomes or []):
                raise EditError(f"{q.id}: the outcome must be one of {q.outcomes}, got {text!r}")
            return text
        if q.kind == "numeric":
            return float(text)
        return dt.date.fromisoformat(text)
    except ValueError:
        shown = {"binary": "yes or no (or a probability for a probabilistic resolution)", "numeric": "a number",
                 "date": "a date as YYYY-MM-DD"}[q.kind]
        raise EditError(f"{q.id}: a {q.kind} question's {what} is {shown}, got {text!r}") from None


def _yaml_outcome(q: Question, value: Any) -> Any:
    from ruamel.yaml.scalarstring import DoubleQuotedScalarString

    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, str) and value.lower() in {"yes", "no", "true", "false", "on", "off", "y", "n", "null", "~"}:
        return DoubleQuotedScalarString(value)  # keep an outcome named like a YAML keyword a string
    return value


# --- the commands' library side -----------------------------------------------------------------

def due(store: Store, *, as_of: dt.date, within: int = 0) -> list[tuple[Question, str]]:
    """Unresolved questions past ``resolve_by`` (``overdue``) or due within ``within`` days
    (``due``), oldest deadline first."""
    out = []
    for q in store.questions.values():
        status = status_as_of(q, as_of)
        if status == "overdue":
            out.append((q, "overdue"))
        elif status == "open" and q.resolve_by <= as_of + dt.timedelta(days=within):
            out.append((q, "due"))
    return sorted(out, key=lambda pair: (pair[0].resolve_by, pair[0].id))


def _cascade(store: Store, qid: str, outcome: Any, plan: dict, *, reason_prefix: str, at: dt.date) -> None:
    """Annul every question whose condition on ``qid`` failed, and their conditionals in turn."""
    for child in store.conditionals_of(qid):
        if child.resolution is not None:
            continue
        if outcome is not None and child.condition.outcome == outcome:
            continue
        reason = (f"{reason_prefix}: '{qid}' resolved {outcome_text(outcome)}, not {outcome_text(child.condition.outcome)}"
                  if outcome is not None else f"{reason_prefix}: '{qid}' was annulled")
        plan[child.id] = _annul_change(reason, at)
        _cascade(store, child.id, None, plan, reason_prefix="condition failed", at=at)


def _annul_change(reason: str, at: dt.date) -> Callable[[Any], None]:
    from ruamel.yaml.comments import CommentedMap

    def change(doc: Any) -> None:
        doc["resolution"] = CommentedMap([("status", "annulled"), ("at", at), ("note", reason)])
        _history(doc, "annul", reason)
    return change


def resolve(store_root: Path, qid: str, outcome_text: str, *, evidence: list[str], quote: str | None = None,
            note: str | None = None, at: dt.date | None = None, by: str | None = None) -> list[Path]:
    """Resolve ``qid`` with evidence; annul the conditionals whose condition failed.
    Returns every file changed."""
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    if not evidence:
        raise EditError("a resolution needs evidence: give --evidence URL")
    when = at or _now().date()

    def plan(store: Store) -> dict:
        q = _unresolved(store, qid)
        value = parse_value(q, outcome_text)

        def change(doc: Any) -> None:
            items = [("outcome", _yaml_outcome(q, value)), ("at", when)]
            if by:
                items.append(("by", by))
            ev = CommentedSeq()
            for i, url in enumerate(evidence):
                entry = CommentedMap([("url", url)])
                if quote and i == 0:
                    entry["quote"] = quote
                entry["retrieved"] = when
                ev.append(entry)
            items.append(("evidence", ev))
            if note:
                items.append(("note", note))
            doc["resolution"] = CommentedMap(items)

        edits = {qid: change}
        _cascade(store, qid, value, edits, reason_prefix="condition failed", at=when)
        return edits

    return _apply(store_root, plan)


def annul(store_root: Path, qid: str, *, reason: str, at: dt.date | None = None) -> list[Path]:
    """Annul ``qid`` (and, in cascade, the questions conditional on it)."""
    _require_reason(reason)
    when = at or _now().date()

    def plan(store: Store) -> dict:
        _unresolved(store, qid)
        edits = {qid: _annul_change(reason, when)}
        _cascade(store, qid, None, edits, reason_prefix="condition annulled", at=when)
        return edits

    return _apply(store_root, plan)


def unresolve(store_root: Path, qid: str, *, reason: str) -> list[Path]:
    """Remove ``qid``'s resolution, keeping it and the reason in the record's history."""
    _require_reason(reason)

    def plan(store: Store) -> dict:
        q = _known(store, qid)
        if q.resolution is None:
            raise EditError(f"{qid} is not resolved")

        def change(doc: Any) -> None:
            previous = _plain(doc["resolution"])
            del doc["resolution"]
            _history(doc, "unresolve", reason, {"resolution": previous})
        return {qid: change}

    return _apply(store_root, plan)


def parse_forecast(q: Question, text: str) -> tuple[str, Any]:
    """``0.7`` (binary), ``a=0.2,b=0.8`` (categorical) or ``0.1=5,0.5=9,0.9=14`` (quantiles)."""
    if q.kind == "binary":
        try:
            p = float(text)
        except ValueError:
            raise EditError(f"{q.id}: a binary forecast is a probability, got {text!r}") from None
        if not 0 <= p <= 1:
            raise EditError(f"{q.id}: probability must be between 0 and 1, got {p}")
        return "probability", p
    pairs = {}
    for part in filter(None, (s.strip() for s in text.split(","))):
        key, sep, value = part.partition("=")
        if not sep:
            raise EditError(f"{q.id}: write the forecast as name=value pairs separated by commas, got {part!r}")
        pairs[key.strip()] = value.strip()
    try:
        if q.kind == "categorical":
            return "probabilities", {k: float(v) for k, v in pairs.items()}
        if q.kind == "numeric":
            return "quantiles", {float(k): float(v) for k, v in pairs.items()}
        return "quantiles", {float(k): dt.date.fromisoformat(v) for k, v in pairs.items()}
    except ValueError as exc:
        raise EditError(f"{q.id}: cannot read the forecast {text!r}: {exc}") from None


def add_forecast(store_root: Path, qid: str, value_text: str, *, by: str, at: dt.datetime | None = None,
                 rationale: str | None = None, verbal: str | None = None, derived: str | None = None) -> list[Path]:
    """Append a forecast to ``qid``; refused after close or on a resolved question."""
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    when = at or _now()
    if when.tzinfo is None:
        raise EditError("the forecast's time needs a time zone, e.g. 2026-03-01T09:00:00+00:00")

    def plan(store: Store) -> dict:
        q = _known(store, qid)
        if q.resolution is not None:
            raise EditError(f"{qid} is {q.resolution.status}: no more forecasts")
        if checks.utc_day(when) > q.closes:
            raise EditError(f"{qid} closed on {q.closes}: a forecast made {when.isoformat()} would not be scored")
        field, value = parse_forecast(q, value_text)

        def change(doc: Any) -> None:
            entry = CommentedMap([("by", by), ("at", when), (field, CommentedMap(value.items()) if isinstance(value, dict) else value)])
            for key, extra in (("verbal", verbal), ("derived", derived), ("rationale", rationale)):
                if extra:
                    entry[key] = extra
            if "forecasts" not in doc or doc["forecasts"] is None:
                doc["forecasts"] = CommentedSeq()
            doc["forecasts"].append(entry)
        return {qid: change}

    return _apply(store_root, plan)


def new_question(store_root: Path, fields: dict[str, Any], *, folder: str | None = None) -> Path:
    """Write a new question file from ``fields``, validated as written; refuses to overwrite."""
    from .store import dump_record

    from pydantic import ValidationError

    from .store import pydantic_findings

    qid = fields.get("id", "")
    try:
        q = Question.model_validate(fields)
    except ValidationError as exc:
        reasons = "; ".join(f"{field_name(f.loc)}: {f.message}" for f in pydantic_findings(exc))
        raise EditError(f"the new question is not valid: {reasons}") from None
    with store_lock(store_root):
        store = load_store(store_root)
        if any(Path(store_root).rglob(f"{qid}.yaml")):  # a file with errors of its own counts too
            raise EditError(f"a question with id '{qid}' exists already")
        target_dir = Path(store_root) / (folder or "")
        if folder and (Path(folder).is_absolute() or ".." in Path(folder).parts):
            raise EditError(f"the folder must be inside the store, got {folder!r}")
        text = dump_record(q)
        store.paths[qid] = target_dir / f"{qid}.yaml"
        _validated(store, {qid: text})
        target_dir.mkdir(parents=True, exist_ok=True)
        write_atomic({target_dir / f"{qid}.yaml": text})
        return target_dir / f"{qid}.yaml"


def _known(store: Store, qid: str) -> Question:
    if qid not in store.questions:
        raise EditError(f"no question with id '{qid}' in {store.root}")
    return store.questions[qid]


def _unresolved(store: Store, qid: str) -> Question:
    q = _known(store, qid)
    if q.resolution is not None:
        raise EditError(f"{qid} is already {q.resolution.status} (on {q.resolution.at}); unresolve it first")
    return q


def _require_reason(reason: str) -> None:
    if not reason.strip():
        raise EditError("say why: --reason is required")

