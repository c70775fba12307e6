"""The Scaling page's figures in plain data: the USL fit's coefficients with intervals, and
when a workload's load forecast reaches the ceiling."""

from __future__ import annotations

import polars as pl

from forecaster.scaling import USLModel
from forecaster.scaling.reach import CEILING_SHARE, CeilingReach, workload_ceiling
from forecaster.workloads import Workload


def coefficients_table(model: USLModel) -> pl.DataFrame:
    """sigma, kappa, gamma and the peak load N* with their intervals at the fit's confidence."""
    rows = [
        ("contention sigma", model.sigma_, model.sigma_ci_),
        ("coherency kappa", model.kappa_, model.kappa_ci_),
        ("gamma (throughput at load 1)", model.gamma_, model.gamma_ci_),
    ]
    if model.peak_load_ is not None:
        rows.append(("peak load N*", model.peak_load_, model.peak_load_ci_ or (None, None)))
    rows.append(("ceiling throughput", model.peak_throughput_, (None, None)))
    rows.append(("R²", model.r2_, (None, None)))
    return pl.DataFrame(
        {
            "figure": [r[0] for r in rows],
            "estimate": [r[1] for r in rows],
            "low": [r[2][0] for r in rows],
            "high": [r[2][1] for r in rows],
        },
        schema={"figure": pl.String, "estimate": pl.Float64, "low": pl.Float64, "high": pl.Float64},
    )


def ceiling_reach(
    samples: pl.LazyFrame, workload: Workload, model: USLModel, share: float = CEILING_SHARE
) -> CeilingReach:
    """When the workload's busiest hour reaches ``share`` of the USL ceiling, with the daily
    average as a second figure: ``forecaster.scaling.reach.workload_ceiling`` on all the
    load data (the review pack asks the same function with the month's end)."""
    return workload_ceiling(samples, workload, model, None, share)
