"""Billing ingestion: files -> canonical FOCUS line items -> store partitions, reconciled.

For each file: one streaming aggregation over the source (rows and source cost sums per
billing period and currency, plus a count of unparseable values), one streaming write of the
canonical rows per billing period into a staging directory, then one aggregation over what
was written. The write is committed only when every stored total equals the source total to
the cent; otherwise nothing in the store changes.
"""

from __future__ import annotations

import logging
import shutil
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import polars as pl

from forecaster import columns as C
from forecaster.billing import SourceFrame, read_billing_file
from forecaster.billing.files import OpenedFile, expand_paths, sha256_file
from forecaster.errors import ForecasterError, InputError
from forecaster.reconcile import (
    find_restatement,
    period_label,
    period_status,
    profile_source,
    reconcile,
    stored_totals,
    sum_profiles,
    validate_source,
)
from forecaster.store import BillingStore, PartitionKey, store_lock
from forecaster.store.ingest_log import record_failure

log = logging.getLogger(__name__)

_MONEY_KEYS = {
    C.BILLED_COST: "billed_cost",
    C.EFFECTIVE_COST: "effective_cost",
    C.LIST_COST: "list_cost",
    C.CONTRACTED_COST: "contracted_cost",
}


@dataclass
class PeriodResult:
    """What happened to one (source, billing period, currency)."""

    source: str
    billing_period: str
    currency: str
    rows: int
    billed_cost: float
    effective_cost: float
    list_cost: float
    status: str
    action: str  # "new" | "replaced" | "unchanged"
    reconciliation: dict[str, dict[str, float]] = field(default_factory=dict)
    restatement: dict[str, Any] | None = None

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


@dataclass
class IngestReport:
    periods: list[PeriodResult]
    files: list[dict[str, Any]]
    skipped: list[dict[str, str]]

    @property
    def flagged(self) -> list[PeriodResult]:
        return [p for p in self.periods if p.restatement and p.restatement.get("flagged")]

    def as_dict(self) -> dict[str, Any]:
        return {
            "periods": [p.as_dict() for p in self.periods],
            "files": self.files,
            "skipped": self.skipped,
            "restatements_flagged": [p.as_dict() for p in self.flagged],
        }


@dataclass
class _Staged:
    """Partitions written to staging so far, with what the sources said about them."""

    parts: dict[PartitionKey, list[Path]] = field(default_factory=lambda: defaultdict(list))
    profiles: dict[PartitionKey, list[pl.DataFrame]] = field(
        default_factory=lambda: defaultdict(list)
    )
    files: dict[PartitionKey, list[dict[str, Any]]] = field(
        default_factory=lambda: defaultdict(list)
    )
    checked: dict[PartitionKey, set[str]] = field(default_factory=lambda: defaultdict(set))
    report_files: list[dict[str, Any]] = field(default_factory=list)
    skipped: list[dict[str, str]] = field(default_factory=list)
    #: Recorded in every manifest of this ingest (engine ingests: engine, query, totals).
    manifest_extra: dict[PartitionKey, dict[str, Any]] = field(default_factory=dict)


def _stage(sf: SourceFrame, digest: str, source: str | None, staging: Path, state: _Staged) -> None:
    """Validate one source and write its canonical rows to staging, one file per period."""
    profile = profile_source(sf)
    validate_source(sf, profile)
    name = source or sf.format
    chunks = list(sf.canonical_chunks(name))
    index = len(state.report_files)
    state.report_files.append(
        {
            "file": sf.origin or str(sf.path),
            "format": sf.format,
            "source": name,
            "sha256": digest,
            "rows": int(profile["rows"].sum()),
        }
    )
    for period in sorted(profile["billing_period"].unique().to_list()):
        key = PartitionKey(name, period)
        in_period = period_label(pl.col(C.BILLING_PERIOD_START)) == period
        for number, chunk in enumerate(chunks):
            out = staging / _key_dir(key) / f"part-{index:05d}-{number:04d}.parquet"
            out.parent.mkdir(parents=True, exist_ok=True)
            try:
                chunk.filter(in_period).sink_parquet(out, compression="zstd", statistics=True)
            except pl.exceptions.PolarsError as exc:
                raise InputError(f"{sf.path}: cannot be read: {exc}") from exc
            state.parts[key].append(out)
        period_profile = profile.filter(pl.col("billing_period") == period)
        state.profiles[key].append(period_profile)
        state.checked[key] |= set(sf.checks)
        state.files[key].append(
            {
                "name": sf.path.name,
                "path": sf.origin or str(sf.path),
                "sha256": digest,
                "format": sf.format,
                "rows": int(period_profile["rows"].sum()),
            }
        )


def _locked_ingest(store_dir, lock_timeout, now, stage_all, open_periods) -> IngestReport:
    """Run ``stage_all(staging, state)`` under the store lock, then reconcile and commit."""
    store = BillingStore(store_dir)
    ingest_id = f"{now.strftime('%Y%m%dT%H%M%S')}-{uuid.uuid4().hex[:8]}"
    with store_lock(store.root, lock_timeout):
        store.collect_garbage()  # leftovers of a crashed ingest
        staging = store.new_staging(ingest_id)
        try:
            state = _Staged()
            stage_all(staging, state)
            return _reconcile_and_commit(store, state, ingest_id, now, open_periods or set())
        finally:
            shutil.rmtree(staging, ignore_errors=True)


def ingest_billing(
    paths: list[str | Path],
    store_dir: str | Path,
    fmt: str = "auto",
    source: str | None = None,
    now: datetime | None = None,
    lock_timeout: float | None = None,
) -> IngestReport:
    """Ingest billing files into the store; see the module docstring for the guarantees.

    A failure leaves the store's data unchanged and is recorded in its ingest-error log.
    """
    try:
        files = expand_paths(paths)
    except ForecasterError as exc:
        record_failure(store_dir, "billing", [str(p) for p in paths], exc)
        raise

    def stage_all(staging: Path, state: _Staged) -> None:
        for path in files:
            with OpenedFile(path) as opened:
                sf = read_billing_file(opened, fmt)
                if sf is None:
                    state.skipped.append(
                        {
                            "file": str(path),
                            "reason": "a FOCUS dataset without charges (e.g. contract commitments)",
                        }
                    )
                    continue
                _stage(sf, sha256_file(path), source, staging, state)

    try:
        return _locked_ingest(store_dir, lock_timeout, now or datetime.now(UTC), stage_all, None)
    except ForecasterError as exc:
        record_failure(store_dir, "billing", [str(p) for p in paths], exc)
        raise


def ingest_frames(
    frames: list[tuple[SourceFrame, str]],
    store_dir: str | Path,
    source: str,
    now: datetime | None = None,
    open_periods: set[str] | None = None,
    lock_timeout: float | None = None,
) -> IngestReport:
    """Ingest sources that are not files on disk (e.g. API responses), with the same guarantees.

    ``frames`` pairs each SourceFrame with a checksum of its content (same content, same
    checksum: re-ingesting it changes nothing). ``open_periods`` (YYYY-MM) are stored as
    open whatever the date, e.g. months whose figures the provider marks as estimated.
    """

    def stage_all(staging: Path, state: _Staged) -> None:
        for sf, digest in frames:
            _stage(sf, digest, source, staging, state)

    try:
        return _locked_ingest(
            store_dir, lock_timeout, now or datetime.now(UTC), stage_all, open_periods
        )
    except ForecasterError as exc:
        record_failure(store_dir, source, [sf.origin or str(sf.path) for sf, _ in frames], exc)
        raise


def ingest_staged(
    store_dir: str | Path,
    stage_all,
    kind: str,
    inputs: list[str],
    now: datetime | None = None,
    lock_timeout: float | None = None,
) -> IngestReport:
    """Ingest partitions an engine staged itself (``stage_all(staging, state)`` fills the
    state's parts, profiles, checked columns and files), under the same lock, reconciliation,
    replacement and restatement rules as file ingests; failures go to the ingest-error log."""
    try:
        return _locked_ingest(store_dir, lock_timeout, now or datetime.now(UTC), stage_all, None)
    except ForecasterError as exc:
        record_failure(store_dir, kind, inputs, exc)
        raise


def _reconcile_and_commit(
    store: BillingStore, state: _Staged, ingest_id: str, now: datetime, open_periods: set[str]
) -> IngestReport:
    results: list[PeriodResult] = []
    to_commit: dict[PartitionKey, tuple[Path, dict[str, Any]]] = {}
    restatements: list[dict[str, Any]] = []
    for key in sorted(state.parts, key=lambda k: (k.source, k.billing_period)):
        stored = stored_totals(state.parts[key])
        recon = reconcile(key, stored, sum_profiles(state.profiles[key]), state.checked[key])
        totals = {
            row[C.BILLING_CURRENCY]: {
                "rows": row["rows"],
                **{v: float(row[k] or 0.0) for k, v in _MONEY_KEYS.items()},
            }
            for row in stored.iter_rows(named=True)
        }
        status = (
            "open" if key.billing_period in open_periods else period_status(key.billing_period, now)
        )
        old = store.manifest(key)
        digests = sorted(f["sha256"] for f in state.files[key])
        same = old is not None and sorted(f["sha256"] for f in old["files"]) == digests
        if same and old["status"] != status:
            same = False  # an estimated month that became final is re-stored as closed
        action = "unchanged" if same else ("replaced" if old else "new")
        restatement = None if same else find_restatement(old, totals, status)
        if not same:
            manifest = {
                "source": key.source,
                "billing_period": key.billing_period,
                "ingest_id": ingest_id,
                "ingested_at": now.isoformat(),
                "status": status,
                "files": state.files[key],
                "rows": sum(t["rows"] for t in totals.values()),
                "totals": totals,
                "reconciliation": recon,
                "data_files": sorted(p.name for p in state.parts[key]),
                **state.manifest_extra.get(key, {}),
            }
            to_commit[key] = (state.parts[key][0].parent, manifest)
            if restatement:
                restatements.append(
                    {
                        "source": key.source,
                        "billing_period": key.billing_period,
                        "ingest_id": ingest_id,
                        "at": now.isoformat(),
                        **restatement,
                    }
                )
        for currency, t in sorted(totals.items()):
            results.append(
                PeriodResult(
                    source=key.source,
                    billing_period=key.billing_period,
                    currency=currency,
                    rows=t["rows"],
                    billed_cost=t["billed_cost"],
                    effective_cost=t["effective_cost"],
                    list_cost=t["list_cost"],
                    status=status,
                    action=action,
                    reconciliation=recon.get(currency, {}),
                    restatement=(restatement or {}).get("changes", {}).get(currency),
                )
            )
    if to_commit:
        store.commit(to_commit, restatements, ingest_id)
    return IngestReport(periods=results, files=state.report_files, skipped=state.skipped)


def _key_dir(key: PartitionKey) -> str:
    return f"{key.source.replace('/', '_')}__{key.billing_period}"
