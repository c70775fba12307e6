"""Billing ingestion: files -> canonical FOCUS line items -> store partitions, reconciled.

The entry points: ``ingest_billing`` (files and directories), ``ingest_frames`` (sources
that are not files, e.g. API responses) and ``ingest_staged`` (partitions an engine staged
itself). Each runs under the store lock: every source is staged and profiled
(:mod:`forecaster.ingest_staging`), then reconciled and committed
(:mod:`forecaster.ingest_commit`). The write is committed only when every stored total
equals the source total to the cent, and every period obeys the replacement and delivery
rules (:mod:`forecaster.store.replacement`); otherwise nothing in the store changes.
"""

from __future__ import annotations

import logging
import re
import shutil
import uuid
from datetime import UTC, datetime
from pathlib import Path

from forecaster import progress
from forecaster.billing import SourceFrame, read_billing_file
from forecaster.billing.files import OpenedFile, billing_paths, sha256_file
from forecaster.billing.manifests import current_delivery
from forecaster.errors import ForecasterError, InputError, StoreError, clip
from forecaster.ingest_commit import IngestReport, reconcile_and_commit
from forecaster.ingest_staging import StagedIngest, stage_source
from forecaster.store import BillingStore, store_lock
from forecaster.store.ingest_log import record_failure

log = logging.getLogger(__name__)

_PERIOD = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


def _locked_ingest(
    store_dir, lock_timeout, now, stage_all, open_periods, replace=frozenset(), state=None
) -> IngestReport:
    """Run ``stage_all(staging, state)`` under the store lock, then reconcile and commit."""
    store = BillingStore(store_dir)
    ingest_id = f"{now.strftime('%Y%m%dT%H%M%S')}-{uuid.uuid4().hex[:8]}"
    try:
        with store_lock(store.root, lock_timeout):
            store.collect_garbage()  # leftovers of a crashed ingest
            staging = store.new_staging(ingest_id)
            try:
                state = state or StagedIngest()
                stage_all(staging, state)
                return reconcile_and_commit(
                    store, state, ingest_id, now, open_periods or set(), set(replace)
                )
            finally:
                shutil.rmtree(staging, ignore_errors=True)
    except OSError as exc:
        raise StoreError(store_os_error(store.root, exc)) from exc


def store_os_error(root: Path, exc: OSError) -> str:
    """One line for a store that cannot be written: a file, unwritable, or a full disk."""
    where = exc.filename or root
    reason = exc.strerror or str(exc)
    if root.exists() and not root.is_dir():
        return f"{root}: the store path is a file, not a directory; nothing was changed"
    return clip(f"{root}: cannot write the store ({where}: {reason}); nothing was changed")


def _check_replace(replace: set[str] | frozenset[str]) -> None:
    for period in replace:
        if not _PERIOD.match(period):
            raise InputError(
                f"replace {period!r}: expected a billing period YYYY-MM", parameters=("replace",)
            )


def ingest_billing(
    paths: list[str | Path],
    store_dir: str | Path,
    fmt: str = "auto",
    source: str | None = None,
    now: datetime | None = None,
    lock_timeout: float | None = None,
    replace: set[str] | frozenset[str] = frozenset(),
) -> IngestReport:
    """Ingest billing files into the store; see the module docstring for the guarantees.

    ``replace`` names billing periods (YYYY-MM) that may replace the stored ones even where
    the replacement rule refuses (``--replace``). Byte-identical files (gzip compared
    inflated) are read once; older deliveries an AWS manifest leaves out are skipped. A
    failure leaves the store's data unchanged and is recorded in its ingest-error log.
    """
    try:
        _check_replace(replace)
        files = billing_paths(paths)
        roots = [Path(str(p)) for p in paths if Path(str(p)).is_dir()]
        files, stale, listed = current_delivery(files, roots)
    except ForecasterError as exc:
        record_failure(store_dir, "billing", [str(p) for p in paths], exc)
        raise

    def stage_all(staging: Path, state: StagedIngest) -> None:
        state.skipped.extend(stale)
        for path in progress.iterate("Reading billing files", files):
            with OpenedFile(path) as opened:
                content = opened.content_digest()
                if content in state.content:
                    state.skipped.append(
                        {
                            "file": str(path),
                            "reason": f"the same content as {state.content[content]} (read once)",
                        }
                    )
                    continue
                state.content[content] = str(path)
                sf = read_billing_file(opened, fmt)
                if sf is None:
                    state.skipped.append(
                        {
                            "file": str(path),
                            "reason": "a FOCUS dataset without charges (e.g. contract commitments)",
                        }
                    )
                    continue
                # the file's own SHA-256 (recorded in the manifest) is the content digest
                # unless gzip inflated it: then the file is hashed as it is on disk too
                digest = content if opened.kind != "csv.gz" else sha256_file(path)
                stage_source(sf, digest, source, staging, state, path in listed)

    try:
        return _locked_ingest(
            store_dir, lock_timeout, now or datetime.now(UTC), stage_all, None, replace
        )
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
    replace: set[str] | frozenset[str] = frozenset(),
    listed: bool = False,
) -> IngestReport:
    """Ingest sources that are not files on disk (e.g. API responses), with the same guarantees.

    ``frames`` pairs each SourceFrame with a checksum of its content (same content, same
    checksum: re-ingesting it changes nothing); ``listed``: the frames are the files a
    provider's manifest lists as one delivery (S3 Data Exports). ``open_periods`` (YYYY-MM) are stored as
    open whatever the date, e.g. months whose figures the provider marks as estimated.
    """

    def stage_all(staging: Path, state: StagedIngest) -> None:
        for sf, digest in frames:
            stage_source(sf, digest, source, staging, state, listed)

    try:
        _check_replace(replace)
        return _locked_ingest(
            store_dir, lock_timeout, now or datetime.now(UTC), stage_all, open_periods, replace
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
    replace: set[str] | frozenset[str] = frozenset(),
) -> IngestReport:
    """Ingest partitions an engine staged itself (``stage_all(staging, state)`` fills the
    state's parts, profiles, checked columns and files), under the same lock, reconciliation,
    replacement and restatement rules as file ingests; failures go to the ingest-error log."""
    try:
        _check_replace(replace)
        return _locked_ingest(
            store_dir, lock_timeout, now or datetime.now(UTC), stage_all, None, replace
        )
    except ForecasterError as exc:
        record_failure(store_dir, kind, inputs, exc)
        raise
