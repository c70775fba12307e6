"""Shared inputs for the review pack tests: the bundled sample ingested at a fixed date (so
open/closed periods do not depend on the clock), its packs, and small FOCUS stores.

The sample and its packs are built once per test process (``lru_cache``) and shared by
every review test file; they live in a temporary directory removed at exit.
"""

from __future__ import annotations

import atexit
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
from tests.focus_builder import LEAN, focus_row, write_focus

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


COLUMNS = [*LEAN, "SubAccountName"]


def row(month: str, cost: float, account_name: str = "prod", **options: Any) -> dict[str, Any]:
    """One FOCUS row charged for 23 hours on ``day`` (default 1) of ``month``: BilledCost =
    EffectiveCost = ContractedCost = ``cost``, ListCost 10% higher; other keywords as
    ``focus_row`` (default service Compute, account 111 named ``account_name``, no tags)."""
    options = {"service": "Compute", "account": "111", "tags": None, "hours": 23, **options}
    list_cost = round(cost * 1.1, 6)
    return focus_row(month, cost=cost, list_cost=list_cost, SubAccountName=account_name, **options)


def make_store(
    tmp: Path, rows: list[dict[str, Any]], now: datetime = SAMPLE_NOW, name: str = "focus"
) -> Path:
    """A store under ``tmp/store`` with ``rows`` ingested (as one FOCUS CSV file)."""
    store = tmp / "store"
    path = write_focus(tmp / f"{name}.csv", rows, COLUMNS)
    ingest_billing([path], store, source=name, now=now)
    return store
