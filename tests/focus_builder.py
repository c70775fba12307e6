"""Small FOCUS CSV files for tests."""

from __future__ import annotations

import csv
from pathlib import Path

HEADER = [
    "BillingAccountId", "BillingPeriodStart", "BillingPeriodEnd", "ChargePeriodStart",
    "ChargePeriodEnd", "BilledCost", "EffectiveCost", "ListCost", "ContractedCost",
    "BillingCurrency", "ProviderName", "SubAccountId", "ServiceName", "ServiceCategory",
    "ChargeCategory", "ChargeClass", "RegionId", "ResourceId", "Tags",
]  # fmt: skip


def month_bounds(period: str) -> tuple[str, str]:
    year, month = map(int, period.split("-"))
    end = f"{year + (month == 12):04d}-{month % 12 + 1:02d}"
    return f"{period}-01T00:00:00Z", f"{end}-01T00:00:00Z"


def focus_row(period="2025-03", day=1, cost=1.0, currency="USD", service="Amazon EC2", **extra):
    start, end = month_bounds(period)
    row = {
        "BillingAccountId": "0012345",
        "BillingPeriodStart": start,
        "BillingPeriodEnd": end,
        "ChargePeriodStart": f"{period}-{day:02d}T00:00:00Z",
        "ChargePeriodEnd": f"{period}-{day:02d}T01:00:00Z",
        "BilledCost": f"{cost}",
        "EffectiveCost": f"{cost}",
        "ListCost": f"{cost}",
        "ContractedCost": f"{cost}",
        "BillingCurrency": currency,
        "ProviderName": "AWS",
        "SubAccountId": "000111222333",
        "ServiceName": service,
        "ServiceCategory": "Compute",
        "ChargeCategory": "Usage",
        "ChargeClass": "NULL",
        "RegionId": "us-east-1",
        "ResourceId": "i-1",
        "Tags": '{"team":"search"}',
    }
    row.update(extra)
    return row


def write_focus(path: Path, rows: list[dict], header: list[str] | None = None) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    header = header or HEADER
    with open(path, "w", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=header, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
    return path
