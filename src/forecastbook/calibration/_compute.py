"""Calibration of binary probability forecasts: CORP reliability and decomposition,
binned reliability with intervals, the Murphy decomposition, and ECE.

CORP (Dimitriadis, Gneiting & Jordan 2021, PNAS 118(8) e2016191118): the recalibrated
forecast is the isotonic (PAV) regression of the outcomes on the forecasts, ties pooled.
For a proper score S, with S_rc the score of the recalibrated forecasts and S_mg that of
the climatological forecast (the mean outcome),

    MCB = S - S_rc,  DSC = S_mg - S_rc,  UNC = S_mg,  so  S = MCB - DSC + UNC exactly.

Every score here is linear in the outcome, so each is computed from the pooled groups of
equal forecasts (their count and mean outcome): after one sort, the work is O(distinct
forecasts).
"""

from __future__ import annotations

from typing import Literal, NamedTuple

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray
from scipy import stats
from scipy.ndimage import gaussian_filter1d
from scipy.optimize import isotonic_regression

from ..scoring._rules import BINARY_RULES, ScoreName

__all__ = ["Decomposition", "decompose", "decompose_quantile", "isotonic_quantile", "reliability", "murphy_decomposition", "expected_calibration_error",
           "pooled_pav"]

Float = NDArray[np.float64]

# Quantiles of Chernoff's distribution at probability 0.50, 0.51, ..., 0.99, 0.991, ...,
# 0.999, 0.9999 (Groeneboom & Wellner 2001, "Computing Chernoff's distribution", Journal
# of Computational and Graphical Statistics 10(2), 388-400), as tabulated for the
# asymptotic consistency bands of the R package reliabilitydiag.
_CHERNOFF_P = np.concatenate([np.round(np.arange(0.50, 0.995, 0.01), 2),
                              [0.991, 0.992, 0.993, 0.994, 0.995, 0.996, 0.997, 0.998, 0.999, 0.9999]])
_CHERNOFF_Q = np.array([
    0.000000, 0.013187, 0.026383, 0.039595, 0.052830, 0.066096, 0.079402, 0.092757, 0.106168, 0.119645,
    0.133196, 0.146831, 0.160560, 0.174393, 0.188342, 0.202418, 0.216633, 0.230999, 0.245530, 0.260242,
    0.275151, 0.290274, 0.305629, 0.321238, 0.337123, 0.353308, 0.369821, 0.386694, 0.403959, 0.421656,
    0.439828, 0.458525, 0.477804, 0.497731, 0.518383, 0.539855, 0.562252, 0.585706, 0.610378, 0.636468,
    0.664235, 0.694004, 0.726216, 0.761477, 0.800658, 0.845081, 0.896904, 0.960057, 1.043030, 1.171530,
    1.189813, 1.209897, 1.232241, 1.257496, 1.286659, 1.321370, 1.364637, 1.423026, 1.516664, 1.784955,
])


def _chernoff_quantile(prob: float) -> float:
    return float(np.interp(prob, _CHERNOFF_P, _CHERNOFF_Q))


def _validate(y_true: ArrayLike, y_prob: ArrayLike) -> tuple[Float, Float]:
    from ..scoring._checks import column

    y = column("y_true", y_true)
    p = column("y_prob", y_prob)
    if y.shape != p.shape:
        raise ValueError(f"y_true and y_prob must have one length, got {y.size} and {p.size}")
    if y.size == 0:
        raise ValueError("no forecasts to assess: y_true and y_prob are empty")
    if np.isnan(y).any() or np.isnan(p).any():
        raise ValueError("y_true and y_prob must not hold NaN: drop unresolved forecasts first")
    if ((p < 0) | (p > 1)).any():
        raise ValueError(f"y_prob must be between 0 and 1, got {p[(p < 0) | (p > 1)][0]}")
    if not np.isin(y, (0.0, 1.0)).all():
        raise ValueError(f"y_true must be 0 or 1, got {y[~np.isin(y, (0.0, 1.0))][0]}")
    return y, p


class PooledPAV(NamedTuple):
    """Distinct forecasts ``x`` (sorted), their counts ``n``, mean outcomes ``observed``,
    the recalibrated (isotonic) values ``cep``, and the PAV blocks: their recalibrated
    values ``block_value`` and sizes ``block_n``."""

    x: Float
    n: NDArray[np.int64]
    observed: Float
    cep: Float
    block_value: Float
    block_n: Float
    block: NDArray[np.intp]


def pooled_pav(y: Float, p: Float) -> PooledPAV:
    """Isotonic regression of 0/1 outcomes ``y`` on forecasts ``p`` in [0, 1], ties pooled
    first (scipy's PAV does the regression).

    >>> r = pooled_pav(np.array([0., 1., 0., 1.]), np.array([0.2, 0.2, 0.6, 0.9]))
    >>> r.x.tolist(), r.cep.tolist()
    ([0.2, 0.6, 0.9], [0.3333333333333333, 0.3333333333333333, 1.0])
    """
    # One integer sort carries the outcome in the lowest bit: for floats >= 0 the order of
    # their bit patterns is their numeric order, and 2 * bits + 1 still fits in int64.
    key = (np.ascontiguousarray(p, dtype=np.float64) + 0.0).view(np.int64) << 1  # + 0.0 folds -0.0 into 0.0
    key |= (y > 0).astype(np.int64)
    key.sort()
    bits = key >> 1
    starts = np.flatnonzero(np.concatenate([[True], bits[1:] != bits[:-1]]))
    x = bits[starts].view(np.float64)
    n = np.diff(np.append(starts, key.size))
    observed = np.add.reduceat(key & 1, starts) / n
    fit = isotonic_regression(observed, weights=n.astype(float), increasing=True)
    cep = np.clip(fit.x, 0.0, 1.0)  # block means of 0/1 values; rounding may step past 1 by an ulp
    block = np.repeat(np.arange(fit.blocks.size - 1), np.diff(fit.blocks))
    return PooledPAV(x, n, observed, cep, cep[fit.blocks[:-1]], fit.weights, block)


class Decomposition(NamedTuple):
    """A CORP decomposition: ``score = miscalibration - discrimination + uncertainty``."""

    score: float
    miscalibration: float
    discrimination: float
    uncertainty: float
    n: int


def _decompose_pooled(pav: PooledPAV, score: ScoreName) -> Decomposition:
    rule = BINARY_RULES[score]
    total = pav.n.sum()
    weights = pav.n / total
    s = float(np.sum(weights * rule(pav.observed, pav.x)))
    # Within a PAV block the mean outcome equals the block's value.
    s_rc = float(np.sum(pav.block_n / total * rule(pav.block_value, pav.block_value)))
    base_rate = min(1.0, float(np.sum(weights * pav.observed)))
    s_mg = float(rule(base_rate, base_rate))
    return Decomposition(s, s - s_rc, s_mg - s_rc, s_mg, int(total))


def decompose(y_true: ArrayLike, y_prob: ArrayLike, *, score: ScoreName = "brier") -> Decomposition:
    """CORP decomposition of the mean score into miscalibration, discrimination and
    uncertainty, for the ``brier``, ``log``, ``spherical`` or ``misclassification`` score.

    The log score of a confident miss is infinite; then ``score`` and ``miscalibration``
    are infinite too (discrimination and uncertainty stay finite).

    >>> d = decompose([0, 1, 0, 1], [0.2, 0.2, 0.6, 0.9])
    >>> # S = (0.04 + 0.64 + 0.36 + 0.01) / 4 = 0.2625; recalibrated (1/3, 1/3, 1/3, 1):
    >>> # S_rc = (1/9 + 4/9 + 1/9 + 0) / 4 = 1/6; S_mg = 0.25
    >>> [round(v, 6) for v in d[:4]]
    [0.2625, 0.095833, 0.083333, 0.25]
    """
    if score not in BINARY_RULES:
        raise ValueError(f"score must be one of {sorted(BINARY_RULES)}, got {score!r}")
    y, p = _validate(y_true, y_prob)
    return _decompose_pooled(pooled_pav(y, p), score)


def _lower_quantile(sorted_values: Float, level: float) -> float:
    """The smallest v with F(v) >= level: one of the minimisers of the pinball loss."""
    k = max(int(np.ceil(level * sorted_values.size)) - 1, 0)
    return float(sorted_values[k])


def isotonic_quantile(y: ArrayLike, x: ArrayLike, *, level: float) -> Float:
    """Isotonic regression of ``y`` on ``x`` for the ``level``-quantile: pool adjacent
    violators, each block valued at its lower ``level``-quantile (ties in ``x`` pooled
    first). Returns the recalibrated value of each case, in the input order.

    Every choice of minimiser gives the same pinball loss, so the decomposition below
    does not depend on it.

    >>> isotonic_quantile([3.0, 1.0, 2.0, 5.0], [1.0, 2.0, 3.0, 4.0], level=0.5).tolist()
    [1.0, 1.0, 2.0, 5.0]
    """
    y = np.asarray(y, dtype=float)
    x = np.asarray(x, dtype=float)
    order = np.argsort(x, kind="stable")
    xs, ys = x[order], y[order]
    starts = np.flatnonzero(np.concatenate([[True], xs[1:] != xs[:-1]]))
    blocks: list[tuple[Float, float, int]] = []  # (sorted values, quantile, number of tie groups)
    for group in np.split(ys, starts[1:]):
        values = np.sort(group)
        q, groups = _lower_quantile(values, level), 1
        while blocks and blocks[-1][1] > q:
            previous, _, previous_groups = blocks.pop()
            values = np.sort(np.concatenate([previous, values]))
            q, groups = _lower_quantile(values, level), groups + previous_groups
        blocks.append((values, q, groups))
    sizes = np.diff(np.append(starts, xs.size))
    fitted_groups = np.concatenate([np.full(g, q) for _, q, g in blocks])
    fitted = np.empty_like(y)
    fitted[order] = np.repeat(fitted_groups, sizes)
    return fitted


def decompose_quantile(y_true: ArrayLike, y_pred: ArrayLike, *, level: float) -> Decomposition:
    """CORP decomposition of the mean pinball loss of ``level``-quantile forecasts
    (Gneiting & Resin 2021, arXiv:2108.03210): recalibration by isotonic quantile
    regression, the marginal ``level``-quantile as the reference; ``score =
    miscalibration - discrimination + uncertainty``.

    >>> d = decompose_quantile([1.0, 2.0, 3.0, 4.0], [1.0, 2.0, 3.0, 4.0], level=0.5)
    >>> d.score, d.miscalibration
    (0.0, 0.0)
    """
    from ..scoring import pinball_loss

    if not 0 < level < 1:
        raise ValueError(f"level must be strictly between 0 and 1, got {level}")
    from ..scoring._checks import column

    y = column("y_true", y_true)
    x = column("y_pred", y_pred)
    if y.shape != x.shape or y.size == 0 or np.isnan(y).any() or np.isnan(x).any():
        raise ValueError("y_true and y_pred must be non-empty, of one length, without NaN")
    s = float(np.mean(pinball_loss(y, x, level)))
    s_rc = float(np.mean(pinball_loss(y, isotonic_quantile(y, x, level=level), level)))
    s_mg = float(np.mean(pinball_loss(y, _lower_quantile(np.sort(y), level), level)))
    return Decomposition(s, s - s_rc, s_mg - s_rc, s_mg, int(y.size))


BandKind = Literal["consistency", "confidence"]
BandMethod = Literal["auto", "resampling", "discrete_asymptotics", "continuous_asymptotics"]


def _band_method(n: int, n_unique: int, band: BandKind) -> str:
    """reliabilitydiag's choice: resample small samples; asymptotics for large ones."""
    if band == "confidence" or n <= max(1000, min(5000, 50 * n_unique)):
        return "resampling"
    return "discrete_asymptotics" if n >= 8 * n_unique**2 else "continuous_asymptotics"


def _step_at(x_fit: Float, y_fit: Float, x_new: Float) -> Float:
    """The isotonic fit as a step function, read at ``x_new`` (before the first fitted
    point, the first value)."""
    idx = np.searchsorted(x_fit, x_new, side="right") - 1
    return y_fit[np.clip(idx, 0, None)]


def _resampled_band(p: Float, pav: PooledPAV, band: BandKind, level: float, n_resamples: int,
                    rng: np.random.Generator) -> tuple[Float, Float]:
    centre = pav.x if band == "consistency" else pav.cep
    draws = np.empty((n_resamples, pav.x.size))
    probs = pav.n / pav.n.sum()
    for b in range(n_resamples):
        pick = rng.choice(pav.x.size, size=p.size, p=probs)
        y_star = (rng.random(p.size) < centre[pick]).astype(float)
        fit = pooled_pav(y_star, pav.x[pick])
        draws[b] = _step_at(fit.x, fit.cep, pav.x)
    lower, upper = np.quantile(draws, [(1 - level) / 2, (1 + level) / 2], axis=0)
    return lower, upper


def _asymptotic_band(pav: PooledPAV, method: str, level: float) -> tuple[Float, Float]:
    x = pav.x
    if method == "discrete_asymptotics":
        half = stats.norm.ppf((1 + level) / 2) * np.sqrt(x * (1 - x) / pav.n)
    else:
        # Density of the forecasts on a 0.01 grid: a histogram smoothed with a Gaussian
        # kernel (reliabilitydiag uses a beta kernel; both only set the band's width).
        counts, _ = np.histogram(x, bins=100, range=(0, 1), weights=pav.n)
        density = gaussian_filter1d(counts / pav.n.sum() * 100, sigma=2, mode="reflect")
        grid = np.linspace(0.005, 0.995, 100)
        f = np.maximum(np.interp(x, grid, density), 1e-12)
        half = _chernoff_quantile((1 + level) / 2) * np.cbrt(4 * x * (1 - x) / (f * pav.n.sum()))
    return np.clip(x - half, 0, 1), np.clip(x + half, 0, 1)


def _corp_table(y: Float, p: Float, *, band: BandKind | None, level: float, n_resamples: int,
                seed: int | np.random.Generator | None, band_method: BandMethod) -> pd.DataFrame:
    pav = pooled_pav(y, p)
    table = pd.DataFrame({"bin": pav.block, "forecast": pav.x, "n": pav.n, "observed": pav.observed,
                          "calibrated": pav.cep})
    if band is None:
        return table
    if band not in ("consistency", "confidence"):
        raise ValueError(f"band must be 'consistency', 'confidence' or None, got {band!r}")
    method = _band_method(p.size, pav.x.size, band) if band_method == "auto" else band_method
    if method == "resampling":
        lower, upper = _resampled_band(p, pav, band, level, n_resamples, np.random.default_rng(seed))
        method = f"resampling_{n_resamples}"
    elif band == "consistency":
        lower, upper = _asymptotic_band(pav, method, level)
    else:
        raise ValueError("confidence bands are made by resampling; set band_method='resampling' or 'auto'")
    table["lower"], table["upper"] = lower, upper
    table["band"], table["band_method"], table["level"] = band, method, level
    return table


def _bins(p: Float, method: str, n_bins: int) -> tuple[NDArray[np.intp], Float]:
    if method == "uniform":
        edges = np.linspace(0, 1, n_bins + 1)
        # by arithmetic, not by the edges: linspace makes 0.30000000000000004 an edge, and a
        # forecast of exactly 0.3 must land in [0.3, 0.4) as a person expects
        idx = np.clip(np.floor(np.round(p * n_bins, 9)).astype(np.intp), 0, n_bins - 1)
        return idx, edges
    edges = np.unique(np.quantile(p, np.linspace(0, 1, n_bins + 1)))
    idx = np.clip(np.searchsorted(edges, p, side="right") - 1, 0, len(edges) - 2)
    return idx, edges


def _binomial_interval(k: Float, n: Float, level: float, kind: str) -> tuple[Float, Float]:
    if kind == "wilson":
        z = stats.norm.ppf((1 + level) / 2)
        centre = (k + z**2 / 2) / (n + z**2)
        half = z / (n + z**2) * np.sqrt(k * (n - k) / n + z**2 / 4)
        # exact at the ends (rounding could otherwise leave 1 - 1e-16 above an observed 1)
        return np.where(k == 0, 0.0, centre - half), np.where(k == n, 1.0, centre + half)
    if kind == "jeffreys":
        a = (1 - level) / 2
        lower = np.where(k == 0, 0.0, stats.beta.ppf(a, k + 0.5, n - k + 0.5))
        upper = np.where(k == n, 1.0, stats.beta.ppf(1 - a, k + 0.5, n - k + 0.5))
        return lower, upper
    raise ValueError(f"interval must be 'wilson' or 'jeffreys', got {kind!r}")


def _binned_table(y: Float, p: Float, *, method: str, n_bins: int, level: float, interval: str) -> pd.DataFrame:
    idx, edges = _bins(p, method, n_bins)
    nb = len(edges) - 1
    n = np.bincount(idx, minlength=nb).astype(float)
    k = np.bincount(idx, weights=y, minlength=nb)
    sp = np.bincount(idx, weights=p, minlength=nb)
    keep = n > 0
    lower, upper = _binomial_interval(k[keep], n[keep], level, interval)
    return pd.DataFrame({
        "bin": np.arange(nb)[keep], "bin_lower": edges[:-1][keep], "bin_upper": edges[1:][keep],
        "n": n[keep].astype(np.int64), "mean_forecast": sp[keep] / n[keep], "observed": k[keep] / n[keep],
        "lower": lower, "upper": upper, "interval": interval, "level": level,
        "binning": f"{method}-{n_bins}",
    })


def reliability(
    y_true: ArrayLike,
    y_prob: ArrayLike,
    *,
    method: Literal["corp", "uniform", "quantile"] = "corp",
    band: BandKind | None = None,
    level: float = 0.9,
    n_resamples: int = 100,
    seed: int | np.random.Generator | None = None,
    band_method: BandMethod = "auto",
    n_bins: int = 10,
    interval: Literal["wilson", "jeffreys"] = "wilson",
) -> pd.DataFrame:
    """A reliability table.

    ``method="corp"``: one row per distinct forecast, with columns ``bin`` (its PAV bin:
    the CORP binning, forecasts pooled to one recalibrated value), ``forecast, n,
    observed`` (the mean outcome at that forecast) and ``calibrated`` (the PAV
    recalibration, the CORP curve). With ``band="consistency"`` (where a calibrated
    forecaster's curve would fall) or ``"confidence"`` (where the true curve lies) it adds
    ``lower, upper, band, band_method, level``. The band is made as in reliabilitydiag:
    by resampling (``n_resamples`` draws from ``seed``) for small samples, and for large
    ones from asymptotic theory (normal for few distinct forecasts, Chernoff's
    distribution for many).

    ``method="uniform"`` or ``"quantile"``: ``n_bins`` bins of equal width or equal count,
    one row per non-empty bin: ``bin, bin_lower, bin_upper, n, mean_forecast, observed``,
    and a Wilson or Jeffreys interval ``lower, upper`` for the observed frequency at
    ``level``; ``binning`` names the scheme.

    >>> reliability([0, 1, 0, 1], [0.2, 0.2, 0.6, 0.9])[["forecast", "n", "calibrated"]].round(3)
       forecast  n  calibrated
    0       0.2  2       0.333
    1       0.6  1       0.333
    2       0.9  1       1.000
    """
    if not 0 < level < 1:
        raise ValueError(f"level must be strictly between 0 and 1, got {level}")
    y, p = _validate(y_true, y_prob)
    if method == "corp":
        return _corp_table(y, p, band=band, level=level, n_resamples=n_resamples, seed=seed, band_method=band_method)
    if method in ("uniform", "quantile"):
        if n_bins < 1:
            raise ValueError(f"n_bins must be at least 1, got {n_bins}")
        return _binned_table(y, p, method=method, n_bins=n_bins, level=level, interval=interval)
    raise ValueError(f"method must be 'corp', 'uniform' or 'quantile', got {method!r}")


def murphy_decomposition(y_true: ArrayLike, y_prob: ArrayLike, *, n_bins: int = 10,
                         binning: Literal["uniform", "quantile"] = "uniform") -> dict[str, float | str | int]:
    """Murphy's decomposition of the Brier score over bins, with the two within-bin terms
    of Stephenson, Coelho & Jolliffe (2008, Weather and Forecasting 23, 752-757) that make
    it exact: ``brier = reliability - resolution + uncertainty + within_bin_variance -
    within_bin_covariance``.

    >>> m = murphy_decomposition([0, 1, 1, 0], [0.1, 0.3, 0.8, 0.9], n_bins=2)
    >>> round(m["brier"], 6) == round(m["reliability"] - m["resolution"] + m["uncertainty"]
    ...     + m["within_bin_variance"] - m["within_bin_covariance"], 6)
    True
    """
    y, p = _validate(y_true, y_prob)
    idx, edges = _bins(p, binning, n_bins)
    nb = len(edges) - 1
    n = np.bincount(idx, minlength=nb).astype(float)
    safe = np.where(n > 0, n, 1)
    pbar = np.bincount(idx, weights=p, minlength=nb) / safe
    obar = np.bincount(idx, weights=y, minlength=nb) / safe
    base = y.mean()
    total = y.size
    return {
        "brier": float(np.mean((p - y) ** 2)),
        "reliability": float(np.sum(n * (pbar - obar) ** 2) / total),
        "resolution": float(np.sum(n * (obar - base) ** 2) / total),
        "uncertainty": float(base * (1 - base)),
        "within_bin_variance": float(np.sum((p - pbar[idx]) ** 2) / total),
        "within_bin_covariance": float(2 * np.sum((y - obar[idx]) * (p - pbar[idx])) / total),
        "binning": f"{binning}-{n_bins}",
        "n": int(total),
    }


def expected_calibration_error(y_true: ArrayLike, y_prob: ArrayLike, *, n_bins: int = 10,
                               binning: Literal["uniform", "quantile"] = "uniform") -> dict[str, float | str]:
    """ECE: the count-weighted mean of |mean forecast - observed frequency| over bins.
    It depends on the bins, so the result names them.

    >>> expected_calibration_error([0, 1], [0.25, 0.75], n_bins=2)   # (0.25 + 0.25) / 2
    {'ece': 0.25, 'binning': 'uniform-2'}
    """
    table = reliability(y_true, y_prob, method=binning, n_bins=n_bins)
    ece = float(np.sum(table["n"] * np.abs(table["mean_forecast"] - table["observed"])) / table["n"].sum())
    return {"ece": ece, "binning": f"{binning}-{n_bins}"}
