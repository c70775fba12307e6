"""Traffic ingestion: files or API samples -> validated load frame -> load store.

Every file is read and validated before anything is written, and all of them are merged
in one commit: an error in the third file leaves the store as it was.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import polars as pl

from forecaster.billing.files import sha256_file
from forecaster.errors import ForecasterError
from forecaster.load.files import read_traffic_file
from forecaster.load.frame import check_duplicates, check_units, validate_load
from forecaster.load.store import LoadStore, PartitionChange
from forecaster.paths import TABLE_SUFFIXES, expand_paths
from forecaster.store.ingest_log import record_failure


@dataclass
class LoadIngestReport:
    """What an ingest read and what it did to each (source, metric, month)."""

    partitions: list[PartitionChange]
    files: list[dict[str, Any]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def rows_added(self) -> int:
        return sum(p.added for p in self.partitions)

    @property
    def rows_changed(self) -> int:
        return sum(p.changed for p in self.partitions)

    def as_dict(self) -> dict[str, Any]:
        return {
            "partitions": [p.as_dict() for p in self.partitions],
            "files": self.files,
            "rows_added": self.rows_added,
            "rows_changed": self.rows_changed,
            "notes": self.notes,
        }


def ingest_load_frame(
    frame: pl.DataFrame,
    store_dir: str | Path,
    what: str,
    now: datetime | None = None,
    lock_timeout: float | None = None,
) -> LoadIngestReport:
    """Validate samples already in the load schema (e.g. from CloudWatch) and merge them."""
    frame = validate_load(frame, what)
    changes = LoadStore(Path(store_dir)).merge(frame, what, now=now, lock_timeout=lock_timeout)
    return LoadIngestReport(partitions=changes)


def ingest_traffic(
    paths: list[str | Path],
    store_dir: str | Path,
    metric: str | None = None,
    unit: str | None = None,
    source: str = "file",
    now: datetime | None = None,
    lock_timeout: float | None = None,
) -> LoadIngestReport:
    """Ingest traffic files (CSV, CSV.gz, Parquet; wide or long) into the load store.

    ``paths`` are files, directories or globs. A wide ``timestamp,value`` file needs
    ``metric`` (and usually ``unit``, e.g. "requests"); a long file names its metrics (and
    may name units) in its columns. Samples are merged by (source, metric, dimensions,
    timestamp), so ingesting the same files again changes nothing and an overlapping file
    replaces the overlapping samples. Raises InputError naming the file, column, row and value
    for unparseable timestamps, negative values, mixed units, duplicated timestamps, or a
    resolution outside 1 minute to 1 day; then nothing is stored (the failure is recorded in
    the store's ingest-error log).
    """
    try:
        return _ingest_traffic(paths, store_dir, metric, unit, source, now, lock_timeout)
    except ForecasterError as exc:
        record_failure(store_dir, "traffic", [str(p) for p in paths], exc)
        raise


def _ingest_traffic(paths, store_dir, metric, unit, source, now, lock_timeout) -> LoadIngestReport:
    files = expand_paths(paths, TABLE_SUFFIXES)
    frames: list[pl.DataFrame] = []
    infos: list[dict[str, Any]] = []
    for path in files:
        frame, info = read_traffic_file(path, metric=metric, unit=unit, source=source)
        info["sha256"] = sha256_file(path)
        frames.append(frame)
        infos.append(info)
    combined = pl.concat(frames)
    if len(files) > 1:  # each file is valid on its own; check what spans files
        what = f"{len(files)} traffic files"
        check_units(combined, what)
        check_duplicates(combined, what)
    what = str(files[0]) if len(files) == 1 else f"{len(files)} traffic files"
    changes = LoadStore(Path(store_dir)).merge(combined, what, now=now, lock_timeout=lock_timeout)
    return LoadIngestReport(partitions=changes, files=infos)
