"""Small FOCUS billing and traffic files for workload tests (written, then ingested)."""

from __future__ import annotations

import csv
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from forecaster.ingest import ingest_billing
from forecaster.load import ingest_traffic

COLUMNS = [
    "BillingPeriodStart",
    "BillingPeriodEnd",
    "ChargePeriodStart",
    "ChargePeriodEnd",
    "BilledCost",
    "EffectiveCost",
    "ListCost",
    "ContractedCost",
    "BillingCurrency",
    "ProviderName",
    "ServiceName",
    "ChargeCategory",
    "SubAccountId",
    "RegionId",
    "Tags",
]


def _iso(ts: datetime) -> str:
    return ts.strftime("%Y-%m-%dT%H:%M:%SZ")


def charge(
    day: str,
    cost: float,
    service: str = "EC2",
    account: str = "111",
    region: str = "us-east-1",
    provider: str = "AWS",
    currency: str = "USD",
    tags: dict[str, str] | None = None,
    days: int = 1,
) -> dict[str, Any]:
    """One FOCUS row charged over ``days`` days from ``day`` (EffectiveCost = ``cost``)."""
    start = datetime.fromisoformat(day).replace(tzinfo=UTC)
    end = start + timedelta(days=days)
    period = start.replace(day=1)
    period_end = (period + timedelta(days=32)).replace(day=1)
    return {
        "BillingPeriodStart": _iso(period),
        "BillingPeriodEnd": _iso(period_end),
        "ChargePeriodStart": _iso(start),
        "ChargePeriodEnd": _iso(end),
        "BilledCost": cost,
        "EffectiveCost": cost,
        "ListCost": cost * 2,
        "ContractedCost": cost * 1.5,
        "BillingCurrency": currency,
        "ProviderName": provider,
        "ServiceName": service,
        "ChargeCategory": "Usage",
        "SubAccountId": account,
        "RegionId": region,
        "Tags": json.dumps(tags) if tags else "",
    }


def write_billing(store: Path, rows: list[dict[str, Any]], name: str = "focus.csv") -> None:
    path = store.parent / f"{store.name}-{name}"
    with open(path, "w", newline="") as fh:
        writer = csv.DictWriter(fh, COLUMNS)
        writer.writeheader()
        writer.writerows(rows)
    ingest_billing([path], store)


def write_load(
    store: Path,
    metric: str,
    values: dict[str, float],
    unit: str = "requests",
    source: str = "file",
) -> None:
    """Samples at the given ISO timestamps, as a wide file."""
    path = store.parent / f"{store.name}-{metric}-{source}.csv"
    lines = ["timestamp,value"] + [f"{ts},{v}" for ts, v in sorted(values.items())]
    path.write_text("\n".join(lines) + "\n")
    ingest_traffic([path], store, metric=metric, unit=unit, source=source)
