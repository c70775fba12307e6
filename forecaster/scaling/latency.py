"""Response time against load, consistent with the fitted throughput law, and latency budgets.

Two models, both against the load N of a load test (concurrent users, threads, instances):

- **Mean response time from Little's law** on the fitted USL. In a closed test each of N
  users sends a request, waits for the response (R), thinks (Z) and sends the next, so
  N = X (R + Z) and ``R(N) = N / X(N) - Z``. With the USL's X(N) this is
  ``R(N) = (1 + sigma (N - 1) + kappa N (N - 1)) / gamma - Z``: a quadratic in N that grows
  linearly under contention and bends upward with coherency. Throughput is read as per
  second (as k6 and Locust report it), so R is 1000 N / X - Z in milliseconds. Z comes from
  ``think_time_ms`` when the user names it, otherwise from the data's mean response times
  (Z_i = 1000 N_i / X_i - R_i, averaged, with its interval); without either the mean is not
  modelled. The interval is the delta method on the USL's covariance plus Z's variance.
- **Each percentile (and the measured mean or max) fitted against load** by a monotone
  curve, chosen by AICc as the cost curves are (``forecaster.curves.models.aicc``; a curve
  with more parameters must lower AICc by ``DELTA_AICC`` to be kept): ``linear`` a + bN,
  ``usl`` a + b (D(N) - D(1)) with D(N) = N / X(N) the fitted law's cycle time (the shape
  Little's law predicts), ``quadratic`` a + bN + cN^2, ``power`` a + bN^k and
  ``exponential`` a + b (exp(c N / N_top) - 1); all coefficients non-negative, so every
  curve is non-decreasing and can bend upward like queueing delay. Fitted on the log scale
  (latency noise is proportional to its level) by bounded least squares; the confidence
  band is the delta method on the log curve with Student-t quantiles on n - p degrees of
  freedom.

A budget ("p95 under 300 ms") holds up to the load where its curve reaches the limit; the
interval is where the band's upper and lower edges reach it (inverse regression). The
search runs from load 1 to ``EXTRAPOLATION`` times the highest load measured; a crossing
beyond the highest load measured is flagged as an extrapolation.

The fit refuses (CannotFit / InputError) with fewer than ``MIN_LEVELS`` distinct loads
carrying the statistic, a non-positive response time, or, for Little's law, mean response
times that exceed N / X by more than ``LITTLE_TOLERANCE`` (the load is then not the number
of users of a closed test: an open, arrival-rate test, or a load column that counts
something else).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import polars as pl

from forecaster.curves.models import aicc
from forecaster.errors import CannotFit, InputError
from forecaster.scaling.points import LATENCY_STATS, latency_column
from forecaster.scaling.usl import USLModel

MIN_LEVELS = 4
DELTA_AICC = 2.0
EXTRAPOLATION = 2.0
LITTLE_TOLERANCE = 0.05  # mean response time may exceed N / X by 5% (timing noise)
STAT_NAMES = {
    "mean": "mean", "avg": "mean", "average": "mean",
    "p50": "p50", "median": "p50", "med": "p50",
    "p90": "p90", "p95": "p95", "p99": "p99", "max": "max",
}  # fmt: skip
_UNITS_MS = {"ms": 1.0, "s": 1000.0, "us": 0.001, "\u00b5s": 0.001}
STAT_LABELS = {"mean": "mean", "p50": "median", "p90": "p90", "p95": "p95", "p99": "p99",
               "max": "maximum"}  # fmt: skip


# -- budgets --------------------------------------------------------------------------
@dataclass(frozen=True)
class LatencyBudget:
    """A response-time budget: ``stat`` (mean, p50, p90, p95, p99, max) at most ``limit_ms``."""

    stat: str
    limit_ms: float

    def __post_init__(self) -> None:
        if self.stat not in LATENCY_STATS:
            raise InputError(
                f"latency budget statistic {self.stat!r}: expected one of "
                f"{', '.join(LATENCY_STATS)}"
            )
        if not (math.isfinite(self.limit_ms) and self.limit_ms > 0):
            raise InputError(f"latency budget {self.limit_ms} ms: expected a positive time")

    @property
    def label(self) -> str:
        """``p95 latency 300 ms``."""
        return f"{STAT_LABELS[self.stat]} latency {format_ms(self.limit_ms)}"

    def text(self) -> str:
        """The budget as the user writes it: ``p95=300ms``."""
        return f"{self.stat}={self.limit_ms:g}ms"


def format_ms(value: float) -> str:
    """A response time in words: ``300 ms``, ``1.25 s``, ``0.8 ms``."""
    if value >= 1000:
        return f"{value / 1000:.3g} s"
    return f"{value:.3g} ms" if value < 10 else f"{value:,.0f} ms"


def parse_budget(text: str) -> LatencyBudget:
    """``p95=300ms``, ``p99<1.2s``, ``mean=250 ms``, ``median=80ms`` as a LatencyBudget.

    The unit is required (ms, s or us): a bare number is an InputError, never a guess.
    """
    match = re.fullmatch(
        r"\s*([A-Za-z0-9]+)\s*(?:=|<=|<)\s*([0-9]*\.?[0-9]+)\s*([a-z\u00b5]+)\s*", text or ""
    )
    if not match:
        raise InputError(
            f"latency budget {text!r}: expected STAT=TIME with a unit, such as p95=300ms or "
            "p99=1.2s (statistics: mean, p50, p90, p95, p99, max)"
        )
    raw_stat, number, unit = match.groups()
    stat = STAT_NAMES.get(raw_stat.lower())
    if stat is None:
        raise InputError(
            f"latency budget {text!r}: unknown statistic {raw_stat!r}; expected mean, p50, "
            "p90, p95, p99 or max"
        )
    if unit not in _UNITS_MS:
        raise InputError(f"latency budget {text!r}: unknown unit {unit!r}; expected ms, s or us")
    return LatencyBudget(stat, float(number) * _UNITS_MS[unit])


def parse_duration_ms(text: str) -> float:
    """``0``, ``500ms``, ``1.5s``, ``800us`` as milliseconds (a bare number other than 0 is
    refused: the unit must be stated)."""
    match = re.fullmatch(r"\s*([0-9]*\.?[0-9]+)\s*([a-z\u00b5]*)\s*", text or "")
    if not match or (not match.group(2) and float(match.group(1)) != 0.0):
        raise InputError(f"time {text!r}: expected a number with a unit, such as 500ms or 1s")
    number, unit = float(match.group(1)), match.group(2) or "ms"
    if unit not in _UNITS_MS:
        raise InputError(f"time {text!r}: unknown unit {unit!r}; expected ms, s or us")
    return number * _UNITS_MS[unit]


# -- curves ---------------------------------------------------------------------------
CurveFn = Callable[[np.ndarray, np.ndarray], np.ndarray]


@dataclass(frozen=True)
class _Family:
    name: str
    params: tuple[str, ...]
    fn: CurveFn


def _families(model: USLModel, top: float) -> list[_Family]:
    """The candidate curves, simplest first; each maps (loads, parameters) -> ms."""
    cycle = _cycle_ms(model)
    d1 = float(cycle(np.array([1.0]))[0])
    return [
        _Family("linear", ("a", "b"), lambda n, p: p[0] + p[1] * n),
        _Family("usl", ("a", "b"), lambda n, p: p[0] + p[1] * (cycle(n) - d1)),
        _Family("quadratic", ("a", "b", "c"), lambda n, p: p[0] + p[1] * n + p[2] * n * n),
        _Family("power", ("a", "b", "k"), lambda n, p: p[0] + p[1] * n ** p[2]),
        _Family(
            "exponential", ("a", "b", "c"), lambda n, p: p[0] + p[1] * np.expm1(p[2] * n / top)
        ),
    ]


def _cycle_ms(model: USLModel) -> Callable[[np.ndarray], np.ndarray]:
    """D(N) = 1000 N / X(N), the fitted law's time per request and user (ms)."""
    s, k, g = model.sigma_, model.kappa_, model.gamma_
    return lambda n: 1000.0 * (1.0 + s * (n - 1.0) + k * n * (n - 1.0)) / g


def _starts(family: _Family, n: np.ndarray, y: np.ndarray, top: float) -> list[np.ndarray]:
    lo, hi = float(y.min()), float(y.max())
    slope = max((hi - lo) / max(top - float(n.min()), 1.0), 1e-9)
    if family.name == "linear":
        return [np.array([lo, slope])]
    if family.name == "usl":
        return [np.array([lo, 1.0]), np.array([lo, 0.1]), np.array([lo, 10.0])]
    if family.name == "quadratic":
        return [np.array([lo, slope, 1e-9]), np.array([lo, 1e-9, slope / top])]
    if family.name == "power":
        return [np.array([lo, slope, 1.0]), np.array([lo, slope / top, 2.0]),
                np.array([0.5 * lo, slope * top ** 0.5, 0.5])]  # fmt: skip
    return [np.array([lo, hi - lo, 1.0]), np.array([lo, (hi - lo) / 20, 3.0])]


def _bounds(family: _Family) -> tuple[list[float], list[float]]:
    lower = [1e-9] + [0.0] * (len(family.params) - 1)
    upper = [np.inf] * len(family.params)
    if family.name == "power":
        lower[2], upper[2] = 0.2, 8.0
    if family.name == "exponential":
        upper[2] = 20.0
    return lower, upper


@dataclass
class _Fit:
    family: _Family
    params: np.ndarray
    ssr: float
    aicc: float
    cov: np.ndarray


def _fit_family(family: _Family, n: np.ndarray, y: np.ndarray, top: float) -> _Fit | None:
    from scipy import optimize

    logy = np.log(y)
    lower, upper = _bounds(family)

    def resid(p: np.ndarray) -> np.ndarray:
        f = family.fn(n, p)
        return np.log(np.maximum(f, 1e-300)) - logy

    best = None
    for start in _starts(family, n, y, top):
        start = np.clip(start, np.array(lower) + 1e-12, np.minimum(np.array(upper), 1e12))
        try:
            res = optimize.least_squares(resid, start, bounds=(lower, upper), method="trf",
                                         x_scale="jac", max_nfev=4000)  # fmt: skip
        except (ValueError, FloatingPointError):
            continue
        if np.all(np.isfinite(res.x)) and (best is None or res.cost < best.cost):
            best = res
    if best is None:
        return None
    p = len(family.params)
    ssr = float(2.0 * best.cost)
    dof = n.size - p
    crit = max(ssr, 1e-12 * n.size)
    cov = np.full((p, p), math.nan)
    if dof > 0:
        jac = best.jac
        cov = np.linalg.pinv(jac.T @ jac) * (ssr / dof)
    return _Fit(family, best.x, ssr, aicc(crit, n.size, p + 1), cov)


def _gradient(fn: CurveFn, n: np.ndarray, p: np.ndarray) -> np.ndarray:
    """d log f / d parameters at loads ``n`` (central differences), shape (len(n), len(p))."""
    cols = []
    for i in range(p.size):
        h = 1e-6 * max(abs(p[i]), 1e-6)
        up, down = p.copy(), p.copy()
        up[i] += h
        down[i] = max(down[i] - h, 0.0) if i > 0 else down[i] - h
        step = up[i] - down[i]
        cols.append(
            (np.log(np.maximum(fn(n, up), 1e-300)) - np.log(np.maximum(fn(n, down), 1e-300))) / step
        )
    return np.column_stack(cols)


@dataclass
class LatencyCurve:
    """One statistic's response time against load (ms), with its confidence band.

    ``model_`` is the chosen curve ("linear", "usl", "quadratic", "power", "exponential" or
    "littles_law"); ``params_`` its coefficients; ``aicc_`` every candidate's AICc;
    ``load_``/``latency_`` the measured points; ``confidence`` the band's level.
    """

    stat: str
    model_: str
    params_: dict[str, float]
    aicc_: dict[str, float]
    load_: np.ndarray
    latency_: np.ndarray
    confidence: float
    _mean: Callable[[np.ndarray], np.ndarray] = field(repr=False)
    _log_se: Callable[[np.ndarray], np.ndarray] = field(repr=False)
    _tq: float = field(repr=False)
    note: str | None = None

    def predict(self, load: Any) -> pl.DataFrame:
        """``load, mean, lo, hi`` (ms): the curve and its band at ``confidence``."""
        n = np.atleast_1d(np.asarray(load, dtype=float))
        mean = self._mean(n)
        lo, hi = self.band(n)
        return pl.DataFrame({"load": n, "mean": mean, "lo": lo, "hi": hi})

    def band(self, load: Any) -> tuple[np.ndarray, np.ndarray]:
        """Lower and upper edge of the band at ``load`` (ms)."""
        n = np.atleast_1d(np.asarray(load, dtype=float))
        mean = self._mean(n)
        half = self._tq * self._log_se(n)
        half = np.where(np.isfinite(half), half, 0.0)
        return mean * np.exp(-half), mean * np.exp(half)

    def value(self, load: float) -> float:
        """The curve at one load (ms)."""
        return float(self._mean(np.array([float(load)]))[0])

    def to_dict(self) -> dict[str, Any]:
        return {
            "stat": self.stat,
            "model": self.model_,
            "params": dict(self.params_),
            "aicc": {k: (v if math.isfinite(v) else None) for k, v in self.aicc_.items()},
            "confidence": self.confidence,
            "note": self.note,
            "points": [
                {"load": float(n), "latency_ms": float(y), "fitted_ms": self.value(n)}
                for n, y in zip(self.load_, self.latency_, strict=True)
            ],
        }


def _measured(points: pl.DataFrame, stat: str, source: str) -> tuple[np.ndarray, np.ndarray]:
    column = latency_column(stat)
    if column not in points.columns:
        raise CannotFit(f"{source}: no {STAT_LABELS[stat]} latency in the load test")
    rows = points.select("load", column).drop_nulls()
    if rows.height == 0:
        raise CannotFit(
            f"{source}: no {STAT_LABELS[stat]} latency in the load test (read from k6's "
            "http_req_duration, Locust's percentile columns, or CSV columns such as "
            f"{column})"
        )
    n = rows["load"].to_numpy().astype(float)
    y = rows[column].to_numpy().astype(float)
    if (y <= 0).any() or not np.isfinite(y).all():
        i = int(np.flatnonzero(~(y > 0))[0])
        raise InputError(
            f"{source}: {STAT_LABELS[stat]} latency {y[i]:g} ms at load {n[i]:g} is not "
            "positive; expected a response time"
        )
    levels = np.unique(n).size
    if levels < MIN_LEVELS:
        raise CannotFit(
            f"{source}: {STAT_LABELS[stat]} latency at only {levels} distinct load(s); a "
            f"latency curve needs {MIN_LEVELS} or more"
        )
    return n, y


def fit_percentile(
    points: pl.DataFrame, model: USLModel, stat: str, source: str = "load test",
    confidence: float | None = None,
) -> LatencyCurve:  # fmt: skip
    """The AICc-chosen monotone curve of one latency statistic against load (module doc)."""
    confidence = model.confidence if confidence is None else confidence
    n, y = _measured(points, stat, source)
    top = float(n.max())
    fits = [f for fam in _families(model, top) if (f := _fit_family(fam, n, y, top)) is not None]
    if not fits:
        raise CannotFit(f"{source}: no latency curve could be fitted to {stat}")
    chosen = fits[0]
    for cand in fits[1:]:
        simpler = len(cand.family.params) <= len(chosen.family.params)
        margin = 0.0 if simpler else DELTA_AICC
        if cand.aicc < chosen.aicc - margin:
            chosen = cand
    fam, p = chosen.family, chosen.params
    dof = n.size - len(fam.params)
    from scipy import stats

    tq = float(stats.t.ppf(0.5 + confidence / 2.0, dof)) if dof > 0 else math.nan
    finite = [f for f in fits if math.isfinite(f.aicc)]
    best = min(f.aicc for f in finite) if finite else 0.0
    weights = np.array([math.exp(-0.5 * (f.aicc - best)) for f in finite])
    weights = weights / weights.sum() if weights.size else weights

    def _var(f: _Fit, m: np.ndarray) -> np.ndarray:
        g = _gradient(f.family.fn, m, f.params)
        return np.clip(np.einsum("ij,jk,ik->i", g, f.cov, g), 0.0, None)

    def log_se(m: np.ndarray) -> np.ndarray:
        """Unconditional on the choice (Buckland et al. 1997): the Akaike-weighted
        variance of each candidate plus its squared distance from the chosen curve."""
        if not finite:
            return np.sqrt(_var(chosen, m))
        ref = np.log(np.maximum(fam.fn(m, p), 1e-300))
        total = np.zeros_like(np.asarray(m, dtype=float))
        for w, f in zip(weights, finite, strict=True):
            dist = np.log(np.maximum(f.family.fn(m, f.params), 1e-300)) - ref
            total = total + w * (np.nan_to_num(_var(f, m), nan=0.0) + dist**2)
        return np.sqrt(total)

    return LatencyCurve(
        stat=stat,
        model_=fam.name,
        params_={k: float(v) for k, v in zip(fam.params, p, strict=True)},
        aicc_={f.family.name: float(f.aicc) for f in fits},
        load_=n,
        latency_=y,
        confidence=confidence,
        _mean=lambda m: fam.fn(np.asarray(m, dtype=float), p),
        _log_se=log_se,
        _tq=tq,
    )


# -- Little's law ---------------------------------------------------------------------
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

    cycle = _cycle_ms(model)
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


# -- budget load ----------------------------------------------------------------------
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
    crossing = _crossing(curve._mean, budget.limit_ms, lo_load, search_top)
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
