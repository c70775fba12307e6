"""One reader and one set of checks for every ``timestamp,value`` series a command reads.

``forecaster forecast-load``, ``backtest`` and ``curves --cost/--load`` read their series
with :func:`read_series_file`; ``ingest traffic`` (:mod:`forecaster.load.files`) and the
load-test CSV reader (:mod:`forecaster.scaling.loadtest`) run the same checks on their
columns, so one file gets one verdict and one message whichever command reads it.

What is read (CSV, CSV.gz or Parquet, told apart by content):

- columns matched case-insensitively: a timestamp column named ``timestamp``, ``time``,
  ``ts``, ``datetime``, ``date``, ``ds`` or ``period_start`` and a value column named
  ``value`` or ``y`` (other columns are ignored); a file of exactly two columns may name
  them anything (timestamp first); a long file's ``metric`` column picks one metric's rows
  (named by the caller when the file holds several);
- timestamps in ISO 8601 with or without a zone (no zone means UTC, offsets are
  converted), plain dates, or epoch seconds;
- blank values (and the export spellings ``NULL``, ``NaN``, ``N/A``) are gaps, counted.

What is refused, each with the file, the column, the data row (1 = the first row after the
header) and the value: a value that is not a number; a value that is not finite (``inf``);
a negative load (a cost series may be negative: credits); a timestamp that does not parse;
a timestamp given twice (``expected one value per timestamp``); fewer rows with a value than
the command needs. Rows out of time order are accepted and sorted.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl

from forecaster import columns as C
from forecaster.billing.files import OpenedFile
from forecaster.billing.parse import bad_values, null_if_blank, parse_money, parse_utc
from forecaster.errors import InputError

TIMESTAMP_NAMES = ("timestamp", "time", "ts", "datetime", "date", "ds", "period_start")
VALUE_NAMES = ("value", "y")
METRIC_NAMES = ("metric", "metric_name")
TIMESTAMP_KIND = "a timestamp (ISO 8601, a date or epoch seconds)"


def _timestamp(name: str, dtype: pl.DataType) -> pl.Expr:
    """Datetime(us, UTC) from a datetime, date, epoch-seconds or text column."""
    src = pl.col(name)
    if dtype.is_integer() or dtype.is_float():
        return (src.cast(pl.Float64) * 1_000_000).cast(pl.Int64).cast(C.UTC_DATETIME)
    if isinstance(dtype, pl.Datetime | pl.Date):
        return parse_utc(src, dtype)
    text = null_if_blank(src)
    epoch = (
        pl.when(text.str.contains(r"^\d{9,11}(\.\d+)?$"))
        .then(text.cast(pl.Float64, strict=False) * 1_000_000)
        .cast(pl.Int64)
        .cast(C.UTC_DATETIME)
    )
    return pl.coalesce(parse_utc(src, dtype), epoch)


#: Formats tried on a sample of a text column before the general parser (which tries every
#: spelling on every row and is ~15x slower on millions of rows).
FAST_FORMATS = (
    "%Y-%m-%dT%H:%M:%SZ",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%dT%H:%M:%S%.fZ",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%dT%H:%M",
)


def parse_timestamps(column: pl.Series, dtype: pl.DataType) -> pl.Series:
    """A timestamp column as Datetime(us, UTC), nulls where a value does not parse.

    Text is parsed with the first FAST_FORMATS entry that fits a sample of the column; only
    the rows it cannot parse go through the general parser (offsets, dates, epoch seconds).
    """
    if dtype != pl.String:
        return column.to_frame("t").select(_timestamp("t", dtype)).to_series()
    text = column.str.strip_chars()
    sample = text.drop_nulls().head(200)
    fast = None
    for fmt in FAST_FORMATS:
        try:
            sample.str.to_datetime(fmt, strict=True, time_unit="us")
        except pl.exceptions.PolarsError:
            continue
        fast = text.str.to_datetime(fmt, strict=False, time_unit="us").dt.replace_time_zone("UTC")
        break
    if fast is None:
        return column.to_frame("t").select(_timestamp("t", dtype)).to_series()
    todo = fast.is_null() & text.is_not_null()
    if not todo.any():
        return fast
    slow = text.filter(todo).to_frame("t").select(_timestamp("t", dtype)).to_series()
    return fast.scatter(todo.arg_true(), slow)


def _shown(value: object) -> str:
    if isinstance(value, float):
        return f"{value:g}"
    text = str(value)
    return repr(text[:60] + "..." if len(text) > 60 else text)


def _row(rows: pl.Series | None, i: int) -> int:
    """The data row (1 = first after the header) of position ``i``."""
    return int(rows[i]) if rows is not None else i + 1


def _refuse_cells(
    where: object,
    column: str,
    mask: pl.Series,
    values: pl.Series,
    rows: pl.Series | None,
    problem: str,
    expected: str = "",
    show: Callable[[Any], str] = str,
) -> None:
    """An InputError when any cell of ``mask`` is true: how many (``problem``), the first
    one's value (``show``) and data row, then ``expected``."""
    count = int(mask.sum())
    if count:
        i = int(mask.arg_max())
        raise InputError(
            f"{where}: column {column}: {count} {problem}, first {show(values[i])} on data row "
            f"{_row(rows, i)}{expected}"
        )


def check_numbers(
    where: object, column: str, raw: pl.Series, parsed: pl.Series, rows: pl.Series | None = None
) -> None:
    """Every non-blank cell of ``raw`` parsed into ``parsed`` (nulls where it did not).

    ``rows`` (here and below): each position's data row, when the values are a subset of
    the file's rows; else position + 1."""
    bad = (null_if_blank(pl.col("r")).is_not_null() & pl.col("p").is_null()).alias("bad")
    mask = pl.DataFrame({"r": raw, "p": parsed}).select(bad).to_series()
    _refuse_cells(where, column, mask, raw, rows, "value(s) are not a number", show=_shown)


def check_finite(
    where: object, column: str, values: pl.Series, rows: pl.Series | None = None
) -> None:
    """No value is infinite (blanks and NaN are gaps, not values)."""
    mask = values.is_infinite().fill_null(False)
    problem, expected = "value(s) are not finite numbers", "; expected a finite number"
    _refuse_cells(where, column, mask, values, rows, problem, expected)


def check_not_negative(
    where: object,
    column: str,
    values: pl.Series,
    what: str = "load",
    rows: pl.Series | None = None,
) -> None:
    """No value is below 0: ``what`` (load, throughput) is a count or a rate."""
    mask = (values < 0).fill_null(False)
    expected = f"; {what} must be a count or rate of at least 0"
    _refuse_cells(where, column, mask, values, rows, "negative value(s)", expected, "{:g}".format)


def check_unique_timestamps(
    where: object,
    column: str,
    timestamps: pl.Series,
    values: pl.Series,
    rows: pl.Series | None = None,
) -> None:
    """One value per timestamp; a repeat names both rows and both values."""
    frame = pl.DataFrame({"t": timestamps, "v": values})
    frame = frame.with_columns(
        pl.Series("row", rows, dtype=pl.Int64)
        if rows is not None
        else pl.int_range(1, frame.height + 1, dtype=pl.Int64).alias("row")
    )
    repeated = frame.filter(pl.col("t").is_duplicated())
    if repeated.is_empty():
        return
    first = repeated.filter(pl.col("t") == repeated["t"][0]).head(2)
    (r1, r2), (v1, v2) = first["row"].to_list(), first["v"].to_list()
    stamp = first["t"][0]
    shown = stamp.strftime("%Y-%m-%dT%H:%M:%SZ") if hasattr(stamp, "strftime") else stamp
    n_ts = repeated["t"].n_unique()
    raise InputError(
        f"{where}: column {column}: timestamp {shown} is given more than once (data rows "
        f"{r1} and {r2}, values {_shown(v1)} and {_shown(v2)}; {n_ts} timestamp(s) repeat); "
        "expected one value per timestamp: drop or combine the repeats first"
    )


def check_enough(where: object, rows: int, min_points: int, needed_for: str, blank: int) -> None:
    """At least ``min_points`` rows with a value."""
    if rows < min_points:
        gaps = f" ({blank} blank)" if blank else ""
        raise InputError(
            f"{where}: {rows} row(s) with a value{gaps}; {needed_for} needs at least {min_points}"
        )


def _pick(path: Path, names: list[str]) -> tuple[str, str]:
    lower: dict[str, str] = {}
    for name in names:
        lower.setdefault(name.strip().strip('"').lower(), name)
    ts = next((lower[n] for n in TIMESTAMP_NAMES if n in lower), None)
    value = next((lower[n] for n in VALUE_NAMES if n in lower), None)
    if ts is not None and value is not None:
        return ts, value
    if len(names) == 2:
        if ts is not None:
            return ts, next(c for c in names if c != ts)
        if value is not None:
            return next(c for c in names if c != value), value
        return names[0], names[1]
    raise InputError(
        f"{path}: expected columns 'timestamp,value' (or 'ds,y', or exactly two columns: "
        f"time then value), found {', '.join(names) or 'none'}"
    )


@dataclass(frozen=True)
class SeriesFile:
    """A checked series: ``frame`` has ``timestamp`` (Datetime us, UTC) and ``value``
    (Float64, null where the file's cell is blank), oldest first."""

    path: Path
    frame: pl.DataFrame
    timestamp_column: str
    value_column: str
    blank: int
    reordered: bool


def _metric_column(names: list[str]) -> str | None:
    lower = {n.strip().strip('"').lower(): n for n in names}
    return next((lower[n] for n in METRIC_NAMES if n in lower), None)


def _pick_metric(path: Path, data: pl.DataFrame, column: str, metric: str | None) -> pl.DataFrame:
    """The rows of one metric of a long file: ``metric`` must be named when the file holds
    several (the error lists them), never averaged together."""
    names = sorted(str(v) for v in data.get_column(column).drop_nulls().unique().to_list())
    if metric is None:
        if len(names) > 1:
            raise InputError(
                f"{path}: holds {len(names)} metrics ({', '.join(names)}); choose one with "
                "`metric` NAME",
                parameters=("metric",),
            )
        return data
    if metric not in names:
        raise InputError(
            f"{path}: no metric {metric!r}; the file holds {', '.join(names) or 'none'}"
        )
    return data.filter(pl.col(column) == metric)


def read_series_file(
    path: str | Path,
    what: str = "load",
    min_points: int = 1,
    needed_for: str = "the series",
    metric: str | None = None,
) -> SeriesFile:
    """One ``timestamp,value`` file, checked as the module docstring says.

    ``what`` is "load" (values must be at least 0) or "cost" (negative values, e.g.
    credits, are the caller's to judge). ``min_points`` rows with a value are required;
    ``needed_for`` names what needs them in the message ("a cost curve"). A long file
    (``timestamp,metric,value``) holding several metrics needs ``metric``.
    """
    if what not in ("load", "cost"):
        raise InputError(f"series kind {what!r}: expected load or cost")
    path = Path(path)
    if not path.is_file():
        raise InputError(f"{path}: no such file")
    try:
        with OpenedFile(path) as opened:
            schema = opened.schema()
            metric_col = _metric_column(list(schema))
            names = [c for c in schema if c != metric_col]
            ts_col, value_col = _pick(path, names)
            data = (
                opened.scan()
                .select(ts_col, value_col, *([metric_col] if metric_col else []))
                .with_row_index("__row", offset=1)
                .collect()
            )
    except pl.exceptions.PolarsError as exc:
        raise InputError(f"{path}: cannot be read: {str(exc).splitlines()[0][:200]}") from exc
    if metric_col is not None:
        data = _pick_metric(path, data, metric_col, metric)
    elif metric is not None:
        raise InputError(
            f"{path}: `metric` {metric!r} given, but the file has no metric column",
            parameters=("metric",),
        )
    rows = data["__row"].cast(pl.Int64)
    raw_ts, raw_value = data[ts_col], data[value_col]
    timestamps = parse_timestamps(raw_ts, schema[ts_col])
    bad_ts = (
        pl.DataFrame({"r": raw_ts, "p": timestamps})
        .select(bad_values(pl.col("r"), pl.col("p")))
        .to_series()
    )
    if bad_ts.any():
        i = int(bad_ts.arg_max())
        raise InputError(
            f"{path}: column {ts_col}: {int(bad_ts.sum())} value(s) are not {TIMESTAMP_KIND}, "
            f"first {_shown(raw_ts[i])} on data row {_row(rows, i)}"
        )
    values = (
        pl.DataFrame({"v": raw_value})
        .select(parse_money(pl.col("v"), schema[value_col]))
        .to_series()
    )
    values = values.fill_nan(None) if values.dtype.is_float() else values
    check_numbers(path, value_col, raw_value, values, rows)
    check_finite(path, value_col, values, rows)
    if what == "load":
        check_not_negative(path, value_col, values, "load", rows)
    if timestamps.null_count():
        i = int(timestamps.is_null().arg_max())
        raise InputError(f"{path}: column {ts_col}: data row {_row(rows, i)} has no timestamp")
    check_unique_timestamps(path, ts_col, timestamps, values, rows)
    blank = values.null_count()
    check_enough(path, values.len() - blank, min_points, needed_for, blank)
    frame = pl.DataFrame({"timestamp": timestamps, "value": values})
    reordered = not timestamps.is_sorted()
    if reordered:
        frame = frame.sort("timestamp", maintain_order=True)
    return SeriesFile(path, frame, ts_col, value_col, blank, reordered)
