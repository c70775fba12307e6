"""Cost forecast by time alone: the bill's own daily history, forecast with the load
forecaster (``forecaster.forecast.LoadForecaster`` at day grain: trend, weekly and yearly
seasonality as the history supports, variant and intervals chosen out of sample).

Levels: P50 is the forecaster's point forecast; P10 and P90 the ends of its 80% interval.
A month's band adds the days' bands (the days' errors are taken as fully correlated, the
conservative choice for a monthly sum, as the load-driven forecast does in
``forecaster.tco.projection``), plus the cost already billed in that month before the
forecast starts.

``forecast_days`` is the one time-only cost forecast of the project: the bill forecast of a
store without workloads and, with workloads, the forecast of the cost no workload claims
(``forecaster tco``) both come from it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

import numpy as np
import polars as pl

from forecaster.errors import CannotFit
from forecaster.forecast import LoadForecaster
from forecaster.months import first_of_month_after, month_label, month_of
from forecaster.timeonly.monthly import MonthsAhead, months_ahead
from forecaster.timeonly.series import TOTAL, DailyCost, recent_history

METHOD = "daily cost forecast by time (trend and seasonality of the bill's own history)"

#: Under this many days of history, a bill forecast further ahead than its history is long
#: is forecast at its run rate (see ``run_rate``; a shorter horizon, such as the anomaly
#: check's, keeps the model):
#: a few weeks cannot tell a trend from the month's own pattern (monthly fees, the days a
#: provider has not billed yet), and a trend or a seasonal naive error extrapolated three
#: years from them reaches absurd bands (P90 44 million USD on a 187,000 USD month).
SHORT_HISTORY_DAYS = 90
#: The run rate is the mean day of this many last days (four whole weeks).
RUN_RATE_DAYS = 28


@dataclass
class DayForecast:
    """P10/P50/P90 per day after the history, in the billing currency per day."""

    days: list[date]
    p10: np.ndarray
    p50: np.ndarray
    p90: np.ndarray
    history_start: date
    history_days: int
    method: str = METHOD
    config: dict[str, object] = field(default_factory=dict)


def forecast_days(days: list[date], cost: np.ndarray, n_days: int) -> DayForecast:
    """Forecast ``n_days`` days after ``days[-1]`` from the daily ``cost`` (NaN: no bill).

    Raises ``CannotFit`` (with the reason in words) when the history is too short.
    """
    if n_days < 1:
        raise CannotFit(f"a forecast needs at least 1 day ahead, got {n_days}")
    used_days, y = recent_history(list(days), np.asarray(cost, dtype=float))
    if not used_days:
        raise CannotFit("no day with billing to forecast from")
    if len(used_days) < SHORT_HISTORY_DAYS and n_days > len(used_days):
        return run_rate(used_days, y, n_days)
    model = LoadForecaster(freq="1d", horizon=int(n_days)).fit(y)
    pred = model.predict()
    p10, p50, p90 = (pred[k].to_numpy() for k in ("lo_80", "mean", "hi_80"))
    finite = y[np.isfinite(y)]
    if finite.size and finite.min() >= 0:  # a bill that never went negative stays >= 0
        p10, p50, p90 = (np.maximum(a, 0.0) for a in (p10, p50, p90))
    last = used_days[-1]
    cfg = model.config_
    seasons = ", ".join(name for name, _ in model.periods_) or "none"
    how = (
        "seasonal naive"
        if cfg.naive
        else f"seasons: {seasons}; trend: {'yes' if cfg.trend else 'no'}"
    )
    return DayForecast(
        days=[last + timedelta(days=i + 1) for i in range(int(n_days))],
        p10=np.asarray(p10, dtype=float),
        p50=np.asarray(p50, dtype=float),
        p90=np.asarray(p90, dtype=float),
        history_start=used_days[0],
        history_days=len(used_days),
        method=f"{METHOD}; {how}",
        config={"naive": bool(cfg.naive), "trend": bool(cfg.trend), "log": bool(cfg.log)},
    )


def run_rate(days: list[date], y: np.ndarray, n_days: int) -> DayForecast:
    """A short history's forecast: every day ahead costs the mean day of the last
    ``RUN_RATE_DAYS`` days (by weekday once three weeks are billed).

    The band is log-normal around it. Its spread over the history's own span is the spread
    of the history's weekly totals (robust: ``log(1 + 1.4826 MAD / median)``, so neither a
    partial last week nor a near-empty one sets it; widened by Student's t for the few weeks there
    are); beyond that span it grows with the square root of the horizon, as a random walk
    of the level does. P10 and P90 are ``P50 * exp(-+ q * s * sqrt(h / span))``: never
    negative, wider the shorter the history and the further ahead.

    Raises ``CannotFit`` under two weeks of billed days or a recent level that is not
    positive (a bill of credits).
    """
    from scipy.stats import t as student_t

    values = np.asarray(y, dtype=float)
    recent = values[-RUN_RATE_DAYS:]
    recent_days = days[-RUN_RATE_DAYS:]
    billed = np.isfinite(recent)
    n_weeks = values.size // 7
    weeks = values[values.size - 7 * n_weeks :].reshape(n_weeks, 7) if n_weeks else values[:0]
    totals = np.array([np.nanmean(w) * 7.0 for w in weeks if np.isfinite(w).sum() >= 4])
    totals = totals[totals > 0]
    if totals.size < 2:
        raise CannotFit(
            f"{int(np.isfinite(values).sum())} billed days: a run rate needs at least two weeks of "
            "positive cost"
        )
    level = float(np.nanmean(recent))
    if not level > 0:
        raise CannotFit("the recent bill is not positive (credits): no run rate to forecast")
    profile = np.ones(7)
    if billed.sum() >= 21:
        weekday = np.array([d.weekday() for d in recent_days])
        for wd in range(7):
            seen = recent[billed & (weekday == wd)]
            if seen.size:
                profile[wd] = max(float(seen.mean()), 0.0) / level
        profile /= profile.mean()
    middle = float(np.median(totals))
    spread_span = float(np.log1p(1.4826 * np.median(np.abs(totals - middle)) / middle))
    q = float(student_t.ppf(0.9, df=totals.size - 1))
    span = len(days)
    last = days[-1]
    ahead = [last + timedelta(days=i + 1) for i in range(int(n_days))]
    p50 = np.array([level * profile[d.weekday()] for d in ahead])
    spread = q * spread_span * np.sqrt(np.maximum(np.arange(1, n_days + 1), 7) / span)
    return DayForecast(
        days=ahead,
        p10=p50 * np.exp(-spread),
        p50=p50,
        p90=p50 * np.exp(spread),
        history_start=days[0],
        history_days=span,
        method=(
            f"run rate of the last {min(RUN_RATE_DAYS, span)} days (only {span} days of "
            f"history: too few for a trend or a yearly season); band from the spread of its "
            f"{totals.size} weeks ({spread_span:.1%}), growing as a random walk beyond them"
        ),
        config={"naive": False, "trend": False, "log": True},
    )


def horizon_days(last_day: date, months: int) -> int:
    """Days in the ``months`` calendar months from the day after ``last_day``: the month
    of that day (what is left of it) counts as the first, as in ``forecaster tco``."""
    first = last_day + timedelta(days=1)
    return (first_of_month_after(first, months) - first).days


def monthly_bands(fc: DayForecast, billed: dict[str, float] | None = None) -> pl.DataFrame:
    """``month, billed_to_date, p10, p50, p90``: per calendar month of the forecast, the
    days' bands added up, plus what the month had already billed before the forecast
    (``billed``: month -> cost, e.g. the open month's days so far)."""
    frame = pl.DataFrame(
        {"month": [month_label(d) for d in fc.days], "p10": fc.p10, "p50": fc.p50, "p90": fc.p90}
    )
    out = frame.group_by("month", maintain_order=True).agg(pl.col("p10", "p50", "p90").sum())
    billed = billed or {}
    to_date = pl.Series("billed_to_date", [float(billed.get(m, 0.0)) for m in out["month"]])
    return (
        out.with_columns(to_date)
        .with_columns(
            [(pl.col(c) + pl.col("billed_to_date")).alias(c) for c in ("p10", "p50", "p90")]
        )
        .select("month", "billed_to_date", "p10", "p50", "p90")
    )


@dataclass
class GroupForecast:
    """One group's forecast, or the reason there is none."""

    group: str
    history_cost: float  # EffectiveCost over the history span used
    daily: pl.DataFrame | None  # day, p10, p50, p90
    monthly: pl.DataFrame | None  # month, billed_to_date, p10, p50, p90
    method: str | None
    history_start: date | None
    history_days: int
    reason: str | None = None


def _days_adding_up_to(fc: DayForecast, ahead: MonthsAhead) -> DayForecast:
    """The daily forecast rescaled, month by month and level by level, so its days add up
    to the monthly forecast by time (the first month: its share of days still ahead); the
    days keep their weekly shape. A month whose days forecast nothing is spread evenly."""
    labels = np.array([month_label(d) for d in fc.days])
    out = {}
    for name in ("p10", "p50", "p90"):
        day_values = np.maximum(np.asarray(getattr(fc, name), dtype=float), 0.0)
        month_values = np.asarray(getattr(ahead.forecast, name), dtype=float).copy()
        month_values[0] *= ahead.share
        scaled = np.zeros_like(day_values)
        for k, month in enumerate(ahead.months):
            in_month = labels == month
            if not in_month.any():
                continue
            total = day_values[in_month].sum()
            if total > 0:
                scaled[in_month] = day_values[in_month] * (month_values[k] / total)
            else:
                scaled[in_month] = month_values[k] / in_month.sum()
        out[name] = scaled
    return DayForecast(
        days=fc.days, p10=out["p10"], p50=out["p50"], p90=out["p90"],
        history_start=fc.history_start, history_days=fc.history_days,
        method=fc.method, config=fc.config,
    )  # fmt: skip


def forecast_group(
    daily: DailyCost, group: str, months: int, monthly_grain: bool = False
) -> GroupForecast:
    """The time-only forecast of one group of ``daily`` for ``months`` calendar months from
    the day after its last day (``horizon_days``).

    ``monthly_grain`` (the bill's total): with ``MIN_MONTHS_BY_TIME`` whole months, the
    months are the monthly forecast by time (``months_ahead``), the one the TCO's baseline
    reads, and the days are rescaled to add up to it; groups keep their daily forecast
    (the monthly fit costs seconds a group)."""
    frame = daily.values(group)
    days = frame["day"].to_list()
    cost = frame["cost"].cast(pl.Float64).fill_null(np.nan).to_numpy()
    n = horizon_days(daily.last_day, months)
    try:
        fc = forecast_days(days, cost, n)
    except CannotFit as exc:
        spent = float(np.nansum(cost)) if np.isfinite(cost).any() else 0.0
        return GroupForecast(group, spent, None, None, None, None, 0, f"no forecast: {exc}")
    used = frame.filter(pl.col("day") >= fc.history_start)
    first_month = month_label(fc.days[0])
    billed = {
        first_month: float(used.filter(month_of("day") == first_month)["cost"].fill_null(0.0).sum())
    }
    method = fc.method
    ahead = months_ahead(frame.select("day", "cost"), months) if monthly_grain else None
    if ahead is not None:  # whole months enough: the monthly forecast, as the TCO's
        fc = _days_adding_up_to(fc, ahead)
        method = f"{ahead.forecast.method}; P10-P90 {ahead.forecast.band}"
    day_frame = pl.DataFrame({"day": fc.days, "p10": fc.p10, "p50": fc.p50, "p90": fc.p90})
    return GroupForecast(
        group=group,
        history_cost=float(used["cost"].fill_null(0.0).sum()),
        daily=day_frame,
        monthly=monthly_bands(fc, billed),
        method=method,
        history_start=fc.history_start,
        history_days=fc.history_days,
    )


def forecast_total(daily: DailyCost, months: int) -> GroupForecast:
    return forecast_group(daily, TOTAL, months, monthly_grain=True)
