"""What a fitted USL means for money and for the calendar.

- ``cost_by_load`` / ``cost_summary``: with the price of capacity as a function of load
  (``per_instance(usd_per_hour)`` when load counts instances, or ``cost_curve(F, v, k)``
  for the workload's fitted cost curve F + v * N**k), the cost per unit of throughput
  as load grows, the load where it is cheapest, and the load beyond which adding capacity
  raises cost without raising throughput (the integer load with the highest predicted
  throughput, when the law has a peak).
- ``read_load_forecast`` / ``ceiling_date``: the first date a load forecast (columns
  ``timestamp, mean, lo_80, hi_80, lo_95, hi_95``, as ``forecaster forecast-load``
  writes) reaches a share (default 80%) of the ceiling, with the dates its upper and
  lower bands reach it as the interval.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from forecaster.errors import InputError
from forecaster.scaling.usl import USLModel

CostFn = Callable[[np.ndarray], np.ndarray]
FORECAST_COLUMNS = ("timestamp", "mean", "lo_80", "hi_80", "lo_95", "hi_95")
BANDS = (("80", "hi_80", "lo_80"), ("95", "hi_95", "lo_95"))


def per_instance(usd_per_hour: float) -> CostFn:
    """Cost of N units of load when each costs ``usd_per_hour`` (USD per hour)."""
    if not usd_per_hour > 0:
        raise InputError(f"cost per instance {usd_per_hour} must be a positive USD per hour")
    return lambda n: usd_per_hour * np.asarray(n, dtype=float)


def cost_curve(fixed: float, marginal: float, exponent: float = 1.0) -> CostFn:
    """Cost F + v * N**k (USD per hour) of a workload's fitted cost curve."""
    if fixed < 0 or marginal <= 0 or exponent <= 0:
        raise InputError(
            f"cost curve F={fixed}, v={marginal}, k={exponent}: expected F >= 0, v > 0, k > 0"
        )
    return lambda n: fixed + marginal * np.asarray(n, dtype=float) ** exponent


def capacity_limit(model: USLModel) -> int | None:
    """The integer load beyond which more capacity adds no throughput (None: no peak)."""
    if not model.has_peak_ or model.peak_load_ is None:
        return None
    lo = max(1, math.floor(model.peak_load_))
    candidates = np.array([lo, lo + 1], dtype=float)
    return int(candidates[int(np.argmax(model.throughput(candidates)))])


def default_loads(model: USLModel) -> np.ndarray:
    """Loads worth tabulating: the measured ones, the capacity limit and beyond it."""
    loads = set(np.unique(model.load_).tolist())
    limit = capacity_limit(model)
    if limit is not None:
        loads.update({float(limit), *(float(round(limit * m)) for m in (1.5, 2.0))})
    else:
        top = float(model.load_.max())
        loads.update({top * 2, top * 4})
    return np.array(sorted(v for v in loads if v >= 1))


def cost_by_load(
    model: USLModel, cost: CostFn, loads: Sequence[float] | None = None
) -> pl.DataFrame:
    """Per load: throughput, cost (USD per hour), cost per unit of throughput, marginal.

    ``cost_per_throughput`` is USD per hour per unit of throughput (per request/s, say);
    ``marginal_cost_per_throughput`` is what the next unit of load costs per unit of
    throughput it adds (null where it adds none).
    """
    n = np.asarray(default_loads(model) if loads is None else loads, dtype=float)
    x = model.throughput(n)
    c = cost(n)
    gain = model.throughput(n + 1.0) - x
    extra = cost(n + 1.0) - c
    marginal = np.where(gain > 0, extra / np.where(gain > 0, gain, 1.0), np.nan)
    return pl.DataFrame(
        {
            "load": n,
            "throughput": x,
            "cost_per_hour": c,
            "cost_per_throughput": c / x,
            "marginal_cost_per_throughput": marginal,
        }
    ).with_columns(pl.col("marginal_cost_per_throughput").fill_nan(None))


def cheapest_load(model: USLModel, cost: CostFn) -> float:
    """The integer load with the lowest cost per unit of throughput (1 if cost is linear)."""
    top = max(float(model.load_.max()), (capacity_limit(model) or 0) * 2.0, 2.0)
    grid = np.unique(np.round(np.geomspace(1.0, top, 4000)))
    ratio = cost(grid) / model.throughput(grid)
    return float(grid[int(np.argmin(ratio))])


def cost_summary(
    model: USLModel, cost: CostFn, loads: Sequence[float] | None = None
) -> dict[str, Any]:
    """Plain data for JSON: the table by load, the cheapest load, the capacity limit."""
    table = cost_by_load(model, cost, loads)
    return {
        "by_load": table.to_dicts(),
        "cheapest_load": cheapest_load(model, cost),
        "capacity_limit_load": capacity_limit(model),
    }


def read_load_forecast(path: str | Path) -> pl.DataFrame:
    """A load forecast CSV (timestamp, mean, lo_80, hi_80[, lo_95, hi_95]) sorted by time."""
    path = Path(path)
    try:
        frame = pl.read_csv(path, try_parse_dates=True)
    except (OSError, pl.exceptions.ComputeError, pl.exceptions.NoDataError) as exc:
        raise InputError(f"{path}: not a readable forecast CSV ({exc})") from exc
    missing = [c for c in FORECAST_COLUMNS[:4] if c not in frame.columns]
    if missing:
        raise InputError(
            f"{path}: forecast has no {', '.join(missing)} column(s); expected "
            f"{', '.join(FORECAST_COLUMNS)}"
        )
    if frame.height == 0:
        raise InputError(f"{path}: forecast has no rows")
    value_cols = [c for c in FORECAST_COLUMNS[1:] if c in frame.columns]
    for column in value_cols:
        if not frame.schema[column].is_numeric():
            raise InputError(f"{path}: forecast column {column!r} is not numeric")
    return frame.select("timestamp", *value_cols).sort("timestamp")


def _iso(value: Any) -> str:
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


def _first_crossing(frame: pl.DataFrame, column: str, threshold: float) -> str | None:
    hit = frame.filter(pl.col(column) >= threshold)
    return _iso(hit["timestamp"][0]) if hit.height else None


def ceiling_date(
    forecast: pl.DataFrame, ceiling: float | None, share: float = 0.8, scale: float = 1.0
) -> dict[str, Any]:
    """When the forecast first reaches ``share`` of ``ceiling``.

    ``scale`` converts forecast values into the ceiling's unit (for example 1/300 for
    requests per 5 minutes against a throughput in requests per second). Returns
    ``ceiling_date`` (the mean's first crossing, ISO text, None if it never crosses
    within the horizon), ``ceiling_date_80`` [date hi_80 crosses, date lo_80 crosses]
    and, when the forecast has them, ``ceiling_date_95``; plus the threshold and horizon.
    """
    if not 0.0 < share <= 1.0:
        raise InputError(f"ceiling share {share} must be in (0, 1]")
    out: dict[str, Any] = {
        "ceiling_share": share,
        "ceiling_threshold": None,
        "ceiling_date": None,
        "ceiling_date_80": [None, None],
        "forecast_horizon_end": _iso(forecast["timestamp"][-1]),
    }
    if ceiling is None or not math.isfinite(ceiling):
        return out  # the law has no ceiling: throughput grows without limit
    threshold = share * ceiling
    scaled = forecast.with_columns(pl.exclude("timestamp") * scale)
    out["ceiling_threshold"] = threshold
    out["ceiling_date"] = _first_crossing(scaled, "mean", threshold)
    for level, hi, lo in BANDS:
        if hi in scaled.columns and lo in scaled.columns:
            out[f"ceiling_date_{level}"] = [
                _first_crossing(scaled, hi, threshold),
                _first_crossing(scaled, lo, threshold),
            ]
    return out
