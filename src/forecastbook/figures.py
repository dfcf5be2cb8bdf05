"""Figures of records: the conditional tree. (Calibration and score plots live in
``forecastbook.calibration``.) Each takes ``ax=``, draws on it, and returns it."""

from __future__ import annotations

import textwrap

import matplotlib.pyplot as plt
from matplotlib.axes import Axes

from .queries import STATUS_COLOURS, outcome_text
from .records import Question
from .store import Store

__all__ = ["plot_conditional_tree"]




def _label(q: Question, as_of) -> str:  # noqa: ANN001
    from .queries import forecast_summary, status_as_of

    status = status_as_of(q, as_of)
    if status == "resolved":
        status = f"resolved {outcome_text(q.outcome_value())}"
    latest: dict[str, object] = {}
    for f in sorted(q.forecasts, key=lambda f: f.at):
        latest[f.by] = f  # each forecaster's latest forecast
    # the words themselves may be in a script the default font lacks: say that they exist
    said = "".join(f"\n{f.by}: {forecast_summary(q, f)}" + (" (from words)" if f.verbal else "")
                   for f in latest.values()) or "\nno forecast yet"
    return "\n".join(textwrap.wrap(q.id, 34)) + f"\n[{status}]" + said


def plot_conditional_tree(store: Store, root: str, *, as_of, ax: Axes | None = None) -> Axes:  # noqa: ANN001
    """Draw ``root`` and the questions conditional on it (recursively), each with its
    status (and outcome) as of ``as_of``, coloured by status, and each forecaster's latest
    forecast; edges are labelled with the condition."""
    from .queries import status_as_of

    if ax is None:
        ax = plt.subplots(figsize=(10, 4.5))[1]
    levels: list[list[tuple[Question, Question | None]]] = [[(store.question(root), None)]]
    while True:
        nxt = [(child, parent) for parent, _ in levels[-1] for child in store.conditionals_of(parent.id)]
        if not nxt or len(levels) > 6:
            break
        levels.append(nxt)
    pos: dict[str, tuple[float, float]] = {}
    for depth, row in enumerate(levels):
        for i, (q, _) in enumerate(row):
            pos[q.id] = ((i + 0.5) / len(row), 1 - depth / max(len(levels) - 1, 1) * 0.8 - 0.1)
    for row in levels[1:]:
        for q, parent in row:
            (x0, y0), (x1, y1) = pos[parent.id], pos[q.id]
            ax.annotate("", xy=(x1, y1 + 0.08), xytext=(x0, y0 - 0.08),
                        arrowprops=dict(arrowstyle="->", color="0.4"))
            ax.text((x0 + x1) / 2, (y0 + y1) / 2, f"if {outcome_text(q.condition.outcome)}", ha="center", va="center", fontsize=9, parse_math=False,
                    bbox=dict(boxstyle="round", fc="white", ec="0.7"))
    for row in levels:
        for q, _ in row:
            x, y = pos[q.id]
            ax.text(x, y, _label(q, as_of), ha="center", va="center", fontsize=8, parse_math=False,
                    bbox=dict(boxstyle="round,pad=0.4", fc=STATUS_COLOURS[status_as_of(q, as_of)], ec="#4a78b5"))
    ax.set_xlim(0, 1)
    ax.set_ylim(-0.05, 1.05)
    ax.set_axis_off()
    ax.set_title(f"Conditional tree of {root} (as of {as_of})", parse_math=False)
    return ax
