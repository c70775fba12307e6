"""AWS CUR 2.0 (Data Exports) Parquet, legacy CUR CSV and legacy CUR Parquet onto FOCUS.

The mapping itself is data in :mod:`forecaster.billing.aws_mapping`; this module only turns
those tables into polars expressions. EffectiveCost is the amortized cost per line item type
(Savings Plans and Reserved Instances spread over the usage they cover).
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from forecaster import columns as C
from forecaster.billing import aws_mapping as M
from forecaster.billing.parse import (
    DictionaryLookup,
    canonical_column,
    exact_money,
    is_map,
    map_value,
    null_if_blank,
    parse_money,
    tags_from_columns,
    tags_from_map,
)
from forecaster.billing.source import SourceFrame, require_columns

CUR2_MARKERS = ("resource_tags", "product", "cost_category", "discount")
TAGS_HELPER = "_tags_json"


PRODUCT_HELPER = "_product_{}"


PARQUET_CHUNK_ROWS = 1_000_000
TAGS_LOOKUP = DictionaryLookup("resource_tags", {TAGS_HELPER: tags_from_map})
PRODUCT_LOOKUP = DictionaryLookup(
    "product",
    {
        PRODUCT_HELPER.format(key): (lambda expr, key=key: map_value(expr, key))
        for key in M.PRODUCT_MAP_KEYS.values()
    },
)


def is_legacy_csv_header(schema: dict[str, pl.DataType]) -> bool:
    return "lineItem/UnblendedCost" in schema


def is_cur_snake(schema: dict[str, pl.DataType]) -> bool:
    return "line_item_unblended_cost" in schema and "line_item_line_item_type" in schema


def is_cur2(schema: dict[str, pl.DataType]) -> bool:
    return is_cur_snake(schema) and any(
        m in schema and (is_map(schema[m]) or isinstance(schema[m], pl.Struct))
        for m in CUR2_MARKERS
    )


def _legacy_tag_key(column: str) -> str:
    if "/" in column:  # CSV header "resourceTags/user:team" keeps the key as written
        return column.split("/", 1)[1]
    rest = column.removeprefix("resource_tags_")
    for prefix in ("user_", "aws_"):
        if rest.startswith(prefix):
            return prefix[:-1] + ":" + rest[len(prefix) :]
    return rest


def _col(schema: dict[str, pl.DataType], name: str) -> pl.Expr:
    return pl.col(name) if name in schema else pl.lit(None, dtype=pl.String)


def _money(schema: dict[str, pl.DataType], name: str) -> pl.Expr:
    if name not in schema:
        return pl.lit(0.0)
    return parse_money(pl.col(name), schema[name]).fill_null(0.0)


def effective_cost(schema: dict[str, pl.DataType]) -> pl.Expr:
    """Amortized cost per line item, from the rule table in aws_mapping."""
    line_type = null_if_blank(pl.col("line_item_line_item_type"))
    unblended = _money(schema, "line_item_unblended_cost")
    expr = pl.when(pl.lit(False)).then(pl.lit(0.0))
    fee_type, arn_col = M.UPFRONT_RESERVATION_FEE
    if arn_col in schema:
        expr = expr.when(
            (line_type == fee_type) & null_if_blank(pl.col(arn_col)).is_not_null()
        ).then(pl.lit(0.0))
    for item_type, terms in M.EFFECTIVE_COST_TERMS.items():
        value = pl.lit(0.0)
        for sign, name in terms:
            value = value + sign * _money(schema, name)
        expr = expr.when(line_type == item_type).then(value)
    return expr.otherwise(unblended)


def _charge_category(schema: dict[str, pl.DataType]) -> pl.Expr:
    line_type = null_if_blank(pl.col("line_item_line_item_type"))
    category = line_type.replace_strict(M.CHARGE_CATEGORY, default="Usage", return_dtype=pl.String)
    refund = line_type.is_in(list(M.CORRECTION_LINE_ITEM_TYPES))
    refund_category = pl.lit("Usage")
    if "line_item_tax_type" in schema:
        refund_category = (
            pl.when(null_if_blank(pl.col("line_item_tax_type")).is_not_null())
            .then(pl.lit("Tax"))
            .otherwise(refund_category)
        )
    return pl.when(refund).then(refund_category).otherwise(category)


def _pricing_category(schema: dict[str, pl.DataType]) -> pl.Expr:
    line_type = null_if_blank(pl.col("line_item_line_item_type"))
    term = null_if_blank(_col(schema, "pricing_term"))
    by_term = term.replace_strict(M.PRICING_CATEGORY_BY_TERM, default=None, return_dtype=pl.String)
    return (
        pl.when(line_type.is_in(list(M.COMMITTED_LINE_ITEM_TYPES)))
        .then(pl.lit("Committed"))
        .otherwise(by_term)
    )


def _tags(schema: dict[str, pl.DataType]) -> pl.Expr:
    if "resource_tags" in schema and is_map(schema["resource_tags"]):
        return pl.col(TAGS_HELPER)  # added by TAGS_LOOKUP
    if "resource_tags" in schema and isinstance(schema["resource_tags"], pl.Struct):
        return pl.col("resource_tags").struct.json_encode()
    tag_columns = {
        _legacy_tag_key(c): c
        for c in schema
        if c.startswith("resourceTags/") or c.startswith("resource_tags_")
    }
    return tags_from_columns(tag_columns)


def read_cur(path: Path, raw: pl.LazyFrame, schema: dict[str, pl.DataType]) -> SourceFrame:
    """A CUR file of any flavour as a SourceFrame (format 'cur2' or 'cur-legacy')."""
    fmt = "cur2" if is_cur2(schema) else "cur-legacy"
    original: dict[str, str] = {c: c for c in schema}
    if is_legacy_csv_header(schema):
        renames = {c: M.snake_case(c) for c in schema if not c.startswith("resourceTags/")}
        raw = raw.rename(renames)
        schema = {renames.get(c, c): t for c, t in schema.items()}
        original = {v: k for k, v in renames.items()}
    missing = [original.get(c, c) for c in M.REQUIRED if c not in schema]
    require_columns(missing, f"{path}: not a complete AWS CUR file")

    columns: dict[str, pl.Expr] = {}
    parsed_from: dict[str, tuple[pl.Expr, pl.Expr]] = {}
    source_columns: dict[str, str] = {}
    for name, candidates in M.COLUMN_CANDIDATES.items():
        found = next((c for c in candidates if c in schema), None)
        if found is None:
            if name in M.PRODUCT_MAP_KEYS and "product" in schema and is_map(schema["product"]):
                columns[name] = pl.col(PRODUCT_HELPER.format(M.PRODUCT_MAP_KEYS[name]))
            continue
        source_columns[name] = original.get(found, found)
        src = pl.col(found)
        columns[name], checked = canonical_column(name, src, schema[found])
        if checked:
            parsed_from[name] = (src, columns[name])
    # A better service name from the product map, when CUR 2.0 has no top-level name column.
    if (
        source_columns.get(C.SERVICE_NAME) in ("line_item_product_code", "lineItem/ProductCode")
        and "product" in schema
        and is_map(schema["product"])
    ):
        columns[C.SERVICE_NAME] = pl.coalesce(
            pl.col(PRODUCT_HELPER.format(M.PRODUCT_MAP_KEYS[C.SERVICE_NAME])),
            columns[C.SERVICE_NAME],
        )

    line_type = null_if_blank(pl.col("line_item_line_item_type"))
    usage_like = line_type.is_in(list(M.USAGE_LIKE_LINE_ITEM_TYPES))
    columns[C.EFFECTIVE_COST] = effective_cost(schema)
    columns[C.PROVIDER_NAME] = pl.lit("AWS")
    columns[C.CHARGE_CATEGORY] = _charge_category(schema)
    columns[C.CHARGE_CLASS] = pl.when(line_type.is_in(list(M.CORRECTION_LINE_ITEM_TYPES))).then(
        pl.lit("Correction")
    )
    columns[C.PRICING_CATEGORY] = _pricing_category(schema)
    columns[C.SERVICE_CATEGORY] = null_if_blank(
        _col(schema, "line_item_product_code")
    ).replace_strict(M.SERVICE_CATEGORY, default="Other", return_dtype=pl.String)
    columns[C.COMMITMENT_DISCOUNT_ID] = pl.coalesce(
        null_if_blank(_col(schema, "savings_plan_savings_plan_a_r_n")),
        null_if_blank(_col(schema, "reservation_reservation_a_r_n")),
    )
    if C.CONSUMED_QUANTITY in columns:
        columns[C.CONSUMED_QUANTITY] = pl.when(usage_like).then(columns[C.CONSUMED_QUANTITY])
    if C.LIST_COST in columns:
        columns[C.LIST_COST] = columns[C.LIST_COST].fill_null(0.0)
    columns[C.TAGS] = _tags(schema)

    checks = {
        C.BILLED_COST: exact_money(
            pl.col("line_item_unblended_cost"), schema["line_item_unblended_cost"]
        ),
    }
    if "pricing_public_on_demand_cost" in schema:
        checks[C.LIST_COST] = exact_money(
            pl.col("pricing_public_on_demand_cost"), schema["pricing_public_on_demand_cost"]
        )
    lookups = []
    if "resource_tags" in schema and is_map(schema["resource_tags"]):
        lookups.append(TAGS_LOOKUP)
    if "product" in schema and is_map(schema["product"]):
        lookups.append(PRODUCT_LOOKUP)
    return SourceFrame(
        path=path,
        format=fmt,
        lookups=lookups,
        chunk_rows=PARQUET_CHUNK_ROWS if path.suffix == ".parquet" else None,
        raw=raw,
        columns=columns,
        checks=checks,
        parsed_from=parsed_from,
        source_columns=source_columns,
    )
