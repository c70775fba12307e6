"""Robust profile fitting of one model: grid over the shape parameter, IRLS, scipy polish.

The loss is Huber's (quadratic within ``c`` robust standard deviations, linear beyond, with
c = 1.345: 95% efficiency on Gaussian noise), minimized by iteratively reweighted least
squares with the residual scale re-estimated from the median absolute deviation at each
step. ``loss="linear"`` is plain least squares (one pass, weights 1): on the linear model
that is exactly ordinary least squares. The power model's exponent is then polished with
``scipy.optimize.least_squares`` (same loss, same scale, bounds F >= 0, v >= 0,
k in k_bounds) from the grid solution.

Everything works on normalized data: x = load / load_scale, y = cost / cost_scale and
tau = (time - last period) / time_scale, so tau is in [-1, 0].
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from forecaster.curves import models
from forecaster.curves.solution import HUBER_C, Solution, huber_criterion, huber_weights, mad_scale
from forecaster.curves.wls import Design, grid_design, grid_moments, row_moments, solve


def _features(
    model: str, x: np.ndarray, theta: np.ndarray, growth: np.ndarray | None
) -> np.ndarray:
    z = models.features(model, x, theta)
    if growth is None:
        return z
    return z * (growth[:, None] if z.shape[0] == growth.size else growth[None, :])


def profile(
    model: str,
    x: np.ndarray,
    y: np.ndarray,
    tau: np.ndarray | None,
    drift: str | None,
    W: np.ndarray,
    grid: np.ndarray,
    refine: bool = True,
    design: Design | None = None,
    g0: float = 0.0,
) -> Solution:
    """Best (F, v, theta, d) on ``grid`` for every weight row of ``W`` (B, n).

    Unit drift is linearized around the growth rate ``g0``: the load feature is
    ``z * exp(g0 * tau)`` and d is the first-order correction (``Solution.with_growth``).
    For the power model the exponent is refined between grid points by a parabola through
    the three best residual sums, then (F, v, d) are re-solved at the refined exponent.
    """
    drift = drift if tau is not None else None
    growth = np.exp(g0 * tau) if drift == "unit" else None
    if design is None:
        design = grid_design(_features(model, x, grid, growth), y, tau, drift)
    F, v, d, rss = solve(grid_moments(W, design))
    j = np.argmin(rss, axis=1)
    rows = np.arange(W.shape[0])
    g = np.full(W.shape[0], g0 if drift == "unit" else 0.0)
    best = Solution(model, drift, F[rows, j], v[rows, j], grid[j], g, d[rows, j], rss[rows, j])
    if not (refine and model == "power" and grid.size >= 3):
        return best
    jc = np.clip(j, 1, grid.size - 2)
    r_lo, r_mid, r_hi = rss[rows, jc - 1], rss[rows, jc], rss[rows, jc + 1]
    curv = r_lo - 2 * r_mid + r_hi
    h = grid[1] - grid[0]
    with np.errstate(divide="ignore", invalid="ignore"):
        shift = np.where(curv > 0, 0.5 * h * (r_lo - r_hi) / curv, 0.0)
    theta = np.clip(grid[jc] + np.nan_to_num(shift), grid[jc - 1], grid[jc + 1])
    Zb = models.features(model, x, theta[:, None])
    if growth is not None:
        Zb = Zb * growth[None, :]
    F2, v2, d2, rss2 = solve(row_moments(W, Zb, y, tau, drift))
    better = rss2 < best.rss
    return Solution(
        model,
        drift,
        np.where(better, F2, best.F),
        np.where(better, v2, best.v),
        np.where(better, theta, best.theta),
        g,
        np.where(better, d2, best.d),
        np.where(better, rss2, best.rss),
    )


@dataclass(frozen=True)
class PointFit:
    """The robust point estimate of one model on the full sample (normalized units)."""

    solution: Solution  # B = 1
    weights: np.ndarray  # final weights (n,): precision times Huber weight
    sigma: float  # robust scale (MAD) of the standardized residuals
    residuals: np.ndarray  # y - fitted (n,)
    std_residuals: np.ndarray  # residuals * sqrt(precision): comparable across periods
    iterations: int
    #: sum of the weights over the sum of the loss's curvature weights (1 for least squares):
    #: how much a fixed-weight refit understates a deviation of the M-estimate
    kappa: float = 1.0


#: Bounds of the unit-cost growth rate over the whole window (exp(4) = 55x).
G_BOUNDS = (-4.0, 4.0)


def _polish_power(
    x: np.ndarray,
    y: np.ndarray,
    tau: np.ndarray | None,
    sol: Solution,
    loss: str,
    cutoff: float,
    k_bounds: tuple[float, float],
    root_precision: np.ndarray,
) -> Solution:
    """Exact optimum of the power model's loss from the grid solution, with scipy.

    Parameters (F, v, k) plus the drift's (g for unit drift, d for fixed drift).
    """
    from scipy.optimize import least_squares

    drift = sol.drift if tau is not None else None
    sol = sol.with_growth()
    p0 = [sol.F[0], sol.v[0], float(np.clip(sol.theta[0], *k_bounds))]
    lb, ub = [0.0, 0.0, k_bounds[0]], [np.inf, np.inf, k_bounds[1]]
    if drift == "unit":
        p0.append(float(np.clip(sol.g[0], *G_BOUNDS)))
        lb.append(G_BOUNDS[0])
        ub.append(G_BOUNDS[1])
    elif drift == "fixed":
        p0.append(sol.d[0])
        lb.append(-np.inf)
        ub.append(np.inf)

    def resid(p: np.ndarray) -> np.ndarray:
        z = np.power(x, p[2])
        if drift is None:
            out = p[0] + p[1] * z - y
        elif drift == "fixed":
            out = p[0] + p[1] * z + p[3] * tau - y
        else:
            out = p[0] + p[1] * z * np.exp(p[3] * tau) - y
        return out * root_precision

    use_huber = loss == "huber" and cutoff > 0
    res = least_squares(
        resid,
        np.array(p0),
        bounds=(lb, ub),
        loss="huber" if use_huber else "linear",
        f_scale=cutoff if use_huber else 1.0,
        method="trf",
        x_scale="jac",
        xtol=1e-8,
        ftol=1e-10,
        gtol=1e-10,
        max_nfev=200,
    )
    p = res.x
    r = resid(p)
    one = np.ones(1)
    return Solution(
        "power",
        drift,
        p[0] * one,
        p[1] * one,
        p[2] * one,
        (p[3] if drift == "unit" else 0.0) * one,
        (p[3] if drift == "fixed" else 0.0) * one,
        float(r @ r) * one,
    )


def window(
    model: str, grid: np.ndarray, theta: float, k_half: float, c_factor: float
) -> np.ndarray:
    """The part of ``grid`` near ``theta``: exponents within k_half, capacities within a factor."""
    if model == "power":
        keep = np.abs(grid - theta) <= k_half + 1e-9
    elif model == "step":
        keep = (grid >= theta / c_factor) & (grid <= theta * c_factor)
    else:
        return grid
    out = grid[keep]
    return out if out.size else np.array([theta])


def step_breakpoint_grid(x: np.ndarray, theta: float, factor: float = 1.05) -> np.ndarray:
    """Capacities between consecutive breakpoints near ``theta``.

    The step fit only changes where a load crosses a multiple of the capacity, i.e. at
    C = x_i / m; the midpoints between consecutive such breakpoints within ``factor`` of
    ``theta`` are every distinct fit there is.
    """
    m = np.arange(1, models.MAX_STEP_LEVELS + 2)
    bp = (np.unique(x)[:, None] / m[None, :]).ravel()
    bp = np.unique(bp[(bp >= theta / factor) & (bp <= theta * factor)])
    if bp.size < 2:
        return np.array([])
    mids = 0.5 * (bp[1:] + bp[:-1])
    if mids.size > 2000:
        mids = mids[np.linspace(0, mids.size - 1, 2000).astype(int)]
    return mids


def point_fit(
    model: str,
    x: np.ndarray,
    y: np.ndarray,
    tau: np.ndarray | None,
    drift: str | None,
    loss: str,
    k_bounds: tuple[float, float],
    c: float = HUBER_C,
    max_iter: int = 50,
    init_weights: np.ndarray | None = None,
    precision: np.ndarray | None = None,
) -> PointFit:
    """Robust (or least-squares) fit of ``model`` to the whole sample.

    ``precision`` (n,) are inverse-variance weights for noise whose spread grows with the
    cost (1 everywhere for constant noise); the Huber loss acts on the standardized
    residuals ``r * sqrt(precision)``. ``init_weights`` warm-starts IRLS with Huber weights
    (e.g. a simpler model's). Each IRLS step also takes a Gauss-Newton step on the unit
    drift's growth rate. The first two steps search the whole shape grid; later steps only
    a window around the current shape value (re-centred if the solution reaches its edge),
    which keeps each step cheap.
    """
    full = models.theta_grid(model, x, k_bounds)
    if full.size == 0:
        raise ValueError(f"no shape values to try for the {model} model")
    n = x.size
    drift = drift if tau is not None else None
    prec = np.ones(n) if precision is None else precision
    root = np.sqrt(prec)
    g0 = 0.0

    def make(grid: np.ndarray, g: float):
        growth = np.exp(g * tau) if drift == "unit" else None
        return grid, grid_design(_features(model, x, grid, growth), y, tau, drift)

    grid, design = make(full, g0)
    hw = np.ones(n) if init_weights is None or loss != "huber" else init_weights.copy()
    sigma = 0.0
    it = 0
    for it in range(1, max_iter + 1):  # noqa: B007 - the count is reported
        sol = profile(model, x, y, tau, drift, (hw * prec)[None, :], grid, design=design, g0=g0)
        rs = (y - sol.fitted(x, tau)[0]) * root
        sigma = mad_scale(rs)
        g_new = float(np.clip(sol.with_growth().g[0], *G_BOUNDS)) if drift == "unit" else 0.0
        g_done = abs(g_new - g0) < 1e-5
        if loss != "huber" or sigma <= 1e-12 * max(float(np.mean(np.abs(y))), 1e-300):
            w_done = True
        else:
            hw_new = huber_weights(rs, c * sigma)
            w_done = float(np.max(np.abs(hw_new - hw))) < 1e-4
            hw = hw_new
        if w_done and g_done:
            break
        theta = float(sol.theta[0])
        narrow = grid.size == full.size and it >= 2 and full.size > 1
        new_grid = grid
        if narrow or (grid.size < full.size and theta in (grid[0], grid[-1])):
            new_grid = window(model, full, theta, 0.3, 1.25)
        if new_grid is not grid or not g_done:
            g0 = g_new
            grid, design = make(new_grid, g0)
    if model == "step":
        fine = step_breakpoint_grid(x, float(sol.theta[0]))
        if fine.size:
            cand = profile(model, x, y, tau, drift, (hw * prec)[None, :], fine, g0=g0)
            if cand.rss[0] < sol.rss[0]:
                sol = cand
    if model == "power":
        cutoff = c * sigma if loss == "huber" else 0.0
        polished = _polish_power(x, y, tau, sol, loss, cutoff, k_bounds, root)
        rs_new = (y - polished.fitted(x, tau)[0]) * root
        if loss != "huber" or huber_criterion(rs_new, sigma, c) <= huber_criterion(rs, sigma, c):
            sol, rs = polished, rs_new
    r = y - sol.fitted(x, tau)[0]
    rs = r * root
    # With a zero robust scale (most residuals exactly 0: a cost flat but for a few cents)
    # no point is down-weighted, so the bootstrap scale kappa is 1, not sum / ~0 (which
    # blew the intervals up to 1e291).
    huber = loss == "huber" and sigma > 1e-12 * max(float(np.mean(np.abs(y))), 1e-300)
    hw = huber_weights(rs, c * sigma) if huber else np.ones(n)
    slope = prec * (np.abs(rs) <= c * sigma) if huber else prec
    return PointFit(
        sol,
        hw * prec,
        mad_scale(rs),
        r,
        rs,
        it,
        float(np.sum(hw * prec) / max(np.sum(slope), 1e-300)),
    )


def noise_power(residuals: np.ndarray, fitted: np.ndarray) -> float:
    """Exponent g of noise that grows with the cost, sd ~ fitted ** g, clipped to [0, 1].

    The least-squares slope of log|residual| on log(fitted); Gaussian noise only shifts
    log|r| by a constant, so the slope estimates g. 0 when the fitted cost spans less than
    20% (too narrow a range to tell).
    """
    ok = (fitted > 0) & (np.abs(residuals) > 0)
    if ok.sum() < 8:
        return 0.0
    lf, lr = np.log(fitted[ok]), np.log(np.abs(residuals[ok]))
    if lf.max() - lf.min() < np.log(1.2):
        return 0.0
    lf = lf - lf.mean()
    return float(np.clip((lf @ (lr - lr.mean())) / (lf @ lf), 0.0, 1.0))
