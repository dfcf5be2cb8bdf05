"""Forecast hubs: the legacy US COVID-19 Forecast Hub CSV (``forecast_date, target,
target_end_date, location, type, quantile, value``) and the hubverse model-output CSV
(``reference_date`` or ``origin_date``, ``horizon, target, [target_end_date,] location,
output_type, output_type_id, value``).

One numeric question per (target, location, target date), with the model's quantiles as
one forecast. The target date is ``target_end_date``, or "origin date and horizon" where a
hub has none. Location codes are kept as text (``01`` stays ``01``). The forecast is dated
at 00:00 UTC of its forecast or reference date (hub files carry dates only). Rows that are
not quantiles (``point``, ``median``, ``mean``, ``pmf``, ``cdf``, ``sample``) are left out and
counted. The model is the file name's part after its date (``2020-05-04-COVIDhub-ensemble``),
unless given. Hub files carry no observed values, so every question stays open.

>>> model_from_name("2022-11-28-UMass-ar.csv")
'UMass-ar'
"""

from __future__ import annotations

import datetime as dt
import os
import re
from pathlib import Path

from pydantic import ValidationError

from ..problems import shorten
from ..records import Forecast, Forecaster, Question, Source, SourceRef
from .common import Bundle, ImportFailed, as_store, csv_rows, keyed_slug, located, number

__all__ = ["parse", "read", "model_from_name"]

LEGACY = ("forecast_date", "target", "target_end_date", "location", "type", "quantile", "value")
HUBVERSE = ("horizon", "target", "location", "output_type", "output_type_id", "value")


def model_from_name(name: str) -> str:
    """The model id in a hub file name: what follows its ``YYYY-MM-DD-`` date."""
    m = re.search(r"\d{4}-\d{2}-\d{2}-(.+)$", Path(name).stem)
    if m is None:
        raise ImportFailed(f"{shorten(name)}: no model in the file name (YYYY-MM-DD-MODEL.csv): give --model")
    return m.group(1)


def _rows(path: Path) -> tuple[list[str], list[tuple[int, dict[str, str]]]]:
    header, rows = csv_rows(path)
    return header, [(line, dict(zip(header, row))) for line, row in rows]


def _date(text: str, where: Path, line: int, field_: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise located(where, line, field_, f"expected a date YYYY-MM-DD, got {shorten(text)}") from None


def _normalise(header: list[str], rows: list[tuple[int, dict[str, str]]], path: Path, bundle: Bundle) -> list[tuple]:
    """Rows as (line, made, target, location, target date text, level, value); others counted."""
    if all(c in header for c in LEGACY):
        kind_col, level_col, made_col = "type", "quantile", "forecast_date"
    elif all(c in header for c in HUBVERSE) and ("reference_date" in header or "origin_date" in header):
        kind_col, level_col = "output_type", "output_type_id"
        made_col = "reference_date" if "reference_date" in header else "origin_date"
    else:
        raise located(path, 1, "header", "neither the legacy hub columns (" + ", ".join(LEGACY) + ") nor hubverse "
                      "model output (" + ", ".join(HUBVERSE) + " and reference_date or origin_date)")
    out = []
    for line, r in rows:
        if r[kind_col] != "quantile":
            bundle.leave_out(f"{shorten(r[kind_col], 20).strip(chr(39))} rows (only quantiles are imported)")
            continue
        made = _date(r[made_col], path, line, made_col)
        if r.get("target_end_date"):
            when = _date(r["target_end_date"], path, line, "target_end_date").isoformat()
        else:
            when = f"origin {made} horizon {int(number(r['horizon'], where=str(path), line=line, field_='horizon'))}"
        level = number(r[level_col], where=str(path), line=line, field_=level_col)
        if not 0.0 < level < 1.0:
            raise located(path, line, level_col, f"a quantile level is strictly between 0 and 1, got {shorten(r[level_col])}")
        value = number(r["value"], where=str(path), line=line, field_="value")
        out.append((line, made, r["target"], r["location"], when, level, value))
    return out


def parse(path: str | os.PathLike, *, model: str | None = None) -> Bundle:
    """Parse one hub CSV file into records (see the module's docstring)."""
    path = Path(path)
    model = model or model_from_name(path.name)
    bundle = Bundle("hub")
    header, rows = _rows(path)
    bundle.read("rows", len(rows))
    who = keyed_slug("hub", model, model)
    groups: dict[tuple, dict] = {}
    for line, made, target, location, when, level, value in _normalise(header, rows, path, bundle):
        g = groups.setdefault((target, location, when, made), {"line": line, "quantiles": {}})
        if level in g["quantiles"]:
            raise located(path, line, "quantile", f"level {level} given twice for {shorten(target)} at {location}")
        g["quantiles"][level] = value
    source_id = keyed_slug("hub", path.stem, path.name)
    for (target, location, when, made), g in sorted(groups.items()):
        bundle.add_question("hub", _question(target, location, when, made, g, who, model, source_id, path))
    if bundle.questions:
        bundle.add_forecaster(Forecaster(id=who, name=model, kind="model", description="A forecast hub model."))
        bundle.add_source(Source(id=source_id, kind="dataset", title=f"Forecast hub file {path.name}",
                                 published=min(k[3] for k in groups)))
    return bundle


def _question(target: str, location: str, when: str, made: dt.date, g: dict, who: str, model: str, source_id: str,
              path: Path) -> Question:
    at = dt.datetime(made.year, made.month, made.day, tzinfo=dt.timezone.utc)
    try:
        forecast = Forecast(by=who, at=at, quantiles=g["quantiles"])
    except ValidationError as exc:
        raise located(path, g["line"], "value", exc.errors()[0]["msg"]) from None
    end = dt.date.fromisoformat(when) if when[:1].isdigit() else made
    return Question(
        id=keyed_slug("hub", f"{target} {location} {when}", f"{target}|{location}|{when}"),
        title=f"{target}, location {location}, {when}", kind="numeric", unit=target,
        criteria=f"The value of the hub target '{target}' for location {location} ({when}), as the hub's target "
                 "data reports it.",
        created=made, closes=made, resolve_by=max(end, made),
        source=SourceRef(ref=source_id, quote=f"{target},{location},{when}", locator=f"{path.name}, line {g['line']}"),
        tags=["forecast-hub", f"location-{location.lower()}"], forecasts=[forecast])


def read(path: str | os.PathLike, *, model: str | None = None):  # noqa: ANN201
    """A hub CSV file as a :class:`~forecastbook.store.Store`, without writing files."""
    return as_store(parse(path, model=model), root=Path(path).parent)
