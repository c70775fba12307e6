"""Cost curves for every workload in a store: where the layers meet.

The workloads file says which cost and which load belong together (``forecaster.workloads``)
and the curve engine fits each pair (``forecaster.curves``). ``forecaster curves``, the
review pack, the bridge and the dashboard all fit workloads through ``fit_series``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import cached_property
from pathlib import Path
from typing import Any

import polars as pl

from forecaster import columns as C
from forecaster import progress
from forecaster.curves import (
    CostCurve,
    curve_from_frame,
    decompose,
    summarize,
)
from forecaster.errors import CannotFit
from forecaster.workloads import load_workloads, workload_frames, workload_series
from forecaster.workloads.spec import Workload


@dataclass
class WorkloadFit:
    """One workload's series, its fitted curve (None when it cannot be fitted, and
    ``summary["reason"]`` says why) and the ``forecaster curves`` summary."""

    name: str
    currency: str | None
    load_unit: str | None
    frame: pl.DataFrame  # period_start, cost, load, billed_cost, list_cost, contracted_cost
    curve: CostCurve | None
    summary: dict[str, Any]

    @cached_property
    def decomposition(self) -> pl.DataFrame | None:
        """Per-period fixed / organic / scaling excess / residual (None without a curve)."""
        return decompose(self.curve) if self.curve is not None else None


def fit_series(
    series: pl.DataFrame,
    workloads: list[Workload],
    grain: str = "day",
    end: datetime | None = None,
    **params: Any,
) -> dict[str, WorkloadFit]:
    """Fit every workload on a ``workload_series`` frame, in the workloads' order.

    ``end`` (UTC, exclusive) keeps only earlier periods, so a fit for a past month never
    uses later data. Periods with cost but no load (or the reverse) are left out of the fit
    and counted in the summary (``periods_without_load``, ``periods_without_cost``).
    ``params`` go to ``CostCurve`` (model, loss, n_boot, random_state, ...).
    """
    if end is not None:
        series = series.filter(pl.col("period_start") < end)
    frames = workload_frames(series) if series.height else {}
    empty = pl.DataFrame(schema={"period_start": C.UTC_DATETIME, "cost": pl.Float64,
                                 "load": pl.Float64, "currency": pl.String})  # fmt: skip
    return {
        w.name: _fit_one(w, frames.get(w.name, empty), grain, params)
        for w in progress.iterate("Fitting cost curves", list(workloads))
    }


def fit_store_workloads(
    store_dir: str | Path,
    workloads_path: str | Path | None = None,
    grain: str = "day",
    sources: list[str] | None = None,
    **params: Any,
) -> list[WorkloadFit]:
    """Fit every workload of the workloads file on the store's cost and load."""
    workloads = load_workloads(workloads_path)
    series = workload_series(store_dir, workloads, grain, sources)
    return list(fit_series(series, workloads, grain, **params).values())


def _fit_one(w: Workload, frame: pl.DataFrame, grain: str, params: dict) -> WorkloadFit:
    currency = w.currency or frame["currency"].drop_nulls().first()
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
    return WorkloadFit(w.name, currency, w.load.unit, frame, curve, summary)


def curves_report(fits: list[WorkloadFit]) -> dict[str, Any]:
    """The ``forecaster curves --json`` document."""
    return {"workloads": [f.summary for f in fits]}
