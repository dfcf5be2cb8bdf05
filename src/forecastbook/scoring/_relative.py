"""Scores relative to a reference: skill scores and Metaculus' baseline and peer scores."""

from __future__ import annotations

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray

from ._checks import binary_outcomes, column, in_unit_interval, same_length

__all__ = ["skill_score", "metaculus_baseline_score", "metaculus_peer_score"]


def skill_score(scores: ArrayLike, reference_scores: ArrayLike) -> float:
    """``1 - mean(scores) / mean(reference)`` over pairs where both are known: 1 is
    perfect, 0 no better than the reference, negative worse.

    >>> skill_score([0.09, 0.04], [0.25, 0.25])   # 1 - 0.065 / 0.25
    0.74
    """
    s, r = np.asarray(scores, dtype=float), np.asarray(reference_scores, dtype=float)
    if s.shape != r.shape:
        raise ValueError(f"scores and reference_scores must have one shape, got {s.shape} and {r.shape}")
    keep = ~(np.isnan(s) | np.isnan(r))
    ref = r[keep].mean() if keep.any() else np.nan
    return float(1 - s[keep].mean() / ref) if keep.any() and ref != 0 else float("nan")


def metaculus_baseline_score(y_true: ArrayLike, y_prob: ArrayLike, *, n_outcomes: int = 2) -> NDArray[np.float64]:
    """Metaculus' baseline score (Metaculus Scores FAQ): ``100 * log_n(p(outcome) * n)``
    with ``n`` outcomes; for a binary question ``100 * (log2 p(outcome) + 1)``.
    Higher is better; 0 for the uniform forecast; -inf for a confident miss.

    ``y_prob`` is the probability of yes (binary) or, for ``n_outcomes > 2``, the
    probability given to the outcome that happened (and ``y_true`` is ignored).

    >>> metaculus_baseline_score([1, 1], [0.9, 0.1]).round(4)
    array([  84.7997, -232.1928])
    """
    p = in_unit_interval("y_prob", column("y_prob", y_prob))
    if n_outcomes == 2:
        y = binary_outcomes("y_true", column("y_true", y_true))
        same_length(y_true=y, y_prob=p)
        p = np.where(np.isnan(y), np.nan, np.where(y == 1, p, 1 - p))
    elif n_outcomes < 2:
        raise ValueError(f"n_outcomes must be at least 2, got {n_outcomes}")
    with np.errstate(divide="ignore"):
        return 100 * np.log(p * n_outcomes) / np.log(n_outcomes)


def metaculus_peer_score(frame: pd.DataFrame, *, question: str = "question_id",
                         forecaster: str = "forecaster", prob_outcome: str = "p_outcome") -> pd.Series:
    """Metaculus' peer score (Metaculus Scores FAQ): for each forecaster on a question,
    ``100 * (ln p - mean of ln p_j over the other forecasters j)``, where p is the
    probability given to the outcome that happened. Scores on a question sum to 0.

    ``frame`` has one row per (question, forecaster); questions with a single forecaster
    get NaN (there is no peer).

    >>> f = pd.DataFrame({"question_id": ["q"] * 3, "forecaster": list("abc"),
    ...                   "p_outcome": [0.8, 0.5, 0.5]})
    >>> metaculus_peer_score(f).round(3).tolist()   # 100 ln(0.8/0.5); 100 (ln .5 - (ln .8 + ln .5)/2)
    [47.0, -23.5, -23.5]
    """
    p = in_unit_interval(prob_outcome, column(prob_outcome, frame[prob_outcome].to_numpy(dtype=float)))
    known = ~np.isnan(p)  # a forecaster without a forecast is no one's peer and gets NaN
    with np.errstate(divide="ignore"):
        logp = np.log(np.where(known, p, 1.0))
    groups = frame[question].to_numpy()
    zero = known & (p == 0)
    # sums of finite log p and counts of zeros (ln 0 = -inf) per question, over known forecasts
    finite = pd.Series(np.where(known & ~zero, logp, 0.0)).groupby(groups).transform("sum").to_numpy()
    zeros = pd.Series(zero.astype(int)).groupby(groups).transform("sum").to_numpy()
    count = pd.Series(known.astype(int)).groupby(groups).transform("sum").to_numpy()
    others_zeros = zeros - zero
    with np.errstate(invalid="ignore", divide="ignore"):
        others_mean = (finite - np.where(zero, 0.0, logp)) / (count - 1)
        score = np.where(zero & (others_zeros == 0), -np.inf,  # a confident miss among peers who did not
                         np.where(~zero & (others_zeros > 0), np.inf,  # a peer's ln 0 pulls their mean to -inf
                                  np.where(zero, np.nan, 100 * (logp - others_mean))))
    return pd.Series(np.where(known & (count > 1), score, np.nan), index=frame.index, name="peer_score")
