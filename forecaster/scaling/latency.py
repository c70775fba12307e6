"""Each latency statistic against load: a monotone curve chosen by AICc, with its band.

Each percentile (and the measured mean or max) of a load test, against the load N
(concurrent users, threads, instances), is fitted by a monotone curve, chosen by AICc as
the cost curves are (``forecaster.curves.models.aicc``; a curve with more parameters must
lower AICc by ``DELTA_AICC`` to be kept): ``linear`` a + bN, ``usl`` a + b (D(N) - D(1))
with D(N) = N / X(N) the fitted law's cycle time (the shape Little's law predicts),
``quadratic`` a + bN + cN^2, ``power`` a + bN^k and ``exponential`` a + b (exp(c N / N_top)
- 1); all coefficients non-negative, so every curve is non-decreasing and can bend upward
like queueing delay. Fitted on the log scale (latency noise is proportional to its level)
by bounded least squares; the confidence band is the delta method on the log curve with
Student-t quantiles on n - p degrees of freedom.

The fit refuses (CannotFit / InputError) with fewer than ``MIN_LEVELS`` distinct loads
carrying the statistic, or a non-positive response time.

Beside it: ``latency_budget`` (a budget as written: ``p95=300ms``), ``littles_law`` (the mean
response time from the fitted throughput law) and ``budget_load`` (where a budget breaks).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import polars as pl

from forecaster.curves.models import aicc
from forecaster.errors import CannotFit, InputError
from forecaster.scaling.latency_budget import STAT_LABELS
from forecaster.scaling.points import latency_column
from forecaster.scaling.usl import USLModel

MIN_LEVELS = 4
DELTA_AICC = 2.0


CurveFn = Callable[[np.ndarray, np.ndarray], np.ndarray]


@dataclass(frozen=True)
class _Family:
    name: str
    params: tuple[str, ...]
    fn: CurveFn


def _families(model: USLModel, top: float) -> list[_Family]:
    """The candidate curves, simplest first; each maps (loads, parameters) -> ms."""
    cycle = cycle_ms(model)
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


def cycle_ms(model: USLModel) -> Callable[[np.ndarray], np.ndarray]:
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

    def values(self, load: Any) -> np.ndarray:
        """The curve at each load (ms)."""
        return self._mean(np.atleast_1d(np.asarray(load, dtype=float)))

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
