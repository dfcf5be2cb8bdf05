"""Sentences and clauses of a text, as (start, end) character offsets into it.

A sentence ends at 。！？；, at ! ? ; and at a full stop followed by a space (not after an
abbreviation such as U.S. or Dr.), with any closing quotation marks after them. A
terminator inside quotation marks (“…” 「…」 『…』 "…") does not end the sentence unless
the quotation closes right after it. A blank line always ends one; a single line break
does too, unless the text runs on across it (the next line starts in lower case, or a
long line ends in the middle of a phrase), as in a text wrapped at a fixed width.

>>> text = "他说:“会降息。”市场预计明年将再降息,可能两次;也可能不降。"
>>> [text[s:e] for s, e in sentences(text)]
['他说:“会降息。”', '市场预计明年将再降息,可能两次;', '也可能不降。']
>>> text = "The U.S. economy will slow. Rates are 3.5% now!"
>>> [text[s:e] for s, e in sentences(text)]
['The U.S. economy will slow.', 'Rates are 3.5% now!']
"""

from __future__ import annotations

__all__ = ["sentences", "clauses"]

_OPEN = "“「『"
_CLOSE = "”」』"
_CLOSERS = "”」』’)）\"'"
_CJK_ENDS = "。！？；"
_ASCII_ENDS = "!?;"
_CLAUSE_MARKS = "，,、：:；;—"
_BULLETS = "-•*·–"
_ABBREVIATIONS = {"mr", "mrs", "ms", "dr", "st", "jr", "sr", "inc", "co", "corp", "ltd", "vs", "etc", "no", "fig",
                  "gov", "sen", "rep", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct",
                  "nov", "dec", "prof", "gen", "mt", "approx"}
_RUN_ON_LINE = 50


def _is_cjk(ch: str) -> bool:
    return "\u3000" <= ch <= "\u9fff" or "\uff00" <= ch <= "\uffef"


def _abbreviation(text: str, i: int) -> bool:
    """Whether the full stop at ``i`` ends an abbreviation (U.S., Dr., e.g.)."""
    j = i
    while j > 0 and (text[j - 1].isalpha() or text[j - 1] == "."):
        j -= 1
    word = text[j:i]
    return "." in word or len(word) == 1 or word.lower() in _ABBREVIATIONS


def _ends_at(text: str, i: int) -> bool:
    """Whether the character at ``i`` can end a sentence (quotes aside)."""
    ch = text[i]
    nxt = text[i + 1] if i + 1 < len(text) else " "
    if ch in _CJK_ENDS:
        return True
    if ch in _ASCII_ENDS:
        return nxt.isspace() or nxt in _CLOSERS or _is_cjk(nxt)
    if ch == ".":
        return (nxt.isspace() or nxt in _CLOSERS) and not _abbreviation(text, i)
    return False


def _runs_on(text: str, i: int) -> bool:
    """Whether the text runs on across the single line break at ``i``."""
    line_start = text.rfind("\n", 0, i) + 1
    line = text[line_start:i].rstrip()
    rest = text[i + 1:].lstrip(" \t")
    if not line or not rest:
        return False
    if rest[0].islower() and rest[0].isascii():
        return True
    return len(line) > _RUN_ON_LINE and (line[-1].isascii() and line[-1].isalnum() or line[-1] in ",-")


def _sentence_end(text: str, i: int, depth: int) -> int | None:
    """Where a sentence whose terminator is at ``i`` ends, or None if it does not."""
    j = i + 1
    while j < len(text) and (text[j] in _CJK_ENDS or text[j] in _ASCII_ENDS or text[j] == "."):
        j += 1
    while j < len(text) and text[j] in _CLOSERS:
        if text[j] in _CLOSE or text[j] == '"':
            depth -= 1
        j += 1
    return j if depth <= 0 else None


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and (text[start].isspace() or (text[start] in _BULLETS and text[start + 1:start + 2].isspace())):
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def sentences(text: str) -> list[tuple[int, int]]:
    """The sentences of ``text`` as (start, end) offsets, whitespace and bullets trimmed."""
    spans: list[tuple[int, int]] = []
    start, depth, straight, i = 0, 0, False, 0
    while i < len(text):
        ch = text[i]
        end = None
        if ch == "\n":
            if not (text[i + 1:i + 2] != "\n" and _runs_on(text, i)):
                end, depth, straight = i, 0, False
        elif ch in _OPEN:
            depth += 1
        elif ch in _CLOSE:
            depth = max(0, depth - 1)
        elif ch == '"':
            straight = not straight
        elif _ends_at(text, i):
            end = _sentence_end(text, i, depth + straight)
            if end is not None:
                depth, straight = 0, False
        if end is not None:
            s, e = _trim(text, start, end)
            if e > s:
                spans.append((s, e))
            start = i = max(end, i + 1)
            continue
        i += 1
    s, e = _trim(text, start, len(text))
    if e > s:
        spans.append((s, e))
    return spans


def clauses(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """The clauses of ``text[start:end]``: split at commas of both forms, 、 and colons
    (not at a comma between digits, as in 1,000).

    >>> text = "要是谈不拢,或者美国觉得目的达到了,大概率会重新收紧限制"
    >>> [text[s:e] for s, e in clauses(text, 0, len(text))]
    ['要是谈不拢', '或者美国觉得目的达到了', '大概率会重新收紧限制']
    """
    spans, s = [], start
    for i in range(start, end):
        ch = text[i]
        if ch in _CLAUSE_MARKS and not (ch == "," and text[i - 1:i].isdigit() and text[i + 1:i + 2].isdigit()):
            if i > s:
                spans.append((s, i))
            s = i + 1
    if end > s:
        spans.append((s, end))
    return spans
