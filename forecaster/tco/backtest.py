"""Backtest of the whole cost projection: does the P10-P90 band hold 80% of actual months?

At each cutoff (the first day of a month), ``run_tco`` is run on the data before it, as if
that month were today: curves refitted, loads forecast, the Monte Carlo drawn. Its baseline
monthly totals per currency (workloads through their curves plus the cost forecast by time)
are compared with what the store says those months cost. A band is honest when about 80%
of actual months fall between its P10 and P90, at every distance ahead.

``backtest_projection`` reports, per months-ahead bucket (1-3, 1-6, 1-12 by default), the
share of (cutoff, month) pairs inside the band, the mean relative width of the band and the
mean absolute percentage error of the median.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from forecaster.errors import InputError
from forecaster.tco.run import run_tco
from forecaster.timeonly.monthly import FORECAST_MONTHS, forecast_months
from forecaster.workloads import load_workloads, unclaimed_cost, workload_series

HORIZONS = (3, 6, 12)
"""Months ahead the bands are judged at: the next quarter, half-year and year."""


def _month_start(label: str) -> datetime:
    return datetime.strptime(label + "-01", "%Y-%m-%d").replace(tzinfo=UTC)


def actual_monthly_totals(store_dir: str | Path, workloads_path: str | Path | None) -> pl.DataFrame:
    """``month`` (YYYY-MM), ``currency``, ``total_cost``: every billing row's EffectiveCost."""
    totals = unclaimed_cost(store_dir, load_workloads(workloads_path), "month")
    return totals.select(
        pl.col("period_start").dt.strftime("%Y-%m").alias("month"), "currency", "total_cost"
    )


def backtest_projection(
    store_dir: str | Path,
    workloads_path: str | Path | None = None,
    cutoffs: list[str] | None = None,
    horizons: tuple[int, ...] = HORIZONS,
    min_history_months: int = 12,
    samples: int = 300,
    seed: int = 0,
    horizon_months: int = 36,
) -> dict[str, Any]:
    """Run the baseline projection from each cutoff month (``YYYY-MM``, default: every
    month with at least ``min_history_months`` of history before it and one actual month
    after it) and score its monthly P10-P90 bands against the actual totals. The projection
    runs ``horizon_months`` ahead (36, as ``forecaster tco`` and the dashboard by default:
    the forecasters' choices depend on the horizon, so this scores what a user is shown).

    Returns ``{"cutoffs", "samples", "rows": [...], "summary": {h: {...}}}``; each row is
    one (cutoff, currency, month): months_ahead, actual, p10, p50, p90, inside."""
    actual = actual_monthly_totals(store_dir, workloads_path)
    months = sorted(set(actual["month"].to_list()))
    if cutoffs is None:
        cutoffs = months[min_history_months:]
    if not cutoffs:
        raise InputError(
            f"{store_dir}: {len(months)} months of billing; a backtest needs more than "
            f"{min_history_months} to have a cutoff"
        )
    series = workload_series(store_dir, load_workloads(workloads_path), "day")
    known = {(r["month"], r["currency"]): r["total_cost"] for r in actual.iter_rows(named=True)}
    longest = max(horizons)
    rows = []
    for cutoff in cutoffs:
        doc = run_tco(
            store_dir,
            workloads_path,
            horizon_months=max(horizon_months, longest),
            samples=samples,
            seed=seed,
            end=_month_start(cutoff),
            series=series,
        )
        for cur in doc.currencies:
            base = cur.scenarios[0].monthly
            for ahead, row in enumerate(base[:longest], start=1):
                value = known.get((row.month, cur.currency))
                if value is None or row.month < cutoff:
                    continue
                rows.append(
                    {
                        "cutoff": cutoff,
                        "currency": cur.currency,
                        "month": row.month,
                        "months_ahead": ahead,
                        "actual": float(value),
                        "p10": row.p10,
                        "p50": row.p50,
                        "p90": row.p90,
                        "inside": bool(row.p10 <= value <= row.p90),
                    }
                )
    return {
        "cutoffs": cutoffs,
        "samples": samples,
        "rows": rows,
        "summary": summarize(rows, horizons),
    }


def summarize(
    rows: list[dict], horizons: tuple[int, ...] = HORIZONS
) -> dict[int, dict[str, float]]:
    """Per horizon h: coverage of months 1..h ahead, mean band width relative to P50 and
    the median's mean absolute percentage error, with the number of months scored."""
    out: dict[int, dict[str, float]] = {}
    for h in horizons:
        part = [r for r in rows if r["months_ahead"] <= h]
        if not part:
            continue
        actual = np.array([r["actual"] for r in part])
        p10, p50, p90 = (np.array([r[k] for r in part]) for k in ("p10", "p50", "p90"))
        out[h] = {
            "months": len(part),
            "coverage_p10_p90": float(np.mean([r["inside"] for r in part])),
            "width_pct": float(np.mean((p90 - p10) / np.abs(p50)) * 100),
            "mape_p50_pct": float(np.mean(np.abs(actual - p50) / np.abs(actual)) * 100),
        }
    return out


def backtest_months(
    y: np.ndarray,
    history_months: int,
    horizons: tuple[int, ...] = HORIZONS,
    step: int = 12,
    max_cutoffs: int | None = None,
    first: date | None = None,
) -> list[dict]:
    """Backtest of the monthly cost forecast by time (``forecast_months``, what ``run_tco``
    projects for cost no workload claims) on one monthly series ``y`` (oldest first): at
    cutoffs ``step`` months apart, latest first, forecast from the ``history_months``
    months before the cutoff (as a bill of that age would be) and score the months after.
    ``first``: the calendar month of ``y[0]`` (lets the forecast work per calendar day).

    Rows as ``backtest_projection``'s (cutoff is the index of the first forecast month)."""
    longest = max(horizons)
    ahead_months = max(longest, FORECAST_MONTHS)  # as run_tco forecasts it
    rows: list[dict] = []
    cutoffs = list(range(y.size - longest, history_months - 1, -step))
    for cutoff in cutoffs[:max_cutoffs]:
        start = None
        if first is not None:
            index = first.year * 12 + first.month - 1 + cutoff - history_months
            start = date(index // 12, index % 12 + 1, 1)
        fc = forecast_months(y[cutoff - history_months : cutoff], ahead_months, start)
        for ahead in range(1, longest + 1):
            value = float(y[cutoff + ahead - 1])
            p10, p50, p90 = (float(a[ahead - 1]) for a in (fc.p10, fc.p50, fc.p90))
            rows.append(
                {
                    "cutoff": cutoff,
                    "month": cutoff + ahead - 1,
                    "months_ahead": ahead,
                    "actual": value,
                    "p10": p10,
                    "p50": p50,
                    "p90": p90,
                    "inside": bool(p10 <= value <= p90),
                    "band": fc.band,
                }
            )
    return rows
