"""Waste: the one definition of the waste candidates in a workload's cost, per period and
per calendar month, used by every surface (the Overview's headline and its "Organic versus
waste" chart, the Workloads page, the review pack's waste table, ``forecaster curves
--json``).

Each period's cost, from the workload's fitted curve, is split into parts that add up to it:

- ``fixed``: the idle baseline F (paid at zero load);
- ``organic``: load times the reference marginal cost (growth that follows traffic);
- ``scaling_excess``: what the curve adds above linear scaling at the period's load;
- ``efficiency_drift``: what the period costs above the **unit cost of the fit window's
  first day** at the same load (the fitted time trend; positive when the unit cost crept up
  since then, so a later month carries more of it);
- ``residual``: what the curve does not explain (noise, anomalies).

The first three are priced at the window's first day's unit cost, so drift is measured one
way only: against where the window started (never against today's unit cost, which would
make earlier months' drift negative). The waste candidates of a month are its idle
baseline, scaling excess and efficiency drift, each summed over the month's periods and
rounded to the cent; ``waste`` is their sum in cents.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from forecaster.curves import decompose
from forecaster.curves.fit import CostCurve
from forecaster.months import month_of
from forecaster.portfolio import WorkloadFit

PARTS = ("fixed", "organic", "scaling_excess", "efficiency_drift", "residual")
WASTE_PARTS = ("idle_baseline", "scaling_excess", "efficiency_drift")
"""The waste candidates, in the order every surface lists them."""
DRIFT_BASIS = "against the unit cost of the fit window's first day, at the same load"
WASTE_SCHEMA: dict[str, pl.DataType] = {
    "workload": pl.String(),
    "currency": pl.String(),
    "month": pl.String(),
    "idle_baseline": pl.Float64(),
    "scaling_excess": pl.Float64(),
    "efficiency_drift": pl.Float64(),
    "waste": pl.Float64(),
}


def split_periods(
    curve: CostCurve, excess_found: bool = True, drift_found: bool = True
) -> pl.DataFrame:
    """One row per fitted period: ``period_start`` (when known), ``load``, ``cost`` and the
    five PARTS (currency per period); the parts add up to ``cost`` (to float rounding).

    A scaling excess that is not a finding (``excess_found`` False: the exponent's interval
    does not lie above 1, or the excess is immaterial) counts as organic; a drift that is
    not a finding (``drift_found`` False: not rising significantly) stays in the residual."""
    d = decompose(curve)
    L = curve.load_
    fixed = d["fixed"].to_numpy()
    organic = d["organic"].to_numpy()
    excess = d["scaling_excess"].to_numpy()
    fitted = np.asarray(curve.fitted_, dtype=float)
    if curve.drift_fitted_ and curve.days_ is not None and len(curve.days_):
        start = curve.curve(L, float(np.min(curve.days_)))  # modelled cost at the first day's rates
        variable = organic + excess
        factor = np.divide(
            start - fixed, variable, out=np.ones_like(variable), where=np.abs(variable) > 1e-12
        )
        organic, excess = organic * factor, excess * factor
        fixed = start - organic - excess
        drift = fitted - start
    else:
        drift = fitted - (fixed + organic + excess)
    if not excess_found:
        organic, excess = organic + excess, np.zeros_like(excess)
    if not drift_found:
        drift = np.zeros_like(drift)
    out = d.select([c for c in ("period_start", "load", "cost") if c in d.columns])
    return out.with_columns(
        pl.Series("fixed", fixed),
        pl.Series("organic", organic),
        pl.Series("scaling_excess", excess),
        pl.Series("efficiency_drift", drift),
        pl.Series("residual", curve.cost_ - (fixed + organic + excess + drift)),
    )


def split_fit(fit: WorkloadFit) -> pl.DataFrame | None:
    """``split_periods`` of a workload's fit, with the excess and the drift counted as waste
    only where its findings report them (``forecaster.curves.findings``); None without a
    fitted curve."""
    if fit.curve is None:
        return None
    kinds = {f["kind"] for f in fit.summary.get("findings", [])}
    return split_periods(fit.curve, "scaling_excess" in kinds, "efficiency_drift" in kinds)


def _cents(expr: pl.Expr) -> pl.Expr:
    return ((expr * 100).round(0) / 100).round(2)  # no float dust (9909.880000000001)


def monthly_waste(fits: dict[str, WorkloadFit] | list[WorkloadFit]) -> pl.DataFrame:
    """Per workload with a fitted curve and calendar month (UTC) of its periods: the idle
    baseline, scaling excess and efficiency drift in the month (see the module doc), in
    cents, and ``waste`` their sum. Sorted by workload order, then month."""
    frames = []
    items = fits.values() if isinstance(fits, dict) else fits
    for order, fit in enumerate(items):
        if fit.curve is None or fit.curve.period_start_ is None:
            continue
        parts = split_fit(fit)
        frames.append(
            parts.group_by(month_of("period_start").alias("month"))
            .agg(
                _cents(pl.col("fixed").sum()).alias("idle_baseline"),
                _cents(pl.col("scaling_excess").sum()).alias("scaling_excess"),
                _cents(pl.col("efficiency_drift").sum()).alias("efficiency_drift"),
            )
            .with_columns(
                pl.lit(fit.name).alias("workload"),
                pl.lit(fit.currency, dtype=pl.String).alias("currency"),
                pl.lit(order).alias("order"),
            )
        )
    if not frames:
        return pl.DataFrame(schema=WASTE_SCHEMA)
    frame = pl.concat(frames).with_columns(
        _cents(pl.sum_horizontal("idle_baseline", "scaling_excess", "efficiency_drift")).alias(
            "waste"
        )
    )
    return frame.sort("order", "month").select(list(WASTE_SCHEMA))


def month_waste(fits: dict[str, WorkloadFit] | list[WorkloadFit], month: str) -> pl.DataFrame:
    """``monthly_waste`` of one month (YYYY-MM): one row per workload fitted on it."""
    return monthly_waste(fits).filter(pl.col("month") == month)


def waste_totals(waste: pl.DataFrame) -> pl.DataFrame:
    """Per currency and month: the waste parts and ``waste`` summed over workloads (cents;
    currencies never added together)."""
    cols = [*WASTE_PARTS, "waste"]
    return (
        waste.group_by("currency", "month")
        .agg([_cents(pl.col(c).sum()).alias(c) for c in cols])
        .sort("currency", "month")
    )
