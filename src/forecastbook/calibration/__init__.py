"""Calibration of probability forecasts: compute (pure) and plot (on the axes you pass)."""

from ._compute import (
    Decomposition,
    decompose,
    decompose_quantile,
    isotonic_quantile,
    expected_calibration_error,
    murphy_decomposition,
    pooled_pav,
    reliability,
)

__all__ = ["Decomposition", "decompose", "decompose_quantile", "isotonic_quantile", "expected_calibration_error", "murphy_decomposition",
           "pooled_pav", "reliability", "plot_reliability_diagram", "plot_score_over_time",
           "plot_forecaster_comparison"]


def __getattr__(name: str):  # plotting imports matplotlib: only when a plot is asked for
    if name in ("plot_reliability_diagram", "plot_score_over_time", "plot_forecaster_comparison"):
        from . import _plots

        return getattr(_plots, name)
    raise AttributeError(f"module 'forecastbook.calibration' has no attribute {name!r}")
