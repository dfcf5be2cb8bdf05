"""The candidates as a DataFrame that displays the article with its quotes marked.

>>> from forecastbook.capture import candidates
>>> frame = candidates("要是谈不拢,大概率会重新收紧限制。")
>>> frame[["start", "end", "hedge", "probability", "condition"]]
   start  end hedge  probability condition
0      0   17   大概率        0.875     要是谈不拢
>>> "<mark" in frame._repr_html_()
True
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from ._display import marked_text_html
from ._extract import COLUMNS, Candidate

__all__ = ["CandidateFrame", "candidate_frame"]


class CandidateFrame(pd.DataFrame):
    """A DataFrame of candidates (columns :data:`~forecastbook.capture.COLUMNS`); the text
    they were found in is kept in ``attrs["text"]``."""

    @property
    def _constructor(self):  # noqa: ANN202 - pandas keeps the subclass through slicing
        return CandidateFrame

    def _repr_html_(self) -> str:
        table = super()._repr_html_() or ""
        text = self.attrs.get("text")
        if text is None or not set(COLUMNS) <= set(self.columns):
            return table
        shown = [Candidate(**{k: (None if pd.isna(v) else v) if not isinstance(v, tuple) else v
                              for k, v in zip(COLUMNS, row)})
                 for row in self[list(COLUMNS)].itertuples(index=False, name=None)]
        return marked_text_html(text, shown) + table


def candidate_frame(text: str, found: Sequence[Candidate]) -> CandidateFrame:
    """``found`` as a :class:`CandidateFrame` over ``text``."""
    frame = CandidateFrame([[getattr(c, k) for k in COLUMNS] for c in found], columns=list(COLUMNS))
    frame["start"] = frame["start"].astype(int)
    frame["end"] = frame["end"].astype(int)
    frame["probability"] = frame["probability"].astype(float)
    frame.attrs["text"] = text
    return frame
