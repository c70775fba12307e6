"""The source table's columns as the SQL generator sees them: each column's kind, and
sqlglot expressions that read it as text, money or a UTC timestamp.

``Columns`` gives typed access by the canonical reader's names (``money``, ``timestamp``,
``text``, and ``bad``: 1 on rows whose text cell did not parse). The small expression
builders beside it (``literal``, ``quoted_column``, ``typed_null``, ``real_nulls``,
``case_map``) are what :mod:`forecaster.engines.sql_mapping` and
:mod:`forecaster.engines.sql` build with; values are only ever literals built by sqlglot
(quoted and escaped), identifiers are quoted.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl
from sqlglot import exp

from forecaster.billing.parse import NULL_STRINGS, is_map

#: Text timestamps the SQL engines read: ISO 8601 date or date-time, UTC ("Z", "+00:00" or
#: no zone). A text timestamp with another offset is counted as unparseable.
UTC_TEXT_TIMESTAMP = (
    r"^[0-9]{4}-[0-9]{2}-[0-9]{2}([ T][0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]+)?)?)?"
    r"(Z|[+-]00:?00| UTC)?$"
)

#: Column kinds the generator distinguishes.
KINDS = ("string", "integer", "number", "timestamp", "date", "map", "struct", "other")


@dataclass(frozen=True)
class SourceColumn:
    """One column of the source table: the name the source spells and its kind."""

    name: str
    kind: str


def kind_of_polars(dtype: pl.DataType) -> str:
    if dtype == pl.String:
        return "string"
    if dtype.is_integer():
        return "integer"
    if dtype.is_numeric():
        return "number"
    if isinstance(dtype, pl.Datetime):
        return "timestamp"
    if dtype == pl.Date:
        return "date"
    if is_map(dtype):
        return "map"
    if isinstance(dtype, pl.Struct):
        return "struct"
    return "other"


POLARS_OF_KIND: dict[str, pl.DataType] = {
    "string": pl.String(),
    "integer": pl.Int64(),
    "number": pl.Float64(),
    "timestamp": pl.Datetime("us"),
    "date": pl.Date(),
    "map": pl.List(pl.Struct({"key": pl.String, "value": pl.String})),
    "struct": pl.Struct({"_": pl.String}),
    "other": pl.Binary(),
}


def polars_schema(kinds: dict[str, str]) -> dict[str, pl.DataType]:
    """A stand-in polars schema, so the readers' format detection works on any engine's."""
    return {name: POLARS_OF_KIND[kind] for name, kind in kinds.items()}


# -- expression helpers --------------------------------------------------------------------
def quoted_column(name: str) -> exp.Expression:
    return exp.column(name, quoted=True)


def literal(value: str) -> exp.Expression:
    return exp.Literal.string(value)


def typed_null(type_name: str | None = None) -> exp.Expression:
    return exp.Null() if type_name is None else exp.cast(exp.Null(), type_name)


def real_nulls(expr: exp.Expression) -> exp.Expression:
    """Text with the exports' null spellings ("NULL", "") as real nulls."""
    text = expr.copy()
    return exp.Case().when(text.isin(*[literal(v) for v in NULL_STRINGS]), exp.Null()).else_(expr)


def case_map(expr: exp.Expression, mapping: dict[str, str], default: str | None):
    case = exp.Case()
    for key, value in mapping.items():
        case = case.when(exp.EQ(this=expr.copy(), expression=literal(key)), literal(value))
    return case.else_(literal(default) if default is not None else exp.Null())


class Columns:
    """Typed access to a source table's columns by the canonical reader's names."""

    def __init__(self, columns: dict[str, SourceColumn]):
        self.columns = columns  # reader name -> source column

    def has(self, name: str) -> bool:
        return name in self.columns

    def raw(self, name: str) -> exp.Expression:
        return quoted_column(self.columns[name].name)

    def kind(self, name: str) -> str:
        return self.columns[name].kind

    def text(self, name: str) -> exp.Expression:
        if not self.has(name):
            return typed_null("VARCHAR")
        if self.kind(name) == "string":
            return real_nulls(self.raw(name))
        return exp.cast(self.raw(name), "VARCHAR")

    def money(self, name: str) -> exp.Expression:
        if not self.has(name):
            return typed_null("DOUBLE")
        if self.kind(name) in ("number", "integer"):
            return exp.cast(self.raw(name), "DOUBLE")
        return exp.TryCast(this=real_nulls(self.raw(name)), to=exp.DataType.build("DOUBLE"))

    def money0(self, name: str) -> exp.Expression:
        return exp.Coalesce(this=self.money(name), expressions=[exp.Literal.number(0)])

    def timestamp(self, name: str) -> exp.Expression:
        if not self.has(name):
            return typed_null("TIMESTAMP")
        if self.kind(name) in ("timestamp", "date"):
            return exp.cast(self.raw(name), "TIMESTAMP")
        text = real_nulls(self.raw(name))
        spaced = exp.func("REPLACE", text, literal("T"), literal(" "), dialect="trino")
        length = exp.Length(this=spaced.copy())
        normal = (
            exp.Case()
            .when(exp.EQ(this=length, expression=exp.Literal.number(10)),
                  exp.DPipe(this=spaced.copy(), expression=literal(" 00:00:00")))
            .when(exp.EQ(this=length.copy(), expression=exp.Literal.number(16)),
                  exp.DPipe(this=spaced.copy(), expression=literal(":00")))
            .else_(exp.Substring(this=spaced.copy(), start=exp.Literal.number(1),
                                 length=exp.Literal.number(19)))
        )  # fmt: skip
        return exp.TryCast(this=normal, to=exp.DataType.build("TIMESTAMP"))

    def bad(self, name: str, timestamp: bool) -> exp.Expression | None:
        """1 on rows where a text money or timestamp cell holds a value that did not parse."""
        if not self.has(name) or self.kind(name) != "string":
            return None
        text = real_nulls(self.raw(name))
        if timestamp:
            wrong = exp.Not(
                this=exp.RegexpLike(this=text.copy(), expression=literal(UTC_TEXT_TIMESTAMP))
            )
        else:
            wrong = exp.TryCast(this=text.copy(), to=exp.DataType.build("DOUBLE")).is_(exp.Null())
        cond = exp.and_(exp.Not(this=text.is_(exp.Null())), wrong)
        return exp.Case().when(cond, exp.Literal.number(1)).else_(exp.Literal.number(0))
