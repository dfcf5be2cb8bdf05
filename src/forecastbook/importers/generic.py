"""Any table of binary forecasts as a store: a CSV with the columns ``question, forecaster,
at, probability`` and optionally ``outcome, resolved_at, url`` (other names through
``mapping``, e.g. ``{"Who": "forecaster"}``). One binary question per distinct question text.

``at`` is an ISO date or time; one without a zone is read in ``tz`` (UTC unless given).
``outcome`` is yes/no (also true/false, 1/0), a probability (a probabilistic resolution),
``annulled`` or ``ambiguous``, or empty (open); a resolved question needs ``resolved_at``
and evidence: the row's ``url`` or ``evidence_url``. Outcomes without either are left out
(the question stays open) and counted: no resolution is written without a page to check.

>>> parse_at("2026-03-01 09:30", "UTC").isoformat()
'2026-03-01T09:30:00+00:00'
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ..checks import is_web_address
from ..problems import shorten
from ..records import Forecast, Forecaster, Question, Resolution, Source, SourceRef
from .common import Bundle, ImportFailed, as_store, csv_rows, keyed_slug, located, probability

__all__ = ["parse", "read", "parse_at", "FIELDS"]

FIELDS = ("question", "forecaster", "at", "probability", "outcome", "resolved_at", "url")
REQUIRED = FIELDS[:4]


def parse_at(text: str, tz: str, *, where: str = "", line: int | None = None) -> dt.datetime:
    """An ISO date or time; without a zone it is read in ``tz``."""
    try:
        zone = ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError):
        raise ImportFailed(f"--tz: not a time zone name (e.g. UTC, Europe/London): {shorten(tz, 40)}") from None
    try:
        value = dt.datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        raise located(where, line, "at", f"expected an ISO date or time, got {shorten(text)}") from None
    return (value if value.tzinfo else value.replace(tzinfo=zone)).astimezone(dt.timezone.utc)


def _outcome(raw: str, where: str, line: int) -> bool | float | str | None:
    word = raw.strip().lower()
    if not word:
        return None
    if word in ("annulled", "ambiguous"):
        return word
    if word in ("yes", "true", "no", "false"):
        return word in ("yes", "true")
    p = probability(raw, where=where, line=line, field_="outcome")
    return bool(p) if p in (0.0, 1.0) else p


def _header(header: list[str], mapping: dict[str, str], where: str) -> dict[str, int]:
    for column, name in mapping.items():
        if name not in FIELDS:
            raise ImportFailed(f"--map {shorten(column, 40)}={shorten(name, 40)}: the field must be one of {', '.join(FIELDS)}")
    index = {}
    for i, column in enumerate(header):
        name = mapping.get(column, column.strip().lower())
        if name in FIELDS:
            index[name] = i
    missing = [f for f in REQUIRED if f not in index]
    if missing:
        raise located(where, 1, "header", f"missing column(s) {', '.join(missing)} (rename with --map COLUMN=FIELD)")
    return index


def _rows(path: Path, mapping: dict[str, str]) -> tuple[dict[str, int], list[tuple[int, list[str]]]]:
    header, rows = csv_rows(path)
    if not header:
        raise located(path, 1, "(file)", "empty: expected a header row")
    return _header(header, mapping, str(path)), rows


def parse(path: str | os.PathLike, *, mapping: dict[str, str] | None = None, tz: str = "UTC",
          evidence_url: str | None = None) -> Bundle:
    """Parse a table of forecasts (see the module's docstring)."""
    path = Path(path)
    if evidence_url is not None and not is_web_address(evidence_url):
        raise ImportFailed(f"--evidence-url: must be an absolute http(s) address, got {shorten(evidence_url)}")
    index, rows = _rows(path, mapping or {})
    bundle = Bundle("csv")
    bundle.read("rows", len(rows))
    groups: dict[str, dict] = {}
    for line, row in rows:
        cell = lambda name: row[index[name]].strip() if name in index else ""  # noqa: E731
        text = cell("question")
        if not text:
            raise located(path, line, "question", "is empty")
        if not cell("forecaster"):
            raise located(path, line, "forecaster", "is empty")
        g = groups.setdefault(text, {"forecasts": [], "end": None, "line": line})
        p = probability(cell("probability"), where=str(path), line=line)
        at = parse_at(cell("at"), tz, where=str(path), line=line)
        who = keyed_slug("csv", cell("forecaster"), cell("forecaster"))
        bundle.add_forecaster(Forecaster(id=who, name=cell("forecaster"), kind="person"))
        g["forecasts"].append(Forecast(by=who, at=at, probability=p))
        _end(g, cell, path, line, evidence_url)
    source_id = keyed_slug("csv", path.stem, path.name)
    for text, g in groups.items():
        bundle.add_question("csv", _question(bundle, text, g, source_id, path))
    if bundle.questions:
        first = min(q.created for _, q in bundle.questions.values())
        bundle.add_source(Source(id=source_id, kind="dataset", title=f"Forecast table {path.name}", published=first))
    return bundle


def _end(g: dict, cell, path: Path, line: int, evidence_url: str | None) -> None:  # noqa: ANN001
    """Note the row's outcome on its question; rows of one question must agree."""
    outcome = _outcome(cell("outcome"), str(path), line)
    if outcome is None:
        return
    if not cell("resolved_at"):
        raise located(path, line, "resolved_at", f"is empty but the outcome is {shorten(cell('outcome'))}")
    try:
        day = dt.date.fromisoformat(cell("resolved_at")[:10])
    except ValueError:
        raise located(path, line, "resolved_at", f"expected a date, got {shorten(cell('resolved_at'))}") from None
    url = cell("url") or evidence_url
    if url and not is_web_address(url):
        raise located(path, line, "url", f"must be an absolute http(s) address, got {shorten(url)}")
    end = (outcome, day, url)
    if g["end"] is not None and g["end"][:2] != end[:2]:
        raise located(path, line, "outcome", f"disagrees with an earlier row of the same question (line {g['line']})")
    g["end"] = end


def _question(bundle: Bundle, text: str, g: dict, source_id: str, path: Path) -> Question:
    forecasts = sorted(g["forecasts"], key=lambda f: (f.at, f.by))
    created = min(f.at.date() for f in forecasts)
    resolution = None
    if g["end"] is not None:
        outcome, day, url = g["end"]
        if outcome in ("annulled", "ambiguous"):
            resolution = Resolution(status=outcome, at=day, note=f"{outcome} in the table {path.name}")
        elif url is None:
            bundle.leave_out("outcomes without an evidence url (give a url column or --evidence-url)")
        else:
            from ..records import Evidence

            resolution = Resolution(outcome=outcome, at=day, evidence=[Evidence(
                url=url, no_quote=f"the outcome as recorded in the table {path.name}: {outcome}")])
    closes = max([created] + ([resolution.at] if resolution else [f.at.date() for f in forecasts]))
    return Question(id=keyed_slug("csv", text, text), title=" ".join(text.split()), kind="binary",
                    criteria=f"As written in the table: {text}", created=min(created, closes), closes=closes,
                    resolve_by=closes, source=SourceRef(ref=source_id, quote=text, locator=f"{path.name}, line {g['line']}"),
                    tags=["csv"], forecasts=forecasts, resolution=resolution)


def read(path: str | os.PathLike, **options):  # noqa: ANN003, ANN201
    """A table of forecasts as a :class:`~forecastbook.store.Store`, without writing files."""
    return as_store(parse(path, **options), root=Path(path).parent)
