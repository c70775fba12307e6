"""Workload cost: which billing rows each workload claims, spread onto a time grain.

A cost row belongs to a grain period in proportion to how much of its charge period
[ChargePeriodStart, ChargePeriodEnd) falls inside it: a daily row counts whole in its day, a
monthly Cost Explorer row is spread evenly over the days (or hours) of its month, so a day
grain joins day-level load with day-level cost whatever the billing source's resolution.
Rows are summed per charge period before spreading, so the spread works on few rows.
"""

from __future__ import annotations

import json

import polars as pl

from forecaster import columns as C
from forecaster.errors import InputError
from forecaster.load.resample import grain_interval
from forecaster.workloads.spec import Workload

MONEY = {
    "cost": C.EFFECTIVE_COST,
    "billed_cost": C.BILLED_COST,
    "list_cost": C.LIST_COST,
    "contracted_cost": C.CONTRACTED_COST,
}
SHARE_TOLERANCE = 1e-9


def matches(workload: Workload) -> pl.Expr:
    """True on the cost rows the workload's filters select (all given filters must hold)."""
    f = workload.cost
    conditions: list[pl.Expr] = []
    for column, values in (
        (C.PROVIDER_NAME, f.providers),
        (C.SERVICE_NAME, f.services),
        (C.SUB_ACCOUNT_ID, f.sub_accounts),
        (C.REGION_ID, f.regions),
        (C.RESOURCE_ID, f.resource_ids),
    ):
        if values:
            conditions.append(pl.col(column).is_in(list(values)).fill_null(False))
    for key, value in f.tags:
        # JSONPath bracket notation takes any key; json_decode would be simpler but fails
        # inside a Parquet scan's pushed-down predicate (polars 2.1).
        tag = pl.col(C.TAGS).str.json_path_match(f"$[{json.dumps(key)}]")
        conditions.append((tag == value).fill_null(False))
    if workload.currency:
        conditions.append(pl.col(C.BILLING_CURRENCY) == workload.currency)
    return pl.all_horizontal(conditions) if conditions else pl.lit(True)


def check_shares(charges: pl.LazyFrame, workloads: list[Workload]) -> None:
    """No cost row is claimed more than once: shares of workloads matching a row sum to <= 1."""
    if len(workloads) < 2:
        return
    flags = [matches(w).alias(f"_w{i}") for i, w in enumerate(workloads)]
    total = pl.sum_horizontal(
        pl.when(pl.col(f"_w{i}")).then(w.cost.share).otherwise(0.0) for i, w in enumerate(workloads)
    )
    over = (
        charges.select(*flags, C.SERVICE_NAME, C.SUB_ACCOUNT_ID)
        .with_columns(total.alias("_claimed"))
        .filter(pl.col("_claimed") > 1.0 + SHARE_TOLERANCE)
        .head(1)
        .collect()
    )
    if over.height:
        row = over.row(0, named=True)
        names = [w.name for i, w in enumerate(workloads) if row[f"_w{i}"]]
        raise InputError(
            f"workloads {', '.join(repr(n) for n in names)} claim the same cost rows "
            f"(e.g. ServiceName {row[C.SERVICE_NAME]!r}, SubAccountId {row[C.SUB_ACCOUNT_ID]!r}) "
            f"with shares adding up to {row['_claimed']:g}; the shares claiming a row must not "
            "exceed 1"
        )


def spread(rows: pl.LazyFrame, grain: str, keys: list[str]) -> pl.LazyFrame:
    """Money columns of ``rows`` spread over the grain periods their charge period overlaps.

    ``rows`` has ChargePeriodStart, ChargePeriodEnd, the ``keys`` and the MONEY output
    names; the result has ``keys``, ``period_start`` and the money summed per period.
    """
    interval = grain_interval(grain)
    start, end = pl.col(C.CHARGE_PERIOD_START), pl.col(C.CHARGE_PERIOD_END)
    money = list(MONEY)
    grouped = rows.group_by([*keys, C.CHARGE_PERIOD_START, C.CHARGE_PERIOD_END]).agg(
        pl.col(money).sum()
    )
    safe_end = pl.when(end > start).then(end).otherwise(start.dt.offset_by("1us"))
    exploded = grouped.with_columns(safe_end.alias("_end")).with_columns(
        pl.datetime_ranges(
            start.dt.truncate(interval),
            pl.col("_end").dt.offset_by("-1us"),
            interval=interval,
            time_zone="UTC",
        ).alias("period_start")
    )
    exploded = exploded.explode("period_start")
    period_end = pl.col("period_start").dt.offset_by(interval)
    overlap = pl.min_horizontal(pl.col("_end"), period_end) - pl.max_horizontal(
        start, pl.col("period_start")
    )
    fraction = overlap.dt.total_microseconds() / (pl.col("_end") - start).dt.total_microseconds()
    return (
        exploded.with_columns([(pl.col(m) * fraction).alias(m) for m in money])
        .group_by([*keys, "period_start"])
        .agg(pl.col(money).sum())
    )


def _money(share: float) -> list[pl.Expr]:
    return [(pl.col(src) * share).alias(out) for out, src in MONEY.items()]


def claimed_rows(charges: pl.LazyFrame, workloads: list[Workload]) -> pl.LazyFrame:
    """Per workload, the rows it claims with money times its share (long: one frame)."""
    parts = [
        charges.filter(matches(w)).select(
            pl.lit(w.name).alias("workload"),
            C.CHARGE_PERIOD_START,
            C.CHARGE_PERIOD_END,
            pl.col(C.BILLING_CURRENCY).alias("currency"),
            *_money(w.cost.share),
        )
        for w in workloads
    ]
    return pl.concat(parts) if parts else pl.LazyFrame()


def all_rows(charges: pl.LazyFrame) -> pl.LazyFrame:
    return charges.select(
        C.CHARGE_PERIOD_START,
        C.CHARGE_PERIOD_END,
        pl.col(C.BILLING_CURRENCY).alias("currency"),
        *_money(1.0),
    )


def workload_cost(charges: pl.LazyFrame, workloads: list[Workload], grain: str) -> pl.DataFrame:
    """``workload, period_start, currency`` and the MONEY columns, one row per period.

    Raises InputError when a workload without ``currency`` matches cost in several
    currencies (currencies are never summed together).
    """
    cost = spread(claimed_rows(charges, workloads), grain, ["workload", "currency"]).collect()
    mixed = (
        cost.group_by("workload")
        .agg(pl.col("currency").unique().sort())
        .filter(pl.col("currency").list.len() > 1)
    )
    if mixed.height:
        name, currencies = mixed.sort("workload").row(0)
        raise InputError(
            f"workload {name!r} matches cost in {', '.join(currencies)}; currencies are never "
            'added together: set currency = "..." in its [[workload]] table'
        )
    return cost.sort("workload", "period_start")
