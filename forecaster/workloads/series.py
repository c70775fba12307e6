"""Each workload's cost joined with its load per period, the coverage of that join, and the
cost no workload claims.

Periods are UTC grain periods ([start, end)). A period with cost but no load (or load but
no cost) stays in the series with a null on the missing side: coverage counts them so a
gap in the traffic data is visible instead of silently dropped.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from forecaster import columns as C
from forecaster.errors import InputError
from forecaster.load import read_load, resample
from forecaster.store import read_charges
from forecaster.workloads.cost import (
    MONEY,
    all_rows,
    check_shares,
    claimed_rows,
    spread,
    workload_cost,
)
from forecaster.workloads.kept import check_kept
from forecaster.workloads.spec import Workload

SERIES_SCHEMA: dict[str, pl.DataType] = {
    "workload": pl.String(),
    "period_start": C.UTC_DATETIME,
    "cost": pl.Float64(),
    "billed_cost": pl.Float64(),
    "list_cost": pl.Float64(),
    "contracted_cost": pl.Float64(),
    "currency": pl.String(),
    "load": pl.Float64(),
    "load_unit": pl.String(),
}


def _charges(store_dir: str | Path, sources: list[str] | None) -> pl.LazyFrame:
    charges = read_charges(store_dir)
    if sources:
        charges = charges.filter(pl.col(C.X_SOURCE).is_in(sources))
    return charges


def workload_load(samples: pl.LazyFrame, workload: Workload, grain: str) -> pl.DataFrame:
    """``period_start, load`` for one workload: its metric's samples rolled up to the grain.

    Raises InputError when the metric comes from several sources and the workload does not
    pick one (they would be double counted), or when its stored unit is not the declared one.
    """
    driver = workload.load
    rows = samples.filter(pl.col(C.LOAD_METRIC) == driver.metric)
    if driver.source:
        rows = rows.filter(pl.col(C.LOAD_SOURCE) == driver.source)
    seen = rows.group_by(C.LOAD_SOURCE).agg(pl.col(C.LOAD_UNIT).unique()).collect()
    if seen.height > 1:
        raise InputError(
            f"workload {workload.name!r}: metric {driver.metric!r} is stored from sources "
            f'{", ".join(sorted(seen[C.LOAD_SOURCE]))}; set source = "..." in its '
            "[workload.load] so they are not added together"
        )
    units = {u for us in seen[C.LOAD_UNIT].to_list() for u in us} - {None}
    if driver.unit and units and units != {driver.unit}:
        raise InputError(
            f"workload {workload.name!r} declares unit {driver.unit!r} but metric "
            f"{driver.metric!r} is stored in {', '.join(sorted(units))}"
        )
    out = resample(rows, grain, driver.aggregation).collect()
    return out.select("period_start", pl.col(C.LOAD_VALUE).alias("load"))


def workload_series(
    store_dir: str | Path,
    workloads: list[Workload],
    grain: str = "day",
    sources: list[str] | None = None,
) -> pl.DataFrame:
    """One row per workload and period: cost (EffectiveCost), billed_cost, list_cost,
    contracted_cost (all times the workload's share, in ``currency``), load (the driver
    metric rolled up with its aggregation) and load_unit.

    Columns: workload, period_start (Datetime us UTC), cost, billed_cost, list_cost,
    contracted_cost, currency, load, load_unit. Null cost or load where that side has no
    data for the period. ``sources`` restricts billing to those store sources (x_Source),
    e.g. when Cost Explorer and CUR both cover the same months.
    """
    if not workloads:  # a bill only: nothing is claimed
        return pl.DataFrame(schema=SERIES_SCHEMA)
    check_kept(store_dir, workloads, sources)
    charges = _charges(store_dir, sources)
    check_shares(charges, workloads)
    cost = workload_cost(charges, workloads, grain)
    samples = read_load(store_dir)
    frames = []
    for w in workloads:
        mine = cost.filter(pl.col("workload") == w.name).drop("workload")
        currency = w.currency or (mine["currency"][0] if mine.height else None)
        load = workload_load(samples, w, grain)
        joined = mine.join(load, on="period_start", how="full", coalesce=True)
        frames.append(
            joined.with_columns(
                pl.lit(w.name).alias("workload"),
                pl.col("currency").fill_null(pl.lit(currency, dtype=pl.String)),
                pl.lit(w.load.unit, dtype=pl.String).alias("load_unit"),
            ).select([pl.col(c).cast(t) for c, t in SERIES_SCHEMA.items()])
        )
    if not frames:
        return pl.DataFrame(schema=SERIES_SCHEMA)
    return pl.concat(frames).sort("workload", "period_start")


def coverage(series: pl.DataFrame) -> pl.DataFrame:
    """Per workload: how many periods have both cost and load, only cost, only load.

    Columns: workload, periods, both, cost_only, load_only, cost_only_periods,
    load_only_periods (the period starts, as lists), first, last.
    """
    has_cost, has_load = pl.col("cost").is_not_null(), pl.col("load").is_not_null()
    return (
        series.group_by("workload", maintain_order=True)
        .agg(
            pl.len().alias("periods"),
            (has_cost & has_load).sum().alias("both"),
            (has_cost & ~has_load).sum().alias("cost_only"),
            (~has_cost & has_load).sum().alias("load_only"),
            pl.col("period_start").filter(has_cost & ~has_load).alias("cost_only_periods"),
            pl.col("period_start").filter(~has_cost & has_load).alias("load_only_periods"),
            pl.col("period_start").min().alias("first"),
            pl.col("period_start").max().alias("last"),
        )
        .sort("workload")
    )


def unclaimed_cost(
    store_dir: str | Path,
    workloads: list[Workload],
    grain: str = "month",
    sources: list[str] | None = None,
) -> pl.DataFrame:
    """Per period and currency: total_cost, claimed_cost, unclaimed_cost (EffectiveCost).

    Claimed is the sum over workloads of their share of the rows they match; unclaimed is
    what is left. Columns: period_start, currency, total_cost, claimed_cost, unclaimed_cost.
    """
    check_kept(store_dir, workloads, sources)
    charges = _charges(store_dir, sources)
    check_shares(charges, workloads)
    total = spread(all_rows(charges), grain, ["currency"]).select(
        "period_start", "currency", pl.col("cost").alias("total_cost")
    )
    if workloads:
        claimed = (
            spread(claimed_rows(charges, workloads), grain, ["workload", "currency"])
            .group_by("period_start", "currency")
            .agg(pl.col("cost").sum().alias("claimed_cost"))
        )
        total = total.join(claimed, on=["period_start", "currency"], how="left")
    else:
        total = total.with_columns(pl.lit(0.0).alias("claimed_cost"))
    return (
        total.with_columns(pl.col("claimed_cost").fill_null(0.0))
        .with_columns((pl.col("total_cost") - pl.col("claimed_cost")).alias("unclaimed_cost"))
        .sort("period_start", "currency")
        .collect()
    )


def workload_frames(series: pl.DataFrame) -> dict[str, pl.DataFrame]:
    """The series split per workload: ``period_start, cost, load`` (+ the other money columns),
    as the cost-curve fitter takes them."""
    keep = ["period_start", "cost", "load", *[m for m in MONEY if m != "cost"], "currency"]
    return {
        name: part.select(keep).sort("period_start")
        for (name,), part in series.partition_by("workload", as_dict=True).items()
    }
