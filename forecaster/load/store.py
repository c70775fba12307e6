"""The load store: traffic samples as Parquet beside the billing store, committed atomically.

Layout under the store directory::

    load/catalog.json                                              the committed state
    load/source=<s>/metric=<m>/month=<YYYY-MM>/ingest=<id>/data.parquet   one partition version
    load/.staging/<id>/                                            an ingest in progress

A partition holds one (source, metric, month). New samples are merged into it by key
(dimensions, timestamp): a sample already stored with the same key is replaced, others are
kept, so pulling an overlapping CloudWatch window or re-reading a longer file never duplicates
anything, and the same data again changes nothing. Writes follow the billing store's rules:
the new version is complete before the catalog (renamed into place) names it, under the
store's exclusive lock, so readers see the old state or the new one, never half.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import polars as pl

from forecaster import columns as C
from forecaster.errors import InputError
from forecaster.load.frame import LOAD_SCHEMA
from forecaster.months import month_of
from forecaster.store.fsutil import atomic_write_json, fsync_dir, read_json, store_lock

CATALOG_VERSION = 1
MERGE_KEYS = [C.LOAD_DIMENSIONS, C.LOAD_TIMESTAMP]


def _safe(text: str) -> str:
    readable = "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in text)[:60]
    return f"{readable}-{hashlib.sha1(text.encode()).hexdigest()[:8]}"


def partition_id(source: str, metric: str, month: str) -> str:
    """The catalog key of a partition (JSON, so no name can collide with another)."""
    return json.dumps([source, metric, month])


@dataclass
class PartitionChange:
    """What one ingest did to one (source, metric, month)."""

    source: str
    metric: str
    month: str
    unit: str | None
    rows: int  # rows stored after the ingest
    added: int  # samples that were not stored before
    changed: int  # samples stored before with another value
    action: str  # "new" | "updated" | "unchanged"

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


@dataclass
class LoadStore:
    """Read and commit load partitions under ``root`` (the store directory)."""

    root: Path
    load_dir: Path = field(init=False)
    catalog_path: Path = field(init=False)
    staging_dir: Path = field(init=False)

    def __post_init__(self) -> None:
        self.root = Path(self.root)
        self.load_dir = self.root / "load"
        self.catalog_path = self.load_dir / "catalog.json"
        self.staging_dir = self.load_dir / ".staging"

    # -- reading ---------------------------------------------------------------------------
    def catalog(self) -> dict[str, Any]:
        data = read_json(self.catalog_path, None)
        return data or {"version": CATALOG_VERSION, "partitions": {}}

    def partitions(self) -> list[dict[str, Any]]:
        parts = self.catalog()["partitions"]
        return [parts[k] for k in sorted(parts)]

    def scan(self) -> pl.LazyFrame:
        """Every stored sample (an empty frame on an empty store)."""
        files = [self.root / p["path"] / "data.parquet" for p in self.partitions()]
        if not files:
            return pl.LazyFrame(schema=LOAD_SCHEMA)
        return pl.scan_parquet(files, schema=LOAD_SCHEMA)

    # -- writing ---------------------------------------------------------------------------
    def merge(
        self, frame: pl.DataFrame, what: str, now: datetime | None = None, lock_timeout=None
    ) -> list[PartitionChange]:
        """Merge validated samples (LOAD_SCHEMA) into the store; one atomic commit."""
        now = now or datetime.now(UTC)
        ingest_id = f"{now.strftime('%Y%m%dT%H%M%S')}-{uuid.uuid4().hex[:8]}"
        with store_lock(self.root, lock_timeout):
            self._collect_garbage()
            catalog = self.catalog()
            self._check_units(frame, catalog, what)
            staging = self.staging_dir / ingest_id
            staging.mkdir(parents=True, exist_ok=False)
            try:
                changes, staged = self._stage(frame, catalog, staging, ingest_id, now)
                if staged:
                    self._commit(catalog, staged, now)
            finally:
                shutil.rmtree(staging, ignore_errors=True)
        return changes

    def _check_units(self, frame: pl.DataFrame, catalog: dict[str, Any], what: str) -> None:
        stored: dict[str, set[str | None]] = {}
        for part in catalog["partitions"].values():
            stored.setdefault(part["metric"], set()).add(part["unit"])
        incoming = frame.group_by(C.LOAD_METRIC).agg(pl.col(C.LOAD_UNIT).first())
        for metric, unit in incoming.iter_rows():
            before = stored.get(metric, set()) - {unit}
            if before:
                shown = ", ".join(repr(u) for u in sorted(before, key=str))
                raise InputError(
                    f"{what}: metric {metric!r} arrives in unit {unit!r} but the store holds it "
                    f"in {shown} (mixed units); use a new metric name or convert the values"
                )

    def _stage(self, frame, catalog, staging, ingest_id, now):
        changes: list[PartitionChange] = []
        staged: dict[str, tuple[Path, dict[str, Any]]] = {}
        month = month_of(C.LOAD_TIMESTAMP).alias("_month")
        grouped = frame.with_columns(month).partition_by(
            [C.LOAD_SOURCE, C.LOAD_METRIC, "_month"], as_dict=True, include_key=True
        )
        for (source, metric, mon), new in sorted(grouped.items()):
            new = new.select(list(LOAD_SCHEMA))
            key = partition_id(source, metric, mon)
            old_entry = catalog["partitions"].get(key)
            old = (
                pl.read_parquet(self.root / old_entry["path"] / "data.parquet")
                if old_entry
                else pl.DataFrame(schema=LOAD_SCHEMA)
            )
            merged, added, changed = _merge(old, new)
            unit = new[C.LOAD_UNIT][0]
            action = (
                "new" if old_entry is None else ("updated" if added or changed else "unchanged")
            )
            changes.append(
                PartitionChange(source, metric, mon, unit, merged.height, added, changed, action)
            )
            if action == "unchanged":
                continue
            rel = (
                Path("load")
                / f"source={_safe(source)}"
                / f"metric={_safe(metric)}"
                / f"month={mon}"
                / f"ingest={ingest_id}"
            )
            out = staging / key_dir(key)
            out.mkdir(parents=True)
            merged.write_parquet(out / "data.parquet", compression="zstd", statistics=True)
            ts = merged[C.LOAD_TIMESTAMP]
            entry = {
                "source": source,
                "metric": metric,
                "month": mon,
                "unit": unit,
                "rows": merged.height,
                "start": ts.min().isoformat(),
                "end": ts.max().isoformat(),
                "ingest_id": ingest_id,
                "ingested_at": now.isoformat(),
                "path": str(rel),
            }
            staged[key] = (out, entry)
        return changes, staged

    def _commit(self, catalog, staged, now) -> None:
        for key, (staged_dir, entry) in staged.items():
            target = self.root / entry["path"]
            target.parent.mkdir(parents=True, exist_ok=True)
            staged_dir.rename(target)
            fsync_dir(target.parent)
            catalog["partitions"][key] = entry
        catalog["version"] = CATALOG_VERSION
        catalog["updated_at"] = now.isoformat()
        atomic_write_json(self.catalog_path, catalog)
        self._collect_garbage()

    def _collect_garbage(self) -> None:
        """Remove partition versions the catalog no longer names, and stale staging dirs."""
        live = {self.root / p["path"] for p in self.catalog()["partitions"].values()}
        if self.load_dir.exists():
            for version in self.load_dir.glob("source=*/metric=*/month=*/ingest=*"):
                if version not in live:
                    shutil.rmtree(version, ignore_errors=True)
        shutil.rmtree(self.staging_dir, ignore_errors=True)


def key_dir(key: str) -> str:
    return hashlib.sha1(key.encode()).hexdigest()[:16]


def _merge(old: pl.DataFrame, new: pl.DataFrame) -> tuple[pl.DataFrame, int, int]:
    """``old`` with ``new`` laid over it by (dimensions, timestamp); (merged, added, changed)."""
    if old.is_empty():
        return new.sort(MERGE_KEYS), new.height, 0
    new = new.sort(MERGE_KEYS)
    if new.height == old.height and new.equals(old):  # the common re-ingest: nothing to do
        return old, 0, 0
    both = new.join(old, on=MERGE_KEYS, how="left", suffix="_old")
    added = both.filter(pl.col(f"{C.LOAD_VALUE}_old").is_null()).height
    changed = both.filter(
        pl.col(f"{C.LOAD_VALUE}_old").is_not_null()
        & (pl.col(f"{C.LOAD_VALUE}_old") != pl.col(C.LOAD_VALUE))
    ).height
    kept = old.join(new, on=MERGE_KEYS, how="anti")
    return pl.concat([kept, new]).sort(MERGE_KEYS), added, changed
