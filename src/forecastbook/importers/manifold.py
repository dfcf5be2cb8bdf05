"""Manifold Markets API JSON: markets (``/v0/market/{id}``, a list of them, or a resolve
response) and bets (``/v0/bets``).

Each binary market becomes a binary question; each answer of a multiple-choice,
free-response or multi-numeric market becomes a binary question "does this answer win?",
keyed by the answer's id (legacy dpm-2 answers by their number). Each bet whose user is
known becomes that user's forecast: the probability after the bet (``probAfter``) at the
bet's time (milliseconds since the epoch, UTC). Sells, redemptions, unfilled limit orders,
bets without a user, and bets on markets not given are left out and counted.

Resolutions: ``YES``/``NO``; ``MKT`` resolves to ``resolutionProbability`` (binary) or the
answer's share of ``resolutions`` (multi), a probabilistic resolution; ``CANCEL`` annuls.
A multi market resolved to an answer id resolves that answer yes and the others no.
Pseudo-numeric markets are refused (a probability on a scale that is not recorded here).

>>> from forecastbook.importers.common import from_epoch
>>> from_epoch(1655298929711, unit="ms").isoformat()
'2022-06-15T13:15:29.711000+00:00'
"""

from __future__ import annotations

import datetime as dt
import json
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from ..problems import shorten
from ..records import Forecast, Forecaster, Question, Resolution, Source, SourceRef
from .common import Bundle, as_store, evidence_for, from_epoch, located, probability, slug

__all__ = ["parse", "read", "SITE"]

SITE = "https://manifold.markets"
SOURCE_ID = "manifold"
MULTI = ("MULTIPLE_CHOICE", "FREE_RESPONSE", "MULTI_NUMERIC")


def load(source: str | os.PathLike | dict | list) -> tuple[str, Any]:
    """A parsed JSON file (or the data itself) and the name to locate errors by."""
    if isinstance(source, (dict, list)):
        return "(data)", source
    path = Path(source)
    try:
        return str(path), json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise located(path, exc.lineno, "(json)", exc.msg) from None
    except UnicodeDecodeError as exc:
        raise located(path, None, "(file)", f"not UTF-8 text ({exc.reason})") from None


def _markets(where: str, data: Any) -> list[dict]:
    items = data if isinstance(data, list) else [data]
    for i, m in enumerate(items):
        if not isinstance(m, dict) or "id" not in m or "outcomeType" not in m:
            shown = sorted(m)[:6] if isinstance(m, dict) else type(m).__name__
            raise located(where, None, f"[{i}]" if isinstance(data, list) else "(top)",
                          f"not a Manifold market (no 'id' and 'outcomeType'; has {shorten(shown, 100)})")
    return items


def _need(m: dict, key: str, where: str) -> Any:
    if m.get(key) is None:
        raise located(where, None, f"market {shorten(m.get('id'), 30)}.{key}", "is missing")
    return m[key]


def _day(ms: Any, where: str, field_: str) -> dt.date:
    return from_epoch(ms, unit="ms", where=where, field_=field_).date()


def parse(markets: Iterable[str | os.PathLike | dict | list] | str | os.PathLike | dict,
          bets: Iterable[str | os.PathLike | dict | list] = ()) -> Bundle:
    """Parse market and bet JSON into records (see the module's docstring)."""
    if isinstance(markets, (str, os.PathLike, dict)):
        markets = [markets]
    bundle = Bundle("manifold")
    found: list[tuple[str, dict]] = []
    for source in markets:
        where, data = load(source)
        found += [(where, m) for m in _markets(where, data)]
    bundle.read("markets", len(found))
    all_bets: list[tuple[str, dict]] = []
    for source in bets:
        where, data = load(source)
        if not isinstance(data, list):
            raise located(where, None, "(top)", "expected a list of bets")
        all_bets += [(where, b) for b in data]
    for where, m in found:  # bets embedded in a 2022 full market
        all_bets += [(where, b) for b in m.get("bets") or []]
    bundle.read("bets", len(all_bets))
    targets = _questions(bundle, found)
    _bets(bundle, all_bets, targets)
    for qid, (folder, q) in targets.items():
        q.forecasts.sort(key=lambda f: (f.at, f.by))
        bundle.add_question(folder, Question.model_validate(q.model_dump()))
    if bundle.questions:
        first = min(q.created for _, q in bundle.questions.values())
        bundle.add_source(Source(id=SOURCE_ID, kind="dataset", title="Manifold Markets API", publisher="Manifold Markets",
                                 published=first, url=SITE, note="API data; see Manifold's API terms of use."))
    return bundle


def _questions(bundle: Bundle, found: list[tuple[str, dict]]) -> dict[tuple[str, str], tuple[str, Question]]:
    """Questions keyed by (market id, answer key or 'YES'), with their forecasts to fill."""
    out: dict[tuple[str, str], tuple[str, Question]] = {}
    for where, m in found:
        kind = m["outcomeType"]
        if kind == "BINARY":
            out[(m["id"], "")] = ("manifold", _binary(m, where))
        elif kind in MULTI:
            for answer in m.get("answers") or []:
                key = str(answer.get("id") if m.get("mechanism") != "dpm-2" else answer.get("number", answer.get("id")))
                out[(m["id"], key)] = ("manifold", _answer(m, answer, key, where))
            if not m.get("answers"):
                bundle.leave_out("multiple-choice markets without answers (search rows: fetch the market)")
        else:
            bundle.leave_out(f"{kind} markets (not imported)")
    return out


def _url(m: dict) -> str:
    if m.get("url"):
        return m["url"]
    return f"{SITE}/{m.get('creatorUsername', 'market')}/{m.get('slug', m['id'])}"


def _frame(m: dict, where: str, qid: str, title: str, criteria: str, locator: str,
           resolution: Resolution | None) -> Question:
    created = _day(_need(m, "createdTime", where), where, "createdTime")
    close_ms = m.get("closeTime")
    if m.get("resolutionTime") and close_ms:
        close_ms = min(close_ms, m["resolutionTime"])
    closes = max(_day(close_ms, where, "closeTime") if close_ms else created, created)
    resolve_by = max([closes] + ([resolution.at] if resolution else []))
    return Question(id=qid, title=" ".join(title.split()) or qid, kind="binary", criteria=criteria,
                    resolution_sources=[_url(m)], created=created, closes=closes, resolve_by=resolve_by,
                    source=SourceRef(ref=SOURCE_ID, quote=title, locator=locator), tags=["manifold"],
                    resolution=resolution)


def _criteria(m: dict) -> str:
    text = (m.get("textDescription") or m.get("description") if isinstance(m.get("description"), str) else
            m.get("textDescription")) or ""
    return text.strip() or f"As the Manifold market asks: {m['question']} (resolved by its creator)."


def _binary(m: dict, where: str) -> Question:
    qid = slug("manifold", m["id"])
    res = _resolution(m, m.get("resolution"), m.get("resolutionProbability"), m, where)
    return _frame(m, where, qid, m["question"], _criteria(m), f"market {m['id']} ({_url(m)})", res)


def _answer(m: dict, answer: dict, key: str, where: str) -> Question:
    qid = slug("manifold", m["id"], key)
    text = str(answer.get("text", key))
    if answer.get("resolution"):
        res = _resolution(m, answer["resolution"], answer.get("resolutionProbability"), answer, where)
    else:
        res = _multi_resolution(m, key, where)
    title = f"{m['question']} [{text}]"
    criteria = f"Resolves as the answer \"{text}\" resolves on the Manifold market. " + _criteria(m)
    return _frame(m, where, qid, title, criteria, f"market {m['id']}, answer {key} ({_url(m)})", res)


def _resolution(m: dict, raw: Any, prob: Any, holder: dict, where: str) -> Resolution | None:
    if not m.get("isResolved") and not holder.get("resolution") or raw is None:
        return None
    at = _day(holder.get("resolutionTime") or _need(m, "resolutionTime", where), where, "resolutionTime")
    evidence = [evidence_for("Manifold", _url(m), "resolution", raw, document="the API response")]
    if raw == "CANCEL":
        return Resolution(status="annulled", at=at, note="Manifold resolution CANCEL (N/A).")
    if raw in ("YES", "NO"):
        return Resolution(outcome=raw == "YES", at=at, evidence=evidence)
    if raw == "MKT":
        p = probability(prob, where=where, field_=f"market {m['id']}.resolutionProbability")
        return Resolution(outcome=p, at=at, evidence=evidence,
                          note="Manifold resolution MKT: resolved to a probability (scored as the expected score).")
    raise located(where, None, f"market {shorten(m['id'], 30)}.resolution", f"expected YES, NO, MKT or CANCEL, "
                                                                          f"got {shorten(raw)}")


def _multi_resolution(m: dict, key: str, where: str) -> Resolution | None:
    raw = m.get("resolution")
    if not m.get("isResolved") or raw is None:
        return None
    if raw == "CANCEL":
        return _resolution(m, raw, None, m, where)
    at = _day(_need(m, "resolutionTime", where), where, "resolutionTime")
    evidence = [evidence_for("Manifold", _url(m), "resolution", raw, document="the API response")]
    if raw == "MKT":
        weights = {str(k): float(v) for k, v in (m.get("resolutions") or {}).items()}
        total = sum(weights.values())
        if total <= 0:
            raise located(where, None, f"market {shorten(m['id'], 30)}.resolutions",
                          "resolved MKT without weights per answer: each answer's share cannot be known")
        share = round(weights.get(key, 0.0) / total, 12)
        if share in (0.0, 1.0):
            return Resolution(outcome=share == 1.0, at=at, evidence=evidence)
        return Resolution(outcome=share, at=at, evidence=evidence,
                          note="Manifold resolution MKT: this answer's share of the weights (a probabilistic resolution).")
    return Resolution(outcome=str(raw) == key, at=at, evidence=evidence)


def _bet_key(bet: dict, markets: dict) -> tuple[str, str] | None:
    market = bet.get("contractId")
    if bet.get("answerId"):
        return (market, bet["answerId"])
    if (market, "") in markets:
        return (market, "") if bet.get("outcome") in ("YES", "NO") else None
    return (market, str(bet.get("outcome")))


def _bets(bundle: Bundle, bets: list[tuple[str, dict]], targets: dict) -> None:
    seen: set[str] = set()
    for where, bet in bets:
        if bet.get("id") in seen:
            bundle.leave_out("bets given twice")
            continue
        seen.add(bet.get("id"))
        reason = _skip(bet)
        key = _bet_key(bet, targets)
        if reason is None and key not in targets:
            reason = "bets on markets or answers not given"
        if reason is None and not bet.get("userId"):
            reason = "bets without a user id (2022 embedded bets)"
        if reason:
            bundle.leave_out(reason)
            continue
        p = probability(bet.get("probAfter"), where=where, field_=f"bet {shorten(bet.get('id'), 30)}.probAfter")
        at = from_epoch(bet.get("createdTime"), unit="ms", where=where, field_=f"bet {bet.get('id')}.createdTime")
        who = slug("manifold-user", bet["userId"])
        name = bet.get("userName") or bet.get("userUsername") or bet["userId"]
        bundle.add_forecaster(Forecaster(id=who, name=name, kind="person",
                                         description=f"Manifold user {bet['userId']}; a forecast is the probability "
                                                     "after one of their bets."))
        targets[key][1].forecasts.append(Forecast(by=who, at=at, probability=p))


def _skip(bet: dict) -> str | None:
    """Why a bet is not a forecast, or None."""
    if bet.get("isRedemption"):
        return "redemptions (automatic, not forecasts)"
    if (bet.get("amount") or 0) < 0 or (bet.get("shares") or 0) < 0:
        return "sells (not forecasts)"
    if bet.get("limitProb") is not None and not bet.get("amount"):
        return "unfilled or cancelled limit orders"
    if bet.get("probAfter") is None:
        return "bets without probAfter"
    return None


def read(markets, bets=()):  # noqa: ANN001, ANN201
    """Manifold markets and bets as a :class:`~forecastbook.store.Store`, without writing files."""
    return as_store(parse(markets, bets))
