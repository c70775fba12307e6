"""Seeded circular block bootstrap of a fitted model, vectorized over resamples.

Why blocks: daily cost residuals are autocorrelated (weekly cycles, deploys that last a few
days), and resampling single periods would understate the parameter uncertainty. Blocks of
``ceil(n ** (1/3))`` consecutive periods (9 for two years of days) keep short-range
dependence. A resample is represented by how many times each period was drawn (a row of
counts), so all resamples are refitted together as weighted least squares problems.

Why fixed robust weights: each resample is refitted by weighted least squares with the
full-sample Huber weights.
This fixed-weight, one-step bootstrap of an M-estimator is the standard cheap approximation
to re-running IRLS to convergence per resample (outliers stay down-weighted), and it is what
keeps the bootstrap to a few milliseconds per workload.
"""

from __future__ import annotations

import math

import numpy as np

from forecaster.curves import models
from forecaster.curves.profile import PointFit, profile, window
from forecaster.curves.solution import Solution

#: Half-width of the exponent window searched in resamples, around the point estimate.
K_WINDOW = 0.4
#: Capacities searched in resamples lie within this factor of the point estimate.
C_WINDOW = 1.5


def default_block_length(n: int) -> int:
    """ceil(n ** (1/3)): 9 for 730 daily periods, 21 for 8,760 hourly ones."""
    return max(1, math.ceil(n ** (1 / 3)))


def block_counts(n: int, n_boot: int, block: int, rng: np.random.Generator) -> np.ndarray:
    """(n_boot, n) draw counts of a circular block bootstrap; each row sums to n.

    Circular (blocks wrap from the last period to the first) so that every period is drawn
    equally often on average; the plain moving-block bootstrap under-samples the first and
    last periods, which understates the uncertainty of a time trend.
    """
    block = max(1, min(block, n))
    n_blocks = math.ceil(n / block)
    starts = rng.integers(0, n, size=(n_boot, n_blocks))
    idx = ((starts[:, :, None] + np.arange(block)) % n).reshape(n_boot, -1)[:, :n]
    flat = idx + (np.arange(n_boot) * n)[:, None]
    return np.bincount(flat.ravel(), minlength=n_boot * n).reshape(n_boot, n).astype(float)


def _boot_grid(fit: PointFit, x: np.ndarray, k_bounds: tuple[float, float]) -> np.ndarray:
    theta = float(fit.solution.theta[0])
    if fit.solution.model == "step":
        return np.union1d(np.geomspace(theta / C_WINDOW, theta * C_WINDOW, 81), [theta])
    grid = models.theta_grid(fit.solution.model, x, k_bounds)
    return window(fit.solution.model, grid, theta, K_WINDOW, C_WINDOW)


def bootstrap(
    fit: PointFit,
    x: np.ndarray,
    y: np.ndarray,
    tau: np.ndarray | None,
    k_bounds: tuple[float, float],
    n_boot: int,
    block: int,
    rng: np.random.Generator,
) -> Solution:
    """Refit ``fit``'s model on ``n_boot`` block resamples; returns (n_boot,) parameter arrays.

    Each resample is a weighted least-squares problem with weights = draw counts times the
    point fit's final weights (noise precision times Huber weight). Unit drift is
    linearized around the point estimate's growth rate and folded back into a growth rate
    per resample. Deviations are measured from the same refit on the original sample and
    scaled by ``fit.kappa`` before being added to the point estimate: a fixed-weight refit
    moves only ``1 / kappa`` of the way an iterated Huber fit would (its curvature counts
    down-weighted outliers that the loss's curvature does not), so unscaled intervals would
    be some 15% too narrow.
    """
    sol = fit.solution
    counts = np.vstack([np.ones((1, x.size)), block_counts(x.size, n_boot, block, rng)])
    grid = _boot_grid(fit, x, k_bounds)
    W = counts * fit.weights[None, :]
    g0 = float(sol.g[0]) if sol.drift == "unit" else 0.0
    out = profile(sol.model, x, y, tau, sol.drift, W, grid, g0=g0).with_growth()
    point = sol.with_growth()
    kap = fit.kappa

    def shift(name: str, lo: float = -np.inf, hi: float = np.inf) -> np.ndarray:
        a = getattr(out, name)
        return np.clip(getattr(point, name)[0] + kap * (a[1:] - a[0]), lo, hi)

    theta = shift("theta", *k_bounds) if sol.model == "power" else out.theta[1:]
    return Solution(
        sol.model,
        sol.drift,
        shift("F", 0.0),
        shift("v", 0.0),
        theta,
        shift("g"),
        shift("d"),
        out.rss[1:],
    )
