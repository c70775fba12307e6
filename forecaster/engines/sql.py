"""The billing rollup as one SQL statement, generated from the mapping data with sqlglot.

The mapping tables of :mod:`forecaster.billing.aws_mapping` (CUR 2.0 and legacy CUR) and the
canonical FOCUS names of :mod:`forecaster.columns` are turned into a sqlglot expression tree,
then printed in the engine's dialect (``trino`` for Athena, ``spark``, ``duckdb``). Nothing
here is SQL text written per engine: sqlglot transpiles the one tree.

The statement is a ``UNION ALL`` of two branches over the same source, so one job (one
Athena query id, one Spark job) returns both:

- ``x_RowKind = 'rollup'``: the rollup of :mod:`forecaster.engines.rollup`;
- ``x_RowKind = 'source'``: per billing period and currency, the line-item count, the sums
  of the source's own cost columns (CUR's unblended and public on-demand cost; FOCUS's cost
  columns as they are) and counts of unparseable values, to reconcile the rollup against.

Values are only ever literals built by sqlglot (quoted and escaped), identifiers are quoted.
The source's columns and the expression builders are in :mod:`forecaster.engines.sql_columns`,
each format's mapping onto the canonical columns in :mod:`forecaster.engines.sql_mapping`.
"""

from __future__ import annotations

import polars as pl
import sqlglot
from sqlglot import exp

from forecaster import columns as C
from forecaster.engines.rollup import DIMENSIONS, LINE_ITEM_COUNT, MEASURES, RollupSpec
from forecaster.engines.sql_columns import literal, quoted_column, typed_null
from forecaster.engines.sql_mapping import mapping_for, month_bounds
from forecaster.months import next_month

ROW_KIND = "x_RowKind"
DIALECTS = ("trino", "spark", "duckdb")


# -- the statement -------------------------------------------------------------------------
def _day_bucket(start: exp.Expression, grain: str) -> tuple[exp.Expression, exp.Expression]:
    unit = "DAY" if grain == "day" else "HOUR"
    bucket = exp.func("DATE_TRUNC", literal(unit), start, dialect="trino")
    after = exp.Add(
        this=bucket.copy(), expression=exp.Interval(this=literal("1"), unit=exp.var(unit))
    )
    return bucket, after


def _types() -> dict[str, str]:
    out: dict[str, str] = {}
    for name, dtype in C.CHARGES_SCHEMA.items():
        if isinstance(dtype, pl.Datetime):
            out[name] = "TIMESTAMP"
        elif dtype == pl.Float64:
            out[name] = "DOUBLE"
        else:
            out[name] = "VARCHAR"
    return out


TYPES = _types()


def rollup_statement(
    table: exp.Expression,
    fmt: str,
    kinds: dict[str, str],
    spec: RollupSpec,
    where: exp.Expression | None = None,
    periods: tuple[str, ...] = (),
) -> exp.Expression:
    """The rollup and the source totals over ``table``, as one sqlglot expression.

    ``where`` filters the source rows (e.g. on a partition column); ``periods`` (YYYY-MM)
    keeps only those billing periods, whatever the table's partitioning.
    """
    mapped = month_bounds(mapping_for(fmt, kinds, spec))
    canonical = [
        exp.alias_(mapped.exprs.get(name, typed_null(TYPES[name])), name, quoted=True)
        for name in (*C.TIMESTAMP_COLUMNS, *DIMENSIONS, *spec.keep, *MEASURES)
    ]
    canonical.append(exp.alias_(literal(mapped.format), C.X_SOURCE_FORMAT, quoted=True))
    canonical += [
        exp.alias_(e, c, quoted=True) for e, c in zip(mapped.tags, spec.tag_columns, strict=True)
    ]
    canonical += [
        exp.alias_(mapped.checks[m] if m in mapped.checks else typed_null("DOUBLE"), f"src_{m}",
                   quoted=True)
        for m in C.MONEY_COLUMNS
    ]  # fmt: skip
    bad_names = sorted(mapped.bad)
    canonical += [
        exp.alias_(mapped.bad[b][0], f"bad_{i}", quoted=True) for i, b in enumerate(bad_names)
    ]
    mapped_select = exp.select(*canonical).from_(table)
    if where is not None:
        mapped_select = mapped_select.where(where)
    scoped = exp.select(exp.Star()).from_("mapped")
    if periods:
        scoped = scoped.where(exp.or_(*[_in_month(p) for p in periods]))

    start, end = quoted_column(C.CHARGE_PERIOD_START), quoted_column(C.CHARGE_PERIOD_END)
    bucket, after = _day_bucket(start.copy(), spec.grain)
    within = exp.LTE(this=end.copy(), expression=after.copy())
    grained_start = exp.Case().when(within.copy(), bucket).else_(start.copy())
    grained_end = exp.Case().when(within.copy(), after).else_(end.copy())
    groups = list(spec.group_columns)
    group_exprs: list[exp.Expression] = []
    for name in groups:
        if name == C.CHARGE_PERIOD_START:
            group_exprs.append(grained_start)
        elif name == C.CHARGE_PERIOD_END:
            group_exprs.append(grained_end)
        else:
            group_exprs.append(quoted_column(name))
    zero = exp.Literal.number(0)
    rollup = exp.select(
        exp.alias_(literal("rollup"), ROW_KIND, quoted=True),
        *[exp.alias_(e, n, quoted=True) for e, n in zip(group_exprs, groups, strict=True)],
        *[
            exp.alias_(exp.Sum(this=exp.Coalesce(this=quoted_column(m), expressions=[zero.copy()])), m,
                       quoted=True)
            for m in MEASURES
        ],
        exp.alias_(exp.Count(this=exp.Star()), LINE_ITEM_COUNT, quoted=True),
        *[exp.alias_(typed_null("DOUBLE"), f"src_{m}", quoted=True) for m in C.MONEY_COLUMNS],
        *[exp.alias_(typed_null("BIGINT"), f"bad_{i}", quoted=True) for i in range(len(bad_names))],
    ).from_("scoped").group_by(*[e.copy() for e in group_exprs])  # fmt: skip

    month = exp.func(
        "DATE_TRUNC", literal("MONTH"), quoted_column(C.BILLING_PERIOD_START), dialect="trino"
    )
    source_values: list[exp.Expression] = [exp.alias_(literal("source"), ROW_KIND, quoted=True)]
    for name in groups:
        if name == C.BILLING_PERIOD_START:
            source_values.append(exp.alias_(month, name, quoted=True))
        elif name == C.BILLING_CURRENCY:
            source_values.append(exp.alias_(quoted_column(name), name, quoted=True))
        else:
            source_values.append(
                exp.alias_(typed_null(TYPES.get(name, "VARCHAR")), name, quoted=True)
            )
    source_values += [exp.alias_(typed_null("DOUBLE"), m, quoted=True) for m in MEASURES]
    source_values.append(exp.alias_(exp.Count(this=exp.Star()), LINE_ITEM_COUNT, quoted=True))
    source_values += [
        exp.alias_(exp.Sum(this=quoted_column(f"src_{m}")), f"src_{m}", quoted=True)
        for m in C.MONEY_COLUMNS
    ]
    source_values += [
        exp.alias_(exp.Sum(this=quoted_column(f"bad_{i}")), f"bad_{i}", quoted=True)
        for i in range(len(bad_names))
    ]
    source = (
        exp.select(*source_values)
        .from_("scoped")
        .group_by(month.copy(), quoted_column(C.BILLING_CURRENCY))
    )
    statement = exp.union(rollup, source, distinct=False)
    statement = statement.with_("mapped", as_=mapped_select).with_("scoped", as_=scoped)
    statement.meta["bad_columns"] = [(b, mapped.bad[b][1]) for b in bad_names]
    statement.meta["format"] = mapped.format
    statement.meta["checks"] = sorted(mapped.checks)
    statement.meta["result_types"] = {
        **{m: "double" for m in MEASURES},
        **{f"src_{m}": "double" for m in C.MONEY_COLUMNS},
        LINE_ITEM_COUNT: "bigint",
        **{f"bad_{i}": "bigint" for i in range(len(bad_names))},
    }
    return statement


def _in_month(period: str) -> exp.Expression:
    """BillingPeriodStart within the month ``period`` (YYYY-MM), as a range on timestamps."""
    nxt = next_month(period)
    column = quoted_column(C.BILLING_PERIOD_START)
    low = exp.cast(literal(f"{period}-01 00:00:00"), "TIMESTAMP")
    high = exp.cast(literal(f"{nxt}-01 00:00:00"), "TIMESTAMP")
    return exp.and_(
        exp.GTE(this=column, expression=low), exp.LT(this=column.copy(), expression=high)
    )


def to_sql(statement: exp.Expression, dialect: str) -> str:
    """The statement as text in ``dialect`` (trino, spark or duckdb)."""
    return statement.sql(dialect=dialect, pretty=True)


def parse(sql: str, dialect: str) -> exp.Expression:
    """Parse generated SQL back (tests: the Trino text is valid Trino)."""
    return sqlglot.parse_one(sql, read=dialect)
