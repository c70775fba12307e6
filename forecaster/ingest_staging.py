"""Billing ingest, first half: each source's canonical rows written to staging, one
directory per billing period, and the source profiled from the same rows.

For each file, a profile of the source (rows and exact source cost sums per billing period
and currency, counts of unparseable values and refused rows) and a streaming write of the
canonical rows into a staging directory. Text sources (CSV), where reading is the cost, do
both in one pass over the same rows (``_write_and_profile``); Parquet sources profile their
few typed columns first, then write with polars' own sink (``_profile_then_write``). The
source is validated from the profile, the written rows are split per billing period (moved
when the file holds one period), and what was written is aggregated again from the staged
Parquet (``check_staged``). ``stage_source`` does all of this for one source and records it
in a ``StagedIngest``, which :mod:`forecaster.ingest_commit` reconciles and commits.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import polars as pl

from forecaster import columns as C
from forecaster.billing import SourceFrame
from forecaster.errors import InputError, clip
from forecaster.source_checks import check_staged, staged_stats, validate_source
from forecaster.source_profile import (
    profile_groups,
    profile_inputs,
    profile_of_groups,
    profile_plan,
    profile_source,
    with_month_cells,
)
from forecaster.store import PartitionKey
from forecaster.store.replacement import FilePeriod, PeriodDelivery, mark_carried


@dataclass
class StagedIngest:
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
                charge_from=None,  # from the staged rows (see stage_source)
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
        target = staging / partition_dir(PartitionKey(name, period))
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


def stage_source(
    sf: SourceFrame,
    digest: str,
    source: str | None,
    staging: Path,
    state: StagedIngest,
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


def partition_dir(key: PartitionKey) -> str:
    """The staging directory name of one (source, billing period) partition."""
    return f"{key.source.replace('/', '_')}__{key.billing_period}"
