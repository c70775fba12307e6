"""Batched, constrained weighted least squares for ``cost = F + v * z + d * u``.

Every model in this package is linear in (F, v, d) once its shape parameter (the exponent k
of the power model, the capacity C of the step model) is fixed, with ``z`` the model's
load feature and ``u`` the drift feature (``tau``, time before the last period, for a
drifting fixed cost; ``z * tau`` for a drifting unit cost). So a fit is a *profile* over the shape parameter: for each candidate value,
(F, v, d) come in closed form from weighted sums. Doing this for a whole grid of shape
values and a whole batch of bootstrap weight vectors at once is a handful of matrix
products, which is what makes 1,000 workloads with bootstrap fit in seconds.

Constraints: F >= 0 (an idle baseline is not negative) and v >= 0 (cost does not fall as
load rises), so the curve is non-decreasing in load. They are enforced exactly by trying
every active set ({}, {F}, {v}, {F, v} held at zero) and keeping the feasible solution
with the smallest weighted residual sum of squares (the optimum of a convex quadratic
program with sign constraints is one of them). The drift coefficient d is free.

Shapes: ``W`` is (B, n) weights (bootstrap counts times robust weights); ``Z`` is (n, K)
features for K shape values, or (B, n) when each weight row has its own feature row.
Results are (B, K) or (B,).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

_TINY = 1e-300


@dataclass(frozen=True)
class Moments:
    """Weighted sums that determine the least-squares problem (any leading shape).

    ``u`` is the drift feature: tau (drift of the fixed cost) or z * tau (drift of the unit
    cost); its sums are None when no drift is fitted.
    """

    s0: np.ndarray  # sum w
    sz: np.ndarray  # sum w z
    szz: np.ndarray  # sum w z^2
    sy: np.ndarray  # sum w y
    szy: np.ndarray  # sum w z y
    syy: np.ndarray  # sum w y^2
    su: np.ndarray | None = None  # sum w u
    suu: np.ndarray | None = None  # sum w u^2
    szu: np.ndarray | None = None  # sum w z u
    suy: np.ndarray | None = None  # sum w u y


@dataclass(frozen=True)
class Design:
    """Feature products stacked column-wise, so all moments are one product ``W @ P``.

    Built once per model and grid (it does not depend on the weights), then reused by
    every IRLS step and every bootstrap resample.
    """

    P: np.ndarray  # (n, m)
    K: int
    drift: str | None


def grid_design(Z: np.ndarray, y: np.ndarray, tau: np.ndarray | None, drift: str | None) -> Design:
    """Design for features ``Z`` (n, K); ``drift`` applies only when ``tau`` is given."""
    drift = drift if tau is not None else None
    ZZ = Z * Z
    cols = [np.column_stack([np.ones_like(y), y, y * y]), Z, ZZ, Z * y[:, None]]
    if drift == "fixed":
        cols += [np.column_stack([tau, tau * tau, tau * y]), Z * tau[:, None]]
    elif drift == "unit":
        Zt = Z * tau[:, None]
        cols += [Zt, Zt * Zt, ZZ * tau[:, None], Zt * y[:, None]]
    return Design(np.ascontiguousarray(np.hstack(cols)), Z.shape[1], drift)


def grid_moments(W: np.ndarray, design: Design) -> Moments:
    """Moments for every weight row of ``W`` (B, n) and every grid column of ``design``."""
    M = W @ design.P
    K = design.K
    blocks = [M[:, 3 + i * K : 3 + (i + 1) * K] for i in range(3)]
    kw = {}
    if design.drift == "fixed":
        e = 3 + 3 * K
        kw = {
            "su": M[:, e : e + 1],
            "suu": M[:, e + 1 : e + 2],
            "szu": M[:, e + 3 : e + 3 + K],
            "suy": M[:, e + 2 : e + 3],
        }
    elif design.drift == "unit":
        e = 3 + 3 * K
        su, suu, szu, suy = (M[:, e + i * K : e + (i + 1) * K] for i in range(4))
        kw = {"su": su, "suu": suu, "szu": szu, "suy": suy}
    return Moments(M[:, 0:1], blocks[0], blocks[1], M[:, 1:2], blocks[2], M[:, 2:3], **kw)


def row_moments(
    W: np.ndarray, Z: np.ndarray, y: np.ndarray, tau: np.ndarray | None, drift: str | None
) -> Moments:
    """Moments when each weight row of ``W`` (B, n) has its own feature row ``Z`` (B, n)."""
    wz = W * Z
    kw = {}
    if tau is not None and drift is not None:
        U = np.broadcast_to(tau, Z.shape) if drift == "fixed" else Z * tau
        wu = W * U
        kw = {
            "su": wu.sum(axis=1),
            "suu": (wu * U).sum(axis=1),
            "szu": (wz * U).sum(axis=1),
            "suy": wu @ y,
        }
    return Moments(
        W.sum(axis=1), wz.sum(axis=1), (wz * Z).sum(axis=1), W @ y, wz @ y, W @ (y * y), **kw
    )


def _solve2(a, b, d, r0, r1):
    det = a * d - b * b
    ok = np.abs(det) > 1e-12 * np.maximum(np.abs(a * d), _TINY)
    det = np.where(ok, det, 1.0)
    return (d * r0 - b * r1) / det, (a * r1 - b * r0) / det, ok


def _solve3(a, b, c, d, e, f, r0, r1, r2):
    """Symmetric 3x3 system [[a,b,c],[b,d,e],[c,e,f]] x = r by the adjugate, elementwise."""
    A00 = d * f - e * e
    A01 = c * e - b * f
    A02 = b * e - c * d
    A11 = a * f - c * c
    A12 = b * c - a * e
    A22 = a * d - b * b
    det = a * A00 + b * A01 + c * A02
    scale = np.maximum(np.abs(a * d * f), _TINY)
    ok = np.abs(det) > 1e-12 * scale
    det = np.where(ok, det, 1.0)
    x0 = (A00 * r0 + A01 * r1 + A02 * r2) / det
    x1 = (A01 * r0 + A11 * r1 + A12 * r2) / det
    x2 = (A02 * r0 + A12 * r1 + A22 * r2) / det
    return x0, x1, x2, ok


def solve(m: Moments) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Constrained solution (F, v, d, rss) for every problem in ``m`` (F >= 0, v >= 0).

    Without drift sums (``m.su is None``) d is 0. The rss is the weighted residual sum of
    squares at the solution; an infeasible or singular problem gets rss = inf.
    """
    shape = np.broadcast_shapes(m.s0.shape, m.sz.shape)
    s0, sz, szz, sy, szy, syy = (
        np.broadcast_to(a, shape) for a in (m.s0, m.sz, m.szz, m.sy, m.szy, m.syy)
    )
    zero = np.zeros(shape)
    candidates = []
    if m.su is None:
        F, v, ok = _solve2(s0, sz, szz, sy, szy)
        candidates.append((F, v, zero, ok, F * sy + v * szy))
        v1 = szy / np.maximum(szz, _TINY)  # F = 0
        candidates.append((zero, v1, zero, szz > 0, v1 * szy))
        F1 = sy / np.maximum(s0, _TINY)  # v = 0
        candidates.append((F1, zero, zero, s0 > 0, F1 * sy))
        candidates.append((zero, zero, zero, np.ones(shape, bool), zero))
    else:
        su, suu, szu, suy = (np.broadcast_to(a, shape) for a in (m.su, m.suu, m.szu, m.suy))
        F, v, d, ok = _solve3(s0, sz, su, szz, szu, suu, sy, szy, suy)
        candidates.append((F, v, d, ok, F * sy + v * szy + d * suy))
        v1, d1, ok1 = _solve2(szz, szu, suu, szy, suy)  # F = 0
        candidates.append((zero, v1, d1, ok1, v1 * szy + d1 * suy))
        F2, d2, ok2 = _solve2(s0, su, suu, sy, suy)  # v = 0
        candidates.append((F2, zero, d2, ok2, F2 * sy + d2 * suy))
        d3 = suy / np.maximum(suu, _TINY)  # F = v = 0
        candidates.append((zero, zero, d3, suu > 0, d3 * suy))
    best_rss = np.full(shape, np.inf)
    out_F, out_v, out_d = zero.copy(), zero.copy(), zero.copy()
    for F, v, d, ok, explained in candidates:
        rss = np.maximum(syy - explained, 0.0)
        feasible = ok & (F >= 0) & (v >= 0) & (rss < best_rss - 1e-15 * np.abs(syy))
        best_rss = np.where(feasible, rss, best_rss)
        out_F = np.where(feasible, F, out_F)
        out_v = np.where(feasible, v, out_v)
        out_d = np.where(feasible, d, out_d)
    return out_F, out_v, out_d, best_rss
