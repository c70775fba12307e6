"""Regime breaks: found where a recurring job stops or the level moves for good, not in
ordinary seasonal noise nor at a burst that is already over; and the forecaster uses the
data since a break only where that measured better."""

from __future__ import annotations

import numpy as np
import pytest

from forecaster.forecast.breaks import last_break
from forecaster.forecast.load import LoadForecaster
from forecaster.forecast.series import read_series, values
from tests.conftest import SHARED_DATA

DAY = 288  # 5-minute steps


def five_minute_load(days: int, seed: int) -> np.ndarray:
    """Requests per 5 minutes: a day/night cycle with Gaussian noise."""
    t = np.arange(days * DAY, dtype=float)
    rng = np.random.default_rng(seed)
    return 1000 + 300 * np.sin(2 * np.pi * t / DAY) + rng.normal(0, 20, t.size)


def hourly_job(y: np.ndarray, stop: int | None = None) -> np.ndarray:
    """A job adding 5,000 requests in the first 10 minutes of every hour, until ``stop``."""
    out = y.copy()
    job = (np.arange(y.size) % 12) < 2
    if stop is not None:
        job[stop:] = False
    out[job] += 5000
    return out


@pytest.mark.parametrize("seed", range(6))
def test_ordinary_seasonal_noise_has_no_break(seed):
    assert last_break(five_minute_load(10, seed), DAY, DAY // 4) is None


@pytest.mark.parametrize("seed", range(3))
def test_a_job_that_keeps_running_is_no_break(seed):
    assert last_break(hourly_job(five_minute_load(10, seed)), DAY, DAY // 4) is None


@pytest.mark.parametrize("steps_since", [DAY // 2, DAY, 3 * DAY])
def test_a_recurring_job_that_stops_is_a_break_where_it_stopped(steps_since):
    y = five_minute_load(10, seed=1)
    stop = y.size - steps_since
    found = last_break(hourly_job(y, stop=stop), DAY, DAY // 4)
    assert found is not None and abs(found - stop) <= 12  # within the job's hour


@pytest.mark.parametrize("steps_since", [DAY // 3, 2 * DAY, 6 * DAY])
def test_a_lasting_level_shift_is_a_break_where_it_moved(steps_since):
    y = five_minute_load(14, seed=2)
    y[-steps_since:] += 400
    found = last_break(y, DAY, DAY // 4)
    assert found is not None and abs(found - (y.size - steps_since)) <= 3


def test_a_burst_that_is_over_is_no_break():
    y = five_minute_load(10, seed=3)
    y[-DAY : -DAY // 2] += 2000  # half a day of extra load, ended half a day ago
    assert last_break(y, DAY, DAY // 4) is None


def test_a_new_regime_shorter_than_min_run_is_not_yet_a_break():
    y = five_minute_load(10, seed=4)
    y[-20:] += 400
    assert last_break(y, DAY, DAY // 4) is None


def test_gaps_are_tolerated():
    y = five_minute_load(10, seed=5)
    y[-DAY:] += 400
    y[np.random.default_rng(6).choice(y.size, 300, replace=False)] = np.nan
    found = last_break(y, DAY, DAY // 4)
    assert found is not None and abs(found - (y.size - DAY)) <= 3


def test_on_the_real_network_trace_the_break_is_where_the_hourly_transfer_stopped():
    """NAB ec2_network_in: a transfer spiking twice an hour runs for five and a half days
    and ends in a burst at steps 1640-1646 (2014-04-15 16:40-17:10 UTC), 372 steps before
    the first backtest origin."""
    path = SHARED_DATA / "traffic" / "nab-ec2_network_in_257a54.csv"
    if not path.exists():
        pytest.fail(f"{path} is missing: the shared test data sits beside the checkout")
    y = values(read_series(path))
    before, after = np.sum(y[1360:1640] > 1e6), np.sum(y[1650:2018] > 1e6)
    assert before >= 40 and after <= 8  # the stop itself: spikes over 1 MB per 5 minutes
    found = last_break(y[:2018], DAY, DAY // 4)
    assert found is not None and 1630 <= found <= 1650


@pytest.mark.parametrize("days_since", [2.5, 4.0])
def test_days_after_a_job_stops_the_forecast_drops_it(days_since):
    """Whichever variant measures best (since the break, or the last day repeated), the
    job is gone from the forecast. (Within two days of a break the data since it cannot
    show a daily shape yet; that variant then competes without one.)"""
    y = five_minute_load(9, seed=7)
    truth = y[-DAY:].copy()
    history = hourly_job(y[:-DAY], stop=y.size - DAY - int(days_since * DAY))
    pred = LoadForecaster("5m", DAY).fit(history).predict()
    assert (
        np.mean(np.abs(pred["mean"].to_numpy() - truth)) < 60
    )  # the job alone averages 833 per step
    inside = (truth >= pred["lo_80"].to_numpy()) & (truth <= pred["hi_80"].to_numpy())
    assert 0.6 <= inside.mean() <= 1.0


def test_on_the_real_network_trace_the_forecast_is_fitted_since_the_transfer_stopped():
    path = SHARED_DATA / "traffic" / "nab-ec2_network_in_257a54.csv"
    if not path.exists():
        pytest.fail(f"{path} is missing: the shared test data sits beside the checkout")
    y = values(read_series(path))
    model = LoadForecaster("5m", DAY).fit(y[:2018])
    assert model.config_.recent and 1630 <= model.break_ <= 1650
    pred = model.predict()
    assert np.nanmax(pred["mean"].to_numpy()) < 1e6  # the twice-hourly 3 MB spikes are not forecast


def test_without_a_break_the_whole_history_is_used():
    model = LoadForecaster("5m", DAY).fit(five_minute_load(8, seed=8))
    assert model.break_ is None
