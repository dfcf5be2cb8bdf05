"""Fatebook (fatebook.io) CSV export: one row per forecast.

Both column layouts are read: the current one (``Multiple choice option``, ``Resolution``,
``Resolved at``, ``Question tags``, also without tags) and the 2023-2024 one
(``Question resolution``, ``Question resolved at``). A question is keyed by its title and
creation time (the export has no id). Each option of a multiple-choice question becomes a
binary question (Fatebook resolves options one by one). ``YES``/``NO`` resolve; ``AMBIGUOUS``
makes the question ambiguous (Fatebook does not score it).

Time zone: the export's timestamps carry none (and seconds are not zero-padded,
``2024-12-09 01:12:2``). Fatebook builds the file on its servers, which run in UTC, so they
are read as UTC unless ``tz`` names another zone.

Other users' hidden forecasts (empty forecast and forecaster) are left out and counted.

>>> parse_time("2024-12-09 01:12:2").isoformat()
'2024-12-09T01:12:02+00:00'
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
import re
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ..problems import shorten
from ..records import Forecast, Forecaster, Question, Resolution, Source, SourceRef
from .common import Bundle, ImportFailed, as_store, evidence_for, keyed_slug, located, probability, slug

__all__ = ["parse", "read", "parse_time", "SITE", "COLUMNS_V3", "COLUMNS_V1"]

SITE = "https://fatebook.io/"
SOURCE_ID = "fatebook"
COLUMNS_V3 = ["Question title", "Multiple choice option", "Forecast created by", "Forecast (scale = 0-1)",
              "Forecast created at", "Question created by", "Question created at", "Question resolve by", "Resolution",
              "Resolved at", "Your Brier score for this question", "Your relative Brier score for this question",
              "Question notes", "Question shared with", "Question shared publicly", "Question comments",
              "Question tags"]
COLUMNS_V1 = ["Question title", "Forecast created by", "Forecast (scale = 0-1)", "Forecast created at",
              "Question created by", "Question created at", "Question resolution", "Question resolve by",
              "Question resolved at", "Your Brier score for this question",
              "Your relative Brier score for this question", "Question notes", "Question shared with",
              "Question shared publicly", "Question comments"]
# field -> the column names it has had
FIELDS = {"title": ("Question title",), "option": ("Multiple choice option",), "by": ("Forecast created by",),
          "forecast": ("Forecast (scale = 0-1)",), "at": ("Forecast created at",),
          "created": ("Question created at",), "resolve_by": ("Question resolve by",),
          "resolution": ("Resolution", "Question resolution"), "resolved_at": ("Resolved at", "Question resolved at"),
          "notes": ("Question notes",), "tags": ("Question tags",)}
REQUIRED = ("title", "by", "forecast", "at", "created", "resolve_by", "resolution", "resolved_at")
NO_CRITERIA = "As asked on Fatebook (no notes were written): "
_TIME = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2}) (\d{1,2}):(\d{1,2}):(\d{1,2})")


def _zone(tz: str) -> dt.tzinfo:
    try:
        return ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError):
        raise ImportFailed(f"--tz: not a time zone name (e.g. UTC, Europe/London): {shorten(tz, 40)}") from None


def parse_time(text: str, tz: str = "UTC", *, where: str = "", line: int | None = None,
               field_: str = "time") -> dt.datetime:
    """A Fatebook timestamp (``YYYY-MM-DD HH:MM:S``, no zone) read in ``tz``."""
    zone = _zone(tz)
    m = _TIME.fullmatch(text.strip())
    try:
        if m is None:
            raise ValueError
        return dt.datetime(*map(int, m.groups()), tzinfo=zone)
    except ValueError:
        raise located(where, line, field_, f"expected a time as YYYY-MM-DD HH:MM:SS, got {shorten(text)}") from None


def _columns(header: list[str], where: str) -> dict[str, int]:
    index: dict[str, int] = {}
    for name, spellings in FIELDS.items():
        for s in spellings:
            if s in header:
                index[name] = header.index(s)
    missing = [FIELDS[f][0] for f in REQUIRED if f not in index]
    if missing:
        raise located(where, 1, "header", f"missing column(s) {', '.join(map(repr, missing))}: "
                                          "not a Fatebook export")
    return index


def _rows(path: Path) -> tuple[dict[str, int], list[tuple[int, list[str]]]]:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise located(path, None, "(file)", f"not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    if not text.strip():
        raise located(path, 1, "(file)", "empty: Fatebook exports nothing when there are no forecasts")
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
        rows = [(reader.line_num, row) for row in reader if row]
    except csv.Error as exc:
        raise located(path, reader.line_num, "(csv)", str(exc)) from None
    index = _columns(header, str(path))
    for line, row in rows:
        if len(row) != len(header):
            raise located(path, line, "(row)", f"has {len(row)} fields, the header has {len(header)}")
    return index, rows


def _cell(row: list[str], index: dict[str, int], name: str) -> str:
    return row[index[name]].strip() if name in index else ""


def parse(path: str | os.PathLike, *, tz: str = "UTC") -> Bundle:
    """Parse a Fatebook CSV export into records (see the module's docstring)."""
    path = Path(path)
    _zone(tz)
    index, rows = _rows(path)
    bundle = Bundle("fatebook")
    bundle.read("rows", len(rows))
    groups: dict[tuple[str, str, str], dict] = {}
    for line, row in rows:
        cell = lambda name: _cell(row, index, name)  # noqa: E731
        created = parse_time(cell("created"), tz, where=str(path), line=line, field_=FIELDS["created"][0])
        key = (cell("title"), created.astimezone(dt.timezone.utc).isoformat(), cell("option"))
        if not key[0]:
            raise located(path, line, "Question title", "is empty")
        group = groups.setdefault(key, {"line": line, "row": row, "created": created, "forecasts": []})
        if not cell("forecast") and not cell("by"):
            bundle.leave_out("hidden forecasts of other users")
            continue
        p = probability(cell("forecast"), where=str(path), line=line, field_=FIELDS["forecast"][0])
        if not cell("by"):
            raise located(path, line, "Forecast created by", "is empty but the forecast is not")
        at = parse_time(cell("at"), tz, where=str(path), line=line, field_=FIELDS["at"][0])
        who = slug("fatebook", cell("by"))
        bundle.add_forecaster(Forecaster(id=who, name=cell("by"), kind="person",
                                         description="Fatebook user (display name as exported)."))
        group["forecasts"].append(Forecast(by=who, at=at.astimezone(dt.timezone.utc), probability=p))
    for key, group in groups.items():
        bundle.add_question("fatebook", _question(key, group, index, path, tz))
    first = min((g["created"] for g in groups.values()), default=None)
    if first is not None:
        bundle.add_source(Source(id=SOURCE_ID, kind="dataset", title="Fatebook CSV export", publisher="Sage",
                                 published=first.astimezone(dt.timezone.utc).date(), url=SITE,
                                 note=f"Timestamps carry no zone in the export; read in {tz}, kept in UTC."))
    return bundle


def _question(key: tuple[str, str, str], group: dict, index: dict[str, int], path: Path, tz: str) -> Question:
    title, _, option = key
    row, line, created = group["row"], group["line"], group["created"]
    cell = lambda name: _cell(row, index, name)  # noqa: E731
    day = created.astimezone(dt.timezone.utc).date()
    due = parse_time(cell("resolve_by"), tz, where=str(path), line=line, field_="Question resolve by")
    due_day = due.astimezone(dt.timezone.utc).date()
    resolution = _resolution(cell("resolution"), cell("resolved_at"), tz, path, line)
    closes = max(resolution.at if resolution else due_day, day)
    locator = f"question created {created.astimezone(dt.timezone.utc).isoformat()}"
    if option:
        locator += f"; multiple choice option: {option}"
    notes = cell("notes")
    tags = [t for t in (x.strip() for x in cell("tags").split(";")) if t]
    return Question(
        id=keyed_slug("fatebook", f"{title} {option}", "|".join(key)),
        title=" ".join(f"{title} [{option}]".split()) if option else " ".join(title.split()), kind="binary",
        criteria=notes or NO_CRITERIA + title, resolution_sources=[SITE], created=day, closes=closes,
        resolve_by=max(due_day, closes), source=SourceRef(ref=SOURCE_ID, quote=title, locator=locator),
        tags=["fatebook", *tags], forecasts=sorted(group["forecasts"], key=lambda f: (f.at, f.by)),
        resolution=resolution)


def _resolution(raw: str, resolved_at: str, tz: str, path: Path, line: int) -> Resolution | None:
    if not raw:
        return None
    if raw not in ("YES", "NO", "AMBIGUOUS"):
        raise located(path, line, "Resolution", f"expected YES, NO or AMBIGUOUS, got {shorten(raw)}")
    if not resolved_at:
        raise located(path, line, "Resolved at", f"is empty but the question resolved {raw}")
    at = parse_time(resolved_at, tz, where=str(path), line=line, field_="Resolved at")
    day = at.astimezone(dt.timezone.utc).date()
    if raw == "AMBIGUOUS":
        return Resolution(status="ambiguous", at=day, note="Fatebook resolution AMBIGUOUS (not scored on Fatebook).")
    return Resolution(outcome=raw == "YES", at=day,
                      evidence=[evidence_for("Fatebook", SITE, "Resolution", raw, document="the CSV export")])


def read(path: str | os.PathLike, *, tz: str = "UTC"):  # noqa: ANN201
    """A Fatebook CSV export as a :class:`~forecastbook.store.Store`, without writing files."""
    return as_store(parse(path, tz=tz), root=Path(path).parent)
