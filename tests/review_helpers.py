"""Shared inputs for the review pack tests: the bundled sample ingested at a fixed date (so
open/closed periods do not depend on the clock), its packs, and small FOCUS stores.

The sample and its packs are built once per test process (``lru_cache``) and shared by
every review test file; they live in a temporary directory removed at exit.
"""

from __future__ import annotations

import atexit
import csv
import json
import shutil
import tempfile
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

from forecaster.ingest import ingest_billing
from forecaster.load import ingest_traffic
from forecaster.review import ReviewPack, build_review, write_review
from forecaster.sample import WIDE_METRICS, write_sample
from forecaster.sample import truth as T
from forecaster.store import BillingStore

SAMPLE_MONTH = "2026-10"
SAMPLE_NOW = datetime(2026, 11, 15, tzinfo=UTC)  # every sample month is closed by then


def _tempdir(prefix: str) -> Path:
    root = Path(tempfile.mkdtemp(prefix=prefix))
    atexit.register(shutil.rmtree, root, True)
    return root


@lru_cache(maxsize=1)
def sample_dirs() -> tuple[Path, Path]:
    """(sample directory, store directory) of the bundled sample, ingested at SAMPLE_NOW."""
    root = _tempdir("review-sample-")
    out, store = root / "sample", root / "store"
    write_sample(out)
    ingest_billing([out / "billing"], store, source="sample-focus", now=SAMPLE_NOW)
    ingest_traffic([out / "traffic" / "metrics.csv"], store, now=SAMPLE_NOW)
    for metric in WIDE_METRICS:
        unit = next(w.unit for w in T.WORKLOADS if w.metric == metric)
        path = out / "traffic" / f"{metric}.csv"
        ingest_traffic([path], store, metric=metric, unit=unit, now=SAMPLE_NOW)
    return out, store


@lru_cache(maxsize=4)
def sample_pack(month: str = SAMPLE_MONTH) -> ReviewPack:
    out, store = sample_dirs()
    return build_review(
        store,
        month,
        out / "workloads.toml",
        loadtest_dir=out / "loadtest",
        scenarios_path=out / "scenarios.toml",
    )


@lru_cache(maxsize=1)
def written_sample() -> tuple[Path, list[Path]]:
    """The sample month's pack written in every format: (directory, files)."""
    out = _tempdir("review-written-")
    return out, write_review(sample_pack(), out)


def store_totals(store: Path, month: str) -> dict[str, dict[str, float]]:
    """The store's own totals for a billing month (from the partition manifests), per
    currency, summed over sources."""
    totals: dict[str, dict[str, float]] = {}
    for part in BillingStore(store).partitions():
        if part["billing_period"] != month:
            continue
        for currency, t in part["totals"].items():
            mine = totals.setdefault(
                currency, {"billed_cost": 0.0, "effective_cost": 0.0, "list_cost": 0.0}
            )
            for key in mine:
                mine[key] += t[key]
    return totals


def cents(value: float) -> int:
    return int(round(value * 100))


COLUMNS = [
    "BillingPeriodStart", "BillingPeriodEnd", "ChargePeriodStart", "ChargePeriodEnd",
    "BilledCost", "EffectiveCost", "ListCost", "ContractedCost", "BillingCurrency",
    "ProviderName", "ServiceName", "ChargeCategory", "SubAccountId", "SubAccountName",
    "RegionId", "Tags",
]  # fmt: skip


def row(
    month: str,
    cost: float,
    service: str = "Compute",
    provider: str = "AWS",
    account: str = "111",
    account_name: str = "prod",
    currency: str = "USD",
    tags: dict[str, str] | None = None,
    day: int = 1,
) -> dict[str, Any]:
    """One FOCUS row charged on ``day`` of ``month`` (EffectiveCost = BilledCost = ``cost``,
    ListCost 10% higher)."""
    year, mon = (int(p) for p in month.split("-"))
    nxt = f"{year + (mon == 12):04d}-{mon % 12 + 1:02d}"
    return {
        "BillingPeriodStart": f"{month}-01T00:00:00Z",
        "BillingPeriodEnd": f"{nxt}-01T00:00:00Z",
        "ChargePeriodStart": f"{month}-{day:02d}T00:00:00Z",
        "ChargePeriodEnd": f"{month}-{day:02d}T23:00:00Z",
        "BilledCost": cost,
        "EffectiveCost": cost,
        "ListCost": round(cost * 1.1, 6),
        "ContractedCost": cost,
        "BillingCurrency": currency,
        "ProviderName": provider,
        "ServiceName": service,
        "ChargeCategory": "Usage",
        "SubAccountId": account,
        "SubAccountName": account_name,
        "RegionId": "us-east-1",
        "Tags": json.dumps(tags) if tags else "",
    }


def make_store(
    tmp: Path, rows: list[dict[str, Any]], now: datetime = SAMPLE_NOW, name: str = "focus"
) -> Path:
    """A store under ``tmp/store`` with ``rows`` ingested (as one FOCUS CSV file)."""
    store = tmp / "store"
    path = tmp / f"{name}.csv"
    with open(path, "w", newline="") as fh:
        writer = csv.DictWriter(fh, COLUMNS)
        writer.writeheader()
        writer.writerows(rows)
    ingest_billing([path], store, source=name, now=now)
    return store
