"""Plain-text rendering for the terminal: aligned tables, CSV and JSON, and one record.

>>> print(table([{"id": "a", "n": 1}, {"id": "bb", "n": 10}]))
id  n
--  --
a   1
bb  10
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from typing import TYPE_CHECKING

from . import bulk
from .queries import conditional_tree, forecast_summary, outcome_text, status_as_of

if TYPE_CHECKING:  # the CLI imports this module before any record is read
    from .records import Forecast, Question
    from .store import Store


_CONTROL = {c: f"\\u{c:04x}" for c in (*range(0x00, 0x20), *range(0x7f, 0xa0)) if chr(c) not in "\n\t"}


def terminal_safe(text: str) -> str:
    """Text for a terminal: control characters (escape sequences that move the cursor,
    clear the screen or set the title) are shown as ``\\uXXXX``, never sent raw. Line
    breaks and tabs stay.

    >>> terminal_safe("title\\x1b]0;owned\\x07 ok")
    'title\\\\u001b]0;owned\\\\u0007 ok'
    """
    return text.translate(_CONTROL)


def _width(text: str) -> int:
    """Display width: East Asian wide characters take two columns."""
    if text.isascii():
        return len(text)
    # no character below U+1100 is wide
    return len(text) + sum(1 for ch in text if ch >= "\u1100" and unicodedata.east_asian_width(ch) in "WF")


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return str(value)


def table(rows: Sequence[Mapping[str, Any]], *, max_width: int = 70) -> str:
    """An aligned text table; cells longer than ``max_width`` are cut with '…'.

    >>> print(table([{"id": "a", "title": "中文 title"}, {"id": "bb", "title": "x"}]))
    id  title
    --  ----------
    a   中文 title
    bb  x
    """
    if not rows:
        return "(none)"
    columns = list(rows[0])
    texts = [[v if v.__class__ is str else _cell(v) for v in (r[c] for r in rows)] for c in columns]
    padded = []
    for name, column in zip(columns, texts):
        joined = "\x00".join(column)
        if joined.isascii() and not _odd(joined) and max(map(len, column)) <= max_width:
            width = max(len(name), *map(len, column))  # the common case: plain ASCII, nothing to cut
            padded.append([name.ljust(width), "-" * width, *(text.ljust(width) for text in column)])
            continue
        column = [_clip(text, max_width) for text in column]
        sizes = [_width(text) for text in column]
        width = max(_width(name), *sizes)
        padded.append([name + " " * (width - _width(name)), "-" * width,
                       *(text + " " * (width - n) for text, n in zip(column, sizes))])
    return "\n".join("  ".join(line).rstrip() for line in zip(*padded))


def _odd(joined: str) -> bool:
    """Whether any of these ASCII cells (joined by NUL) has whitespace that :func:`_clip`
    would change: a run of blanks, a tab or line break, a blank at either end."""
    return ("  " in joined or any(ch in joined for ch in "\t\n\r\x0b\x0c\x1c\x1d\x1e\x1f\x85")
            or " \x00" in joined or "\x00 " in joined or joined.startswith(" ") or joined.endswith(" "))
_BLANKS = re.compile(r"\s\s|[^\S ]|^ | $")  # what " ".join(text.split()) would change


def _clip(text: str, limit: int) -> str:
    if _BLANKS.search(text):
        text = " ".join(text.split())
    if len(text) <= limit // 2 or (text.isascii() and len(text) <= limit):
        return text
    return text if _width(text) <= limit else text[: limit - 1] + "…"


def to_csv(rows: Sequence[Mapping[str, Any]]) -> str:
    if not rows:
        return ""
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows({k: _cell(v) for k, v in r.items()} for r in rows)
    return buf.getvalue()


def to_json(rows: Iterable[Mapping[str, Any]]) -> str:
    return json.dumps(list(rows), ensure_ascii=False, indent=2, default=_cell)


BULK_SHOWN = 20  # forecasters whose latest bulk forecast ``show`` lists


def _forecast_line(q: Question, f: Forecast) -> str:
    from .checks import utc_day

    late = "  (after close: not scored)" if utc_day(f.at) > q.closes else ""
    words = f"  [{f.verbal}]" if f.verbal else ""
    return f"  {f.at.isoformat()}  {f.by}: {forecast_summary(q, f)}{words}{late}"


def show_question(store: Store, q: Question, *, as_of: dt.date) -> str:
    """The whole record of one question, its forecasts (bulk ones: each forecaster's
    latest) and its conditional tree."""
    out = [f"{q.id}  [{q.kind}, {status_as_of(q, as_of)} as of {as_of}]", q.title, ""]
    if q.draft:
        out[1:1] = ["DRAFT: captured from a text and not finished; not scored and not listed by due "
                    "(forecastbook validate lists what it still needs)"]

    def field(name: str, value: Any) -> None:
        if value not in (None, [], ""):
            out.append(f"{name + ':':<20}{_cell(value) if not isinstance(value, list) else ', '.join(map(str, value))}")

    field("file", str(store.path_of(q.id)))
    field("created", q.created)
    field("closes", q.closes)
    field("resolve by", q.resolve_by)
    field("outcomes", q.outcomes)
    if q.kind == "categorical":
        field("ordered", "yes" if q.ordered else "no")
    field("unit", q.unit)
    field("lower bound", q.lower)
    field("upper bound", q.upper)
    field("implies", q.implies)
    field("excludes", q.excludes)
    field("tags", q.tags)
    out += ["", "Criteria:", "  " + q.criteria]
    if q.fine_print:
        out += ["", "Fine print:", "  " + q.fine_print]
    if q.resolution_sources:
        out += ["", "Resolution sources:", *(f"  - {s}" for s in q.resolution_sources)]
    if q.source:
        src = store.sources.get(q.source.ref)
        out += ["", f"Source: {q.source.ref}" + (f" ({src.author}, {_cell(src.published)})" if src else "")]
        out.append(f"  「{q.source.quote}」")
        if q.source.translation:
            out.append(f"  \"{' '.join(q.source.translation.split())}\"")
        if q.source.locator:
            out.append(f"  where in the source: {q.source.locator}")
    out += ["", f"Forecasts ({len(q.forecasts)}):"]
    for f in sorted(q.forecasts, key=lambda f: f.at):
        out.append(_forecast_line(q, f))
    n_bulk = bulk.count_of(store, q.id)
    if not q.forecasts:
        out.append("  (none yet)" if not n_bulk else "  (none in the record)")
    if n_bulk:
        latest = bulk.latest_of(store, q.id)
        out += ["", f"Bulk forecasts ({n_bulk} in Parquet, by {len(latest)} forecasters; each one's latest):"]
        out += [_forecast_line(q, f) for f in latest[:BULK_SHOWN]]
        if len(latest) > BULK_SHOWN:
            out.append(f"  ... and {len(latest) - BULK_SHOWN} more forecasters "
                       "(forecastbook export --what forecasts lists every forecast)")
    out += ["", "Conditional tree:", *(f"  {line}" for line in conditional_tree(store, q.id))]
    r = q.resolution
    out += ["", "Resolution:"]
    if r is None:
        out.append("  (not resolved)")
    else:
        outcome = q.outcome_value()
        if q.kind == "binary" and isinstance(outcome, float):
            shown = f"probability {outcome:g} of yes (probabilistic: scored as the expected score)"
        else:
            shown = outcome_text(outcome)
        out.append(f"  {r.status} on {r.at}" + (f": {shown}" if r.status == "resolved" else ""))
        if r.known is not None:
            out.append(f"  known since {r.known} (forecasts made after that day are not scored)")
        if r.cascaded_from:
            out.append(f"  cascaded from '{r.cascaded_from}' (unresolving it reopens this question)")
        if r.note:
            out.append(f"  note: {r.note}")
        for e in r.evidence:
            dates = ", ".join(f"{k} {v}" for k, v in (("published", e.published), ("retrieved", e.retrieved)) if v)
            out.append(f"  evidence: {e.url}" + (f" ({dates})" if dates else ""))
            if e.quote:
                out.append(f"    \"{' '.join(e.quote.split())}\"")
            elif e.no_quote:
                out.append(f"    (no quote: {e.no_quote})")
    for kind, heading in (("review", "Review notes (flaws seen in hindsight; the record is not changed)"),
                          ("search", "Searches"), ("note", "Notes")):
        notes = [n for n in q.notes if n.kind == kind]
        if notes:
            out += ["", f"{heading}:"]
            for n in notes:
                out.append(f"  {n.at}" + (f" ({n.by})" if n.by else "") + f": {' '.join(n.text.split())}")
                out += [f"    - {query}" for query in n.queries]
    if q.history:
        out += ["", "History:", *(f"  {h.at.isoformat()} {h.action}: {h.reason}" for h in q.history)]
    return "\n".join(out)


def _md(text: str) -> str:
    """Record text for Markdown: characters that would make markup are escaped."""
    return "".join("\\" + c if c in "\\`*_[]<>|" else c for c in " ".join(str(text).split()))


def due_markdown(rows: Sequence[tuple[Question, str]], *, as_of: dt.date, within: int) -> str:
    """The body of an issue listing the overdue (and coming due) questions, each with its
    deadline and where to look as links; record text is escaped, so it cannot make markup.

    >>> due_markdown([], as_of=dt.date(2026, 11, 30), within=0)
    'Nothing is overdue as of 2026-11-30.'
    """
    from .checks import is_web_address

    if not rows:
        return f"Nothing is overdue as of {as_of}." + (f" Nothing comes due within {within} day(s)." if within else "")
    n_overdue = sum(state == "overdue" for _, state in rows)
    lines = [f"**{n_overdue} overdue** as of {as_of}" + (f", {len(rows) - n_overdue} coming due within {within} day(s)"
                                                        if within else "") + ". Resolve each with evidence "
             "(`forecastbook resolve ID OUTCOME --evidence URL --quote WORDS`), or record what was searched "
             "(`forecastbook note ID TEXT --kind search`).", ""]
    for q, state in rows:
        days = (as_of - q.resolve_by).days
        when = f"overdue by {days} day(s)" if state == "overdue" else f"due by {q.resolve_by}"
        lines.append(f"- [ ] `{q.id}`: {_md(q.title)} ({when}; resolve by {q.resolve_by})")
        for source in q.resolution_sources:
            url = source.split()[0] if source.split() else ""
            lines.append(f"  - <{url}>" + (f" {_md(source[len(url):])}" if source[len(url):].strip() else "")
                         if is_web_address(url) else f"  - {_md(source)}")
    return "\n".join(lines)
