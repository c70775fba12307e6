"""An engine's answer into the store: split, checked, reconciled, committed.

Every engine (Spark, Athena, DuckDB in tests) runs the one statement of
:func:`forecaster.engines.sql.rollup_statement` and hands back its result as a polars frame.
This module turns it into rollup partitions and commits them through
:func:`forecaster.ingest.ingest_staged`: the same lock, staging, reconciliation to the cent
(the rollup's sums and line-item count against the engine's own source totals, per billing
period and currency), replacement and restatement rules as a local ingest.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import polars as pl

from forecaster import columns as C
from forecaster.engines.rollup import LINE_ITEM_COUNT, MEASURES, RollupSpec, finish
from forecaster.engines.sql import ROW_KIND
from forecaster.errors import InputError
from forecaster.ingest import ingest_staged
from forecaster.ingest_commit import IngestReport
from forecaster.source_profile import period_label
from forecaster.store import PartitionKey
from forecaster.store.replacement import FilePeriod, PeriodDelivery


@dataclass
class EngineRun:
    """What one engine job produced, before it is committed."""

    engine: str  # "spark", "athena", ...
    spec: RollupSpec
    inputs: list[str]  # paths, URIs or "database.table"
    queries: list[str] = field(default_factory=list)  # the SQL text as the engine ran it
    formats: set[str] = field(default_factory=set)
    checked: set[str] = field(default_factory=set)
    rollups: list[pl.DataFrame] = field(default_factory=list)  # raw rollup branch results
    totals: list[pl.DataFrame] = field(default_factory=list)  # source branch results
    details: dict[str, Any] = field(default_factory=dict)  # e.g. Athena query ids, bytes

    def add_result(self, result: pl.DataFrame, meta: dict[str, Any], where: str) -> None:
        """Split one statement's result into its rollup and source rows and check the source."""
        if ROW_KIND not in result.columns or result.height == 0:
            raise InputError(f"{where}: the engine returned no rows (an empty table or period?)")
        kind = pl.col(ROW_KIND)
        source = result.filter(kind == "source")
        for i, (column, what) in enumerate(meta["bad_columns"]):
            count = int(source[f"bad_{i}"].cast(pl.Int64).fill_null(0).sum())
            if count:
                raise InputError(
                    f"{where}: column {column}: {count} value(s) are not {what}; "
                    "`forecaster ingest billing --engine local` names the first one"
                )
        if source.filter(pl.col(C.BILLING_PERIOD_START).is_null()).height:
            raise InputError(
                f"{where}: the billing period start is empty on some rows; every charge needs "
                "its billing period"
            )
        if source.filter(pl.col(C.BILLING_CURRENCY).is_null()).height:
            raise InputError(
                f"{where}: the billing currency is empty on some rows; every charge needs its "
                "currency"
            )
        if int(source[LINE_ITEM_COUNT].sum() or 0) == 0:
            raise InputError(f"{where}: the source has no rows")
        self.formats.add(meta["format"])
        self.checked |= set(meta["checks"])
        self.rollups.append(result.filter(kind == "rollup").drop(ROW_KIND))
        self.totals.append(_source_totals(source, meta["checks"]))

    def rollup(self, source: str) -> pl.DataFrame:
        """Every result's rollup in the stored schema, re-summed across results."""
        keep = [*self.spec.group_columns, *MEASURES, LINE_ITEM_COUNT]
        frames = [r.select(keep) for r in self.rollups]
        frame = pl.concat(frames, how="vertical_relaxed")
        if len(frames) > 1:
            frame = frame.group_by(list(self.spec.group_columns)).agg(
                pl.col([*MEASURES, LINE_ITEM_COUNT]).sum()
            )
        return finish(frame, self.spec, source).collect()


def _source_totals(source: pl.DataFrame, checks: list[str]) -> pl.DataFrame:
    """Source rows as the reconciliation profile: billing_period, _currency, rows, src_*."""
    start = source[C.BILLING_PERIOD_START]
    period = pl.col(C.BILLING_PERIOD_START)
    if start.dtype == pl.String:
        from forecaster.billing.parse import parse_utc

        period = parse_utc(period, pl.String)
    return source.select(
        period_label(period).alias("billing_period"),
        pl.col(C.BILLING_CURRENCY).alias("_currency"),
        pl.col(LINE_ITEM_COUNT).cast(pl.Int64).alias("rows"),
        *[pl.col(f"src_{m}").cast(pl.Float64).fill_null(0.0).alias(f"src_{m}") for m in checks],
    )


def _digest(frame: pl.DataFrame) -> str:
    """A checksum of a period's rollup (same content, same checksum: nothing changes)."""
    digest = hashlib.sha256()
    for column in frame.columns:
        digest.update(column.encode())
        digest.update(frame[column].hash(seed=0).to_numpy().tobytes())
    return digest.hexdigest()


def commit_run(
    run: EngineRun,
    store_dir: str | Path,
    source: str,
    now: datetime | None = None,
    lock_timeout: float | None = None,
    replace: set[str] | frozenset[str] = frozenset(),
) -> IngestReport:
    """Write ``run``'s rollup partitions (one per billing period) and commit them, under the
    store's replacement rules (``replace``: periods that may replace regardless)."""
    from forecaster.ingest_staging import partition_dir

    rollup = run.rollup(source)
    totals = pl.concat(run.totals, how="diagonal_relaxed")
    fmt = "+".join(sorted(run.formats))

    def stage_all(staging: Path, state) -> None:
        periods = sorted(totals["billing_period"].unique().to_list())
        labelled = rollup.with_columns(
            period_label(pl.col(C.BILLING_PERIOD_START)).alias("_period")
        )
        for period in periods:
            key = PartitionKey(source, period)
            part = labelled.filter(pl.col("_period") == period).drop("_period")
            profile = totals.filter(pl.col("billing_period") == period)
            out = staging / partition_dir(key) / "part-00000-0000.parquet"
            out.parent.mkdir(parents=True, exist_ok=True)
            part.write_parquet(out, compression="zstd", statistics=True)
            line_items = int(profile["rows"].sum())
            state.deliveries[key] = _delivery(run, source, period, part, profile, line_items)
            state.parts[key].append(out)
            state.profiles[key].append(profile)
            state.checked[key] |= run.checked
            state.files[key].append(
                {
                    "name": f"{run.engine} rollup",
                    "path": ", ".join(run.inputs),
                    "sha256": _digest(part),
                    "format": fmt,
                    "rows": line_items,
                }
            )
            state.manifest_extra[key] = {
                "engine": run.engine,
                "query": run.queries,
                "line_items": line_items,
                "rollup_rows": part.height,
                "rollup": run.spec.describe(),
                "source_totals": {
                    row["_currency"]: {
                        "rows": row["rows"],
                        **{k: row[k] for k in row if k.startswith("src_")},
                    }
                    for row in profile.group_by("_currency")
                    .agg(pl.exclude("billing_period").sum())
                    .iter_rows(named=True)
                },
                **({"engine_details": run.details} if run.details else {}),
            }
        state.report_files.append(
            {
                "file": ", ".join(run.inputs),
                "format": fmt,
                "source": source,
                "sha256": _digest(rollup),
                "rows": int(totals["rows"].sum()),
                "engine": run.engine,
            }
        )

    return ingest_staged(
        store_dir, stage_all, source, run.inputs, now=now, lock_timeout=lock_timeout,
        replace=replace,
    )  # fmt: skip


def _delivery(run: EngineRun, source: str, period: str, part: pl.DataFrame,
              profile: pl.DataFrame, line_items: int) -> PeriodDelivery:  # fmt: skip
    """The period as one whole delivery, for the store's replacement and delivery rules."""
    scope = part.select(C.PROVIDER_NAME, C.BILLING_ACCOUNT_ID).unique()
    return PeriodDelivery(
        source,
        period,
        [
            FilePeriod(
                file=", ".join(run.inputs),
                folder="",
                period=period,
                rows=line_items,
                billed={
                    r["_currency"]: float(r.get(f"src_{C.BILLED_COST}") or 0.0)
                    for r in profile.iter_rows(named=True)
                },
                scope={f"{a}|{b}" for a, b in scope.iter_rows()},
                charge_from=part[C.CHARGE_PERIOD_START].min(),  # type: ignore[arg-type]
                charge_until=part[C.CHARGE_PERIOD_END].max(),  # type: ignore[arg-type]
            )
        ],
    )
