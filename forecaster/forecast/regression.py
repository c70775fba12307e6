"""Robust harmonic regression: the trend and smooth seasonal shape of a load series.

Columns: intercept, linear trend, and a Fourier series (cos, sin pairs) per season. Fitted by
Huber-weighted least squares (IRLS) with exponentially decaying weights: outliers barely
move the fit, recent cycles count most.
"""

from __future__ import annotations

import numpy as np

# Fourier order per season name; capped at floor(period / 2). Weekly is high so a
# Saturday's daily shape can differ from a Monday's (harmonics around each daily one).
FOURIER_ORDER: dict[str, int] = {"hourly": 6, "daily": 10, "weekly": 21, "yearly": 10}
HUBER_C = 1.345
GRAM_FLOPS = 800_000  # rows x cols^2 per block product, under OpenBLAS's threading threshold


def fourier_freqs(periods: list[tuple[str, float]]) -> np.ndarray:
    """Distinct harmonic frequencies (cycles per step) for the given seasons.

    Weekly harmonic 7 is daily harmonic 1: duplicates are dropped so the design is not
    collinear; frequencies at or above Nyquist (0.5) are dropped too.
    """
    out: list[float] = []
    for name, period in periods:
        order = min(FOURIER_ORDER.get(name, 6), int(period // 2))
        for k in range(1, order + 1):
            f = k / period
            if f < 0.5 - 1e-9 and not any(abs(f - g) < 1e-9 for g in out):
                out.append(f)
    return np.array(out, dtype=float)


def design(t: np.ndarray, tau: np.ndarray, freqs: np.ndarray) -> np.ndarray:
    """Columns: intercept, trend tau, then cos and sin of each frequency at time steps t."""
    ang = 2.0 * np.pi * t[:, None] * freqs[None, :]
    return np.hstack([np.ones((t.size, 1)), tau[:, None], np.cos(ang), np.sin(ang)])


def _weighted_solve(x: np.ndarray, z: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Weighted least squares by the normal equations (columns are O(1), well conditioned),
    with a tiny ridge so an unidentified column (a season barely covered) stays finite."""
    from scipy.linalg import solve

    gram = np.zeros((x.shape[1], x.shape[1]))
    rhs = np.zeros(x.shape[1])
    # Row blocks keep each product below OpenBLAS's threading threshold: on a busy machine
    # its threads cost ten times more than they save at this size.
    block = int(min(1024, max(16, GRAM_FLOPS // x.shape[1] ** 2)))
    for s in range(0, x.shape[0], block):
        xs, ws = x[s : s + block], w[s : s + block]
        xtw = xs.T * ws
        gram += xtw @ xs
        rhs += xtw @ z[s : s + block]
    gram[np.diag_indices_from(gram)] += 1e-8 * max(float(np.trace(gram)) / gram.shape[0], 1e-12)
    return solve(gram, rhs, assume_a="pos")


def matvec(x: np.ndarray, coef: np.ndarray) -> np.ndarray:
    """x @ coef without BLAS threads (einsum's own loop): see GRAM_FLOPS."""
    return np.einsum("ij,j->i", x, coef)


def robust_lstsq(x: np.ndarray, z: np.ndarray, w0: np.ndarray, iters: int = 3) -> np.ndarray:
    """Huber IRLS: weighted least squares, down-weighting residuals beyond 1.345 sigma."""
    w = w0.copy()
    coef = np.zeros(x.shape[1])
    for _ in range(iters + 1):
        coef = _weighted_solve(x, z, w)
        r = z - matvec(x, coef)
        sigma = 1.4826 * np.median(np.abs(r - np.median(r)))
        if not sigma > 0:
            break
        u = np.abs(r) / (HUBER_C * sigma)
        w = w0 * np.where(u <= 1.0, 1.0, 1.0 / np.maximum(u, 1e-12))
    return coef
