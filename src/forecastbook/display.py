"""What analysts see in JupyterLab: compact HTML for the store and questions, the tables
the notebooks show, and the banner that marks simulated data. All record text is escaped.
"""

from __future__ import annotations

import datetime as dt
import html

import pandas as pd

from .checks import utc_day
from .queries import STATUS_COLOURS, condition_text, forecast_summary, status_as_of
from .store import Store
from .verbal import band

__all__ = ["store_html", "question_html", "claims_table", "hedges_table", "status_counts", "is_simulated",
           "SimulatedBanner", "Note", "WhatHappened", "Table", "Heading", "StoreSummary", "source_sections",
           "scoreboard_table", "scored_forecasts_table"]


def _e(value: object) -> str:
    return html.escape("" if value is None else str(value))


def status_counts(store: Store, *, as_of: dt.date) -> dict[str, int]:
    counts = dict.fromkeys(("open", "overdue", "resolved", "annulled", "ambiguous"), 0)
    for q in store.questions.values():
        counts[status_as_of(q, as_of)] += 1
    return counts


def store_html(store: Store) -> str:
    """A one-table summary of a store (its HTML display), with statuses as of today (UTC)."""
    from .queries import resolve_as_of

    return StoreSummary(store, as_of=resolve_as_of())._repr_html_()


def question_html(q) -> str:  # noqa: ANN001
    """A compact card for one question (its HTML repr)."""
    forecasts = "".join(
        f"<tr><td>{_e(f.at.isoformat())}</td><td>{_e(f.by)}</td><td>{_e(forecast_summary(q, f))}</td>"
        f"<td>{_e(f.verbal or '')}</td></tr>" for f in sorted(q.forecasts, key=lambda f: f.at))
    source = ""
    if q.source is not None:
        source = (f"<p><b>Source</b> {_e(q.source.ref)}: 「{_e(q.source.quote)}」"
                  f"<br><i>{_e(q.source.translation or '')}</i></p>")
    from .queries import resolve_as_of

    return (f"<div><b>{_e(q.id)}</b> [{_e(q.kind)}, {_e(status_as_of(q, resolve_as_of()))}]<br>{_e(q.title)}"
            f"<p><b>Criteria</b> {_e(q.criteria)}</p>{source}"
            f"<table><tr><th>at</th><th>by</th><th>forecast</th><th>words</th></tr>{forecasts}</table></div>")


def claims_table(store: Store) -> pd.DataFrame:
    """The source's words beside their translation, one row per question."""
    rows = [(q.id, q.title, q.kind, condition_text(q), q.source.quote if q.source else "",
             " ".join((q.source.translation or "").split()) if q.source else "")
            for q in sorted(store.questions.values(), key=lambda q: q.id)]
    return pd.DataFrame(rows, columns=["question", "title", "kind", "condition", "original words", "translation"])


def hedges_table(store: Store) -> pd.DataFrame:
    """Each forecast read from words: the words, the scale's band, the probability recorded."""
    rows = []
    for q in sorted(store.questions.values(), key=lambda q: q.id):
        for f in q.forecasts:
            if f.verbal is None:
                continue
            term = band(f.verbal)
            rows.append((q.id, f.by, f.verbal, f"{term.low:g}-{term.high:g}" if term else "not on the scale",
                         f.probability, " ".join((f.derived or "").split())))
    return pd.DataFrame(rows, columns=["question", "forecaster", "words", "scale band", "probability", "how it was read"])


def is_simulated(store: Store) -> bool:
    """True when the store's questions are tagged ``simulated``."""
    return any("simulated" in q.tags for q in store.questions.values())


class Note:
    """A line of text for a notebook: HTML in JupyterLab, plain text elsewhere. ``link``
    (label, address) adds a link after the text: a relative address or an http(s) one."""

    def __init__(self, text: str, *, style: str = "", link: tuple[str, str] | None = None):
        self.text = text
        self.style = style
        self.link = link

    def __repr__(self) -> str:
        return self.text + (f" {self.link[0]}: {self.link[1]}" if self.link else "")

    def _repr_html_(self) -> str:
        link = ""
        if self.link:
            label, href = self.link
            safe = ":" not in href.split("/", 1)[0] or href.startswith(("http://", "https://"))
            link = f" <a href='{_e(href)}'>{_e(label)}</a>" if safe else f" {_e(label)}: {_e(href)}"
        return f"<p style='{self.style}'>{_e(self.text)}{link}</p>"


class SimulatedBanner(Note):
    def __init__(self, store: Store):
        text = ("SIMULATED DATA: every question, forecast and outcome in this store was made up by "
                "scripts/simulate_store.py to demonstrate scoring. Nothing here is real." if is_simulated(store)
                else f"Real records from {store.root.name}/.")
        style = ("background:#fde8c8;padding:6px 10px;line-height:1.5;font-weight:bold;white-space:normal"
                 if is_simulated(store) else "")
        super().__init__(text, style=style)


def _link(url: str) -> str:
    """A link for an http(s) address (anything else stays text: no javascript: links)."""
    from .checks import is_web_address

    return f"<a href='{_e(url)}' target='_blank' rel='noopener' style='word-break:break-all'>{_e(url)}</a>" if is_web_address(url) else _e(url)




class WhatHappened:
    """Per question: the outcome (or why it is still open), the evidence with links, quotes
    and dates, each forecast with its scores, and the review notes written in hindsight.

    ``scores`` is :func:`forecastbook.evaluate.binary_scores` as of the same date; it says
    which forecasts were scored. Displays as cards in JupyterLab and as text elsewhere.
    """

    def __init__(self, store: Store, *, as_of: dt.date, scores: pd.DataFrame, limit: int = 40):
        self.store, self.as_of, self.limit = store, as_of, limit
        self.scored = {(r.question_id, r.forecaster): r for r in scores.itertuples(index=False)}

    def _all(self):  # noqa: ANN202
        order = {"overdue": 0, "resolved": 1, "ambiguous": 2, "annulled": 3, "open": 4}
        return sorted(self.store.questions.values(), key=lambda q: (order[status_as_of(q, self.as_of)], q.id))

    def _questions(self):  # noqa: ANN202
        """At most ``limit`` cards, overdue first (a large store is read with ``show``)."""
        return self._all()[: self.limit]

    def _more(self) -> str:
        left = len(self.store.questions) - self.limit
        return (f"{left} more question(s) not shown here: see each with `forecastbook show ID`, or all of them "
                f"with `forecastbook list`.") if left > 0 else ""

    def _outcome(self, q) -> tuple[str, str]:  # noqa: ANN001
        """(status line, why) for a question as of the date."""
        from .queries import outcome_text

        status = status_as_of(q, self.as_of)
        r = q.resolution
        if status == "resolved":
            value = q.outcome_value()
            shown = (f"probability {value:g} of yes" if q.kind == "binary" and isinstance(value, float)
                     else outcome_text(value))
            return f"resolved {shown} on {r.at}" + (f" (known since {r.known})" if r.known else ""), r.note or ""
        if status in ("annulled", "ambiguous"):
            return f"{status} on {r.at}", r.note or ""
        searches = [n for n in q.notes if n.kind == "search" and n.at <= self.as_of]
        why = (f"last searched {searches[-1].at}: {searches[-1].text}" if searches
               else "no search recorded yet (keep one with: forecastbook note ID TEXT --kind search --query Q)")
        return f"{status}: resolve by {q.resolve_by}", why

    def _forecast_rows(self, q) -> list[tuple[str, str, str, str]]:  # noqa: ANN001
        rows = []
        for f in sorted(q.forecasts, key=lambda f: (f.at, f.by)):
            if utc_day(f.at) > self.as_of:
                continue
            row = self.scored.get((q.id, f.by))
            if row is not None and row.at == f.at:
                score = f"Brier {row.brier:.4f}, log {row.log:.4f}"
            elif status_as_of(q, self.as_of) in ("annulled", "ambiguous"):
                score = f"not scored: {status_as_of(q, self.as_of)}"
            elif status_as_of(q, self.as_of) in ("open", "overdue"):
                score = "not scored yet"
            else:
                score = "not scored here" if q.kind != "binary" else "not scored (a later forecast stands)"
            rows.append((f.by, forecast_summary(q, f), f.verbal or "", score))
        return rows

    def __repr__(self) -> str:
        out = []
        for q in self._questions():
            status, why = self._outcome(q)
            out += [f"{q.id}: {status}", f"  {q.title}"]
            if why:
                out.append(f"  {' '.join(why.split())}")
            if q.resolution is not None and status_as_of(q, self.as_of) != "open":
                for e in q.resolution.evidence:
                    out.append(f"  - {e.url}" + (f" ({e.published})" if e.published else "")
                               + (f": \"{' '.join(e.quote.split())}\"" if e.quote else ""))
            for by, value, words, score in self._forecast_rows(q):
                out.append(f"  forecast {by}: {value}" + (f" [{words}]" if words else "") + f"; {score}")
            for n in q.notes:
                if n.kind == "review" and n.at <= self.as_of:
                    out.append(f"  review {n.at}: {' '.join(n.text.split())}")
        if self._more():
            out.append(self._more())
        return "\n".join(out) if out else "(no questions)"

    def _repr_html_(self) -> str:
        cards = []
        for q in self._questions():
            state = status_as_of(q, self.as_of)
            status, why = self._outcome(q)
            parts = [f"<div style='border-left:6px solid {STATUS_COLOURS[state]};padding:4px 10px;margin:10px 0'>",
                     f"<b>{_e(q.title)}</b><br><code>{_e(q.id)}</code> · "
                     f"<span style='background:{STATUS_COLOURS[state]};padding:1px 6px'>{_e(status)}</span>"]
            if why:
                parts.append(f"<p style='margin:4px 0'>{_e(why)}</p>")
            r = q.resolution
            if r is not None and state != "open" and r.evidence:
                items = []
                for e in r.evidence:
                    dates = ", ".join(f"{k} {v}" for k, v in (("published", e.published), ("retrieved", e.retrieved)) if v)
                    quote = f"<br>“{_e(e.quote)}”" if e.quote else (f"<br>(no quote: {_e(e.no_quote)})" if e.no_quote else "")
                    items.append(f"<li>{_link(e.url)}" + (f" <small>({_e(dates)})</small>" if dates else "") + f"{quote}</li>")
                parts.append(f"<details open><summary>evidence ({len(r.evidence)})</summary><ul>{''.join(items)}</ul></details>")
            rows = self._forecast_rows(q)
            if rows:
                parts.append(Table(pd.DataFrame(rows, columns=["forecaster", "forecast", "words", "score"]))._repr_html_())
            reviews = [n for n in q.notes if n.kind == "review" and n.at <= self.as_of]
            if reviews:
                parts.append("<p style='margin:4px 0'><i>Review in hindsight (the record is not changed):</i></p><ul>"
                             + "".join(f"<li>{_e(n.at)}: {_e(n.text)}</li>" for n in reviews) + "</ul>")
            parts.append("</div>")
            cards.append("".join(parts))
        if self._more():
            cards.append(f"<p>{_e(self._more())}</p>")
        return "".join(cards) or "<p>(no questions)</p>"


def _cell_text(value: object) -> str:
    if value is None or (isinstance(value, float) and value != value):
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:.4g}"
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return ", ".join(map(str, value))
    return str(value)


_LEFT = "style='text-align:left;vertical-align:top'"  # JupyterLab right-aligns table cells: text reads from the left


class Table:
    """A table for a page: no index column, text left-aligned, empty cells for missing
    values, yes/no for booleans, record text escaped; addresses in ``link_columns``
    (several may be separated by "; ") become links. Prints as aligned text elsewhere."""

    def __init__(self, frame: pd.DataFrame, *, caption: str | None = None, link_columns: tuple[str, ...] = ()):
        self.frame, self.caption, self.link_columns = frame, caption, link_columns

    def __repr__(self) -> str:
        if self.frame.empty:
            return "(none)"
        shown = self.frame.map(_cell_text) if hasattr(self.frame, "map") else self.frame.applymap(_cell_text)
        return shown.to_string(index=False)

    def _cell_html(self, column: str, value: object) -> str:
        text = _cell_text(value)
        if column in self.link_columns and text:
            return "; ".join(_link(part.strip()) for part in text.split("; "))
        return _e(text)

    def _repr_html_(self) -> str:
        if self.frame.empty:
            return "<p>(none)</p>"
        head = "".join(f"<th {_LEFT}>{_e(c)}</th>" for c in self.frame.columns)
        rows = "".join("<tr>" + "".join(f"<td {_LEFT}>{self._cell_html(c, v)}</td>" for c, v in zip(self.frame.columns, row))
                       + "</tr>" for row in self.frame.itertuples(index=False))
        caption = f"<caption style='text-align:left'>{_e(self.caption)}</caption>" if self.caption else ""
        return f"<table>{caption}<thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>"


class Heading(Note):
    """A heading made from record text (escaped), for sections a notebook builds in a loop."""

    def __init__(self, text: str, *, level: int = 3):
        super().__init__(text)
        self.level = level

    def _repr_html_(self) -> str:
        return f"<h{self.level}>{_e(self.text)}</h{self.level}>"


class StoreSummary:
    """Counts of a store as of a date (the status a question has on that day)."""

    def __init__(self, store: Store, *, as_of: dt.date):
        self.store, self.as_of = store, as_of

    def _rows(self) -> list[tuple[str, object]]:
        kinds: dict[str, int] = {}
        for q in self.store.questions.values():
            kinds[q.kind] = kinds.get(q.kind, 0) + 1
        statuses = status_counts(self.store, as_of=self.as_of)
        return [("folder", self.store.root), ("questions", len(self.store.questions)),
                ("by kind", ", ".join(f"{k} {v}" for k, v in sorted(kinds.items()))),
                (f"by status on {self.as_of}", ", ".join(f"{k} {v}" for k, v in statuses.items() if v)),
                ("forecasters", len(self.store.forecasters)), ("sources", len(self.store.sources)),
                ("errors / warnings", f"{len(self.store.errors)} / {len(self.store.warnings)}")]

    def __repr__(self) -> str:
        return "\n".join(f"{k}: {v}" for k, v in self._rows())

    def _repr_html_(self) -> str:
        body = "".join(f"<tr><th {_LEFT}>{_e(k)}</th><td {_LEFT}>{_e(v)}</td></tr>" for k, v in self._rows())
        return f"<table><caption style='text-align:left'>forecastbook store</caption>{body}</table>"


def source_sections(store: Store, *, as_of: dt.date):  # noqa: ANN201 - yields displayable parts
    """For each source in the store (then the questions with none): a heading from the
    source record, what it is, its claims in the original words beside a translation,
    the hedges read as probabilities, what coherence implies, and what is due."""
    from .coherence import implied_unconditional
    from .resolve import due

    implied = implied_unconditional(store)
    due_rows = due(store, as_of=as_of, within=30)
    groups: dict[str | None, list] = {}
    for q in sorted(store.questions.values(), key=lambda q: q.id):
        groups.setdefault(q.source.ref if q.source else None, []).append(q)
    for ref in sorted(groups, key=lambda r: (r is None, r or "")):
        questions = groups[ref]
        ids = {q.id for q in questions}
        src = store.sources.get(ref) if ref else None
        if ref is None:
            yield Heading(f"Questions without a source ({len(questions)})")
        else:
            yield Heading(src.title if src else ref)
            if src is not None:
                what = ", ".join(str(x) for x in (src.kind, src.author, src.publisher, _cell_text(src.published),
                                                  src.language) if x)
                yield Note(f"{what}. {src.note or ''}".strip(), link=("the source", src.url) if src.url else None)
            yield Table(claims_table(store).loc[lambda t: t["question"].isin(ids)].rename(
                columns={"original words": "original words", "translation": "translation (English)"}),
                caption=f"{len(questions)} question(s), in the source's words")
            hedges = hedges_table(store).loc[lambda t: t["question"].isin(ids)]
            if not hedges.empty:
                yield Table(hedges, caption="Hedges read as probabilities (verbal scale: data/verbal_scale.yaml)")
            for row in implied[implied["question_id"].isin(ids)].itertuples():
                verdict = ("" if row.stated != row.stated else
                           f"; stated {row.stated:g}, {'coherent' if row.coherent else 'INCOHERENT'}")
                yield Note(f"{row.forecaster}'s P(yes | {row.condition} yes) = {row.p_given_yes:g} and "
                           f"P(yes | {row.condition} no) = {row.p_given_no:g} put P({row.question_id}) between "
                           f"{row.implied_low:g} and {row.implied_high:g}{verdict}.")
        mine = [(q, state) for q, state in due_rows if q.id in ids]
        if mine:
            yield Table(pd.DataFrame([(q.id, state, q.resolve_by, (as_of - q.resolve_by).days if state == "overdue" else "",
                                       "; ".join(q.resolution_sources)) for q, state in mine],
                                     columns=["question", "state", "resolve by", "days overdue", "where to look"]),
                        caption=f"Due within 30 days or overdue, as of {as_of}", link_columns=("where to look",))
        else:
            yield Note(f"Nothing due within 30 days or overdue as of {as_of}.")


SCOREBOARD_NAMES = {
    "forecaster": "forecaster", "n": "n scored", "brier": "Brier", "log": "log", "log_inf": "log: infinite",
    "spherical": "spherical", "baseline": "Metaculus baseline (higher is better)", "baseline_inf": "baseline: -infinite",
    "skill_vs_always-50": "skill vs always 50%", "skill_vs_base-rate": "skill vs base rate",
    "skill_vs_crowd-median": "skill vs crowd median", "time_averaged_brier": "time-averaged Brier",
    "coverage": "coverage of open days", "forecast_questions": "questions forecast", "scored": "scored",
    "unresolved": "not yet resolved", "annulled": "annulled", "ambiguous": "ambiguous", "not_binary": "not binary",
    "after_close_only": "only after close", "after_known_only": "only after outcome known",
    "forecasts_after_close": "forecasts after close", "forecasts_after_known": "forecasts after outcome known",
}


def scoreboard_table(board: pd.DataFrame) -> Table:
    """The scoreboard with its columns named in words (every column kept)."""
    return Table(board.rename(columns=SCOREBOARD_NAMES))


def scored_forecasts_table(scores: pd.DataFrame) -> Table:
    """Each scored binary forecast: the question, who, the probability, the outcome in
    words (yes, no, or the probability of yes it resolved to), Brier and log."""
    def outcome(y: float) -> str:
        return "yes" if y == 1.0 else "no" if y == 0.0 else f"P(yes) {y:g}"

    frame = pd.DataFrame({"question": scores["question_id"], "forecaster": scores["forecaster"],
                          "forecast P(yes)": scores["probability"], "outcome": scores["outcome"].map(outcome),
                          "Brier": scores["brier"], "log": scores["log"], "resolved": scores["resolved_at"]})
    return Table(frame)
