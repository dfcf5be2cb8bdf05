"""Scoring rules: hand-computed values, published values, identities and properties."""

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from forecastbook import scoring as sc

unit = st.floats(0, 1, allow_nan=False)
inner = st.floats(0.001, 0.999, allow_nan=False)


# --- hand-computed, the arithmetic in comments -------------------------------------------

def test_brier_by_hand():
    # (0.8 - 1)^2 = 0.04; (0.8 - 0)^2 = 0.64; expected under q = 0.3: 0.3*0.04 + 0.7*0.64 = 0.46
    np.testing.assert_allclose(sc.brier_score([1, 0, 0.3], [0.8, 0.8, 0.8]), [0.04, 0.64, 0.46])


def test_log_by_hand():
    # -ln 0.8 = 0.22314355; -ln 0.2 = 1.60943791; a confident miss is +inf
    np.testing.assert_allclose(sc.log_score([1, 0, 1], [0.8, 0.8, 0.0]), [0.22314355, 1.60943791, np.inf], rtol=1e-8)
    assert sc.log_score([0], [0.0])[0] == 0.0  # 0 * inf counts as 0: the impossible did not happen


def test_spherical_by_hand():
    # ||(0.8, 0.2)|| = sqrt(0.68) = 0.82462113; 1 - 0.8/0.82462113 = 0.02985750; 1 - 0.2/0.82462 = 0.75746437
    np.testing.assert_allclose(sc.spherical_score([1, 0], [0.8, 0.8]), [0.0298575, 0.75746437], rtol=1e-6)


def test_categorical_rules_by_hand():
    p = [[0.6, 0.3, 0.1]]
    # Brier: (0.6-0)^2 + (0.3-1)^2 + (0.1-0)^2 = 0.36 + 0.49 + 0.01 = 0.86 (0-2 scale)
    np.testing.assert_allclose(sc.brier_score_categorical(p, [1]), [0.86])
    # log: -ln 0.3 = 1.2039728
    np.testing.assert_allclose(sc.log_score_categorical(p, [1]), [1.2039728], rtol=1e-7)
    # RPS: F = (0.6, 0.9), O = (0, 1): 0.36 + 0.01 = 0.37; normalised by K-1 = 2: 0.185
    np.testing.assert_allclose(sc.ranked_probability_score(p, [1], normalize=False), [0.37])
    np.testing.assert_allclose(sc.ranked_probability_score(p, [1]), [0.185])
    # spherical: ||p|| = sqrt(0.46) = 0.6782330; 0.3 / 0.6782330 = 0.4423259; 1 - that = 0.5576741
    np.testing.assert_allclose(sc.spherical_score_categorical(p, [1]), [0.5576741], rtol=1e-6)


def test_quantile_rules_by_hand():
    # y = 7, quantiles 5 (0.1), 6 (0.5), 10 (0.9):
    # pinball: (0 - 0.1)(5 - 7) = 0.2; (0 - 0.5)(6 - 7) = 0.5; (1 - 0.9)(10 - 7) = 0.3
    np.testing.assert_allclose(sc.pinball_loss(7, [5, 6, 10], [0.1, 0.5, 0.9]), [0.2, 0.5, 0.3])
    # weights from cell edges 0, 0.3, 0.7, 1: 0.3, 0.4, 0.3 -> 2 (0.06 + 0.2 + 0.09) = 0.7
    np.testing.assert_allclose(sc.crps_from_quantiles([7], [[5, 6, 10]], [0.1, 0.5, 0.9]), [0.7])
    # 80% interval [5, 10]: y = 7 -> 5; y = 12 -> 5 + (2/0.2)*2 = 25
    np.testing.assert_allclose(sc.interval_score([7, 12], 5, 10, alpha=0.2), [5, 25])
    assert sc.interval_coverage([7, 12], 5, 10).tolist() == [True, False]


def test_crps_from_many_quantiles_approaches_the_normal_closed_form():
    """Gneiting et al. (2005, Monthly Weather Review 133, eq. 5): CRPS of N(0, 1) at y is
    y (2 Phi(y) - 1) + 2 phi(y) - 1/sqrt(pi)."""
    from scipy import stats

    levels = np.linspace(0.0005, 0.9995, 1000)
    for y in (-1.5, 0.0, 0.7, 3.0):
        exact = y * (2 * stats.norm.cdf(y) - 1) + 2 * stats.norm.pdf(y) - 1 / math.sqrt(math.pi)
        approx = sc.crps_from_quantiles([y], [stats.norm.ppf(levels)], levels)[0]
        assert approx == pytest.approx(exact, abs=2e-3)


# --- published values -------------------------------------------------------------------

def test_metaculus_baseline_examples():
    """Metaculus Scores FAQ ("What is the Baseline score?"): a 90% forecast on a question
    that resolves Yes scores +84.8; a 10% forecast on it scores -232.2."""
    got = sc.metaculus_baseline_score([1, 1], [0.9, 0.1])
    assert got[0] == pytest.approx(84.79969065549501, abs=1e-9)
    assert got[1] == pytest.approx(-232.19280948873623, abs=1e-9)
    assert sc.metaculus_baseline_score([0], [0.5])[0] == 0.0


def test_metaculus_categorical_baseline_and_peer_sum_to_zero():
    # 3 outcomes, p = 1/3 on the one that happened: 100 log_3(1) = 0; p = 1: 100
    np.testing.assert_allclose(sc.metaculus_baseline_score(None, [1 / 3, 1.0], n_outcomes=3), [0, 100], atol=1e-12)
    f = pd.DataFrame({"question_id": ["a"] * 3 + ["b"] * 2, "forecaster": list("xyzxy"),
                      "p_outcome": [0.9, 0.4, 0.6, 0.2, 0.7]})
    peer = sc.metaculus_peer_score(f)
    assert peer.groupby(f["question_id"]).sum().abs().max() < 1e-9
    # question b: 100 (ln 0.2 - ln 0.7) = -125.2763
    assert peer.iloc[3] == pytest.approx(100 * math.log(0.2 / 0.7))


def test_skill_score_against_always_fifty_percent():
    y = np.array([1, 0, 1, 1])
    p = np.array([0.9, 0.2, 0.6, 0.7])
    # Brier: 0.01, 0.04, 0.16, 0.09 -> mean 0.075; always 50%: 0.25 -> skill 1 - 0.3 = 0.7
    assert sc.skill_score(sc.brier_score(y, p), sc.brier_score(y, np.full(4, 0.5))) == pytest.approx(0.7)


# --- identities and properties ------------------------------------------------------------

@pytest.mark.parametrize("rule", list(sc.BINARY_RULES.values()))
def test_perfect_binary_forecast_scores_zero(rule):
    assert np.all(rule([0, 1], [0.0, 1.0]) == 0)


def test_perfect_categorical_and_quantile_forecasts_score_zero():
    eye = np.eye(3)
    for rule in (sc.brier_score_categorical, sc.log_score_categorical, sc.spherical_score_categorical,
                 sc.ranked_probability_score):
        np.testing.assert_allclose(rule(eye, [0, 1, 2]), 0, atol=1e-12)
    assert sc.crps_from_quantiles([4.0], [[4.0, 4.0, 4.0]], [0.1, 0.5, 0.9])[0] == 0


def test_nan_policy():
    assert np.isnan(sc.brier_score([np.nan], [0.3])[0])
    assert np.isnan(sc.log_score([1], [np.nan])[0])
    assert np.isnan(sc.brier_score_categorical([[0.5, 0.5]], [np.nan])[0])


@pytest.mark.parametrize(("call", "message"), [
    (lambda: sc.brier_score([1], [1.3]), r"y_prob must be between 0 and 1, got 1.3"),
    (lambda: sc.log_score([2], [0.5]), r"y_true must be between 0 and 1, got 2.0"),
    (lambda: sc.brier_score_categorical([[0.5, 0.6]], [0]), r"must sum to 1, got 1.1"),
    (lambda: sc.brier_score_categorical([[0.5, 0.5]], [2]), r"outcome must be an index from 0 to 1, got 2"),
    (lambda: sc.pinball_loss(1, 1, 1.0), r"level must be strictly between 0 and 1, got 1.0"),
    (lambda: sc.interval_score(1, 0, 2, alpha=0), r"alpha must be strictly between 0 and 1, got 0"),
])
def test_errors_name_the_argument_and_value(call, message):
    with pytest.raises(ValueError, match=message):
        call()


@settings(max_examples=200, deadline=None)
@given(q=unit, p=unit)
@pytest.mark.parametrize("rule", [sc.brier_score, sc.log_score, sc.spherical_score])
def test_brier_log_and_spherical_are_proper(rule, q, p):
    """The expected score under q is minimised by reporting q."""
    honest = rule([q], [q])[0]
    other = rule([q], [p])[0]
    assert honest <= other + 1e-12


@settings(max_examples=100, deadline=None)
@given(arrays(np.float64, 20, elements=inner), arrays(np.int8, 20, elements=st.integers(0, 1)), st.randoms())
def test_scores_and_their_means_are_invariant_to_row_order(p, y, rnd):
    order = list(range(20))
    rnd.shuffle(order)
    for rule in sc.BINARY_RULES.values():
        a = rule(y, p)
        b = rule(y[order], p[order])
        np.testing.assert_array_equal(a[order], b)
        assert math.isclose(a.mean(), b.mean(), rel_tol=1e-12)


def test_summaries_count_what_they_leave_out():
    s = pd.DataFrame({"forecaster": ["a", "a", "a", "b"], "log": [0.2, np.inf, np.nan, 0.4],
                      "brier": [0.1, 0.3, np.nan, 0.2]})
    out = sc.summarize_scores(s).set_index("forecaster")
    assert out.loc["a", "log"] == pytest.approx(0.2)
    assert (out.loc["a", "log_inf"], out.loc["a", "log_nan"], out.loc["a", "log_n"]) == (1, 1, 1)
    # mean of the per-forecast scores equals the aggregate
    assert out.loc["a", "brier"] == pytest.approx(np.nanmean([0.1, 0.3]))


# --- time-averaged scores -------------------------------------------------------------------

def _slow_time_average(frame):
    """Readable reference: walk each day and score the forecast standing that day."""
    import datetime as dt

    out = {}
    for (qid, who), part in frame.groupby(["question_id", "forecaster"]):
        part = part.sort_values(["day", "at"])
        created, closes, outcome = part["created"].iloc[0], part["closes"].iloc[0], part["outcome"].iloc[0]
        scores = []
        day = max(part["day"].iloc[0], created)
        while day <= closes:
            standing = part[part["day"] <= day]
            if len(standing):
                scores.append(sc.brier_score([outcome], [standing["probability"].iloc[-1]])[0])
            day += dt.timedelta(days=1)
        days_open = (closes - created).days + 1
        out[(qid, who)] = (np.mean(scores) if scores else np.nan, len(scores) / days_open)
    return out


def _random_forecasts(rng, n_questions, n_forecasters, n_forecasts):
    import datetime as dt

    start = dt.date(2026, 1, 1)
    qi = rng.integers(0, n_questions, n_forecasts)
    created = np.array([start + dt.timedelta(days=int(d)) for d in rng.integers(0, 30, n_questions)])
    length = rng.integers(1, 60, n_questions)
    closes = np.array([c + dt.timedelta(days=int(n)) for c, n in zip(created, length)])
    offsets = rng.integers(-5, 70, n_forecasts)
    days = np.array([created[q] + dt.timedelta(days=int(o)) for q, o in zip(qi, offsets)])
    return pd.DataFrame({
        "question_id": [f"q{q}" for q in qi], "forecaster": [f"f{k}" for k in rng.integers(0, n_forecasters, n_forecasts)],
        "day": days, "at": pd.to_datetime(days) + pd.to_timedelta(rng.integers(0, 86400, n_forecasts), unit="s"),
        "probability": rng.random(n_forecasts), "outcome": rng.integers(0, 2, n_questions)[qi].astype(float),
        "created": created[qi], "closes": closes[qi],
    })


def test_time_averaged_score_agrees_with_the_day_by_day_reference():
    frame = _random_forecasts(np.random.default_rng(7), 15, 4, 200)
    fast = sc.time_averaged_scores(frame)
    slow = _slow_time_average(frame)
    # a pair appears once it has a forecast before close, which always covers at least a day
    assert set(zip(fast["question_id"], fast["forecaster"])) == {k for k, (_, cov) in slow.items() if cov > 0}
    for row in fast.itertuples():
        mean, coverage = slow[(row.question_id, row.forecaster)]
        assert row.coverage == pytest.approx(coverage)
        if np.isnan(mean):
            assert np.isnan(row.score)
        else:
            assert row.score == pytest.approx(mean)


def test_time_averaged_score_is_invariant_to_row_order():
    frame = _random_forecasts(np.random.default_rng(3), 10, 3, 120)
    a = sc.time_averaged_scores(frame)
    b = sc.time_averaged_scores(frame.sample(frac=1, random_state=1))
    pd.testing.assert_frame_equal(a, b)
