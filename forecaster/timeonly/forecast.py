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
from forecaster.timeonly.series import TOTAL, DailyCost, recent_history

METHOD = "daily cost forecast by time (trend and seasonality of the bill's own history)"


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


def forecast_group(daily: DailyCost, group: str, months: int) -> GroupForecast:
    """The time-only forecast of one group of ``daily`` for ``months`` calendar months from
    the day after its last day (``horizon_days``)."""
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
    day_frame = pl.DataFrame({"day": fc.days, "p10": fc.p10, "p50": fc.p50, "p90": fc.p90})
    return GroupForecast(
        group=group,
        history_cost=float(used["cost"].fill_null(0.0).sum()),
        daily=day_frame,
        monthly=monthly_bands(fc, billed),
        method=fc.method,
        history_start=fc.history_start,
        history_days=fc.history_days,
    )


def forecast_total(daily: DailyCost, months: int) -> GroupForecast:
    return forecast_group(daily, TOTAL, months)
