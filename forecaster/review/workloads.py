"""The pack's workload sections: cost and unit cost per workload, the cost curves behind the
findings, and the findings ranked by money.

Money per workload is its claimed share of the billing rows of the month (billing period,
as the headline), so workloads plus the unclaimed rows add up to the headline effective
cost to the cent. Curves are fitted on daily cost and load up to the end of the reviewed
month only: a pack never uses data from after its month.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import polars as pl

from forecaster import columns as C
from forecaster.portfolio import WorkloadFit, fit_series
from forecaster.review.pack import Table
from forecaster.review.spend import MONEY_SOURCES, apportion_columns, billing_month
from forecaster.workloads import Workload, matches
from forecaster.workloads.series import workload_load

UNCLAIMED = "(no workload)"
UNCLAIMED_PREFIX = "unclaimed: "
MONEY = list(MONEY_SOURCES)
PER_MONTH_KINDS = ("idle_baseline", "scaling_excess", "efficiency_drift")


def cost_items(
    charges: pl.LazyFrame, workloads: list[Workload], months: list[str], totals: pl.DataFrame
) -> pl.DataFrame:
    """Per month and currency, one row per workload and one per unclaimed provider/service.

    Columns: month, currency, kind ("workload" | "unclaimed"), item, billed_cost,
    effective_cost, list_cost, contracted_cost, rounded to the cent so that the items of a
    (month, currency) add up exactly to ``totals``.
    """
    base = charges.with_columns(billing_month()).filter(pl.col("month").is_in(months))
    parts = []
    for w in workloads:
        parts.append(
            base.filter(matches(w))
            .group_by("month", pl.col(C.BILLING_CURRENCY).alias("currency"))
            .agg(
                [
                    (pl.col(s).fill_null(0.0) * w.cost.share).sum().alias(o)
                    for o, s in MONEY_SOURCES.items()
                ]
            )
            .with_columns(pl.lit("workload").alias("kind"), pl.lit(w.name).alias("item"))
        )
    claimed = pl.sum_horizontal(
        [pl.when(matches(w)).then(pl.lit(w.cost.share)).otherwise(0.0) for w in workloads]
        or [pl.lit(0.0)]
    )
    left = (1.0 - claimed).clip(lower_bound=0.0)
    item = pl.format(
        UNCLAIMED_PREFIX + "{} / {}",
        pl.col(C.PROVIDER_NAME).fill_null("(none)"),
        pl.col(C.SERVICE_NAME).fill_null("(none)"),
    )
    parts.append(
        base.with_columns(left.alias("_left"))
        .filter(pl.col("_left") > 1e-12)
        .group_by("month", pl.col(C.BILLING_CURRENCY).alias("currency"), item.alias("item"))
        .agg(
            [
                (pl.col(s).fill_null(0.0) * pl.col("_left")).sum().alias(o)
                for o, s in MONEY_SOURCES.items()
            ]
        )
        .with_columns(pl.lit("unclaimed").alias("kind"))
    )
    cols = ["month", "currency", "kind", "item", *MONEY]
    frame = (
        pl.concat([p.select(cols) for p in parts])
        .collect()
        .sort("month", "currency", pl.col("kind") != "workload", "item")
    )
    return apportion_columns(frame, ["month", "currency"], MONEY, totals)


def monthly_load(samples: pl.LazyFrame, workloads: list[Workload], months: list[str]):
    """Per workload and month: load (the driver metric rolled up over the month)."""
    rows = []
    for w in workloads:
        load = workload_load(samples, w, "month")
        for r in load.iter_rows(named=True):
            month = r["period_start"].strftime("%Y-%m")
            if month in months:
                rows.append({"item": w.name, "month": month, "load": r["load"]})
    return pl.DataFrame(rows, schema={"item": pl.String, "month": pl.String, "load": pl.Float64})


def _unit_cost(cost: pl.Expr, load: pl.Expr) -> pl.Expr:
    return pl.when(load > 0).then(cost / load * 1000.0)


WORKLOAD_KINDS = {
    "effective_cost": "money",
    "billed_cost": "money",
    "list_cost": "money",
    "previous_effective_cost": "money",
    "change": "money",
    "share_of_month": "ratio",
    "load": "number",
    "previous_load": "number",
    "unit_cost": "unit_money",
    "previous_unit_cost": "unit_money",
    "unit_cost_change_ratio": "ratio",
}


def workload_table(
    items: pl.DataFrame,
    loads: pl.DataFrame,
    workloads: list[Workload],
    month: str,
    previous: str,
) -> Table:
    """Cost, load and unit cost (money per 1,000 load units) per workload, with the previous
    month, and one row per currency for the cost no workload claims."""
    units = {w.name: w.load.unit or "units" for w in workloads}
    items = items.with_columns(
        pl.when(pl.col("kind") == "workload")
        .then(pl.col("item"))
        .otherwise(pl.lit(UNCLAIMED))
        .alias("workload")
    )
    grouped = items.group_by("month", "currency", "workload").agg(
        pl.col(["effective_cost", "billed_cost", "list_cost"]).sum().round(2)
    )
    with_load = grouped.join(
        loads.rename({"item": "workload"}), on=["workload", "month"], how="left"
    )
    now = with_load.filter(pl.col("month") == month).drop("month")
    before = with_load.filter(pl.col("month") == previous).select(
        "currency",
        "workload",
        pl.col("effective_cost").alias("previous_effective_cost"),
        pl.col("load").alias("previous_load"),
    )
    totals = now.group_by("currency").agg(pl.col("effective_cost").sum().alias("_total"))
    frame = (
        now.join(before, on=["currency", "workload"], how="full", coalesce=True)
        .with_columns(
            pl.col(
                ["effective_cost", "billed_cost", "list_cost", "previous_effective_cost"]
            ).fill_null(0.0)
        )
        .join(totals, on="currency", how="left")
        .with_columns(
            (pl.col("effective_cost") - pl.col("previous_effective_cost")).round(2).alias("change"),
            pl.when(pl.col("_total") != 0)
            .then(pl.col("effective_cost") / pl.col("_total"))
            .alias("share_of_month"),
            pl.col("workload").replace_strict(units, default=None).alias("load_unit"),
            _unit_cost(pl.col("effective_cost"), pl.col("load")).alias("unit_cost"),
            _unit_cost(pl.col("previous_effective_cost"), pl.col("previous_load")).alias(
                "previous_unit_cost"
            ),
        )
        .with_columns(
            pl.when(pl.col("previous_unit_cost") > 0)
            .then(pl.col("unit_cost") / pl.col("previous_unit_cost") - 1.0)
            .alias("unit_cost_change_ratio")
        )
        .sort(["currency", pl.col("workload") == UNCLAIMED, "workload"])
        .select(
            "workload",
            "currency",
            "effective_cost",
            "billed_cost",
            "list_cost",
            "previous_effective_cost",
            "change",
            "share_of_month",
            "load",
            "load_unit",
            "previous_load",
            "unit_cost",
            "previous_unit_cost",
            "unit_cost_change_ratio",
        )
    )
    return Table(
        name="by_workload",
        title="Cost and unit cost by workload",
        frame=frame,
        kinds=WORKLOAD_KINDS,
        description=(
            f"Each workload's share of {month}'s billing rows (effective cost), its load and "
            "its unit cost: money per 1,000 load units (per 1,000 requests, GB, jobs... as "
            f"the load unit says), against {previous}. '{UNCLAIMED}' is the cost no workload "
            "claims; with it the rows add up to the headline effective cost."
        ),
    )


def fit_before(
    series: pl.DataFrame, workloads: list[Workload], end: datetime
) -> dict[str, WorkloadFit]:
    """Fit each workload's daily cost against load on the periods before ``end`` (UTC)."""
    return fit_series(series, workloads, "day", end=end, random_state=0)


def _ci(values: list[float] | None, i: int) -> float | None:
    return float(values[i]) if values else None


CURVE_KINDS = {
    "days": "integer",
    "r2": "number",
    "fixed_cost_per_month": "money",
    "fixed_cost_low": "money",
    "fixed_cost_high": "money",
    "marginal_cost_per_1000": "unit_money",
    "exponent": "number",
    "exponent_low": "number",
    "exponent_high": "number",
    "current_cost_per_month": "money",
}


def curves_table(fits: dict[str, WorkloadFit]) -> Table:
    """The fitted cost curve of each workload: cost = F + v * load ** k per day."""
    rows = []
    for name in sorted(fits):
        fit = fits[name]
        s = fit.summary
        row: dict[str, Any] = {"workload": name, "currency": fit.currency, "model": s["model"]}
        if s["model"] is None:
            row["note"] = f"cannot fit: {s['reason']}"
        else:
            ppm = (
                s["fixed_cost_per_month"] / s["fixed_cost_per_day"]
                if s["fixed_cost_per_day"]
                else 30.4375
            )
            row.update(
                {
                    "days": s["n_periods"],
                    "r2": s["r2"],
                    "fixed_cost_per_month": s["fixed_cost_per_month"],
                    "fixed_cost_low": None
                    if not s["fixed_cost_ci"]
                    else s["fixed_cost_ci"][0] * ppm,
                    "fixed_cost_high": None
                    if not s["fixed_cost_ci"]
                    else s["fixed_cost_ci"][1] * ppm,
                    "marginal_cost_per_1000": s["marginal_cost"] * 1000.0,
                    "exponent": s["exponent"],
                    "exponent_low": _ci(s.get("exponent_ci"), 0),
                    "exponent_high": _ci(s.get("exponent_ci"), 1),
                    "current_cost_per_month": s["current_cost_per_month"],
                    "note": "; ".join(s.get("warnings", [])),
                }
            )
        rows.append(row)
    schema: dict[str, pl.DataType] = {
        "workload": pl.String(),
        "currency": pl.String(),
        "model": pl.String(),
    }
    schema.update(
        {c: pl.Int64() if k == "integer" else pl.Float64() for c, k in CURVE_KINDS.items()}
    )
    schema["note"] = pl.String()
    money = [c for c, k in CURVE_KINDS.items() if k == "money"]
    return Table(
        name="cost_curves",
        title="Cost curves (cost against load)",
        frame=pl.DataFrame(rows, schema=schema).with_columns(pl.col(money).round(2)),
        kinds=CURVE_KINDS,
        description=(
            "Daily cost fitted against daily load up to the end of the month: cost = F + v * "
            "load^k (linear: k = 1; step: capacity steps). the fixed cost is F per month with its "
            "90% interval, marginal cost is per 1,000 load units at the reference load, "
            "exponent k above 1 means cost grows faster than load."
        ),
    )


FINDING_KINDS = {"rank": "integer", "amount": "money", "low": "money", "high": "money"}


def findings_table(fits: dict[str, WorkloadFit], month: str) -> Table:
    """Idle baselines, scaling excess, efficiency drift (money per month) and the month's
    load-aware anomalies (the day's unexplained money), ranked by money, largest first."""
    rows = []
    for name in sorted(fits):
        fit = fits[name]
        for f in fit.summary.get("findings", []) if fit.summary["model"] else []:
            period = None
            if f["kind"] == "anomaly":
                period = str(f.get("period_start", ""))[:10]
                if period[:7] != month:
                    continue  # the pack reports the month's anomalies, not older ones
            ci = f.get("ci") or f.get("interval")
            rows.append(
                {
                    "workload": name,
                    "currency": fit.currency,
                    "kind": f["kind"],
                    "amount": float(f["amount_per_month"]),
                    "per": "month" if f["kind"] in PER_MONTH_KINDS else "day",
                    "low": _ci(ci, 0) if f["kind"] != "anomaly" else None,
                    "high": _ci(ci, 1) if f["kind"] != "anomaly" else None,
                    "period": period,
                    "evidence": f["detail"],
                }
            )
    schema = {
        "workload": pl.String,
        "currency": pl.String,
        "kind": pl.String,
        "amount": pl.Float64,
        "per": pl.String,
        "low": pl.Float64,
        "high": pl.Float64,
        "period": pl.String,
        "evidence": pl.String,
    }
    frame = (
        pl.DataFrame(rows, schema=schema)
        .with_columns(pl.col("amount", "low", "high").round(2))
        .sort(["amount", "workload", "kind", "period"], descending=[True, False, False, False])
    )
    frame = frame.with_row_index("rank", offset=1).with_columns(pl.col("rank").cast(pl.Int64))
    return Table(
        name="findings",
        title="Findings ranked by money",
        frame=frame,
        kinds=FINDING_KINDS,
        description=(
            "What the cost curves find, largest money first: idle baseline (cost at zero "
            "load), scaling excess (cost above linear scaling), efficiency drift (cost rising "
            f"at equal load), all per month; and the anomalies of {month} (a day's cost "
            "outside the curve's 99.9% prediction interval for the load seen; money of that "
            "day). low/high: 90% interval."
        ),
    )


def waste_table(fits: dict[str, WorkloadFit], month: str) -> Table:
    """The month's waste candidates per workload and in total per currency
    (``forecaster.waste.month_waste``: the figures the dashboard and ``forecaster curves
    --json`` show)."""
    from forecaster.waste import DRIFT_BASIS, WASTE_PARTS, month_waste, waste_totals

    per = month_waste(fits, month)
    totals = waste_totals(per).with_columns(pl.lit("total").alias("workload"))
    frame = pl.concat(
        [per.drop("month"), totals.drop("month").select(per.drop("month").columns)]
    ).sort("currency", pl.col("workload") == "total", maintain_order=True)
    return Table(
        name="waste",
        title=f"Waste candidates in {month}",
        frame=frame,
        kinds=dict.fromkeys([*WASTE_PARTS, "waste"], "money"),
        description=(
            f"Per workload, the money of {month} its cost curve attributes to the idle "
            "baseline, to scaling excess (cost above linear scaling, where the exponent's "
            f"interval lies above 1) and to efficiency drift ({DRIFT_BASIS}, where it rises "
            "significantly); waste is their sum, and 'total' their sum per currency. See "
            "the glossary (docs/glossary.md)."
        ),
    )
