"""Chosen candidates as draft questions, written through the store's edit path.

A draft (``draft: true``) has the source's words (quote and character offsets), a
placeholder for the criteria (starting ``DRAFT:``) and placeholder dates (the day the
source was published), and, where a hedge was read on the scale, the author's forecast
with ``verbal`` and ``derived``. ``validate`` lists what each draft still needs; scoring
and ``due`` leave drafts out. All drafts of one call are validated first and written
all-or-nothing under the store lock, like every other edit.

>>> parse_picks("1,3", 4), parse_picks("all", 2)
([1, 3], [1, 2])
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ..checks import utc_day
from ..coherence import DRAFT_PLACEHOLDER
from ..edits import EditError, recover, store_lock, validated, write_atomic
from ..problems import field_name, shorten
from ..records import Question, Source
from ..store import Store, dump_record, load_store, pydantic_findings
from ..verbal import band
from ._extract import Candidate
from ._read import CaptureError

__all__ = ["parse_picks", "draft_fields", "write_drafts"]

_DASHES = str.maketrans(dict.fromkeys("\u2010\u2011\u2012\u2013", "-"))


def parse_picks(spec: str, n: int) -> list[int]:
    """The 1-based candidate numbers in ``spec`` (``1,3,5`` or ``all``), checked against ``n``."""
    if spec.strip().lower() == "all":
        return list(range(1, n + 1))
    picks: list[int] = []
    for part in filter(None, (p.strip() for p in spec.split(","))):
        if not part.isdigit():
            raise CaptureError(f"--pick: expected candidate numbers like 1,3,5, got {shorten(part, 40)}")
        k = int(part)
        if not 1 <= k <= n:
            raise CaptureError(f"--pick: {shorten(k, 40)} is out of range: there are {n} candidates (1-{n})")
        if k not in picks:
            picks.append(k)
    if not picks:
        raise CaptureError("--pick: no candidate numbers given (e.g. --pick 1,3,5)")
    return picks


def _published(source: Source) -> tuple[dt.date, dt.datetime]:
    """The source's publication as a (UTC) day and a timestamp with a time zone."""
    when = source.published
    if isinstance(when, dt.datetime):
        return utc_day(when), when
    return when, dt.datetime(when.year, when.month, when.day, tzinfo=dt.timezone.utc)


def _draft_id(source_id: str, n: int) -> str:
    suffix = f"-{n}"
    return f"draft-{source_id[:80 - len('draft-') - len(suffix)].rstrip('-')}{suffix}"


def draft_fields(c: Candidate, n: int, *, source: Source, by: str | None, article: str) -> dict[str, Any]:
    """The fields of the draft question for candidate number ``n`` of ``article``."""
    day, at = _published(source)
    quote = " ".join(c.quote.split())
    said = [f"{DRAFT_PLACEHOLDER} write the resolution criteria. The source says: {quote}"]
    said += [f"Condition: {c.condition}."] if c.condition else []
    said += [f"Horizon: {c.horizon}."] if c.horizon else []
    fields: dict[str, Any] = {
        "id": _draft_id(source.id, n), "title": f"Draft from {source.id}: {quote[:120]}", "kind": "binary",
        "criteria": " ".join(said), **{k: dt.date(day.year, day.month, day.day) for k in ("created", "closes", "resolve_by")},
        "source": {"ref": source.id, "quote": c.quote, "locator": f"characters {c.start}-{c.end} of {article}"},
        "draft": True,
    }
    if c.probability is not None and by is not None:
        words = c.hedge.translate(_DASHES)
        term = band(words)
        fields["forecasts"] = [{
            "by": by, "at": at, "probability": c.probability, "verbal": words,
            "derived": f"{words} read on the scale's band ({term.term}, {term.low:g}-{term.high:g}) at its "
                       f"point {term.point:g}; captured by forecastbook capture: check the reading",
        }]
    return fields


def _author(store: Store, source: Source, by: str | None) -> str | None:
    """The forecaster id of the source's author: ``by``, or the forecaster named as the author."""
    if by is not None:
        if by not in store.forecasters:
            raise EditError(f"--by: no forecaster with id {shorten(by, 60)} under {store.root / 'forecasters'}")
        return by
    named = sorted(f.id for f in store.forecasters.values() if source.author and source.author in (f.name, f.id))
    return named[0] if named else None


def _question(fields: dict[str, Any]) -> Question:
    from pydantic import ValidationError

    try:
        return Question.model_validate(fields)
    except ValidationError as exc:
        reasons = "; ".join(f"{field_name(f.loc)}: {f.message}" for f in pydantic_findings(exc))
        raise EditError(f"the draft {fields['id']} is not valid: {reasons}") from None


def write_drafts(store_root: Path | str, found: Sequence[Candidate], picks: Sequence[int], *, source_id: str,
                 article: str, folder: str | None = None, by: str | None = None) -> list[Path]:
    """Write a draft question for each picked candidate (1-based); returns the files written."""
    root = Path(store_root)
    if folder and (Path(folder).is_absolute() or ".." in Path(folder).parts):
        raise EditError(f"--folder must be inside the store, got {shorten(folder, 80)}")
    with store_lock(root):
        recover(root)
        store = load_store(root)
        if store.errors:
            raise EditError(f"the store has {len(store.errors)} error(s); fix them first", store.errors)
        source = store.sources.get(source_id)
        if source is None:
            raise EditError(f"--source: no source with id {shorten(source_id, 60)} under {root / 'sources'}")
        author = _author(store, source, by)
        if author is None and any(found[k - 1].probability is not None for k in picks):
            raise EditError(f"no forecaster record for the author of '{source.id}' ({shorten(source.author, 60)}): "
                            "add one under forecasters/ or pass --by ID")
        target = root / (folder or "")
        texts: dict[str, str] = {}
        for k in picks:
            q = _question(draft_fields(found[k - 1], k, source=source, by=author, article=article))
            if q.id in store.questions or any(root.rglob(f"{q.id}.yaml")):
                raise EditError(f"a question with id '{q.id}' exists already; nothing was written")
            store.paths[q.id] = target / f"{q.id}.yaml"
            texts[q.id] = dump_record(q)
        validated(store, texts)
        target.mkdir(parents=True, exist_ok=True)
        write_atomic({store.paths[qid]: text for qid, text in texts.items()}, root=root)
        return [store.paths[qid] for qid in texts]
