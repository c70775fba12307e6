"""Reading a load series (``timestamp,value``) into a regular, gap-aware grid.

Load metrics arrive irregular: CloudWatch exports start at odd minutes (00:04, 00:09),
drop points, and repeat timestamps. Forecasting needs one value per step of a fixed grain,
so this module

- reads CSV or Parquet with columns ``timestamp,value`` (Prophet's ``ds,y`` also accepted)
  through the one series reader (:mod:`forecaster.series_input`),
- infers the grain from the median step (or takes ``freq``) among the supported grains
  ``5m, 30m, 1h, 1d, 1w, 1mo``,
- buckets points onto that grid (``mean`` of the bucket, or ``sum`` corrected for missing
  native points) and reindexes the full grid so a gap is an explicit null, never a silently
  shorter series.

Timestamps are UTC; naive timestamps are taken as UTC, aware ones converted to UTC.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Literal

import numpy as np
import polars as pl

from forecaster.errors import CannotFit, InputError
from forecaster.series_input import read_series_file

FREQS: tuple[str, ...] = ("5m", "30m", "1h", "1d", "1w", "1mo")
"""Supported grains, as polars duration strings, finest first."""

FREQ_STEP: dict[str, timedelta] = {
    "5m": timedelta(minutes=5),
    "30m": timedelta(minutes=30),
    "1h": timedelta(hours=1),
    "1d": timedelta(days=1),
    "1w": timedelta(weeks=1),
    "1mo": timedelta(days=30.436875),  # mean Gregorian month, for inference only
}

# Seasonal periods in steps of each grain: daily, weekly and yearly cycles (and the hourly
# cycle of cron jobs in 5-minute metrics). A season is used only when the data holds
# enough whole cycles (see ``supported_periods``).
SEASONS: dict[str, tuple[tuple[str, float], ...]] = {
    "5m": (("hourly", 12.0), ("daily", 288.0), ("weekly", 2016.0), ("yearly", 105192.0)),
    "30m": (("daily", 48.0), ("weekly", 336.0), ("yearly", 17532.0)),
    "1h": (("daily", 24.0), ("weekly", 168.0), ("yearly", 8766.0)),
    "1d": (("weekly", 7.0), ("yearly", 365.25)),
    "1w": (("yearly", 365.25 / 7.0),),  # 52.18 weeks: the season drifts a day a year
    "1mo": (("yearly", 12.0),),
}

MAX_MISSING_SHARE = 0.5
"""Refuse to forecast a series whose grid is more than half empty."""

Agg = Literal["mean", "sum"]


def supported_periods(freq: str, n_obs: int, min_cycles: float = 2.0) -> list[tuple[str, float]]:
    """The seasons of ``freq`` that ``n_obs`` points cover at least ``min_cycles`` times.

    Two cycles is the least from which a seasonal shape can be told from a trend.
    """
    return [(name, p) for name, p in SEASONS[freq] if n_obs >= min_cycles * p]


def primary_period(freq: str, n_obs: int) -> int:
    """The shortest supported season in steps (1 if none), an hourly cron cycle in 5-minute
    data aside: seasonal naive's lag and the MASE scale's (a day for 5m, 30m and 1h data)."""
    periods = [p for name, p in supported_periods(freq, n_obs) if name != "hourly"]
    return int(round(periods[0])) if periods else 1


def infer_freq(timestamps: pl.Series, source: str = "series") -> str:
    """The finest supported grain at least as long as the median step between timestamps.

    A 1-minute metric becomes ``5m``, a 15-minute one ``30m``: data is aggregated up,
    never invented down.
    """
    ts = timestamps.drop_nulls().unique().sort()
    if ts.len() < 3:
        raise CannotFit(f"{source}: need at least 3 distinct timestamps, got {ts.len()}")
    step = ts.diff().drop_nulls().median()
    assert isinstance(step, timedelta)
    for freq in FREQS:
        if step <= FREQ_STEP[freq] * 1.1:
            return freq
    raise InputError(
        f"{source}: median step {step} is longer than a month; supported grains are "
        f"{', '.join(FREQS)}"
    )


def regularize(
    df: pl.DataFrame, freq: str, agg: Agg = "mean", source: str = "series"
) -> pl.DataFrame:
    """Bucket ``timestamp,value`` rows onto the ``freq`` grid, gaps as null values.

    ``mean`` suits rates and utilisations (CPU %, requests per second); ``sum`` suits
    counts per interval (requests per 5 minutes -> requests per hour) and scales each
    bucket's mean by the number of native steps the bucket should hold, so a bucket with a
    missing sample is not undercounted.
    """
    if freq not in FREQS:
        raise InputError(f"{source}: unknown freq {freq!r}, expected one of {', '.join(FREQS)}")
    if agg not in ("mean", "sum"):
        raise InputError(f"{source}: unknown aggregation {agg!r}, expected 'mean' or 'sum'")
    data = df.drop_nulls("timestamp").sort("timestamp")
    if data.height == 0:
        raise CannotFit(f"{source}: no rows with a timestamp")
    native = data.get_column("timestamp").diff().drop_nulls().median()
    binned = (
        data.lazy()
        .with_columns(pl.col("timestamp").dt.truncate(freq).alias("bucket"))
        .group_by("bucket")
        .agg(pl.col("value").mean().alias("value"))
        .rename({"bucket": "timestamp"})
        .sort("timestamp")
        .collect()
    )
    grid = pl.DataFrame(
        {
            "timestamp": pl.datetime_range(
                binned["timestamp"].min(),
                binned["timestamp"].max(),
                interval=freq,
                time_unit="us",
                eager=True,
            )
        }
    )
    out = grid.join(binned, on="timestamp", how="left")
    if agg == "sum" and isinstance(native, timedelta) and native.total_seconds() > 0:
        end = out.get_column("timestamp").dt.offset_by(freq)
        per_bucket = (end - out.get_column("timestamp")).dt.total_seconds() / native.total_seconds()
        out = out.with_columns((pl.col("value") * per_bucket.clip(lower_bound=1.0)).alias("value"))
    missing = out.get_column("value").null_count() / out.height
    if missing > MAX_MISSING_SHARE:
        raise CannotFit(
            f"{source}: {missing:.0%} of the {freq} grid is empty; at most "
            f"{MAX_MISSING_SHARE:.0%} missing is accepted (try a coarser `freq`)",
            parameters=("freq",),
        )
    return out


def read_series(
    path: str | Path, freq: str | None = None, agg: Agg = "mean", metric: str | None = None
) -> pl.DataFrame:
    """Read ``timestamp,value`` from CSV or Parquet onto a regular grid.

    The file is read and checked by :func:`forecaster.series_input.read_series_file` (the
    one reader of every command's series: negative, infinite or repeated values refused).

    Returns a frame with ``timestamp`` (UTC, naive ``Datetime[us]``, start of each step)
    and ``value`` (``Float64``, null where the step has no data). ``freq=None`` infers the
    grain from the data. A long file (``timestamp,metric,value``) holding several metrics
    needs ``metric``.
    """
    path = Path(path)
    source = str(path)
    read = read_series_file(path, "load", min_points=3, needed_for="a load forecast", metric=metric)
    df = read.frame.with_columns(pl.col("timestamp").dt.replace_time_zone(None))
    if freq is None:
        freq = infer_freq(df.get_column("timestamp"), source)
    return regularize(df, freq, agg=agg, source=source)


def series_freq(series: pl.DataFrame) -> str:
    """The grain of a regular series produced by ``read_series``/``regularize``."""
    return infer_freq(series.get_column("timestamp"))


def values(series: pl.DataFrame) -> np.ndarray:
    """The ``value`` column as float64 with NaN for gaps."""
    return series.get_column("value").cast(pl.Float64).fill_null(np.nan).to_numpy()


def future_timestamps(last: object, freq: str, horizon: int) -> pl.Series:
    """The ``horizon`` grid timestamps after ``last`` (calendar months for ``1mo``)."""
    anchor = pl.Series("timestamp", [last]).cast(pl.Datetime("us"))
    digits = "".join(ch for ch in freq if ch.isdigit())
    unit = freq[len(digits) :]
    start = anchor.dt.offset_by(freq)[0]
    end = anchor.dt.offset_by(f"{horizon * int(digits)}{unit}")[0]
    return pl.datetime_range(start, end, interval=freq, time_unit="us", eager=True).alias(
        "timestamp"
    )
