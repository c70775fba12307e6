"""Locust ``*_stats_history.csv`` as USL points: one point per steady user count.

Locust (``--csv PREFIX``) appends a row per endpoint and an "Aggregated" row every
second, with the current "User Count" and "Requests/s". Requests/s is a moving average
over roughly the last ten seconds, so the rows just after the user count changes still
mix the old level with the new one. The reader therefore:

1. keeps the "Aggregated" rows with a positive user count;
2. splits them into runs of consecutive rows at the same user count (a step-load test
   holds each level for a while; a linear ramp passes through levels in a second);
3. drops each run's first ``settle_seconds`` (default 15 s), and runs that never settle;
4. takes the median requests/s of what is left at each user count (levels revisited on
   the way down are pooled).

Latency (milliseconds, as Locust writes it) follows the same rule. With
``--csv-full-history`` (a row per endpoint beside "Aggregated") the history's "50%", "90%",
"95%", "99%" columns are percentiles over Locust's recent window (about ten seconds): the
level's percentile is their median over the steady rows; its maximum is the largest
"100%" there. Without it (only "Aggregated" rows) Locust writes percentiles cumulative
since the test started, which mix every earlier level: they are not used (a warning says
so), only the mean, which is exact either way. The mean comes from the cumulative "Total Average Response Time" and
"Total Request Count": the response time summed over the requests completed between the
first and last steady row of each run, divided by their number (exact, not an average of
averages; a run where Locust reset its statistics is left without a mean).
"""

from __future__ import annotations

import logging
from pathlib import Path

import polars as pl

from forecaster.errors import InputError
from forecaster.scaling.points import latency_column, latency_values, numeric_column, with_schema

log = logging.getLogger(__name__)

USER_COUNT = "User Count"
REQUESTS_PER_SECOND = "Requests/s"
TIMESTAMP = "Timestamp"
NAME = "Name"
AGGREGATED = "Aggregated"
SETTLE_SECONDS = 15.0
#: History columns holding window percentiles (ms) and the statistic each one is.
PERCENTILE_COLUMNS = {"50%": "p50", "90%": "p90", "95%": "p95", "99%": "p99", "100%": "max"}
TOTAL_COUNT = "Total Request Count"
TOTAL_AVERAGE = "Total Average Response Time"


def steady_levels(rows: pl.LazyFrame, settle_seconds: float = SETTLE_SECONDS) -> pl.LazyFrame:
    """(timestamp, users, rps[, latency]) rows -> one (load, throughput, samples[, latency])
    row per steady level.

    ``timestamp`` is in seconds. A level is steady once it has been held for
    ``settle_seconds``; the throughput is the median requests/s over its steady rows.
    Optional input columns (milliseconds): ``p50``, ``p90``, ``p95``, ``p99`` (window
    percentiles: median over the steady rows), ``max`` (largest over them), and the
    cumulative ``total_count`` with ``total_avg`` (-> the exact mean over the steady rows).
    Each gives a ``latency_<stat>_ms`` output column.
    """
    names = rows.collect_schema().names()
    steady = (
        rows.filter(pl.col("users") > 0)
        .sort("timestamp")
        .with_columns(run=(pl.col("users") != pl.col("users").shift(1)).fill_null(True).cum_sum())
        .with_columns(held=pl.col("timestamp") - pl.col("timestamp").min().over("run"))
        .filter(pl.col("held") >= settle_seconds)
    )
    stats = [s for s in ("p50", "p90", "p95", "p99") if s in names]
    aggs = [pl.col(s).median().alias(latency_column(s)) for s in stats]
    if "max" in names:
        aggs.append(pl.col("max").max().alias(latency_column("max")))
    levels = steady.group_by("users").agg(
        pl.col("rps").median().alias("throughput"), pl.len().alias("samples"), *aggs
    )
    out = ["throughput", "samples", *(a.meta.output_name() for a in aggs)]
    if {"total_count", "total_avg"} <= set(names):
        work = pl.col("total_avg") * pl.col("total_count")
        mean = (
            steady.group_by("users", "run")
            .agg(
                work=work.sort_by("timestamp").last() - work.sort_by("timestamp").first(),
                count=pl.col("total_count").sort_by("timestamp").last()
                - pl.col("total_count").sort_by("timestamp").first(),
            )
            .filter((pl.col("count") > 0) & (pl.col("work") >= 0))
            .group_by("users")
            .agg((pl.col("work").sum() / pl.col("count").sum()).alias(latency_column("mean")))
        )
        levels = levels.join(mean, on="users", how="left")
        out.append(latency_column("mean"))
    return levels.select(pl.col("users").alias("load"), *out).sort("load")


def _seconds(frame: pl.DataFrame, path: Path) -> pl.Series:
    """The Timestamp column as seconds: Unix seconds as Locust writes them, or ISO text."""
    try:
        return numeric_column(frame, TIMESTAMP, path)
    except InputError as not_a_number:
        try:
            parsed = frame.get_column(TIMESTAMP).str.to_datetime(strict=False, time_unit="ms")
        except pl.exceptions.PolarsError:
            raise not_a_number from None
        if parsed.is_null().any():
            raise
        return parsed.dt.epoch("ms").cast(pl.Float64) / 1000.0


def read_locust_history(
    path: str | Path,
    load_col: str | None = None,
    throughput_col: str | None = None,
    settle_seconds: float = SETTLE_SECONDS,
) -> pl.DataFrame:
    """A Locust stats-history CSV as (load, throughput, source) points, one per level."""
    path = Path(path)
    load_col = load_col or USER_COUNT
    throughput_col = throughput_col or REQUESTS_PER_SECOND
    try:
        raw = pl.read_csv(path, infer_schema=False)
    except (pl.exceptions.ComputeError, pl.exceptions.NoDataError) as exc:
        raise InputError(f"{path}: not a readable CSV ({str(exc).splitlines()[0]})") from exc
    for column in (TIMESTAMP, NAME, load_col, throughput_col):
        if column not in raw.columns:
            raise InputError(
                f"{path}: Locust stats history has no {column!r} column; columns are "
                f"{', '.join(raw.columns)}"
            )
    agg = raw.filter(pl.col(NAME).str.strip_chars() == AGGREGATED)
    if agg.height == 0:
        raise InputError(f"{path}: no rows with Name 'Aggregated'; expected Locust's history")
    rows = pl.DataFrame(
        {
            "timestamp": _seconds(agg, path),
            "users": numeric_column(agg, load_col, path),
            "rps": numeric_column(agg, throughput_col, path),
            **_latency_inputs(agg, path, full_history=agg.height < raw.height),
        }
    )
    levels = steady_levels(rows.lazy(), settle_seconds).collect()
    if levels.height == 0:
        raise InputError(
            f"{path}: no user count was held for {settle_seconds:g} s or more; run each "
            "load level for at least a minute (a step-load shape) so its throughput settles"
        )
    dropped = rows.filter(pl.col("users") > 0).height - int(levels["samples"].sum())
    log.info("%s: %d steady levels, %d ramp/settling rows dropped", path, levels.height, dropped)
    return with_schema(levels.drop("samples").with_columns(source=pl.lit(path.name)))


def _latency_inputs(agg: pl.DataFrame, path: Path, full_history: bool) -> dict[str, pl.Series]:
    """The history's latency columns that are present, as steady_levels's inputs (ms):
    the window percentiles only from a --csv-full-history file (see the module doc)."""
    present = [c for c in PERCENTILE_COLUMNS if c in agg.columns]
    if present and not full_history:
        log.warning(
            "%s: no per-endpoint rows, so this history was written without --csv-full-history "
            "and its percentiles are cumulative since the start; only the mean latency is used "
            "(rerun with --csv-full-history for per-level percentiles)",
            path,
        )
        present = []
    out = {PERCENTILE_COLUMNS[c]: latency_values(agg, c, 1.0, path) for c in present}
    if TOTAL_COUNT in agg.columns and TOTAL_AVERAGE in agg.columns:
        out["total_count"] = latency_values(agg, TOTAL_COUNT, 1.0, path)
        out["total_avg"] = latency_values(agg, TOTAL_AVERAGE, 1.0, path)
    return out
