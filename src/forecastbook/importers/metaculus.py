"""Metaculus ``/api/posts/`` JSON (one post, or a list response with ``results``).

Binary, multiple-choice (categorical), numeric and discrete questions (both numeric here),
also inside a group of questions. Forecasts:

- each aggregation's history (``recency_weighted`` is the community prediction) becomes
  forecasts by a crowd forecaster ``metaculus-<method>``; binary arrays hold P(yes) only;
  continuous ones give the 0.25, 0.5 and 0.75 quantiles (interval bounds and centre);
- ``my_forecasts`` (the caller's own history) becomes forecasts by ``metaculus-user-<id>``:
  binary ``forecast_values`` are ``[P(no), P(yes)]``; continuous ones are a CDF over the
  range, turned into the quantiles at :data:`LEVELS` that lie inside it.

Times: question times are ISO with ``Z``; forecast times are epoch seconds (UTC).
Resolutions are strings: ``yes``/``no``, an option, a number, ``annulled``, ``ambiguous``,
``below_lower_bound``/``above_upper_bound`` (kept: the outcome is the bound, the note and a
tag say the value lies beyond it). Conditional posts and date questions are refused, counted.

>>> scale(0.5, lo=0.0, hi=10.0, zero=None)
5.0
>>> round(scale(0.5, lo=1.0, hi=100.0, zero=0.0), 6)  # log scale: the geometric midpoint
10.0
"""

from __future__ import annotations

import datetime as dt
import math
import os
from collections.abc import Iterable
from typing import Any

from ..problems import shorten
from ..records import SUM_TOLERANCE, Forecast, Forecaster, Question, Resolution, Source, SourceRef
from .common import Bundle, as_store, csv_rows, evidence_for, from_epoch, located, number, probability, slug
from .manifold import load

__all__ = ["parse", "parse_api2", "parse_download", "read", "scale", "cdf_quantiles", "LEVELS", "SITE"]

SITE = "https://www.metaculus.com"
LEVELS = (0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95)
KINDS = {"binary": "binary", "multiple_choice": "categorical", "numeric": "numeric", "discrete": "numeric"}


def scale(x: float, *, lo: float, hi: float, zero: float | None) -> float:
    """A position in [0, 1] along a question's range as a value (log scale when ``zero`` is set)."""
    if zero is None:
        return lo + (hi - lo) * x
    ratio = (hi - zero) / (lo - zero)
    return lo + (hi - lo) * (ratio**x - 1) / (ratio - 1)


def cdf_quantiles(cdf: list[float], levels: Iterable[float] = LEVELS) -> dict[float, float]:
    """Quantiles (as positions in [0, 1]) of a CDF given at evenly spaced positions, by linear
    interpolation; levels outside the CDF's range (beyond an open bound) are left out.

    >>> cdf_quantiles([0.0, 0.5, 1.0], [0.25, 0.5])
    {0.25: 0.25, 0.5: 0.5}
    >>> cdf_quantiles([0.1, 0.5, 0.8], [0.05, 0.9])
    {}
    """
    n = len(cdf) - 1
    out = {}
    for level in levels:
        if not cdf[0] <= level <= cdf[-1]:
            continue
        for i in range(n):
            if cdf[i] <= level <= cdf[i + 1]:
                step = cdf[i + 1] - cdf[i]
                frac = (level - cdf[i]) / step if step > 0 else 0.0
                out[level] = (i + frac) / n
                break
    return out


def _time(text: Any, where: str, field_: str) -> dt.datetime | None:
    if not text:
        return None
    try:
        return dt.datetime.fromisoformat(str(text).replace("Z", "+00:00")).astimezone(dt.timezone.utc)
    except ValueError:
        raise located(where, None, field_, f"expected an ISO time, got {shorten(text)}") from None


def _posts(where: str, data: Any) -> list[dict]:
    posts = data.get("results") if isinstance(data, dict) and "results" in data else data
    posts = posts if isinstance(posts, list) else [posts]
    for i, p in enumerate(posts):
        if not isinstance(p, dict) or "id" not in p or not any(k in p for k in ("question", "group_of_questions",
                                                                               "conditional")):
            raise located(where, None, f"results[{i}]", "not a Metaculus post (no 'id' with 'question', "
                                                        "'group_of_questions' or 'conditional')")
    return posts


def parse(posts: Iterable[str | os.PathLike | dict] | str | os.PathLike | dict, *, site: str = SITE) -> Bundle:
    """Parse ``/api/posts/`` JSON into records; ``site`` is the server's address (another
    instance of the Metaculus software has its own)."""
    if isinstance(posts, (str, os.PathLike, dict)):
        posts = [posts]
    bundle = Bundle("metaculus")
    source_id = slug("metaculus", site.split("//", 1)[-1])
    for item in posts:
        where, data = load(item)
        for post in _posts(where, data):
            bundle.read("posts")
            questions = [post["question"]] if post.get("question") else (
                (post.get("group_of_questions") or {}).get("questions") or [])
            if post.get("conditional") and not post.get("question"):
                bundle.leave_out("conditional posts (not imported)")
            for q in questions:
                bundle.read("questions")
                _question(bundle, post, q, where, site, source_id)
    if bundle.questions:
        first = min(q.created for _, q in bundle.questions.values())
        bundle.add_source(Source(id=source_id, kind="dataset", title=f"Metaculus API ({site})", publisher="Metaculus",
                                 published=first, url=site, note="/api/posts/ responses."))
    return bundle


def _question(bundle: Bundle, post: dict, q: dict, where: str, site: str, source_id: str) -> None:
    kind = KINDS.get(q.get("type"))
    if kind is None:
        bundle.leave_out(f"{q.get('type')} questions (not imported)")
        return
    loc = f"question {shorten(q.get('id'), 20)}"
    url = f"{site}/questions/{post['id']}/"
    created = min(t for t in (_time(q.get("created_at"), where, f"{loc}.created_at"),
                              _time(q.get("open_time"), where, f"{loc}.open_time")) if t).date()
    close = _time(q.get("actual_close_time") or q.get("scheduled_close_time"), where, f"{loc}.scheduled_close_time")
    closes = max(close.date() if close else created, created)
    due = _time(q.get("scheduled_resolve_time"), where, f"{loc}.scheduled_resolve_time")
    rng = _range(q, where, loc) if kind == "numeric" else None
    resolution, tags = _resolution(q, kind, rng, url, where, loc)
    forecasts = _forecasts(bundle, q, kind, rng, where, loc)
    record = Question(
        id=slug("metaculus", post["id"], q["id"]) if q["id"] != post["id"] else slug("metaculus", q["id"]),
        title=" ".join(str(q.get("title") or post.get("title")).split()), kind=kind,
        criteria=(q.get("resolution_criteria") or "").strip() or f"As the Metaculus question asks (see {url}).",
        fine_print=(q.get("fine_print") or "").strip() or None, resolution_sources=[url], created=created,
        closes=closes, resolve_by=max([closes, due.date() if due else closes] + ([resolution.at] if resolution else [])),
        outcomes=list(q["options"]) if kind == "categorical" else None,
        unit=(q.get("unit") or None) if kind == "numeric" else None,
        lower=rng[0] if rng else None, upper=rng[1] if rng else None,
        source=SourceRef(ref=source_id, quote=str(q.get("title") or post.get("title")),
                         locator=f"post {post['id']}, question {q['id']} ({url})"),
        tags=["metaculus", q["type"], *tags], forecasts=sorted(forecasts, key=lambda f: (f.at, f.by)),
        resolution=resolution)
    bundle.add_question("metaculus", record)


def _range(q: dict, where: str, loc: str) -> tuple[float, float, float | None]:
    s = q.get("scaling") or {}
    lo = number(s.get("range_min"), where=where, field_=f"{loc}.scaling.range_min")
    hi = number(s.get("range_max"), where=where, field_=f"{loc}.scaling.range_max")
    zero = s.get("zero_point")
    return lo, hi, None if zero is None else number(zero, where=where, field_=f"{loc}.scaling.zero_point")


def _resolution(q: dict, kind: str, rng: Any, url: str, where: str, loc: str) -> tuple[Resolution | None, list[str]]:
    raw = q.get("resolution")
    if raw in (None, ""):
        return None, []
    at_time = _time(q.get("actual_resolve_time") or q.get("resolution_set_time"), where, f"{loc}.actual_resolve_time")
    if at_time is None:
        raise located(where, None, f"{loc}.actual_resolve_time", f"is missing but the resolution is {shorten(raw)}")
    at = at_time.date()
    evidence = [evidence_for("Metaculus", url, "resolution", raw, document="the API response")]
    if raw in ("annulled", "ambiguous"):
        return Resolution(status=raw, at=at, note=f"Metaculus resolution '{raw}'."), []
    if kind == "binary":
        if raw not in ("yes", "no"):
            raise located(where, None, f"{loc}.resolution", f"expected yes or no, got {shorten(raw)}")
        return Resolution(outcome=raw == "yes", at=at, evidence=evidence), []
    if kind == "categorical":
        if raw not in (q.get("options") or []):
            raise located(where, None, f"{loc}.resolution", f"is not one of the options: {shorten(raw)}")
        return Resolution(outcome=raw, at=at, evidence=evidence), []
    if raw in ("below_lower_bound", "above_upper_bound"):
        bound = rng[0] if raw.startswith("below") else rng[1]
        note = (f"Metaculus resolution '{raw}': the value lies {raw.split('_')[0]} the range's bound {bound}; "
                "the outcome is the bound, so scores are bounds too.")
        return Resolution(outcome=bound, at=at, evidence=evidence, note=note), [f"metaculus-{raw.replace('_', '-')}"]
    return Resolution(outcome=number(raw, where=where, field_=f"{loc}.resolution"), at=at, evidence=evidence), []


def _forecasts(bundle: Bundle, q: dict, kind: str, rng: Any, where: str, loc: str) -> list[Forecast]:
    out = []
    for method, agg in sorted((q.get("aggregations") or {}).items()):
        history = (agg or {}).get("history") or []
        if not history:
            continue
        who = slug("metaculus", method.replace("_", "-"))
        bundle.add_forecaster(Forecaster(id=who, name=f"Metaculus {method.replace('_', ' ')}", kind="crowd",
                                         description=f"Metaculus aggregation '{method}' of its forecasters."))
        for i, h in enumerate(history):
            f = _aggregate(bundle, h, kind, rng, q, who, where, f"{loc}.aggregations.{method}.history[{i}]")
            if f is not None:
                out.append(f)
    for i, h in enumerate((q.get("my_forecasts") or {}).get("history") or []):
        who = slug("metaculus-user", h.get("author_id"))
        bundle.add_forecaster(Forecaster(id=who, name=f"Metaculus user {h.get('author_id')}", kind="person",
                                         description="The account that fetched the API response (my_forecasts)."))
        f = _own(bundle, h, kind, rng, q, who, where, f"{loc}.my_forecasts.history[{i}]")
        if f is not None:
            out.append(f)
    return out


def _at(h: dict, where: str, loc: str) -> dt.datetime:
    return from_epoch(h.get("start_time"), where=where, field_=f"{loc}.start_time")


def _aggregate(bundle: Bundle, h: dict, kind: str, rng: Any, q: dict, who: str, where: str, loc: str) -> Forecast | None:
    at = _at(h, where, loc)
    centers = h.get("centers") or []
    if kind == "binary":
        return Forecast(by=who, at=at, probability=probability(centers[0] if centers else None, where=where,
                                                               field_=f"{loc}.centers[0]"))
    if kind == "categorical":
        values = h.get("forecast_values") or h.get("means") or centers
        probs = [probability(v, where=where, field_=f"{loc}.centers") for v in values]
        if len(probs) != len(q["options"]) or abs(math.fsum(probs) - 1.0) > SUM_TOLERANCE:
            bundle.leave_out("community multiple-choice points whose option medians do not sum to 1")
            return None
        return Forecast(by=who, at=at, probabilities=dict(zip(q["options"], probs)))
    lower, upper = h.get("interval_lower_bounds") or [], h.get("interval_upper_bounds") or []
    if not (centers and lower and upper):
        bundle.leave_out("community continuous points without interval bounds")
        return None
    positions = {0.25: lower[0], 0.5: centers[0], 0.75: upper[0]}
    return Forecast(by=who, at=at, quantiles={k: scale(number(v, where=where, field_=loc), lo=rng[0], hi=rng[1],
                                                       zero=rng[2]) for k, v in positions.items()})


def _own(bundle: Bundle, h: dict, kind: str, rng: Any, q: dict, who: str, where: str, loc: str) -> Forecast | None:
    at = _at(h, where, loc)
    values = h.get("forecast_values") or []
    field_ = f"{loc}.forecast_values"
    if kind == "binary":
        if len(values) != 2:
            raise located(where, None, field_, f"expected [P(no), P(yes)], got {shorten(values)}")
        return Forecast(by=who, at=at, probability=probability(values[1], where=where, field_=f"{field_}[1]"))
    if kind == "categorical":
        probs = [probability(v, where=where, field_=field_) for v in values]
        return Forecast(by=who, at=at, probabilities=dict(zip(q["options"], probs)))
    cdf = [probability(v, where=where, field_=field_) for v in values]
    if len(cdf) < 2 or any(b < a for a, b in zip(cdf, cdf[1:])):
        raise located(where, None, field_, "expected a non-decreasing CDF of at least two points")
    quantiles = cdf_quantiles(cdf)
    if len(quantiles) < len(LEVELS):
        bundle.leave_out("quantile levels beyond an open bound of the range")
    if not quantiles:
        return None
    return Forecast(by=who, at=at, quantiles={k: scale(x, lo=rng[0], hi=rng[1], zero=rng[2]) for k, x in quantiles.items()})


def read(posts, *, site: str = SITE):  # noqa: ANN001, ANN201
    """Metaculus posts as a :class:`~forecastbook.store.Store`, without writing files."""
    return as_store(parse(posts, site=site))


# --- legacy formats ---------------------------------------------------------------------------

API2_RESOLUTIONS = {-1.0: "ambiguous", -2.0: "annulled"}


def parse_api2(questions: Iterable[str | os.PathLike | dict] | str | os.PathLike | dict, *,
               site: str = SITE) -> Bundle:
    """Parse the legacy ``/api2/questions/{id}/`` JSON (binary questions): ``resolution`` is a
    float (1 yes, 0 no, -1 ambiguous, -2 annulled); ``my_predictions.predictions[{t, x}]``
    are the caller's forecasts (epoch seconds, P(yes)), by ``metaculus-api2-caller`` (the
    response does not say who the caller is)."""
    if isinstance(questions, (str, os.PathLike, dict)):
        questions = [questions]
    bundle = Bundle("metaculus")
    source_id = slug("metaculus", site.split("//", 1)[-1])
    for item in questions:
        where, data = load(item)
        for i, q in enumerate(data.get("results", [data]) if isinstance(data, dict) else data):
            if not isinstance(q, dict) or "possibilities" not in q or "id" not in q:
                raise located(where, None, f"[{i}]", "not a legacy api2 question (no 'id' and 'possibilities')")
            bundle.read("questions")
            if (q["possibilities"] or {}).get("type") != "binary":
                bundle.leave_out(f"{(q['possibilities'] or {}).get('type')} api2 questions (not imported)")
                continue
            bundle.add_question("metaculus", _api2_question(bundle, q, where, site, source_id))
    _source(bundle, source_id, site, "legacy /api2/questions/ responses")
    return bundle


def _source(bundle: Bundle, source_id: str, site: str, note: str) -> None:
    if bundle.questions:
        first = min(q.created for _, q in bundle.questions.values())
        bundle.add_source(Source(id=source_id, kind="dataset", title=f"Metaculus API ({site})", publisher="Metaculus",
                                 published=first, url=site, note=note))


def _api2_question(bundle: Bundle, q: dict, where: str, site: str, source_id: str) -> Question:
    loc = f"question {shorten(q['id'], 20)}"
    url = site + (q.get("page_url") or f"/questions/{q['id']}/")
    created = _time(q.get("created_time") or q.get("publish_time"), where, f"{loc}.created_time").date()
    close = _time(q.get("effected_close_time") or q.get("close_time"), where, f"{loc}.close_time")
    closes = max(close.date() if close else created, created)
    due = _time(q.get("resolve_time"), where, f"{loc}.resolve_time")
    resolution = None
    if q.get("resolution") is not None:
        raw = number(q["resolution"], where=where, field_=f"{loc}.resolution")
        at = (_time(q.get("resolve_time"), where, f"{loc}.resolve_time") or close).date()
        if raw in API2_RESOLUTIONS:
            resolution = Resolution(status=API2_RESOLUTIONS[raw], at=at, note=f"Metaculus api2 resolution {raw}.")
        elif raw in (0.0, 1.0):
            resolution = Resolution(outcome=raw == 1.0, at=at,
                                    evidence=[evidence_for("Metaculus", url, "resolution", q["resolution"],
                                                           document="the api2 response")])
        else:
            raise located(where, None, f"{loc}.resolution", f"expected 1, 0, -1 or -2, got {shorten(q['resolution'])}")
    who = "metaculus-api2-caller"
    predictions = (q.get("my_predictions") or {}).get("predictions") or []
    if predictions:
        bundle.add_forecaster(Forecaster(id=who, name="The account that fetched the api2 response", kind="person"))
    forecasts = [Forecast(by=who, at=from_epoch(p.get("t"), where=where, field_=f"{loc}.my_predictions[{i}].t"),
                          probability=probability(p.get("x"), where=where, field_=f"{loc}.my_predictions[{i}].x"))
                 for i, p in enumerate(predictions)]
    return Question(
        id=slug("metaculus", q["id"]), title=" ".join(str(q["title"]).split()), kind="binary",
        criteria=(q.get("resolution_criteria") or "").strip() or f"As the Metaculus question asks (see {url}).",
        fine_print=(q.get("fine_print") or "").strip() or None, resolution_sources=[url], created=created,
        closes=closes, resolve_by=max([closes, due.date() if due else closes] + ([resolution.at] if resolution else [])),
        source=SourceRef(ref=source_id, quote=str(q["title"]), locator=f"api2 question {q['id']} ({url})"),
        tags=["metaculus", "binary"], forecasts=sorted(forecasts, key=lambda f: (f.at, f.by)), resolution=resolution)


DOWNLOAD_PERCENTILES = {0.05: "5th Percentile", 0.25: "25th Percentile", 0.5: "Median", 0.75: "75th Percentile",
                        0.95: "95th Percentile"}


def _csv_rows(path: os.PathLike, *, lenient: bool) -> list[tuple[int, dict[str, str]]]:
    """Rows of a data-download CSV as dicts; ``lenient`` accepts rows one field short
    (Metaculus writes 18 fields under a 19-column header for unresolved questions)."""
    header, rows = csv_rows(path, short=1 if lenient else 0)
    return [(line, dict(zip(header, row))) for line, row in rows]


def _need_columns(path: os.PathLike, rows: list[tuple[int, dict]], columns: Iterable[str]) -> None:
    missing = [c for c in columns if rows and c not in rows[0][1]]
    if missing:
        raise located(path, 1, "header", f"missing column(s) {', '.join(missing)}: not a Metaculus data download")


def parse_download(question_data: str | os.PathLike, forecast_data: str | os.PathLike) -> Bundle:
    """Parse a ``/api/data/download/`` pair (``question_data.csv``, ``forecast_data.csv``):
    binary and numeric questions; aggregate rows (no forecaster id, the method as the name)
    become crowd forecasts, other rows the forecaster's; numeric rows give their 5th, 25th,
    50th, 75th and 95th percentiles."""
    bundle = Bundle("metaculus")
    questions = _csv_rows(question_data, lenient=False)
    _need_columns(question_data, questions, ("Question ID", "Question URL", "Question Title", "Post ID", "Question Type",
                                             "Open Time", "Scheduled Close Time", "Resolution"))
    forecasts = _csv_rows(forecast_data, lenient=True)
    _need_columns(forecast_data, forecasts, ("Question ID", "Forecaster ID", "Forecaster Username", "Start Time",
                                             "Probability Yes"))
    bundle.read("question rows", len(questions))
    bundle.read("forecast rows", len(forecasts))
    by_question: dict[str, list] = {}
    for line, row in forecasts:
        by_question.setdefault(row["Question ID"], []).append((line, row))
    source_id = slug("metaculus", "www.metaculus.com")
    for line, row in questions:
        kind = {"binary": "binary", "numeric": "numeric"}.get(row["Question Type"])
        if kind is None:
            bundle.leave_out(f"{shorten(row['Question Type'], 20)} questions in a data download (not imported)")
            continue
        made = [_download_forecast(bundle, r, kind, forecast_data, n) for n, r in by_question.get(row["Question ID"], [])]
        bundle.add_question("metaculus", _download_question(row, kind, [f for f in made if f], question_data, line,
                                                            source_id))
    _source(bundle, source_id, SITE, "/api/data/download/ CSV files.")
    return bundle


def _download_time(text: str, where: os.PathLike, line: int, field_: str) -> dt.datetime | None:
    if not text:
        return None
    try:
        return dt.datetime.fromisoformat(text).astimezone(dt.timezone.utc)
    except ValueError:
        raise located(where, line, field_, f"expected a time, got {shorten(text)}") from None


def _download_forecast(bundle: Bundle, row: dict, kind: str, where: os.PathLike, line: int) -> Forecast | None:
    at = _download_time(row["Start Time"], where, line, "Start Time")
    if at is None:
        raise located(where, line, "Start Time", "is empty")
    if row.get("Forecaster ID"):
        who = slug("metaculus-user", row["Forecaster ID"])
        bundle.add_forecaster(Forecaster(id=who, name=row.get("Forecaster Username") or f"Metaculus user {who}",
                                         kind="person"))
    else:
        method = row["Forecaster Username"]
        who = slug("metaculus", method.replace("_", "-"))
        bundle.add_forecaster(Forecaster(id=who, name=f"Metaculus {method.replace('_', ' ')}", kind="crowd",
                                         description=f"Metaculus aggregation '{method}' of its forecasters."))
    if kind == "binary":
        return Forecast(by=who, at=at, probability=probability(row["Probability Yes"], where=str(where), line=line,
                                                               field_="Probability Yes"))
    cells = {level: row.get(column) for level, column in DOWNLOAD_PERCENTILES.items()}
    if not all(cells.values()):
        bundle.leave_out("numeric forecast rows without percentiles")
        return None
    return Forecast(by=who, at=at, quantiles={level: number(v, where=str(where), line=line, field_=DOWNLOAD_PERCENTILES[level])
                                              for level, v in cells.items()})


def _download_question(row: dict, kind: str, forecasts: list[Forecast], where: os.PathLike, line: int,
                       source_id: str) -> Question:
    url = row["Question URL"]
    opened = _download_time(row["Open Time"], where, line, "Open Time")
    published = _download_time(row.get("Post Published Time", ""), where, line, "Post Published Time")
    created = min(t for t in (opened, published) if t).date()
    close = _download_time(row.get("Actual Close Time") or row["Scheduled Close Time"], where, line, "Scheduled Close Time")
    closes = max(close.date() if close else created, created)
    resolution = None
    if row["Resolution"]:
        known = _download_time(row.get("Resolution Known Time", ""), where, line, "Resolution Known Time")
        raw = row["Resolution"]
        at = (known or close).date()
        evidence = [evidence_for("Metaculus", url, "Resolution", raw, document="question_data.csv")]
        if raw in ("annulled", "ambiguous"):
            resolution = Resolution(status=raw, at=at, note=f"Metaculus resolution '{raw}'.")
        elif kind == "binary":
            resolution = Resolution(outcome=raw == "yes", at=at, evidence=evidence)
        else:
            resolution = Resolution(outcome=number(raw, where=str(where), line=line, field_="Resolution"), at=at,
                                    evidence=evidence)
    lower = number(row["Lower Bound"], where=str(where), line=line, field_="Lower Bound") if kind == "numeric" else None
    upper = number(row["Upper Bound"], where=str(where), line=line, field_="Upper Bound") if kind == "numeric" else None
    return Question(
        id=slug("metaculus", row["Post ID"], row["Question ID"]), title=" ".join(row["Question Title"].split()),
        kind=kind, criteria=f"As the Metaculus question asks (see {url}); the data download has no criteria.",
        resolution_sources=[url], created=created, closes=closes,
        resolve_by=max([closes] + ([resolution.at] if resolution else [])), lower=lower, upper=upper,
        source=SourceRef(ref=source_id, quote=row["Question Title"],
                         locator=f"post {row['Post ID']}, question {row['Question ID']} ({url})"),
        tags=["metaculus", row["Question Type"]], forecasts=sorted(forecasts, key=lambda f: (f.at, f.by)),
        resolution=resolution)
