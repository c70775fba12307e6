"""Load forecasting with honest intervals, and its backtest.

- ``series``: read ``timestamp,value`` (CSV/Parquet) onto a regular grid with explicit gaps.
- ``LoadForecaster`` (``load``): trend + daily/weekly/yearly seasonality + adaptive level,
  variant chosen and 80%/95% intervals calibrated by out-of-sample error.
- ``backtest``: rolling origin, MASE, sMAPE, coverage, MSIS next to seasonal naive.
- ``frames``: the same on polars frames, for the CLI and other engine modules.
"""

from forecaster.forecast.backtest import backtest
from forecaster.forecast.frames import FORECAST_COLUMNS, backtest_series, forecast_series
from forecaster.forecast.load import LoadForecaster
from forecaster.forecast.series import read_series

__all__ = [
    "FORECAST_COLUMNS",
    "LoadForecaster",
    "backtest",
    "backtest_series",
    "forecast_series",
    "read_series",
]
