"""The Data page's tables: what the store holds and what is wrong with it.

Sources and billing periods come from the billing catalog (per source, period and currency,
with open or closed status), overlapping sources from ``forecaster.store.billing``'s
``partition_overlaps`` (the check ``forecaster store status`` makes), restatements from the
catalog's record of replaced periods, load series from the load catalog, coverage from the
workloads' cost x load join.
"""

from __future__ import annotations

from typing import Any

import polars as pl

from forecaster.errors import clip

CENT = 0.005
COMMANDS = "curves, bridge, tco, review and workloads"
"""The ``forecaster`` commands whose ``--source`` option keeps only some billing sources."""

PERIODS_SCHEMA: dict[str, pl.DataType] = {
    "source": pl.String(),
    "billing_period": pl.String(),
    "currency": pl.String(),
    "status": pl.String(),
    "rows": pl.Int64(),
    "billed_cost": pl.Float64(),
    "effective_cost": pl.Float64(),
    "list_cost": pl.Float64(),
    "files": pl.String(),
    "ingested_at": pl.String(),
}

RESTATEMENTS_SCHEMA: dict[str, pl.DataType] = {
    "source": pl.String(),
    "billing_period": pl.String(),
    "currency": pl.String(),
    "before": pl.Float64(),
    "after": pl.Float64(),
    "change": pl.Float64(),
    "flagged": pl.Boolean(),
    "previous_status": pl.String(),
    "at": pl.String(),
}


def periods_table(partitions: list[dict[str, Any]]) -> pl.DataFrame:
    """One row per (source, billing period, currency): status, rows, totals, files."""
    rows = [
        {
            "source": p["source"],
            "billing_period": p["billing_period"],
            "currency": currency,
            "status": p["status"],
            "rows": t["rows"],
            "billed_cost": t["billed_cost"],
            "effective_cost": t["effective_cost"],
            "list_cost": t["list_cost"],
            "files": ", ".join(f["name"] for f in p.get("files", [])),
            "ingested_at": p.get("ingested_at", "")[:19].replace("T", " "),
        }
        for p in partitions
        for currency, t in sorted(p.get("totals", {}).items())
    ]
    return pl.DataFrame(rows, schema=PERIODS_SCHEMA)


def sources_table(partitions: list[dict[str, Any]]) -> pl.DataFrame:
    """One row per store source: formats, first and last period, open periods, rows."""
    frame = pl.DataFrame(
        [
            {
                "source": p["source"],
                "format": ", ".join(sorted({f.get("format", "?") for f in p.get("files", [])})),
                "billing_period": p["billing_period"],
                "open": p["status"] != "closed",
                "rows": p.get("rows", 0),
            }
            for p in partitions
        ],
        schema={
            "source": pl.String,
            "format": pl.String,
            "billing_period": pl.String,
            "open": pl.Boolean,
            "rows": pl.Int64,
        },
    )
    return (
        frame.group_by("source")
        .agg(
            pl.col("format").unique().sort().str.join(", ").alias("formats"),
            pl.col("billing_period").min().alias("first_period"),
            pl.col("billing_period").max().alias("last_period"),
            pl.len().alias("periods"),
            pl.col("billing_period").filter(pl.col("open")).sort().str.join(", ").alias("open"),
            pl.col("rows").sum(),
        )
        .sort("source")
    )


def restatements_table(catalog: dict[str, Any]) -> pl.DataFrame:
    """One row per restated (source, period, currency): BilledCost before and after, and
    whether it was flagged (a closed month shrinking by more than the threshold)."""
    rows = [
        {
            "source": r.get("source"),
            "billing_period": r.get("billing_period"),
            "currency": currency,
            "before": c.get("before"),
            "after": c.get("after"),
            "change": c.get("change"),
            "flagged": bool(c.get("flagged")),
            "previous_status": r.get("previous_status"),
            "at": str(r.get("at", ""))[:19].replace("T", " "),
        }
        for r in catalog.get("restatements", [])
        for currency, c in sorted(r.get("changes", {}).items())
    ]
    return pl.DataFrame(rows, schema=RESTATEMENTS_SCHEMA).sort("at", descending=True)


def load_table(load_partitions: list[dict[str, Any]]) -> pl.DataFrame:
    """One row per load series (source, metric, unit): months, first and last sample, rows."""
    schema = {
        "source": pl.String,
        "metric": pl.String,
        "unit": pl.String,
        "month": pl.String,
        "start": pl.String,
        "end": pl.String,
        "rows": pl.Int64,
    }
    frame = pl.DataFrame(
        [{k: p.get(k) for k in schema} for p in load_partitions],
        schema=schema,
    )
    return (
        frame.group_by("source", "metric", "unit")
        .agg(
            pl.len().alias("months"),
            pl.col("start").min().str.slice(0, 16).str.replace("T", " ").alias("first"),
            pl.col("end").max().str.slice(0, 16).str.replace("T", " ").alias("last"),
            pl.col("rows").sum(),
        )
        .sort("metric", "source")
    )


def reconciliation_problems(partitions: list[dict[str, Any]]) -> list[str]:
    """Stored partitions whose manifest totals differ from the source by a cent or more
    (the ingest refuses these, so any hit means a store written by other means)."""
    out = []
    for p in partitions:
        for currency, cols in p.get("reconciliation", {}).items():
            for column, pair in cols.items():
                src, stored = pair.get("source"), pair.get("stored")
                if src is not None and stored is not None and abs(src - stored) >= CENT:
                    out.append(
                        f"{p['source']} {p['billing_period']} {currency} {column}: stored "
                        f"{stored:,.2f}, source {src:,.2f}"
                    )
    return out


def coverage_problems(coverage: pl.DataFrame) -> list[str]:
    """Workloads with periods that have cost but no load, or load but no cost."""
    out = []
    for row in coverage.iter_rows(named=True):
        if row["cost_only"]:
            out.append(
                f"workload {row['workload']}: {row['cost_only']} period(s) with cost but no "
                "load (left out of its cost curve)"
            )
        if row["load_only"]:
            out.append(
                f"workload {row['workload']}: {row['load_only']} period(s) with load but no cost"
            )
    return out


def ingest_errors_table(failures: list[dict[str, Any]]) -> pl.DataFrame:
    """Failed ingests, newest first: when, kind, inputs and the error message."""
    rows = [
        {
            "at": f.get("at", "")[:19].replace("T", " "),
            "kind": f.get("kind", ""),
            "inputs": clip(", ".join(map(str, f.get("inputs", []))), 500),
            "error": clip(str(f.get("error", "")), 2000),
        }
        for f in failures
    ]
    schema = {"at": pl.String, "kind": pl.String, "inputs": pl.String, "error": pl.String}
    return pl.DataFrame(rows, schema=schema)


def overlap_warning(overlaps: list[dict[str, Any]]) -> dict[str, Any] | None:
    """What to tell a reader when sources overlap (``partition_overlaps``): a ``title``, the
    ``why``, one line per (billing period, currency) naming its sources, and ``advice`` on
    the ``--source`` choice that counts each period once. None without overlaps."""
    if not overlaps:
        return None
    n = len({o["billing_period"] for o in overlaps})
    groups = sorted({tuple(o["sources"]) for o in overlaps})
    if len(groups) == 1:
        choice = "keep one of them with " + " or ".join(f"`--source {s}`" for s in groups[0])
    else:
        choice = "keep one source of each period listed with `--source` (repeatable)"
    return {
        "title": f"Possible double counting: {n} billing period{'s are' if n > 1 else ' is'} "
        "held by more than one source.",
        "why": "The dashboard's spend adds all sources together, so these periods count "
        "twice when the sources bill the same accounts (e.g. Cost Explorer and a CUR for the "
        "same months).",
        "lines": [
            f"{o['billing_period']} {o['currency']}: {', '.join(o['sources'])}" for o in overlaps
        ],
        "advice": "The dashboard has no source filter. For figures that count each period "
        f"once, {choice} in forecaster {COMMANDS}; the Sources table of the Data page lists "
        "the periods each source holds.",
    }
