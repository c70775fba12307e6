"""FOCUS billing rows and files for tests: the one home of the test row builder.

``focus_row`` builds one row (a dict of FOCUS column -> value, written to CSV as text);
``write_focus`` writes rows as a FOCUS CSV. The review and workload helpers wrap them with
their own defaults (``tests.review_helpers.row``, ``tests.workloads_helpers.charge``).
"""

from __future__ import annotations

import csv
import json
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

HEADER = [
    "BillingAccountId", "BillingPeriodStart", "BillingPeriodEnd", "ChargePeriodStart",
    "ChargePeriodEnd", "BilledCost", "EffectiveCost", "ListCost", "ContractedCost",
    "BillingCurrency", "ProviderName", "SubAccountId", "ServiceName", "ServiceCategory",
    "ChargeCategory", "ChargeClass", "RegionId", "ResourceId", "Tags",
]  # fmt: skip
#: The columns of a lean file (no billing account, service category, charge class, resource).
LEAN = [c for c in HEADER if c not in ("BillingAccountId", "ServiceCategory", "ChargeClass", "ResourceId")]  # fmt: skip
TEAM_SEARCH = {"team": "search"}


def month_bounds(period: str) -> tuple[str, str]:
    """``YYYY-MM`` -> its billing period's [start, end) as ISO UTC timestamps."""
    year, month = map(int, period.split("-"))
    end = f"{year + (month == 12):04d}-{month % 12 + 1:02d}"
    return f"{period}-01T00:00:00Z", f"{end}-01T00:00:00Z"


def focus_row(
    period: str = "2025-03",
    day: int = 1,
    cost: Any = 1.0,
    currency: str = "USD",
    service: str = "Amazon EC2",
    *,
    hours: int = 1,
    list_cost: Any = None,
    contracted_cost: Any = None,
    provider: str = "AWS",
    account: str = "000111222333",
    region: str = "us-east-1",
    tags: dict[str, str] | None = TEAM_SEARCH,
    **columns: Any,
) -> dict[str, Any]:
    """One FOCUS row charged from 00:00 UTC on ``day`` of ``period`` for ``hours`` hours
    (within the period's month). BilledCost and EffectiveCost are ``cost``; ListCost and
    ContractedCost are ``cost`` unless given. ``columns`` set any column as written (e.g.
    ``ResourceId="i-2"``, ``BilledCost=""``), after everything else."""
    start, end = month_bounds(period)
    charge_start = f"{period}-{day:02d}T00:00:00Z"
    charge_end = datetime.fromisoformat(charge_start) + timedelta(hours=hours)
    row = {
        "BillingAccountId": "0012345",
        "BillingPeriodStart": start,
        "BillingPeriodEnd": end,
        "ChargePeriodStart": charge_start,
        "ChargePeriodEnd": charge_end.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "BilledCost": cost,
        "EffectiveCost": cost,
        "ListCost": cost if list_cost is None else list_cost,
        "ContractedCost": cost if contracted_cost is None else contracted_cost,
        "BillingCurrency": currency,
        "ProviderName": provider,
        "SubAccountId": account,
        "ServiceName": service,
        "ServiceCategory": "Compute",
        "ChargeCategory": "Usage",
        "ChargeClass": "NULL",
        "RegionId": region,
        "ResourceId": "i-1",
        "Tags": json.dumps(tags, separators=(",", ":")) if tags else "",
    }
    row.update(columns)
    return row


def write_focus(path: Path, rows: list[dict], header: list[str] | None = None) -> Path:
    """``rows`` as a FOCUS CSV at ``path`` with ``header`` (default HEADER; other keys of a
    row are left out)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    header = header or HEADER
    with open(path, "w", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=header, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
    return path
