"""Daily cost series straight from the bill, per currency, in total or per group.

A day's cost is the EffectiveCost of the rows whose charge period overlaps it, spread in
proportion to the overlap (``forecaster.workloads.cost.spread``: a monthly row counts
evenly over the days of its month). Days are UTC, ``day`` is the day's start.

Gaps are explicit: a day with no charge rows inside a billing period the store holds costs
0.00 (the bill for that period is complete and charged nothing that day); a day outside
every held billing period is null (no bill, not a zero). The series runs from the first to
the last day with charges of its currency.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

import numpy as np
import polars as pl

from forecaster import columns as C
from forecaster.errors import InputError
from forecaster.store import read_charges
from forecaster.workloads import Workload, unclaimed_cost
from forecaster.workloads.cost import MONEY, spread

TOTAL = "total"
REST = "the rest"
NONE = "(none)"
DIMENSIONS = ("provider", "service", "account")
SERVICE_ACCOUNT = "service_account"
"""Internal dimension: provider, service and account joined by ``KEY_SEP``."""
KEY_SEP = "\x1f"
LONG_GAP = 28
"""Days without any held bill that cut the history: the forecast uses the days after the
last gap at least this long (a bill from another year is another regime, not a season)."""
DEFAULT_GROUPS = 5
"""Largest groups forecast one by one; every other group adds up to ``REST``."""


def group_label(dimension: str) -> pl.Expr:
    """A human label per row for ``dimension``: provider; provider / service; provider /
    account name (account id)."""
    provider = pl.col(C.PROVIDER_NAME).fill_null(NONE)
    if dimension == "provider":
        return provider.alias("group")
    if dimension == "service":
        return pl.concat_str(
            [provider, pl.lit(" / "), pl.col(C.SERVICE_NAME).fill_null(NONE)]
        ).alias("group")
    if dimension == "account":
        account = pl.col(C.SUB_ACCOUNT_ID).fill_null(NONE)
        name = pl.col(C.SUB_ACCOUNT_NAME)
        shown = pl.when(name.is_not_null() & (name != account))
        return pl.concat_str(
            [
                provider,
                pl.lit(" / "),
                shown.then(pl.concat_str([name, pl.lit(" ("), account, pl.lit(")")])).otherwise(
                    account
                ),
            ]
        ).alias("group")
    if dimension == SERVICE_ACCOUNT:
        sep = pl.lit(KEY_SEP)
        return pl.concat_str(
            [provider, sep, pl.col(C.SERVICE_NAME).fill_null(NONE), sep,
             pl.col(C.SUB_ACCOUNT_ID).fill_null(NONE)]
        ).alias("group")  # fmt: skip
    raise InputError(f"unknown dimension {dimension!r}; expected one of {', '.join(DIMENSIONS)}")


@dataclass
class DailyCost:
    """One currency's daily EffectiveCost per group (``TOTAL`` when not split).

    ``frame``: ``group, day`` (date), ``cost`` (null on days outside every held billing
    period). ``groups``: in order, largest total first, ``REST`` last when present.
    ``others``: how many groups ``REST`` adds up. ``held``: billing periods of the currency,
    as ``YYYY-MM``.
    """

    currency: str
    dimension: str | None
    frame: pl.DataFrame
    groups: list[str]
    others: int
    held: list[str]

    def values(self, group: str = TOTAL) -> pl.DataFrame:
        """``day, cost`` of one group, every day of the span, in order."""
        return self.frame.filter(pl.col("group") == group).select("day", "cost").sort("day")

    @property
    def first_day(self) -> date:
        return self.frame["day"].min()  # type: ignore[return-value]

    @property
    def last_day(self) -> date:
        return self.frame["day"].max()  # type: ignore[return-value]


def held_periods(charges: pl.LazyFrame, currency: str) -> tuple[list[str], set[date]]:
    """The currency's billing periods held (``YYYY-MM``) and every day they cover."""
    periods = (
        charges.filter(pl.col(C.BILLING_CURRENCY) == currency)
        .select(C.BILLING_PERIOD_START, C.BILLING_PERIOD_END)
        .unique()
        .collect()
    )
    days: set[date] = set()
    months = set()
    for start, end in periods.iter_rows():
        months.add(f"{start:%Y-%m}")
        d = start.date()
        last = (end - timedelta(microseconds=1)).date() if end > start else d
        while d <= last:
            days.add(d)
            d += timedelta(days=1)
    return sorted(months), days


def currencies(charges: pl.LazyFrame) -> list[str]:
    """The billing currencies in the charges, alphabetical."""
    found = charges.select(pl.col(C.BILLING_CURRENCY).unique()).collect()[C.BILLING_CURRENCY]
    return sorted(c for c in found.to_list() if c)


def daily_cost(
    charges: pl.LazyFrame,
    currency: str,
    dimension: str | None = None,
    groups: int = DEFAULT_GROUPS,
    end: datetime | None = None,
) -> DailyCost:
    """The currency's daily EffectiveCost in total (``dimension`` None) or per provider,
    service or account: the ``groups`` largest by total over the span, the rest summed.

    ``end`` (UTC, exclusive): only days before it (e.g. the end of a reviewed month).
    """
    if groups < 1:
        raise InputError(f"groups must be at least 1, got {groups}")
    mine = charges.filter(pl.col(C.BILLING_CURRENCY) == currency)
    key = group_label(dimension) if dimension else pl.lit(TOTAL).alias("group")
    rows = mine.select(
        C.CHARGE_PERIOD_START,
        C.CHARGE_PERIOD_END,
        key,
        *[pl.col(src).alias(out) for out, src in MONEY.items()],
    )
    by_day = (
        spread(rows, "day", ["group"])
        .select("group", pl.col("period_start").dt.date().alias("day"), "cost")
        .collect()
    )
    if end is not None:
        by_day = by_day.filter(pl.col("day") < end.date())
    if by_day.is_empty():
        raise InputError(f"the store holds no {currency} charges to build a daily series from")
    totals = (
        by_day.group_by("group")
        .agg(pl.col("cost").sum())
        .sort(["cost", "group"], descending=[True, False])
    )
    ranked = totals["group"].to_list()
    keep, others = ranked[:groups], ranked[groups:]
    if others:
        by_day = by_day.with_columns(
            pl.when(pl.col("group").is_in(keep))
            .then("group")
            .otherwise(pl.lit(REST))
            .alias("group")
        )
    by_day = by_day.group_by("group", "day").agg(pl.col("cost").sum())
    held, held_days = held_periods(mine, currency)
    names = keep + ([REST] if others else [])
    frame = fill_span(by_day, names, held_days)
    return DailyCost(currency, dimension, frame, names, len(others), held)


def fill_span(by_day: pl.DataFrame, groups: list[str], held_days: set[date]) -> pl.DataFrame:
    """``group, day, cost`` on every day from the first to the last of ``by_day``: a missing
    day is 0.0 inside a held billing period (``held_days``), null outside."""
    first, last = by_day["day"].min(), by_day["day"].max()
    span = pl.date_range(first, last, "1d", eager=True).alias("day")
    grid = pl.DataFrame({"group": groups}).join(span.to_frame(), how="cross")
    return (
        grid.join(by_day.select("group", "day", "cost"), on=["group", "day"], how="left")
        .with_columns(
            pl.when(pl.col("cost").is_not_null())
            .then("cost")
            .when(pl.col("day").is_in(sorted(held_days)))
            .then(0.0)
            .alias("cost")
        )
        .sort("group", "day")
    )


def unclaimed_daily(
    store_dir: str | Path,
    workloads: list[Workload],
    sources: list[str] | None = None,
    end: datetime | None = None,
) -> pl.DataFrame:
    """``currency, day, cost``: per day the EffectiveCost no workload claims (all of it
    without workloads), with the gap rule of ``fill_span``; only days before ``end``."""
    frame = unclaimed_cost(store_dir, workloads, "day", sources)
    if end is not None:
        frame = frame.filter(pl.col("period_start") < end)
    if frame.is_empty():
        return pl.DataFrame(schema={"currency": pl.String, "day": pl.Date, "cost": pl.Float64})
    charges = read_charges(store_dir)
    if sources:
        charges = charges.filter(pl.col(C.X_SOURCE).is_in(sources))
    parts = []
    for currency in sorted(c for c in frame["currency"].unique().to_list() if c):
        mine = frame.filter(pl.col("currency") == currency).select(
            pl.lit(currency).alias("group"),
            pl.col("period_start").dt.date().alias("day"),
            pl.col("unclaimed_cost").alias("cost"),
        )
        _, held = held_periods(charges, currency)
        parts.append(fill_span(mine, [currency], held).rename({"group": "currency"}))
    return pl.concat(parts)


def series_frame(daily: DailyCost, group: str = TOTAL, recent: bool = True) -> pl.DataFrame:
    """One group as a regular ``timestamp, value`` series (timestamps naive UTC, the shape
    ``forecaster.forecast.read_series`` returns), so the load forecaster's backtest runs on
    cost; ``recent``: only the history the cost forecast uses (after the last long gap)."""
    frame = daily.values(group)
    if group not in daily.groups:
        raise InputError(f"no group {group!r}; the groups are {', '.join(daily.groups)}")
    if recent:
        days, _ = recent_history(
            frame["day"].to_list(), frame["cost"].cast(pl.Float64).fill_null(np.nan).to_numpy()
        )
        if days:
            frame = frame.filter(pl.col("day") >= days[0])
    return frame.select(
        pl.col("day").cast(pl.Datetime("us")).alias("timestamp"), pl.col("cost").alias("value")
    )


def recent_history(days: list[date], cost: np.ndarray) -> tuple[list[date], np.ndarray]:
    """The days after the last run of at least ``LONG_GAP`` null days (and no leading
    nulls)."""
    missing = ~np.isfinite(cost)
    start, run = 0, 0
    for i, gap in enumerate(missing):
        run = run + 1 if gap else 0
        if run >= LONG_GAP:
            start = i + 1
    while start < cost.size and missing[start]:
        start += 1
    return days[start:], cost[start:]
