"""Traffic files (CSV, CSV.gz or Parquet) onto the load table.

Two layouts are read, told apart by their columns:

- wide: ``timestamp,value`` (one metric; its name comes from the caller) or
  ``timestamp,<metric a>,<metric b>,...`` (one metric per column, named by the header);
- long: ``timestamp,metric,value[,unit][,dimensions]`` (the file names its metrics).

Column names are matched case-insensitively, and common aliases are accepted (``ds``/``y``
as Prophet writes them, ``time``, ``date``). Timestamps may be ISO 8601 with or without a
zone (no zone means UTC), plain dates, or epoch seconds. Blank values are skipped and
counted; anything else that does not parse is an error naming the file, column, row and value.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import polars as pl

from forecaster import columns as C
from forecaster.billing.files import OpenedFile
from forecaster.billing.parse import bad_values, null_if_blank, parse_money
from forecaster.errors import InputError
from forecaster.load.frame import normalize_dimensions, resolutions, validate_load
from forecaster.series_input import (
    TIMESTAMP_NAMES,
    VALUE_NAMES,
    check_finite,
    check_not_negative,
    check_unique_timestamps,
    parse_timestamps,
)

METRIC_NAMES = ("metric", "metric_name")
UNIT_NAMES = ("unit",)
DIMENSION_NAMES = ("dimensions",)
PARSED_TS = "__forecaster_timestamp"


def _find(columns: dict[str, str], names: tuple[str, ...]) -> str | None:
    return next((columns[n] for n in names if n in columns), None)


def _first_bad(raw: pl.LazyFrame, cell: pl.Expr, parsed: pl.Expr) -> str:
    row = (
        raw.with_row_index("_row")
        .filter(bad_values(cell, parsed))
        .select("_row", cell.cast(pl.String).alias("_v"))
        .head(1)
        .collect()
    )
    return f"{row['_v'][0]!r} on data row {row['_row'][0] + 1}" if row.height else ""


def _check_parsed(path: Path, raw: pl.LazyFrame, column: str, parsed: pl.Expr, kind: str) -> None:
    cell = pl.col(column)
    count = raw.select(bad_values(cell, parsed).sum()).collect().item()
    if count:
        raise InputError(
            f"{path}: column {column}: {count} value(s) are not {kind}, "
            f"first {_first_bad(raw, cell, parsed)}"
        )


def _layout(
    path: Path, schema: dict[str, pl.DataType], metric: str | None
) -> tuple[str, dict[str, str | None], list[str]]:
    """('long' | 'wide', the columns found, the value columns) or a clear error."""
    lower: dict[str, str] = {}
    for name in schema:
        lower.setdefault(name.strip().lower(), name)
    found = {
        "timestamp": _find(lower, TIMESTAMP_NAMES),
        "metric": _find(lower, METRIC_NAMES),
        "unit": _find(lower, UNIT_NAMES),
        "dimensions": _find(lower, DIMENSION_NAMES),
    }
    shown = ", ".join(schema)
    if found["timestamp"] is None:
        raise InputError(
            f"{path}: no timestamp column among ({shown}); expected one named "
            f"{' or '.join(TIMESTAMP_NAMES[:3])}, with a value column (wide) or "
            "metric and value columns (long)"
        )
    if found["metric"] is not None:
        value = _find(lower, VALUE_NAMES)
        if value is None:
            raise InputError(f"{path}: a long traffic file needs a value column; found ({shown})")
        if metric is not None:
            raise InputError(
                f"{path}: the file names its metrics in column {found['metric']}; "
                "do not pass a metric name for a long file"
            )
        return "long", found, [value]
    taken = {v for v in found.values() if v is not None}
    values = [c for c in schema if c not in taken]
    if not values:
        raise InputError(f"{path}: no value column besides the timestamp; found ({shown})")
    if len(values) == 1 and metric is None:
        raise InputError(
            f"{path}: a wide file ({found['timestamp']},{values[0]}) does not name its metric; "
            "pass one (`metric` NAME), or write a long file with a metric column",
            parameters=("metric",),
        )
    if len(values) > 1 and metric is not None:
        raise InputError(
            f"{path}: has one column per metric ({', '.join(values)}); "
            "do not pass a metric name, the headers name them"
        )
    return "wide", found, values


def read_traffic_file(
    path: Path, metric: str | None = None, unit: str | None = None, source: str = "file"
) -> tuple[pl.DataFrame, dict[str, Any]]:
    """One traffic file as a validated load frame, plus what was read (for the report)."""
    with OpenedFile(path) as opened:
        schema = opened.schema()
        if not schema:
            raise InputError(f"{path}: the file has no columns")
        layout, found, values = _layout(path, schema, metric)
        ts_col = found["timestamp"]
        assert ts_col is not None
        used = [c for c in schema if c == ts_col or c in values or c in found.values()]
        # Read the file once; every check below works on memory, not on the file again.
        data = opened.scan().select(used).collect()
        parsed_ts = parse_timestamps(data[ts_col], schema[ts_col])
        raw = data.with_columns(parsed_ts.alias(PARSED_TS)).lazy()
        ts = pl.col(PARSED_TS)
        _check_parsed(path, raw, ts_col, ts, "a timestamp (ISO 8601, a date or epoch seconds)")
        for column in values:
            _check_parsed(
                path, raw, column, parse_money(pl.col(column), schema[column]), "a number"
            )
            parsed = raw.select(parse_money(pl.col(column), schema[column])).collect()
            check_finite(path, column, parsed.to_series())
            check_not_negative(path, column, parsed.to_series(), "load")
            if layout == "wide" and found["dimensions"] is None:
                check_unique_timestamps(path, ts_col, parsed_ts, parsed.to_series())
        frame = _collect(path, raw, layout, found, values, ts, schema, metric, unit, source)
    blank = frame.filter(pl.col(C.LOAD_VALUE).is_null()).height
    frame = frame.filter(pl.col(C.LOAD_VALUE).is_not_null())
    if frame.is_empty():
        raise InputError(f"{path}: the file has no rows with a value")
    frame = validate_load(frame, str(path))
    series = resolutions(frame, is_sorted=True)
    info = {
        "file": str(path),
        "layout": layout,
        "rows": frame.height,
        "blank_values_skipped": blank,
        "metrics": sorted(frame[C.LOAD_METRIC].unique().to_list()),
        "start": frame[C.LOAD_TIMESTAMP].min(),
        "end": frame[C.LOAD_TIMESTAMP].max(),
        "resolution_s": series["resolution_s"].min(),
    }
    return frame, info


def _collect(
    path: Path,
    raw: pl.LazyFrame,
    layout: str,
    found: dict[str, str | None],
    values: list[str],
    ts: pl.Expr,
    schema: dict[str, pl.DataType],
    metric: str | None,
    unit: str | None,
    source: str,
) -> pl.DataFrame:
    unit_expr = (
        null_if_blank(pl.col(found["unit"])) if found["unit"] else pl.lit(unit, dtype=pl.String)
    )
    dims_expr = (
        null_if_blank(pl.col(found["dimensions"]))
        if found["dimensions"]
        else pl.lit(None, dtype=pl.String)
    )
    base = [ts.alias(C.LOAD_TIMESTAMP), unit_expr.alias(C.LOAD_UNIT), dims_expr.alias("_dims")]
    base_names = [C.LOAD_TIMESTAMP, C.LOAD_UNIT, "_dims"]
    if layout == "long":
        assert found["metric"] is not None
        frame = raw.select(
            *base,
            null_if_blank(pl.col(found["metric"])).alias(C.LOAD_METRIC),
            parse_money(pl.col(values[0]), schema[values[0]]).alias(C.LOAD_VALUE),
        ).collect()
        missing = frame.filter(pl.col(C.LOAD_METRIC).is_null()).height
        if missing:
            raise InputError(f"{path}: column {found['metric']}: {missing} row(s) name no metric")
    else:
        names = {f"_v{i}": c for i, c in enumerate(values)}
        parsed = [parse_money(pl.col(c), schema[c]).alias(n) for n, c in names.items()]
        frame = (
            raw.select(*base, *parsed)
            .unpivot(
                index=[C.LOAD_TIMESTAMP, C.LOAD_UNIT, "_dims"],
                on=list(names),
                variable_name="_metric",
                value_name="_value",
            )
            .select(
                *base_names,
                pl.col("_metric").replace_strict(names).alias(C.LOAD_METRIC),
                pl.col("_value").alias(C.LOAD_VALUE),
            )
            .collect()
        )
        if metric is not None:
            frame = frame.with_columns(pl.lit(metric).alias(C.LOAD_METRIC))
    if found["unit"] and unit is not None:
        other = frame.filter(pl.col(C.LOAD_UNIT).fill_null("") != unit)
        if other.height:
            raise InputError(
                f"{path}: column {found['unit']} says {other[C.LOAD_UNIT][0]!r} but the unit "
                f"given is {unit!r} (mixed units)"
            )
    dims = {
        d: normalize_dimensions(d, str(path))
        for d in frame["_dims"].unique().to_list()
        if d is not None
    }
    return frame.with_columns(
        pl.col("_dims")
        .replace_strict(dims, return_dtype=pl.String, default="{}")
        .fill_null("{}")
        .alias(C.LOAD_DIMENSIONS),
        pl.lit(source).alias(C.LOAD_SOURCE),
    ).drop("_dims")
