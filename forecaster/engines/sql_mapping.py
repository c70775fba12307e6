"""Each billing format's columns onto the canonical FOCUS columns, as sqlglot expressions.

``mapping_for(fmt, kinds, spec)`` gives a ``Mapped``: canonical column -> expression over
the source, the source's own money columns to reconcile against, the unparseable-value
checks and one expression per kept tag key. CUR 2.0 and legacy CUR come from the tables of
:mod:`forecaster.billing.aws_mapping` (``map_cur``), FOCUS from its canonical names
(``map_focus``). ``month_bounds`` sets the billing period to the month's bounds at 00:00 UTC,
as the local readers store them, and counts the rows they would refuse.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl
from sqlglot import exp

from forecaster import columns as C
from forecaster.billing import aws_mapping as M
from forecaster.billing import focus as F
from forecaster.billing.aws_cur import _legacy_tag_key
from forecaster.billing.periods import CHARGE_AFTER_DAYS, CHARGE_BEFORE_DAYS
from forecaster.billing.source import require_columns
from forecaster.engines.rollup import RollupSpec
from forecaster.engines.sql_columns import (
    Columns,
    SourceColumn,
    case_map,
    literal,
    real_nulls,
    typed_null,
)
from forecaster.errors import InputError


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
        return exp.func("ELEMENT_AT", cols.raw(column), literal(key), dialect="trino")
    if kind == "struct":
        return exp.Dot(this=cols.raw(column), expression=exp.to_identifier(key, quoted=True))
    path = exp.JSONPath(expressions=[exp.JSONPathRoot(), exp.JSONPathKey(this=key)])
    return exp.JSONExtractScalar(this=real_nulls(cols.raw(column)), expression=path)


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
        return real_nulls(
            exp.func("ELEMENT_AT", cols.raw("product"), literal(key), dialect="trino")
        )

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
        return line_type.copy().isin(*[literal(t) for t in types])

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
    exprs[C.PROVIDER_NAME] = literal("AWS")
    refund_category: exp.Expression = literal("Usage")
    if cols.has("line_item_tax_type"):
        refund_category = (
            exp.Case()
            .when(exp.Not(this=cols.text("line_item_tax_type").is_(exp.Null())), literal("Tax"))
            .else_(literal("Usage"))
        )
    exprs[C.CHARGE_CATEGORY] = (
        exp.Case()
        .when(is_type(*M.CORRECTION_LINE_ITEM_TYPES), refund_category)
        .else_(case_map(line_type.copy(), M.CHARGE_CATEGORY, "Usage"))
    )
    exprs[C.CHARGE_CLASS] = exp.Case().when(
        is_type(*M.CORRECTION_LINE_ITEM_TYPES), literal("Correction")
    )
    exprs[C.PRICING_CATEGORY] = (
        exp.Case()
        .when(is_type(*M.COMMITTED_LINE_ITEM_TYPES), literal("Committed"))
        .else_(case_map(cols.text("pricing_term"), M.PRICING_CATEGORY_BY_TERM, None))
    )
    exprs[C.SERVICE_CATEGORY] = case_map(
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
        tags.append(cols.text(legacy[0]) if legacy else typed_null("VARCHAR"))

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
        _tag_from(cols, tags_column, key) if tags_column else typed_null("VARCHAR")
        for key in spec.tags
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
    hours = exp.Interval(this=literal("14"), unit=exp.var("HOUR"))
    month = exp.func(
        "DATE_TRUNC",
        literal("MONTH"),
        exp.Add(this=start.copy(), expression=hours),
        dialect="trino",
    )
    mapped.exprs[C.BILLING_PERIOD_START] = month
    if C.BILLING_PERIOD_END in mapped.exprs:
        end = mapped.exprs[C.BILLING_PERIOD_END]
        mapped.exprs[C.BILLING_PERIOD_END] = exp.Case().when(
            exp.Not(this=end.is_(exp.Null())),
            exp.Add(
                this=month.copy(), expression=exp.Interval(this=literal("1"), unit=exp.var("MONTH"))
            ),
        )
    late = exp.GT(
        this=start.copy(),
        expression=exp.Add(
            this=month.copy(), expression=exp.Interval(this=literal("12"), unit=exp.var("HOUR"))
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
                this=month.copy(), expression=exp.Interval(this=literal("1"), unit=exp.var("MONTH"))
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
    return exp.Interval(this=literal(str(n)), unit=exp.var("DAY"))


def _flag(condition: exp.Expression) -> exp.Expression:
    """1 where ``condition`` holds, else 0 (null conditions count as 0)."""
    return exp.Case().when(condition, exp.Literal.number(1)).else_(exp.Literal.number(0))
