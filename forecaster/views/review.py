"""The monthly review's bridge: items are the workloads (with their curve decomposition) and
the services no workload claims (without one), so new and retired services show up too."""

from __future__ import annotations

from typing import Any

import polars as pl

from forecaster import columns as C
from forecaster.curves import month_bridge, monthly_components
from forecaster.views.workloads import WorkloadFit
from forecaster.workloads import Workload, matches

ROW_MONEY = ("cost", "list_cost", "contracted_cost")
UNCLAIMED_PREFIX = "unclaimed: "


def workload_rows(
    fits: dict[str, WorkloadFit], series: pl.DataFrame, currency: str
) -> pl.DataFrame:
    """Bridge rows (item, month, cost, list_cost, contracted_cost and the decomposition's
    parts) for each workload billed in ``currency``; every period of the series counts, the
    parts only where the curve was fitted."""
    frames = []
    for fit in fits.values():
        if fit.currency != currency:
            continue
        periods = series.filter(pl.col("workload") == fit.name).select(
            "period_start", *[pl.col(c).fill_null(0.0) for c in ROW_MONEY]
        )
        if fit.decomposition is not None and "period_start" in fit.decomposition.columns:
            parts = fit.decomposition.drop("cost", "load")
            periods = periods.join(parts, on="period_start", how="left")
        frames.append(monthly_components(periods, fit.name))
    return pl.concat(frames, how="diagonal_relaxed") if frames else pl.DataFrame()


def unclaimed_rows(charges: pl.LazyFrame, workloads: list[Workload], currency: str) -> pl.DataFrame:
    """Bridge rows for cost no workload claims, one item per provider and service.

    A row claimed with share s by the workloads matching it leaves (1 - s) unclaimed. The
    month is the charge period's (UTC), as for the workloads' series.
    """
    claimed = pl.sum_horizontal(
        [pl.when(matches(w)).then(pl.lit(w.cost.share)).otherwise(0.0) for w in workloads]
        or [pl.lit(0.0)]
    )
    left = (1.0 - claimed).clip(lower_bound=0.0)
    src = {"cost": C.EFFECTIVE_COST, "list_cost": C.LIST_COST, "contracted_cost": C.CONTRACTED_COST}
    item = pl.format(
        UNCLAIMED_PREFIX + "{}: {}",
        pl.col(C.PROVIDER_NAME).fill_null("(none)"),
        pl.col(C.SERVICE_NAME).fill_null("(none)"),
    )
    return (
        charges.filter(pl.col(C.BILLING_CURRENCY) == currency)
        .with_columns(left.alias("_left"))
        .filter(pl.col("_left") > 0)
        .group_by(
            item.alias("item"), pl.col(C.CHARGE_PERIOD_START).dt.strftime("%Y-%m").alias("month")
        )
        .agg([(pl.col(s).fill_null(0.0) * pl.col("_left")).sum().alias(d) for d, s in src.items()])
        .sort("item", "month")
        .collect()
    )


def bridge_rows(
    fits: dict[str, WorkloadFit],
    series: pl.DataFrame,
    charges: pl.LazyFrame,
    workloads: list[Workload],
    currency: str,
) -> pl.DataFrame:
    """Workload rows and unclaimed service rows together, ready for ``month_bridge``."""
    parts = [workload_rows(fits, series, currency), unclaimed_rows(charges, workloads, currency)]
    parts = [p for p in parts if p.height]
    if not parts:
        return pl.DataFrame(schema={"item": pl.String, "month": pl.String, "cost": pl.Float64})
    return pl.concat(parts, how="diagonal_relaxed").sort("item", "month")


def months(rows: pl.DataFrame) -> list[str]:
    """The months the rows cover, oldest first."""
    return sorted(rows["month"].unique().to_list()) if rows.height else []


def review_bridge(rows: pl.DataFrame, month: str) -> dict[str, Any]:
    """``month_bridge`` from the month before ``month`` to ``month``."""
    return month_bridge(rows, month)


def steps_table(bridge: dict[str, Any]) -> pl.DataFrame:
    """The bridge as rows: previous total, one row per step, new total (``amount`` in the
    currency, ``items`` naming the new or retired services)."""
    rows = [{"step": f"total {bridge['previous_month']}", "amount": bridge["previous_cost"]}]
    for s in bridge["steps"]:
        names = ", ".join(i["item"] for i in s.get("items", []))
        rows.append({"step": s["kind"], "amount": s["usd"], "items": names})
    rows.append({"step": f"total {bridge['month']}", "amount": bridge["cost"]})
    return pl.DataFrame(rows, schema={"step": pl.String, "amount": pl.Float64, "items": pl.String})


def items_table(bridge: dict[str, Any]) -> pl.DataFrame:
    """The bridge's per-item breakdown, biggest change first."""
    frame = pl.DataFrame(bridge["by_item"])
    if frame.height == 0:
        return frame
    return frame.with_columns((pl.col("cost") - pl.col("previous_cost")).alias("change")).sort(
        pl.col("change").abs(), descending=True
    )


def month_findings(findings: pl.DataFrame, month: str, currency: str) -> pl.DataFrame:
    """The findings that concern ``month`` in ``currency``: every money-per-month finding
    (idle baseline, scaling excess, efficiency drift) and the anomalies inside the month."""
    mine = findings.filter(pl.col("currency") == currency)
    return mine.filter(
        (pl.col("per") == "month") | pl.col("period_start").str.starts_with(month)
    ).sort("workload", "kind", "period_start")
