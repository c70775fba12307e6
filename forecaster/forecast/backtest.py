"""Rolling-origin backtest: MASE, sMAPE and interval coverage next to seasonal naive.

The last ``windows * horizon`` steps are cut into ``windows`` consecutive test windows.
For each, every model is fitted on all data before the window (expanding origin) and
forecasts the window; metrics are computed per window and averaged over windows:

- MASE: mean absolute error divided by the in-sample MAE of the seasonal naive forecast
  on that window's training data (Hyndman & Koehler 2006, lag = the primary season). Below
  1 beats the in-sample seasonal naive; the seasonal naive *forecast* itself scores near 1
  or above out of sample.
- sMAPE: 200 * mean(|y - f| / (|y| + |f|)), in percent (M4 definition).
- coverage_80 / coverage_95: share of actuals inside the 80% / 95% interval.
- msis_95: mean scaled interval score (M4), which charges width and misses alike, so a
  model cannot buy coverage with absurdly wide intervals unnoticed.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from datetime import timedelta

import numpy as np

from forecaster.errors import CannotFit
from forecaster.forecast.intervals import seasonal_naive_bounds
from forecaster.forecast.load import LoadForecaster
from forecaster.forecast.models import seasonal_naive
from forecaster.forecast.series import FREQ_STEP, primary_period

Model = Callable[[np.ndarray, int], dict[str, np.ndarray]]
"""A model for the backtest: (training values, horizon) -> mean, lo_80, hi_80, lo_95, hi_95."""

METRICS = ("mase", "smape", "coverage_80", "coverage_95", "msis_95")
MAX_WINDOWS = 30
MIN_TRAINING = timedelta(days=7)


def standard_windows(n: int, freq: str, horizon: int) -> int:
    """The benchmark's windows for a series of ``n`` steps: as many horizons as leave at
    least a week of training data before the first, at most ``MAX_WINDOWS`` (the last 30
    days of a 5-minute trace, seven of a two-week one). One rule for every trace, so no
    trace is judged only on its quiet days or only on its incident."""
    week = int(MIN_TRAINING / FREQ_STEP[freq])
    return int(max(1, min(MAX_WINDOWS, (n - week) // horizon)))


def load_model(freq: str, statsforecast: bool | str = "auto") -> Model:
    """The project's forecaster as a backtest model (``statsforecast``: whether its
    candidates include statsforecast's models, see ``LoadForecaster``)."""

    def run(train: np.ndarray, horizon: int) -> dict[str, np.ndarray]:
        model = LoadForecaster(freq=freq, horizon=horizon, statsforecast=statsforecast)
        pred = model.fit(train).predict()
        return {k: pred[k].to_numpy() for k in pred.columns if k != "timestamp"}

    return run


def seasonal_naive_model(period: int) -> Model:
    """Seasonal naive with its textbook intervals, as a backtest model."""

    def run(train: np.ndarray, horizon: int) -> dict[str, np.ndarray]:
        mean = seasonal_naive(train, period, horizon)
        return {"mean": mean, **seasonal_naive_bounds(train, mean, period)}

    return run


def mase_scale(train: np.ndarray, period: int) -> float:
    """In-sample MAE of the seasonal naive (lag ``period``) on ``train``; NaN-aware."""
    train = np.asarray(train, dtype=float)
    m = period if train.size > period + 1 else 1
    d = np.abs(train[m:] - train[:-m])
    scale = float(np.nanmean(d)) if np.isfinite(d).any() else np.nan
    return scale if scale > 0 else np.nan


def window_metrics(actual: np.ndarray, fc: dict[str, np.ndarray], scale: float) -> dict[str, float]:
    """Metrics of one forecast window against its actuals (NaN actuals ignored)."""
    ok = np.isfinite(actual)
    if not ok.any():
        return dict.fromkeys(METRICS, np.nan)
    y, f = actual[ok], fc["mean"][ok]
    err = np.abs(y - f)
    denom = np.abs(y) + np.abs(f)
    smape = float(np.mean(np.where(denom > 0, 200.0 * err / np.where(denom > 0, denom, 1), 0.0)))
    out = {"mase": float(np.mean(err) / scale), "smape": smape}
    for level in (80, 95):
        lo, hi = fc[f"lo_{level}"][ok], fc[f"hi_{level}"][ok]
        out[f"coverage_{level}"] = float(np.mean((y >= lo) & (y <= hi)))
    lo, hi, a = fc["lo_95"][ok], fc["hi_95"][ok], 0.05
    if not (np.isfinite(lo).any() or np.isfinite(hi).any()):  # a point forecast only
        return {**out, "coverage_80": np.nan, "coverage_95": np.nan, "msis_95": np.nan}
    score = (hi - lo) + (2 / a) * (lo - y) * (y < lo) + (2 / a) * (y - hi) * (y > hi)
    out["msis_95"] = float(np.mean(score) / scale)
    return out


def backtest(
    y: np.ndarray,
    freq: str,
    horizon: int,
    windows: int = 8,
    models: dict[str, Model] | None = None,
) -> dict:
    """Rolling-origin evaluation of ``models`` (default: ``load`` and ``seasonal_naive``).

    Returns ``{"freq", "horizon", "windows", "season_length", "n", "origins", "models":
    {name: {metric: value}}}``; metrics are means over windows. Fewer windows are used when
    the series is short; ``CannotFit`` if not even one fits after two seasons of training.
    """
    y = np.asarray(y, dtype=float)
    if horizon < 1:
        raise CannotFit(f"horizon must be at least 1 step, got {horizon}")
    if windows < 1:
        raise CannotFit(f"windows must be at least 1, got {windows}")
    period = primary_period(freq, y.size - horizon)
    min_train = max(2 * period, 16)
    usable = (y.size - min_train) // horizon
    n_windows = min(windows, usable)
    if n_windows < 1:
        raise CannotFit(
            f"series of {y.size} steps is too short to backtest a horizon of {horizon}: "
            f"need at least {min_train + horizon} steps"
        )
    if models is None:
        models = {"load": load_model(freq), "seasonal_naive": seasonal_naive_model(period)}
    origins = [y.size - (n_windows - i) * horizon for i in range(n_windows)]
    per_model: dict[str, list[dict[str, float]]] = {name: [] for name in models}
    for origin in origins:
        train, actual = y[:origin], y[origin : origin + horizon]
        scale = mase_scale(train, period)
        for name, model in models.items():
            fc = model(train, horizon)
            per_model[name].append(window_metrics(actual, fc, scale))
    with warnings.catch_warnings():  # a metric NaN in every window stays NaN
        warnings.simplefilter("ignore", RuntimeWarning)
        summary = {
            name: {m: float(np.nanmean([r[m] for r in rows])) for m in METRICS}
            for name, rows in per_model.items()
        }
    return {
        "freq": freq,
        "horizon": horizon,
        "windows": n_windows,
        "season_length": period,
        "n": int(y.size),
        "origins": origins,
        "models": summary,
    }
