"""Fitted parameter sets and the robust-loss helpers shared by the fitting modules.

Parameters are in normalized units: x = load / load_scale, y = cost / cost_scale and
tau = (time - last period) / time_scale, so tau is in [-1, 0] over the fitted window.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from forecaster.curves import models

HUBER_C = 1.345
#: Largest |g * tau| fed to exp: a unit cost at most e**50 times its level in the window.
MAX_GROWTH_EXP = 50.0
_MAD_TO_SD = 1.482602218505602


@dataclass(frozen=True)
class Solution:
    """Parameters of one model for B weight rows (arrays of shape (B,)), normalized units."""

    model: str
    drift: str | None  # "unit", "fixed" or None (no drift term)
    F: np.ndarray
    v: np.ndarray
    theta: np.ndarray
    g: np.ndarray  # unit drift: growth rate of the unit cost per unit of tau
    d: np.ndarray  # unit drift: linear correction to v per unit of tau; fixed drift: slope
    rss: np.ndarray

    def fitted(self, x: np.ndarray, tau: np.ndarray | None) -> np.ndarray:
        """(B, n) fitted values at normalized load ``x`` and time ``tau`` (None: tau = 0).

        Unit drift: ``F + (v + d * tau) * z * exp(g * tau)``, the unit cost floored at 0;
        fixed drift: ``F + v * z + d * tau``.
        """
        z = models.features(self.model, x, self.theta[:, None])
        if tau is None or self.drift is None:
            return self.F[:, None] + self.v[:, None] * z
        t = tau[None, :]
        if self.drift == "fixed":
            return self.F[:, None] + self.v[:, None] * z + self.d[:, None] * t
        unit = np.maximum(self.v[:, None] + self.d[:, None] * t, 0.0)
        # A resample may carry a wild growth rate; exp of more than MAX_GROWTH_EXP would
        # overflow (inf, then NaN intervals), so the growth factor is bounded.
        growth = np.exp(np.clip(self.g[:, None] * t, -MAX_GROWTH_EXP, MAX_GROWTH_EXP))
        return self.F[:, None] + unit * z * growth

    def fitted_at(self, idx: np.ndarray, x: np.ndarray, tau: np.ndarray | None) -> np.ndarray:
        """``self.take(idx).fitted(x, tau)`` for (S, n) loads ``x``, the same numbers to the
        bit, with the time terms (drift, growth) computed once per parameter set and
        gathered: (B, n) exps instead of (S, n) when there are more paths than sets."""
        if tau is None or self.drift is None or idx.size <= self.F.size:
            return self.take(idx).fitted(x, tau)
        z = models.features(self.model, x, self.theta[idx][:, None])
        t = tau[None, :]
        if self.drift == "fixed":
            return self.F[idx][:, None] + self.v[idx][:, None] * z + (self.d[:, None] * t)[idx]
        unit = np.maximum(self.v[:, None] + self.d[:, None] * t, 0.0)[idx]
        growth = np.exp(np.clip(self.g[:, None] * t, -MAX_GROWTH_EXP, MAX_GROWTH_EXP))[idx]
        return self.F[idx][:, None] + unit * z * growth

    def take(self, idx: np.ndarray) -> Solution:
        """The parameter sets at positions ``idx``."""
        return Solution(
            self.model,
            self.drift,
            self.F[idx],
            self.v[idx],
            self.theta[idx],
            self.g[idx],
            self.d[idx],
            self.rss[idx],
        )

    def with_growth(self) -> Solution:
        """Unit drift folded into the growth rate: g + d / v, d = 0 (one Gauss-Newton step)."""
        if self.drift != "unit":
            return self
        pos = self.v > 0
        g = np.where(pos, self.g + self.d / np.where(pos, self.v, 1.0), self.g)
        d = np.where(pos, 0.0, self.d)
        return Solution(self.model, self.drift, self.F, self.v, self.theta, g, d, self.rss)


def mad_scale(r: np.ndarray) -> float:
    """Robust standard deviation: 1.4826 times the median absolute deviation."""
    return float(_MAD_TO_SD * np.median(np.abs(r - np.median(r))))


def huber_weights(r: np.ndarray, cutoff: float) -> np.ndarray:
    """IRLS weights min(1, cutoff / |r|): residuals beyond the cutoff count linearly."""
    if cutoff <= 0:
        return np.ones_like(r)
    a = np.abs(r)
    return np.where(a <= cutoff, 1.0, cutoff / np.maximum(a, 1e-300))


def huber_criterion(r: np.ndarray, sigma: float, c: float = HUBER_C) -> float:
    """Huber objective scaled to a residual sum of squares (equals it with no outliers)."""
    if sigma <= 0:
        return float(np.sum(r * r))
    a = np.abs(r)
    cs = c * sigma
    return float(np.sum(np.where(a <= cs, r * r, 2 * cs * a - cs * cs)))
