"""The load table and the checks every load sample passes before it is stored.

A load sample is one observation of a traffic metric: ``timestamp`` (UTC, start of the
sample's interval), ``metric`` (a name such as ``checkout.requests``), ``value`` (a count
or rate, never negative), ``unit`` (``requests``, ``GB``, ...), ``dimensions`` (JSON object
text naming the series inside the metric, ``{}`` when there is one series) and ``source``
(``file``, ``cloudwatch``, ...). Files, CloudWatch and tests all end up in this shape and
pass :func:`validate_load` so the store never holds what the workloads join cannot use.
"""

from __future__ import annotations

import json

import polars as pl

from forecaster import columns as C
from forecaster.errors import InputError

#: The load table's schema, in storage order.
LOAD_SCHEMA: dict[str, pl.DataType] = {
    C.LOAD_TIMESTAMP: C.UTC_DATETIME,
    C.LOAD_METRIC: pl.String(),
    C.LOAD_VALUE: pl.Float64(),
    C.LOAD_UNIT: pl.String(),
    C.LOAD_DIMENSIONS: pl.String(),
    C.LOAD_SOURCE: pl.String(),
}

#: Finest and coarsest sample spacing accepted (seconds): 1-minute to daily resolution.
MIN_RESOLUTION_S = 60
MAX_RESOLUTION_S = 86_400

SERIES_KEYS = [C.LOAD_METRIC, C.LOAD_DIMENSIONS]
SORT_KEYS = [C.LOAD_SOURCE, *SERIES_KEYS, C.LOAD_TIMESTAMP]


def dimensions_text(dimensions: dict[str, str] | None) -> str:
    """Canonical JSON text for a dimension set: sorted keys, compact; ``{}`` for none."""
    return json.dumps(dict(sorted((dimensions or {}).items())), separators=(",", ":"))


def normalize_dimensions(text: str | None, what: str) -> str:
    """One dimensions cell as canonical JSON text (raises naming ``what`` when not an object)."""
    if text is None or not text.strip():
        return "{}"
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(f"{what}: dimensions {text!r} is not JSON ({exc.msg})") from exc
    if not isinstance(value, dict):
        raise InputError(f'{what}: dimensions {text!r} is not a JSON object like {{"k":"v"}}')
    return dimensions_text({str(k): str(v) for k, v in value.items()})


def _fmt_ts(value) -> str:
    return value.strftime("%Y-%m-%dT%H:%M:%SZ") if value is not None else "?"


def check_values(frame: pl.DataFrame, what: str) -> None:
    """Values are finite and not negative (load is a count or a rate)."""
    bad = frame.filter(~pl.col(C.LOAD_VALUE).is_finite())
    if bad.height:
        row = bad.row(0, named=True)
        raise InputError(
            f"{what}: metric {row[C.LOAD_METRIC]!r} has {bad.height} value(s) that are not "
            f"finite numbers, first {row[C.LOAD_VALUE]} at {_fmt_ts(row[C.LOAD_TIMESTAMP])}"
        )
    negative = frame.filter(pl.col(C.LOAD_VALUE) < 0)
    if negative.height:
        row = negative.sort(C.LOAD_TIMESTAMP).row(0, named=True)
        raise InputError(
            f"{what}: metric {row[C.LOAD_METRIC]!r} has {negative.height} negative value(s), "
            f"first {row[C.LOAD_VALUE]:g} at {_fmt_ts(row[C.LOAD_TIMESTAMP])}; load must be a "
            "count or rate of at least 0"
        )


def check_units(frame: pl.DataFrame, what: str) -> None:
    """Each metric has exactly one unit (a missing unit counts as a unit of its own)."""
    units = (
        frame.group_by(C.LOAD_METRIC)
        .agg(pl.col(C.LOAD_UNIT).fill_null("(none)").unique().sort().alias("units"))
        .filter(pl.col("units").list.len() > 1)
        .sort(C.LOAD_METRIC)
    )
    if units.height:
        row = units.row(0, named=True)
        raise InputError(
            f"{what}: metric {row[C.LOAD_METRIC]!r} mixes units {', '.join(row['units'])}; "
            "a metric has one unit: convert the values or store them as separate metrics"
        )


def _sorted(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.sort(SORT_KEYS)


def _same_series_as_previous() -> pl.Expr:
    """On a frame sorted by SORT_KEYS: True where a row continues the previous row's series."""
    same = pl.lit(True)
    for key in [C.LOAD_SOURCE, *SERIES_KEYS]:
        col = pl.col(key).fill_null("")
        same = same & (col == col.shift(1))
    return same.fill_null(False)


def check_duplicates(frame: pl.DataFrame, what: str, is_sorted: bool = False) -> None:
    """One value per source, metric, dimension set and timestamp."""
    frame = frame if is_sorted else _sorted(frame)
    dup = _same_series_as_previous() & (
        pl.col(C.LOAD_TIMESTAMP) == pl.col(C.LOAD_TIMESTAMP).shift(1)
    )
    flagged = frame.with_columns(dup.fill_null(False).alias("_dup"))
    count = int(flagged["_dup"].sum())
    if count:
        row = flagged.filter(pl.col("_dup")).sort(C.LOAD_TIMESTAMP).row(0, named=True)
        same = flagged.filter(
            (pl.col(C.LOAD_METRIC) == row[C.LOAD_METRIC])
            & (pl.col(C.LOAD_DIMENSIONS).fill_null("") == (row[C.LOAD_DIMENSIONS] or ""))
            & (pl.col(C.LOAD_TIMESTAMP) == row[C.LOAD_TIMESTAMP])
        ).height
        dims = "" if row[C.LOAD_DIMENSIONS] in ("{}", None) else f" {row[C.LOAD_DIMENSIONS]}"
        raise InputError(
            f"{what}: metric {row[C.LOAD_METRIC]!r}{dims} has {same} values at "
            f"{_fmt_ts(row[C.LOAD_TIMESTAMP])} ({count} duplicated sample(s)); "
            "expected one value per timestamp"
        )


def resolutions(frame: pl.DataFrame, is_sorted: bool = False) -> pl.DataFrame:
    """Typical spacing between samples (lower median, seconds) per metric and dimension set."""
    frame = frame if is_sorted else _sorted(frame)
    step = (
        pl.when(_same_series_as_previous())
        .then(pl.col(C.LOAD_TIMESTAMP).diff().dt.total_seconds())
        .otherwise(None)
    )
    return (
        frame.select(*SERIES_KEYS, step.alias("_step"))
        .group_by(SERIES_KEYS)
        .agg(
            pl.col("_step").quantile(0.5, interpolation="lower").alias("resolution_s"),
            pl.len().alias("rows"),
        )
        .sort(SERIES_KEYS)
    )


def check_resolution(frame: pl.DataFrame, what: str, is_sorted: bool = False) -> None:
    """Samples are 1 minute to 1 day apart (median spacing), so every grain can be built."""
    res = resolutions(frame, is_sorted).filter(pl.col("resolution_s").is_not_null())
    fine = res.filter(pl.col("resolution_s") < MIN_RESOLUTION_S)
    coarse = res.filter(pl.col("resolution_s") > MAX_RESOLUTION_S)
    if fine.height:
        row = fine.row(0, named=True)
        raise InputError(
            f"{what}: metric {row[C.LOAD_METRIC]!r} has samples {row['resolution_s']:g} s apart; "
            "the finest resolution accepted is 1 minute: sum or average them per minute first"
        )
    if coarse.height:
        row = coarse.row(0, named=True)
        raise InputError(
            f"{what}: metric {row[C.LOAD_METRIC]!r} has samples {row['resolution_s'] / 3600:g} h "
            "apart; the coarsest resolution accepted is daily"
        )


def validate_load(frame: pl.DataFrame, what: str) -> pl.DataFrame:
    """The frame in LOAD_SCHEMA, checked; raises InputError naming ``what`` and the value."""
    missing = [c for c in LOAD_SCHEMA if c not in frame.columns]
    if missing:
        raise InputError(f"{what}: load frame lacks column(s) {', '.join(missing)}")
    frame = frame.select([pl.col(c).cast(t) for c, t in LOAD_SCHEMA.items()])
    nulls = frame.select(
        pl.col(C.LOAD_TIMESTAMP, C.LOAD_METRIC, C.LOAD_VALUE, C.LOAD_SOURCE).null_count()
    ).row(0, named=True)
    for column, count in nulls.items():
        if count:
            raise InputError(f"{what}: {count} row(s) have no {column}")
    frame = _sorted(frame.with_columns(pl.col(C.LOAD_DIMENSIONS).fill_null("{}")))
    check_values(frame, what)
    check_units(frame, what)
    check_duplicates(frame, what, is_sorted=True)
    check_resolution(frame, what, is_sorted=True)
    return frame
