"""Latency budgets beside the throughput ceiling: the one engine function every surface uses.

``budget_outlook`` answers, for one budget ("p95 under 300 ms") on one load test: the highest
load at which it holds (with its interval, ``latency.budget_load``), the throughput the
fitted law gives there (loads past the peak N* add no throughput, so the budget's usable
throughput is X(min(load, N*))), the share of the throughput ceiling that leaves usable,
the cost per unit of throughput at that load (when a price of capacity is given: per unit
of load, ``--cost-per-instance``/``--cost-curve``, or the workload's fitted cost curve
through ``curve_cost``, in the workload's currency) and, with
a load forecast, the first date the forecast reaches that throughput: the date the budget
breaks, with the dates its 80% band reaches it (``ceiling.ceiling_date`` at share 1, so the
budget date and the ceiling date are computed the same way from the same forecast).

``describe_budget`` puts one budget and the ceiling date in the sentence a lead can repeat.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

import numpy as np
import polars as pl

from forecaster.format import money, number
from forecaster.scaling.budget_load import BudgetLoad, budget_load, latency_curve
from forecaster.scaling.ceiling import CostFn, ceiling_date
from forecaster.scaling.latency import LatencyCurve
from forecaster.scaling.latency_budget import LatencyBudget
from forecaster.scaling.littles_law import think_time
from forecaster.scaling.usl import USLModel

if TYPE_CHECKING:
    from forecaster.curves import CostCurve
    from forecaster.scaling.reach import CeilingReach

SECONDS_PER_DAY = 86_400.0


@dataclass(frozen=True)
class ThroughputCost:
    """What serving a throughput costs: ``per_hour(x)`` in ``currency`` per hour at ``x``
    units per second; ``basis`` says where the price comes from."""

    per_hour: Callable[[float], float]
    currency: str
    basis: str


def workload_curve_cost(fit: Any, workload: str) -> ThroughputCost | None:
    """``curve_cost`` of a ``portfolio.WorkloadFit`` (None without a fitted curve)."""
    if fit is None or getattr(fit, "curve", None) is None or not getattr(fit, "currency", None):
        return None
    return curve_cost(fit.curve, fit.currency, workload)


def curve_cost(curve: CostCurve, currency: str, workload: str) -> ThroughputCost:
    """The workload's fitted cost curve (cost per period against load per period) as the
    cost per hour of serving ``x`` per second all the time: load per period = x times the
    period's seconds, at the curve's current parameters (drift at its last period)."""
    from forecaster.curves.inputs import PERIODS_PER_DAY

    per_day = PERIODS_PER_DAY[curve.grain]
    seconds = SECONDS_PER_DAY / per_day

    def per_hour(x: float) -> float:
        return float(curve.curve(np.array([x * seconds]), None)[0]) * per_day / 24.0

    return ThroughputCost(per_hour, currency, f"{workload}'s fitted cost curve")


@dataclass(frozen=True)
class BudgetOutlook:
    """One budget's load, throughput, cost and date (see the module doc).

    ``throughput`` is per second (the load test's unit); ``usable_share`` of the ceiling
    throughput (None without a ceiling); ``cost_per_throughput`` USD per hour per unit of
    throughput; ``date``/``date_80`` ISO dates (None: not within the forecast horizon);
    ``measure`` "throughput" or "load": what the forecast was compared with.
    """

    load: BudgetLoad
    throughput: float | None
    throughput_ci: tuple[float | None, float | None]
    usable_share: float | None
    cost_per_hour: float | None = None
    cost_per_throughput: float | None = None
    cost_currency: str | None = None
    cost_basis: str | None = None
    measure: str = "throughput"
    date: str | None = None
    date_80: tuple[str | None, str | None] = (None, None)
    horizon_end: str | None = None
    threshold: float | None = None

    @property
    def budget(self) -> LatencyBudget:
        return self.load.budget

    @property
    def cost_per_1000(self) -> float | None:
        """Cost of 1,000 units of throughput (requests) served at the budget throughput."""
        if self.cost_per_hour is None or not self.throughput:
            return None
        return 1000.0 * self.cost_per_hour / (self.throughput * 3600.0)

    def to_dict(self) -> dict[str, Any]:
        """Plain data for ``--json`` and the pack: every key always present."""
        b = self.load
        return {
            "budget": b.budget.text(),
            "stat": b.budget.stat,
            "limit_ms": b.budget.limit_ms,
            "curve": b.model,
            "status": b.status,
            "budget_load": b.load,
            "budget_load_ci": list(b.load_ci),
            "confidence": b.confidence,
            "measured_top_load": b.measured_top,
            "throughput_at_budget": self.throughput,
            "throughput_at_budget_ci": list(self.throughput_ci),
            "usable_share_of_ceiling": self.usable_share,
            "cost_per_hour_at_budget": self.cost_per_hour,
            "cost_per_throughput_at_budget": self.cost_per_throughput,
            "cost_per_1000_at_budget": self.cost_per_1000,
            "cost_currency": self.cost_currency,
            "cost_basis": self.cost_basis,
            "budget_measure": self.measure,
            "budget_threshold": self.threshold,
            "budget_date": self.date,
            "budget_date_80": list(self.date_80),
            "forecast_horizon_end": self.horizon_end,
        }


def usable_throughput(model: USLModel, load: float | None) -> float | None:
    """The highest throughput the fitted law gives at loads up to ``load`` (per second):
    past a peak more load adds none, so the budget's usable throughput stops there."""
    if load is None:
        return None
    grid = np.append(np.geomspace(1.0, max(load, 1.0), 400), max(load, 1.0))
    if model.peak_load_ is not None and model.peak_load_ < load:
        grid = np.append(grid, model.peak_load_)
    return float(model.throughput(grid).max())


def budget_outlook(
    model: USLModel,
    curve: LatencyCurve,
    budget: LatencyBudget,
    forecast: pl.DataFrame | None = None,
    scale: float = 1.0,
    cost: CostFn | None = None,
    measure: str = "throughput",
    throughput_cost: ThroughputCost | None = None,
) -> BudgetOutlook:
    """The budget's load, throughput, share of the ceiling, cost and date (module doc).

    ``forecast`` (``timestamp, mean, lo_80, hi_80[, ...]``) times ``scale`` is compared with
    the throughput at the budget load, or with the load itself when ``measure="load"``.
    """
    where = budget_load(curve, budget)
    tput = usable_throughput(model, where.load)
    lo, hi = where.load_ci
    tput_ci = (usable_throughput(model, lo), usable_throughput(model, hi))
    share = None
    if tput is not None and model.peak_throughput_:
        share = min(tput / model.peak_throughput_, 1.0)
    per_hour = per_unit = currency = basis = None
    if cost is not None and where.load is not None and tput:
        per_hour = float(cost(np.array([where.load]))[0])
        currency, basis = "USD", "price per unit of load"
    elif throughput_cost is not None and tput:
        per_hour = throughput_cost.per_hour(tput)
        currency, basis = throughput_cost.currency, throughput_cost.basis
    if per_hour is not None and tput:
        per_unit = per_hour / tput
    out = BudgetOutlook(where, tput, tput_ci, share, per_hour, per_unit, currency, basis, measure)
    if forecast is None:
        return out
    threshold = where.load if measure == "load" else tput
    if where.status == "broken":
        threshold = 0.0  # already exceeded: the first forecast date
    dates = ceiling_date(forecast, threshold, 1.0, scale)
    early, late = dates["ceiling_date_80"]
    return replace(
        out,
        date=_day(dates["ceiling_date"]),
        date_80=(_day(early), _day(late)),
        horizon_end=_day(dates["forecast_horizon_end"]),
        threshold=dates["ceiling_threshold"],
    )


def _day(value: str | None) -> str | None:
    """A forecast timestamp at midnight as its day (YYYY-MM-DD); other times as given."""
    if value is None:
        return None
    return (
        value[:10]
        if value[10:].startswith(("T00:00:00", " 00:00:00")) or len(value) == 10
        else value
    )


def budget_outlooks(
    points: pl.DataFrame,
    model: USLModel,
    budgets: list[LatencyBudget],
    think_time_ms: float | None = None,
    source: str = "load test",
    **kwargs: Any,
) -> tuple[list[BudgetOutlook], dict[str, LatencyCurve], Any]:
    """Every budget on one load test: (outlooks, curve per statistic, think time).

    ``kwargs`` go to ``budget_outlook`` (forecast, scale, cost, measure).
    """
    think = think_time(points, model, think_time_ms, source)
    curves: dict[str, LatencyCurve] = {}
    outlooks = []
    for budget in budgets:
        if budget.stat not in curves:
            curves[budget.stat] = latency_curve(points, model, budget.stat, think, source)
        outlooks.append(budget_outlook(model, curves[budget.stat], budget, **kwargs))
    return outlooks, curves, think


def _num(value: float) -> str:
    return number(value)


def rate_words(load_unit: str | None) -> str:
    """A workload's load unit as a rate for sentences: "queries per second"."""
    return f"{load_unit} per second" if load_unit else "per second"


def describe_budget(
    outlook: BudgetOutlook,
    ceiling: dict[str, Any] | None = None,
    load_unit: str = "",
    rate_unit: str = "per second",
) -> str:
    """One sentence: where and when the budget breaks, and the ceiling date beside it.

    ``ceiling`` is ``ceiling.ceiling_date``'s result for the same forecast (or None).
    """
    b = outlook.load

    def load_words(value: float, about: str = "") -> str:
        if load_unit:
            return f"{about}{_num(value)} {load_unit}"
        return f"a load of {about}{_num(value)}"

    what = f"{b.budget.label.replace(' latency ', ' latency passes ')}"
    if b.status == "broken":
        head = f"{what} already at a load of 1"
    elif b.status == "beyond":
        head = (
            f"{b.budget.label} holds up to at least {load_words(b.search_top)} "
            "(twice the highest load tested)"
        )
    else:
        head = f"{what} at {load_words(b.load, 'about ')}"  # type: ignore[arg-type]
        if outlook.throughput is not None:
            head += f" ({_num(outlook.throughput)} {rate_unit}"
            if outlook.usable_share is not None:
                head += f", {outlook.usable_share:.0%} of the ceiling"
            if outlook.cost_per_1000 is not None:
                head += f", {money(outlook.cost_per_1000, outlook.cost_currency)} per 1,000 served"
            head += ")"
        if b.status == "extrapolated":
            head += ", beyond the loads tested"
    if outlook.horizon_end is not None and b.status != "beyond":
        head += (
            f", around {outlook.date[:10]}"
            if outlook.date
            else f"; the forecast stays below it until {outlook.horizon_end[:10]}"
        )
    if ceiling is None or ceiling.get("ceiling_threshold") is None:
        return head + "."
    share = ceiling["ceiling_share"]
    target = f"{share:.0%} of the ceiling ({_num(ceiling['ceiling_threshold'])} {rate_unit})"
    if share == 1.0:
        target = f"the ceiling of {_num(ceiling['ceiling_threshold'])} {rate_unit}"
    when = ceiling.get("ceiling_date")
    if when is None:
        return f"{head}; {target} is not reached before {ceiling['forecast_horizon_end'][:10]}."
    order = "later" if outlook.date is not None and outlook.date <= when else "earlier"
    return f"{head}; {target} is reached {order}, {when[:10]}."


def reach_ceiling(reach: CeilingReach) -> dict[str, Any]:
    """A ``CeilingReach`` in ``ceiling_date``'s keys, for ``describe_budget``."""
    return {
        "ceiling_threshold": reach.threshold,
        "ceiling_share": reach.share,
        "ceiling_date": reach.date,
        "forecast_horizon_end": reach.horizon_end,
    }


def reach_budgets(
    reach: CeilingReach | None,
    points: pl.DataFrame,
    model: USLModel,
    budgets: tuple[LatencyBudget, ...] | list[LatencyBudget],
    source: str = "load test",
    think_time_ms: float | None = None,
    cost: CostFn | None = None,
    throughput_cost: ThroughputCost | None = None,
    load_unit: str = "",
    rate_unit: str = "per second",
) -> list[tuple[BudgetOutlook, str]]:
    """A workload's budgets on its load test, against the same busiest-hour forecast as its
    ceiling date (``reach``, ``reach.workload_ceiling``): (outlook, sentence) per budget, for
    the pack, the Scaling page and ``forecaster scaling --workload`` alike. Without ``reach``
    (no forecast), the budget loads only."""
    if not budgets:
        return []
    outlooks, _, _ = budget_outlooks(
        points,
        model,
        list(budgets),
        think_time_ms,
        source,
        forecast=reach.busiest_hour.forecast if reach is not None else None,
        cost=cost,
        throughput_cost=throughput_cost,
    )
    limit = reach_ceiling(reach) if reach is not None else None
    return [(o, describe_budget(o, limit, load_unit, rate_unit)) for o in outlooks]
