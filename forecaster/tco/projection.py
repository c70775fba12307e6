"""Monthly cost forecasts by Monte Carlo: load forecast paths through each workload's
fitted cost curve, so the bands carry both load and curve-parameter uncertainty.

Per workload: the daily load is forecast (``forecaster.forecast``) and the band of its
monthly sums is measured out of sample (``monthly_band``: refits at every month start of
the history, log errors of whole months pooled across months ahead); each sample path is
the forecast mean times exp(one standard-normal draw scaled to that band), the same draw
for every month of the path (errors of level and trend persist: a path stays high or
low). Workloads share the draw unless three years of history measure a lower correlation
(``error_correlation``, ``factor_draws``). Without four months of origins, the older
scheme: the mean moved by the draw times the daily 80% half-width (``comonotone_paths``).
The path goes through ``CostCurve.sample_paths`` (one bootstrap parameter set per path
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
from forecaster.curves.fit import NOISE_PERIODS
from forecaster.errors import CannotFit
from forecaster.forecast.intervals import conformal_quantiles
from forecaster.forecast.load import LoadForecaster
from forecaster.months import first_of_month_after
from forecaster.portfolio import WorkloadFit
from forecaster.timeonly.forecast import forecast_days
from forecaster.timeonly.monthly import at_least_random_walk, months_ahead, trusted_steps

Z80 = 1.2815515655446004
FORECAST_DAYS = NOISE_PERIODS
"""Days every workload's load is forecast (and its monthly band measured) for, whatever the
horizon asked for, then cut: the load forecaster's choices depend on its horizon, so a TCO
of 12 months and one of 36 show the same first 12 months (as the cost by time does)."""


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
    excess: np.ndarray | None  # None when not asked for
    fixed: float


def _load_history(fit: WorkloadFit) -> tuple[bytes, bytes]:
    frame = fit.frame.filter(pl.col("load").is_not_null()).sort("period_start")
    y = frame["load"].to_numpy().astype(float)
    days = frame["period_start"].dt.date().to_physical().to_numpy().astype(np.int64)
    return y.tobytes(), days.tobytes()


def forecast_daily_load(fit: WorkloadFit, n_days: int) -> dict[str, np.ndarray]:
    """The workload's daily load forecast (mean, lo_80, hi_80, lo_95, hi_95) for n_days.

    Cached by the load history itself, so what-if runs on the same data (the dashboard's
    scenario controls) forecast each workload once. Treat the arrays as read-only.
    """
    full = _forecast(_load_history(fit)[0], max(n_days, FORECAST_DAYS))
    return {k: v[:n_days] for k, v in full.items()}


@lru_cache(maxsize=512)
def _fitted(history: bytes, n_days: int) -> LoadForecaster:
    y = np.frombuffer(history, dtype=float)
    return LoadForecaster(freq="1d", horizon=n_days).fit(y)


@lru_cache(maxsize=512)
def _forecast(history: bytes, n_days: int) -> dict[str, np.ndarray]:
    pred = _fitted(history, n_days).predict()
    return {k: pred[k].to_numpy() for k in pred.columns if k != "timestamp"}


MIN_TRAINING_DAYS = 56
"""Days of history before the first origin of ``monthly_band``: eight weeks, enough for the
daily model's weekly season."""
MIN_BAND_ORIGINS = 4
"""Fewer origins with a whole month after them and the band falls back to the daily
intervals (``comonotone_paths``)."""


@dataclass
class MonthlyBand:
    """How far monthly load sums strayed from the forecast, out of sample.

    ``lo``/``hi`` (M,): the 80% lower (<= 0) and upper (>= 0) quantiles of
    log(actual month / forecast month) k = 1..M months ahead; ``errors``: each measured
    log error by (origin month, months ahead), for the correlation across workloads."""

    lo: np.ndarray
    hi: np.ndarray
    errors: dict[tuple[int, int], float]
    origins: int


def monthly_band(fit: WorkloadFit, n_days: int) -> MonthlyBand | None:
    """The 80% band of the workload's monthly load sums, measured out of sample.

    At every month start of the history (after ``MIN_TRAINING_DAYS``) the chosen daily
    model is refitted on the days before it and forecasts the whole months after it; the
    log ratio of each month's actual load sum to the forecast sum is an out-of-sample
    error k months ahead. ``conformal_quantiles`` pools them across k with a power-law
    scale in k, so month 12 or 36 gets a band even where the history holds no error that
    long (this is where a year of trend error shows, which daily in-sample errors never
    do). Beyond the longest months ahead with three errors, the band grows at least as a
    random-walk level (``forecaster.timeonly.monthly.at_least_random_walk``): a fitted
    exponent below 1/2 speaks for the months the history holds, not for year three. None
    with fewer than ``MIN_BAND_ORIGINS`` origins."""
    history, days = _load_history(fit)
    return _monthly_band(history, days, max(n_days, FORECAST_DAYS))


@lru_cache(maxsize=512)
def _monthly_band(history: bytes, days: bytes, n_days: int) -> MonthlyBand | None:
    y = np.frombuffer(history, dtype=float)
    ordinal = np.frombuffer(days, dtype=np.int64)
    if y.size < MIN_TRAINING_DAYS + 28:
        return None
    stamps = ordinal.astype("datetime64[D]")
    month = stamps.astype("datetime64[M]")
    starts = [int(i) for i in np.flatnonzero(month[1:] != month[:-1]) + 1]
    if (stamps[-1] + 1).astype("datetime64[M]") != month[-1]:
        starts.append(y.size)  # the history ends on a month's last day: that month is whole
    model = _fitted(history, n_days)
    n_months = n_days // 28 + 2
    rows: list[np.ndarray] = []
    errors: dict[tuple[int, int], float] = {}
    for j, o in enumerate(starts):
        bounds = starts[j:]
        if o < MIN_TRAINING_DAYS or len(bounds) < 2:
            continue
        mean = model.point_forecast_from(y[:o], bounds[-1] - o)
        row = np.full(n_months, np.nan)
        for k in range(min(len(bounds) - 1, n_months)):
            a, b = bounds[k] - o, bounds[k + 1] - o
            actual, predicted = float(np.nansum(y[o + a : o + b])), float(np.sum(mean[a:b]))
            if actual > 0 and predicted > 0:
                row[k] = np.log(actual / predicted)
                errors[(int(month[o].astype(np.int64)), k + 1)] = float(row[k])
        if np.isfinite(row).any():
            rows.append(row)
    if len(rows) < MIN_BAND_ORIGINS:
        return None
    matrix = np.vstack(rows)
    last = int(np.flatnonzero(np.isfinite(matrix).any(axis=0)).max()) + 1
    quantiles, _ = conformal_quantiles(matrix[:, :last], n_months, levels=(80,))
    lo, hi = quantiles[80]
    trusted = trusted_steps(matrix[:, :last])
    lo, hi = -at_least_random_walk(-lo, trusted), at_least_random_walk(hi, trusted)
    return MonthlyBand(lo=lo, hi=hi, errors=errors, origins=len(rows))


def band_paths(
    fc: dict[str, np.ndarray], band: MonthlyBand, month_of_day: np.ndarray, z: np.ndarray
) -> np.ndarray:
    """(S, D) daily load paths whose monthly sums carry the measured monthly band: the
    forecast mean times exp(z / z80 x the band's 80% quantile on z's side) for each day's
    month (months ahead = horizon month + 1). One z per path for every month: a month
    that came in high is followed by high months (see ``error_correlation``)."""
    months = np.arange(int(month_of_day.max()) + 1 if month_of_day.size else 0)
    k = np.minimum(months, band.hi.size - 1)
    up, down = band.hi[k] / Z80, -band.lo[k] / Z80
    scale = np.where(z[:, None] >= 0, up[None, :], down[None, :])
    # one factor per path and month, spread over the month's days (S x M exps, not S x D)
    factor = np.exp(z[:, None] * scale)[:, month_of_day]
    return np.maximum(fc["mean"][None, :] * factor, 0.0)


MIN_SHARED_ORIGINS = 36
"""Origin months two workloads must share before their error correlation is trusted."""


def error_correlation(bands: list[MonthlyBand], min_origins: int = MIN_SHARED_ORIGINS) -> float:
    """The average correlation of monthly load errors between workloads, from the errors
    they made at the same origin and months ahead (``MonthlyBand.errors``): how much one
    factor moves every workload's load at once. Clipped to [0, 1].

    1 (one shared draw: the widest choice for totals) with fewer than two workloads or
    fewer than ``min_origins`` origin months in common (three years): errors from origins
    a month apart overlap, so two years of history hold a handful of independent ones,
    and on the bundled sample an estimate from them (0) gave P10-P90 bands that held 53-57%
    of actual months where one shared draw holds 71-86% (docs/performance.md)."""
    values = []
    for i in range(len(bands)):
        for j in range(i + 1, len(bands)):
            keys = sorted(set(bands[i].errors) & set(bands[j].errors))
            if len({origin for origin, _ in keys}) < min_origins:
                continue
            a = np.array([bands[i].errors[key] for key in keys])
            b = np.array([bands[j].errors[key] for key in keys])
            if np.std(a) > 0 and np.std(b) > 0:
                values.append(float(np.corrcoef(a, b)[0, 1]))
    if not values:
        return 1.0
    return float(np.clip(np.mean(values), 0.0, 1.0))


def factor_draws(z: np.ndarray, rho: float, seed: int, index: int) -> np.ndarray:
    """One workload's draws: sqrt(rho) z (the factor every workload shares) plus
    sqrt(1 - rho) of its own standard normal (seeded by ``seed`` and its ``index``)."""
    if rho >= 1.0:
        return z
    own = np.random.default_rng([seed, index, 16]).standard_normal(z.size)
    return np.sqrt(rho) * z + np.sqrt(1.0 - rho) * own


def simulate_workload(
    fit: WorkloadFit,
    horizon: Horizon,
    z: np.ndarray,
    seed: int,
    growth: float | None = None,
    load_forecast: dict[str, np.ndarray] | None = None,
    band: MonthlyBand | None | str = "measure",
    excess: bool = True,
) -> WorkloadPaths:
    """Daily load and cost paths; ``growth`` (annual) replaces the forecast's trend.
    ``load_forecast`` and ``band`` (``monthly_band``'s result, None included) may be
    passed when kept; else they are computed. ``excess=False``: the scaling excess per
    path is not computed (only a fix needs it; ``excess`` is then None)."""
    if fit.curve is None:
        raise CannotFit(f"workload {fit.name}: no fitted cost curve ({fit.summary.get('reason')})")
    n_days = len(horizon.days)
    fc = load_forecast or forecast_daily_load(fit, n_days)
    if isinstance(band, str):
        band = monthly_band(fit, n_days)
    if band is None:
        paths = comonotone_paths(fc, z)
    else:
        paths = band_paths(fc, band, horizon.month_of_day, z)
    if growth is not None:
        paths = paths * growth_factor(fc["mean"], growth)[None, :]
    rng = np.random.default_rng(seed)
    days_ahead = np.arange(1, n_days + 1, dtype=float)
    cost = fit.curve.sample_paths(paths, rng, days_ahead=days_ahead)
    above = None
    if excess:
        above = np.asarray(excess_at(fit.curve, paths), dtype=float) * np.ones_like(paths)
    return WorkloadPaths(fit.name, fit.currency, paths, cost, above, float(fit.curve.fixed_))


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
    monthly = _by_month(frame, horizon, z)
    if monthly is not None:
        return monthly
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


def _by_month(
    daily: pl.DataFrame, horizon: Horizon, z: np.ndarray
) -> tuple[np.ndarray, str] | None:
    """(S, M) monthly cost by time from the whole months of ``daily`` (``day``, ``cost``),
    forecast at monthly grain (``forecaster.timeonly.monthly.forecast_months``: P10-P90
    measured out of sample, per month or per calendar day; ``months_ahead``), or None with
    fewer than ``MIN_MONTHS_BY_TIME`` whole months. Each path is the median times exp(its draw scaled to the band)
    for a ratio band (the median plus the scaled draw otherwise), one draw for every month.

    Monthly, because a bill's cost by time holds charges a daily model cannot see coming:
    support plans, fees and tax land on one day a month (on the sample, two thirds of the
    cost no workload claims), which a daily forecast filters as spikes and drops. The
    first horizon month, when partial, gets its share of days."""
    ahead = months_ahead(daily, len(horizon.months))
    if ahead is None:
        return None
    fc = ahead.forecast
    up = (fc.p90 - fc.p50) / Z80
    down = (fc.p50 - fc.p10) / Z80
    if fc.log:  # a ratio band: the paths move on the log scale, P10 and P90 land on it
        up, down = np.log(fc.p90 / fc.p50) / Z80, np.log(fc.p50 / fc.p10) / Z80
        scale = np.where(z[:, None] >= 0, up[None, :], down[None, :])
        paths = fc.p50[None, :] * np.exp(z[:, None] * scale)
    else:
        width = np.where(z[:, None] >= 0, up[None, :], down[None, :])
        paths = fc.p50[None, :] + z[:, None] * width
    paths[:, 0] *= ahead.share
    return paths, f"{fc.method}; P10-P90 {fc.band}"
