"""Proper scoring rules and their aggregations, as pure functions on arrays and tables.

Every per-forecast rule is a loss (lower is better, 0 for a perfect forecast), except
Metaculus' baseline and peer scores, which keep Metaculus' orientation (higher is better).
"""

from ._relative import metaculus_baseline_score, metaculus_peer_score, skill_score
from ._rules import (
    BINARY_RULES,
    brier_score,
    brier_score_categorical,
    crps_from_quantiles,
    interval_coverage,
    interval_score,
    log_score,
    log_score_categorical,
    misclassification,
    pinball_loss,
    ranked_probability_score,
    spherical_score,
    spherical_score_categorical,
)
from ._summary import summarize_scores
from ._time import time_averaged_scores

__all__ = [
    "BINARY_RULES", "brier_score", "brier_score_categorical", "crps_from_quantiles", "interval_coverage",
    "interval_score", "log_score", "log_score_categorical", "metaculus_baseline_score",
    "metaculus_peer_score", "misclassification", "pinball_loss", "ranked_probability_score",
    "skill_score", "spherical_score", "spherical_score_categorical", "summarize_scores",
    "time_averaged_scores",
]
