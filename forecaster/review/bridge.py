"""The month-over-month bridge, per currency, as finance reads it: a waterfall from last
month's effective cost to this month's.

Items are the workloads (with their cost-curve decomposition: fixed, organic, scaling
excess, drift) and the cost no workload claims, one item per provider and service (without
a decomposition, so their change is residual, or new/retired service). The arithmetic is
``forecaster.curves.month_bridge``: every step is in cents and the steps add up exactly to
the change, whose ends are the headline totals.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import polars as pl

from forecaster import columns as C
from forecaster.curves import month_bridge, monthly_components
from forecaster.curves.bridge_result import BridgeDocument, BridgeStep, MonthBridge
from forecaster.curves.decompose import STEPS
from forecaster.errors import InputError
from forecaster.format import label
from forecaster.months import check_month, month_start, shift_month
from forecaster.portfolio import WorkloadFit
from forecaster.review.bill_bridge import BASIS as BILL_BASIS
from forecaster.review.bill_bridge import bill_bridges
from forecaster.review.pack import Table
from forecaster.review.spend import month_totals
from forecaster.review.workloads import cost_items, fit_before
from forecaster.store import read_charges
from forecaster.workloads import Workload, optional_workloads, workload_series
from forecaster.workloads.cost import check_shares

PARTS = ("fixed", "organic", "scaling_excess", "drift")
STEP_MEANING = {
    "volume": "organic growth: load change at the reference marginal cost",
    "scaling_excess": "change of the cost above linear scaling",
    "fixed": "change of the idle baseline",
    "efficiency": "cost change at equal load explained by the fitted drift",
    "rate_price": "effective versus list cost (discounts, commitments, price changes)",
    "new_services": "items with cost this month and none last month",
    "retired_services": "items with cost last month and none this month",
    "residual": "what the curves do not explain, incl. unclaimed cost changes",
}


def bridge_rows(items: pl.DataFrame, fits: dict[str, WorkloadFit], currency: str) -> pl.DataFrame:
    """Rows for ``month_bridge``: item, month, cost, list_cost, contracted_cost and, for
    fitted workloads, the monthly parts (residual = cost minus the modelled parts)."""
    rows = items.filter(pl.col("currency") == currency).select(
        "item",
        "month",
        "kind",
        pl.col("effective_cost").alias("cost"),
        "list_cost",
        "contracted_cost",
    )
    parts = [
        monthly_components(fit.decomposition, fit.name).select("item", "month", *PARTS)
        for fit in fits.values()
        if fit.decomposition is not None
        and fit.currency == currency
        and "period_start" in fit.decomposition.columns
    ]
    if parts:
        rows = rows.join(pl.concat(parts), on=["item", "month"], how="left")
    else:
        rows = rows.with_columns([pl.lit(None, dtype=pl.Float64).alias(p) for p in PARTS])
    workload = pl.col("kind") == "workload"
    rows = rows.with_columns(
        [pl.when(workload).then(pl.col(p)).alias(p) for p in PARTS]
    ).with_columns(
        (pl.col("cost") - pl.col("fixed") - pl.col("organic") - pl.col("scaling_excess")).alias(
            "residual"
        )
    )
    return rows.drop("kind").sort("item", "month")


def bridges(
    items: pl.DataFrame, fits: dict[str, WorkloadFit], month: str, previous: str
) -> dict[str, MonthBridge]:
    """``month_bridge`` result per currency (currencies in alphabetical order)."""
    out = {}
    for currency in sorted(set(items["currency"].to_list())):
        rows = bridge_rows(items, fits, currency)
        out[currency] = month_bridge(rows, month, previous).with_currency(currency)
    return out


def _detail(step: BridgeStep, meanings: dict[str, str]) -> str:
    text = meanings[step.kind]
    if step.kind == "rate_price" and (step.negotiated or step.commitment):
        text += f" (negotiated {step.negotiated:,.2f}, commitment {step.commitment:,.2f}"
        if step.list_price:
            text += f", list price per unit {step.list_price:,.2f}"
        text += ")"
    elif step.kind == "rate_price" and step.list_price:
        text += f" (list price per unit {step.list_price:,.2f})"
    names = [i.item for i in step.items or ()]
    if names:
        text += ": " + ", ".join(names)
    return text


def bridge_table(
    results: dict[str, MonthBridge],
    month: str,
    previous: str,
    meanings: dict[str, str] = STEP_MEANING,
) -> Table:
    """The waterfall: per currency the previous total, one row per step, this total.
    ``meanings``: the steps' descriptions (the bill-only bridge has its own steps)."""
    rows = []
    for currency, b in results.items():
        rows.append(
            {
                "currency": currency,
                "step": "previous_month",
                "amount": b.previous_cost,
                "detail": f"effective cost of {previous}",
            }
        )
        for s in b.steps:
            rows.append(
                {
                    "currency": currency,
                    "step": s.kind,
                    "amount": s.amount,
                    "detail": _detail(s, meanings),
                }
            )
        rows.append(
            {
                "currency": currency,
                "step": "this_month",
                "amount": b.cost,
                "detail": f"effective cost of {month}",
            }
        )
    schema = {"currency": pl.String, "step": pl.String, "amount": pl.Float64, "detail": pl.String}
    return Table(
        name="bridge",
        title=f"Bridge {previous} to {month}",
        frame=pl.DataFrame(rows, schema=schema),
        kinds={"amount": "money"},
        description=(
            f"Effective cost of {previous}, the steps of the change and the effective cost of "
            f"{month}, per currency; steps add up exactly (to the cent) to the change. Steps: "
            + "; ".join(f"{label(k).lower()}: {v}" for k, v in meanings.items())
            + "."
        ),
    )


def bridge_items_table(
    results: dict[str, MonthBridge],
    month: str,
    previous: str,
    steps: tuple[str, ...] = STEPS,
) -> Table:
    """The bridge per item (workload or unclaimed service; without workloads, service or
    charge category), biggest change first."""
    rows = []
    for currency, b in results.items():
        for item in b.by_item:
            rows.append(
                {
                    "currency": currency,
                    "item": item.item,
                    "previous_cost": item.previous_cost,
                    "cost": item.cost,
                    "change": item.change,
                    **{k: item.steps[k] for k in steps},
                }
            )
    schema: dict[str, pl.DataType] = {"currency": pl.String(), "item": pl.String()}
    money = ["previous_cost", "cost", "change", *steps]
    schema.update({c: pl.Float64() for c in money})
    frame = pl.DataFrame(rows, schema=schema)
    frame = frame.with_columns(pl.col("change").abs().alias("_abs")).sort(
        ["currency", "_abs", "item"], descending=[False, True, False]
    )
    return Table(
        name="bridge_by_item",
        title="Bridge by item",
        frame=frame.drop("_abs"),
        kinds={c: "money" for c in money},
        description=(
            f"The bridge from {previous} to {month} per workload and unclaimed service "
            "(effective cost), largest change first; each row's steps add up to its change."
        ),
    )


def bridge_for_month(
    store_dir: str | Path,
    month: str,
    workloads_path: str | Path | None = None,
    sources: Sequence[str] | None = None,
) -> BridgeDocument:
    """The month-over-month bridge of EffectiveCost per currency, as in the review pack:
    items per billing period (workloads plus unclaimed provider/service), curves fitted on
    data before the month's end (no look-ahead). Without workloads (none named and no
    default file), the bill-only bridge (``forecaster.review.bill_bridge``).
    ``forecaster bridge`` prints this (``as_dict`` for ``--json``)."""
    month = check_month(month)
    previous = shift_month(month, -1)
    charges = read_charges(store_dir)
    if sources:
        charges = charges.filter(pl.col(C.X_SOURCE).is_in(list(sources)))
    totals = month_totals(charges, [month, previous])
    if totals.filter(pl.col("month") == month).is_empty():
        raise InputError(f"{store_dir}: the store holds no billing for {month}")
    workloads = optional_workloads(workloads_path)
    if not workloads:
        return bridge_document(charges, [], pl.DataFrame(), month)
    check_shares(charges, workloads)
    series = workload_series(store_dir, workloads, "day", sources=list(sources or []) or None)
    return bridge_document(charges, workloads, series, month, totals)


def bridge_document(
    charges: pl.LazyFrame,
    workloads: list[Workload],
    series: pl.DataFrame,
    month: str,
    totals: pl.DataFrame | None = None,
) -> BridgeDocument:
    """The bridge of ``month`` from the charges, the workloads and their daily series (the
    dashboard holds the series cached; ``bridge_for_month`` builds it from the store).
    Without workloads, the bill's own bridge: rate/price, usage volume, services, credits,
    refunds, tax. ``totals``: ``month_totals`` of the two months when the caller has them."""
    month = check_month(month)
    previous = shift_month(month, -1)
    if not workloads:
        results = bill_bridges(charges, month, previous)
        return BridgeDocument(month, BILL_BASIS, tuple(results.values()))
    if totals is None:
        totals = month_totals(charges, [month, previous])
    items = cost_items(charges, workloads, [month, previous], totals)
    fits = fit_before(series, workloads, month_start(shift_month(month, 1)))
    results = bridges(items, fits, month, previous)
    return BridgeDocument(month, "workloads", tuple(results.values()))
