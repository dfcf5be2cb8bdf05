"""Proper scoring rules, one score per forecast.

Every rule here is a loss: lower is better and a perfect forecast scores 0.

NaN policy: a NaN forecast or outcome gives a NaN score; nothing is dropped silently.
Summaries (see :mod:`forecastbook.scoring._summary`) count NaNs and infinities apart.

Binary outcomes may be 0/1 or a probability ``q`` in [0, 1] (a probabilistic resolution):
the score is then its expectation under Bernoulli(q), ``q S(p, 1) + (1 - q) S(p, 0)``.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ._checks import column, in_unit_interval, same_length

__all__ = [
    "brier_score", "log_score", "spherical_score", "misclassification",
    "brier_score_categorical", "log_score_categorical", "spherical_score_categorical",
    "ranked_probability_score",
    "pinball_loss", "crps_from_quantiles", "interval_score", "interval_coverage",
]

Float = NDArray[np.float64]


def _binary(p: ArrayLike, y: ArrayLike, s1, s0) -> Float:  # noqa: ANN001
    p = in_unit_interval("y_prob", column("y_prob", p))
    y = in_unit_interval("y_true", column("y_true", y))
    same_length(y_true=y, y_prob=p)
    p, y = np.broadcast_arrays(p, y)
    with np.errstate(divide="ignore", invalid="ignore"):
        one, zero = s1(p), s0(p)
        # 0 * inf is 0 here: an outcome that cannot happen costs nothing.
        out = np.where(y == 0, 0.0, y * one) + np.where(y == 1, 0.0, (1 - y) * zero)
    return np.where(np.isnan(p) | np.isnan(y), np.nan, out)


def brier_score(y_true: ArrayLike, y_prob: ArrayLike) -> Float:
    """Brier score ``(p - y)**2``, on the 0-1 scale.

    >>> brier_score([1, 0, 1], [0.9, 0.9, 0.5])
    array([0.01, 0.81, 0.25])
    """
    return _binary(y_prob, y_true, lambda p: (1 - p) ** 2, lambda p: p**2)


def log_score(y_true: ArrayLike, y_prob: ArrayLike) -> Float:
    """Logarithmic score ``-ln p(y)`` (natural log); +inf for a confident miss.

    >>> log_score([1, 0], [0.5, 1.0])
    array([0.69314718,        inf])
    """
    return _binary(y_prob, y_true, lambda p: -np.log(p), lambda p: -np.log1p(-p))


def spherical_score(y_true: ArrayLike, y_prob: ArrayLike) -> Float:
    """Spherical loss ``1 - p(y) / ||p||``, where ``||p|| = sqrt(p**2 + (1 - p)**2)``.

    The spherical score is usually stated as the reward ``p(y) / ||p||``; one minus it keeps
    every rule here a loss that is 0 for a perfect forecast.

    >>> spherical_score([1], [0.5]).round(6)
    array([0.292893])
    """
    norm = lambda p: np.sqrt(p**2 + (1 - p) ** 2)  # noqa: E731
    return _binary(y_prob, y_true, lambda p: 1 - p / norm(p), lambda p: 1 - (1 - p) / norm(p))


def misclassification(y_true: ArrayLike, y_prob: ArrayLike) -> Float:
    """Misclassification loss: 1 when the forecast is on the wrong side of 1/2, 1/2 at 1/2.

    >>> misclassification([1, 1, 0], [0.7, 0.5, 0.7])
    array([0. , 0.5, 1. ])
    """
    return _binary(y_prob, y_true, lambda p: np.where(p > 0.5, 0.0, np.where(p == 0.5, 0.5, 1.0)),
                   lambda p: np.where(p < 0.5, 0.0, np.where(p == 0.5, 0.5, 1.0)))


def _categorical(probs: ArrayLike, outcome: ArrayLike) -> tuple[Float, NDArray[np.intp], Float, NDArray[np.bool_]]:
    """Checked (n, K) probabilities, outcome indices, the one-hot outcomes, unknown rows."""
    P = np.atleast_2d(np.asarray(probs, dtype=float))
    if P.ndim != 2:
        raise ValueError(f"probs must be 2-dimensional (forecasts x outcomes), got shape {P.shape}")
    bad = (P < 0) | (P > 1)
    if np.any(bad):
        raise ValueError(f"probs must be between 0 and 1, got {P[bad][0]}")
    missing = np.isnan(P)
    partly = missing.any(axis=1) & ~missing.all(axis=1)
    if np.any(partly):
        raise ValueError(f"probs: row {int(np.argmax(partly))} is partly NaN; a forecast is known whole or not at all")
    sums = P.sum(axis=1)
    off = np.abs(sums - 1) > 1e-6
    if np.any(off):
        raise ValueError(f"each row of probs must sum to 1, got {sums[off][0]}")
    y = column("outcome", outcome)
    if y.size != P.shape[0]:
        raise ValueError(f"outcome must have one entry per row of probs: {y.size} outcome(s) for {P.shape[0]} row(s)")
    unknown = np.isnan(y) | missing.all(axis=1)
    known = y[~np.isnan(y)]
    if np.any((known != np.round(known)) | (known < 0) | (known >= P.shape[1])):
        wrong = known[(known != np.round(known)) | (known < 0) | (known >= P.shape[1])][0]
        raise ValueError(f"outcome must be an index from 0 to {P.shape[1] - 1}, got {wrong:g}")
    idx = np.where(np.isnan(y), 0, y).astype(np.intp)
    onehot = np.zeros_like(P)
    onehot[np.arange(len(idx)), idx] = 1.0
    return P, idx, onehot, unknown


def brier_score_categorical(probs: ArrayLike, outcome: ArrayLike) -> Float:
    """Brier score over K outcomes, summed: ``sum_k (p_k - 1[k = y])**2``, on the 0-2 scale.

    ``probs`` is (n, K); ``outcome`` the index of the outcome that happened (NaN: unknown).

    >>> brier_score_categorical([[0.5, 0.3, 0.2]], [0])   # 0.25 + 0.09 + 0.04
    array([0.38])
    """
    P, _, onehot, unknown = _categorical(probs, outcome)
    return np.where(unknown, np.nan, ((P - onehot) ** 2).sum(axis=1))


def log_score_categorical(probs: ArrayLike, outcome: ArrayLike) -> Float:
    """``-ln p_y``; +inf when the outcome had probability 0.

    >>> log_score_categorical([[0.5, 0.25, 0.25]], [1]).round(6)
    array([1.386294])
    """
    P, idx, _, unknown = _categorical(probs, outcome)
    with np.errstate(divide="ignore"):
        return np.where(unknown, np.nan, -np.log(P[np.arange(len(idx)), idx]))


def spherical_score_categorical(probs: ArrayLike, outcome: ArrayLike) -> Float:
    """Spherical loss ``1 - p_y / ||p||``."""
    P, idx, _, unknown = _categorical(probs, outcome)
    return np.where(unknown, np.nan, 1 - P[np.arange(len(idx)), idx] / np.sqrt((P**2).sum(axis=1)))


def ranked_probability_score(probs: ArrayLike, outcome: ArrayLike, *, normalize: bool = True) -> Float:
    """Ranked probability score for ordered outcomes: ``sum_k (F_k - O_k)**2`` over the
    first K - 1 cumulative probabilities; divided by K - 1 when ``normalize`` (0-1 scale).

    >>> # F = (0.2, 0.5), O = (0, 1): 0.04 + 0.25 = 0.29, over K - 1 = 2
    >>> ranked_probability_score([[0.2, 0.3, 0.5]], [1])
    array([0.145])
    >>> ranked_probability_score([[0.2, 0.3, 0.5]], [1], normalize=False)
    array([0.29])
    """
    P, _, onehot, unknown = _categorical(probs, outcome)
    F = np.cumsum(P, axis=1)[:, :-1]
    O = np.cumsum(onehot, axis=1)[:, :-1]  # noqa: E741
    rps = ((F - O) ** 2).sum(axis=1)
    return np.where(unknown, np.nan, rps / (P.shape[1] - 1) if normalize else rps)


def pinball_loss(y_true: ArrayLike, quantile: ArrayLike, level: ArrayLike) -> Float:
    """Pinball (quantile) loss ``(1[y < q] - level) (q - y)``, broadcast over the arguments.

    >>> pinball_loss(10.0, [8.0, 12.0], [0.9, 0.9])   # 0.9 * 2 = 1.8; 0.1 * 2 = 0.2
    array([1.8, 0.2])
    """
    y, q, a = np.broadcast_arrays(*(np.asarray(v, dtype=float) for v in (y_true, quantile, level)))
    if np.any((a <= 0) | (a >= 1)):
        raise ValueError(f"level must be strictly between 0 and 1, got {a[(a <= 0) | (a >= 1)][0]}")
    return ((y < q).astype(float) - a) * (q - y)


def crps_from_quantiles(y_true: ArrayLike, quantiles: ArrayLike, levels: ArrayLike) -> Float:
    """CRPS approximated from quantiles: ``2 * sum_j w_j * pinball(y, q_j, a_j)``, with
    trapezoid weights ``w_j`` over the levels on [0, 1] (the CRPS is twice the integral
    of the pinball loss over all levels; Gneiting & Raftery 2007, JASA 102, Section 6).

    ``quantiles`` is (n, m), in the order of ``levels`` (m increasing levels). Level j
    stands for the part of [0, 1] nearer to it than to its neighbours, so the weights sum
    to 1; the approximation improves as levels are added.

    >>> crps_from_quantiles([0.0], [[0.0]], [0.5])
    array([0.])
    """
    a = np.asarray(levels, dtype=float)
    if a.ndim != 1 or np.any(np.diff(a) <= 0):
        raise ValueError("levels must be a 1-d increasing sequence")
    Q = np.atleast_2d(np.asarray(quantiles, dtype=float))
    if Q.ndim != 2 or Q.shape[1] != a.size:
        raise ValueError(f"quantiles must have one column per level: shape {Q.shape} for {a.size} level(s)")
    y_checked = column("y_true", y_true)
    if y_checked.size != Q.shape[0]:
        raise ValueError(f"y_true and quantiles must have the same length: y_true has {y_checked.size}, "
                         f"quantiles has {Q.shape[0]} row(s)")
    edges = np.concatenate([[0.0], (a[1:] + a[:-1]) / 2, [1.0]])
    weights = np.diff(edges)
    y = np.asarray(y_true, dtype=float).reshape(-1, 1)
    return 2 * (pinball_loss(y, Q, a[None, :]) * weights).sum(axis=1)


def interval_score(y_true: ArrayLike, lower: ArrayLike, upper: ArrayLike, *, alpha: float) -> Float:
    """Interval score of a central (1 - alpha) interval (Gneiting & Raftery 2007, JASA 102, Section 6.2):
    ``(u - l) + 2/alpha (l - y) 1[y < l] + 2/alpha (y - u) 1[y > u]``.

    >>> interval_score([5, 0, 12], 2, 10, alpha=0.2)   # 8; 8 + 10*2; 8 + 10*2
    array([ 8., 28., 28.])
    """
    if not 0 < alpha < 1:
        raise ValueError(f"alpha must be strictly between 0 and 1, got {alpha}")
    y, lo, hi = _interval_arrays(y_true, lower, upper)
    return (hi - lo) + 2 / alpha * np.clip(lo - y, 0, None) + 2 / alpha * np.clip(y - hi, 0, None)


def interval_coverage(y_true: ArrayLike, lower: ArrayLike, upper: ArrayLike) -> NDArray[np.bool_]:
    """Whether each outcome fell inside its interval (ends included).

    >>> interval_coverage([1, 5], 0, 2)
    array([ True, False])
    """
    y, lo, hi = _interval_arrays(y_true, lower, upper)
    return (lo <= y) & (y <= hi)


def _interval_arrays(y_true: ArrayLike, lower: ArrayLike, upper: ArrayLike) -> tuple[Float, Float, Float]:
    y, lo, hi = column("y_true", y_true), column("lower", lower), column("upper", upper)
    same_length(y_true=y, lower=lo, upper=hi)
    y, lo, hi = np.broadcast_arrays(y, lo, hi)
    if np.any(lo > hi):
        raise ValueError(f"lower must not be above upper, got lower {lo[lo > hi][0]:g} and upper {hi[lo > hi][0]:g}")
    return y, lo, hi


ScoreName = Literal["brier", "log", "spherical", "misclassification"]
BINARY_RULES = {
    "brier": brier_score, "log": log_score, "spherical": spherical_score, "misclassification": misclassification,
}
