"""Generates a synthetic FOCUS 1.0 cost-and-usage CSV shaped like a real AWS FOCUS export.

The 44 columns of ../shared/data/billing/focus-1.0-sample.csv, one month of hourly line
items: timestamps as text ("2026-09-01 00:00:00", no zone), money as text with 11
decimals, "NULL" for empty cells, ~200 SKUs, ~70 sub accounts, ~100k resources, JSON tags.
Written 1M rows at a time, so memory stays flat whatever N is.
"""

from __future__ import annotations

import argparse
from datetime import datetime
from pathlib import Path

import numpy as np
import polars as pl

SERVICES = np.array(
    ["Amazon Elastic Compute Cloud", "Amazon Simple Storage Service", "Amazon Relational Database Service",
     "AWS Lambda", "Amazon DynamoDB", "Amazon CloudFront", "Amazon Virtual Private Cloud",
     "AmazonCloudWatch", "Amazon Simple Queue Service", "Elastic Load Balancing"]
)  # fmt: skip
CATEGORIES = np.array(
    ["Compute", "Storage", "Databases", "Compute", "Databases", "Networking", "Networking",
     "Management and Governance", "Integration", "Networking"]
)  # fmt: skip
REGIONS = np.array(["us-east-1", "us-west-2", "eu-west-1", "eu-central-1", "ap-southeast-1"])
REGION_NAMES = np.array(
    ["US East (N. Virginia)", "US West (Oregon)", "EU (Ireland)", "EU (Frankfurt)",
     "Asia Pacific (Singapore)"]
)  # fmt: skip
CHARGE = np.array(
    ["Usage", "Usage", "Usage", "Usage", "Usage", "Usage", "Tax", "Credit", "Purchase"]
)
TEAMS = np.array(["search", "checkout", "platform", "data", "media", "ml", "web", "payments"])
UNITS = np.array(["Hrs", "GB-Mo", "Requests", "GB", "LCU-Hours"])

PERIOD_START = "2026-09-01 00:00:00"
PERIOD_END = "2026-10-01 00:00:00"


def _money(values: np.ndarray) -> pl.Series:
    return pl.Series(np.char.mod("%.11f", values))


def _batch(rng: np.random.Generator, n: int, start: int) -> pl.DataFrame:
    hour = rng.integers(0, 720, n)
    base = np.datetime64("2026-09-01T00:00:00", "s")
    charge_start = (base + hour.astype("timedelta64[h]")).astype(str)
    charge_end = (base + (hour + 1).astype("timedelta64[h]")).astype(str)
    service = rng.integers(0, len(SERVICES), n)
    resource = rng.integers(0, 100_000, n)
    account = rng.integers(0, 70, n)
    sku = rng.integers(0, 200, n)
    category = CHARGE[rng.integers(0, len(CHARGE), n)]
    billed = np.round(rng.gamma(0.6, 0.8, n), 10)
    billed = np.where(category == "Credit", -billed, billed)
    committed = rng.random(n) < 0.1
    effective = np.where(committed, np.round(billed * 0.7, 10), billed)
    listed = np.round(np.abs(billed) * 1.1, 10)
    quantity = np.round(rng.gamma(1.0, 2.0, n), 6)
    region = resource % len(REGIONS)
    null = pl.lit("NULL")
    team = TEAMS[resource % len(TEAMS)]
    env = np.where(resource % 3 == 0, "staging", "prod")
    tags = np.char.add(
        np.char.add(np.char.add('{"team": "', team), np.char.add('", "environment": "', env)), '"}'
    )
    frame = pl.DataFrame(
        {
            "BilledCost": _money(billed),
            "BillingAccountId": pl.Series(np.full(n, "1234567890123")),
            "BillingCurrency": pl.Series(np.full(n, "USD")),
            "ChargePeriodEnd": pl.Series(np.char.replace(charge_end, "T", " ")),
            "ChargePeriodStart": pl.Series(np.char.replace(charge_start, "T", " ")),
            "ChargeCategory": pl.Series(category),
            "ChargeDescription": pl.Series(np.char.add("Usage of SKU ", sku.astype(str))),
            "ConsumedQuantity": pl.Series(np.char.mod("%.15f", quantity)),
            "ConsumedUnit": pl.Series(UNITS[sku % len(UNITS)]),
            "ContractedCost": _money(billed),
            "EffectiveCost": _money(effective),
            "ListCost": _money(listed),
            "ListUnitPrice": pl.Series(np.char.mod("%.7f", listed / np.maximum(quantity, 1e-6))),
            "PricingQuantity": pl.Series(np.char.mod("%.11f", quantity)),
            "PricingUnit": pl.Series(UNITS[sku % len(UNITS)]),
            "RegionId": pl.Series(REGIONS[region]),
            "RegionName": pl.Series(REGION_NAMES[region]),
            "ResourceId": pl.Series(np.char.add("arn:aws:res/", resource.astype(str))),
            "ServiceCategory": pl.Series(CATEGORIES[service]),
            "Id": pl.Series((start + np.arange(n)).astype(str)),
            "ServiceName": pl.Series(SERVICES[service]),
            "SkuId": pl.Series(np.char.add("SKU", sku.astype(str))),
            "SubAccountId": pl.Series(np.char.add("5173892", np.char.zfill(account.astype(str), 4))),
            "SubAccountName": pl.Series(np.char.add("Account ", account.astype(str))),
            "Tags": pl.Series(tags),
            "CommitmentDiscountId": pl.Series(np.where(committed, "arn:aws:savingsplans::1:sp/1", "NULL")),
        }
    )  # fmt: skip
    return frame.select(
        null.alias("AvailabilityZone"),
        "BilledCost",
        "BillingAccountId",
        pl.lit("SunBird").alias("BillingAccountName"),
        "BillingCurrency",
        pl.lit(PERIOD_END).alias("BillingPeriodEnd"),
        pl.lit(PERIOD_START).alias("BillingPeriodStart"),
        "ChargeCategory",
        null.alias("ChargeClass"),
        "ChargeDescription",
        pl.lit("Usage-Based").alias("ChargeFrequency"),
        "ChargePeriodEnd",
        "ChargePeriodStart",
        null.alias("CommitmentDiscountCategory"),
        "CommitmentDiscountId",
        null.alias("CommitmentDiscountName"),
        null.alias("CommitmentDiscountStatus"),
        null.alias("CommitmentDiscountType"),
        "ConsumedQuantity",
        "ConsumedUnit",
        "ContractedCost",
        pl.col("ListUnitPrice").alias("ContractedUnitPrice"),
        "EffectiveCost",
        pl.lit("Amazon Web Services, Inc.").alias("InvoiceIssuerName"),
        "ListCost",
        "ListUnitPrice",
        pl.lit("Standard").alias("PricingCategory"),
        "PricingQuantity",
        "PricingUnit",
        pl.lit("AWS").alias("ProviderName"),
        pl.lit("Amazon Web Services, Inc.").alias("PublisherName"),
        "RegionId",
        "RegionName",
        "ResourceId",
        null.alias("ResourceName"),
        null.alias("ResourceType"),
        "ServiceCategory",
        "Id",
        "ServiceName",
        "SkuId",
        pl.concat_str(pl.col("SkuId"), pl.lit(".JRTCKXETXF")).alias("SkuPriceId"),
        "SubAccountId",
        "SubAccountName",
        "Tags",
    )


def generate(path: Path, rows: int, seed: int = 11, batch: int = 1_000_000) -> Path:
    rng = np.random.default_rng(seed)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as fh:
        for start in range(0, rows, batch):
            frame = _batch(rng, min(batch, rows - start), start)
            frame.write_csv(fh, include_header=start == 0)
    return path


def generator_main(generate, rows: int, out: str, description: str | None) -> None:
    """A data generator's command line: ``--rows N --out PATH``, then what it wrote and how
    long it took (shared by focus_data.py and cur_data.py)."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--rows", type=int, default=rows)
    parser.add_argument("--out", default=out)
    args = parser.parse_args()
    t0 = datetime.now()
    generate(Path(args.out), args.rows)
    seconds = (datetime.now() - t0).total_seconds()
    print(f"wrote {args.rows:,} rows to {args.out} in {seconds:.1f} s")


if __name__ == "__main__":
    generator_main(generate, 5_000_000, "benchmarks/out/focus-bench.csv", __doc__)
