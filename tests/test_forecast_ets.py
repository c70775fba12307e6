"""Exponential smoothing (forecaster.forecast.ets): the filter form equals the textbook
recursion, the search finds the parameters that made a series, and the trend is chosen by
AICc."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from forecaster.forecast import ets
from forecaster.forecast.candidates import exponential_smoothing


def recursion_sse(y, trend, alpha, beta, phi, x0):
    """The innovations recursion written out step by step (Hyndman et al. 2008, ch. 2)."""
    level, slope = x0[0], (x0[1] if trend != "N" else 0.0)
    p = 1.0 if trend == "A" else phi
    total = 0.0
    for v in y:
        yhat = level + p * slope
        e = v - yhat
        total += e * e
        level = yhat + alpha * e
        slope = p * slope + (beta * e if trend != "N" else 0.0)
    return total


@settings(max_examples=15, deadline=None)
@given(
    trend=st.sampled_from(ets.TRENDS),
    alpha=st.floats(0.01, 0.99),
    share=st.floats(0.01, 0.99),
    phi=st.floats(*ets.PHI_BOUNDS),
    seed=st.integers(0, 1000),
)
def test_the_filter_gives_the_errors_of_the_recursion_from_its_best_initial_state(
    trend, alpha, share, phi, seed
):
    y = np.cumsum(np.random.default_rng(seed).normal(0.2, 1.0, 120)) + 30.0
    sse, x0 = ets._sse(y, trend, alpha, alpha * share, phi)
    if not np.isfinite(sse):  # an unstable filter is refused, never scored
        return
    assert sse == pytest.approx(recursion_sse(y, trend, alpha, alpha * share, phi, x0), rel=1e-7)
    # least squares: no other initial state does better
    for dx in ([1.0, 0.0], [0.0, 0.1], [-0.5, -0.05]):
        moved = np.asarray(x0, dtype=float) + np.asarray(dx[: x0.size])
        assert recursion_sse(y, trend, alpha, alpha * share, phi, moved) >= sse - 1e-9


def test_a_local_level_series_is_fitted_without_a_trend_and_its_alpha_recovered():
    rng = np.random.default_rng(4)  # statsforecast's AutoETS picks ANN with alpha 0.428 here
    level = 100 + np.cumsum(rng.normal(0, 1.0, 400))
    y = level + rng.normal(0, 2.0, 400)  # local level: alpha about 0.39 for this noise ratio
    fit = ets.auto_ets(y)
    assert fit.trend == "N"
    assert fit.alpha == pytest.approx(0.428, abs=0.01)


def test_a_steady_trend_is_chosen_by_aicc_and_extrapolated():
    rng = np.random.default_rng(2)
    t = np.arange(300, dtype=float)
    y = 50 + 0.8 * t + rng.normal(0, 1.0, 300)
    fit = ets.auto_ets(y)
    assert fit.trend in ("A", "Ad")
    ahead = fit.forecast(10)
    truth = 50 + 0.8 * np.arange(300, 310)
    assert np.max(np.abs(ahead - truth)) < 6.0


def test_a_damped_trend_flattens():
    fit = ets.ETSFit("Ad", 0.5, 0.1, 0.9, level=10.0, slope=1.0, aicc=0.0)
    steps = np.diff(fit.forecast(40))
    assert np.all(steps > 0) and steps[-1] < 0.05 * steps[0]
    assert fit.forecast(200)[-1] == pytest.approx(10.0 + 0.9 / 0.1, rel=1e-3)


def test_the_candidates_reseasonalise_a_multiplicative_season_and_survive_short_or_flat_data():
    rng = np.random.default_rng(3)
    t = np.arange(120, dtype=float)
    season = 1 + 0.3 * np.sin(2 * np.pi * t / 12)
    y = 100 * np.exp(0.01 * t) * season * np.exp(rng.normal(0, 0.02, 120))
    cands = exponential_smoothing(12)
    truth = 100 * np.exp(0.01 * np.arange(120, 132)) * (1 + 0.3 * np.sin(2 * np.pi * t[:12] / 12))
    for name, fn in cands.items():
        ahead = fn(y, 12)
        assert np.mean(np.abs(ahead / truth - 1)) < 0.06, name
        # flat, short, zeros: a forecast, or no candidate at all (NaN: under three seasons)
        for odd in (np.full(10, 5.0), np.r_[np.zeros(5), np.ones(5)]):
            out = fn(odd, 3)
            assert np.all(np.isfinite(out)) or (name == "holt_winters" and np.isnan(out).all())


def test_an_evolving_season_is_followed_where_fixed_indices_lag_behind():
    # The season's shape turns over ten years: fixed indices average the old and new shapes,
    # the Holt-Winters states follow it.
    rng = np.random.default_rng(5)
    t = np.arange(132, dtype=float)
    turn = t / t[-1]
    season = 1 + 0.3 * ((1 - turn) * np.sin(2 * np.pi * t / 12) + turn * np.cos(2 * np.pi * t / 12))
    y = 200 * season * np.exp(rng.normal(0, 0.01, t.size))
    train, test = y[:120], y[120:]
    cands = exponential_smoothing(12)
    err = {name: float(np.mean(np.abs(fn(train, 12) - test))) for name, fn in cands.items()}
    assert err["holt_winters"] < 0.5 * err["damped"], err


@pytest.mark.parametrize("trend", ["N", "A", "Ad"])
def test_the_seasonal_model_is_the_arima_form_of_its_state_recursion(trend):
    # Innovations from the state recursion (any start) satisfy AR(B) y = MA(B) e once the
    # polynomials' memory has filled, which is what the conditional least squares fits.
    from scipy.signal import lfilter

    rng = np.random.default_rng(6)
    m, alpha, beta, gamma, phi = 4, 0.3, 0.05, 0.2, 0.9
    y = rng.normal(0, 1, 60) + np.tile([3.0, -1.0, 0.0, -2.0], 15) + 0.1 * np.arange(60)
    p = {"N": 0.0, "A": 1.0, "Ad": phi}[trend]
    level, slope, season = 1.0, 0.2 if trend != "N" else 0.0, [0.5, -0.5, 1.0, -1.0]
    errors = []
    for v in y:  # season[-1] is s_{t-m}
        e = v - (level + p * slope + season[-1])
        errors.append(e)
        level, slope = level + p * slope + alpha * e, p * slope + (beta * e if trend != "N" else 0)
        season = [season[-1] + gamma * e, *season[:-1]]
    ar, ma = ets._seasonal_polys(m, trend, alpha, beta, gamma, phi)
    d = ar.size
    assert np.allclose(lfilter(ar, [1.0], y)[d:], lfilter(ma, [1.0], errors)[d:])
    fit = ets.fit_seasonal(np.tile(y, 2), m, trend)
    assert fit is not None and np.all(np.isfinite(fit.forecast(8)))
