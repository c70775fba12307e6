"""Candidate models beside the harmonic model at weekly and monthly grain.

Business series at a coarse grain are short and noisy; on them the simple methods of the
forecasting competitions are hard to beat and the harmonic model's extrapolated trend
sometimes goes far off (M4 weekly). ``LoadForecaster`` therefore also measures, at the same
calibration origins and by the same out-of-sample error:

- ``theta``: the Theta method as M4 ran it as a benchmark (Assimakopoulos & Nikolopoulos
  2000; Hyndman & Billah 2003): a multiplicative classical decomposition when a 90% ACF
  test at the seasonal lag says the series is seasonal, simple exponential smoothing of
  the adjusted series with half the slope of its least-squares line as drift;
- ``ses``: simple exponential smoothing of the adjusted series (no drift);
- ``naive``: the last value (M4's Naive 1; a random walk is the best guess of many
  business series a quarter ahead);
- ``ets`` and ``damped``: exponential smoothing of the adjusted series with the trend
  chosen by AICc (none, additive, damped), or damped always (``forecaster.forecast.ets``),
  where the season is too long for ``holt_winters`` (weekly data);
- ``holt_winters``: exponential smoothing with an evolving season (seasons up to 24 steps:
  monthly data, where it is the only exponential smoothing), on the log scale for a
  positive series;
- statsforecast's AutoETS, AutoTheta, AutoARIMA and MSTL when the optional extra
  ``[stats]`` is installed (``statsforecast_candidates``); without it they are simply not
  candidates (see docs/architecture.md for what that costs);
- a combination (the mean of the best three by out-of-sample error, M4's lesson that
  combinations beat their members), built in ``LoadForecaster``.

Each candidate is ``(training values, horizon) -> mean`` in load units: NaN gaps are
interpolated first. The fits are closed forms and ``scipy.signal.lfilter`` (milliseconds;
the exponential smoothing searches tens to hundreds of milliseconds), statsforecast's aside.
"""

from __future__ import annotations

import importlib.util
import warnings
from collections.abc import Callable

import numpy as np

from forecaster.forecast.level import interpolate

Candidate = Callable[[np.ndarray, int], np.ndarray]
"""(training values, horizon) -> mean forecast for steps 1..horizon, load units."""

SES_ALPHAS = np.array([0.02, 0.05, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.99])
TCRIT = 1.645  # M4's seasonality test: two-sided 90% on the autocorrelation at lag m


def _clean(y: np.ndarray) -> np.ndarray:
    y = np.asarray(y, dtype=float)
    ok = np.isfinite(y)
    if not ok.any():
        return np.zeros(y.size)
    return interpolate(y)


def is_seasonal(y: np.ndarray, m: int) -> bool:
    """M4's test: |acf(m)| above 1.645 sqrt((1 + 2 sum_{k<m} acf(k)^2) / n), with at least
    three seasons of data."""
    n = y.size
    if m < 2 or n < 3 * m:
        return False
    x = y - y.mean()
    denom = float(np.dot(x, x))
    if not denom > 0:
        return False
    acf = np.array([np.dot(x[: n - k], x[k:]) / denom for k in range(1, m + 1)])
    limit = TCRIT * np.sqrt((1.0 + 2.0 * np.sum(acf[:-1] ** 2)) / n)
    return bool(abs(acf[-1]) > limit)


def seasonal_indices(y: np.ndarray, m: int) -> np.ndarray | None:
    """Multiplicative seasonal index per phase (``t % m``, mean 1) from a classical
    decomposition (centred moving average of order m), or None when the series is not
    seasonal by ``is_seasonal`` or not positive."""
    if not is_seasonal(y, m) or np.any(y <= 0):
        return None
    if m % 2 == 0:
        kernel = np.concatenate([[0.5], np.ones(m - 1), [0.5]]) / m
    else:
        kernel = np.ones(m) / m
    trend = np.convolve(y, kernel, mode="valid")  # centred: trend[i] is at i + len(kernel)//2
    offset = kernel.size // 2
    ratio = y[offset : offset + trend.size] / trend
    phase = np.arange(offset, offset + trend.size) % m
    sums = np.bincount(phase, weights=ratio, minlength=m)
    counts = np.bincount(phase, minlength=m)
    if np.any(counts == 0):
        return None
    index = sums / counts
    index = index / index.mean()
    return index if np.all(index > 0) else None


def _adjust(y: np.ndarray, m: int, h: int) -> tuple[np.ndarray, np.ndarray]:
    """The seasonally adjusted series and the factors of the next ``h`` steps (ones when
    not seasonal)."""
    index = seasonal_indices(y, m)
    if index is None:
        return y, np.ones(h)
    n = y.size
    return y / index[np.arange(n) % m], index[np.arange(n, n + h) % m]


def ses_fit(y: np.ndarray) -> tuple[float, float]:
    """(alpha, final level) of simple exponential smoothing, alpha from ``SES_ALPHAS`` by
    one-step mean squared error (level started at the first value)."""
    from scipy.signal import lfilter  # here: the dashboard starts without scipy

    best = (np.inf, 0.5, float(y[-1]))
    for alpha in SES_ALPHAS:
        z, _ = lfilter([alpha], [1.0, alpha - 1.0], y[1:], zi=[(1.0 - alpha) * y[0]])
        level = np.concatenate([[y[0]], z])
        mse = float(np.mean((y[1:] - level[:-1]) ** 2))
        if mse < best[0]:
            best = (mse, float(alpha), float(level[-1]))
    return best[1], best[2]


def theta(period: int) -> Candidate:
    """M4's Theta benchmark (theta = 2 line with SES) with season ``period``."""

    def run(train: np.ndarray, horizon: int) -> np.ndarray:
        y = _clean(train)
        adjusted, factors = _adjust(y, period, horizon)
        alpha, level = ses_fit(adjusted)
        n = adjusted.size
        slope = np.polyfit(np.arange(n, dtype=float), adjusted, 1)[0] if n > 1 else 0.0
        h = np.arange(1, horizon + 1, dtype=float)
        drift = 0.5 * slope * (h - 1.0 + 1.0 / alpha - (1.0 - alpha) ** n / alpha)
        return (level + drift) * factors

    return run


def ses(period: int) -> Candidate:
    """Simple exponential smoothing of the seasonally adjusted series."""

    def run(train: np.ndarray, horizon: int) -> np.ndarray:
        y = _clean(train)
        adjusted, factors = _adjust(y, period, horizon)
        _, level = ses_fit(adjusted)
        return level * factors

    return run


def naive(train: np.ndarray, horizon: int) -> np.ndarray:
    """The last observed value repeated."""
    y = np.asarray(train, dtype=float)
    ok = np.flatnonzero(np.isfinite(y))
    return np.full(horizon, float(y[ok[-1]]) if ok.size else 0.0)


def exponential_smoothing(period: int) -> dict[str, Candidate]:
    """ETS of the seasonally adjusted series (``forecaster.forecast.ets``): ``ets`` with the
    trend (none, additive, damped) chosen by AICc as AutoETS chooses it, and ``damped``
    with the damped trend always (M4's Damped benchmark, the strongest of its simple
    benchmarks at weekly grain). The two share their fits (one search per training set)."""
    from forecaster.forecast.ets import SEASONAL_MAX, TRENDS, fit_ets

    memo: dict[tuple[int, float, float], tuple[dict, np.ndarray, np.ndarray]] = {}

    def fits(train: np.ndarray, horizon: int):
        y = _clean(train)
        key = (y.size, float(y[-1]), float(y.sum()))
        if key not in memo:
            if len(memo) > 64:  # the origins of one fit, not every series ever seen
                memo.clear()
            adjusted, _ = _adjust(y, period, 1)
            memo[key] = ({t: fit_ets(adjusted, t) for t in TRENDS}, y, adjusted)
        models, y, _ = memo[key]
        _, factors = _adjust(y, period, horizon)
        return models, factors

    def auto(train: np.ndarray, horizon: int) -> np.ndarray:
        models, factors = fits(train, horizon)
        ok = [f for f in models.values() if f is not None]
        if not ok:
            return np.full(horizon, np.nan)
        return min(ok, key=lambda f: f.aicc).forecast(horizon) * factors

    def damped(train: np.ndarray, horizon: int) -> np.ndarray:
        models, factors = fits(train, horizon)
        fit = models["Ad"]
        return np.full(horizon, np.nan) if fit is None else fit.forecast(horizon) * factors

    out: dict[str, Candidate] = {"ets": auto, "damped": damped}
    if 2 <= period <= SEASONAL_MAX:
        out["holt_winters"] = holt_winters(period)
    return out


def holt_winters(period: int) -> Candidate:
    """ETS with an evolving season (``forecaster.forecast.ets.auto_seasonal``, trend none or
    damped by AICc), on the log scale when the series is positive (a multiplicative season
    and errors in proportion to the level), else on the raw scale."""
    from forecaster.forecast.ets import auto_seasonal

    def run(train: np.ndarray, horizon: int) -> np.ndarray:
        y = _clean(train)
        log = bool(np.all(y > 0))
        fit = auto_seasonal(np.log(y) if log else y, period)
        if fit is None:
            return np.full(horizon, np.nan)
        mean = fit.forecast(horizon)
        if log:
            mean = np.exp(np.clip(mean, None, np.log(np.max(y)) + 5.0))
        return mean if np.isfinite(mean).all() else np.full(horizon, np.nan)

    return run


def own_candidates(period: int) -> dict[str, Candidate]:
    """The candidates that need nothing beyond numpy and scipy. With a season Holt-Winters
    can hold (monthly data), exponential smoothing is Holt-Winters alone: ``ets`` and
    ``damped`` on the seasonally adjusted series then cost the monthly series' mean MASE
    (docs/performance.md)."""
    from forecaster.forecast.ets import SEASONAL_MAX

    smoothing = exponential_smoothing(period)
    if 2 <= period <= SEASONAL_MAX:
        smoothing = {"holt_winters": smoothing["holt_winters"]}
    return {"theta": theta(period), "ses": ses(period), "naive": naive, **smoothing}


def statsforecast_available() -> bool:
    """Whether the optional extra ``[stats]`` (statsforecast) is installed."""
    try:
        return importlib.util.find_spec("statsforecast") is not None
    except (ImportError, ValueError):  # blocked (sys.modules entry None) or broken install
        return False


SLOW_SEASON = 24
"""statsforecast's AutoETS and AutoTheta with a season longer than this take seconds to tens
of seconds a fit (52 weeks): beyond it they model the series MSTL has deseasonalised
(statsforecast's own advice for long seasons)."""
SF_SEASONS = 10
"""statsforecast candidates are fitted on the last ten seasons at most (ten years): AutoTheta
on 2,000 weeks took 6 s a fit, and a decade says what a year ahead needs."""


def statsforecast_candidates(period: int, n: int) -> dict[str, Candidate]:
    """statsforecast's AutoETS, AutoTheta, AutoARIMA and MSTL as candidates (empty without
    the extra). Seasonal with ``period`` when the training data holds two seasons; AutoARIMA
    with a bounded stepwise search (p, q <= 2, P, Q <= 1, 20 models, approximated
    likelihood: 0.3 s a fit instead of 2-9 s on 200 months)."""
    if not statsforecast_available():
        return {}
    from statsforecast.models import MSTL, AutoARIMA, AutoETS, AutoTheta

    m = period if n >= 2 * period and period > 1 else 1
    window = max(SF_SEASONS * max(m, 1), 120)

    def arima(season: int) -> object:
        return AutoARIMA(
            season_length=season,
            approximation=True,
            max_p=2,
            max_q=2,
            max_P=1,
            max_Q=1,
            nmodels=20,
        )

    def make(build: Callable[[], object]) -> Candidate:
        def run(train: np.ndarray, horizon: int) -> np.ndarray:
            y = _clean(train)[-window:]
            with warnings.catch_warnings(), np.errstate(all="ignore"):
                warnings.simplefilter("ignore")
                try:
                    out = build().forecast(y=y, h=horizon)["mean"]  # type: ignore[attr-defined]
                except Exception:  # a model that cannot fit this series is no candidate
                    return np.full(horizon, np.nan)
            out = np.asarray(out, dtype=float)
            return out if np.isfinite(out).all() else np.full(horizon, np.nan)

        return run

    if m <= SLOW_SEASON:
        out = {
            "AutoETS": make(lambda: AutoETS(season_length=m)),
            "AutoTheta": make(lambda: AutoTheta(season_length=m)),
            "AutoARIMA": make(lambda: arima(m)),
        }
        if m > 1:
            out["MSTL"] = make(
                lambda: MSTL(season_length=[m], trend_forecaster=AutoETS(model="ZZN"))
            )
        return out
    return {
        "AutoETS": make(lambda: MSTL(season_length=[m], trend_forecaster=AutoETS(model="ZZN"))),
        "AutoTheta": make(lambda: MSTL(season_length=[m], trend_forecaster=AutoTheta())),
        "AutoARIMA": make(lambda: MSTL(season_length=[m], trend_forecaster=arima(1))),
    }
