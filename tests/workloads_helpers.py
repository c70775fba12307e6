"""Small FOCUS billing and traffic files for workload tests (written, then ingested); the
rows come from ``tests.focus_builder``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from forecaster.ingest import ingest_billing
from forecaster.load import ingest_traffic
from tests.focus_builder import LEAN, focus_row, write_focus


def charge(day: str, cost: float, days: int = 1, **options: Any) -> dict[str, Any]:
    """One FOCUS row charged over ``days`` whole days from ``day`` (YYYY-MM-DD): EffectiveCost
    = ``cost``, ListCost twice and ContractedCost 1.5 times it; other keywords as
    ``focus_row`` (default service EC2, account 111, no tags)."""
    options = {"service": "EC2", "account": "111", "tags": None, **options}
    costs = {"list_cost": cost * 2, "contracted_cost": cost * 1.5}
    return focus_row(day[:7], int(day[8:10]), cost, hours=24 * days, **costs, **options)


def write_billing(store: Path, rows: list[dict[str, Any]], name: str = "focus.csv") -> None:
    path = write_focus(store.parent / f"{store.name}-{name}", rows, LEAN)
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
