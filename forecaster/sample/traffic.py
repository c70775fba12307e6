"""Hourly traffic for the sample workloads: growth, daily and weekly seasonality, events."""

from __future__ import annotations

from datetime import datetime, time

import numpy as np
import polars as pl

from forecaster.sample.truth import END, START, SampleWorkload

DAYS_PER_MONTH = 30.4375


def hours() -> pl.Series:
    """Every hour of the sample, UTC, [START, END)."""
    return pl.datetime_range(
        datetime.combine(START, time()),
        datetime.combine(END, time()),
        interval="1h",
        closed="left",
        time_zone="UTC",
        eager=True,
    ).alias("timestamp")


def hourly_load(workload: SampleWorkload, rng: np.random.Generator) -> pl.DataFrame:
    """Load per hour (the workload's unit) with columns timestamp, value."""
    ts = hours()
    n = len(ts)
    hour = ts.dt.hour().to_numpy()
    weekday = ts.dt.weekday().to_numpy()  # 1 = Monday ... 7 = Sunday
    months = np.arange(n) / 24.0 / DAYS_PER_MONTH
    trend = (1.0 + workload.growth_per_month) ** months
    daily = 1.0 + 0.6 * np.sin((hour - 8.0) / 24.0 * 2.0 * np.pi)  # peak 14:00 UTC
    if workload.name == "reporting-batch":
        daily = np.where((hour >= 1) & (hour < 6), 4.0, 0.2)  # overnight batch window
    weekly = np.where(weekday >= 6, workload.weekend_factor, 1.0)
    shape = daily * weekly
    per_hour = workload.load_per_day / 24.0 * trend * shape / shape.mean()
    noise = rng.lognormal(mean=0.0, sigma=0.05, size=n)
    values = per_hour * noise
    day = ts.dt.date()
    for first, last, factor in workload.load_events:
        inside = (day >= pl.lit(first).str.to_date()) & (day <= pl.lit(last).str.to_date())
        mask = pl.select(inside).to_series().to_numpy()
        values = np.where(mask, values * factor, values)
    return pl.DataFrame({"timestamp": ts, "value": np.round(values, 3)})


def daily_totals(hourly: pl.DataFrame) -> pl.DataFrame:
    """Load per day (sum of the hours), columns day (Date), load."""
    return (
        hourly.group_by(pl.col("timestamp").dt.date().alias("day"))
        .agg(pl.col("value").sum().alias("load"))
        .sort("day")
    )
