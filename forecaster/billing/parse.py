"""Polars expressions that turn raw source text into canonical values.

Real exports write timestamps as "2024-09-01 00:00:00" (no zone: UTC), "2024-09-01T00:00:00Z",
"2024-09-01T02:00:00+02:00" or plain dates; money as text with literal "NULL"; ids that look
numeric. These helpers parse all of those into UTC datetimes, Float64 and strings, and give
the matching "bad value" expressions so a reader can name the first unparseable value.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import polars as pl

from forecaster.columns import CHARGES_SCHEMA, TIMESTAMP_COLUMNS, UTC_DATETIME

#: Parquet MAP columns: polars 2 reads them as Map, older polars as a list of key/value structs.
MAP_TYPES: tuple[type, ...] = tuple(t for t in (getattr(pl, "Map", None), pl.List) if t is not None)
_ENTRY = pl.List(pl.Struct({"key": pl.String, "value": pl.String}))


def is_map(dtype: pl.DataType) -> bool:
    return isinstance(dtype, MAP_TYPES)


def map_entries(expr: pl.Expr) -> pl.Expr:
    """A MAP<string,string> column as a list of {key, value} structs, whatever polars made of it."""
    return expr.cast(_ENTRY)


#: Strings real exports use for "no value".
NULL_STRINGS = ["", "NULL", "null", "None", "NaN", "nan", "N/A"]


def null_if_blank(expr: pl.Expr) -> pl.Expr:
    """Text with the export's null spellings ("NULL", "") turned into real nulls."""
    text = expr.cast(pl.String)
    return pl.when(text.is_in(NULL_STRINGS)).then(None).otherwise(text)


@dataclass(frozen=True)
class DictionaryLookup:
    """Columns computed once per distinct value of a MAP column, then joined back to rows.

    For low-cardinality MAP columns (CUR resource tags and product attributes: millions of
    rows, a few thousand distinct values) this is several times faster than encoding every
    row. Rows are matched to the dictionary by a 64-bit hash of the value; if two distinct
    values ever share a hash, ``apply`` encodes every row instead, so the result is exact.
    """

    column: str
    encoders: dict[str, Callable[[pl.Expr], pl.Expr]]

    def distinct(self, raw: pl.LazyFrame) -> pl.LazyFrame:
        """The column's distinct values (a plan; :func:`build_lookups` runs several at once)."""
        return raw.select(map_entries(pl.col(self.column)).alias(self.column)).unique()

    def table(self, values: pl.DataFrame) -> pl.DataFrame | None:
        """The dictionary of the distinct ``values``, or None when hashes collide."""
        table = values.select(
            pl.col(self.column).hash().alias("_dict_key"),
            *[enc(pl.col(self.column)).alias(out) for out, enc in self.encoders.items()],
        )
        return table if table["_dict_key"].n_unique() == table.height else None

    def build(self, raw: pl.LazyFrame) -> pl.DataFrame | None:
        """The dictionary (one streaming pass), or None when hashes collide."""
        return build_lookups([self], raw)[0]

    def apply(self, raw: pl.LazyFrame, table: pl.DataFrame | None) -> pl.LazyFrame:
        """``raw`` with the encoded columns added."""
        if table is None:
            return raw.with_columns(
                [enc(pl.col(self.column)).alias(out) for out, enc in self.encoders.items()]
            )
        return (
            raw.with_columns(map_entries(pl.col(self.column)).hash().alias("_dict_key"))
            .join(table.lazy(), on="_dict_key", how="left")
            .drop("_dict_key")
        )


def build_lookups(lookups: list[DictionaryLookup], raw: pl.LazyFrame) -> list[pl.DataFrame | None]:
    """Every lookup's dictionary from one streaming pass over ``raw`` (the scan is shared)."""
    if not lookups:
        return []
    values = pl.collect_all([lookup.distinct(raw) for lookup in lookups], engine="streaming")
    return [lookup.table(v) for lookup, v in zip(lookups, values, strict=True)]


def map_value(expr: pl.Expr, key: str) -> pl.Expr:
    """The value under ``key`` in a MAP<string,string> column (null when absent or blank)."""
    value = (
        map_entries(expr)
        .list.eval(
            pl.element().filter(pl.element().struct.field("key") == key).struct.field("value")
        )
        .list.first()
    )
    return null_if_blank(value)


def parse_utc(expr: pl.Expr, dtype: pl.DataType | None = None) -> pl.Expr:
    """A timestamp column as Datetime(us, UTC).

    Datetime input is converted (naive is taken as UTC); text accepts ISO 8601 with "T" or a
    space, optional fractional seconds, "Z" or a numeric offset (converted to UTC), or a
    plain date (midnight UTC).
    """
    if dtype is not None and isinstance(dtype, pl.Datetime):
        if dtype.time_zone is None:
            return expr.cast(pl.Datetime("us")).dt.replace_time_zone("UTC")
        return expr.dt.convert_time_zone("UTC").cast(UTC_DATETIME)
    if dtype is not None and dtype == pl.Date:
        return expr.cast(pl.Datetime("us")).dt.replace_time_zone("UTC")
    text = null_if_blank(expr).str.replace(" ", "T").str.replace(r"(?i)Z$", "+00:00")
    with_offset = text.str.to_datetime("%Y-%m-%dT%H:%M:%S%.f%z", strict=False, time_zone="UTC")
    naive = text.str.to_datetime("%Y-%m-%dT%H:%M:%S%.f", strict=False, time_unit="us")
    naive_minutes = text.str.to_datetime("%Y-%m-%dT%H:%M", strict=False, time_unit="us")
    date_only = text.str.to_date("%Y-%m-%d", strict=False).cast(pl.Datetime("us"))
    return pl.coalesce(
        with_offset.cast(UTC_DATETIME),
        naive.dt.replace_time_zone("UTC"),
        naive_minutes.dt.replace_time_zone("UTC"),
        date_only.dt.replace_time_zone("UTC"),
    )


#: Timestamp layouts tried on a sample of a text column (:func:`timestamp_format`); a file
#: written in one of them is parsed with that layout alone.
TIMESTAMP_FORMATS = (
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%dT%H:%M:%SZ",
    "%Y-%m-%dT%H:%M:%S%.fZ",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%dT%H:%M:%S%.f",
    "%Y-%m-%d %H:%M:%S%.f",
    "%Y-%m-%dT%H:%M:%S%z",
    "%Y-%m-%dT%H:%M:%S%.f%z",
    "%Y-%m-%d %H:%M:%S%z",
)


def utc_with_format(expr: pl.Expr, fmt: str) -> pl.Expr:
    """Text in exactly the layout ``fmt`` as Datetime(us, UTC) (naive is UTC; anything else,
    blanks included, is null)."""
    return expr.str.to_datetime(fmt, strict=False, time_unit="us", time_zone="UTC")


def timestamp_format(values: pl.Series) -> str | None:
    """The one layout of TIMESTAMP_FORMATS that reads every non-blank value of ``values``
    (a sample of a text column) exactly as :func:`parse_utc` does, or None."""
    frame = pl.DataFrame({"v": values.cast(pl.String)}).filter(
        null_if_blank(pl.col("v")).is_not_null()
    )
    if frame.is_empty():
        return None
    general = frame.select(parse_utc(pl.col("v")).alias("v"))["v"]
    if general.null_count():
        return None
    for fmt in TIMESTAMP_FORMATS:
        fast = frame.select(utc_with_format(pl.col("v"), fmt).alias("v"))["v"]
        if fast.null_count() == 0 and (fast == general).all():
            return fmt
    return None


def parse_money(expr: pl.Expr, dtype: pl.DataType | None = None) -> pl.Expr:
    """A money or quantity column as Float64 ("NULL" and blanks become null)."""
    if dtype is not None and dtype.is_numeric():
        return expr.cast(pl.Float64)
    return null_if_blank(expr).cast(pl.Float64, strict=False)


#: The exact type source totals are summed in (12 decimals; 26 integer digits).
EXACT_MONEY = pl.Decimal(38, 12)
#: Amounts of this magnitude or more cannot be kept to the cent in a 64-bit float (its
#: spacing passes a cent at 2**46): such a value is refused rather than stored wrong.
MAX_MONEY = float(2**45)


def exact_money(expr: pl.Expr, dtype: pl.DataType | None = None) -> pl.Expr:
    """A money column as the source holds it, for exact totals: text and decimals as
    Decimal(38, 12), floats as themselves (a float source is stored exactly)."""
    if dtype is not None and (dtype.is_float()):
        return expr.cast(pl.Float64)
    if dtype is not None and dtype.is_numeric():
        return expr.cast(EXACT_MONEY)
    return null_if_blank(expr).cast(EXACT_MONEY, strict=False)


def parse_text(expr: pl.Expr, dtype: pl.DataType | None = None) -> pl.Expr:
    """An id or name as text: numeric-looking ids stay strings, "NULL" becomes null."""
    if dtype is not None and dtype.is_integer():
        return expr.cast(pl.String)
    return null_if_blank(expr)


def canonical_column(name: str, src: pl.Expr, src_type: pl.DataType) -> tuple[pl.Expr, bool]:
    """A source column ``src`` parsed as the canonical column ``name``: a timestamp in UTC,
    money as Float64, anything else as text; and whether the parse needs checking for bad
    values (a text column read as a timestamp or money: typed Parquet columns cannot hold
    bad values). Shared by the FOCUS and CUR readers."""
    if name in TIMESTAMP_COLUMNS:
        parsed = parse_utc(src, src_type)
    elif CHARGES_SCHEMA[name] == pl.Float64:
        parsed = parse_money(src, src_type)
    else:
        return parse_text(src, src_type), False
    return parsed, src_type == pl.String


def bad_values(raw: pl.Expr, parsed: pl.Expr) -> pl.Expr:
    """True where the raw cell holds a value that did not parse."""
    return null_if_blank(raw).is_not_null() & parsed.is_null()


def json_escape(expr: pl.Expr) -> pl.Expr:
    """Text escaped for use inside a JSON string literal."""
    return (
        expr.str.replace_all("\\", "\\\\", literal=True)
        .str.replace_all('"', '\\"', literal=True)
        .str.replace_all("\n", "\\n", literal=True)
        .str.replace_all("\r", "\\r", literal=True)
        .str.replace_all("\t", "\\t", literal=True)
    )


def tags_from_columns(columns: dict[str, str]) -> pl.Expr:
    """A JSON object text from flattened tag columns ({tag key: column name}).

    Empty and null tag values are left out; a row without tags gets null.
    """
    if not columns:
        return pl.lit(None, dtype=pl.String)
    pairs = [
        pl.when(null_if_blank(pl.col(col)).is_not_null()).then(
            pl.concat_str(
                pl.lit(f'"{_escape_py(key)}":"'),
                json_escape(null_if_blank(pl.col(col))),
                pl.lit('"'),
            )
        )
        for key, col in columns.items()
    ]
    joined = pl.concat_str(pairs, separator=",", ignore_nulls=True)
    return (
        pl.when(joined.str.len_chars() > 0)
        .then(pl.concat_str(pl.lit("{"), joined, pl.lit("}")))
        .otherwise(None)
    )


def tags_from_map(expr: pl.Expr) -> pl.Expr:
    """A JSON object text from a Parquet MAP<string,string> (read as a list of key/value structs)."""
    pairs = (
        map_entries(expr)
        .list.eval(
            pl.concat_str(
                pl.lit('"'),
                json_escape(pl.element().struct.field("key")),
                pl.lit('":"'),
                json_escape(pl.element().struct.field("value").fill_null("")),
                pl.lit('"'),
            )
        )
        .list.join(",")
    )
    return (
        pl.when(pairs.str.len_chars() > 0)
        .then(pl.concat_str(pl.lit("{"), pairs, pl.lit("}")))
        .otherwise(None)
    )


def _escape_py(text: str) -> str:
    return (
        text.replace("\\", "\\\\")
        .replace('"', '\\"')
        .replace("\n", "\\n")
        .replace("\r", "\\r")
        .replace("\t", "\\t")
    )
