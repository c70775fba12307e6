"""Every workload's cost curve over a time window, as tables and bands.

Fits are ``forecaster.portfolio.WorkloadFit`` (the same fits the review pack and
``forecaster curves`` use): the workload's daily series, the ``CostCurve`` (None when it
cannot be fitted), its ``forecaster curves`` summary and decomposition. Money is in the
workload's billing currency; periods are UTC.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import polars as pl

from forecaster.months import month_start, next_month
from forecaster.portfolio import WorkloadFit, fit_series
from forecaster.waste import monthly_waste
from forecaster.workloads import Workload

WASTE_KINDS = ("idle_baseline", "scaling_excess", "efficiency_drift")
"""Findings that are money per month every month (anomalies are one period's money)."""

FINDINGS_SCHEMA: dict[str, pl.DataType] = {
    "workload": pl.String(),
    "kind": pl.String(),
    "amount": pl.Float64(),
    "per": pl.String(),
    "currency": pl.String(),
    "period_start": pl.String(),
    "detail": pl.String(),
}

SUMMARY_SCHEMA: dict[str, pl.DataType] = {
    "workload": pl.String(),
    "currency": pl.String(),
    "model": pl.String(),
    "periods": pl.Int64(),
    "fixed_cost_per_month": pl.Float64(),
    "marginal_cost": pl.Float64(),
    "exponent": pl.Float64(),
    "r2": pl.Float64(),
    "current_cost_per_month": pl.Float64(),
    "waste_month": pl.String(),
    "waste": pl.Float64(),
    "anomalies": pl.Int64(),
    "note": pl.String(),
}


def window(frame: pl.DataFrame, start: str | None, end: str | None) -> pl.DataFrame:
    """Rows whose period_start lies in the months ``start``..``end`` (inclusive, YYYY-MM)."""
    out = frame
    if start:
        out = out.filter(pl.col("period_start") >= month_start(start))
    if end:
        out = out.filter(pl.col("period_start") < month_start(next_month(end)))
    return out


def fit_window(
    series: pl.DataFrame,
    workloads: list[Workload],
    start: str | None = None,
    end: str | None = None,
    **params: Any,
) -> dict[str, WorkloadFit]:
    """Every workload's cost curve (``forecaster.portfolio.fit_series``, daily) fitted on the
    months ``start``..``end`` of a ``workload_series`` frame only; by name."""
    return fit_series(window(series, start, end), workloads, "day", **params)


def complete(fit: WorkloadFit) -> pl.DataFrame:
    """The fit's periods with both cost and load (the points the curve was fitted to)."""
    return fit.frame.filter(pl.col("cost").is_not_null() & pl.col("load").is_not_null())


def _when(value: Any) -> str:
    """A finding's period start as text: the date for whole days, else date and hour."""
    text = str(value or "").replace("T", " ")
    return text[:10] if text[11:19] in ("", "00:00:00") else text[:16]


def summary_table(fits: dict[str, WorkloadFit]) -> pl.DataFrame:
    """One row per workload: model, fixed cost per month, marginal cost (currency per load
    unit), exponent, R^2, current cost per month, the waste candidates of the window's last
    month (``forecaster.waste``: idle baseline + scaling excess + efficiency drift, as the
    Overview and the review pack) and the number of anomalous periods."""
    rows = []
    waste = monthly_waste(fits)
    for fit in fits.values():
        mine = waste.filter(pl.col("workload") == fit.name).tail(1)
        s = fit.summary
        ok = s.get("model") is not None
        findings = s.get("findings", [])
        rows.append(
            {
                "workload": fit.name,
                "currency": fit.currency,
                "model": s.get("model"),
                "periods": s.get("n_periods", 0),
                "fixed_cost_per_month": s.get("fixed_cost_per_month"),
                "marginal_cost": s.get("marginal_cost"),
                "exponent": s.get("exponent"),
                "r2": s.get("r2"),
                "current_cost_per_month": s.get("current_cost_per_month"),
                "waste_month": mine["month"][0] if mine.height else None,
                "waste": mine["waste"][0] if mine.height else None,
                "anomalies": sum(f["kind"] == "anomaly" for f in findings),
                "note": "; ".join(s.get("warnings", [])) if ok else s.get("reason", ""),
            }
        )
    return pl.DataFrame(rows, schema=SUMMARY_SCHEMA)


def last_month_waste(fits: dict[str, WorkloadFit]) -> pl.DataFrame:
    """``workload, currency, month, kind, amount``: each workload's waste candidates in the
    last month of its fit window (``forecaster.waste.monthly_waste``), one row per kind."""
    waste = monthly_waste(fits)
    last = waste.group_by("workload", maintain_order=True).tail(1)
    return last.unpivot(
        on=list(WASTE_KINDS),
        index=["workload", "currency", "month"],
        variable_name="kind",
        value_name="amount",
    )


def findings_table(fits: dict[str, WorkloadFit]) -> pl.DataFrame:
    """Every finding of every workload: ``amount`` is money per month (``per`` "month") or,
    for an anomaly, the period's unexplained money (``per`` "period", with its start)."""
    rows = []
    for fit in fits.values():
        for f in fit.summary.get("findings", []):
            anomaly = f["kind"] == "anomaly"
            rows.append(
                {
                    "workload": fit.name,
                    "kind": f["kind"],
                    "amount": float(f["amount_per_month"]),
                    "per": "period" if anomaly else "month",
                    "currency": fit.currency,
                    "period_start": _when(f.get("period_start")) if anomaly else "",
                    "detail": f["detail"],
                }
            )
    return pl.DataFrame(rows, schema=FINDINGS_SCHEMA)


def curve_band(fit: WorkloadFit, points: int = 80, level: int = 95) -> pl.DataFrame:
    """The fitted curve (as of the last period) over a load grid from 0 to 1.1x the highest
    load seen: columns ``load``, ``mean``, ``lo``, ``hi`` (the ``level``% prediction band).
    Empty when the workload has no fit."""
    points_seen = complete(fit)
    if fit.curve is None or points_seen.height == 0:
        return pl.DataFrame(schema={c: pl.Float64 for c in ("load", "mean", "lo", "hi")})
    top = float(points_seen["load"].max()) * 1.1
    grid = np.linspace(top / points, top, points)
    pred = fit.curve.predict(grid, level=(level,))
    return pred.select(
        "load", "mean", pl.col(f"lo_{level}").alias("lo"), pl.col(f"hi_{level}").alias("hi")
    )


def anomaly_periods(fit: WorkloadFit) -> pl.DataFrame:
    """period_start, load, cost of the periods flagged as anomalies."""
    keys = [
        str(f["period_start"])[:19]
        for f in fit.summary.get("findings", [])
        if f["kind"] == "anomaly"
    ]
    stamp = pl.col("period_start").dt.strftime("%Y-%m-%dT%H:%M:%S")
    return complete(fit).filter(stamp.is_in(keys)).select("period_start", "load", "cost")


def suggestion_table(suggestions: list) -> pl.DataFrame:
    """``forecaster workloads suggest``'s proposals as rows: name, group, currency, cost,
    share of the currency's bill, driver (metric, or the bill quantity marked PROXY) and how
    well its daily moves follow the cost."""
    rows = []
    for s in suggestions:
        d = s.driver
        rows.append(
            {
                "workload": s.name,
                "group": s.label,
                "currency": s.currency,
                "effective_cost": round(s.cost, 2),
                "share_of_bill": s.share_of_currency,
                "driver": "none found"
                if d is None
                else f"{d.metric} (PROXY: usage quantity from the bill)"
                if d.proxy
                else d.metric,
                "correlation": None if d is None or d.score is None else round(d.score, 3),
            }
        )
    schema = {
        "workload": pl.String,
        "group": pl.String,
        "currency": pl.String,
        "effective_cost": pl.Float64,
        "share_of_bill": pl.Float64,
        "driver": pl.String,
        "correlation": pl.Float64,
    }
    return pl.DataFrame(rows, schema=schema)
