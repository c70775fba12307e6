"""The local store: partitioned Parquet under a data directory, no server needed."""

from forecaster.store.billing import BillingStore, PartitionKey, status_rows
from forecaster.store.fsutil import atomic_write_bytes, atomic_write_json, store_lock

__all__ = [
    "BillingStore",
    "PartitionKey",
    "atomic_write_bytes",
    "atomic_write_json",
    "status_rows",
    "store_lock",
]


def read_charges(store_dir) -> "pl.LazyFrame":  # noqa: F821
    """Every committed billing line item, canonical FOCUS columns, as a LazyFrame."""
    return BillingStore(store_dir).scan()
