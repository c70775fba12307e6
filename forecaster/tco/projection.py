"""Monthly cost forecasts by Monte Carlo: load forecast paths through each workload's
fitted cost curve, so the bands carry both load and curve-parameter uncertainty.

Per workload: the daily load is forecast with intervals (``forecaster.forecast``); each
sample path is the forecast mean moved by one standard-normal draw scaled to the 80%
interval on that side (forecast errors over months are dominated by level and trend, so
a path stays high or low: a conservative, fully correlated choice for monthly sums); the
path goes through ``CostCurve.sample_paths`` (one bootstrap parameter set per path
plus daily noise, with the fitted efficiency drift continuing). Cost no workload claims is
forecast on its own, by time, per currency, from its daily series (``simulate_unclaimed``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache

import numpy as np
import polars as pl

from forecaster.curves.findings import excess_at
from forecaster.errors import CannotFit
from forecaster.forecast.load import LoadForecaster
from forecaster.months import first_of_month_after
from forecaster.portfolio import WorkloadFit
from forecaster.timeonly.forecast import forecast_days

Z80 = 1.2815515655446004


@dataclass
class Horizon:
    """The forecast days and their calendar months."""

    days: list[date]
    months: list[str]  # YYYY-MM labels, in order
    month_of_day: np.ndarray  # (D,) index into months

    @classmethod
    def after(cls, last_day: date, n_months: int) -> Horizon:
        first = last_day + timedelta(days=1)
        end = first_of_month_after(first, n_months)
        days = [first + timedelta(days=i) for i in range((end - first).days)]
        labels = [f"{d.year:04d}-{d.month:02d}" for d in days]
        months = list(dict.fromkeys(labels))
        index = {m: i for i, m in enumerate(months)}
        return cls(days, months, np.array([index[x] for x in labels]))

    def month_index(self, month: str | None) -> int:
        """Index of ``month`` in the horizon (0 when None or before it; len when after)."""
        if month is None or month <= self.months[0]:
            return 0
        if month in self.months:
            return self.months.index(month)
        return len(self.months)


def comonotone_paths(fc: dict[str, np.ndarray], z: np.ndarray) -> np.ndarray:
    """(S, D) paths: mean + z * (80% half-width on z's side / z80), at least 0."""
    up = (fc["hi_80"] - fc["mean"]) / Z80
    down = (fc["mean"] - fc["lo_80"]) / Z80
    width = np.where(z[:, None] >= 0, up[None, :], down[None, :])
    return np.maximum(fc["mean"][None, :] + z[:, None] * width, 0.0)


def growth_factor(mean: np.ndarray, annual: float) -> np.ndarray:
    """Per-day factor that swaps the forecast's own trend for ``annual`` growth.

    The forecast's growth is the slope of log(mean) against days (its seasonality averages
    out over the horizon); the factor is exp((log(1 + annual) / 365 - slope) * t).
    """
    t = np.arange(1, mean.size + 1, dtype=float)
    slope = np.polyfit(t, np.log(np.maximum(mean, 1e-9)), 1)[0] if mean.size > 1 else 0.0
    return np.exp((np.log1p(annual) / 365.0 - slope) * t)


@dataclass
class WorkloadPaths:
    """Simulated daily load and cost of one workload, (S, D) each."""

    name: str
    currency: str | None
    load: np.ndarray
    cost: np.ndarray
    excess: np.ndarray
    fixed: float


def forecast_daily_load(fit: WorkloadFit, n_days: int) -> dict[str, np.ndarray]:
    """The workload's daily load forecast (mean, lo_80, hi_80, lo_95, hi_95) for n_days.

    Cached by the load history itself, so what-if runs on the same data (the dashboard's
    scenario controls) forecast each workload once. Treat the arrays as read-only.
    """
    frame = fit.frame.filter(pl.col("load").is_not_null()).sort("period_start")
    y = frame["load"].to_numpy().astype(float)
    return _forecast(y.tobytes(), n_days)


@lru_cache(maxsize=512)
def _forecast(history: bytes, n_days: int) -> dict[str, np.ndarray]:
    y = np.frombuffer(history, dtype=float)
    return LoadForecaster(freq="1d", horizon=n_days).fit(y).predict()


def simulate_workload(
    fit: WorkloadFit,
    horizon: Horizon,
    z: np.ndarray,
    seed: int,
    growth: float | None = None,
    load_forecast: dict[str, np.ndarray] | None = None,
) -> WorkloadPaths:
    """Daily load and cost paths; ``growth`` (annual) replaces the forecast's trend."""
    if fit.curve is None:
        raise CannotFit(f"workload {fit.name}: no fitted cost curve ({fit.summary.get('reason')})")
    n_days = len(horizon.days)
    fc = load_forecast or forecast_daily_load(fit, n_days)
    paths = comonotone_paths(fc, z)
    if growth is not None:
        paths = paths * growth_factor(fc["mean"], growth)[None, :]
    rng = np.random.default_rng(seed)
    days_ahead = np.arange(1, n_days + 1, dtype=float)
    cost = fit.curve.sample_paths(paths, rng, days_ahead=days_ahead)
    excess = np.asarray(excess_at(fit.curve, paths), dtype=float) * np.ones_like(paths)
    return WorkloadPaths(fit.name, fit.currency, paths, cost, excess, float(fit.curve.fixed_))


def simulate_unclaimed(
    daily: pl.DataFrame, horizon: Horizon, z: np.ndarray
) -> tuple[np.ndarray, str]:
    """(S, M) monthly cost forecast by time alone (the cost no workload claims, or the whole
    bill without workloads) and how it was forecast.

    ``daily``: ``day`` (date), ``cost`` of one currency up to the horizon's start (null on
    days without a bill). The forecast is ``forecaster.timeonly.forecast_days``, the
    project's one time-only cost forecast; each path moves every day by the same draw
    (comonotone, as the workloads' load paths). With too little history (under a fitting
    minimum of observed days), the mean day of what there is, with its spread.
    """
    frame = daily.sort("day")
    days = frame["day"].to_list()
    y = frame["cost"].cast(pl.Float64).fill_null(np.nan).to_numpy()
    n_days = len(horizon.days)
    try:
        if not days:
            raise CannotFit("no billed day")
        ahead = max((horizon.days[-1] - days[-1]).days, 1)
        fc = forecast_days(days, y, ahead)
        by_day = dict(zip(fc.days, zip(fc.p10, fc.p50, fc.p90, strict=True), strict=True))
        rows = np.array([by_day.get(d, (0.0, 0.0, 0.0)) for d in horizon.days])
        lo, mean, hi = rows[:, 0], rows[:, 1], rows[:, 2]
        method = fc.method
    except CannotFit:
        seen = y[np.isfinite(y)]
        avg = float(seen.mean()) if seen.size else 0.0
        spread = float(np.std(seen)) * Z80 if seen.size > 1 else abs(avg) * 0.1
        mean = np.full(n_days, avg)
        lo, hi = mean - spread, mean + spread
        method = f"mean of the {seen.size} billed day(s) (too little history to forecast)"
    up = (hi - mean) / Z80
    down = (mean - lo) / Z80
    width = np.where(z[:, None] >= 0, up[None, :], down[None, :])
    paths = mean[None, :] + z[:, None] * width
    n_months = len(horizon.months)
    monthly = np.zeros((z.size, n_months))
    np.add.at(monthly.T, horizon.month_of_day, paths.T)
    return monthly, method
