"""The ingest implementations the benchmark compares, per source format.

CUR 2.0 Parquet: read, map to the canonical FOCUS columns (amortized EffectiveCost, FOCUS
ChargeCategory, ServiceCategory, tags as JSON text), write zstd Parquet, and sum the source
and the written cost columns per billing period and currency to reconcile them. DuckDB's
``COPY`` of the mapping is timed on its own too (``copy_seconds``): the CUR target compares
against that plain COPY.

FOCUS CSV: read every column as text, parse the four timestamps, map (money to numbers,
"NULL" to null), write zstd Parquet, and reconcile the source's exact money sums per billing
period and currency with the written ones.

``ours`` is the product's real ``ingest_billing`` for both (hashing, validation, store,
manifest and catalog commit included).
"""

from __future__ import annotations

import json
from pathlib import Path

from forecaster.billing import aws_mapping as M


def run_ours(src: Path, out: Path) -> dict:
    from forecaster.ingest import ingest_billing

    report = ingest_billing([src], out / "store")
    (period,) = report.periods
    return {"rows": period.rows, "billed": period.billed_cost, "effective": period.effective_cost}


FOCUS_TIMESTAMPS = (
    "BillingPeriodStart",
    "BillingPeriodEnd",
    "ChargePeriodStart",
    "ChargePeriodEnd",
)
FOCUS_MONEY = ("BilledCost", "EffectiveCost", "ListCost", "ContractedCost")
FOCUS_TEXT = (
    "BillingCurrency", "ProviderName", "BillingAccountId", "SubAccountId", "SubAccountName",
    "ServiceName", "ServiceCategory", "ChargeCategory", "ChargeClass", "ChargeDescription",
    "ResourceId", "RegionId", "SkuId", "ConsumedUnit", "PricingCategory",
    "CommitmentDiscountId", "Tags",
)  # fmt: skip


def run_duckdb_focus(src: Path, out: Path) -> dict:
    """FOCUS CSV in DuckDB: COPY of the mapping, then source and written totals."""
    import time

    import duckdb

    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    target = out / "duckdb.parquet"
    scan = f"read_csv('{src}', header = true, all_varchar = true)"
    select = ", ".join(
        [f"strptime(NULLIF({c}, 'NULL'), '%Y-%m-%d %H:%M:%S')::TIMESTAMPTZ AS {c}" for c in FOCUS_TIMESTAMPS]
        + [f"TRY_CAST(NULLIF({c}, 'NULL') AS DOUBLE) AS {c}" for c in FOCUS_MONEY]
        + ["TRY_CAST(NULLIF(ConsumedQuantity, 'NULL') AS DOUBLE) AS ConsumedQuantity"]
        + [f"NULLIF({c}, 'NULL') AS {c}" for c in FOCUS_TEXT]
        + [f"'duckdb' AS x_Source, 'focus' AS x_SourceFormat, '{src.name}' AS x_SourceFile"]
    )  # fmt: skip
    start = time.perf_counter()
    con.execute(
        f"COPY (SELECT {select} FROM {scan}) TO '{target}' (FORMAT parquet, COMPRESSION zstd)"
    )
    copy_seconds = time.perf_counter() - start
    exact = ", ".join(f"sum(TRY_CAST(NULLIF({c}, 'NULL') AS DECIMAL(38, 12)))" for c in FOCUS_MONEY)
    source = con.sql(
        f"SELECT BillingPeriodStart, BillingCurrency, count(*), {exact} FROM {scan} GROUP BY ALL"
    ).fetchall()
    written = ", ".join(f"sum({c})" for c in FOCUS_MONEY)
    stored = con.sql(
        f"SELECT BillingPeriodStart, BillingCurrency, count(*), {written} "
        f"FROM read_parquet('{target}') GROUP BY ALL"
    ).fetchall()
    assert len(source) == len(stored) == 1 and source[0][2] == stored[0][2]
    assert all(abs(float(a) - b) < 0.005 for a, b in zip(source[0][3:], stored[0][3:], strict=True))
    return {
        "rows": stored[0][2],
        "billed": stored[0][3],
        "effective": stored[0][4],
        "copy_seconds": copy_seconds,
    }


def _sql_case(column: str, mapping: dict[str, str], default: str) -> str:
    whens = " ".join(f"WHEN '{k}' THEN '{v}'" for k, v in mapping.items())
    return f"CASE {column} {whens} ELSE '{default}' END"


def _effective_sql() -> str:
    parts = []
    fee, arn = M.UPFRONT_RESERVATION_FEE
    parts.append(f"WHEN line_item_line_item_type = '{fee}' AND coalesce({arn}, '') <> '' THEN 0")
    for item_type, terms in M.EFFECTIVE_COST_TERMS.items():
        expr = " + ".join(f"({sign}) * coalesce({col}, 0)" for sign, col in terms) or "0"
        parts.append(f"WHEN line_item_line_item_type = '{item_type}' THEN {expr}")
    return "CASE " + " ".join(parts) + " ELSE line_item_unblended_cost END"


def run_duckdb(src: Path, out: Path) -> dict:
    import time

    import duckdb

    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    target = out / "duckdb.parquet"
    blank = "NULLIF({}, '')"
    usage_like = (
        "line_item_line_item_type IN ('Usage', 'DiscountedUsage', 'SavingsPlanCoveredUsage')"
    )
    category = _sql_case("line_item_line_item_type", M.CHARGE_CATEGORY, "Usage")
    query = f"""
    SELECT
      bill_billing_period_start_date::TIMESTAMPTZ AS BillingPeriodStart,
      bill_billing_period_end_date::TIMESTAMPTZ AS BillingPeriodEnd,
      line_item_usage_start_date::TIMESTAMPTZ AS ChargePeriodStart,
      line_item_usage_end_date::TIMESTAMPTZ AS ChargePeriodEnd,
      line_item_unblended_cost AS BilledCost,
      {_effective_sql()} AS EffectiveCost,
      coalesce(pricing_public_on_demand_cost, 0) AS ListCost,
      line_item_net_unblended_cost AS ContractedCost,
      {blank.format("line_item_currency_code")} AS BillingCurrency,
      'AWS' AS ProviderName,
      {blank.format("bill_payer_account_id")} AS BillingAccountId,
      {blank.format("line_item_usage_account_id")} AS SubAccountId,
      NULL::VARCHAR AS SubAccountName,
      coalesce(NULLIF(product['product_name'], ''), {blank.format("line_item_product_code")}) AS ServiceName,
      {_sql_case("line_item_product_code", M.SERVICE_CATEGORY, "Other")} AS ServiceCategory,
      CASE WHEN line_item_line_item_type = 'Refund'
           THEN CASE WHEN coalesce(line_item_tax_type, '') <> '' THEN 'Tax' ELSE 'Usage' END
           ELSE {category} END AS ChargeCategory,
      CASE WHEN line_item_line_item_type = 'Refund' THEN 'Correction' END AS ChargeClass,
      NULL::VARCHAR AS ChargeDescription,
      {blank.format("line_item_resource_id")} AS ResourceId,
      {blank.format("product_region_code")} AS RegionId,
      {blank.format("product_sku")} AS SkuId,
      CASE WHEN {usage_like} THEN line_item_usage_amount END AS ConsumedQuantity,
      {blank.format("pricing_unit")} AS ConsumedUnit,
      CASE WHEN line_item_line_item_type IN ('DiscountedUsage', 'SavingsPlanCoveredUsage') THEN 'Committed'
           ELSE {_sql_case("pricing_term", M.PRICING_CATEGORY_BY_TERM, "")} END AS PricingCategory,
      coalesce(NULLIF(savings_plan_savings_plan_a_r_n, ''), NULLIF(reservation_reservation_a_r_n, '')) AS CommitmentDiscountId,
      CASE WHEN cardinality(resource_tags) = 0 THEN NULL ELSE to_json(resource_tags)::VARCHAR END AS Tags,
      'duckdb' AS x_Source, 'cur2' AS x_SourceFormat, '{src.name}' AS x_SourceFile,
      {blank.format("line_item_usage_type")} AS x_UsageType,
      line_item_line_item_type AS x_LineItemType
    FROM read_parquet('{src}')
    """
    start = time.perf_counter()
    con.execute(f"COPY ({query}) TO '{target}' (FORMAT parquet, COMPRESSION zstd)")
    copy_seconds = time.perf_counter() - start
    source = con.execute(
        f"SELECT strftime(bill_billing_period_start_date, '%Y-%m'), line_item_currency_code, count(*), "
        f"sum(line_item_unblended_cost), sum(pricing_public_on_demand_cost) FROM read_parquet('{src}') GROUP BY ALL"
    ).fetchall()
    stored = con.execute(
        f"SELECT strftime(BillingPeriodStart, '%Y-%m'), BillingCurrency, count(*), sum(BilledCost), "
        f"sum(ListCost), sum(EffectiveCost) FROM read_parquet('{target}') GROUP BY ALL"
    ).fetchall()
    assert source[0][2] == stored[0][2] and abs(source[0][3] - stored[0][3]) < 0.005
    return {
        "rows": stored[0][2],
        "billed": stored[0][3],
        "effective": stored[0][5],
        "copy_seconds": copy_seconds,
    }


def run_pandas(src: Path, out: Path) -> dict:
    import numpy as np
    import pandas as pd
    import pyarrow.parquet as pq

    table = pq.read_table(src)
    tags = table.column("resource_tags").combine_chunks()
    product = table.column("product").combine_chunks()
    df = table.drop(["resource_tags", "product"]).to_pandas(types_mapper=pd.ArrowDtype)
    line = df["line_item_line_item_type"].astype(object)
    unblended = df["line_item_unblended_cost"].astype(float)
    effective = unblended.copy()
    fee, arn = M.UPFRONT_RESERVATION_FEE
    for item_type, terms in M.EFFECTIVE_COST_TERMS.items():
        value = sum((sign * df[col].astype(float).fillna(0.0) for sign, col in terms), 0.0)
        effective = effective.where(line != item_type, value)
    effective = effective.where(~((line == fee) & (df[arn].fillna("") != "")), 0.0)
    # pandas has no MAP type: tags and product arrive as Python lists of (key, value) pairs
    tag_json = [json.dumps(dict(t), separators=(",", ":")) if t else None for t in tags.to_pylist()]
    product_name = pd.Series([dict(p or []).get("product_name") for p in product.to_pylist()])
    frame = pd.DataFrame(
        {
            "BillingPeriodStart": pd.to_datetime(
                df["bill_billing_period_start_date"].astype("datetime64[ms]")
            ).dt.tz_localize("UTC"),
            "ChargePeriodStart": pd.to_datetime(
                df["line_item_usage_start_date"].astype("datetime64[ms]")
            ).dt.tz_localize("UTC"),
            "ChargePeriodEnd": pd.to_datetime(
                df["line_item_usage_end_date"].astype("datetime64[ms]")
            ).dt.tz_localize("UTC"),
            "BilledCost": unblended,
            "EffectiveCost": effective,
            "ListCost": df["pricing_public_on_demand_cost"].astype(float).fillna(0.0),
            "BillingCurrency": df["line_item_currency_code"],
            "SubAccountId": df["line_item_usage_account_id"],
            "ServiceName": product_name.where(
                product_name.notna(), df["line_item_product_code"].astype(object)
            ),
            "ServiceCategory": df["line_item_product_code"]
            .astype(object)
            .map(M.SERVICE_CATEGORY)
            .fillna("Other"),
            "ChargeCategory": line.map(M.CHARGE_CATEGORY).fillna("Usage"),
            "ResourceId": df["line_item_resource_id"],
            "RegionId": df["product_region_code"],
            "Tags": tag_json,
            "x_UsageType": df["line_item_usage_type"],
            "x_LineItemType": line,
        }
    )
    frame.to_parquet(out / "pandas.parquet", compression="zstd")
    back = pd.read_parquet(out / "pandas.parquet", columns=["BilledCost", "EffectiveCost"])
    assert abs(back["BilledCost"].sum() - np.sum(unblended)) < 0.005
    return {
        "rows": len(back),
        "billed": float(back["BilledCost"].sum()),
        "effective": float(back["EffectiveCost"].sum()),
    }


#: Engines per source format.
ENGINES = {
    "cur2": {"ours": run_ours, "duckdb": run_duckdb, "pandas": run_pandas},
    "focus": {"ours": run_ours, "duckdb": run_duckdb_focus},
}
