"""Cost curves for every workload in a store, and the month-over-month bridge over them.

This is where the layers meet: the workloads file says which cost and which load belong
together (``forecaster.workloads``), the curve engine fits each pair (``forecaster.curves``),
and the bridge explains a month's change in cost per currency, with workloads itemised by
their fitted parts and the cost no workload claims itemised by service.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl

from forecaster import columns as C
from forecaster.curves import (
    CostCurve,
    curve_from_frame,
    decompose,
    month_bridge,
    monthly_components,
    summarize,
)
from forecaster.errors import CannotFit
from forecaster.store import read_charges
from forecaster.workloads import load_workloads, workload_frames, workload_series
from forecaster.workloads.cost import matches
from forecaster.workloads.spec import Workload

MONEY = ("cost", "list_cost", "contracted_cost")


@dataclass
class WorkloadFit:
    """One workload's series, its fitted curve (None when it cannot be fitted) and summary."""

    name: str
    currency: str | None
    frame: pl.DataFrame  # period_start, cost, load, billed_cost, list_cost, contracted_cost
    curve: CostCurve | None
    summary: dict[str, Any]


def fit_store_workloads(
    store_dir: str | Path,
    workloads_path: str | Path | None = None,
    grain: str = "day",
    sources: list[str] | None = None,
    **params: Any,
) -> list[WorkloadFit]:
    """Fit every workload of the workloads file on the store's cost and load.

    Periods with cost but no load (or the reverse) are left out of the fit and counted in
    the summary (``periods_without_load``, ``periods_without_cost``). ``params`` go to
    ``CostCurve`` (model, loss, n_boot, random_state, ...).
    """
    workloads = load_workloads(workloads_path)
    series = workload_series(store_dir, workloads, grain, sources)
    frames = workload_frames(series)
    fits = []
    for w in workloads:
        frame = frames.get(w.name, pl.DataFrame(schema={"period_start": C.UTC_DATETIME}))
        fits.append(_fit_one(w, frame, grain, params))
    return fits


def _fit_one(w: Workload, frame: pl.DataFrame, grain: str, params: dict) -> WorkloadFit:
    currency = frame["currency"].drop_nulls().first() if "currency" in frame.columns else None
    complete = frame.filter(pl.col("cost").is_not_null() & pl.col("load").is_not_null())
    gaps = {
        "periods_without_load": frame.filter(pl.col("load").is_null()).height,
        "periods_without_cost": frame.filter(pl.col("cost").is_null()).height,
    }
    try:
        curve = curve_from_frame(complete, grain, **params)
        summary = summarize(curve, w.name)
    except CannotFit as exc:
        curve, summary = None, {"name": w.name, "model": None, "reason": str(exc)}
    summary.update({"currency": currency, "load_unit": w.load.unit, **gaps})
    return WorkloadFit(w.name, currency, frame, curve, summary)


def curves_report(fits: list[WorkloadFit]) -> dict[str, Any]:
    """The ``forecaster curves --json`` document."""
    return {"workloads": [f.summary for f in fits]}


def _workload_rows(fit: WorkloadFit) -> pl.DataFrame:
    """Monthly bridge rows of one workload: its full cost, and the fitted parts if any."""
    item = f"workload: {fit.name}"
    money = [c for c in MONEY if c in fit.frame.columns]
    totals = monthly_components(
        fit.frame.select("period_start", *[pl.col(c).fill_null(0.0) for c in money]), item
    )
    if fit.curve is None:
        return totals
    parts = monthly_components(decompose(fit.curve), item).drop("cost", "load", strict=False)
    # the full cost (incl. periods without load) stays; the residual absorbs the gap
    return totals.join(parts.drop("item"), on="month", how="left")


def _unclaimed_rows(
    charges: pl.LazyFrame, workloads: list[Workload], currency: str
) -> pl.DataFrame:
    """Monthly cost per service that no workload claims (shares leave the rest unclaimed)."""
    claimed = pl.sum_horizontal(
        [pl.when(matches(w)).then(pl.lit(w.cost.share)).otherwise(0.0) for w in workloads]
        or [pl.lit(0.0)]
    )
    left = 1.0 - claimed
    return (
        charges.filter(pl.col(C.BILLING_CURRENCY) == currency)
        .group_by(
            pl.col(C.BILLING_PERIOD_START).dt.strftime("%Y-%m").alias("month"),
            pl.format("service: {}", pl.col(C.SERVICE_NAME).fill_null("(none)")).alias("item"),
        )
        .agg(
            (pl.col(C.EFFECTIVE_COST) * left).sum().alias("cost"),
            (pl.col(C.LIST_COST).fill_null(0.0) * left).sum().alias("list_cost"),
            (pl.col(C.CONTRACTED_COST).fill_null(0.0) * left).sum().alias("contracted_cost"),
        )
        .filter(pl.col("cost").abs() >= 0.005)
        .collect()
    )


def bridge(
    store_dir: str | Path,
    month: str,
    workloads_path: str | Path | None = None,
    sources: list[str] | None = None,
    fits: list[WorkloadFit] | None = None,
    **params: Any,
) -> dict[str, Any]:
    """Month-over-month bridge of EffectiveCost for ``month`` ("YYYY-MM"), one per currency.

    Items are the workloads (volume, scaling excess, fixed and efficiency from their fitted
    curves) and every service's unclaimed cost (rate/price, new and retired services,
    residual). Each currency's steps sum exactly to its total change.
    """
    workloads = load_workloads(workloads_path)
    if fits is None:
        fits = fit_store_workloads(store_dir, workloads_path, "day", sources, **params)
    charges = read_charges(store_dir)
    if sources:
        charges = charges.filter(pl.col(C.X_SOURCE).is_in(sources))
    currencies = charges.select(pl.col(C.BILLING_CURRENCY).unique()).collect().to_series()
    out = []
    for currency in sorted(c for c in currencies.to_list() if c is not None):
        rows = [_workload_rows(f) for f in fits if f.currency == currency]
        rows.append(_unclaimed_rows(charges, workloads, currency))
        frame = pl.concat([r for r in rows if r.height], how="diagonal_relaxed")
        out.append({"currency": currency, **month_bridge(frame, month)})
    return {"month": month, "currencies": out}
