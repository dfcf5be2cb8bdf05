"""What analysts see in JupyterLab: compact HTML for the store and questions, the tables
the notebooks show, and the banner that marks simulated data. All record text is escaped.
"""

from __future__ import annotations

import datetime as dt
import html

import pandas as pd

from .checks import utc_day
from .queries import condition_text, forecast_summary, status_as_of
from .store import Store
from .verbal import band

__all__ = ["store_html", "question_html", "claims_table", "hedges_table", "status_counts", "is_simulated",
           "SimulatedBanner", "Note", "WhatHappened"]


def _e(value: object) -> str:
    return html.escape("" if value is None else str(value))


def status_counts(store: Store, *, as_of: dt.date) -> dict[str, int]:
    counts = dict.fromkeys(("open", "overdue", "resolved", "annulled", "ambiguous"), 0)
    for q in store.questions.values():
        counts[status_as_of(q, as_of)] += 1
    return counts


def store_html(store: Store) -> str:
    """A one-table summary of a store (its HTML repr)."""
    kinds: dict[str, int] = {}
    statuses: dict[str, int] = {}
    for q in store.questions.values():
        kinds[q.kind] = kinds.get(q.kind, 0) + 1
        statuses[q.status] = statuses.get(q.status, 0) + 1
    rows = [("folder", store.root), ("questions", len(store.questions)),
            ("by kind", ", ".join(f"{k} {v}" for k, v in sorted(kinds.items()))),
            ("by status", ", ".join(f"{k} {v}" for k, v in sorted(statuses.items()))),
            ("forecasters", len(store.forecasters)), ("sources", len(store.sources)),
            ("errors / warnings", f"{len(store.errors)} / {len(store.warnings)}")]
    body = "".join(f"<tr><th style='text-align:left'>{_e(k)}</th><td style='text-align:left'>{_e(v)}</td></tr>"
                   for k, v in rows)
    return f"<table><caption>forecastbook store</caption>{body}</table>"


def question_html(q) -> str:  # noqa: ANN001
    """A compact card for one question (its HTML repr)."""
    forecasts = "".join(
        f"<tr><td>{_e(f.at.isoformat())}</td><td>{_e(f.by)}</td><td>{_e(forecast_summary(q, f))}</td>"
        f"<td>{_e(f.verbal or '')}</td></tr>" for f in sorted(q.forecasts, key=lambda f: f.at))
    source = ""
    if q.source is not None:
        source = (f"<p><b>Source</b> {_e(q.source.ref)}: 「{_e(q.source.quote)}」"
                  f"<br><i>{_e(q.source.translation or '')}</i></p>")
    return (f"<div><b>{_e(q.id)}</b> [{_e(q.kind)}, {_e(q.status)}]<br>{_e(q.title)}"
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
        style = "background:#fde8c8;padding:6px;font-weight:bold" if is_simulated(store) else ""
        super().__init__(text, style=style)


def _link(url: str) -> str:
    """A link for an http(s) address (anything else stays text: no javascript: links)."""
    from .checks import is_web_address

    return f"<a href='{_e(url)}' target='_blank' rel='noopener' style='word-break:break-all'>{_e(url)}</a>" if is_web_address(url) else _e(url)


_STATUS_COLOURS = {"resolved": "#d8efd8", "annulled": "#e6e6e6", "ambiguous": "#fbeccd", "overdue": "#f8d7d5",
                   "open": "#e3ecf9"}


class WhatHappened:
    """Per question: the outcome (or why it is still open), the evidence with links, quotes
    and dates, each forecast with its scores, and the review notes written in hindsight.

    ``scores`` is :func:`forecastbook.evaluate.binary_scores` as of the same date; it says
    which forecasts were scored. Displays as cards in JupyterLab and as text elsewhere.
    """

    def __init__(self, store: Store, *, as_of: dt.date, scores: pd.DataFrame):
        self.store, self.as_of = store, as_of
        self.scored = {(r.question_id, r.forecaster): r for r in scores.itertuples(index=False)}

    def _questions(self):  # noqa: ANN202
        order = {"resolved": 0, "ambiguous": 1, "annulled": 2, "overdue": 3, "open": 4}
        return sorted(self.store.questions.values(), key=lambda q: (order[status_as_of(q, self.as_of)], q.id))

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
               else "not yet searched for")
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
        return "\n".join(out) if out else "(no questions)"

    def _repr_html_(self) -> str:
        cards = []
        for q in self._questions():
            state = status_as_of(q, self.as_of)
            status, why = self._outcome(q)
            parts = [f"<div style='border-left:6px solid {_STATUS_COLOURS[state]};padding:4px 10px;margin:10px 0'>",
                     f"<b>{_e(q.title)}</b><br><code>{_e(q.id)}</code> · "
                     f"<span style='background:{_STATUS_COLOURS[state]};padding:1px 6px'>{_e(status)}</span>"]
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
                body = "".join(f"<tr><td>{_e(by)}</td><td>{_e(value)}</td><td>{_e(words)}</td><td>{_e(score)}</td></tr>"
                               for by, value, words, score in rows)
                parts.append("<table><tr><th>forecaster</th><th>forecast</th><th>words</th><th>score</th></tr>"
                             f"{body}</table>")
            reviews = [n for n in q.notes if n.kind == "review" and n.at <= self.as_of]
            if reviews:
                parts.append("<p style='margin:4px 0'><i>Review in hindsight (the record is not changed):</i></p><ul>"
                             + "".join(f"<li>{_e(n.at)}: {_e(n.text)}</li>" for n in reviews) + "</ul>")
            parts.append("</div>")
            cards.append("".join(parts))
        return "".join(cards) or "<p>(no questions)</p>"
