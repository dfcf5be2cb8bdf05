"""What analysts see in JupyterLab: compact HTML for the store and questions, the tables
the notebooks show, and the banner that marks simulated data. All record text is escaped.
"""

from __future__ import annotations

import datetime as dt
import html

import pandas as pd

from .queries import condition_text, forecast_summary, status_as_of
from .store import Store
from .verbal import band

__all__ = ["store_html", "question_html", "claims_table", "hedges_table", "status_counts", "is_simulated",
           "SimulatedBanner", "Note"]


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
    """A line of text for a notebook: HTML in JupyterLab, plain text elsewhere."""

    def __init__(self, text: str, *, style: str = ""):
        self.text = text
        self.style = style

    def __repr__(self) -> str:
        return self.text

    def _repr_html_(self) -> str:
        return f"<p style='{self.style}'>{_e(self.text)}</p>"


class SimulatedBanner(Note):
    def __init__(self, store: Store):
        text = ("SIMULATED DATA: every question, forecast and outcome in this store was made up by "
                "scripts/simulate_store.py to demonstrate scoring. Nothing here is real." if is_simulated(store)
                else f"Real records from {store.root.name}/.")
        style = "background:#fde8c8;padding:6px;font-weight:bold" if is_simulated(store) else ""
        super().__init__(text, style=style)
