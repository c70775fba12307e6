"""Builds small AWS CUR files (2.0 Parquet with maps, legacy Parquet) for tests."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

# (line item type, unblended, extra columns, expected EffectiveCost, expected category)
# Expected values are computed by hand from AWS's amortization rules.
AMORTIZATION_CASES = [
    ("Usage", 10.00, {"pricing_public_on_demand_cost": 10.00}, 10.00, "Usage"),
    ("SavingsPlanCoveredUsage", 5.00, {"savings_plan_savings_plan_effective_cost": 3.20,
      "savings_plan_savings_plan_a_r_n": "arn:aws:savingsplans::1:savingsplan/sp-1",
      "pricing_public_on_demand_cost": 5.00}, 3.20, "Usage"),
    ("SavingsPlanNegation", -5.00, {}, 0.00, "Usage"),
    ("SavingsPlanRecurringFee", 4.00, {"savings_plan_total_commitment_to_date": 4.00,
      "savings_plan_used_commitment": 3.20}, 0.80, "Purchase"),
    ("SavingsPlanUpfrontFee", 100.00, {}, 0.00, "Purchase"),
    ("DiscountedUsage", 0.00, {"reservation_effective_cost": 2.50,
      "reservation_reservation_a_r_n": "arn:aws:ec2:us-east-1:1:reserved-instances/ri-1",
      "pricing_public_on_demand_cost": 3.00}, 2.50, "Usage"),
    ("RIFee", 30.00, {"reservation_unused_amortized_upfront_fee_for_billing_period": 1.10,
      "reservation_unused_recurring_fee": 0.40,
      "reservation_reservation_a_r_n": "arn:aws:ec2:us-east-1:1:reserved-instances/ri-1"}, 1.50, "Purchase"),
    ("Fee", 200.00, {"reservation_reservation_a_r_n": "arn:aws:ec2:us-east-1:1:reserved-instances/ri-1"}, 0.00, "Purchase"),
    ("Fee", 12.00, {}, 12.00, "Purchase"),
    ("Credit", -7.00, {}, -7.00, "Credit"),
    ("Refund", -2.00, {}, -2.00, "Usage"),
    ("Tax", 1.50, {"line_item_tax_type": "VAT"}, 1.50, "Tax"),
    ("Refund", -0.30, {"line_item_tax_type": "VAT"}, -0.30, "Tax"),
    ("EdpDiscount", -1.00, {}, -1.00, "Credit"),
]  # fmt: skip

EXPECTED_EFFECTIVE_TOTAL = 21.20
EXPECTED_BILLED_TOTAL = 347.20

_MONEY = [
    "line_item_unblended_cost",
    "pricing_public_on_demand_cost",
    "savings_plan_savings_plan_effective_cost",
    "savings_plan_total_commitment_to_date",
    "savings_plan_used_commitment",
    "reservation_effective_cost",
    "reservation_unused_amortized_upfront_fee_for_billing_period",
    "reservation_unused_recurring_fee",
]
_TEXT = ["savings_plan_savings_plan_a_r_n", "reservation_reservation_a_r_n", "line_item_tax_type"]


def cur_rows(cases=AMORTIZATION_CASES, period: str = "2026-09", account: str = "012345678901"):
    rows = []
    for i, (line_type, unblended, extra, _, _) in enumerate(cases):
        row = {
            "identity_line_item_id": f"li-{i}",
            "bill_billing_period_start_date": f"{period}-01T00:00:00Z",
            "bill_billing_period_end_date": _next_month(period) + "-01T00:00:00Z",
            "bill_payer_account_id": "999999999999",
            "line_item_usage_account_id": account,
            "line_item_line_item_type": line_type,
            "line_item_usage_start_date": f"{period}-03T00:00:00Z",
            "line_item_usage_end_date": f"{period}-03T01:00:00Z",
            "line_item_product_code": "AmazonEC2",
            "line_item_usage_type": "BoxUsage:m6i.large",
            "line_item_resource_id": f"i-{i:04d}",
            "line_item_usage_amount": 1.0,
            "line_item_currency_code": "USD",
            "line_item_unblended_cost": unblended,
            "pricing_unit": "Hrs",
            "pricing_term": "OnDemand",
            "product_region_code": "us-east-1",
        }
        for col in _MONEY[1:]:
            row[col] = extra.get(col, 0.0)
        for col in _TEXT:
            row[col] = extra.get(col, "")
        rows.append(row)
    return rows


def _next_month(period: str) -> str:
    year, month = map(int, period.split("-"))
    return f"{year + (month == 12):04d}-{month % 12 + 1:02d}"


def write_cur2(path: Path, rows: list[dict], tags: dict[str, str] | None = None) -> Path:
    """A CUR 2.0 (Data Exports) Parquet file: snake_case columns, resource_tags/product maps."""
    tags = tags if tags is not None else {"user:team": "search", "aws:createdBy": 'a "quoted" id'}
    table = pa.Table.from_pylist(rows)
    map_type = pa.map_(pa.string(), pa.string())
    table = table.append_column(
        "resource_tags", pa.array([list(tags.items())] * len(rows), type=map_type)
    )
    product = [("product_name", "Amazon Elastic Compute Cloud"), ("region_code", "us-east-1")]
    table = table.append_column("product", pa.array([product] * len(rows), type=map_type))
    path.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(table, path)
    return path


def write_legacy_parquet(path: Path, rows: list[dict]) -> Path:
    """A legacy CUR Parquet file: flattened product and resource tag columns, no maps."""
    flat = [
        {
            **r,
            "product_product_name": "Amazon Elastic Compute Cloud",
            "resource_tags_user_team": "search",
        }
        for r in rows
    ]
    path.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(pa.Table.from_pylist(flat), path)
    return path
