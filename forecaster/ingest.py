"""Billing ingestion: files -> canonical FOCUS line items -> store partitions, reconciled.

For each file, a profile of the source (rows and exact source cost sums per billing period
and currency, counts of unparseable values and refused rows) and a streaming write of the
canonical rows into a staging directory. Text sources (CSV), where reading is the cost, do
both in one pass over the same rows; Parquet sources profile their few typed columns first,
then write with polars' own sink. The source is validated from the profile, the written
rows are split per billing period (moved when the file holds one period), and what was
written is aggregated again from the staged Parquet. The write is committed only when every stored total equals the source total to
the cent, and every period obeys the replacement and delivery rules
(:mod:`forecaster.store.replacement`); otherwise nothing in the store changes.
"""

from __future__ import annotations

import logging
import re
import shutil
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import polars as pl

from forecaster import columns as C
from forecaster import progress
from forecaster.billing import SourceFrame, read_billing_file
from forecaster.billing.files import OpenedFile, billing_paths, sha256_file
from forecaster.billing.manifests import current_delivery
from forecaster.errors import DeliveryRefused, ForecasterError, InputError, StoreError, clip
from forecaster.reconcile import (
    check_staged,
    find_restatement,
    line_item_fingerprints,
    period_status,
    profile_groups,
    profile_inputs,
    profile_of_groups,
    profile_plan,
    profile_source,
    reconcile,
    staged_stats,
    stored_totals,
    sum_profiles,
    validate_source,
    with_month_cells,
)
from forecaster.store import BillingStore, PartitionKey, store_lock
from forecaster.store.ingest_log import record_failure
from forecaster.store.replacement import (
    FilePeriod,
    PeriodDelivery,
    duplicate_deliveries,
    mark_carried,
    other_bill_refusal,
    replacement_refusal,
)

log = logging.getLogger(__name__)

_PERIOD = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")

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
    complete: bool = True  # False: only rows carried by files of other periods

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


@dataclass
class IngestReport:
    periods: list[PeriodResult]
    files: list[dict[str, Any]]
    skipped: list[dict[str, str]]
    notes: list[str] = field(default_factory=list)

    @property
    def flagged(self) -> list[PeriodResult]:
        return [p for p in self.periods if p.restatement and p.restatement.get("flagged")]

    def as_dict(self) -> dict[str, Any]:
        return {
            "periods": [p.as_dict() for p in self.periods],
            "files": self.files,
            "skipped": self.skipped,
            "notes": self.notes,
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
    deliveries: dict[PartitionKey, PeriodDelivery] = field(default_factory=dict)
    report_files: list[dict[str, Any]] = field(default_factory=list)
    skipped: list[dict[str, str]] = field(default_factory=list)
    #: Recorded in every manifest of this ingest (engine ingests: engine, query, totals).
    manifest_extra: dict[PartitionKey, dict[str, Any]] = field(default_factory=dict)
    content: dict[str, str] = field(default_factory=dict)  # content digest -> first file


def _file_periods(sf: SourceFrame, profile: pl.DataFrame, shown: str) -> list[FilePeriod]:
    """What the file holds per billing period, for the replacement and delivery rules."""
    folder = str(Path(sf.origin or sf.path).parent)
    out = []
    for period in sorted(profile["billing_period"].unique().to_list()):
        rows = profile.filter(pl.col("billing_period") == period)
        billed = {
            r["_currency"]: float(r.get(f"src_{C.BILLED_COST}") or 0.0)
            for r in rows.iter_rows(named=True)
        }
        out.append(
            FilePeriod(
                file=shown,
                folder=folder,
                period=period,
                rows=int(rows["rows"].sum()),
                billed=billed,
                scope={s for scopes in rows["scope"].to_list() for s in scopes},
                charge_from=None,  # from the staged rows (see _stage)
                charge_until=None,
            )
        )
    mark_carried(out)
    return out


#: Rows per streamed batch and per row group of the staged Parquet.
BATCH_ROWS = 131_072
_PROFILE = "__profile_"  # prefix of the profile's inputs beside the canonical columns


def _write_and_profile(
    sf: SourceFrame, name: str, out_dir: Path, index: int
) -> tuple[list[Path], pl.DataFrame]:
    """Write the file's canonical rows (all periods) under ``out_dir`` and profile the
    source from the same rows: one streaming pass over each chunk computes the canonical
    columns and the profile's inputs; each batch is appended to the chunk's Parquet file
    (zstd) and aggregated, so the source is read once and memory stays bounded."""
    import pyarrow.parquet as pq  # here: importing forecaster.ingest stays cheap

    inputs, keys = profile_inputs(sf)
    names = list(C.CHARGES_SCHEMA)
    files, groups = [], []
    out_dir.mkdir(parents=True, exist_ok=True)
    for number, (raw, _) in enumerate(sf.chunks(name)):
        out = out_dir / f"part-{index:05d}-{number:04d}.parquet"
        plan = raw.select(
            *sf.canonical_exprs(name), *[e.alias(_PROFILE + k) for k, e in inputs.items()]
        )
        writer: list = []  # the chunk's pyarrow ParquetWriter, once a batch arrives

        def on_batch(batch: pl.DataFrame, out: Path = out, writer=writer) -> None:
            table = batch.select(names).to_arrow(compat_level=pl.CompatLevel.oldest())
            if not writer:
                writer.append(pq.ParquetWriter(out, table.schema, compression="zstd"))
            writer[0].write_table(table, row_group_size=BATCH_ROWS)
            profile = batch.select(pl.col(_PROFILE + k).alias(k) for k in inputs)
            groups.append(profile_groups(profile, keys))

        try:
            plan.sink_batches(on_batch, chunk_size=BATCH_ROWS)
        except pl.exceptions.PolarsError as exc:
            raise InputError(clip(f"{sf.path}: cannot be read: {exc}")) from exc
        finally:
            for w in writer:
                w.close()
        if writer:
            files.append(out)
    if not groups:  # no rows: the profile says so (validate_source refuses the file)
        groups.append(profile_plan(sf).collect())
    return files, profile_of_groups(sf, pl.concat(groups))


def _profile_then_write(
    sf: SourceFrame, name: str, out_dir: Path, index: int
) -> tuple[list[Path], pl.DataFrame]:
    """Chunked (Parquet) sources: profile the few typed columns the profile needs in one
    pass, validate, then write each chunk with polars' own Parquet sink, the billing period
    columns looked up from the few period cells the profile saw. Cheaper than
    :func:`_write_and_profile` where reading a column is cheap; nothing is written when the
    profile asks for the general timestamp parsers."""
    profile = profile_source(sf)
    if _needs_fallback(sf, profile):
        return [], profile
    validate_source(sf, profile)
    files = []
    out_dir.mkdir(parents=True, exist_ok=True)
    for number, canonical in enumerate(with_month_cells(sf, profile).canonical_chunks(name)):
        out = out_dir / f"part-{index:05d}-{number:04d}.parquet"
        try:
            canonical.sink_parquet(out, compression="zstd", statistics=True)
        except pl.exceptions.PolarsError as exc:
            raise InputError(clip(f"{sf.path}: cannot be read: {exc}")) from exc
        files.append(out)
    return files, profile


def _needs_fallback(sf: SourceFrame, profile: pl.DataFrame) -> bool:
    """A value of a column read in the file's own timestamp layout did not parse in it."""
    return sf.fallback is not None and any(
        int(profile[f"bad_{c}"].sum()) for c in sf.fallback_columns
    )


def _split_by_period(
    written: list[Path], periods: list[str], staging: Path, name: str
) -> dict[str, list[Path]]:
    """The written files moved (one period) or split (several) into each period's staging
    directory; a split reads the staged Parquet, never the source again."""
    out: dict[str, list[Path]] = {}
    for period in periods:
        target = staging / _key_dir(PartitionKey(name, period))
        target.mkdir(parents=True, exist_ok=True)
        out[period] = []
        if len(periods) == 1:
            for path in written:
                path.rename(target / path.name)
                out[period].append(target / path.name)
            continue
        year, month = map(int, period.split("-"))
        in_period = pl.col(C.BILLING_PERIOD_START) == datetime(year, month, 1, tzinfo=UTC)
        for path in written:
            part = target / path.name
            pl.scan_parquet(path, glob=False).filter(in_period).sink_parquet(
                part, compression="zstd", statistics=True
            )
            out[period].append(part)
    if len(periods) > 1:
        for path in written:
            path.unlink()
    return out


def _stage(
    sf: SourceFrame,
    digest: str,
    source: str | None,
    staging: Path,
    state: _Staged,
    listed: bool = False,
) -> None:
    """Write one source's canonical rows to staging, one directory per period, and validate
    it from the profile taken in the same pass (a refused file leaves only staging files,
    which the ingest removes).

    ``listed``: a provider's manifest names the file as part of the current delivery."""
    sf = sf.with_timestamp_formats().with_period_rules()
    name = source or sf.format
    index = len(state.report_files)
    write = _profile_then_write if sf.chunk_rows else _write_and_profile
    written, profile = write(sf, name, staging / f".file-{index:05d}", index)
    if _needs_fallback(sf, profile):  # a value the file's own layout missed: general parsers
        for path in written:
            path.unlink()
        sf = sf.fallback.with_period_rules()  # type: ignore[union-attr]
        written, profile = write(sf, name, staging / f".file-{index:05d}", index)
    validate_source(sf, profile)
    periods = sorted(profile["billing_period"].unique().to_list())
    staged = _split_by_period(written, periods, staging, name)
    shown = sf.origin or str(sf.path)
    state.report_files.append(
        {
            "file": shown,
            "format": sf.format,
            "source": name,
            "sha256": digest,
            "rows": int(profile["rows"].sum()),
        }
    )
    for part in _file_periods(sf, profile, shown):
        part.listed = listed
        period = part.period
        part.staged = staged[period]
        key = PartitionKey(name, period)
        state.deliveries.setdefault(key, PeriodDelivery(name, period)).parts.append(part)
        state.parts[key].extend(part.staged)
        stats = staged_stats(part.staged)
        check_staged(sf, period, stats)
        part.charge_from, part.charge_until = stats["charge_from"], stats["charge_until"]
        period_profile = profile.filter(pl.col("billing_period") == period)
        state.profiles[key].append(period_profile)
        state.checked[key] |= set(sf.checks)
        state.files[key].append(
            {
                "name": sf.path.name,
                "path": shown,
                "sha256": digest,
                "format": sf.format,
                "rows": int(period_profile["rows"].sum()),
            }
        )


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
                state = state or _Staged()
                stage_all(staging, state)
                return _reconcile_and_commit(
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

    def stage_all(staging: Path, state: _Staged) -> None:
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
                _stage(sf, digest, source, staging, state, path in listed)

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

    def stage_all(staging: Path, state: _Staged) -> None:
        for sf, digest in frames:
            _stage(sf, digest, source, staging, state, listed)

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


def _delivery_rules(
    store: BillingStore, state: _Staged, replace: set[str]
) -> tuple[list[str], list[str]]:
    """(refusal lines, notes) of the replacement and delivery rules over this call."""
    refusals, notes = [], []
    for key in sorted(state.deliveries, key=lambda k: (k.source, k.billing_period)):
        delivery = state.deliveries[key]
        own = [p for p in delivery.parts if not p.carried and not p.listed]
        if len(own) > 1:  # only then: which line items the files share
            for p in own:
                p.fingerprints, p.sample_every = line_item_fingerprints(p.staged, p.rows)
        twice = duplicate_deliveries(delivery)
        if twice:
            refusals.append(twice)
            continue
        old = store.manifest(key)
        forced = key.billing_period in replace
        refused = replacement_refusal(delivery, old, forced)
        if not refused and old is not None and old.get("complete", True):
            refused = other_bill_refusal(delivery, store.scope(key), forced)
        if refused:
            refusals.append(refused)
        elif delivery.complete:
            for p in delivery.parts:
                if p.carried:
                    notes.append(
                        f"{Path(p.file).name} carries {p.rows:,} row(s) of "
                        f"{key.billing_period}; stored with that period's delivery"
                    )
        else:
            notes.append(
                f"{key.billing_period} ({key.source}): only {delivery.rows:,} row(s) carried "
                "by files of other periods; stored as a partial period, which the period's "
                "own delivery will replace"
            )
    return refusals, notes


def _reconcile_and_commit(
    store: BillingStore,
    state: _Staged,
    ingest_id: str,
    now: datetime,
    open_periods: set[str],
    replace: set[str] | None = None,
) -> IngestReport:
    results: list[PeriodResult] = []
    to_commit: dict[PartitionKey, tuple[Path, dict[str, Any]]] = {}
    restatements: list[dict[str, Any]] = []
    refusals, notes = _delivery_rules(store, state, replace or set())
    if refusals:
        raise DeliveryRefused("\n".join(refusals), parameters=("replace", "store_as"))
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
        # engine rollups (ingest_staged) carry no per-file profile: a whole-source delivery
        delivery = state.deliveries.get(key) or PeriodDelivery(key.source, key.billing_period)
        untils = [p.charge_until for p in delivery.parts if p.charge_until is not None]
        charges_until = max(untils).isoformat() if untils else None
        restatement = None if same else find_restatement(old, totals, status, charges_until)
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
                "complete": delivery.complete,
                "charges_until": charges_until,
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
                    restatement=_restatement_of(restatement, currency),
                    complete=delivery.complete,
                )
            )
    if to_commit:
        store.commit(to_commit, restatements, ingest_id)
    return IngestReport(
        periods=results, files=state.report_files, skipped=state.skipped, notes=notes
    )


def _restatement_of(restatement: dict[str, Any] | None, currency: str) -> dict[str, Any] | None:
    change = (restatement or {}).get("changes", {}).get(currency)
    if change is None:
        return None
    return {
        **change,
        "previous_status": restatement["previous_status"],  # type: ignore[index]
        "charges_until": restatement.get("charges_until"),  # type: ignore[union-attr]
        "previous_charges_until": restatement.get("previous_charges_until"),  # type: ignore[union-attr]
    }


def _key_dir(key: PartitionKey) -> str:
    return f"{key.source.replace('/', '_')}__{key.billing_period}"
