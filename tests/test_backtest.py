"""Rolling-origin backtest: metrics checked by hand, window layout, and the claim on the
real traces (beats seasonal naive on MASE, 80% intervals hold 70-90% of actuals)."""

from __future__ import annotations

import numpy as np
import pytest

from forecaster.errors import CannotFit
from forecaster.forecast.backtest import backtest, mase_scale, standard_windows, window_metrics
from forecaster.forecast.series import read_series, values
from tests.conftest import SHARED_DATA

TRAFFIC = SHARED_DATA / "traffic"


def test_window_metrics_by_hand():
    actual = np.array([1.0, 2.0, 3.0, 4.0])
    fc = {
        "mean": np.array([1.0, 3.0, 3.0, 2.0]),
        "lo_80": np.array([0.0, 2.5, 2.0, 1.0]),
        "hi_80": np.array([2.0, 3.5, 4.0, 3.0]),
        "lo_95": np.array([0.0, 1.0, 2.0, 1.0]),
        "hi_95": np.array([2.0, 4.0, 4.0, 3.0]),
    }
    m = window_metrics(actual, fc, scale=2.0)
    assert m["mase"] == pytest.approx(0.75 / 2.0)  # MAE (0 + 1 + 0 + 2) / 4
    assert m["smape"] == pytest.approx(50.0 * (1 / 5 + 2 / 6))
    assert m["coverage_80"] == pytest.approx(0.5)  # 2.0 and 4.0 fall outside
    assert m["coverage_95"] == pytest.approx(0.75)
    # MSIS: mean width 2.25 plus (2 / 0.05) * 1.0 for the miss at 4.0, over 4 steps, / 2
    assert m["msis_95"] == pytest.approx((9.0 + 40.0) / 4 / 2.0)


def test_gaps_in_the_actuals_are_left_out_of_every_metric():
    actual = np.array([1.0, np.nan, 3.0])
    fc = {k: np.array([1.0, 100.0, 3.0]) for k in ("mean", "lo_80", "hi_80", "lo_95", "hi_95")}
    m = window_metrics(actual, fc, scale=1.0)
    assert m["mase"] == 0.0 and m["coverage_80"] == 1.0


@pytest.mark.parametrize(
    ("train", "period", "expected"),
    [([1.0, 2.0, 4.0, 7.0], 1, 2.0), ([1.0, 5.0, 2.0, 7.0, 4.0], 2, 5.0 / 3.0)],
)
def test_mase_scale_is_the_in_sample_seasonal_naive_mae(train, period, expected):
    assert mase_scale(np.array(train), period) == pytest.approx(expected)


def oracle(y: np.ndarray):
    """A model that knows the future: forecasts the next ``horizon`` actuals exactly."""

    def run(train: np.ndarray, horizon: int) -> dict[str, np.ndarray]:
        future = y[train.size : train.size + horizon]
        return {k: future for k in ("mean", "lo_80", "hi_80", "lo_95", "hi_95")}

    return run


def test_windows_are_the_last_horizons_with_expanding_training_data():
    y = np.random.default_rng(0).normal(100, 5, 24 * 10)
    seen: list[int] = []

    def spy(train, horizon):
        seen.append(train.size)
        return oracle(y)(train, horizon)

    result = backtest(y, "1h", 24, windows=3, models={"spy": spy, "oracle": oracle(y)})
    assert result["origins"] == [24 * 7, 24 * 8, 24 * 9] == seen
    assert result["models"]["oracle"] == {
        "mase": 0.0,
        "smape": 0.0,
        "coverage_80": 1.0,
        "coverage_95": 1.0,
        "msis_95": 0.0,
    }


def test_a_short_series_uses_fewer_windows():
    y = np.random.default_rng(1).normal(100, 5, 24 * 4)
    assert backtest(y, "1h", 24, windows=8)["windows"] == 2  # two days kept for training


def test_a_series_too_short_for_one_window_cannot_be_backtested():
    with pytest.raises(CannotFit, match="too short to backtest a horizon of 24"):
        backtest(np.arange(30.0), "1h", 24)


def test_seasonal_naive_is_in_the_same_run_on_the_same_windows():
    t = np.arange(24 * 12, dtype=float)
    y = 100 + 20 * np.sin(2 * np.pi * t / 24) + np.random.default_rng(2).normal(0, 3, t.size)
    result = backtest(y, "1h", 24, windows=4)
    assert set(result["models"]) == {"load", "seasonal_naive"}
    assert result["season_length"] == 24
    assert result["models"]["load"]["mase"] < result["models"]["seasonal_naive"]["mase"]


# Native grain, one day ahead (30 days for the daily series), on the benchmark's windows
# (``standard_windows``: the last 30 horizons, or as many as leave a week of training).
REAL = [
    ("nab-elb_request_count_8c0756.csv", 288),
    ("nab-ec2_cpu_utilization_5f5533.csv", 288),
    ("nab-ec2_network_in_257a54.csv", 288),
    ("nab-rds_cpu_utilization_e47b3b.csv", 288),
    ("nab-cpu_utilization_asg_misconfiguration.csv", 288),
    ("nab-nyc_taxi.csv", 48),
    ("wikipedia-peyton-manning-log-daily.csv", 30),
]


@pytest.mark.parametrize(("name", "horizon"), REAL)
def test_on_real_traces_the_forecast_beats_seasonal_naive_with_honest_intervals(name, horizon):
    path = TRAFFIC / name
    if not path.exists():
        pytest.fail(f"{path} is missing: the shared test data sits beside the checkout")
    series = read_series(path)
    y, freq = values(series), _native(series)
    result = backtest(y, freq, horizon, windows=standard_windows(y.size, freq, horizon))
    load, naive = result["models"]["load"], result["models"]["seasonal_naive"]
    assert load["mase"] < naive["mase"]
    assert 0.70 <= load["coverage_80"] <= 0.90
    assert 0.85 <= load["coverage_95"] <= 1.0


@pytest.mark.parametrize(
    ("n", "freq", "horizon", "expected"),
    [(4032, "5m", 288, 7), (18050, "5m", 288, 30), (10320, "30m", 48, 30), (100, "1d", 30, 3)],
)
def test_standard_windows_leave_a_week_of_training_and_stop_at_30(n, freq, horizon, expected):
    assert standard_windows(n, freq, horizon) == expected


def _native(series) -> str:
    from forecaster.forecast.series import series_freq

    return series_freq(series)
