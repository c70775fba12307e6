"""Cost by time at monthly grain, with a P10-P90 band measured out of sample.

``forecast_months`` is the one monthly time-only cost forecast: the cost no workload
claims in ``forecaster tco`` (and the whole bill of a store without workloads), on every
surface that shows a TCO (CLI, dashboard, review pack), comes from it.

The median is the load forecaster's at monthly grain (``LoadForecaster("1mo")``). The band:

- With enough history for the load forecaster's own calibration (``MIN_CONFORMAL_ORIGINS``
  out-of-sample origins, about 30 months), its conformal 80% interval, measured on its own
  out-of-sample errors pooled across horizons.
- With less (a bill of one or two years: the usual case), the band is measured here, out of
  sample, from every month it can: the chosen model is refitted at each month of the history
  after ``MIN_TRAINING_MONTHS`` and forecasts the months after it; the log ratios of actual
  to forecast month are errors k = 1, 2, ... months ahead. Their spread grows with k as
  sigma_k = sigma_1 k^c, c fitted on the root mean square error per k (weighted by the
  number of errors) and clipped to [0, 1] (0: errors that do not grow, 1/2: a random-walk
  level, 1: a wrong slope). With errors at fewer than ``MIN_STEPS_FOR_EXPONENT`` distances
  (a bill of 12 or 13 months) the history cannot measure c: it is ``PRIOR_EXPONENT``,
  measured on other real monthly series (``PRIOR_STEPS`` months ahead), not assumed.
  sigma_1 pools every error, each divided by k^c with c as fitted before the clip at 0 (so
  that clipping a noisy exponent does not narrow month 1). The band is the prediction interval for a
  new error, +-t(0.9, m_eff) sigma_k: Student's t with as many degrees of freedom as the
  pooled errors are worth (``effective_errors``: m errors, those of one origin correlated,
  so fewer independent ones), which widens a band measured on few errors instead of
  inflating it by a fixed factor. Beyond the longest distance the history (three errors or
  more) or the prior measures, the band grows at least as sqrt(k) from there
  (``at_least_random_walk``).

Errors are log ratios when the history and forecasts are positive (costs in proportion to
their level), otherwise differences in the currency.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from datetime import date

import numpy as np
import polars as pl

from forecaster.errors import CannotFit
from forecaster.forecast.load import MIN_CONFORMAL_ORIGINS, LoadForecaster
from forecaster.months import first_of_month_after, month_label, months_after

FORECAST_MONTHS = 36
"""Every time-only forecast is computed this far ahead and cut to the months asked for, so
the next 12 months read the same in ``forecast-cost`` (12 months), ``tco`` (12 to 36) and
the review pack: the forecaster's choice of variant and interval depends on its horizon."""
MIN_MONTHS_BY_TIME = 12
"""Whole months of history from which cost by time is forecast at monthly grain (fewer:
from its days, ``forecaster.timeonly.forecast.forecast_days``)."""
MIN_TRAINING_MONTHS = 8
"""Months before the first out-of-sample origin (the load forecaster's minimum fit)."""
MIN_STEPS_FOR_EXPONENT = 4
"""Distances ahead with at least three errors each before the growth exponent is fitted."""
PRIOR_EXPONENT = 0.25
"""c of sigma_k = sigma_1 k^c where the history cannot measure it (fewer than
``MIN_STEPS_FOR_EXPONENT`` distances: 12 or 13 months). Measured, not tuned to the test's
series: ``growth_exponent`` of this module's median's errors 1-12 months ahead
(log actual / P50, each series scaled by its RMS error), forecast from 12 months of history
at 4 cutoffs a year apart on 47 other real monthly series (tests/fixtures/monthly-prior:
40 US employment series, Canadian gas, souvenir sales, 5 series of Australian departures):
0.25 (``benchmarks/tco_bands.py --part prior``). Below the 1/2 of a random-walk level: a
young bill's model keeps its seasonal shape, its errors are more the year's noise than a
level that wanders."""
PRIOR_STEPS = 12
"""Months ahead ``PRIOR_EXPONENT`` was measured over; beyond them the band grows at least
as sqrt(k) (``at_least_random_walk``)."""
Z80 = 1.2815515655446004
TIE = 0.01
"""Relative out-of-sample error by which cost per day must beat cost per month."""


@dataclass
class MonthlyCostForecast:
    """P10/P50/P90 per month 1..horizon after the history, in the currency per month.

    ``band``: how the P10-P90 band was measured, in words; ``origins``: out-of-sample
    origins it was measured on; ``exponent``: c of sigma_k = sigma_1 k^c (None when the
    load forecaster's conformal interval is used); ``log``: whether the band is a ratio."""

    p10: np.ndarray
    p50: np.ndarray
    p90: np.ndarray
    method: str
    band: str
    origins: int
    exponent: float | None
    log: bool


def first_origin(n: int) -> int:
    """The first out-of-sample origin for ``n`` months of history: half-way, and after at
    least ``MIN_TRAINING_MONTHS``. A model refitted on much less than the final one's
    history errs more than it (on 12 real monthly series 24 months long, origins from
    month 8 gave bands that held 93% of actual months, from half-way 78-80%)."""
    return max(MIN_TRAINING_MONTHS, n // 2)


def out_of_sample_errors(
    model: LoadForecaster, y: np.ndarray, log: bool, first: int = MIN_TRAINING_MONTHS
) -> np.ndarray:
    """(origins, steps) errors of ``model``'s chosen variant refitted at every month from
    ``first`` (``point_forecast_from``): log(actual / forecast) when ``log``, else
    actual - forecast; NaN where the history ends."""
    n = y.size
    rows = []
    for o in range(first, n):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            f = model.point_forecast_from(y[:o], n - o)
        a = y[o:]
        with np.errstate(all="ignore"):
            e = np.log(a / f) if log else a - f
        row = np.full(n - first, np.nan)
        row[: e.size] = np.where(np.isfinite(e), e, np.nan)
        rows.append(row)
    return np.vstack(rows) if rows else np.full((0, 0), np.nan)


def growth_exponent(errors: np.ndarray, default: float = 0.5, lowest: float = 0.0) -> float:
    """c of sigma_k = sigma_1 k^c from (origins, steps) errors: least squares of log RMS
    error on log k, weighted by the errors per k, over the k with at least three errors;
    clipped to [``lowest``, 1]; ``default`` with fewer than ``MIN_STEPS_FOR_EXPONENT``
    such k."""
    counts = np.isfinite(errors).sum(axis=0)
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # a step no origin reaches
        rms = np.sqrt(np.nanmean(errors**2, axis=0))
    ok = (counts >= 3) & np.isfinite(rms) & (rms > 0)
    if ok.sum() < MIN_STEPS_FOR_EXPONENT:
        return default
    x = np.log(np.arange(1, errors.shape[1] + 1, dtype=float)[ok])
    v, w = np.log(rms[ok]), counts[ok].astype(float)
    xm, vm = np.average(x, weights=w), np.average(v, weights=w)
    c = np.sum(w * (x - xm) * (v - vm)) / np.sum(w * (x - xm) ** 2)
    return float(np.clip(c, lowest, 1.0))


def trusted_steps(errors: np.ndarray) -> int:
    """The longest distance ahead (columns of ``errors``, 1-based) with at least three
    errors, 0 without one."""
    counts = np.isfinite(errors).sum(axis=0) if errors.size else np.zeros(0)
    ok = np.flatnonzero(counts >= 3)
    return int(ok.max()) + 1 if ok.size else 0


def at_least_random_walk(half: np.ndarray, trusted: int) -> np.ndarray:
    """``half`` (k = 1..K) grown at least as a random-walk level beyond the ``trusted``
    steps the history measures: max(half_k, half_trusted sqrt(k / trusted)). A fitted
    growth exponent below 1/2 describes the months ahead the history holds; further ahead
    a level that wanders (a trend that changes) is not ruled out by it."""
    if trusted < 1 or trusted >= half.size:
        return half
    k = np.arange(1, half.size + 1, dtype=float)
    floor = half[trusted - 1] * np.sqrt(k / trusted)
    return np.where(k > trusted, np.maximum(half, floor), half)


def effective_errors(scores: np.ndarray) -> float:
    """How many independent errors the (origins, steps) ``scores`` (errors divided by k^c,
    NaN where none) are worth: m / (1 + (m_bar - 1) rho), the design effect of m errors in
    origins of m_bar errors on average whose errors share a fit, rho their correlation
    within an origin (mean product of two scores of one origin over their mean square),
    clipped to [0, 1]; m when no origin has two errors. Errors of neighbouring origins on
    the same months are correlated too, which this does not count (a band that errs wide)."""
    ok = np.isfinite(scores)
    m = int(ok.sum())
    per_origin = ok.sum(axis=1)
    pairs = float(np.sum(per_origin * (per_origin - 1)))
    if m == 0 or pairs == 0:
        return float(m)
    square = float(np.mean(scores[ok] ** 2))
    if square == 0:  # errors of exactly 0: nothing to correlate
        return float(m)
    s = np.where(ok, scores, 0.0)
    products = float(np.sum(s.sum(axis=1) ** 2 - (s**2).sum(axis=1)))
    rho = float(np.clip(products / pairs / square, 0.0, 1.0))
    m_bar = m / int((per_origin > 0).sum())
    return m / (1.0 + (m_bar - 1.0) * rho)


def small_sample_band(errors: np.ndarray, horizon: int) -> tuple[np.ndarray, int, float]:
    """Half-width of the 80% band at k = 1..horizon (on the errors' scale), the number of
    origins and the exponent c: +-t(0.9, m_eff) sigma_1 k^c (``effective_errors``), grown
    at least as sqrt(k) beyond the distances the history or the prior measures."""
    from scipy.stats import t as student

    origins = int(np.isfinite(errors).any(axis=1).sum()) if errors.size else 0
    if origins < 2:
        raise CannotFit(f"{origins} out-of-sample origin(s); a band needs at least 2")
    trusted = trusted_steps(errors)
    fitted = growth_exponent(errors, default=np.nan, lowest=-np.inf)
    if np.isnan(fitted):  # too few distances: the exponent measured on other series
        fitted, trusted = PRIOR_EXPONENT, max(trusted, PRIOR_STEPS)
    # The level is measured with the exponent as fitted, the band grows with it clipped at
    # 0: errors that do not grow give a noisy exponent around 0, and clipping it before
    # measuring sigma_1 would keep its positive half only and narrow the band at month 1.
    c = max(fitted, 0.0)
    k = np.arange(1, errors.shape[1] + 1, dtype=float)
    scores = errors / k[None, :] ** fitted
    sigma1 = float(np.sqrt(np.nanmean(scores**2)))
    factor = float(student.ppf(0.9, max(effective_errors(scores), 1.0)))
    half = factor * sigma1 * np.arange(1, horizon + 1, dtype=float) ** c
    return at_least_random_walk(half, trusted), origins, c


def days_in_months(first: date, n: int) -> np.ndarray:
    """Calendar days of the ``n`` months from the month of ``first``."""
    out = np.empty(n)
    y, m = first.year, first.month
    for i in range(n):
        ny, nm = (y + 1, 1) if m == 12 else (y, m + 1)
        out[i] = (date(ny, nm, 1) - date(y, m, 1)).days
        y, m = ny, nm
    return out


def _variant(y: np.ndarray, horizon: int, days: np.ndarray | None):
    """The fitted forecaster, its mean (per month) and out-of-sample errors of month
    totals, on the cost per month or (``days``: history then horizon) per calendar day."""
    hist = y if days is None else y / days[: y.size]
    model = LoadForecaster(freq="1mo", horizon=int(horizon)).fit(hist)
    pred = model.predict()
    scale = 1.0 if days is None else days[y.size :]
    cols = {k: pred[k].to_numpy().astype(float) * scale for k in ("mean", "lo_80", "hi_80")}
    if model.interval_method_ == "conformal" and model.n_origins_ >= MIN_CONFORMAL_ORIGINS:
        return model, cols, None, False
    finite = y[np.isfinite(y)]
    log = bool(finite.size and np.all(finite > 0) and np.all(cols["mean"] > 0))
    errors = out_of_sample_errors(model, hist, log, first_origin(y.size))
    if not log and days is not None:  # differences of cost per day: back to the month
        o = first_origin(y.size)
        for i in range(errors.shape[0]):
            cells = days[o + i : y.size]
            errors[i, : cells.size] *= cells
    return model, cols, errors, log


def forecast_months(y: np.ndarray, horizon: int, first: date | None = None) -> MonthlyCostForecast:
    """Forecast the ``horizon`` months after the monthly cost ``y`` (whole months, oldest
    first; ``first``: the calendar month of ``y[0]``) with its P10-P90 band (see the module
    docstring).

    With ``first`` and a band measured here, the cost is forecast per month or per calendar
    day of the month (February's 28 days cost less than March's 31 when cost accrues by the
    hour), whichever has the smaller out-of-sample error at the same origins.

    Raises ``CannotFit`` when the history is too short to fit or to measure a band."""
    y = np.asarray(y, dtype=float)
    model, cols, errors, log = _variant(y, horizon, None)
    per_day = False
    if errors is not None and first is not None:
        days = days_in_months(first, y.size + int(horizon))
        other = _variant(y, horizon, days)
        if other[2] is not None and other[3] == log:
            ok = np.isfinite(errors) & np.isfinite(other[2])
            if ok.any() and np.mean(np.abs(other[2][ok])) < (1 - TIE) * np.mean(np.abs(errors[ok])):
                model, cols, errors, log = other
                per_day = True
    mean = cols["mean"]
    unit = "per calendar day of the month" if per_day else "per month"
    method = f"monthly cost forecast by time ({unit}): {model.method_}"
    if errors is None:
        return MonthlyCostForecast(
            p10=cols["lo_80"],
            p50=mean,
            p90=cols["hi_80"],
            method=method,
            band=(
                f"the forecaster's conformal 80% interval ({model.n_origins_} out-of-sample "
                "origins, errors pooled across months ahead)"
            ),
            origins=int(model.n_origins_),
            exponent=None,
            log=bool(getattr(model, "_log_errors", False)),
        )
    half, origins, c = small_sample_band(errors, int(horizon))
    if log:
        p10, p90 = mean * np.exp(-half), mean * np.exp(half)
    else:
        p10, p90 = mean - half, mean + half
    measured = "" if np.isfinite(growth_exponent(errors, default=np.nan)) else " (other series')"
    band = (
        f"measured out of sample at {origins} monthly origins: spread growing with the "
        f"months ahead to the power {c:.2f}{measured}, widened by Student's t for so few errors"
    )
    return MonthlyCostForecast(p10, mean, p90, method, band, origins, c, log)


@dataclass
class MonthsAhead:
    """``forecast_months`` of a daily series' whole months: ``months`` (YYYY-MM labels,
    the first the month after the last whole one, partial when the history ends inside it)
    and ``share`` of the first month's days still ahead (1.0 when the history ends on a
    month's last day)."""

    forecast: MonthlyCostForecast
    months: list[str]
    share: float


def months_ahead(daily: pl.DataFrame, n_months: int) -> MonthsAhead | None:
    """The monthly forecast by time of ``daily`` (``day``, ``cost``; null: no bill) for
    ``n_months`` months, computed ``FORECAST_MONTHS`` ahead and cut; None with fewer than
    ``MIN_MONTHS_BY_TIME`` whole months or a history it cannot fit. The one monthly forecast
    by time: the TCO's paths (``forecaster.tco.projection``) and the bill's monthly bands
    (``forecaster.timeonly.bill``) both read it."""
    if daily.is_empty():
        return None
    last = daily["day"].max()
    whole = daily.with_columns(pl.col("day").dt.truncate("1mo").alias("month")).filter(
        pl.col("month") < pl.lit(last).dt.offset_by("1d").dt.truncate("1mo")
    )
    months = whole.group_by("month").agg(pl.col("cost").sum()).sort("month")
    if months.height < MIN_MONTHS_BY_TIME:
        return None
    y = months["cost"].to_numpy().astype(float)
    try:
        fc = forecast_months(y, max(n_months, FORECAST_MONTHS), months["month"][0])
    except CannotFit:
        return None
    fc.p10, fc.p50, fc.p90 = fc.p10[:n_months], fc.p50[:n_months], fc.p90[:n_months]
    labels = months_after(month_label(months["month"][-1]), n_months)
    following = first_of_month_after(last, 1)
    days_left = (following - last).days - 1  # 0: the history ends on a month's last day
    share = days_left / (following - date(last.year, last.month, 1)).days if days_left else 1.0
    return MonthsAhead(fc, labels, float(share))
