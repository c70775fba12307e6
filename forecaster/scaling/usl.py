"""Gunther's Universal Scalability Law, fitted by bounded nonlinear least squares.

    X(N) = gamma * N / (1 + sigma * (N - 1) + kappa * N * (N - 1))

X is throughput (any rate unit: requests per second, scripts per hour), N the load
(concurrent users, threads, processors or instances). sigma is contention (the share of
the work that queues on something shared and runs serially), kappa is coherency (the
pairwise crosstalk needed to keep state consistent), gamma the throughput of one unit of
load. gamma is fitted together with sigma and kappa rather than pinned to the N = 1
measurement, which may be missing or noisy; this is the method of the R package ``usl``
(2.x, ``nls`` / ``nlxb``), so the coefficients match its published reference fits.

Confidence intervals are Wald intervals from the covariance s**2 (J'J)**-1 of the
least-squares estimate with Student-t quantiles on n - 3 degrees of freedom, which is
what R's ``confint`` for the ``usl`` package reports.

The arithmetic (the law, starting values, the fit and outlier flags) is in
``forecaster.scaling.usl_solve``; this module is the fitted model and its ceiling.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import polars as pl
from numpy.typing import ArrayLike

from forecaster.errors import InputError, NotFittedError
from forecaster.scaling.usl_solve import (
    PARAMS,
    check_measurements,
    flag_outliers,
    jacobian,
    solve,
    usl_throughput,
)

_NEGLIGIBLE = 1e-8


class USLModel:
    """The Universal Scalability Law fitted to throughput against load.

    Fitted attributes (after ``fit``): ``sigma_``, ``kappa_``, ``gamma_`` and their
    ``*_ci_`` (lo, hi) intervals at ``confidence``; ``stderr_`` (dict); ``covariance_``
    (3x3, order sigma, kappa, gamma); ``r2_``; ``residual_std_`` (throughput unit);
    ``dof_``; ``load_``, ``throughput_``, ``fitted_``, ``efficiency_`` per measured
    point (efficiency = X / (gamma N), 1 = perfectly linear); ``has_peak_`` (kappa is
    distinguishable from 0 at ``confidence``); ``peak_load_`` (N*, None without a peak)
    with ``peak_load_ci_``; ``peak_throughput_`` (X at N*, or the Amdahl asymptote
    gamma / sigma when there is no peak; None when throughput grows without limit);
    ``asymptote_throughput_`` (gamma / sigma, None when sigma is indistinguishable from
    0); ``ceiling_kind_`` ("peak", "asymptote" or "none"); ``outliers_`` (the points left
    out as single outliers: load, throughput, fitted, ratio = throughput / fitted; the
    per-point attributes above hold the points fitted). "Indistinguishable from 0"
    means the coefficient's interval at ``confidence`` reaches 0.
    """

    def __init__(self, confidence: float = 0.95) -> None:
        self.confidence = confidence

    def fit(self, load: ArrayLike, throughput: ArrayLike, source: str = "measurements") -> USLModel:
        """Fit sigma, kappa and gamma to measured (load, throughput) pairs.

        ``source`` names the data in error messages (a file name, say).
        """
        from scipy import stats

        if not 0.0 < self.confidence < 1.0:
            raise InputError(f"confidence {self.confidence} must be between 0 and 1")
        n, x = check_measurements(load, throughput, source, require_rise=False)
        p = solve(n, x)
        flagged = flag_outliers(n, x, p)
        kept_n, kept_x = check_measurements(n[~flagged], x[~flagged], source)
        outliers: list[dict[str, float]] = []
        if flagged.any():
            p = solve(kept_n, kept_x)
            at = usl_throughput(n[flagged], *p)
            outliers = [
                {
                    "load": float(a),
                    "throughput": float(b),
                    "fitted": float(f),
                    "ratio": float(b / f),
                }
                for a, b, f in sorted(zip(n[flagged], x[flagged], at, strict=True))
            ]
            n, x = kept_n, kept_x
        self.outliers_ = outliers
        fitted = usl_throughput(n, *p)
        resid = x - fitted
        dof = n.size - 3
        ssr = float(resid @ resid)
        sst = float(((x - x.mean()) ** 2).sum())
        rv = ssr / dof if dof > 0 else math.nan
        jac = jacobian(p, n)
        try:
            cov = np.linalg.inv(jac.T @ jac) * rv
        except np.linalg.LinAlgError:
            cov = np.full((3, 3), math.nan)
        se = np.sqrt(np.clip(np.diag(cov), 0.0, None))
        tq = float(stats.t.ppf(0.5 + self.confidence / 2.0, dof)) if dof > 0 else math.nan

        self.sigma_, self.kappa_, self.gamma_ = (float(v) for v in p)
        self.covariance_ = cov
        self.stderr_ = {name: float(s) for name, s in zip(PARAMS, se, strict=True)}
        cis = [(float(v - tq * s), float(v + tq * s)) for v, s in zip(p, se, strict=True)]
        self.sigma_ci_, self.kappa_ci_, self.gamma_ci_ = cis
        self.dof_ = dof
        self.r2_ = 1.0 - ssr / sst if sst > 0 else math.nan
        self.residual_std_ = math.sqrt(rv) if dof > 0 else math.nan
        order = np.argsort(n, kind="stable")
        self.load_, self.throughput_ = n[order], x[order]
        self.fitted_ = fitted[order]
        self.efficiency_ = self.throughput_ / (self.gamma_ * self.load_)
        self._derive_ceiling(tq)
        return self

    def _derive_ceiling(self, tq: float) -> None:
        sigma, kappa, gamma = self.sigma_, self.kappa_, self.gamma_
        # A coefficient counts when its interval excludes 0 and it moves the denominator
        # by more than rounding at the highest measured load (noise-free data would
        # otherwise make a kappa of 1e-21 "significant", with a peak at 1e10).
        top = float(self.load_.max())
        self.has_peak_ = bool(self.kappa_ci_[0] > 0 and kappa * top * top > _NEGLIGIBLE)
        has_contention = bool(self.sigma_ci_[0] > 0 and sigma * top > _NEGLIGIBLE)
        self.asymptote_throughput_ = gamma / sigma if has_contention else None
        self.peak_load_ = None
        self.peak_load_ci_ = None
        if self.has_peak_:
            peak = math.sqrt((1.0 - sigma) / kappa)
            self.peak_load_ = peak
            self.peak_throughput_ = float(usl_throughput(peak, sigma, kappa, gamma))
            self.ceiling_kind_ = "peak"
            # delta method on log N* = (log(1 - sigma) - log kappa) / 2: stays positive
            grad = np.array([-0.5 / (1.0 - sigma), -0.5 / kappa, 0.0])
            var = float(grad @ self.covariance_ @ grad)
            if math.isfinite(var) and math.isfinite(tq):
                half = tq * math.sqrt(max(var, 0.0))
                self.peak_load_ci_ = (peak * math.exp(-half), peak * math.exp(half))
        elif self.asymptote_throughput_ is not None:
            self.peak_throughput_ = self.asymptote_throughput_
            self.ceiling_kind_ = "asymptote"
        else:
            self.peak_throughput_ = None
            self.ceiling_kind_ = "none"

    def _check_fitted(self) -> None:
        if not hasattr(self, "gamma_"):
            raise NotFittedError(
                "this USLModel is not fitted yet; call fit(load, throughput) first"
            )

    def throughput(self, load: ArrayLike) -> np.ndarray:
        """Throughput the fitted law gives at ``load`` (the unit of the data), as an array."""
        self._check_fitted()
        return usl_throughput(load, self.sigma_, self.kappa_, self.gamma_)

    def predict(self, load: ArrayLike, level: tuple[float, ...] = (80, 95)) -> pl.DataFrame:
        """Throughput at ``load``: ``load``, ``mean`` and ``lo_<level>``/``hi_<level>``
        (levels in percent) for a new measurement there: the coefficients' uncertainty
        (delta method on ``covariance_``) plus the residual scatter, Student t with the
        fit's degrees of freedom; lower bounds clipped at 0."""
        from scipy import stats

        self._check_fitted()
        n = np.atleast_1d(np.asarray(load, dtype=float))
        mean = self.throughput(n)
        jac = jacobian(np.array([self.sigma_, self.kappa_, self.gamma_]), n)
        var = np.einsum("ij,jk,ik->i", jac, self.covariance_, jac) + self.residual_std_**2
        sd = np.sqrt(np.clip(var, 0.0, None))
        cols: dict[str, np.ndarray] = {"load": n, "mean": mean}
        for lv in level:
            if not 1 <= lv < 100:
                raise InputError(
                    f"level {lv!r}: expected a percentage from 1 to 99.9 (95, not 0.95)",
                    parameters=("level",),
                )
            q = float(stats.t.ppf(0.5 + lv / 200, self.dof_)) if self.dof_ > 0 else math.nan
            tag = f"{lv:g}".replace(".", "_")
            cols[f"lo_{tag}"] = np.maximum(mean - q * sd, 0.0)
            cols[f"hi_{tag}"] = mean + q * sd
        return pl.DataFrame(cols)

    def to_dict(self) -> dict[str, Any]:
        """Plain data: the CLI's ``--json`` keys first, then details (additive)."""
        self._check_fitted()
        return {
            "sigma": self.sigma_,
            "kappa": self.kappa_,
            "gamma": self.gamma_,
            "sigma_ci": list(self.sigma_ci_),
            "kappa_ci": list(self.kappa_ci_),
            "gamma_ci": list(self.gamma_ci_),
            "peak_load": self.peak_load_,
            "peak_throughput": self.peak_throughput_,
            "r2": self.r2_,
            "confidence": self.confidence,
            "ceiling_kind": self.ceiling_kind_,
            "peak_load_ci": list(self.peak_load_ci_) if self.peak_load_ci_ else None,
            "asymptote_throughput": self.asymptote_throughput_,
            "stderr": dict(self.stderr_),
            "residual_std": self.residual_std_,
            "dof": self.dof_,
            "outliers": [dict(o) for o in self.outliers_],
            "points": [
                {
                    "load": float(n),
                    "throughput": float(x),
                    "fitted": float(f),
                    "efficiency": float(e),
                }
                for n, x, f, e in zip(
                    self.load_, self.throughput_, self.fitted_, self.efficiency_, strict=True
                )
            ],
        }
