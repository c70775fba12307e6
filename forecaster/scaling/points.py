"""The points every load-test reader returns: (load, throughput, source) and the latency
statistics, with the column checks the CSV, k6 and Locust readers share.

Its own module so the readers share the schema without importing each other
(``loadtest`` dispatches to ``k6`` and ``locust``, and both need ``SCHEMA``).
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from forecaster.errors import InputError

#: Latency statistics the readers keep, each in a ``latency_<stat>_ms`` column.
LATENCY_STATS = ("mean", "p50", "p90", "p95", "p99", "max")


def latency_column(stat: str) -> str:
    """The column holding a latency statistic, in milliseconds: ``latency_p95_ms``."""
    return f"latency_{stat}_ms"


LATENCY_COLUMNS = tuple(latency_column(s) for s in LATENCY_STATS)
SCHEMA = {
    "load": pl.Float64,
    "throughput": pl.Float64,
    "source": pl.String,
    **dict.fromkeys(LATENCY_COLUMNS, pl.Float64),
}


def empty_points() -> pl.DataFrame:
    """An empty (load, throughput, source, latency) frame."""
    return pl.DataFrame(schema=SCHEMA)


def with_schema(frame: pl.DataFrame) -> pl.DataFrame:
    """``frame`` with every SCHEMA column, in order (absent latency columns null)."""
    missing = [pl.lit(None, dtype=t).alias(c) for c, t in SCHEMA.items() if c not in frame.columns]
    return frame.with_columns(missing).select(list(SCHEMA)).cast(SCHEMA)


def numeric_column(frame: pl.DataFrame, column: str, path: Path) -> pl.Series:
    """``column`` as Float64, or an InputError naming the first value that is not a number."""
    raw = frame.get_column(column)
    if raw.dtype.is_numeric():
        values = raw.cast(pl.Float64)
    else:
        values = raw.cast(pl.String).str.strip_chars().cast(pl.Float64, strict=False)
        bad = values.is_null() & raw.is_not_null()
        if bad.any():
            i = int(bad.arg_max())
            raise InputError(
                f"{path}: column {column!r} row {i + 2} is {raw[i]!r}; expected a number"
            )
    if values.is_null().any():
        i = int(values.is_null().arg_max())
        raise InputError(f"{path}: column {column!r} row {i + 2} is empty; expected a number")
    return values


def latency_values(frame: pl.DataFrame, column: str, factor: float, path: Path) -> pl.Series:
    """A response-time column times ``factor`` (to milliseconds); empty and "N/A" cells
    are null (not measured there); text or negative values are an InputError."""
    raw = frame.get_column(column).cast(pl.String).str.strip_chars()
    values = raw.cast(pl.Float64, strict=False)
    bad = values.is_null() & raw.is_not_null() & (raw != "") & (raw.str.to_uppercase() != "N/A")
    if bad.any():
        i = int(bad.arg_max())
        raise InputError(
            f"{path}: column {column!r} row {i + 2} is {raw[i]!r}; expected a response time"
        )
    negative = values < 0
    if negative.any():
        i = int(negative.arg_max())
        raise InputError(
            f"{path}: column {column!r} row {i + 2} is {raw[i]}; a response time cannot be negative"
        )
    return values * factor
