"""Plots of calibration and scores. Each takes ``ax=`` (or makes one), draws on it only,
and returns it. Computing happens in ``_compute`` and the score tables."""

from __future__ import annotations

from typing import Literal

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from numpy.typing import ArrayLike

from ._compute import decompose, reliability

__all__ = ["plot_reliability_diagram", "plot_score_over_time", "plot_forecaster_comparison"]


def _literal(text: str) -> str:
    """Text from records as a matplotlib label: a '$' is a dollar sign, not the start of math."""
    return text.replace("$", r"\$")


def _axes(ax: Axes | None) -> Axes:
    return plt.subplots(figsize=(5.5, 5.5))[1] if ax is None else ax


def _diagonal(ax: Axes) -> None:
    if not any(line.get_label() == "perfect calibration" for line in ax.get_lines()):
        ax.plot([0, 1], [0, 1], color="0.55", lw=1, ls="--", label="perfect calibration", zorder=1)


def plot_reliability_diagram(
    y_true: ArrayLike,
    y_prob: ArrayLike,
    *,
    method: Literal["corp", "uniform", "quantile"] = "corp",
    band: Literal["consistency", "confidence"] | None = "consistency",
    level: float = 0.9,
    n_resamples: int = 100,
    seed: int | None = 0,
    n_bins: int = 10,
    label: str | None = None,
    color: str | None = None,
    histogram: bool = True,
    ax: Axes | None = None,
) -> Axes:
    """Reliability diagram: the CORP curve with its band (or binned frequencies with
    intervals), the diagonal labelled once, a histogram of forecasts beneath, and the
    decomposition and n in the legend.

    >>> import matplotlib; matplotlib.use("Agg")
    >>> ax = plot_reliability_diagram([0, 1, 1, 0, 1], [0.1, 0.6, 0.8, 0.3, 0.9], seed=1)
    >>> ax.get_xlabel()
    'forecast probability'
    """
    ax = _axes(ax)
    y = np.asarray(y_true, dtype=float)
    p = np.asarray(y_prob, dtype=float)
    _diagonal(ax)
    d = decompose(y, p)
    text = f"n={d.n}, BS={d.score:.3f} (MCB {d.miscalibration:.3f}, DSC {d.discrimination:.3f}, UNC {d.uncertainty:.3f})"
    name = _literal(f"{label}: {text}") if label else text
    if method == "corp":
        table = reliability(y, p, method="corp", band=band, level=level, n_resamples=n_resamples, seed=seed)
        (line,) = ax.step(table["forecast"], table["calibrated"], where="post", lw=2, color=color, label=name, zorder=3)
        if band is not None:
            ax.fill_between(table["forecast"], table["lower"], table["upper"], step="post", alpha=0.18,
                            color=line.get_color(), lw=0, label=f"{level:.0%} {band} band", zorder=2)
    else:
        table = reliability(y, p, method=method, n_bins=n_bins, level=level)
        err = np.clip(np.vstack([table["observed"] - table["lower"], table["upper"] - table["observed"]]), 0, None)
        ax.errorbar(table["mean_forecast"], table["observed"], yerr=err, fmt="o-", color=color, capsize=3,
                    label=f"{name}\n{table['binning'].iloc[0]} bins, {level:.0%} {table['interval'].iloc[0]} intervals",
                    zorder=3)
        for _, row in table.iterrows():
            ax.annotate(str(row["n"]), (row["mean_forecast"], row["observed"]), textcoords="offset points",
                        xytext=(4, -10), fontsize=7, color="0.35")
    if histogram:
        inset = ax.inset_axes([0.0, 0.0, 1.0, 0.14], sharex=ax)
        inset.hist(p, bins=20, range=(0, 1), color=color or "0.5", alpha=0.5)
        inset.set_axis_off()
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.set_aspect("equal")
    ax.set_xlabel("forecast probability")
    ax.set_ylabel("observed frequency (recalibrated)" if method == "corp" else "observed frequency")
    if not ax.get_title():
        ax.set_title("Reliability diagram (CORP)" if method == "corp" else "Reliability diagram (binned)")
    ax.legend(loc="upper left", fontsize=7, frameon=False)
    return ax


def plot_score_over_time(table: pd.DataFrame, *, score: str = "brier", ax: Axes | None = None) -> Axes:
    """Mean score per forecaster as resolutions arrived: ``table`` has columns ``as_of,
    forecaster, <score>, n`` (see ``forecastbook.evaluate.replay``)."""
    ax = _axes(ax)
    if table.empty:
        ax.text(0.5, 0.5, "nothing resolved yet", ha="center", va="center", transform=ax.transAxes)
    styles = ["-", "--", ":", "-."]  # forecasters with equal scores stay visible on top of each other
    few = table["as_of"].nunique() <= 30 if not table.empty else False  # few dates: mark each one
    for k, (name, part) in enumerate(table.groupby("forecaster", sort=True)):
        part = part.sort_values("as_of")
        ax.step(pd.to_datetime(part["as_of"]), part[score], where="post", ls=styles[k % len(styles)], lw=1.6,
                marker="o" if few else None, ms=4, label=_literal(f"{name} (n={int(part['n'].iloc[-1])})"))
    if not table.empty and table["as_of"].nunique() == 1:  # one date: a week either side, not years
        day = pd.to_datetime(table["as_of"].iloc[0])
        ax.set_xlim(day - pd.Timedelta(days=7), day + pd.Timedelta(days=7))
    ax.set_xlabel("as of")
    ax.set_ylabel(f"mean {score} score (lower is better)")
    ax.set_title(f"{score.capitalize()} score as outcomes arrived")
    if not table.empty:
        ax.legend(fontsize=8, frameon=False)
    ax.figure.autofmt_xdate()
    return ax


def plot_forecaster_comparison(summary: pd.DataFrame, *, score: str = "brier", reference: float | None = 0.25,
                               ax: Axes | None = None) -> Axes:
    """Horizontal bars of each forecaster's mean score with its n; ``reference`` draws a
    line (0.25 is the Brier score of always saying 50%)."""
    ax = _axes(ax)
    s = summary.sort_values(score, ascending=False)
    bars = ax.barh(s["forecaster"].astype(str).map(_literal), s[score], color="tab:blue", alpha=0.75)
    n_col = f"{score}_n" if f"{score}_n" in s else "n"
    for bar, n in zip(bars, s[n_col]):
        ax.annotate(f"n={int(n)}", (bar.get_width(), bar.get_y() + bar.get_height() / 2), xytext=(3, 0),
                    textcoords="offset points", va="center", fontsize=8)
    if reference is not None:
        ax.axvline(reference, color="0.4", ls="--", lw=1, label=f"always 50% ({reference:g})")
        ax.legend(fontsize=8, frameon=False, loc="lower right")
    ax.set_xlabel(f"mean {score} score (lower is better)")
    ax.set_title("Forecasters compared")
    return ax
