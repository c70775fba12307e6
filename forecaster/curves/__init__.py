"""Cost-versus-load curves: the product's core.

Fits cost per period against load per period, robustly, and turns the fit into findings
in money per month (idle baseline, scaling excess, efficiency drift, load-aware anomalies),
a per-period decomposition (fixed + organic + scaling excess + residual) and the
month-over-month bridge arithmetic.

Contract with the workloads layer
---------------------------------
``fit_workload(frame, name, grain)`` takes one workload as a polars DataFrame (or
LazyFrame), one row per period:

- ``period_start``: Datetime, UTC (naive values are taken as UTC), the start of [start, end);
- ``cost``: EffectiveCost of the period in the billing currency (one currency per frame;
  credits excluded: a period with negative cost cannot be fitted);
- ``load``: load units in the period (requests per period, GB per period, ...);
- optional ``list_cost``, ``contracted_cost``, ``billed_cost``: ListCost, ContractedCost
  and BilledCost of the same periods, used only by the bridge's rate/price step
  (``monthly_components`` carries them into the bridge rows);

and ``grain`` "hour", "day" or "month" (the period length). It returns the per-workload
object of ``forecaster curves --json``: ``name``, ``model`` ("linear" | "power" | "step"),
``fixed_cost_per_day``, ``fixed_cost_ci``, ``marginal_cost``, ``exponent``, ``exponent_ci``,
``r2``, ``findings`` [{``kind``, ``amount_per_month``, ``detail``, ...}] and more figures; or
``{"name", "model": None, "reason"}`` when the workload cannot be fitted.
Per-month money is per-day money times 30.4375 (365.25 / 12).

Public API: ``CostCurve`` (fit / predict / sample_predictions), ``fit_workload``,
``fit_workloads`` (many workloads, optionally in parallel processes),
``curve_from_frame``, ``summarize``, ``all_findings``, ``decompose``,
``monthly_components``, ``month_bridge``, ``read_series_csv``, ``join_cost_load``.
"""

from forecaster.curves.decompose import decompose, month_bridge, monthly_components
from forecaster.curves.findings import all_findings
from forecaster.curves.fit import CostCurve
from forecaster.curves.series import join_cost_load, read_series_csv
from forecaster.curves.workload import (
    curve_from_frame,
    fit_workload,
    fit_workloads,
    infer_grain,
    summarize,
)

__all__ = [
    "CostCurve",
    "all_findings",
    "curve_from_frame",
    "decompose",
    "fit_workload",
    "fit_workloads",
    "infer_grain",
    "join_cost_load",
    "month_bridge",
    "monthly_components",
    "read_series_csv",
    "summarize",
]
