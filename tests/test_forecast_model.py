"""The load forecaster on synthetic series with known truth: seasonality, trend, outliers,
level shifts, gaps, long horizons, and the shape of its output."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from forecaster.errors import CannotFit, InputError
from forecaster.forecast.load import LoadForecaster
from forecaster.forecast.models import seasonal_naive

KEYS = ("mean", "lo_80", "hi_80", "lo_95", "hi_95")


def daily_shape(t: np.ndarray) -> np.ndarray:
    """Requests per hour: a day/night cycle with a second harmonic."""
    return 100 + 30 * np.sin(2 * np.pi * t / 24) + 10 * np.cos(4 * np.pi * t / 24)


def hourly(n: int, noise: float = 3.0, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    t = np.arange(n, dtype=float)
    return t, daily_shape(t) + rng.normal(0, noise, n)


def mae(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.mean(np.abs(a - b)))


def test_a_daily_season_is_recovered_to_the_noise_level():
    t, y = hourly(24 * 21 + 24)
    pred = LoadForecaster("1h", 24).fit(y[:-24]).predict()
    assert mae(pred["mean"].to_numpy(), daily_shape(t[-24:])) < 1.5  # noise sigma 3


def test_a_weekly_pattern_on_top_of_the_daily_one_is_recovered():
    n = 24 * 7 * 6
    t = np.arange(n + 24, dtype=float)
    weekend = ((t // 24) % 7 >= 5).astype(float)
    truth = daily_shape(t) - 40 * weekend * (np.sin(np.pi * (t % 24) / 24) ** 2)
    y = truth + np.random.default_rng(1).normal(0, 2, t.size)
    model = LoadForecaster("1h", 24).fit(y[:n])
    assert [name for name, _ in model.periods_] == ["daily", "weekly"]
    assert mae(model.predict()["mean"].to_numpy(), truth[n:]) < 2.0


def test_a_linear_trend_is_extrapolated_when_it_measures_better():
    t = np.arange(24 * 28 + 72, dtype=float)
    truth = daily_shape(t) + 0.5 * t  # +12 requests per hour each day
    y = truth + np.random.default_rng(2).normal(0, 2, t.size)
    model = LoadForecaster("1h", 72).fit(y[:-72])
    assert model.config_.trend
    assert mae(model.predict()["mean"].to_numpy(), truth[-72:]) < 3.0


def test_multiplicative_seasonality_on_growing_load_is_forecast_well():
    t = np.arange(24 * 35 + 48, dtype=float)
    truth = np.exp(4 + 0.002 * t) * (1 + 0.5 * np.sin(2 * np.pi * t / 24))
    y = truth * np.exp(np.random.default_rng(3).normal(0, 0.02, t.size))
    pred = LoadForecaster("1h", 48).fit(y[:-48]).predict()
    assert mae(pred["mean"].to_numpy(), truth[-48:]) / truth[-48:].mean() < 0.03


def test_outliers_in_the_history_barely_move_the_forecast():
    t, y = hourly(24 * 21 + 24, seed=4)
    clean = LoadForecaster("1h", 24).fit(y[:-24]).predict()["mean"].to_numpy()
    dirty = y.copy()
    dirty[np.random.default_rng(5).choice(24 * 21, 25, replace=False)] += 500
    spiked = LoadForecaster("1h", 24).fit(dirty[:-24]).predict()["mean"].to_numpy()
    assert mae(spiked, clean) < 2.0
    assert mae(spiked, daily_shape(t[-24:])) < 2.5


@pytest.mark.parametrize("steps_since_shift", [6, 30, 200])
def test_after_a_level_shift_the_forecast_follows_the_new_level(steps_since_shift):
    n = 24 * 21
    t, y = hourly(n + 24, seed=6)
    shift_at = n - steps_since_shift
    y[shift_at:] += 60
    truth = daily_shape(t[n:]) + 60
    pred = LoadForecaster("1h", 24).fit(y[:n]).predict()
    assert mae(pred["mean"].to_numpy(), truth) < 8.0  # the unshifted forecast would be 60 off


def test_gaps_in_the_history_are_tolerated():
    t, y = hourly(24 * 21 + 24, seed=7)
    y[100:160] = np.nan  # two and a half days missing
    y[np.random.default_rng(8).choice(24 * 21, 40, replace=False)] = np.nan
    pred = LoadForecaster("1h", 24).fit(y[:-24]).predict()
    assert all(np.isfinite(pred[k].to_numpy()).all() for k in KEYS)
    assert mae(pred["mean"].to_numpy(), daily_shape(t[-24:])) < 2.0


def test_a_horizon_longer_than_the_history_still_forecasts_with_growing_intervals():
    rng = np.random.default_rng(9)
    y = 1000 + np.cumsum(rng.normal(0, 5, 120))  # 120 days of load, forecast 3 years
    pred = LoadForecaster("1d", 1095).fit(y).predict()
    width = pred["hi_80"].to_numpy() - pred["lo_80"].to_numpy()
    assert width.size == 1095 and np.isfinite(width).all()
    assert width[-1] > 3 * width[0]
    assert np.all(np.diff(width) >= -1e-9)


def test_a_short_monthly_series_falls_back_to_gaussian_intervals():
    y = np.array([10.0, 11, 12, 11, 13, 12, 14, 13, 15, 14])
    model = LoadForecaster("1mo", 12).fit(y)
    pred = model.predict()
    assert not model.empirical_
    assert (pred["hi_95"].to_numpy() > pred["hi_80"].to_numpy()).all()


@pytest.mark.parametrize("n", [0, 3, 7])
def test_fewer_than_eight_points_cannot_be_fitted(n):
    with pytest.raises(CannotFit, match="at least 8 observed points"):
        LoadForecaster("1d", 5).fit(np.arange(n, dtype=float))


@pytest.mark.parametrize("horizon", [0, -3, 2.5, True])
def test_the_horizon_must_be_a_positive_whole_number_of_steps(horizon):
    with pytest.raises(InputError, match="horizon"):
        LoadForecaster("1d", horizon).fit(np.arange(30, dtype=float))


def test_seasonal_naive_is_chosen_when_the_last_season_is_the_best_guide():
    # Each day's shape is random but repeats the day before exactly: only yesterday knows.
    rng = np.random.default_rng(10)
    day = rng.uniform(50, 150, 24)
    y = np.tile(day, 30) + np.repeat(rng.normal(0, 0.1, 30), 24)
    y[-24 * 3 :] = np.tile(rng.uniform(50, 150, 24), 3)  # the shape changed three days ago
    model = LoadForecaster("1h", 24).fit(y)
    assert model.config_.naive
    assert np.allclose(model.predict()["mean"].to_numpy(), seasonal_naive(y, 24, 24))


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    level=st.floats(0.0, 1e6),
    noise=st.floats(0.0, 50.0),
    n=st.integers(8, 24 * 10),
    horizon=st.integers(1, 48),
    seed=st.integers(0, 10_000),
)
def test_intervals_are_finite_nested_and_the_right_length(level, noise, n, horizon, seed):
    rng = np.random.default_rng(seed)
    y = level + noise * rng.standard_normal(n) + 0.1 * daily_shape(np.arange(n, dtype=float))
    pred = LoadForecaster("1h", horizon).fit(y).predict()
    for key in KEYS:
        assert pred[key].to_numpy().shape == (horizon,)
        assert np.isfinite(pred[key].to_numpy()).all()
    assert (pred["lo_95"].to_numpy() <= pred["lo_80"].to_numpy() + 1e-9).all()
    assert (pred["lo_80"].to_numpy() <= pred["mean"].to_numpy() + 1e-9).all()
    assert (pred["mean"].to_numpy() <= pred["hi_80"].to_numpy() + 1e-9).all()
    assert (pred["hi_80"].to_numpy() <= pred["hi_95"].to_numpy() + 1e-9).all()


def test_positive_load_keeps_positive_bounds_on_the_log_scale():
    t = np.arange(24 * 21 + 24, dtype=float)
    y = np.exp(1 + 0.8 * np.sin(2 * np.pi * t / 24)) * np.exp(
        np.random.default_rng(11).normal(0, 0.3, t.size)
    )
    model = LoadForecaster("1h", 24, log=True).fit(y[:-24])
    assert model.config_.log
    assert (model.predict()["lo_95"].to_numpy() > 0).all()


def test_growth_is_carried_through_a_three_year_daily_forecast():
    # Two years of daily load growing 0.05% a day with a weekly cycle: the TCO case.
    t = np.arange(730 + 1095, dtype=float)
    truth = 1e6 * (1 + 0.0005 * t) * (1 + 0.2 * np.sin(2 * np.pi * t / 7))
    y = truth * np.exp(np.random.default_rng(12).normal(0, 0.05, t.size))
    model = LoadForecaster("1d", 1095).fit(y[:730])
    pred = model.predict()
    assert model.config_.trend
    yearly_truth = truth[730:].reshape(3, 365).mean(axis=1)
    yearly_mean = pred["mean"].to_numpy().reshape(3, 365).mean(axis=1)
    assert yearly_mean == pytest.approx(yearly_truth, rel=0.05)
    assert (pred["lo_80"].to_numpy()[-7:] < truth[-7:]).all() and (
        truth[-7:] < pred["hi_80"].to_numpy()[-7:]
    ).all()


def test_a_short_monthly_series_with_a_clear_trend_extrapolates_it():
    y = 100 + 5 * np.arange(24.0) + np.random.default_rng(13).normal(0, 1, 24)
    pred = LoadForecaster("1mo", 12).fit(y).predict()
    assert pred["mean"].to_numpy()[-1] == pytest.approx(100 + 5 * 35, rel=0.05)
