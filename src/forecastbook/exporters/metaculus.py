"""A store's binary questions as Metaculus ``/api/posts/`` JSON (``{"results": [...]}``),
the shape :mod:`forecastbook.importers.metaculus` reads.

Forecasts by a Metaculus aggregation (``metaculus-<method>``) go to that aggregation's
history (``centers: [P(yes)]``); every other forecast goes to ``my_forecasts`` as
``[P(no), P(yes)]`` with its forecaster (the Metaculus user id when the forecaster came from
Metaculus, else the forecaster's id) and name. A question imported from Metaculus keeps its
post and question ids; another gets a number made from its id. Times are ISO UTC with
``Z`` (question times) and epoch seconds (forecasts). Probabilistic resolutions cannot be
written (Metaculus resolves yes or no) and are counted.

>>> iso_z(dt.date(2025, 2, 1))
'2025-02-01T00:00:00Z'
"""

from __future__ import annotations

import datetime as dt
import json
import re

from .. import bulk
from ..importers.common import stable_hash
from .common import Exported

__all__ = ["export", "iso_z"]

METHODS = ("recency_weighted", "unweighted", "single_aggregation", "metaculus_prediction")
_LOCATOR = re.compile(r"post (\d+), question (\d+) ")


def iso_z(day: dt.date) -> str:
    return f"{day.isoformat()}T00:00:00Z"


def _ids(q) -> tuple[int, int]:  # noqa: ANN001
    m = _LOCATOR.match(q.source.locator or "") if q.source is not None else None
    if m and q.source.ref.startswith("metaculus"):
        return int(m.group(1)), int(m.group(2))
    number = int(stable_hash(q.id), 16)
    return number, number


def _resolution(q, done: Exported) -> str | None:  # noqa: ANN001
    r = q.resolution
    if r is None:
        return None
    if r.status != "resolved":
        return r.status
    if isinstance(r.outcome, float):
        done.leave_out("probabilistic resolutions (Metaculus resolves yes or no)")
        return None
    return "yes" if q.outcome_value() else "no"


def _forecasts(store, q, forecasts: list) -> tuple[dict, list]:  # noqa: ANN001
    methods = {f"metaculus-{m.replace('_', '-')}": m for m in METHODS}
    aggregations: dict[str, dict] = {m: {"history": []} for m in METHODS}
    mine = []
    for f in forecasts:
        start = f.at.timestamp()
        if f.by in methods:
            aggregations[methods[f.by]]["history"].append({"start_time": start, "end_time": None,
                                                           "centers": [f.probability]})
            continue
        user = f.by.removeprefix("metaculus-user-")
        who = store.forecasters.get(f.by)
        mine.append({"author_id": int(user) if user.isdigit() else f.by,
                     "author_username": who.name if who else f.by, "start_time": start, "end_time": None,
                     "forecast_values": [1 - f.probability, f.probability]})
    return aggregations, mine


def _post(store, q, done: Exported) -> dict:  # noqa: ANN001
    post_id, question_id = _ids(q)
    title = q.source.quote if q.source is not None and q.source.ref.startswith("metaculus") else q.title
    forecasts = bulk.forecasts_of(store, q)
    aggregations, mine = _forecasts(store, q, forecasts)
    r = q.resolution
    question = {
        "id": question_id, "title": title, "type": "binary", "created_at": iso_z(q.created),
        "open_time": iso_z(q.created), "scheduled_close_time": iso_z(q.closes), "actual_close_time": iso_z(q.closes),
        "scheduled_resolve_time": iso_z(q.resolve_by),
        "actual_resolve_time": iso_z(r.at) if r is not None else None, "resolution": _resolution(q, done),
        "resolution_criteria": q.criteria, "fine_print": q.fine_print or "", "options": None,
        "aggregations": aggregations, "my_forecasts": {"history": mine},
    }
    return {"id": post_id, "title": title, "question": question}


def export(store) -> tuple[str, Exported]:  # noqa: ANN001
    """The JSON text and what was written and left out."""
    done = Exported("metaculus-json")
    posts = []
    for qid in sorted(store.questions):
        q = store.questions[qid]
        if q.kind != "binary":
            done.leave_out(f"{q.kind} questions (this export holds binary ones)")
            continue
        posts.append(_post(store, q, done))
        done.wrote("questions")
        done.wrote("forecasts", len(q.forecasts) + bulk.count_of(store, qid))
    return json.dumps({"results": posts}, indent=1, ensure_ascii=False) + "\n", done
