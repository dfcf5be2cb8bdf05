"""Calibration against real data and an independent implementation, plus identities."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from forecastbook.calibration import decompose, expected_calibration_error, murphy_decomposition, reliability
from conftest import shared_path


def _refdata():
    """(name, y, p) for every forecaster in the Niamey and solar-flare data."""
    out = []
    niamey = pd.read_csv(shared_path("refdata", "calibration", "precip_Niamey_2016.csv"))
    for col in ("Logistic", "EMOS", "ENS", "EPC"):
        out.append((f"niamey-{col}", niamey["obs"].to_numpy(float), niamey[col].to_numpy(float)))
    for name in ("C1_flares.csv", "M1_flares.csv"):
        flares = pd.read_csv(shared_path("refdata", "calibration", name))
        for col in flares.columns.drop("y"):
            keep = flares[col].notna()
            out.append((f"{name[:2]}-{col}", flares.loc[keep, "y"].to_numpy(float), flares.loc[keep, col].to_numpy(float)))
    return out


@pytest.fixture(scope="module")
def refdata():
    return _refdata()


@pytest.mark.parametrize(("score", "md_name"), [("brier", "SquaredError"), ("log", "LogLoss")])
def test_corp_decomposition_agrees_with_model_diagnostics(refdata, score, md_name):
    md = pytest.importorskip("model_diagnostics.scoring")
    rule = getattr(md, md_name)()
    checked = 0
    for name, y, p in refdata:
        ours = decompose(y, p, score=score)
        theirs = md.decompose(y_obs=y, y_pred=p, scoring_function=rule).row(0, named=True)
        for field in ("score", "miscalibration", "discrimination", "uncertainty"):
            a, b = getattr(ours, field), theirs[field]
            if np.isinf(a) or np.isinf(b):
                assert a == b, (name, field)  # a confident miss: both infinite
            else:
                assert abs(a - b) <= 1e-9, (name, field, a, b)
        checked += 1
    assert checked == 4 + 9 + 17


@pytest.mark.parametrize("score", ["brier", "log", "spherical", "misclassification"])
def test_corp_identity_on_real_data(refdata, score):
    for name, y, p in refdata:
        d = decompose(y, p, score=score)
        if np.isfinite(d.score):
            assert d.score == pytest.approx(d.miscalibration - d.discrimination + d.uncertainty, abs=1e-12), name
            assert d.miscalibration >= -1e-12 and d.discrimination >= -1e-12, name
        else:
            assert np.isinf(d.miscalibration) and np.isfinite(d.discrimination)


def test_niamey_ens_brier_decomposition_by_the_numbers(refdata):
    """The ENS forecast of the Niamey data (reliabilitydiag's example), to four places."""
    _, y, p = next(r for r in refdata if r[0] == "niamey-ENS")
    d = decompose(y, p)
    assert (round(d.score, 4), round(d.miscalibration, 4), round(d.discrimination, 4), round(d.uncertainty, 4)) == (
        0.2662, 0.0661, 0.0441, 0.2442)
    assert d.n == 92


def test_corp_recalibration_matches_sklearn_isotonic(refdata):
    iso = pytest.importorskip("sklearn.isotonic")
    for name, y, p in refdata[:4]:
        table = reliability(y, p)
        fitted = iso.IsotonicRegression(out_of_bounds="clip").fit(p, y).predict(table["forecast"])
        np.testing.assert_allclose(table["calibrated"], fitted, atol=1e-12, err_msg=name)
        assert table["n"].sum() == len(y)
        # the PAV bins: one recalibrated value each, bins numbered in order of the forecast
        assert (table.groupby("bin")["calibrated"].nunique() == 1).all()
        assert table["bin"].is_monotonic_increasing and table["bin"].iloc[0] == 0


def test_a_calibrated_forecaster_stays_inside_its_consistency_band():
    rng = np.random.default_rng(11)
    p = rng.random(800)
    y = (rng.random(800) < p).astype(float)
    table = reliability(y, p, band="consistency", seed=5, n_resamples=200)
    assert table["band_method"].iloc[0] == "resampling_200"
    inside = (table["calibrated"] >= table["lower"] - 1e-12) & (table["calibrated"] <= table["upper"] + 1e-12)
    assert inside.mean() > 0.8
    # an overconfident forecaster (p pushed away from 1/2) falls outside at the ends
    q = np.clip(0.5 + 1.8 * (p - 0.5), 0, 1)
    table_q = reliability(y, q, band="consistency", seed=5, n_resamples=200)
    outside = (table_q["calibrated"] < table_q["lower"]) | (table_q["calibrated"] > table_q["upper"])
    assert outside.mean() > 0.3


def test_bands_are_reproducible_with_a_seed_and_use_asymptotics_for_large_n():
    rng = np.random.default_rng(2)
    p = rng.random(300)
    y = (rng.random(300) < p).astype(float)
    a = reliability(y, p, band="confidence", seed=9)
    b = reliability(y, p, band="confidence", seed=9)
    pd.testing.assert_frame_equal(a, b)
    p_big = rng.random(20_000)
    y_big = (rng.random(20_000) < p_big).astype(float)
    assert reliability(y_big, p_big, band="consistency")["band_method"].iloc[0] == "continuous_asymptotics"
    p_few = np.round(p_big, 1)
    assert reliability(y_big, p_few, band="consistency")["band_method"].iloc[0] == "discrete_asymptotics"


def test_binned_reliability_counts_and_intervals():
    y = np.array([0, 0, 1, 1, 1, 0, 1, 1, 1, 1])
    p = np.array([0.05, 0.15, 0.15, 0.45, 0.55, 0.55, 0.85, 0.95, 0.95, 0.95])
    table = reliability(y, p, method="uniform", n_bins=5)
    # bins of width 0.2; [0.2, 0.4) and [0.6, 0.8) are empty and left out
    assert table["n"].tolist() == [3, 3, 4]
    assert table["bin_lower"].tolist() == pytest.approx([0.0, 0.4, 0.8])
    assert table["observed"].tolist() == pytest.approx([1 / 3, 2 / 3, 1.0])
    assert table["mean_forecast"].tolist() == pytest.approx([0.35 / 3, 1.55 / 3, 3.7 / 4])
    assert table["binning"].iloc[0] == "uniform-5"
    # Wilson 90% interval for 2 of 3: centre (2 + z^2/2)/(3 + z^2), z = 1.6449
    z = 1.6448536269514722
    centre = (2 + z**2 / 2) / (3 + z**2)
    half = z / (3 + z**2) * np.sqrt(2 * 1 / 3 + z**2 / 4)
    row = table.iloc[1]
    assert (row["lower"], row["upper"]) == pytest.approx((centre - half, centre + half))
    jeff = reliability(y, p, method="uniform", n_bins=5, interval="jeffreys")
    assert jeff["upper"].iloc[2] == 1.0  # 4 of 4: the Jeffreys upper end is 1


def test_murphy_decomposition_is_exact_and_ece_names_its_bins(refdata):
    for name, y, p in refdata:
        m = murphy_decomposition(y, p, n_bins=10)
        total = m["reliability"] - m["resolution"] + m["uncertainty"] + m["within_bin_variance"] - m["within_bin_covariance"]
        assert m["brier"] == pytest.approx(total, abs=1e-12), name
    e = expected_calibration_error(refdata[0][1], refdata[0][2], n_bins=5, binning="quantile")
    assert e["binning"] == "quantile-5" and 0 <= e["ece"] <= 1


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"y_true": [0, 1], "y_prob": [0.2]}, r"one length, got 2 and 1"),
    ({"y_true": [0, 2], "y_prob": [0.2, 0.3]}, r"y_true must be 0 or 1, got 2.0"),
    ({"y_true": [0, 1], "y_prob": [0.2, 1.3]}, r"y_prob must be between 0 and 1, got 1.3"),
    ({"y_true": [], "y_prob": []}, r"no forecasts to assess"),
    ({"y_true": [0, 1], "y_prob": [0.2, 0.3], "method": "bins"}, r"method must be 'corp', 'uniform' or 'quantile', got 'bins'"),
    ({"y_true": [0, 1], "y_prob": [0.2, 0.3], "band": "wide"}, r"band must be 'consistency', 'confidence' or None, got 'wide'"),
])
def test_reliability_errors(kwargs, message):
    with pytest.raises(ValueError, match=message):
        reliability(**kwargs)


@settings(max_examples=60, deadline=None)
@given(arrays(np.float64, 30, elements=st.sampled_from([0.0, 0.1, 0.3, 0.5, 0.7, 0.9, 1.0])),
       arrays(np.float64, 30, elements=st.sampled_from([0.0, 1.0])), st.randoms())
def test_decomposition_identity_and_order_invariance(p, y, rnd):
    d = decompose(y, p)
    assert d.score == pytest.approx(d.miscalibration - d.discrimination + d.uncertainty, abs=1e-12)
    order = list(range(30))
    rnd.shuffle(order)
    assert decompose(y[order], p[order]) == pytest.approx(d, abs=1e-14)


def test_a_perfect_forecast_has_no_miscalibration():
    y = np.array([0, 1, 1, 0, 1.0])
    d = decompose(y, y)
    assert d.score == 0 and d.miscalibration == 0 and d.discrimination == pytest.approx(d.uncertainty)


def test_sums_that_round_past_one_stay_valid():
    """Found by hypothesis: a base rate of 1 summed from pooled groups can round to 1 + 1e-16."""
    p = np.array([0.5, 0, 0, 0, 0.1, 0.1] + [0.3] * 24)
    d = decompose(np.ones(30), p)
    assert d.uncertainty == 0 and d.score == pytest.approx(d.miscalibration - d.discrimination)


def test_quantile_corp_decomposition_agrees_with_model_diagnostics():
    """Gneiting & Resin (2021) simulation of 0.1-quantile forecasts."""
    md = pytest.importorskip("model_diagnostics.scoring")
    from forecastbook.calibration import decompose_quantile

    data = pd.read_csv(shared_path("refdata", "calibration", "GR21_normal_quantile_alpha0.1.csv"))
    for column in ("y_unfocused", "y_recalibrated"):
        ours = decompose_quantile(data["y_obs"], data[column], level=0.1)
        theirs = md.decompose(y_obs=data["y_obs"].to_numpy(), y_pred=data[column].to_numpy(),
                              scoring_function=md.PinballLoss(level=0.1), functional="quantile", level=0.1).row(0, named=True)
        for field in ("score", "miscalibration", "discrimination", "uncertainty"):
            assert abs(getattr(ours, field) - theirs[field]) <= 1e-9, (column, field)


@settings(max_examples=60, deadline=None)
@given(arrays(np.float64, 25, elements=st.floats(-50, 50, allow_nan=False)),
       arrays(np.float64, 25, elements=st.sampled_from([-2.0, -1.0, 0.0, 0.5, 3.0])),
       st.sampled_from([0.1, 0.5, 0.9]))
def test_quantile_recalibration_is_monotone_and_never_worse(y, x, level):
    from forecastbook.calibration import decompose_quantile, isotonic_quantile

    fitted = isotonic_quantile(y, x, level=level)
    order = np.argsort(x, kind="stable")
    assert np.all(np.diff(fitted[order]) >= 0)
    d = decompose_quantile(y, x, level=level)
    assert d.miscalibration >= -1e-9 and d.discrimination >= -1e-9
    assert d.score == pytest.approx(d.miscalibration - d.discrimination + d.uncertainty, abs=1e-9)
