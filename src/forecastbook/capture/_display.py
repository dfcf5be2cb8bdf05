"""What an analyst sees in JupyterLab: the article with each candidate's quote marked,
numbered as in the table, its hedge and band in the mark's tooltip. All text is escaped.

>>> from forecastbook.capture import find
>>> text = "去年加征了关税。<b>明年</b>很可能会再加。"
>>> print(marked_text_html(text, find(text)))
<div class='forecastbook-capture' style='white-space:pre-wrap;line-height:1.6'>去年加征了关税。<mark title='1: 很可能 (0.8-0.95); when: 明年' style='background:#fde68a'><sup>1</sup>&lt;b&gt;明年&lt;/b&gt;很可能会再加。</mark></div>
"""

from __future__ import annotations

import html
from collections.abc import Sequence

from ._extract import Candidate

__all__ = ["marked_text_html"]

_HEDGED, _FLAT = "#fde68a", "#dbeafe"


def _title(n: int, c: Candidate) -> str:
    parts = [f"{n}: {c.hedge or 'no hedge'}" + (f" ({c.band[0]:g}-{c.band[1]:g})" if c.band else "")]
    if c.condition:
        parts.append(f"if: {c.condition}")
    if c.horizon:
        parts.append(f"when: {c.horizon}")
    return "; ".join(parts)


def marked_text_html(text: str, candidates: Sequence[Candidate]) -> str:
    """``text`` as HTML with each candidate marked (yellow with a hedge, blue without)."""
    out, pos = [], 0
    for n, c in enumerate(sorted(candidates, key=lambda c: c.start), 1):
        if c.start < pos:
            continue
        out.append(html.escape(text[pos:c.start]))
        colour = _HEDGED if c.hedge else _FLAT
        out.append(f"<mark title='{html.escape(_title(n, c), quote=True)}' style='background:{colour}'>"
                   f"<sup>{n}</sup>{html.escape(text[c.start:c.end])}</mark>")
        pos = c.end
    out.append(html.escape(text[pos:]))
    return f"<div class='forecastbook-capture' style='white-space:pre-wrap;line-height:1.6'>{''.join(out)}</div>"
