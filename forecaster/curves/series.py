"""Plain ``timestamp,value`` CSV series, and joining a cost series with a load series.

This is the store-free way in: a cost export (one row per period, in the billing currency)
and a load export (requests, sessions, GB; possibly at a finer grain such as CloudWatch's
5-minute points) become one workload frame at the cost series' grain. Timestamps are read
as UTC (naive ones are taken to be UTC, offsets are converted).
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from forecaster.curves.workload import infer_grain
from forecaster.errors import InputError
from forecaster.series_input import read_series_file

TRUNCATE = {"hour": "1h", "day": "1d", "month": "1mo"}


def read_series_csv(path: str | Path, what: str = "load", min_points: int = 1) -> pl.DataFrame:
    """A ``timestamp,value`` file (CSV, CSV.gz or Parquet; ``ds,y`` or any two columns in
    that order) as ``timestamp`` (Datetime UTC) and ``value`` (Float64), oldest first.

    Read and checked by :func:`forecaster.series_input.read_series_file`: ``what="load"``
    refuses negative values, ``"cost"`` keeps them (credits; the fit refuses them with its
    reason). Blank values are dropped.
    """
    read = read_series_file(path, what, min_points=min_points, needed_for="a cost curve")
    return read.frame.drop_nulls("value")


def join_cost_load(
    cost: pl.DataFrame,
    load: pl.DataFrame,
    grain: str | None = None,
    load_agg: str = "sum",
) -> tuple[pl.DataFrame, str]:
    """A workload frame (``period_start``, ``cost``, ``load``) and its grain.

    The grain defaults to the cost series' spacing. Both series are summed into periods of
    that grain (load averaged instead with ``load_agg="mean"``, for gauges such as CPU
    utilization) and joined on the period; periods present in only one series are dropped.
    """
    if load_agg not in ("sum", "mean"):
        raise InputError(f"load aggregation {load_agg!r}; expected sum or mean")
    grain = grain or infer_grain(cost["timestamp"])
    if grain not in TRUNCATE:
        raise InputError(f"grain {grain!r} is not supported; expected one of hour, day, month")
    every = TRUNCATE[grain]

    def per_period(df: pl.DataFrame, name: str, how: str) -> pl.LazyFrame:
        agg = pl.col("value").mean() if how == "mean" else pl.col("value").sum()
        return (
            df.lazy()
            .group_by(pl.col("timestamp").dt.truncate(every).alias("period_start"))
            .agg(agg.alias(name))
        )

    joined = (
        per_period(cost, "cost", "sum")
        .join(per_period(load, "load", load_agg), on="period_start", how="inner")
        .sort("period_start")
        .collect()
    )
    if joined.height == 0:
        raise InputError(f"cost ({_span(cost)}) and load ({_span(load)}) have no {grain} in common")
    return joined, grain


def _span(df: pl.DataFrame) -> str:
    if df.height == 0:
        return "empty"
    return f"{df['timestamp'].min()} to {df['timestamp'].max()}"
