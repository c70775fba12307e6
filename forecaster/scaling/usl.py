"""Gunther's Universal Scalability Law, fitted by bounded nonlinear least squares.

    X(N) = gamma * N / (1 + sigma * (N - 1) + kappa * N * (N - 1))

X is throughput (any rate unit: requests per second, scripts per hour), N the load
(concurrent users, threads, processors or instances). sigma is contention (the share of
the work that queues on something shared and runs serially), kappa is coherency (the
pairwise crosstalk needed to keep state consistent), gamma the throughput of one unit of
load. gamma is fitted together with sigma and kappa rather than pinned to the N = 1
measurement, which may be missing or noisy; this is the method of the R package ``usl``
(2.x, ``nls`` / ``nlxb``), so the coefficients match its published reference fits.

Starting values come from the data: dividing through, N / X = a + b N + c N**2 with
a = (1 - sigma) / gamma, b = (sigma - kappa) / gamma, c = kappa / gamma, an ordinary
linear regression whose solution is an excellent start for the nonlinear fit. A few
further starts (including the R package's) guard against a poor linearisation; the best
fit wins. Bounds are 0 <= sigma <= 1, kappa >= 0, gamma >= 0.

Single outliers (a run whose monitoring double counted, a cached warm-up: one point 100x
off) would drag a least-squares fit anywhere, so the points are first fitted robustly
(soft-L1 loss on the log of throughput, i.e. on ratios, scale 5%); a point whose ratio to
that robust fit is beyond both OUTLIER_SIGMAS robust standard deviations (1.4826 MAD of the
log ratios) and a factor OUTLIER_RATIO is flagged, at most MAX_OUTLIER_SHARE of the points
(at least one), and only while 4 distinct loads remain. The law is then fitted by least
squares to the other points, and the flagged ones are reported (``outliers_``) and said in
words. Data without such points is fitted exactly as before, all points kept.

Confidence intervals are Wald intervals from the covariance s**2 (J'J)**-1 of the
least-squares estimate with Student-t quantiles on n - 3 degrees of freedom, which is
what R's ``confint`` for the ``usl`` package reports.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import polars as pl
from numpy.typing import ArrayLike

from forecaster.errors import CannotFit, InputError, NotFittedError

MIN_DISTINCT_LOADS = 4
_NEGLIGIBLE = 1e-8
_PARAMS = ("sigma", "kappa", "gamma")


def usl_throughput(load: ArrayLike, sigma: float, kappa: float, gamma: float) -> np.ndarray:
    """Throughput the USL predicts at ``load`` (same unit as gamma)."""
    n = np.asarray(load, dtype=float)
    return gamma * n / (1.0 + sigma * (n - 1.0) + kappa * n * (n - 1.0))


def _jacobian(p: np.ndarray, n: np.ndarray) -> np.ndarray:
    """d X / d (sigma, kappa, gamma) at every load."""
    sigma, kappa, gamma = p
    d = 1.0 + sigma * (n - 1.0) + kappa * n * (n - 1.0)
    return np.column_stack(
        [
            -gamma * n * (n - 1.0) / d**2,
            -gamma * n * n * (n - 1.0) / d**2,
            n / d,
        ]
    )


def check_measurements(
    load: ArrayLike, throughput: ArrayLike, source: str = "measurements", require_rise: bool = True
) -> tuple[np.ndarray, np.ndarray]:
    """Validate load/throughput pairs for a USL fit and return them as float arrays.

    Raises InputError (naming ``source``) for mismatched lengths, missing or non-finite
    values, loads or throughputs that are zero or negative, or fewer than four distinct
    loads; CannotFit when throughput never rises above its value at the lowest load
    (there is no scaling to model).
    """
    n = np.asarray(load, dtype=float).ravel()
    x = np.asarray(throughput, dtype=float).ravel()
    if n.shape != x.shape:
        raise InputError(
            f"{source}: {n.size} loads but {x.size} throughput values; expected one "
            "throughput per load"
        )
    bad = ~(np.isfinite(n) & np.isfinite(x))
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise InputError(
            f"{source}: {int(bad.sum())} measurement(s) missing or not finite "
            f"(first at row {i + 1}: load={n[i]}, throughput={x[i]}); expected numbers"
        )
    if (n <= 0).any():
        i = int(np.flatnonzero(n <= 0)[0])
        raise InputError(
            f"{source}: load {n[i]:g} at row {i + 1} is not positive; expected loads "
            "(users, threads, instances) of at least 1"
        )
    if (x <= 0).any():
        i = int(np.flatnonzero(x <= 0)[0])
        raise InputError(
            f"{source}: throughput {x[i]:g} at load {n[i]:g} (row {i + 1}) is zero or "
            "negative; expected a positive rate at every load (drop failed runs)"
        )
    levels = np.unique(n)
    if levels.size < MIN_DISTINCT_LOADS:
        shown = ", ".join(f"{v:g}" for v in levels)
        raise InputError(
            f"{source}: only {levels.size} distinct load(s) ({shown}); the USL has three "
            f"coefficients and needs measurements at {MIN_DISTINCT_LOADS} or more "
            "distinct loads"
        )
    means = np.array([x[n == level].mean() for level in levels])
    if require_rise and means[1:].max() <= means[0]:
        raise CannotFit(
            f"{source}: throughput never rises above {means[0]:g} (its value at the "
            f"lowest load {levels[0]:g}); there is no scaling to model. Check that the "
            "load column is the offered concurrency and the system was not already "
            "saturated at the lowest load"
        )
    return n, x


def _starts(n: np.ndarray, x: np.ndarray) -> list[np.ndarray]:
    """Starting points (sigma, kappa, gamma), on throughput scaled to max 1."""
    per_unit = float(np.max(x / n))
    starts = []
    design = np.column_stack([np.ones_like(n), n, n * n])
    (a, b, c), *_ = np.linalg.lstsq(design, n / x, rcond=None)
    if a + b + c > 0:
        gamma = 1.0 / (a + b + c)
        starts.append(np.array([1.0 - a * gamma, c * gamma, gamma]))
    n_max = float(n.max())
    starts.append(np.array([0.01, 1e-4, per_unit]))  # the R package's start
    for sigma in (0.05, 0.5):
        for kappa in (0.1 / n_max**2, 1.0 / n_max**2):
            starts.append(np.array([sigma, kappa, per_unit]))
    # strictly inside the bounds, as the trust-region solver requires
    lo, hi = np.array([1e-6, 1e-12, 1e-12]), np.array([0.999, 1e12, 1e12])
    return [np.clip(s, lo, hi) for s in starts]


def _solve(n: np.ndarray, x: np.ndarray) -> np.ndarray:
    """Best bounded least-squares fit over several starts, on the original scale.

    Works on the mean throughput per distinct load weighted by sqrt(count): the sum of
    squares differs from the per-point one by a constant (the spread within each load),
    so the minimiser is the same and 100,000 production points cost as much as 100.
    """
    from scipy import optimize

    scale = float(x.max())
    levels, inverse = np.unique(n, return_inverse=True)
    counts = np.bincount(inverse).astype(float)
    means = np.bincount(inverse, weights=x / scale) / counts
    weight = np.sqrt(counts)
    best = None
    for start in _starts(levels, means):
        try:
            res = optimize.least_squares(
                lambda p: weight * (usl_throughput(levels, *p) - means),
                start,
                jac=lambda p: weight[:, None] * _jacobian(p, levels),
                bounds=([0.0, 0.0, 0.0], [1.0, np.inf, np.inf]),
                method="trf",
                x_scale="jac",
                ftol=1e-14,
                xtol=1e-14,
                gtol=1e-14,
                max_nfev=2000,
            )
        except (ValueError, FloatingPointError):  # pragma: no cover - defensive
            continue
        if np.all(np.isfinite(res.x)) and (best is None or res.cost < best.cost):
            best = res
    if best is None:  # pragma: no cover - every start failed
        raise CannotFit("USL least-squares fit did not converge from any starting point")
    sigma, kappa, gamma = best.x
    return np.array([sigma, kappa, gamma * scale])


#: A point is flagged only if its throughput is this many times above (or below 1/this of)
#: the robust fit ...
OUTLIER_RATIO = 3.0
#: ... and this many robust standard deviations of the log ratios away from their median.
OUTLIER_SIGMAS = 6.0
#: At most this share of the points is flagged (at least one point may always be).
MAX_OUTLIER_SHARE = 0.1
_ROBUST_SCALE = 0.05  # soft-L1 scale on log throughput: ratios beyond ~5% count linearly


def _robust_solve(n: np.ndarray, x: np.ndarray, start: np.ndarray) -> np.ndarray | None:
    """sigma, kappa, gamma minimising a soft-L1 loss of log(fit / x) over every point."""
    from scipy import optimize

    scale = float(x.max())
    y = np.log(x / scale)
    best = None
    starts = [np.clip(start * np.array([1.0, 1.0, 1.0 / scale]), 1e-12, None)]
    starts += _starts(*_level_means(n, x / scale))

    def resid(p: np.ndarray) -> np.ndarray:
        return np.log(np.maximum(usl_throughput(n, *p), 1e-300)) - y

    def jac(p: np.ndarray) -> np.ndarray:
        return _jacobian(p, n) / np.maximum(usl_throughput(n, *p), 1e-300)[:, None]

    for s0 in starts:
        s0 = np.clip(s0, [1e-6, 1e-12, 1e-12], [0.999, 1e12, 1e12])
        try:
            res = optimize.least_squares(
                resid, s0, jac=jac, bounds=([0.0, 0.0, 1e-12], [1.0, np.inf, np.inf]),
                loss="soft_l1", f_scale=_ROBUST_SCALE, method="trf", x_scale="jac",
                max_nfev=500,
            )  # fmt: skip
        except (ValueError, FloatingPointError):  # pragma: no cover - defensive
            continue
        if np.all(np.isfinite(res.x)) and (best is None or res.cost < best.cost):
            best = res
    if best is None:  # pragma: no cover
        return None
    sigma, kappa, gamma = best.x
    return np.array([sigma, kappa, gamma * scale])


def _level_means(n: np.ndarray, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    levels, inverse = np.unique(n, return_inverse=True)
    return levels, np.bincount(inverse, weights=x) / np.bincount(inverse)


def flag_outliers(n: np.ndarray, x: np.ndarray, start: np.ndarray) -> np.ndarray:
    """True for the points a robust fit calls single outliers (see the module doc)."""
    flagged = np.zeros(n.size, dtype=bool)
    robust = _robust_solve(n, x, start)
    if robust is None:  # pragma: no cover
        return flagged
    e = np.log(x) - np.log(np.maximum(usl_throughput(n, *robust), 1e-300))
    centre = float(np.median(e))
    spread = 1.4826 * float(np.median(np.abs(e - centre)))
    limit = max(OUTLIER_SIGMAS * spread, math.log(OUTLIER_RATIO))
    far = np.abs(e - centre)
    candidates = np.flatnonzero(far > limit)
    if candidates.size == 0:
        return flagged
    most = max(1, int(MAX_OUTLIER_SHARE * n.size))
    worst = candidates[np.argsort(-far[candidates], kind="stable")][:most]
    flagged[worst] = True
    kept = ~flagged
    if np.unique(n[kept]).size < MIN_DISTINCT_LOADS:
        return np.zeros(n.size, dtype=bool)
    return flagged


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
        p = _solve(n, x)
        flagged = flag_outliers(n, x, p)
        kept_n, kept_x = check_measurements(n[~flagged], x[~flagged], source)
        outliers: list[dict[str, float]] = []
        if flagged.any():
            p = _solve(kept_n, kept_x)
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
        jac = _jacobian(p, n)
        try:
            cov = np.linalg.inv(jac.T @ jac) * rv
        except np.linalg.LinAlgError:
            cov = np.full((3, 3), math.nan)
        se = np.sqrt(np.clip(np.diag(cov), 0.0, None))
        tq = float(stats.t.ppf(0.5 + self.confidence / 2.0, dof)) if dof > 0 else math.nan

        self.sigma_, self.kappa_, self.gamma_ = (float(v) for v in p)
        self.covariance_ = cov
        self.stderr_ = {name: float(s) for name, s in zip(_PARAMS, se, strict=True)}
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
        jac = _jacobian(np.array([self.sigma_, self.kappa_, self.gamma_]), n)
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
