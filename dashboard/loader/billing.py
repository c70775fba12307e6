"""What the bill tells: spend by month, tags, the store's catalog and ingest log, and the
bill's forecast and anomalies by time."""

from __future__ import annotations

from typing import Any

import polars as pl

from dashboard.loader.caching import cached, on_disk
from dashboard.loader.config import store_dir
from dashboard.loader.errors import refusals


@cached
@on_disk
@refusals
def spend(by: str | None = None) -> pl.DataFrame:
    """Monthly BilledCost, EffectiveCost, ListCost per currency (and ``by``)."""
    from forecaster.spend import store_monthly_spend

    return store_monthly_spend(store_dir(), by)


@cached
@on_disk
@refusals
def spend_by_tag(key: str) -> pl.DataFrame:
    """Monthly spend per currency and value of tag ``key`` (column ``tag``)."""
    from forecaster.store import BillingStore
    from forecaster.views.overview import monthly_spend_by_tag

    return monthly_spend_by_tag(BillingStore(store_dir()).scan(), key)


@cached
@on_disk
@refusals
def tag_keys() -> list[str]:
    """The tag keys found in the bill."""
    from forecaster.store import BillingStore
    from forecaster.views.overview import tag_keys as keys

    return keys(BillingStore(store_dir()).scan())


def currencies() -> list[str]:
    """Billing currencies, the one with the most spend first."""
    frame = spend(None)
    if frame.height == 0:
        return []
    totals = frame.group_by("currency").agg(pl.col("effective_cost").sum())
    return totals.sort(["effective_cost", "currency"], descending=[True, False])[
        "currency"
    ].to_list()


@cached
@refusals
def catalog() -> dict[str, Any]:
    """The billing store's catalog (partitions, restatements)."""
    from forecaster.store import BillingStore

    return BillingStore(store_dir()).catalog()


def partitions() -> list[dict[str, Any]]:
    """The billing partitions' manifests, by (period, currency, source)."""
    parts = catalog()["partitions"]
    return [parts[k] for k in sorted(parts)]


def source_overlaps() -> list[dict[str, Any]]:
    """(billing period, currency) held by more than one source, from the cached catalog (the
    check ``forecaster store status`` makes)."""
    from forecaster.store.billing import partition_overlaps

    return partition_overlaps(partitions())


@cached
@refusals
def load_partitions() -> list[dict[str, Any]]:
    """The load store's partitions."""
    from forecaster.load import LoadStore

    return LoadStore(store_dir()).partitions()


@refusals
def ingest_failures() -> list[dict[str, Any]]:
    """Failed ingests recorded in the store's log, newest first (read each time: small)."""
    from forecaster.store.ingest_log import read_failures

    return read_failures(store_dir())


@cached
@on_disk
@refusals
def bill_forecast() -> list[Any]:
    """The bill's forecast by time (``forecaster.timeonly.bill_forecast``, 12 months, a
    ``BillForecast`` per currency); ``LoaderError`` says why there is none."""
    from forecaster.timeonly.bill import bill_forecast as forecast

    return forecast(store_dir())


@cached
@on_disk
@refusals
def time_anomalies() -> pl.DataFrame:
    """Anomalies by time over the bill (``forecaster.timeonly.anomalies``)."""
    from forecaster.store import BillingStore
    from forecaster.timeonly.anomalies import time_only_anomalies

    return time_only_anomalies(BillingStore(store_dir()).scan())
