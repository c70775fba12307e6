"""Generates a synthetic AWS CUR 2.0 (Data Exports) Parquet file with realistic cardinalities:
one month of hourly line items, ~200 usage types, ~50 accounts, ~100k resources, resource
tags and product as MAP columns, Savings Plan / RI / tax / credit line item types.

Written in row groups so memory stays flat whatever N is.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

MAP = pa.map_(pa.string(), pa.string())
LINE_TYPES = np.array(
    ["Usage", "SavingsPlanCoveredUsage", "SavingsPlanNegation", "DiscountedUsage", "Tax", "Credit",
     "RIFee", "SavingsPlanRecurringFee", "Fee", "Refund"]
)  # fmt: skip
LINE_TYPE_P = np.array([0.78, 0.08, 0.04, 0.05, 0.015, 0.01, 0.005, 0.005, 0.005, 0.01])
PRODUCTS = np.array(
    ["AmazonEC2", "AmazonS3", "AmazonRDS", "AWSLambda", "AmazonDynamoDB", "AmazonCloudFront",
     "AmazonVPC", "AmazonCloudWatch", "AmazonSQS", "AmazonElastiCache", "AmazonEKS", "AWSGlue"]
)  # fmt: skip
NAMES = np.array([f"Amazon Service {p[6:] or p}" for p in PRODUCTS])
REGIONS = np.array(["us-east-1", "us-west-2", "eu-west-1", "eu-central-1", "ap-southeast-1"])
TEAMS = np.array(["search", "checkout", "platform", "data", "media", "ml", "web", "payments"])


def _arr(values, type=None) -> pa.Array:
    out = pa.array(values, type=type)
    return out.combine_chunks() if isinstance(out, pa.ChunkedArray) else out


def _batch(rng: np.random.Generator, n: int, start: int) -> pa.Table:
    hour = rng.integers(0, 720, n)
    base = np.datetime64("2026-09-01T00:00:00", "ms")
    usage_start = base + hour.astype("timedelta64[h]")
    usage_end = usage_start + np.timedelta64(1, "h")
    line_type = LINE_TYPES[rng.choice(len(LINE_TYPES), n, p=LINE_TYPE_P)]
    product_idx = rng.integers(0, len(PRODUCTS), n)
    unblended = np.round(rng.gamma(0.6, 0.8, n), 10)
    unblended = np.where(
        np.isin(line_type, ["Credit", "Refund", "SavingsPlanNegation"]), -unblended, unblended
    )
    resource = rng.integers(0, 100_000, n)
    account = rng.integers(0, 50, n)
    usage_type = rng.integers(0, 200, n)
    team = TEAMS[resource % len(TEAMS)]
    env = np.where(resource % 3 == 0, "staging", "prod")
    # resource_tags: two tags per row -> offsets 0, 2, 4, ...
    tag_keys = np.tile(np.array(["user:team", "user:env"]), n)
    tag_values = np.empty(2 * n, dtype=object)
    tag_values[0::2], tag_values[1::2] = team, env
    offsets = pa.array(np.arange(0, 2 * n + 1, 2, dtype=np.int32))
    tags = pa.MapArray.from_arrays(offsets, _arr(tag_keys), _arr(tag_values.astype(str)))
    product_keys = np.tile(np.array(["product_name", "region_code"]), n)
    product_values = np.empty(2 * n, dtype=object)
    product_values[0::2], product_values[1::2] = (
        NAMES[product_idx],
        REGIONS[resource % len(REGIONS)],
    )
    product = pa.MapArray.from_arrays(offsets, _arr(product_keys), _arr(product_values.astype(str)))
    zeros = np.zeros(n)
    sp = line_type == "SavingsPlanCoveredUsage"
    ri = line_type == "DiscountedUsage"
    columns = {
        "identity_line_item_id": pa.array(np.char.add("li", (start + np.arange(n)).astype(str))),
        "bill_billing_period_start_date": pa.array(
            np.full(n, np.datetime64("2026-09-01", "ms")), pa.timestamp("ms")
        ),
        "bill_billing_period_end_date": pa.array(
            np.full(n, np.datetime64("2026-10-01", "ms")), pa.timestamp("ms")
        ),
        "bill_payer_account_id": pa.array(np.full(n, "999999999999")),
        "line_item_usage_account_id": pa.array(
            np.char.add("1000000000", np.char.zfill(account.astype(str), 2))
        ),
        "line_item_line_item_type": pa.array(line_type),
        "line_item_usage_start_date": pa.array(usage_start, pa.timestamp("ms")),
        "line_item_usage_end_date": pa.array(usage_end, pa.timestamp("ms")),
        "line_item_product_code": pa.array(PRODUCTS[product_idx]),
        "line_item_usage_type": pa.array(np.char.add("UsageType-", usage_type.astype(str))),
        "line_item_resource_id": pa.array(np.char.add("arn:aws:res/", resource.astype(str))),
        "line_item_usage_amount": pa.array(np.round(rng.gamma(1.0, 2.0, n), 6)),
        "line_item_currency_code": pa.array(np.full(n, "USD")),
        "line_item_unblended_cost": pa.array(unblended),
        "line_item_net_unblended_cost": pa.array(unblended),
        "pricing_public_on_demand_cost": pa.array(np.round(np.abs(unblended) * 1.1, 10)),
        "pricing_term": pa.array(np.where(ri, "Reserved", "OnDemand")),
        "pricing_unit": pa.array(np.full(n, "Hrs")),
        "product_region_code": pa.array(REGIONS[resource % len(REGIONS)]),
        "product_sku": pa.array(np.char.add("SKU", usage_type.astype(str))),
        "savings_plan_savings_plan_effective_cost": pa.array(np.where(sp, unblended * 0.7, zeros)),
        "savings_plan_total_commitment_to_date": pa.array(zeros),
        "savings_plan_used_commitment": pa.array(zeros),
        "savings_plan_savings_plan_a_r_n": pa.array(
            np.where(sp, "arn:aws:savingsplans::1:sp/1", "")
        ),
        "reservation_effective_cost": pa.array(np.where(ri, unblended * 0.6, zeros)),
        "reservation_unused_amortized_upfront_fee_for_billing_period": pa.array(zeros),
        "reservation_unused_recurring_fee": pa.array(zeros),
        "reservation_reservation_a_r_n": pa.array(np.where(ri, "arn:aws:ec2:ri/1", "")),
        "line_item_tax_type": pa.array(np.where(line_type == "Tax", "VAT", "")),
        "resource_tags": tags,
        "product": product,
    }
    return pa.table(columns)


def generate(path: Path, rows: int, seed: int = 7, batch: int = 1_000_000) -> Path:
    rng = np.random.default_rng(seed)
    path.parent.mkdir(parents=True, exist_ok=True)
    writer = None
    try:
        for start in range(0, rows, batch):
            table = _batch(rng, min(batch, rows - start), start)
            if writer is None:
                writer = pq.ParquetWriter(path, table.schema, compression="snappy")
            writer.write_table(table, row_group_size=256_000)
    finally:
        if writer is not None:
            writer.close()
    return path


if __name__ == "__main__":
    from focus_data import generator_main

    generator_main(generate, 10_000_000, "benchmarks/out/cur2-bench.parquet", __doc__)
