"""Candidate forecast statements in a text: sentences with a hedge or a future marker.

A sentence is a candidate when it holds a hedge from the verbal scale, a future word
(将/会/预计, will/expect ...) that is not about the past (已将, was expected to), a time
word that points ahead (明年, next year, meetings left this year), a year after the
year of writing (when ``year`` is given) or a day after the day of writing (when ``year``
is a date: "meets March 1" written on 16 February). A noun of forecasting (a projection, 这项预期)
counts only when what is forecast follows it or the sentence names a time. Questions (a
sentence ending in ? or ？) are left out. A sentence that ends in a colon and holds a
marker leads in to a list: the sentences after it, up to a full stop or a blank line,
are candidates in its place. For each candidate: the first hedge that is not negated
(with its band), the condition clause, and the time horizon words.

>>> [c.quote for c in find("去年关税上调了。明年很可能会再加征关税。你觉得会吗?")]
['明年很可能会再加征关税。']
>>> [c.quote for c in find("Fed officials made their projections. Two cuts in 2027 is the median.", year=2026)]
['Two cuts in 2027 is the median.']
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import asdict, dataclass

from ._lexicon import Lexicon, lexicon
from ._split import clauses, sentences

__all__ = ["Candidate", "COLUMNS", "find", "detect_language"]

COLUMNS = ("quote", "start", "end", "hedge", "band", "probability", "condition", "horizon")
_CJK = re.compile(r"[\u3400-\u9fff]")
_LATIN = re.compile(r"[A-Za-z]")
_QUESTION_TAIL = "”」』’)）\"' \t"
_QUOTES = "“”‘’\"'"
_YEAR = re.compile(r"(?<![\d.,])(?:19|20)\d{2}(?!\d)")
_FULL_STOPS = ("。", ".", "！", "!")
_BLANK_LINE = re.compile(r"\n[ \t\r\u3000]*\n")


@dataclass(frozen=True)
class Candidate:
    """One candidate statement: ``text[start:end] == quote``.

    ``band`` is the scale's (low, high) for ``hedge`` and ``probability`` its point; both
    are None when there is no hedge, or when the hedge is negated (没到板上钉钉).
    """

    quote: str
    start: int
    end: int
    hedge: str | None
    band: tuple[float, float] | None
    probability: float | None
    condition: str | None
    horizon: str | None

    def as_dict(self) -> dict:
        """The candidate as a plain dict (the JSON keys), ``band`` as a list."""
        out = asdict(self)
        out["band"] = list(self.band) if self.band else None
        return out


@dataclass(frozen=True)
class _Mark:
    kind: str
    start: int
    end: int
    negated: bool = False


def detect_language(text: str) -> str:
    """``zh`` when at least a fifth of the letters are Chinese characters, else ``en``.

    >>> detect_language("美联储(Fed)将降息"), detect_language("The Fed will cut 中国")
    ('zh', 'en')
    """
    cjk = len(_CJK.findall(text))
    latin = len(_LATIN.findall(text))
    return "zh" if cjk and cjk * 5 >= cjk + latin else "en"


def _word_before(text: str, i: int) -> str:
    return text[:i].rstrip().rsplit(None, 1)[-1].lower() if text[:i].strip() else ""


def _preceded(lex: Lexicon, text: str, i: int, words: tuple[str, ...]) -> bool:
    """Whether one of ``words`` comes right before ``text[i]`` (the word before, in English)."""
    if lex.lang == "en":
        before = _word_before(text, i).strip("“”\"'")
        return before in words or any(before.endswith(w) for w in words if w.startswith("n'"))
    head = text[:i].rstrip("“「『\"")
    return head.endswith(words)


def _is_noun(lex: Lexicon, sentence: str, m: re.Match, kind: str) -> bool:
    """Whether a future word or noun is used as a noun: always for a noun only, and for a
    word that is a verb too after a determiner, a possessive or (in English) first."""
    if kind == "noun":
        return True
    if not lex.is_noun(m.group()):
        return False
    if _preceded(lex, sentence, m.start(), lex.determiners):
        return True
    return lex.lang == "en" and (_word_before(sentence, m.start()).endswith(("'s", "’s", "s'", "s’"))
                                 or not any(ch.isalpha() for ch in sentence[:m.start()]))


def _mentioned(lex: Lexicon, sentence: str, m: re.Match) -> bool:
    """Whether an English marker stands alone in quotation marks ("should" is a word):
    mentioned, not used. Chinese quotation marks often only stress a word, so not there."""
    if lex.lang != "en" or m.start() == 0 or m.end() == len(sentence):
        return False
    return sentence[m.start() - 1] in _QUOTES and sentence[m.end()] in _QUOTES


def _marks(lex: Lexicon, sentence: str) -> list[_Mark]:
    """The hedges and the future words of a sentence that count."""
    out = []
    for m in lex.markers.finditer(sentence):
        kind = lex.kind_of(m.group())
        if kind not in ("hedge", "future", "noun") or _mentioned(lex, sentence, m):
            continue
        if kind == "hedge":
            out.append(_Mark("hedge", m.start(), m.end(), _preceded(lex, sentence, m.start(), lex.negations)))
        elif _is_noun(lex, sentence, m, kind):
            if lex.noun_after.match(sentence, m.end()) or lex.horizons.search(sentence):
                out.append(_Mark("future", m.start(), m.end()))
        elif not _preceded(lex, sentence, m.start(), lex.past_before):
            out.append(_Mark("future", m.start(), m.end()))
    for m in lex.phrases.finditer(sentence):
        if not _preceded(lex, sentence, m.start(), lex.past_before):
            out.append(_Mark("future", m.start(), m.end()))
    return sorted(out, key=lambda mark: mark.start)


_MONTHS = {name: k for k, name in enumerate(("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep",
                                                 "oct", "nov", "dec"), start=1)}


def _day(m: re.Match, written: dt.date) -> dt.date | None:
    """The day a date match names (in the year of writing unless it names a year)."""
    month = m.group("month")
    month_no = int(month) if month.isdigit() else _MONTHS[month[:3].lower()]
    try:
        return dt.date(int(m.group("year") or written.year), month_no, int(m.group("day")))
    except ValueError:  # 31 June
        return None


def _points_ahead(lex: Lexicon, sentence: str, year: int | None, day: dt.date | None) -> bool:
    """Whether a time word points after the time of writing: a year after ``year``, a
    day after ``day``."""
    if lex.ahead.search(sentence):
        return True
    if year is not None and any(int(y) > year for y in _YEAR.findall(sentence)):
        return True
    if day is None:
        return False
    for pattern in lex.dates:
        for m in pattern.finditer(sentence):
            named = _day(m, day)
            if named is not None and named > day:
                return True
    return False


def _is_question(sentence: str) -> bool:
    return sentence.rstrip(_QUESTION_TAIL).endswith(("?", "？"))


def _negation_start(lex: Lexicon, sentence: str, i: int) -> int:
    """Where the negation before the hedge at ``i`` starts."""
    head = sentence[:i].rstrip()
    if lex.lang == "en":
        return len(head) - len(head.rsplit(None, 1)[-1])
    head = sentence[:i].rstrip("“「『\"")
    return len(head) - len(next(w for w in lex.negations if head.endswith(w)))


def _hedge(lex: Lexicon, sentence: str, marks: list[_Mark]) -> tuple[str | None, tuple | None, float | None]:
    """The first hedge not negated, its band and point; a negated one has neither."""
    hedges = [m for m in marks if m.kind == "hedge"]
    for m in hedges:
        if not m.negated:
            words = sentence[m.start:m.end]
            term = lex.term_of(words)
            return words, (term.low, term.high), term.point
    if hedges:
        return sentence[_negation_start(lex, sentence, hedges[0].start):hedges[0].end], None, None
    return None, None, None


def _condition(lex: Lexicon, sentence: str, marks: list[_Mark]) -> str | None:
    """From the first condition word to the clause before the statement it conditions."""
    for m in lex.conditions.finditer(sentence):
        if not lex.is_condition(m.group()):
            continue
        parts = clauses(sentence, 0, len(sentence))
        ci = next(k for k, (s, e) in enumerate(parts) if s <= m.start() < e or m.start() < s)
        after = [mk.start for mk in marks if mk.start >= m.end()]
        end = parts[ci][1]
        if after and after[0] < parts[ci][1]:
            end = after[0]
        elif after:
            last = max(k for k, (s, _) in enumerate(parts) if s <= after[0])
            end = parts[last - 1][1] if last > ci else parts[ci][1]
        text = sentence[m.start():end].strip(" ,，、.。;；!?！？\n")
        return text or None
    return None


def _horizon(lex: Lexicon, sentence: str) -> str | None:
    found: list[str] = []
    for m in lex.horizons.finditer(sentence):
        words = " ".join(m.group().split())
        if words and words not in found:
            found.append(words)
    return " / ".join(found) or None


def find(text: str, *, lang: str = "auto", year: int | dt.date | None = None) -> list[Candidate]:
    """Every candidate forecast statement in ``text``, in order.

    ``lang`` is ``zh``, ``en`` or ``auto`` (see :func:`detect_language`); ``year`` is the
    year the text was written, if known: a later year named in a sentence points ahead.
    ``year`` may be the day of writing (a date): then a later day named by month and day
    (March 1, 3月1日) points ahead too.

    >>> [c.quote for c in find("The group met on February 2. It meets March 1.", year=dt.date(2026, 2, 16))]
    ['It meets March 1.']
    """
    day = year if isinstance(year, dt.date) else None
    if day is not None:
        year = day.year
    if lang == "auto":
        lang = detect_language(text)
    lex = lexicon(lang)
    spans = sentences(text)
    out: list[Candidate] = []
    lead_in = None  # the number of the sentence that leads in to the list being read
    for k, (start, end) in enumerate(spans):
        sentence = text[start:end]
        if lead_in is not None and lead_in < k - 1 and _BLANK_LINE.search(text, spans[k - 1][1], start):
            lead_in = None
        if _is_question(sentence):
            continue
        marks = _marks(lex, sentence)
        if not (marks or lead_in is not None or _points_ahead(lex, sentence, year, day)):
            continue
        if sentence.endswith((":", "：")) and k + 1 < len(spans):
            lead_in = k
            continue
        hedge, band, point = _hedge(lex, sentence, marks)
        out.append(Candidate(sentence, start, end, hedge, band, point, _condition(lex, sentence, marks),
                             _horizon(lex, sentence)))
        if sentence.endswith(_FULL_STOPS):
            lead_in = None
    return out
