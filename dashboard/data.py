"""The dashboard's one data loader: where the store is, and cached reads from it."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import polars as pl

from forecaster.spend import store_monthly_spend
from forecaster.store import BillingStore

_config: dict[str, Path | None] = {"store": None, "workloads": None}


def configure(store: Path | str, workloads: Path | str | None) -> None:
    _config["store"] = Path(store)
    _config["workloads"] = Path(workloads) if workloads else None
    monthly_spend.cache_clear()


def store_dir() -> Path:
    if _config["store"] is None:
        raise RuntimeError("dashboard.data.configure() was not called")
    return _config["store"]


def _catalog_stamp() -> str:
    """Changes whenever an ingest commits, so cached reads refresh."""
    return str(BillingStore(store_dir()).catalog().get("updated_at"))


def spend(by: str | None = None) -> pl.DataFrame:
    return monthly_spend(by, _catalog_stamp())


@lru_cache(maxsize=32)
def monthly_spend(by: str | None, stamp: str) -> pl.DataFrame:
    return store_monthly_spend(store_dir(), by)
