"""Where a latency budget stops holding: the curve it is judged by and the load it breaks at.

``latency_curve`` picks the curve a budget on one statistic is judged by: Little's law for
the mean (``forecaster.scaling.littles_law``, when the think time is known), the AICc-chosen
fitted curve for every other statistic (``forecaster.scaling.latency``).

A budget ("p95 under 300 ms") holds up to the load where its curve reaches the limit; the
interval is where the band's upper and lower edges reach it (inverse regression). The
search runs from load 1 to ``EXTRAPOLATION`` times the highest load measured; a crossing
beyond the highest load measured is flagged as an extrapolation.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import polars as pl

from forecaster.errors import InputError
from forecaster.scaling.latency import LatencyCurve, fit_percentile
from forecaster.scaling.latency_budget import LatencyBudget
from forecaster.scaling.littles_law import ThinkTime, littles_law_curve
from forecaster.scaling.usl import USLModel

EXTRAPOLATION = 2.0


def latency_curve(
    points: pl.DataFrame, model: USLModel, stat: str, think: ThinkTime | None,
    source: str = "load test",
) -> LatencyCurve:  # fmt: skip
    """The curve a budget on ``stat`` is judged by: Little's law for the mean (when the
    think time is known), the AICc-chosen fitted curve for every other statistic."""
    if stat == "mean":
        if think is None:
            raise InputError(
                f"{source}: the mean response time needs the think time: pass `think_time_ms` "
                "(0 for a test whose users do not pause) or a load test with mean latency",
                parameters=("think_time_ms",),
            )
        return littles_law_curve(points, model, think, source)
    return fit_percentile(points, model, stat, source)


def _crossing(
    fn: Callable[[np.ndarray], np.ndarray], limit: float, lo: float, hi: float
) -> float | None:
    """The first load in [lo, hi] where ``fn`` reaches ``limit`` (None if it stays below)."""
    from scipy import optimize

    grid = np.geomspace(lo, hi, 800)
    values = fn(grid)
    above = np.flatnonzero(values >= limit)
    if above.size == 0:
        return None
    i = int(above[0])
    if i == 0:
        return lo
    a, b = float(grid[i - 1]), float(grid[i])
    return float(optimize.brentq(lambda m: float(fn(np.array([m]))[0]) - limit, a, b, xtol=1e-9))


@dataclass(frozen=True)
class BudgetLoad:
    """Where a budget stops holding on a load test's curve.

    ``status``: "within" (the limit is reached inside the measured loads), "extrapolated"
    (beyond the highest load measured, up to EXTRAPOLATION times it), "beyond" (not reached
    in that range: ``load`` None, the budget holds at least to ``search_top``), "broken"
    (already exceeded at load 1: ``load`` None). ``load_ci`` (lo, hi) at the curve's
    confidence; hi is None when the band's lower edge never reaches the limit.
    """

    budget: LatencyBudget
    model: str
    status: str
    load: float | None
    load_ci: tuple[float | None, float | None]
    confidence: float
    measured_top: float
    search_top: float


def budget_load(curve: LatencyCurve, budget: LatencyBudget) -> BudgetLoad:
    """The highest load at which ``budget`` holds on ``curve``, with its interval."""
    top = float(curve.load_.max()) if curve.load_.size else 1.0
    search_top = EXTRAPOLATION * top
    lo_load = 1.0
    crossing = _crossing(curve.values, budget.limit_ms, lo_load, search_top)
    early = _crossing(lambda m: curve.band(m)[1], budget.limit_ms, lo_load, search_top)
    late = _crossing(lambda m: curve.band(m)[0], budget.limit_ms, lo_load, search_top)
    if curve.value(lo_load) >= budget.limit_ms:
        status, crossing = "broken", None
    elif crossing is None:
        status = "beyond"
    else:
        status = "within" if crossing <= top else "extrapolated"
    return BudgetLoad(budget, curve.model_, status, crossing, (early, late), curve.confidence,
                      top, search_top)  # fmt: skip
