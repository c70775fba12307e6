"""Mean response time from Little's law on the fitted throughput law, and the think time.

In a closed test each of N users sends a request, waits for the response (R), thinks (Z)
and sends the next, so N = X (R + Z) and ``R(N) = N / X(N) - Z``. With the USL's X(N) this
is ``R(N) = (1 + sigma (N - 1) + kappa N (N - 1)) / gamma - Z``: a quadratic in N that grows
linearly under contention and bends upward with coherency. Throughput is read as per second
(as k6 and Locust report it), so R is 1000 N / X - Z in milliseconds. Z comes from
``think_time_ms`` when the user names it, otherwise from the data's mean response times
(Z_i = 1000 N_i / X_i - R_i, averaged, with its interval); without either the mean is not
modelled. The interval is the delta method on the USL's covariance plus Z's variance.

``think_time`` refuses (CannotFit) mean response times that exceed N / X by more than
``LITTLE_TOLERANCE``: the load is then not the number of users of a closed test (an open,
arrival-rate test, or a load column that counts something else).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import polars as pl

from forecaster.errors import CannotFit, InputError
from forecaster.scaling.latency import LatencyCurve, cycle_ms
from forecaster.scaling.points import latency_column
from forecaster.scaling.usl import USLModel

LITTLE_TOLERANCE = 0.05  # mean response time may exceed N / X by 5% (timing noise)


@dataclass(frozen=True)
class ThinkTime:
    """Think time Z per request (ms): ``source`` "flag" (named by the user) or "data"."""

    ms: float
    ci: tuple[float, float] | None
    source: str
    spread_ms: float | None = None  # range of the per-load estimates (data only)
    varies: bool = False  # they vary more than the throughput's noise explains

    def to_dict(self) -> dict[str, Any]:
        return {"ms": self.ms, "ci": list(self.ci) if self.ci else None, "source": self.source,
                "spread_ms": self.spread_ms, "varies_with_load": self.varies}  # fmt: skip


def think_time(
    points: pl.DataFrame, model: USLModel, think_time_ms: float | None = None,
    source: str = "load test",
) -> ThinkTime | None:  # fmt: skip
    """Z named by the user, else estimated from the measured means; None without either.

    Refuses (CannotFit) when the mean response times exceed N / X by more than
    LITTLE_TOLERANCE: the load is then not the user count of a closed test.
    """
    if think_time_ms is not None:
        if not (math.isfinite(think_time_ms) and think_time_ms >= 0):
            raise InputError(f"think time {think_time_ms} ms: expected zero or more")
        return ThinkTime(float(think_time_ms), None, "flag")
    column = latency_column("mean")
    if column not in points.columns:
        return None
    rows = points.select("load", "throughput", column).drop_nulls()
    if rows.height == 0:
        return None
    cycle = 1000.0 * rows["load"].to_numpy() / rows["throughput"].to_numpy()
    z = cycle - rows[column].to_numpy()
    worst = int(np.argmin(z / cycle))
    if z[worst] < -LITTLE_TOLERANCE * cycle[worst]:
        raise CannotFit(
            f"{source}: at load {rows['load'][worst]:g} the mean response time "
            f"({rows[column][worst]:.4g} ms) exceeds load / throughput "
            f"({cycle[worst]:.4g} ms), which Little's law forbids in a closed test: the load "
            "is not the number of concurrent users (an open or arrival-rate test?), or the "
            "throughput is not per second"
        )
    z = np.clip(z, 0.0, None)
    mean = float(z.mean())
    # the spread the throughput's own noise gives z (N / X moves with X's noise)
    x_fit = model.throughput(rows["load"].to_numpy())
    expected = cycle * model.residual_std_ / x_fit if math.isfinite(model.residual_std_) else cycle
    varies = bool(
        z.size > 2 and z.std(ddof=1) > 2.0 * math.sqrt(float(np.mean(expected**2))) + 1e-9
    )
    ci = None
    if z.size > 1:
        from scipy import stats

        tq = float(stats.t.ppf(0.5 + model.confidence / 2.0, z.size - 1))
        half = tq * float(z.std(ddof=1)) / math.sqrt(z.size)
        ci = (max(mean - half, 0.0), mean + half)
    return ThinkTime(mean, ci, "data", float(z.max() - z.min()), varies)


def littles_law_curve(
    points: pl.DataFrame, model: USLModel, think: ThinkTime, source: str = "load test"
) -> LatencyCurve:
    """Mean response time R(N) = 1000 N / X(N) - Z (ms) on the fitted USL, with its band."""
    from scipy import stats

    cycle = cycle_ms(model)
    s, k, g = model.sigma_, model.kappa_, model.gamma_
    cov = model.covariance_
    z_var = 0.0
    if think.ci is not None:
        tq_z = float(stats.t.ppf(0.5 + model.confidence / 2.0, max(model.dof_, 1)))
        z_var = ((think.ci[1] - think.ci[0]) / (2.0 * tq_z)) ** 2

    def mean(n: np.ndarray) -> np.ndarray:
        return np.maximum(cycle(np.asarray(n, dtype=float)) - think.ms, 1e-9)

    def log_se(n: np.ndarray) -> np.ndarray:
        n = np.asarray(n, dtype=float)
        d = 1.0 + s * (n - 1.0) + k * n * (n - 1.0)
        grad = 1000.0 * np.column_stack([(n - 1.0) / g, n * (n - 1.0) / g, -d / g**2])
        var = np.einsum("ij,jk,ik->i", grad, cov, grad) + z_var
        return np.sqrt(np.clip(var, 0.0, None)) / mean(n)

    column = latency_column("mean")
    rows = points.select("load", column).drop_nulls() if column in points.columns else None
    load = rows["load"].to_numpy() if rows is not None else np.array([])
    latency = rows[column].to_numpy() if rows is not None else np.array([])
    tq = (
        float(stats.t.ppf(0.5 + model.confidence / 2.0, model.dof_)) if model.dof_ > 0 else math.nan
    )
    return LatencyCurve(
        stat="mean",
        model_="littles_law",
        params_={"sigma": s, "kappa": k, "gamma": g, "think_time_ms": think.ms},
        aicc_={},
        load_=load,
        latency_=latency,
        confidence=model.confidence,
        _mean=mean,
        _log_se=log_se,
        _tq=tq,
        note=f"think time {think.ms:.3g} ms from the {'data' if think.source == 'data' else 'flag'}",
    )
