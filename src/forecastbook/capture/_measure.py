"""Recall and precision of the candidates against hand-labelled statements.

A candidate matches a label when their character ranges overlap. Recall counts the
labels that overlap some candidate; precision the candidates that overlap some label.

>>> counts("明年将降息。去年降息了。或许后年也会。", ["明年将降息", "后年也会"])
Counts(labels=2, found=2, candidates=2, matching=2)
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from ._extract import find

__all__ = ["Counts", "counts", "label_spans", "written_in", "written_on"]


@dataclass(frozen=True)
class Counts:
    """``found`` of ``labels`` overlap a candidate; ``matching`` of ``candidates`` overlap a label."""

    labels: int
    found: int
    candidates: int
    matching: int

    def __add__(self, other: Counts) -> Counts:
        return Counts(*(a + b for a, b in zip(self._tuple(), other._tuple())))

    def _tuple(self) -> tuple[int, int, int, int]:
        return self.labels, self.found, self.candidates, self.matching

    @property
    def recall(self) -> float:
        return self.found / self.labels if self.labels else float("nan")

    @property
    def precision(self) -> float:
        return self.matching / self.candidates if self.candidates else float("nan")


def label_spans(text: str, labels: list[str]) -> list[tuple[int, int]]:
    """Each label's (start, end) in ``text`` (its first occurrence); a label not in the text is an error."""
    spans = []
    for label in labels:
        start = text.find(label)
        if start < 0:
            raise ValueError(f"label not in the text: {label[:60]!r}")
        spans.append((start, start + len(label)))
    return spans


def written_in(published: object) -> int:
    """The year of a ``published`` field: a date, or text that starts with the year (2025-12).

    >>> import datetime
    >>> written_in("2025-12"), written_in(datetime.date(2026, 1, 28))
    (2025, 2026)
    """
    return int(str(published)[:4])


def written_on(published: object) -> int | dt.date:
    """The day of a ``published`` field when it gives one (a date, 2025-07-09), else its year.

    >>> written_on("2025-12"), written_on("2025-07-09"), written_on(dt.date(2026, 1, 28))
    (2025, datetime.date(2025, 7, 9), datetime.date(2026, 1, 28))
    """
    if isinstance(published, dt.date):
        return published
    try:
        return dt.date.fromisoformat(str(published)[:10])
    except ValueError:
        return written_in(published)


def counts(text: str, labels: list[str], *, lang: str = "auto", year: int | dt.date | None = None) -> Counts:
    """How the candidates of ``text`` (written in ``year``, or on that day, if known) match ``labels``."""
    spans = label_spans(text, labels)
    found = [(c.start, c.end) for c in find(text, lang=lang, year=year)]

    def overlaps(a: tuple[int, int], others: list[tuple[int, int]]) -> bool:
        return any(a[0] < b[1] and b[0] < a[1] for b in others)

    return Counts(len(spans), sum(overlaps(s, found) for s in spans), len(found), sum(overlaps(c, spans) for c in found))
