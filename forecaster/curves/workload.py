"""One workload in, one JSON-ready summary out: the entry point of the workloads layer.

``fit_workload(frame, name, grain)`` takes the per-workload frame described in the package
docstring and returns exactly the per-workload object of ``forecaster curves --json``; a
workload that cannot be fitted comes back as ``{"name", "model": None, "reason"}``.
"""

from __future__ import annotations

from collections.abc import Iterable
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from typing import Any

import numpy as np
import polars as pl

from forecaster.curves.findings import ANOMALY_LEVEL, all_findings, drift_test, per_month
from forecaster.curves.fit import CostCurve
from forecaster.curves.inputs import DAYS_PER_MONTH, PERIODS_PER_DAY, check_grain
from forecaster.errors import CannotFit, InputError

REQUIRED = ("period_start", "cost", "load")


def infer_grain(period_start: pl.Series) -> str:
    """ "hour", "day" or "month" from the median spacing of distinct period starts."""
    ts = period_start.drop_nulls().unique().sort()
    if ts.len() < 2:
        raise InputError("cannot tell the grain from fewer than two distinct period starts")
    step_h = ts.diff().drop_nulls().dt.total_seconds().median() / 3600
    if step_h <= 1.5:
        return "hour"
    if step_h <= 36:
        return "day"
    if 24 * 27 <= step_h <= 24 * 32:
        return "month"
    raise InputError(
        f"periods are {step_h:g} hours apart; expected hourly, daily or monthly periods"
    )


def curve_from_frame(
    frame: pl.DataFrame | pl.LazyFrame, grain: str = "day", **params: Any
) -> CostCurve:
    """Fit a ``CostCurve`` on a workload frame (columns ``period_start``, ``cost``, ``load``)."""
    check_grain(grain)
    df = frame.lazy().collect() if isinstance(frame, pl.LazyFrame) else frame
    missing = [c for c in REQUIRED if c not in df.columns]
    if missing:
        raise InputError(f"workload frame has no column {missing}; expected {list(REQUIRED)}")
    if not isinstance(df.schema["period_start"], pl.Datetime):
        raise InputError(
            f"column period_start is {df.schema['period_start']}; expected Datetime (UTC)"
        )
    df = df.sort("period_start")
    ts = df["period_start"]
    if ts.dtype.time_zone not in (None, "UTC"):  # type: ignore[union-attr]
        ts = ts.dt.convert_time_zone("UTC")
    starts = ts.dt.replace_time_zone(None).to_numpy()
    cost = df["cost"].cast(pl.Float64, strict=False).to_numpy()
    load = df["load"].cast(pl.Float64, strict=False).to_numpy()
    return CostCurve(grain=grain, **params).fit(load, cost, starts)


def _ci(curve: CostCurve, values: np.ndarray | None, scale: float = 1.0) -> list[float] | None:
    if values is None:
        return None
    a = (100 - curve.ci) / 2
    return [float(q) * scale for q in np.percentile(values, [a, 100 - a])]


def summarize(curve: CostCurve, name: str, anomaly_level: float = ANOMALY_LEVEL) -> dict[str, Any]:
    """The per-workload JSON object of ``forecaster curves --json`` for a fitted curve.

    Money is in the billing currency. ``fixed_cost_per_day`` is F per day;
    ``marginal_cost`` is the reference marginal cost (currency per load unit at the
    reference load, v for the linear model); ``exponent`` is k (1 for linear, null for
    step, whose capacity C is in ``capacity``).
    """
    ppd = PERIODS_PER_DAY[curve.grain]
    boot = curve.boot_params_
    model = curve.model_
    drift, drift_p = drift_test(curve)
    out: dict[str, Any] = {
        "name": name,
        "model": model,
        "grain": curve.grain,
        "n_periods": curve.n_,
        "fixed_cost_per_day": curve.fixed_ * ppd,
        "fixed_cost_ci": _ci(curve, None if boot is None else boot["F"], ppd),
        "fixed_cost_per_month": curve.fixed_ * ppd * DAYS_PER_MONTH,
        "marginal_cost": curve.reference_marginal_cost_,
        "marginal_cost_ci": _ci(curve, None if boot is None else curve.reference_marginal(boot)),
        "exponent": curve.exponent_,
        "exponent_ci": [1.0, 1.0]
        if model == "linear"
        else (curve.ci_.get("k") and list(curve.ci_["k"])),
        "r2": curve.r2_,
    }
    if model == "step":
        out["exponent_ci"] = None
        out["capacity"] = curve.capacity_
        out["capacity_ci"] = _ci(curve, None if boot is None else boot["C"])
    out.update(
        {
            "params": dict(curve.params_),
            "drift_per_day": drift * ppd,
            "drift_p_value": drift_p,
            "sigma_per_period": curve.sigma_,
            "aicc": dict(curve.aicc_),
            "reference_load": curve.reference_load_,
            "current_load": curve.current_load_,
            "current_cost_per_month": float(per_month(curve, curve.current_cost_)),
            "n_dropped": curve.n_dropped_,
            "diagnostics": dict(curve.diagnostics_),
            "warnings": list(curve.warnings_),
            "findings": all_findings(curve, anomaly_level),
        }
    )
    return out


def fit_workload(
    frame: pl.DataFrame | pl.LazyFrame,
    name: str = "workload",
    grain: str = "day",
    anomaly_level: float = ANOMALY_LEVEL,
    **params: Any,
) -> dict[str, Any]:
    """Fit one workload and summarize it; unfittable data gives ``model: None`` and a reason.

    ``params`` go to ``CostCurve`` (model, loss, n_boot, random_state, ...).
    """
    try:
        curve = curve_from_frame(frame, grain, **params)
    except CannotFit as exc:
        return {"name": name, "model": None, "reason": str(exc)}
    return summarize(curve, name, anomaly_level)


def _fit_chunk(chunk: list[tuple[str, pl.DataFrame]], grain: str, params: dict) -> list[dict]:
    return [fit_workload(df, name=name, grain=grain, **params) for name, df in chunk]


def fit_workloads(
    items: Iterable[tuple[str, pl.DataFrame]],
    grain: str = "day",
    n_jobs: int = 1,
    **params: Any,
) -> list[dict[str, Any]]:
    """``fit_workload`` for many (name, frame) pairs, in input order.

    ``n_jobs > 1`` splits the list into that many chunks fitted in spawned processes (each
    worker pays ~1 s of imports; worth it from a few hundred workloads). Set
    ``OPENBLAS_NUM_THREADS=1`` in the environment so the workers do not oversubscribe cores.
    """
    items = list(items)
    if n_jobs <= 1 or len(items) < 2 * n_jobs:
        return _fit_chunk(items, grain, params)
    size = -(-len(items) // n_jobs)
    chunks = [items[i : i + size] for i in range(0, len(items), size)]
    with ProcessPoolExecutor(max_workers=n_jobs, mp_context=get_context("spawn")) as pool:
        parts = pool.map(_fit_chunk, chunks, [grain] * len(chunks), [params] * len(chunks))
        return [w for part in parts for w in part]
