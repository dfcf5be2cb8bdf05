"""The markers capture reads a text by, compiled from the data files.

Hedges come from ``data/verbal_scale.yaml`` (with their bands), everything else from
``data/capture_markers.yaml``. Each language gets one regular expression per scan, its
words longest first, so a longer word (很可能, 会议) wins over the word inside it.

>>> lex = lexicon("zh")
>>> [(m.group(), lex.kind_of(m.group())) for m in lex.markers.finditer("他很可能会参加会议")]
[('很可能', 'hedge'), ('会', 'future'), ('会议', 'blocker')]
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import yaml

from ..verbal import VerbalTerm

__all__ = ["Lexicon", "lexicon", "LANGUAGES"]

LANGUAGES = ("zh", "en")
_HYPHENS = "-\u2010\u2011\u2012\u2013"


def _load(name: str) -> dict:
    text = resources.files("forecastbook").joinpath(f"data/{name}").read_text("utf-8")
    return yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))


def _pattern(word: str) -> str:
    """A word as a regular expression, with hyphens of any kind."""
    return "".join(f"[{_HYPHENS}]" if ch == "-" else r"\s+" if ch == " " else re.escape(ch) for ch in word)


def _union(words: dict[str, bool], lang: str) -> re.Pattern:
    """One pattern for ``words`` (word -> cased), longest first; in English whole words
    only, and not as a possessive (next year's)."""
    parts = []
    for word in sorted(words, key=lambda w: (-len(w), w)):
        pattern = _pattern(word)
        parts.append(pattern if words[word] or lang != "en" else f"(?i:{pattern})")
    if lang == "en":
        return re.compile(rf"(?<![\w'])(?:{'|'.join(parts)})(?![\w])(?!['’]s\b)")
    return re.compile("|".join(parts))


@dataclass(frozen=True)
class Lexicon:
    """The compiled markers of one language."""

    lang: str
    markers: re.Pattern  # hedges, future words, nouns and blockers
    phrases: re.Pattern  # future words that need a verb after them (risks sending)
    conditions: re.Pattern  # condition words and condition blockers
    horizons: re.Pattern
    ahead: re.Pattern  # time words that point after the time of writing
    dates: tuple[re.Pattern, ...]  # a month and a day (groups month, day, year)
    noun_after: re.Pattern  # what is forecast, right after a noun of forecasting
    kinds: dict[str, str]  # lowercase word -> hedge | future | noun | blocker
    nouns: frozenset[str]  # lowercase nouns of forecasting, also those that are verbs too
    determiners: tuple[str, ...]
    condition_kinds: dict[str, str]  # lowercase word -> condition | condition_blocker
    hedges: dict[str, VerbalTerm]
    past_before: tuple[str, ...]
    negations: tuple[str, ...]

    def kind_of(self, word: str) -> str | None:
        """What a matched word marks (None for text no marker matched)."""
        return self.kinds.get(_key(word))

    def is_condition(self, word: str) -> bool:
        """Whether a word the condition scan matched starts a condition."""
        return self.condition_kinds.get(_key(word)) == "condition"

    def is_noun(self, word: str) -> bool:
        """Whether a matched word can be a noun that names a forecast (a forecast, 预期)."""
        return _key(word) in self.nouns

    def term_of(self, word: str) -> VerbalTerm | None:
        """The scale's term for a matched hedge."""
        return self.hedges.get(_key(word))


_DASHES = str.maketrans({ch: "-" for ch in _HYPHENS})


def _key(word: str) -> str:
    return " ".join(word.lower().split()).translate(_DASHES)


def _hedges(lang: str) -> tuple[dict[str, VerbalTerm], dict[str, bool]]:
    terms: dict[str, VerbalTerm] = {}
    cased: dict[str, bool] = {}
    for row in _load("verbal_scale.yaml")["terms"]:
        if row["language"] != lang:
            continue
        low, high = row["band"]
        for name in [row["term"], *row.get("also", [])]:
            terms[name.lower()] = VerbalTerm(row["term"], lang, low, high, row["point"])
            cased[name] = bool(row.get("cased", False))
    return terms, cased


@lru_cache(maxsize=4)
def lexicon(lang: str) -> Lexicon:
    """The markers of ``lang`` (``zh`` or ``en``), compiled once."""
    if lang not in LANGUAGES:
        raise ValueError(f"lang must be one of {', '.join(LANGUAGES)}, got {lang!r:.40}")
    data = _load("capture_markers.yaml")
    hedges, cased = _hedges(lang)
    kinds = dict.fromkeys(hedges, "hedge")
    for section, kind in (("blockers", "blocker"), ("future", "future"), ("nouns", "noun")):
        kinds.update((_key(w), kind) for w in data[section][lang] if _key(w) not in kinds)
    conditions = {_key(w): "condition" for w in data["conditions"][lang]}
    conditions.update((_key(w), "condition_blocker") for w in data["condition_blockers"][lang])
    marker_words = {w: cased.get(w, False)
                    for w in (*cased, *data["future"][lang], *data["nouns"][lang], *data["blockers"][lang])}
    after = [re.escape(w) + (r"\b" if w[-1].isalnum() else "") for w in data["noun_after"][lang]]
    condition_words = dict.fromkeys((*data["conditions"][lang], *data["condition_blockers"][lang]), False)
    return Lexicon(
        lang=lang,
        markers=_union(marker_words, lang),
        phrases=re.compile("|".join(f"(?:{p})" for p in data["future_phrases"][lang]) or "(?!)"),
        conditions=_union(condition_words, lang),
        horizons=re.compile("|".join(f"(?:{p})" for p in data["horizons"][lang])),
        ahead=re.compile("|".join(f"(?:{p})" for p in data["ahead"][lang])),
        dates=tuple(re.compile(p) for p in data["dates"][lang]),
        noun_after=re.compile(rf"\s*(?:{'|'.join(after)})" if after else "(?!)"),
        kinds=kinds,
        nouns=frozenset(_key(w) for w in data["nouns"][lang]),
        determiners=tuple(sorted(data["determiners"][lang], key=len, reverse=True)),
        condition_kinds=conditions,
        hedges=hedges,
        past_before=tuple(sorted(data["past_before"][lang], key=len, reverse=True)),
        negations=tuple(sorted(data["negations"][lang], key=len, reverse=True)),
    )
