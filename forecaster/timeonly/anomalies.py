"""Anomalies by time: days whose cost falls outside the forecast band of its own history.

Where no load explains a cost (no workloads, or cost no workload claims), the best
expectation for a day is the forecast of that cost's own past. Per currency and group
(provider / service / account: the largest groups), the load forecaster is refitted every
``HORIZON`` days over the last ``days`` days, each fit on the days before its origin only,
and a day whose cost lies outside the 95% interval of that forecast is an anomaly, in money:
``excess`` is how far it lies beyond the band (positive above, negative below), ``expected``
the forecast P50. Labelled time-only: with a load driver, the load-aware anomalies of the
cost curves are the answer.
"""

from __future__ import annotations

from datetime import datetime

import numpy as np
import polars as pl

from forecaster.errors import CannotFit
from forecaster.months import month_of
from forecaster.timeonly.forecast import forecast_days
from forecaster.timeonly.series import KEY_SEP, REST, SERVICE_ACCOUNT, currencies, daily_cost

HORIZON = 14
"""Days each refit forecasts (two weeks: six refits cover the default 84 days)."""
LEVEL = 95
MIN_HISTORY = 21
"""Days of history a refit needs before its origin (three weeks)."""
LABEL = "time-only: outside the 95% forecast band of its own history"
SCHEMA = {
    "currency": pl.String,
    "day": pl.Date,
    "provider": pl.String,
    "service": pl.String,
    "account": pl.String,
    "cost": pl.Float64,
    "expected": pl.Float64,
    "lo_95": pl.Float64,
    "hi_95": pl.Float64,
    "excess": pl.Float64,
    "basis": pl.String,
}


def group_anomalies(days: list, cost: np.ndarray, recent: int) -> list[dict]:
    """Anomalous days among the last ``recent`` of one daily series."""
    out = []
    n = len(days)
    start = max(MIN_HISTORY, n - recent)
    for origin in range(start, n, HORIZON):
        h = min(HORIZON, n - origin)
        try:
            fc = forecast_days(days[:origin], cost[:origin], h)
        except CannotFit:
            continue
        # the 95% band: forecast_days gives the 80% ends; widen by the normal ratio
        spread_hi = (fc.p90 - fc.p50) * (1.959964 / 1.281552)
        spread_lo = (fc.p50 - fc.p10) * (1.959964 / 1.281552)
        lo, hi = fc.p50 - spread_lo, fc.p50 + spread_hi
        if np.nanmin(cost[:origin]) >= 0:
            lo = np.maximum(lo, 0.0)
        for j in range(h):
            y = cost[origin + j]
            if not np.isfinite(y):
                continue
            excess = y - hi[j] if y > hi[j] else y - lo[j] if y < lo[j] else 0.0
            if abs(excess) >= 0.005:
                out.append(
                    {"day": days[origin + j], "cost": float(y), "expected": float(fc.p50[j]),
                     "lo_95": float(lo[j]), "hi_95": float(hi[j]), "excess": float(excess)}
                )  # fmt: skip
    return out


def time_only_anomalies(
    charges: pl.LazyFrame,
    days: int = 84,
    groups: int = 8,
    end: datetime | None = None,
) -> pl.DataFrame:
    """Anomalies by time over the last ``days`` days, per currency, for the ``groups``
    largest provider / service / account groups; largest excess first."""
    rows = []
    for currency in currencies(charges):
        by_group = daily_cost(charges, currency, SERVICE_ACCOUNT, groups=groups, end=end)
        for g in by_group.groups:
            if g == REST:
                continue
            frame = by_group.values(g)
            found = group_anomalies(
                frame["day"].to_list(),
                frame["cost"].cast(pl.Float64).fill_null(np.nan).to_numpy(),
                days,
            )
            provider, service, account = g.split(KEY_SEP)
            for r in found:
                rows.append(
                    {"currency": currency, "provider": provider, "service": service,
                     "account": account, **r, "basis": LABEL}
                )  # fmt: skip
    frame = pl.DataFrame(rows, schema=SCHEMA)
    return frame.sort(pl.col("excess").abs(), descending=True)


def month_findings_rows(anomalies: pl.DataFrame, month: str) -> pl.DataFrame:
    """The month's anomalies by time in the review pack's findings shape (``workload``
    holds "provider / service / account"), largest excess first."""
    mine = anomalies.filter(month_of("day") == month)
    frame = mine.select(
        pl.concat_str(
            [pl.col("provider"), pl.col("service"), pl.col("account")], separator=" / "
        ).alias("workload"),
        "currency",
        pl.lit("anomaly (time-only)").alias("kind"),
        pl.col("excess").round(2).alias("amount"),
        pl.lit("day").alias("per"),
        pl.lit(None, dtype=pl.Float64).alias("low"),
        pl.lit(None, dtype=pl.Float64).alias("high"),
        pl.col("day").cast(pl.String).alias("period"),
        pl.format(
            "cost {} against a forecast of {} (95% band {} to {}) from its own history",
            pl.col("cost").round(2),
            pl.col("expected").round(2),
            pl.col("lo_95").round(2),
            pl.col("hi_95").round(2),
        ).alias("evidence"),
    )
    frame = frame.sort(pl.col("amount").abs(), descending=True)
    return frame.with_row_index("rank", offset=1).with_columns(pl.col("rank").cast(pl.Int64))
