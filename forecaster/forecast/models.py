"""Point forecasts: robust harmonic regression with an adaptive level, and seasonal naive.

The load model, in the (optionally log-) transformed scale z:

    z_t = a + b * tau_t + F(t) + P(t) + l_t + e_t

- ``a + b * tau`` is a local linear trend, fitted with the seasons so they do not absorb
  it. When forecasting it is frozen at the origin; with ``trend=True`` a slope measured on
  the seasonally adjusted series over a stretch proportional to the horizon is added.
- ``F`` is a Fourier series per season (daily, weekly, yearly, as the data supports)
  fitted by Huber-weighted least squares with exponentially decaying weights
  (``regression``).
- ``P`` is a free-form profile per daily/weekly phase for what Fourier terms cannot draw
  (``profiles``); ``spikes`` says whether short recurring spikes belong to it (and then
  the profile is not smoothed, so the spikes stay where they recur).
- ``l`` is exponential smoothing of the rest after spike filtering, reset at a fresh level
  shift (``level``).

Each fit is linear algebra, bincounts and ``scipy.signal.lfilter``: a few milliseconds for
4,000 points, cheap enough to refit at every calibration and backtest origin.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from forecaster.errors import CannotFit
from forecaster.forecast.level import (
    HAMPEL_WINDOW,
    choose_alpha,
    hampel,
    interpolate,
    ses_path,
    shift_run,
    winsorize,
)
from forecaster.forecast.profiles import adaptive_profile, profile_periods
from forecaster.forecast.regression import design, fourier_freqs, matvec, robust_lstsq

MIN_POINTS = 8
MAX_WINDOW = 20000  # steps fitted at most (20,000 hours is 2.3 years)


@dataclass(frozen=True)
class PointConfig:
    """The choices the forecaster selects between by out-of-sample error."""

    log: bool = False
    trend: bool = False
    spikes: bool = False  # seasonal profile keeps short recurring spikes (from raw residual)
    naive: bool = False  # seasonal naive itself: chosen when it measures best
    recent: bool = False  # fitted on the data since the latest regime break (``breaks``)
    damped: bool = False  # with ``trend``: the slope's increments decay (``PointFit.forecast``)
    model: str = ""  # another candidate (``forecaster.forecast.candidates``), "" for this one

    @property
    def label(self) -> str:
        """What the forecast is, in words (for the CLI and reports)."""
        if self.naive:
            return "seasonal naive"
        if self.model:
            return MODEL_LABELS.get(self.model, self.model)
        return "trend and seasonal shape with a smoothed level"


MODEL_LABELS = {
    "theta": "Theta method",
    "ses": "simple exponential smoothing",
    "ets": "exponential smoothing (trend by AICc)",
    "damped": "exponential smoothing with a damped trend",
    "holt_winters": "exponential smoothing with an evolving season (Holt-Winters)",
    "naive": "last value (naive)",
    "combination": "combination",
    "combination-sf": "combination with statsforecast",
    "AutoETS": "statsforecast AutoETS",
    "AutoTheta": "statsforecast AutoTheta",
    "AutoARIMA": "statsforecast AutoARIMA",
    "MSTL": "statsforecast MSTL",
}


@dataclass
class PointFit:
    """A fitted point model; ``forecast(h)`` returns the transformed-scale mean."""

    config: PointConfig
    coef: np.ndarray
    freqs: np.ndarray  # cycles per step of each Fourier pair
    n: int  # number of points fitted (time index of the origin is n - 1)
    slope: float  # trend per step for extrapolation, from the seasonally adjusted series
    level: float  # last smoothed residual level l_n
    alpha: float
    resid: np.ndarray  # residuals (transformed scale) after the regression, NaN for gaps
    level_path: np.ndarray  # l_t for each t, aligned with resid
    profile: np.ndarray  # shrunken residual seasonal profile by phase (t % profile.size)

    def forecast(self, horizon: int, trend: bool | None = None, phi: float = 1.0) -> np.ndarray:
        """Mean forecast for steps 1..horizon in the transformed scale.

        ``trend`` overrides ``config.trend``: the regression is the same either way, only
        the extrapolation differs, so every variant comes from one fit. ``phi`` < 1 damps
        the trend: step k adds slope * phi^k (Gardner & McKenzie's damped trend), so the
        forecast levels off at slope * phi / (1 - phi) instead of growing for ever.
        """
        trend = self.config.trend if trend is None else trend
        t = np.arange(self.n, self.n + horizon, dtype=float)
        x = design(t, np.zeros(horizon), self.freqs)
        phase = np.arange(self.n, self.n + horizon) % self.profile.size
        out = matvec(x, self.coef) + self.profile[phase] + self.level
        if trend:
            k = np.arange(1, horizon + 1, dtype=float)
            out = out + self.slope * (np.cumsum(phi**k) if phi < 1.0 else k)
        return out

    def h_step_errors(self, steps: np.ndarray, max_origins: int = 3000) -> np.ndarray:
        """In-sample errors of the level part ``steps`` ahead: E[i, j] = r[t_i + steps[j]] -
        l[t_i], for the last ``max_origins`` origins t_i.

        Shape (origins, len(steps)), NaN where the target is a gap or beyond the data. The
        seasonal regression is in-sample, so these understate the true error;
        ``LoadForecaster`` inflates them by the out-of-sample ratio.
        """
        r, lv = self.resid, self.level_path
        n = r.size
        last = n - 2
        origins = np.arange(max(0, last - max_origins), last + 1)
        idx = origins[:, None] + np.asarray(steps, dtype=np.int64)[None, :]
        target = np.where(idx < n, r[np.minimum(idx, n - 1)], np.nan)
        return target - lv[origins][:, None]


def fit_point(
    y: np.ndarray,
    periods: list[tuple[str, float]],
    horizon: int,
    config: PointConfig,
) -> PointFit:
    """Fit the point model to y (NaN for gaps); the origin is the last element of y.

    After a fresh level shift (``shift_run``) shorter than a day, the trend and seasonal
    terms are refitted without the shifted points, which would otherwise bend them
    towards the new level at those phases only, and the level restarts at the median of
    the shifted points' residuals.
    """
    y = np.asarray(y, dtype=float)
    finite = np.isfinite(y)
    if finite.sum() < MIN_POINTS:
        raise CannotFit(f"need at least {MIN_POINTS} observed points, got {int(finite.sum())}")
    if config.log:
        if np.any(y[finite] <= 0):
            raise CannotFit("log transform needs positive values")
        z = np.where(finite, np.log(np.where(finite, y, 1.0)), np.nan)
    else:
        z = y
    fit, clean = _fit(z, periods, horizon, config, hold_out=0)
    run = shift_run(clean, fit.level_path)
    if run:
        shortest = min((p for nm, p in periods if nm != "hourly"), default=24.0)
        if run <= shortest and finite[:-run].sum() >= MIN_POINTS:
            fit, clean = _fit(z, periods, horizon, config, hold_out=run)
        fit.level = float(np.median(clean[-run:]))
    return fit


def _fit(
    z: np.ndarray,
    periods: list[tuple[str, float]],
    horizon: int,
    config: PointConfig,
    hold_out: int,
) -> tuple[PointFit, np.ndarray]:
    """One fit on the model scale; the last ``hold_out`` points get no weight in the trend
    and seasonal terms. Returns the fit and the spike-filtered residual."""
    n = z.size
    longest = max((p for _, p in periods), default=float(max(horizon, 8)))
    half_life = 3.0 * longest
    start = max(0, n - min(int(8 * half_life), MAX_WINDOW))
    t = np.arange(start, n, dtype=float)
    tau_scale = float(max(n - start, 2))
    tau = (t - (n - 1)) / tau_scale
    freqs = fourier_freqs(periods)
    x = design(t, tau, freqs)
    zw = z[start:]
    ok = np.isfinite(zw)
    if hold_out:
        ok[-hold_out:] = False
    decay = 0.5 ** ((n - 1 - t) / half_life)
    coef = robust_lstsq(x[ok], zw[ok], decay[ok])
    resid = zw - matvec(x, coef)
    shortest = min((p for nm, p in periods if nm != "hourly"), default=24.0)
    # With ``spikes`` the profiles come from the raw residual: a spike at the same minute
    # every day is then seasonal, not an outlier (Huber weights per phase keep one-off
    # spikes out). Without, short spikes are filtered first and left to the intervals.
    prof_periods = profile_periods(periods)
    profile = np.zeros(max(prof_periods, default=1))
    ti = t.astype(np.int64)
    for period in prof_periods:
        source = resid if config.spikes else hampel(interpolate(resid), window=HAMPEL_WINDOW)
        prof = adaptive_profile(source, ti, period, ok, smooth=not config.spikes)
        profile += np.tile(prof, profile.size // period)
        resid = resid - prof[ti % period]
    clean = hampel(interpolate(resid), window=HAMPEL_WINDOW)
    tame = winsorize(clean, window=max(int(shortest), HAMPEL_WINDOW))
    alpha = choose_alpha(tame, resid, horizon)
    path = ses_path(tame, alpha)
    fit = PointFit(
        config=config,
        coef=coef,
        freqs=freqs,
        n=n,
        slope=_trend_slope(z, coef, freqs, profile, horizon, longest),
        level=float(path[-1]),
        alpha=alpha,
        resid=resid,
        level_path=path,
        profile=profile,
    )
    return fit, clean


def _trend_slope(
    z: np.ndarray,
    coef: np.ndarray,
    freqs: np.ndarray,
    profile: np.ndarray,
    horizon: int,
    longest: float,
) -> float:
    """Trend per step to extrapolate: a Huber line through the seasonally adjusted series
    over the last max(3 x horizon, 4 seasons) steps (all the data at most).

    The regression's own trend is local (its weights halve every three seasons), right for
    the shape of a day but too short-sighted to carry a 36-month forecast: the slope for a
    long horizon is measured over a long stretch.
    """
    n = z.size
    window = int(min(n, max(3 * horizon, 4 * longest, 2 * MIN_POINTS)))
    t = np.arange(n - window, n, dtype=float)
    seasonal = matvec(design(t, np.zeros(window), freqs)[:, 2:], coef[2:])
    seasonal = seasonal + profile[t.astype(np.int64) % profile.size]
    adjusted = z[n - window :] - seasonal
    ok = np.isfinite(adjusted)
    if ok.sum() < MIN_POINTS:
        return 0.0
    x = np.column_stack([np.ones(window), (t - (n - 1)) / window])
    line = robust_lstsq(x[ok], adjusted[ok], np.ones(int(ok.sum())))
    return float(line[1] / window)


def back_transform(z: np.ndarray, config: PointConfig) -> np.ndarray:
    """From the model scale to load units (exp for log; quantiles map exactly)."""
    return np.exp(z) if config.log else z


def seasonal_naive(y: np.ndarray, period: int, horizon: int) -> np.ndarray:
    """Repeat the last observed season: yhat_{n+h} = y_{n+h-m*ceil(h/m)}.

    Gaps in the last season are filled from the season before when available.
    """
    y = np.asarray(y, dtype=float)
    period = max(1, min(period, y.size))
    last = y[-period:].copy()
    for back in range(2, 5):
        miss = ~np.isfinite(last)
        if not miss.any() or y.size < back * period:
            break
        older = y[y.size - back * period : y.size - (back - 1) * period]
        last[miss] = older[miss]
    if not np.isfinite(last).all():
        last = interpolate(last) if np.isfinite(last).any() else np.zeros(period)
    reps = int(np.ceil(horizon / period))
    return np.tile(last, reps)[:horizon]


def seasonal_naive_errors(
    y: np.ndarray, period: int, steps: np.ndarray, max_origins: int = 3000
) -> np.ndarray:
    """Errors of seasonal naive forecasts from each of the last ``max_origins`` origins,
    ``steps`` ahead: E[i, j] = y[t_i + s_j] - y[t_i + s_j - m * ceil(s_j / m)].

    Seasonal naive fits nothing, so these in-sample errors are out-of-sample errors."""
    y = np.asarray(y, dtype=float)
    n = y.size
    steps = np.asarray(steps, dtype=np.int64)
    origins = np.arange(max(period, n - 1 - max_origins), n - 1)
    target = origins[:, None] + steps[None, :]
    source = target - period * np.ceil(steps / period).astype(np.int64)[None, :]
    ok = target < n
    return np.where(ok, y[np.minimum(target, n - 1)] - y[source], np.nan)
