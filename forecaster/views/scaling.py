"""The Scaling page's figures in plain data: the USL fit's coefficients with intervals, and
when a workload's load forecast reaches the ceiling."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import numpy as np
import polars as pl

from forecaster.scaling import USLModel
from forecaster.scaling.ceiling import ceiling_date

SECONDS_PER_DAY = 86_400.0


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


def load_forecast(frame: pl.DataFrame, horizon_days: int) -> pl.DataFrame:
    """A daily load forecast for one workload (``period_start``, ``load`` per day):
    ``timestamp, mean, lo_80, hi_80, lo_95, hi_95`` in load units per day."""
    from forecaster.forecast.load import LoadForecaster

    daily = frame.select("period_start", "load").drop_nulls("period_start").sort("period_start")
    y = daily["load"].cast(pl.Float64).fill_null(np.nan).to_numpy()
    pred = LoadForecaster(freq="1d", horizon=horizon_days).fit(y).predict()
    last = daily["period_start"][-1]
    stamps = [last + timedelta(days=i + 1) for i in range(horizon_days)]
    return pl.DataFrame({"timestamp": stamps, **{k: np.asarray(v) for k, v in pred.items()}})


def ceiling_reach(
    model: USLModel, forecast: pl.DataFrame, share: float, per_second: bool = True
) -> dict[str, Any]:
    """When the forecast load reaches ``share`` of the USL ceiling (``ceiling_date``).

    With ``per_second`` the forecast's load per day is turned into an average rate per
    second (divide by 86,400), to compare with a throughput measured in requests per
    second; the daily peak hour runs above that average, so the date is a late bound.
    """
    scale = 1.0 / SECONDS_PER_DAY if per_second else 1.0
    return ceiling_date(forecast, model.peak_throughput_, share, scale)
