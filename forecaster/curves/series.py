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

TRUNCATE = {"hour": "1h", "day": "1d", "month": "1mo"}


def read_series_csv(path: str | Path) -> pl.DataFrame:
    """A two-column CSV (``timestamp,value``, or any two columns in that order) as
    ``timestamp`` (Datetime UTC) and ``value`` (Float64), oldest first."""
    path = Path(path)
    if not path.is_file():
        raise InputError(f"{path}: no such file")
    try:
        raw = pl.read_csv(path, infer_schema=False)
    except (pl.exceptions.PolarsError, OSError) as exc:
        raise InputError(f"{path}: cannot read as CSV: {exc}") from exc
    if {"timestamp", "value"} <= set(raw.columns):
        raw = raw.select("timestamp", "value")
    elif len(raw.columns) == 2:
        raw = raw.rename(dict(zip(raw.columns, ["timestamp", "value"], strict=True)))
    else:
        raise InputError(f"{path}: columns {raw.columns}; expected timestamp,value")
    ts = raw["timestamp"].str.strip_chars()
    parsed = _parse_timestamps(ts)
    if parsed is None or parsed.null_count() > ts.null_count():
        bad = ts[0] if parsed is None else ts.filter(parsed.is_null() & ts.is_not_null())[0]
        raise InputError(f"{path}: timestamp {bad!r} is not a date or date-time")
    parsed = (
        parsed.dt.convert_time_zone("UTC")
        if parsed.dtype.time_zone  # type: ignore[union-attr]
        else parsed.dt.replace_time_zone("UTC")
    )
    value = raw["value"].str.strip_chars().cast(pl.Float64, strict=False)
    bad = raw["value"].filter(value.is_null() & raw["value"].is_not_null() & (raw["value"] != ""))
    if bad.len():
        raise InputError(f"{path}: value {bad[0]!r} is not a number")
    return pl.DataFrame({"timestamp": parsed, "value": value}).sort("timestamp")


_FORMATS = (
    None,
    "%Y-%m-%dT%H:%M:%S%.fZ",
    "%Y-%m-%dT%H:%M:%S%.f%z",
    "%Y-%m-%d %H:%M:%S%.f",
    "%Y-%m-%dT%H:%M:%S%.f",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%dT%H:%M",
    "%Y-%m-%d",
)


def _parse_timestamps(ts: pl.Series) -> pl.Series | None:
    """Datetimes from the first format that reads every value, else from the first format
    that reads the first value (nulls mark the bad ones), else None."""
    partial = None
    for fmt in _FORMATS:
        try:
            out = ts.str.to_datetime(format=fmt, time_unit="us", strict=False)
        except pl.exceptions.PolarsError:
            continue
        if out.null_count() == ts.null_count():
            return out
        if partial is None and out.len() and out[0] is not None:
            partial = out
    return partial


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
