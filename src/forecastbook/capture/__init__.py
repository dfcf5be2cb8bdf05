"""From an article to draft records: find the candidate forecast statements in a text.

The core (:func:`find`) is pure and imports no pandas: text in, :class:`Candidate` list
out. :func:`candidates` gives the same as a DataFrame whose rich display in JupyterLab
marks the quotes in the text. :mod:`forecastbook.capture.drafts` turns chosen candidates
into draft questions, written through the store's edit path.

>>> from forecastbook.capture import find
>>> c = find("要是谈不拢,大概率会重新收紧限制。")[0]
>>> c.hedge, c.band, c.probability, c.condition
('大概率', (0.8, 0.95), 0.875, '要是谈不拢')
"""

from __future__ import annotations

from ._extract import COLUMNS, Candidate, detect_language, find
from ._read import CaptureError, read_article

__all__ = ["COLUMNS", "Candidate", "CaptureError", "candidates", "detect_language", "find", "read_article"]


def candidates(text: str, *, lang: str = "auto", year: int | None = None):  # noqa: ANN201 - a DataFrame
    """The candidates of ``text`` (see :func:`find` for ``lang`` and ``year``) as a DataFrame
    (columns :data:`COLUMNS`, ``band`` a (low, high) tuple); in JupyterLab it shows the
    text with the quotes marked. pandas is imported only here."""
    from ._frame import candidate_frame  # noqa: PLC0415

    return candidate_frame(text, find(text, lang=lang, year=year))
