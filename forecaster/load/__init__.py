"""The load (traffic) store: what drives cost, sample by sample, beside the billing store.

``ingest_traffic`` reads CSV/Parquet traffic files, ``ingest_load_frame`` takes samples from
an API (CloudWatch), ``read_load`` gives every stored sample and ``resample`` rolls samples
up to hours, days or months.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from forecaster.load.frame import LOAD_SCHEMA, dimensions_text, validate_load
from forecaster.load.ingest import LoadIngestReport, ingest_load_frame, ingest_traffic
from forecaster.load.resample import AGGREGATIONS, GRAINS, resample
from forecaster.load.store import LoadStore

__all__ = [
    "AGGREGATIONS",
    "GRAINS",
    "LOAD_SCHEMA",
    "LoadIngestReport",
    "LoadStore",
    "dimensions_text",
    "ingest_load_frame",
    "ingest_traffic",
    "read_load",
    "resample",
    "validate_load",
]


def read_load(store_dir: str | Path) -> pl.LazyFrame:
    """Every stored load sample as a LazyFrame.

    Columns: timestamp (Datetime us UTC), metric, value (Float64), unit, dimensions (JSON
    object text, ``{}`` for a single series), source. Empty (with that schema) on an empty
    store.
    """
    return LoadStore(Path(store_dir)).scan()
