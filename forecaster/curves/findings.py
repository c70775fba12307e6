"""Findings from a fitted ``CostCurve``, each in money per month.

Money per month is money per day times 30.4375 (365.25 / 12); per-period figures are turned
into per-day figures with the curve's grain (24 periods a day for hourly data, 1/30.4375 for
monthly). Every finding is a plain dict with ``kind``, ``amount_per_month`` (in the billing
currency, whatever it is) and a readable ``detail``, plus the figures behind it.

- idle_baseline: the fixed cost F (what the workload costs at zero load), its interval and
  its share of the current cost.
- scaling_excess: only when the power model was chosen, the exponent's interval lies above
  1 and the excess at current load is at least 2% of the current cost. The excess is the cost above the linear reference line ``F + m_ref * L`` (m_ref:
  the variable cost per load unit at the reference load, a low quantile of observed load,
  i.e. the best unit cost the workload has shown) at current load, 2x and 5x current load.
- efficiency_drift: the fitted time trend of cost at equal load, when it rises and its
  bootstrap z-test is significant; reported as what a month now costs more than a month at
  the start of the window, at equal load.
- anomaly: one per period whose cost lies outside the curve's prediction interval (default
  99%) *for the load actually seen*; the money is the unexplained cost of that period.
"""

from __future__ import annotations

from datetime import datetime

import numpy as np

from forecaster.curves.fit import CostCurve
from forecaster.curves.inputs import DAYS_PER_MONTH, PERIODS_PER_DAY
from forecaster.format import date_text, interval_name, number, p_value

ANOMALY_LEVEL = 99.9
DRIFT_ALPHA = 0.01
EXCESS_MIN_SHARE = 0.02


def per_month(curve: CostCurve, per_period: float | np.ndarray) -> float | np.ndarray:
    """Money per period -> money per month at the curve's grain."""
    return per_period * PERIODS_PER_DAY[curve.grain] * DAYS_PER_MONTH


def _ci(curve: CostCurve, values: np.ndarray | None) -> list[float] | None:
    if values is None:
        return None
    a = (100 - curve.ci) / 2
    return [float(q) for q in np.percentile(values, [a, 100 - a])]


def idle_baseline(curve: CostCurve) -> dict:
    """The fixed cost per month, its interval and its share of the current cost."""
    F = curve.fixed_
    boot = None if curve.boot_params_ is None else per_month(curve, curve.boot_params_["F"])
    share = F / curve.current_cost_ if curve.current_cost_ > 0 else float("nan")
    usd = float(per_month(curve, F))
    return {
        "kind": "idle_baseline",
        "amount_per_month": usd,
        "ci": _ci(curve, boot),
        "share_of_cost": float(share),
        "detail": (
            f"fixed cost {usd:,.2f} per month at zero load ({share:.0%} of current cost)"
            + (
                f"; {interval_name(curve.ci)} {_ci(curve, boot)[0]:,.2f} to {_ci(curve, boot)[1]:,.2f}"
                if boot is not None
                else ""
            )
        ),
    }


def excess_at(curve: CostCurve, load: float, params: dict | None = None) -> float | np.ndarray:
    """Cost per period above the linear reference line ``F + m_ref * load``."""
    p = curve.params_ if params is None else params
    if curve.model_ == "linear":
        return 0.0 * p["v"]
    m_ref = curve.reference_marginal(p)
    if curve.model_ == "power":
        return p["v"] * load ** p["k"] - m_ref * load
    return p["v"] * np.ceil(load / p["C"]) - m_ref * load


def scaling_excess(curve: CostCurve, min_share: float = EXCESS_MIN_SHARE) -> dict | None:
    """Cost above linear scaling at current, 2x and 5x load.

    None unless the power model was chosen, the exponent's interval lies above 1 and the
    excess at current load is at least ``min_share`` of the current cost (a material
    finding, not a rounding-level curvature).
    """
    if curve.model_ != "power" or "k" not in curve.ci_ or curve.ci_["k"][0] <= 1.0:
        return None
    L0 = curve.current_load_
    now = float(per_month(curve, excess_at(curve, L0)))
    if now <= min_share * float(per_month(curve, curve.current_cost_)):
        return None
    x2 = float(per_month(curve, excess_at(curve, 2 * L0)))
    x5 = float(per_month(curve, excess_at(curve, 5 * L0)))
    boot = per_month(curve, excess_at(curve, L0, curve.boot_params_))
    k, (klo, khi) = curve.exponent_, curve.ci_["k"]
    return {
        "kind": "scaling_excess",
        "amount_per_month": now,
        "ci": _ci(curve, boot),
        "amount_per_month_at_2x": x2,
        "amount_per_month_at_5x": x5,
        "exponent": k,
        "exponent_ci": [klo, khi],
        "current_load": L0,
        "reference_load": curve.reference_load_,
        "detail": (
            f"cost grows as load^{k:.2f} ({interval_name(curve.ci)} {klo:.2f} to {khi:.2f}): "
            f"{now:,.2f} per month above linear scaling at current load, "
            f"{x2:,.2f} at 2x load and {x5:,.2f} at 5x"
        ),
    }


def drift_test(curve: CostCurve) -> tuple[float, float]:
    """(drift: change of cost per period per day at current load, two-sided p-value).

    The p-value is a z-test of the drift against the spread of its bootstrap replicates
    (the block bootstrap carries the residuals' autocorrelation into that spread).
    """
    from scipy import stats

    if not curve.drift_fitted_:
        return 0.0, float("nan")
    d = curve.drift_
    if curve.boot_drift_ is None:
        return d, float("nan")
    sd = float(np.std(curve.boot_drift_, ddof=1))
    if sd <= 0:
        return d, 0.0 if d != 0 else 1.0
    return d, float(2 * stats.norm.sf(abs(d) / sd))


def efficiency_drift(curve: CostCurve, alpha: float = DRIFT_ALPHA) -> dict | None:
    """Rising cost at equal load over the window; None unless rising and significant."""
    d, p = drift_test(curve)
    if not (d > 0 and p < alpha) or curve.days_ is None:
        return None
    span_days = float(-curve.days_[0])
    at = np.array([curve.current_load_])
    now = float(curve.curve(at)[0])
    usd = float(per_month(curve, now - float(curve.curve(at, -span_days)[0])))
    monthly_rise = float(per_month(curve, now - float(curve.curve(at, -DAYS_PER_MONTH)[0])))
    boot_now = curve.bootstrap_curves(at, 0.0)
    boot = per_month(curve, (boot_now - curve.bootstrap_curves(at, -span_days))[:, 0])
    return {
        "kind": "efficiency_drift",
        "amount_per_month": usd,
        "ci": _ci(curve, boot),
        "amount_per_month_per_month": monthly_rise,
        "p_value": p,
        "window_days": span_days,
        "detail": (
            f"at equal load, cost rose {monthly_rise:,.2f} per month over the last month "
            f"({p_value(p)}); a month now costs {usd:,.2f} more than at the start of the "
            f"{span_days:.0f}-day window"
        ),
    }


def _when_text(curve: CostCurve, i: int) -> str:
    """The period's start for a sentence: a date (with a time of day only when it has one)."""
    if curve.period_start_ is None:
        return f"period {i + 1}"
    stamp = np.datetime64(curve.period_start_[i], "s").astype(datetime)
    return date_text(stamp)


def anomalies(curve: CostCurve, level: float = ANOMALY_LEVEL) -> list[dict]:
    """Periods whose cost lies outside the ``level``% prediction interval for their load."""
    from scipy import stats

    expected = curve.fitted_
    days = curve.days_ if curve.drift_fitted_ else None
    sd = curve.prediction_sd(curve.load_, days)
    z = float(stats.norm.ppf(0.5 + level / 200))
    lo, hi = np.maximum(expected - z * sd, 0.0), expected + z * sd
    out = []
    for i in np.flatnonzero((curve.cost_ < lo) | (curve.cost_ > hi)):
        gap = float(curve.cost_[i] - expected[i])
        when = (
            np.datetime_as_string(curve.period_start_[i], unit="s") + "Z"
            if curve.period_start_ is not None
            else f"#{i}"
        )
        out.append(
            {
                "kind": "anomaly",
                "amount_per_month": gap,
                "period_start": when,
                "cost": float(curve.cost_[i]),
                "expected": float(expected[i]),
                "interval": [float(lo[i]), float(hi[i])],
                "load": float(curve.load_[i]),
                "detail": (
                    f"{'spike' if gap > 0 else 'drop'} on {_when_text(curve, i)}: cost "
                    f"{curve.cost_[i]:,.2f} where the load seen ({number(curve.load_[i], 4)}) "
                    f"explains {expected[i]:,.2f} ({interval_name(level)} {lo[i]:,.2f} to "
                    f"{hi[i]:,.2f}, wide so that only clear outliers are flagged); "
                    f"{abs(gap):,.2f} {'unexplained' if gap > 0 else 'below expectation'}"
                ),
            }
        )
    return out


def all_findings(curve: CostCurve, anomaly_level: float = ANOMALY_LEVEL) -> list[dict]:
    """Idle baseline, scaling excess, efficiency drift and anomalies, in that order."""
    found = [idle_baseline(curve), scaling_excess(curve), efficiency_drift(curve)]
    return [f for f in found if f is not None] + anomalies(curve, anomaly_level)
