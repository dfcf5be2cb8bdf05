"""The resolution workflow: what is due, resolving (with the conditional cascade),
annulling, unresolving, adding forecasts, notes and new questions.

Every change goes through :mod:`forecastbook.edits`: it edits only the files it concerns,
round-trip (comments, key order, quoting and Chinese text kept exactly), is validated
before anything is written, and is written all-or-nothing under a lock on the store. A
change that would make a record invalid is refused and no file changes.

An annulment made by the cascade carries ``cascaded_from``: unresolving (or annulling
again) the condition's question undoes exactly those annulments, and resolving it anew
cascades the new outcome. The record's ``history`` keeps every withdrawn resolution.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from . import checks
from .edits import Change, EditError, apply, recover, store_lock, validated, write_atomic
from .problems import field_name
from .queries import due_of, outcome_text
from .records import Evidence, Question, binary_outcome
from .store import Store, load_store

__all__ = ["EditError", "due", "resolve", "annul", "unresolve", "add_forecast", "add_note", "new_question", "new_record",
           "parse_value", "write_atomic", "store_lock"]


def _now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc).replace(microsecond=0)


def _history(doc: Any, action: str, reason: str, previous: dict | None = None) -> None:
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    entry = CommentedMap([("at", _now()), ("action", action), ("reason", _string(reason))])
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
        return _string(str(value))
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
    (``due``), oldest deadline first. Drafts are left out."""
    return due_of(store.questions.values(), as_of=as_of, within=within)


def _add(plan: dict[str, list[Change]], qid: str, change: Change) -> None:
    plan.setdefault(qid, []).append(change)


def _cascade(store: Store, qid: str, outcome: Any, plan: dict[str, list[Change]], *,
             at: dt.date) -> list[tuple[str, str]]:
    """Annul every open question whose condition on ``qid`` failed, and their conditionals
    in turn (``outcome`` None: ``qid`` itself was annulled or is ambiguous). Returns
    (annulled id, reason) pairs."""
    annulled = []
    stack = [(qid, outcome)]
    while stack:  # no recursion: a long chain of conditions must not exhaust the stack
        parent, value = stack.pop()
        for child in reversed(store.conditionals_of(parent)):
            if child.resolution is not None:
                continue
            if value is not None and child.condition.outcome == value:
                continue
            wanted = outcome_text(child.condition.outcome)
            reason = (f"condition failed: '{parent}' resolved {outcome_text(value)}, not {wanted}" if value is not None
                      else f"condition failed: '{parent}' was not resolved {wanted} (annulled or ambiguous)")
            _add(plan, child.id, _annul_change(reason, at, cascaded_from=parent))
            annulled.append((child.id, reason))
            stack.append((child.id, None))
    return annulled


def _reopen_cascade(store: Store, qid: str, plan: dict[str, list[Change]], *, reason: str) -> list[str]:
    """Withdraw the annulments that ``qid``'s resolution cascaded (and theirs, in turn)."""
    reopened = []
    stack = [qid]
    while stack:
        parent = stack.pop()
        for child in store.conditionals_of(parent):
            r = child.resolution
            if r is not None and r.status == "annulled" and r.cascaded_from == parent:
                _add(plan, child.id, _withdraw_change(f"condition reopened: '{parent}' was unresolved: {reason}"))
                reopened.append(child.id)
                stack.append(child.id)
    return reopened


def _withdraw_change(reason: str) -> Change:
    def change(doc: Any) -> None:
        previous = _plain(doc["resolution"])
        del doc["resolution"]
        _history(doc, "unresolve", reason, {"resolution": previous})
    return change


def _annul_change(reason: str, at: dt.date, *, cascaded_from: str | None = None) -> Change:
    from ruamel.yaml.comments import CommentedMap

    def change(doc: Any) -> None:
        items = [("status", "annulled"), ("at", at), ("note", _string(reason))]
        if cascaded_from:
            items.append(("cascaded_from", cascaded_from))
        doc["resolution"] = CommentedMap(items)
        _history(doc, "annul", reason)
    return change


def _evidence_map(e: Evidence):  # noqa: ANN202
    from ruamel.yaml.comments import CommentedMap

    return CommentedMap((k, _string(v) if isinstance(v, str) else v)
                        for k, v in e.model_dump(exclude_none=True).items())


def _string(text: str) -> Any:
    """Text as a YAML string that reads back as the same text (``no``, ``12:30`` or ``1e3``
    written plain would read back as something else)."""
    from ruamel.yaml.scalarstring import DoubleQuotedScalarString, LiteralScalarString

    from .store import parse_yaml

    if "\n" in text.strip():
        return LiteralScalarString(text)
    try:
        plain_ok = parse_yaml(f"v: {text}\n")[0] == {"v": text}
    except Exception:  # noqa: BLE001  anything that does not read back plain is quoted
        plain_ok = False
    return text if plain_ok else DoubleQuotedScalarString(text)


def resolve(store_root: Path, qid: str, outcome: str, *, evidence: list[Evidence | dict | str],
            note: str | None = None, at: dt.date | None = None, known: dt.date | None = None,
            by: str | None = None, status: str = "resolved", report: list | None = None) -> list[Path]:
    """Resolve ``qid`` with evidence; annul the conditionals whose condition failed.

    ``evidence`` entries are :class:`~forecastbook.records.Evidence` (or dicts of its fields;
    a bare URL is kept for old callers and is refused by the evidence check unless a quote
    or ``no_quote`` is added). ``known`` is the day the outcome became known when that is
    before ``at``: forecasts made after it are not scored. ``status="ambiguous"`` records
    an event the criteria cannot settle (``outcome`` is then ignored; ``note`` says why).
    Appends ``(question id, what happened)`` pairs to ``report`` when given. Returns every
    file changed.
    """
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    entries = [e if isinstance(e, Evidence) else Evidence(url=e) if isinstance(e, str) else Evidence(**e)
               for e in evidence]
    if status == "resolved" and not entries:
        raise EditError("a resolution needs evidence: give --evidence URL with --quote")
    if status == "ambiguous" and not (note or "").strip():
        raise EditError("say why the criteria cannot settle it: --note is required")
    when = at or _now().date()

    def plan(store: Store) -> dict:
        q = _unresolved(store, qid)
        value = parse_value(q, outcome) if status == "resolved" else None

        def change(doc: Any) -> None:
            items: list[tuple[str, Any]] = [] if status == "resolved" else [("status", status)]
            if status == "resolved":
                items.append(("outcome", _yaml_outcome(q, value)))
            items.append(("at", when))
            if known is not None:
                items.append(("known", known))
            if by:
                items.append(("by", _string(by)))
            if entries:
                items.append(("evidence", CommentedSeq(_evidence_map(e) for e in entries)))
            if note:
                items.append(("note", _string(note)))
            doc["resolution"] = CommentedMap(items)

        edits: dict[str, list[Change]] = {qid: [change]}
        shown = outcome_text(value) if status == "resolved" else status
        annulled = _cascade(store, qid, value, edits, at=when)
        if report is not None:
            report.append((qid, f"{'resolved ' if status == 'resolved' else ''}{shown}"))
            report.extend((child, f"annulled ({why})") for child, why in annulled)
        return edits

    return apply(store_root, plan)


def annul(store_root: Path, qid: str, *, reason: str, at: dt.date | None = None,
          report: list | None = None) -> list[Path]:
    """Annul ``qid`` (and, in cascade, the questions conditional on it)."""
    _require_reason(reason)
    when = at or _now().date()

    def plan(store: Store) -> dict:
        _unresolved(store, qid)
        edits: dict[str, list[Change]] = {qid: [_annul_change(reason, when)]}
        annulled = _cascade(store, qid, None, edits, at=when)
        if report is not None:
            report.append((qid, "annulled"))
            report.extend((child, f"annulled ({why})") for child, why in annulled)
        return edits

    return apply(store_root, plan)


def unresolve(store_root: Path, qid: str, *, reason: str, report: list | None = None) -> list[Path]:
    """Remove ``qid``'s resolution, keeping it and the reason in the record's history, and
    withdraw exactly the annulments that it cascaded."""
    _require_reason(reason)

    def plan(store: Store) -> dict:
        q = _known(store, qid)
        if q.resolution is None:
            raise EditError(f"{qid} is not resolved")
        edits: dict[str, list[Change]] = {qid: [_withdraw_change(reason)]}
        reopened = _reopen_cascade(store, qid, edits, reason=reason)
        if report is not None:
            report.append((qid, "unresolved"))
            report.extend((child, f"reopened (its condition '{qid}' was unresolved)") for child in reopened)
        return edits

    return apply(store_root, plan)


def add_note(store_root: Path, qid: str, text: str, *, kind: str = "note", at: dt.date | None = None,
             by: str | None = None, queries: list[str] | None = None) -> list[Path]:
    """Keep a dated note with ``qid``: ``search`` (what was searched and found nothing yet,
    with ``queries``), ``review`` (a flaw seen in hindsight: recorded, never fixed) or
    ``note``. Notes are allowed on resolved questions; nothing else changes."""
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    if not text.strip():
        raise EditError("a note needs text")
    if kind not in ("search", "review", "note"):
        raise EditError(f"a note's kind is search, review or note, got {kind!r:.40}")
    when = at or _now().date()

    def plan(store: Store) -> dict:
        _known(store, qid)

        def change(doc: Any) -> None:
            items = [("at", when), ("kind", kind), ("text", _string(text))]
            if by:
                items.append(("by", _string(by)))
            if queries:
                items.append(("queries", CommentedSeq(_string(x) for x in queries)))
            if "notes" not in doc or doc["notes"] is None:
                doc["notes"] = CommentedSeq()
            doc["notes"].append(CommentedMap(items))
        return {qid: [change]}

    return apply(store_root, plan)


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
    """Append a forecast to ``qid``; refused after close, on a resolved question, and when
    ``by`` has one made at the same moment (in the record or in a bulk file)."""
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    when = at or _now()
    if when.tzinfo is None:
        raise EditError("the forecast's time needs a time zone, e.g. 2026-03-01T09:00:00+00:00")

    def plan(store: Store) -> dict:
        q = _known(store, qid)
        if q.resolution is not None:
            raise EditError(f"{qid} is {q.resolution.status}: no more forecasts")
        if by not in store.forecasters:
            raise EditError(f"no forecaster '{by}' in {store.root}/forecasters/: add one with "
                            f"`forecastbook forecaster add {by} --name NAME`")
        if checks.utc_day(when) > q.closes:
            raise EditError(f"{qid} closed on {q.closes}: a forecast made {when.isoformat()} would not be scored")
        earlier = _same_forecast(store, q, by, when)
        if earlier is not None:
            raise EditError(f"{by} has a forecast on {qid} made at {when.isoformat()} already ({earlier}); "
                            "a forecaster has one forecast at a moment: give another --at")
        field, value = parse_forecast(q, value_text)

        def change(doc: Any) -> None:
            entry = CommentedMap([("by", by), ("at", when), (field, CommentedMap(value.items()) if isinstance(value, dict) else value)])
            for key, extra in (("verbal", verbal), ("derived", derived), ("rationale", rationale)):
                if extra:
                    entry[key] = _string(extra)
            if "forecasts" not in doc or doc["forecasts"] is None:
                doc["forecasts"] = CommentedSeq()
            doc["forecasts"].append(entry)
        return {qid: [change]}

    return apply(store_root, plan)


def _same_forecast(store: Store, q: Question, by: str, at: dt.datetime) -> str | None:
    """Where ``by``'s forecast on ``q`` made at ``at`` is, in the record or a bulk file,
    if there is one (a second at the same moment beside a bulk one is an error)."""
    for i, f in enumerate(q.forecasts):
        if f.by == by and f.at == at:
            return f"forecasts[{i}] in {store.paths[q.id]}"
    k = store.bulk.row_at(q.id, by, at) if store.bulk is not None else None
    return store.bulk.where(k) if k is not None else None


def new_question(store_root: Path, fields: dict[str, Any], *, folder: str | None = None,
                 first_forecast: dict | None = None) -> Path:
    """Write a new question file from ``fields``, validated as written; refuses to
    overwrite. ``first_forecast`` (``value`` as on the command line, ``by``, ``at``,
    optional ``verbal``, ``derived``) adds the forecast that made the claim."""
    from pydantic import ValidationError

    from .store import dump_record, pydantic_findings

    def checked(data: dict) -> Question:
        try:
            return Question.model_validate(data)
        except ValidationError as exc:
            reasons = "; ".join(f"{field_name(f.loc)}: {f.message}" for f in pydantic_findings(exc))
            raise EditError(f"the new question is not valid: {reasons}") from None

    qid = fields.get("id", "")
    q = checked(fields)
    if first_forecast is not None:
        name, value = parse_forecast(q, str(first_forecast["value"]))
        forecast = {"by": first_forecast["by"], "at": first_forecast["at"], name: value,
                    **{k: first_forecast[k] for k in ("verbal", "derived") if first_forecast.get(k)}}
        q = checked({**fields, "forecasts": [forecast]})
    if folder is not None:
        _check_folder(folder)
    from .edits import _require_store

    _require_store(Path(store_root))
    with store_lock(store_root):
        recover(store_root)
        store = load_store(store_root)
        if store.errors:
            raise EditError(f"the store has {len(store.errors)} error(s); fix them first", store.errors)
        if any(Path(store_root).rglob(f"{qid}.yaml")):  # a file with errors of its own counts too
            raise EditError(f"a question with id '{qid}' exists already")
        _require_references(store, q)
        target_dir = Path(store_root) / (folder or "")
        text = dump_record(q)
        store.paths[qid] = target_dir / f"{qid}.yaml"
        validated(store, {qid: text})
        target_dir.mkdir(parents=True, exist_ok=True)
        write_atomic({target_dir / f"{qid}.yaml": text}, root=Path(store_root))
        return target_dir / f"{qid}.yaml"


def _check_folder(folder: str) -> None:
    """A question folder is a plain sub-folder of the store that the loader reads:
    relative, no '..', no hidden part, not sources/ or forecasters/."""
    from .store import SPECIAL_FOLDERS

    parts = Path(folder).parts
    if (not parts or Path(folder).is_absolute() or any(p in ("..", ".") or p.startswith(".") for p in parts)
            or parts[0] in SPECIAL_FOLDERS):
        raise EditError(f"the folder must be a visible sub-folder of the store for questions (not sources/ or "
                        f"forecasters/), got {folder!r:.80}")


def _require_references(store: Store, q: Question) -> None:
    """Say how to add a forecaster or source that a new record names but the store lacks."""
    for f in q.forecasts:
        if f.by not in store.forecasters:
            raise EditError(f"no forecaster '{f.by}' in {store.root}/forecasters/: add one with "
                            f"`forecastbook forecaster add {f.by} --name NAME`")
    if q.source is not None and q.source.ref not in store.sources:
        raise EditError(f"no source '{q.source.ref}' in {store.root}/sources/: add one with "
                        f"`forecastbook source add {q.source.ref} --title TITLE --published DATE`")


RECORD_FOLDERS = {"forecaster": "forecasters", "source": "sources"}


def new_record(store_root: Path, kind: str, fields: dict[str, Any]) -> Path:
    """Write a new forecaster or source record (``forecasters/ID.yaml`` or
    ``sources/ID.yaml``), validated; refuses to overwrite one."""
    from pydantic import ValidationError

    from .records import Forecaster, Source
    from .store import dump_record, pydantic_findings

    model = {"forecaster": Forecaster, "source": Source}[kind]
    try:
        record = model.model_validate(fields)
    except ValidationError as exc:
        reasons = "; ".join(f"{field_name(f.loc)}: {f.message}" for f in pydantic_findings(exc))
        raise EditError(f"the new {kind} is not valid: {reasons}") from None
    root = Path(store_root)
    if not root.is_dir():
        raise EditError(f"no store at {root}")
    folder = root / RECORD_FOLDERS[kind]
    path = folder / f"{record.id}.yaml"
    with store_lock(root):
        recover(root)
        if path.exists():
            raise EditError(f"a {kind} with id '{record.id}' exists already: {path}")
        folder.mkdir(exist_ok=True)
        write_atomic({path: dump_record(record)}, root=root)
    return path


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

