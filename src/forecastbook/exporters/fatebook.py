"""A store's binary questions as a Fatebook CSV export (the current 17-column layout), one
row per forecast, so :mod:`forecastbook.importers.fatebook` (and people used to Fatebook's
file) can read it back.

Times are written in UTC as Fatebook writes them (``YYYY-MM-DD HH:MM:S``, seconds not
padded). A question imported from Fatebook keeps its title, creation time and
multiple-choice option (from its source reference); others get their title and 00:00 of
their creation day. A question without forecasts is one row with an empty forecast, as
Fatebook writes hidden ones. What the format cannot hold is counted: questions that are
not binary, probabilistic resolutions and annulments (Fatebook has YES, NO and AMBIGUOUS).

>>> fatebook_time(dt.datetime(2024, 12, 9, 1, 12, 2, tzinfo=dt.timezone.utc))
'2024-12-09 01:12:2'
"""

from __future__ import annotations

import datetime as dt

from .. import bulk
from ..importers.fatebook import COLUMNS_V3, NO_CRITERIA, SOURCE_ID
from .common import Exported

__all__ = ["export", "fatebook_time"]


class _Bare(str):
    """Text written without quotes (Fatebook quotes strings, not dates)."""


def fatebook_time(at: dt.datetime | dt.date) -> str:
    """A time as Fatebook writes it (UTC here)."""
    if not isinstance(at, dt.datetime):
        at = dt.datetime(at.year, at.month, at.day, tzinfo=dt.timezone.utc)
    at = at.astimezone(dt.timezone.utc)
    return _Bare(f"{at:%Y-%m-%d} {at:%H}:{at:%M}:{at.second}")


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, _Bare):
        return str(value)
    if isinstance(value, str):
        return '"' + value.replace('"', '""') + '"'
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _origin(q) -> tuple[str, str | None, str]:  # noqa: ANN001
    """Title, option and creation time as Fatebook had them (from the source reference)."""
    title, option, created = q.title, None, fatebook_time(q.created)
    if q.source is not None and q.source.ref == SOURCE_ID and q.source.locator:
        title = q.source.quote
        for part in q.source.locator.split("; "):
            if part.startswith("question created "):
                created = fatebook_time(dt.datetime.fromisoformat(part.removeprefix("question created ")))
            elif part.startswith("multiple choice option: "):
                option = part.removeprefix("multiple choice option: ")
    return title, option, created


def _resolution(q, done: Exported) -> tuple[str | None, str | None]:  # noqa: ANN001
    r = q.resolution
    if r is None:
        return None, None
    if r.status == "ambiguous":
        return "AMBIGUOUS", fatebook_time(r.at)
    if r.status == "resolved" and isinstance(r.outcome, float):
        done.leave_out("probabilistic resolutions (Fatebook has YES, NO, AMBIGUOUS)")
        return None, None
    if r.status == "annulled":
        done.leave_out("annulments (Fatebook has YES, NO, AMBIGUOUS)")
        return None, None
    return ("YES" if q.outcome_value() else "NO"), fatebook_time(r.at)


def _rows(store, q, done: Exported) -> list[list[object]]:  # noqa: ANN001
    title, option, created = _origin(q)
    resolution, resolved_at = _resolution(q, done)
    notes = "" if q.criteria == NO_CRITERIA + title else q.criteria
    tags = "; ".join(t for t in q.tags if t != "fatebook")
    tail = [created, fatebook_time(q.resolve_by), resolution, resolved_at, None, None, notes, "", False, "", tags]
    rows = []
    for f in bulk.forecasts_of(store, q):
        who = store.forecasters[f.by].name if f.by in store.forecasters else f.by
        rows.append([title, option, who, f.probability, fatebook_time(f.at), ""] + tail)
    return rows or [[title, option, None, None, created, ""] + tail]


def export(store) -> tuple[str, Exported]:  # noqa: ANN001
    """The CSV text (no final newline, as Fatebook's) and what was written and left out."""
    done = Exported("fatebook-csv")
    lines = [",".join(COLUMNS_V3)]
    for qid in sorted(store.questions):
        q = store.questions[qid]
        if q.kind != "binary":
            done.leave_out(f"{q.kind} questions (Fatebook's export holds binary ones)")
            continue
        rows = _rows(store, q, done)
        done.wrote("questions")
        done.wrote("rows", len(rows))
        lines += [",".join(_cell(v) for v in row) for row in rows]
    return "\n".join(lines), done
