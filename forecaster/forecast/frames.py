"""Forecast and backtest on frames: what the CLI and other engine modules call.

``forecast_series`` turns a regular ``timestamp,value`` series (``read_series``) into the
forecast frame ``timestamp, mean, lo_80, hi_80, lo_95, hi_95`` (load units per step);
``backtest_series`` runs the rolling-origin evaluation on it.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from forecaster.errors import InputError
from forecaster.forecast.backtest import backtest, standard_windows
from forecaster.forecast.load import LoadForecaster
from forecaster.forecast.series import series_freq, values

FORECAST_COLUMNS: tuple[str, ...] = ("timestamp", "mean", "lo_80", "hi_80", "lo_95", "hi_95")


def _check_horizon(horizon: int) -> int:
    if isinstance(horizon, bool) or not isinstance(horizon, int | np.integer) or horizon < 1:
        raise InputError(f"horizon must be a whole number of steps, at least 1; got {horizon!r}")
    return int(horizon)


def forecast_series(
    series: pl.DataFrame, horizon: int, freq: str | None = None
) -> tuple[pl.DataFrame, LoadForecaster]:
    """Forecast ``horizon`` steps after the last timestamp of a regular series.

    Returns the frame (columns ``FORECAST_COLUMNS``) and the fitted forecaster (its
    ``config_``, ``periods_`` and ``inflate_`` say what was chosen and why).
    """
    horizon = _check_horizon(horizon)
    freq = freq or series_freq(series)
    model = LoadForecaster(freq=freq, horizon=horizon)
    model.fit(values(series), timestamps=series.get_column("timestamp"))
    return model.predict().select(FORECAST_COLUMNS), model


def backtest_series(
    series: pl.DataFrame, horizon: int, windows: int | None = None, freq: str | None = None
) -> dict:
    """Rolling-origin backtest of the forecaster against seasonal naive (see
    ``forecaster.forecast.backtest.backtest``), with the series' first and last timestamp.
    Without ``windows``, the benchmark's rule (``standard_windows``)."""
    horizon = _check_horizon(horizon)
    freq = freq or series_freq(series)
    y = values(series)
    if windows is None:
        windows = standard_windows(y.size, freq, horizon)
    result = backtest(y, freq, horizon, windows=windows)
    ts = series.get_column("timestamp")
    result["start"] = ts[0].isoformat()
    result["end"] = ts[-1].isoformat()
    return result
