"""The billing store: normalized FOCUS line items as Parquet, one partition per
(source, billing period), committed atomically through a catalog file.

Layout under the store directory::

    billing/catalog.json                                   the committed state (atomic rename)
    billing/source=<src>/period=<YYYY-MM>/ingest=<id>/     one partition version
        part-*.parquet                                     canonical line items
        manifest.json                                      files, checksums, rows, totals
    .staging/<id>/                                         an ingest in progress

A partition version is written completely before the catalog names it; until the catalog's
rename it is invisible, so a crash or error leaves the previous state intact. Old versions
are removed after the commit (or at the next ingest if the process died in between).
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import polars as pl

from forecaster import columns as C
from forecaster.errors import StoreError
from forecaster.store.fsutil import atomic_write_json, fsync_dir, read_json

CATALOG_VERSION = 1


@dataclass(frozen=True)
class PartitionKey:
    source: str
    billing_period: str  # YYYY-MM, the month of BillingPeriodStart (UTC)

    @property
    def id(self) -> str:
        return f"{self.source}/{self.billing_period}"


def _safe(text: str) -> str:
    return "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in text)


class BillingStore:
    """Read and commit billing partitions under ``root`` (the store directory)."""

    def __init__(self, root: Path | str):
        self.root = Path(root)
        self.billing_dir = self.root / "billing"
        self.catalog_path = self.billing_dir / "catalog.json"
        self.staging_dir = self.root / ".staging"

    # -- reading ---------------------------------------------------------------------------
    def catalog(self) -> dict[str, Any]:
        if self.root.exists() and not self.root.is_dir():
            raise StoreError(f"{self.root}: the store path is a file, not a directory")
        data = read_json(self.catalog_path, None)
        if data is None:
            return {"version": CATALOG_VERSION, "partitions": {}, "restatements": []}
        return data

    def partitions(self) -> list[dict[str, Any]]:
        """Committed partitions' manifests, sorted by source and period."""
        parts = self.catalog()["partitions"]
        return [parts[k] for k in sorted(parts)]

    def manifest(self, key: PartitionKey) -> dict[str, Any] | None:
        return self.catalog()["partitions"].get(key.id)

    def scope(self, key: PartitionKey) -> set[str]:
        """The ``provider|billing account`` pairs the stored partition bills (empty when
        none is stored): what a re-delivery of the period must bill again."""
        part = self.manifest(key)
        if part is None:
            return set()
        files = [self.root / part["path"] / name for name in part["data_files"]]
        if not files:
            return set()
        pairs = (
            pl.scan_parquet(files, glob=False)
            .select(
                pl.concat_str(
                    [
                        pl.col(c).cast(pl.String).fill_null("")
                        for c in (C.PROVIDER_NAME, C.BILLING_ACCOUNT_ID)
                    ],
                    separator="|",
                ).unique()
            )
            .collect()
        )
        return set(pairs.to_series().to_list())

    def data_files(self) -> list[Path]:
        files: list[Path] = []
        for part in self.partitions():
            files.extend(self.root / part["path"] / name for name in part["data_files"])
        return files

    def scan(self) -> pl.LazyFrame:
        """Every committed line item in the canonical schema (empty frame on an empty store)."""
        files = self.data_files()
        if not files:
            return pl.LazyFrame(schema=C.CHARGES_SCHEMA)
        # extra_columns: rollup partitions also hold x_LineItemCount (forecaster.engines)
        return pl.scan_parquet(files, schema=C.CHARGES_SCHEMA, extra_columns="ignore", glob=False)

    # -- writing ---------------------------------------------------------------------------
    def new_staging(self, ingest_id: str) -> Path:
        path = self.staging_dir / ingest_id
        path.mkdir(parents=True, exist_ok=False)
        return path

    def partition_path(self, key: PartitionKey, ingest_id: str) -> Path:
        return (
            self.billing_dir
            / f"source={_safe(key.source)}"
            / f"period={key.billing_period}"
            / f"ingest={ingest_id}"
        )

    def commit(
        self,
        staged: dict[PartitionKey, tuple[Path, dict[str, Any]]],
        restatements: list[dict[str, Any]],
        ingest_id: str,
    ) -> None:
        """Move staged partition versions into place and name them in the catalog atomically.

        ``staged`` maps each key to (staged directory, manifest). Must be called under the
        store lock.
        """
        catalog = self.catalog()
        for key, (staged_dir, manifest) in staged.items():
            target = self.partition_path(key, ingest_id)
            target.parent.mkdir(parents=True, exist_ok=True)
            atomic_write_json(staged_dir / "manifest.json", manifest)
            staged_dir.rename(target)
            fsync_dir(target.parent)
            entry = dict(manifest)
            entry["path"] = str(target.relative_to(self.root))
            catalog["partitions"][key.id] = entry
        catalog["restatements"] = catalog.get("restatements", []) + restatements
        catalog["version"] = CATALOG_VERSION
        catalog["updated_at"] = datetime.now(UTC).isoformat()
        atomic_write_json(self.catalog_path, catalog)
        self.collect_garbage()

    def collect_garbage(self) -> None:
        """Remove partition versions the catalog no longer names, and stale staging dirs.

        Must be called under the store lock.
        """
        live = {self.root / p["path"] for p in self.catalog()["partitions"].values()}
        if self.billing_dir.exists():
            for version in self.billing_dir.glob("source=*/period=*/ingest=*"):
                if version not in live:
                    shutil.rmtree(version, ignore_errors=True)
        if self.staging_dir.exists():
            shutil.rmtree(self.staging_dir, ignore_errors=True)


def status_rows(store: BillingStore) -> list[dict[str, Any]]:
    """One row per (source, billing period, currency) for ``forecaster store status``."""
    rows = []
    for part in store.partitions():
        for currency, totals in sorted(part["totals"].items()):
            rows.append(
                {
                    "source": part["source"],
                    "billing_period": part["billing_period"],
                    "currency": currency,
                    "rows": totals["rows"],
                    "billed_cost": totals["billed_cost"],
                    "effective_cost": totals["effective_cost"],
                    "list_cost": totals["list_cost"],
                    "status": part["status"],
                    # False: only rows carried by files of other periods (see replacement.py)
                    "complete": part.get("complete", True),
                    "ingested_at": part["ingested_at"],
                    "files": [f["name"] for f in part["files"]],
                }
            )
    return rows


def source_overlaps(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """(billing period, currency) held by more than one source, e.g. Cost Explorer and a CUR
    for the same months: adding those sources together would count the cost twice."""
    seen: dict[tuple[str, str], list[str]] = {}
    for r in rows:
        seen.setdefault((r["billing_period"], r["currency"]), []).append(r["source"])
    return [
        {"billing_period": period, "currency": currency, "sources": sorted(sources)}
        for (period, currency), sources in sorted(seen.items())
        if len(sources) > 1
    ]


def partition_overlaps(partitions: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """``source_overlaps`` of committed partitions (catalog manifests, as
    ``BillingStore.partitions()`` returns them: one per source and period, totals per
    currency)."""
    return source_overlaps(
        [
            {"source": p["source"], "billing_period": p["billing_period"], "currency": currency}
            for p in partitions
            for currency in sorted(p.get("totals", {}))
        ]
    )
