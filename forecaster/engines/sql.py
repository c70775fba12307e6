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
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl
import sqlglot
from sqlglot import exp

from forecaster import columns as C
from forecaster.billing import aws_mapping as M
from forecaster.billing import focus as F
from forecaster.billing.aws_cur import _legacy_tag_key
from forecaster.billing.parse import NULL_STRINGS, is_map
from forecaster.billing.periods import CHARGE_AFTER_DAYS, CHARGE_BEFORE_DAYS
from forecaster.billing.source import require_columns
from forecaster.engines.rollup import DIMENSIONS, LINE_ITEM_COUNT, MEASURES, RollupSpec
from forecaster.errors import InputError
from forecaster.months import next_month

ROW_KIND = "x_RowKind"
DIALECTS = ("trino", "spark", "duckdb")
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
def _col(name: str) -> exp.Expression:
    return exp.column(name, quoted=True)


def _s(value: str) -> exp.Expression:
    return exp.Literal.string(value)


def _null(type_name: str | None = None) -> exp.Expression:
    return exp.Null() if type_name is None else exp.cast(exp.Null(), type_name)


def _nb(expr: exp.Expression) -> exp.Expression:
    """Text with the exports' null spellings ("NULL", "") as real nulls."""
    text = expr.copy()
    return exp.Case().when(text.isin(*[_s(v) for v in NULL_STRINGS]), exp.Null()).else_(expr)


def _case_map(expr: exp.Expression, mapping: dict[str, str], default: str | None):
    case = exp.Case()
    for key, value in mapping.items():
        case = case.when(exp.EQ(this=expr.copy(), expression=_s(key)), _s(value))
    return case.else_(_s(default) if default is not None else exp.Null())


class Columns:
    """Typed access to a source table's columns by the canonical reader's names."""

    def __init__(self, columns: dict[str, SourceColumn]):
        self.columns = columns  # reader name -> source column

    def has(self, name: str) -> bool:
        return name in self.columns

    def raw(self, name: str) -> exp.Expression:
        return _col(self.columns[name].name)

    def kind(self, name: str) -> str:
        return self.columns[name].kind

    def text(self, name: str) -> exp.Expression:
        if not self.has(name):
            return _null("VARCHAR")
        if self.kind(name) == "string":
            return _nb(self.raw(name))
        return exp.cast(self.raw(name), "VARCHAR")

    def money(self, name: str) -> exp.Expression:
        if not self.has(name):
            return _null("DOUBLE")
        if self.kind(name) in ("number", "integer"):
            return exp.cast(self.raw(name), "DOUBLE")
        return exp.TryCast(this=_nb(self.raw(name)), to=exp.DataType.build("DOUBLE"))

    def money0(self, name: str) -> exp.Expression:
        return exp.Coalesce(this=self.money(name), expressions=[exp.Literal.number(0)])

    def timestamp(self, name: str) -> exp.Expression:
        if not self.has(name):
            return _null("TIMESTAMP")
        if self.kind(name) in ("timestamp", "date"):
            return exp.cast(self.raw(name), "TIMESTAMP")
        text = _nb(self.raw(name))
        spaced = exp.func("REPLACE", text, _s("T"), _s(" "), dialect="trino")
        length = exp.Length(this=spaced.copy())
        normal = (
            exp.Case()
            .when(exp.EQ(this=length, expression=exp.Literal.number(10)),
                  exp.DPipe(this=spaced.copy(), expression=_s(" 00:00:00")))
            .when(exp.EQ(this=length.copy(), expression=exp.Literal.number(16)),
                  exp.DPipe(this=spaced.copy(), expression=_s(":00")))
            .else_(exp.Substring(this=spaced.copy(), start=exp.Literal.number(1),
                                 length=exp.Literal.number(19)))
        )  # fmt: skip
        return exp.TryCast(this=normal, to=exp.DataType.build("TIMESTAMP"))

    def bad(self, name: str, timestamp: bool) -> exp.Expression | None:
        """1 on rows where a text money or timestamp cell holds a value that did not parse."""
        if not self.has(name) or self.kind(name) != "string":
            return None
        text = _nb(self.raw(name))
        if timestamp:
            wrong = exp.Not(
                this=exp.RegexpLike(this=text.copy(), expression=_s(UTC_TEXT_TIMESTAMP))
            )
        else:
            wrong = exp.TryCast(this=text.copy(), to=exp.DataType.build("DOUBLE")).is_(exp.Null())
        cond = exp.and_(exp.Not(this=text.is_(exp.Null())), wrong)
        return exp.Case().when(cond, exp.Literal.number(1)).else_(exp.Literal.number(0))


# -- the mappings --------------------------------------------------------------------------
@dataclass
class Mapped:
    """Canonical column -> expression over the source, plus the reconciliation checks."""

    format: str
    exprs: dict[str, exp.Expression]
    checks: dict[str, exp.Expression]  # canonical money column -> source expression
    bad: dict[str, tuple[exp.Expression, str]]  # source column -> (1 where unparseable, what)
    tags: list[exp.Expression]  # one per kept tag key


def _tag_from(cols: Columns, column: str, key: str) -> exp.Expression:
    kind = cols.kind(column)
    if kind == "map":
        return exp.func("ELEMENT_AT", cols.raw(column), _s(key), dialect="trino")
    if kind == "struct":
        return exp.Dot(this=cols.raw(column), expression=exp.to_identifier(key, quoted=True))
    path = exp.JSONPath(expressions=[exp.JSONPathRoot(), exp.JSONPathKey(this=key)])
    return exp.JSONExtractScalar(this=_nb(cols.raw(column)), expression=path)


def map_cur(kinds: dict[str, str], spec: RollupSpec) -> Mapped:
    """CUR 2.0 or legacy CUR columns onto FOCUS, from the tables in aws_mapping."""
    legacy_csv = any("/" in name for name in kinds)
    columns: dict[str, SourceColumn] = {}
    for name, kind in kinds.items():
        reader = M.snake_case(name) if legacy_csv and not name.startswith("resourceTags/") else name
        columns[reader] = SourceColumn(name, kind)
    missing = [c for c in M.REQUIRED if c not in columns]
    require_columns(missing, "not a complete AWS CUR table")
    cols = Columns(columns)
    fmt = (
        "cur2"
        if any(m in columns and columns[m].kind in ("map", "struct") for m in ("resource_tags",
               "product", "cost_category", "discount"))
        else "cur-legacy"
    )  # fmt: skip
    product_map = cols.has("product") and cols.kind("product") == "map"

    def product(key: str) -> exp.Expression:
        return _nb(exp.func("ELEMENT_AT", cols.raw("product"), _s(key), dialect="trino"))

    exprs: dict[str, exp.Expression] = {}
    bad: dict[str, tuple[exp.Expression, str]] = {}
    found_for: dict[str, str] = {}
    for name, candidates in M.COLUMN_CANDIDATES.items():
        found = next((c for c in candidates if cols.has(c)), None)
        if found is None:
            if name in M.PRODUCT_MAP_KEYS and product_map:
                exprs[name] = product(M.PRODUCT_MAP_KEYS[name])
            continue
        found_for[name] = found
        if name in C.TIMESTAMP_COLUMNS:
            exprs[name] = cols.timestamp(found)
            flag = cols.bad(found, timestamp=True)
        elif C.CHARGES_SCHEMA[name] == pl.Float64:
            exprs[name] = cols.money(found)
            flag = cols.bad(found, timestamp=False)
        else:
            exprs[name] = cols.text(found)
            flag = None
        if flag is not None:
            what = "a UTC timestamp" if name in C.TIMESTAMP_COLUMNS else "a number"
            bad[columns[found].name] = (flag, what)
    if found_for.get(C.SERVICE_NAME) == "line_item_product_code" and product_map:
        exprs[C.SERVICE_NAME] = exp.Coalesce(
            this=product(M.PRODUCT_MAP_KEYS[C.SERVICE_NAME]), expressions=[exprs[C.SERVICE_NAME]]
        )

    line_type = cols.text("line_item_line_item_type")

    def is_type(*types: str) -> exp.Expression:
        return line_type.copy().isin(*[_s(t) for t in types])

    effective = exp.Case()
    fee_type, arn = M.UPFRONT_RESERVATION_FEE
    if cols.has(arn):
        effective = effective.when(
            exp.and_(is_type(fee_type), exp.Not(this=cols.text(arn).is_(exp.Null()))),
            exp.Literal.number(0),
        )
    for item_type, terms in M.EFFECTIVE_COST_TERMS.items():
        value: exp.Expression = exp.Literal.number(0)
        for sign, term in terms:
            part = cols.money0(term) if cols.has(term) else exp.Literal.number(0)
            value = exp.Add(this=value, expression=exp.Mul(
                this=exp.Literal.number(sign), expression=part))  # fmt: skip
        effective = effective.when(is_type(item_type), exp.Paren(this=value))
    exprs[C.EFFECTIVE_COST] = effective.else_(cols.money0("line_item_unblended_cost"))
    exprs[C.PROVIDER_NAME] = _s("AWS")
    refund_category: exp.Expression = _s("Usage")
    if cols.has("line_item_tax_type"):
        refund_category = (
            exp.Case()
            .when(exp.Not(this=cols.text("line_item_tax_type").is_(exp.Null())), _s("Tax"))
            .else_(_s("Usage"))
        )
    exprs[C.CHARGE_CATEGORY] = (
        exp.Case()
        .when(is_type(*M.CORRECTION_LINE_ITEM_TYPES), refund_category)
        .else_(_case_map(line_type.copy(), M.CHARGE_CATEGORY, "Usage"))
    )
    exprs[C.CHARGE_CLASS] = exp.Case().when(
        is_type(*M.CORRECTION_LINE_ITEM_TYPES), _s("Correction")
    )
    exprs[C.PRICING_CATEGORY] = (
        exp.Case()
        .when(is_type(*M.COMMITTED_LINE_ITEM_TYPES), _s("Committed"))
        .else_(_case_map(cols.text("pricing_term"), M.PRICING_CATEGORY_BY_TERM, None))
    )
    exprs[C.SERVICE_CATEGORY] = _case_map(
        cols.text("line_item_product_code"), M.SERVICE_CATEGORY, "Other"
    )
    exprs[C.COMMITMENT_DISCOUNT_ID] = exp.Coalesce(
        this=cols.text("savings_plan_savings_plan_a_r_n"),
        expressions=[cols.text("reservation_reservation_a_r_n")],
    )
    if C.CONSUMED_QUANTITY in exprs:
        exprs[C.CONSUMED_QUANTITY] = exp.Case().when(
            is_type(*M.USAGE_LIKE_LINE_ITEM_TYPES), exprs[C.CONSUMED_QUANTITY]
        )
    if C.LIST_COST in exprs:
        exprs[C.LIST_COST] = exp.Coalesce(
            this=exprs[C.LIST_COST], expressions=[exp.Literal.number(0)]
        )

    tags: list[exp.Expression] = []
    for key in spec.tags:
        if cols.has("resource_tags") and cols.kind("resource_tags") in ("map", "struct"):
            tags.append(_tag_from(cols, "resource_tags", key))
            continue
        legacy = [
            c for c in columns if (c.startswith("resourceTags/") or c.startswith("resource_tags_"))
            and _legacy_tag_key(columns[c].name if "/" in columns[c].name else c) == key
        ]  # fmt: skip
        tags.append(cols.text(legacy[0]) if legacy else _null("VARCHAR"))

    checks = {C.BILLED_COST: cols.money("line_item_unblended_cost")}
    if cols.has("pricing_public_on_demand_cost"):
        checks[C.LIST_COST] = cols.money("pricing_public_on_demand_cost")
    return Mapped(fmt, exprs, checks, bad, tags)


def map_focus(kinds: dict[str, str], spec: RollupSpec) -> Mapped:
    """FOCUS 1.0-1.3 columns onto the canonical table (types parsed, 1.3's names)."""
    columns = {name: SourceColumn(name, kind) for name, kind in kinds.items()}
    cols = Columns(columns)
    exprs: dict[str, exp.Expression] = {}
    bad: dict[str, tuple[exp.Expression, str]] = {}
    tags_column = None
    for name, dtype in C.CHARGES_SCHEMA.items():
        if name.startswith("x_"):
            continue
        found = name if cols.has(name) else None
        if found is None:
            found = next((a for a in F.ALTERNATIVE_NAMES.get(name, ()) if cols.has(a)), None)
        if found is None:
            continue
        if name in C.TIMESTAMP_COLUMNS:
            exprs[name] = cols.timestamp(found)
            flag = cols.bad(found, timestamp=True)
        elif dtype == pl.Float64:
            exprs[name] = cols.money(found)
            flag = cols.bad(found, timestamp=False)
        elif name == C.TAGS:
            tags_column = found
            continue
        else:
            exprs[name] = cols.text(found)
            flag = None
        if flag is not None:
            bad[found] = (flag, "a UTC timestamp" if name in C.TIMESTAMP_COLUMNS else "a number")
    require_columns(F.missing_required(cols.has), "not a FOCUS cost-and-usage table")
    tags = [
        _tag_from(cols, tags_column, key) if tags_column else _null("VARCHAR") for key in spec.tags
    ]
    checks = {name: cols.money(name) for name in C.MONEY_COLUMNS if cols.has(name)}
    return Mapped("focus", exprs, checks, bad, tags)


def mapping_for(fmt: str, kinds: dict[str, str], spec: RollupSpec) -> Mapped:
    if fmt == "focus":
        return map_focus(kinds, spec)
    if fmt in ("cur2", "cur-legacy"):
        return map_cur(kinds, spec)
    raise InputError(f"format {fmt!r} has no SQL mapping; expected focus, cur2 or cur-legacy")


def month_bounds(mapped: Mapped) -> Mapped:
    """BillingPeriodStart/End as the billing month's bounds at 00:00 UTC, as the local
    readers store them (forecaster/billing/periods.py): the month an instant starts at some
    UTC offset from -12:00 to +14:00 (Google bills in Pacific time). A start that is no month
    start at any offset, a charge ending before it starts and a charge far outside its billing
    period are counted as refused rows, as the local readers refuse them."""
    start = mapped.exprs.get(C.BILLING_PERIOD_START)
    if start is None:
        return mapped
    hours = exp.Interval(this=_s("14"), unit=exp.var("HOUR"))
    month = exp.func(
        "DATE_TRUNC", _s("MONTH"), exp.Add(this=start.copy(), expression=hours), dialect="trino"
    )
    mapped.exprs[C.BILLING_PERIOD_START] = month
    if C.BILLING_PERIOD_END in mapped.exprs:
        end = mapped.exprs[C.BILLING_PERIOD_END]
        mapped.exprs[C.BILLING_PERIOD_END] = exp.Case().when(
            exp.Not(this=end.is_(exp.Null())),
            exp.Add(
                this=month.copy(), expression=exp.Interval(this=_s("1"), unit=exp.var("MONTH"))
            ),
        )
    late = exp.GT(
        this=start.copy(),
        expression=exp.Add(
            this=month.copy(), expression=exp.Interval(this=_s("12"), unit=exp.var("HOUR"))
        ),
    )
    mapped.bad[C.BILLING_PERIOD_START + " (month start)"] = (
        _flag(late),
        "a month start (00:00 on the 1st, in UTC or at the provider's offset)",
    )
    charge_start = mapped.exprs.get(C.CHARGE_PERIOD_START)
    charge_end = mapped.exprs.get(C.CHARGE_PERIOD_END)
    if charge_start is not None and charge_end is not None:
        mapped.bad[C.CHARGE_PERIOD_END + " (order)"] = (
            _flag(exp.LT(this=charge_end.copy(), expression=charge_start.copy())),
            "a ChargePeriodEnd at or after its ChargePeriodStart",
        )
    if charge_start is not None:
        early = exp.Sub(this=month.copy(), expression=_days(CHARGE_BEFORE_DAYS))
        late_end = exp.Add(
            this=exp.Add(
                this=month.copy(), expression=exp.Interval(this=_s("1"), unit=exp.var("MONTH"))
            ),
            expression=_days(CHARGE_AFTER_DAYS),
        )
        outside = exp.or_(
            exp.LT(this=charge_start.copy(), expression=early),
            exp.GTE(this=charge_start.copy(), expression=late_end),
        )
        mapped.bad[C.CHARGE_PERIOD_START + " (window)"] = (
            _flag(outside),
            f"a charge starting at most {CHARGE_BEFORE_DAYS} days before its billing period "
            f"and at most {CHARGE_AFTER_DAYS} days after it ends",
        )
    return mapped


def _days(n: int) -> exp.Expression:
    return exp.Interval(this=_s(str(n)), unit=exp.var("DAY"))


def _flag(condition: exp.Expression) -> exp.Expression:
    """1 where ``condition`` holds, else 0 (null conditions count as 0)."""
    return exp.Case().when(condition, exp.Literal.number(1)).else_(exp.Literal.number(0))


# -- the statement -------------------------------------------------------------------------
def _day_bucket(start: exp.Expression, grain: str) -> tuple[exp.Expression, exp.Expression]:
    unit = "DAY" if grain == "day" else "HOUR"
    bucket = exp.func("DATE_TRUNC", _s(unit), start, dialect="trino")
    after = exp.Add(this=bucket.copy(), expression=exp.Interval(this=_s("1"), unit=exp.var(unit)))
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
        exp.alias_(mapped.exprs.get(name, _null(TYPES[name])), name, quoted=True)
        for name in (*C.TIMESTAMP_COLUMNS, *DIMENSIONS, *spec.keep, *MEASURES)
    ]
    canonical.append(exp.alias_(_s(mapped.format), C.X_SOURCE_FORMAT, quoted=True))
    canonical += [
        exp.alias_(e, c, quoted=True) for e, c in zip(mapped.tags, spec.tag_columns, strict=True)
    ]
    canonical += [
        exp.alias_(mapped.checks[m] if m in mapped.checks else _null("DOUBLE"), f"src_{m}",
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

    start, end = _col(C.CHARGE_PERIOD_START), _col(C.CHARGE_PERIOD_END)
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
            group_exprs.append(_col(name))
    zero = exp.Literal.number(0)
    rollup = exp.select(
        exp.alias_(_s("rollup"), ROW_KIND, quoted=True),
        *[exp.alias_(e, n, quoted=True) for e, n in zip(group_exprs, groups, strict=True)],
        *[
            exp.alias_(exp.Sum(this=exp.Coalesce(this=_col(m), expressions=[zero.copy()])), m,
                       quoted=True)
            for m in MEASURES
        ],
        exp.alias_(exp.Count(this=exp.Star()), LINE_ITEM_COUNT, quoted=True),
        *[exp.alias_(_null("DOUBLE"), f"src_{m}", quoted=True) for m in C.MONEY_COLUMNS],
        *[exp.alias_(_null("BIGINT"), f"bad_{i}", quoted=True) for i in range(len(bad_names))],
    ).from_("scoped").group_by(*[e.copy() for e in group_exprs])  # fmt: skip

    month = exp.func("DATE_TRUNC", _s("MONTH"), _col(C.BILLING_PERIOD_START), dialect="trino")
    source_values: list[exp.Expression] = [exp.alias_(_s("source"), ROW_KIND, quoted=True)]
    for name in groups:
        if name == C.BILLING_PERIOD_START:
            source_values.append(exp.alias_(month, name, quoted=True))
        elif name == C.BILLING_CURRENCY:
            source_values.append(exp.alias_(_col(name), name, quoted=True))
        else:
            source_values.append(exp.alias_(_null(TYPES.get(name, "VARCHAR")), name, quoted=True))
    source_values += [exp.alias_(_null("DOUBLE"), m, quoted=True) for m in MEASURES]
    source_values.append(exp.alias_(exp.Count(this=exp.Star()), LINE_ITEM_COUNT, quoted=True))
    source_values += [
        exp.alias_(exp.Sum(this=_col(f"src_{m}")), f"src_{m}", quoted=True) for m in C.MONEY_COLUMNS
    ]
    source_values += [
        exp.alias_(exp.Sum(this=_col(f"bad_{i}")), f"bad_{i}", quoted=True)
        for i in range(len(bad_names))
    ]
    source = (
        exp.select(*source_values).from_("scoped").group_by(month.copy(), _col(C.BILLING_CURRENCY))
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
    column = _col(C.BILLING_PERIOD_START)
    low = exp.cast(_s(f"{period}-01 00:00:00"), "TIMESTAMP")
    high = exp.cast(_s(f"{nxt}-01 00:00:00"), "TIMESTAMP")
    return exp.and_(
        exp.GTE(this=column, expression=low), exp.LT(this=column.copy(), expression=high)
    )


def to_sql(statement: exp.Expression, dialect: str) -> str:
    """The statement as text in ``dialect`` (trino, spark or duckdb)."""
    return statement.sql(dialect=dialect, pretty=True)


def parse(sql: str, dialect: str) -> exp.Expression:
    """Parse generated SQL back (tests: the Trino text is valid Trino)."""
    return sqlglot.parse_one(sql, read=dialect)
