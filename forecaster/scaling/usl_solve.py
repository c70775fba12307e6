"""The Universal Scalability Law's arithmetic and its bounded least-squares solution:
the law itself (``usl_throughput``), the checks on measurements, starting values, the
fit, and the flagging of single outliers; ``forecaster.scaling.usl.USLModel`` is the
fitted model built on it.

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
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import ArrayLike

from forecaster.errors import CannotFit, InputError

MIN_DISTINCT_LOADS = 4
PARAMS = ("sigma", "kappa", "gamma")


def usl_throughput(load: ArrayLike, sigma: float, kappa: float, gamma: float) -> np.ndarray:
    """Throughput the USL predicts at ``load`` (same unit as gamma)."""
    n = np.asarray(load, dtype=float)
    return gamma * n / (1.0 + sigma * (n - 1.0) + kappa * n * (n - 1.0))


def jacobian(p: np.ndarray, n: np.ndarray) -> np.ndarray:
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


def solve(n: np.ndarray, x: np.ndarray) -> np.ndarray:
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
                jac=lambda p: weight[:, None] * jacobian(p, levels),
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
        return jacobian(p, n) / np.maximum(usl_throughput(n, *p), 1e-300)[:, None]

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
