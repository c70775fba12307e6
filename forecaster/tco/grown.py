"""A load-growth change as a transform of one workload's kept draws.

``CostCurve.sample_paths`` draws, for path s and day d of a workload's load paths L (S, D):
one bootstrap parameter set i_s per path and one standard-normal noise draw e_sd per day,

    mean = cost_scale * fitted(i_s, L_sd / load_scale, tau_d)
    cost = max(mean + e_sd * sigma * (max(mean, floor) / ref) ** p, 0)

A growth change multiplies the load by a daily factor g_d (``projection.growth_factor``).
For linear and power curves the fitted value splits into a part that does not move with
load and one that scales with it, ``mean = C + V * h``: V the load-driven cost at the
baseline load, h = g_d (linear) or g_d ** k_i (power: (L g) ** k = L ** k g ** k). So
``GrowthKit`` keeps, per workload, the same parameter draws i_s and noise e_sd as the
baseline (common random numbers) with V, and a growth change is a few array operations
per path and day and the noise model's power: no new random draw, no new load path, and
the zero clip and the noise's dependence on the cost level exact (recomputed per day from
the kept draws, never from monthly sums). Step curves (ceil(L / C)) do not split: their
kit keeps the load paths and the grown cost is the curve evaluated on L * g with the same
draws.

Every surface that grows load (``run_tco`` from the CLI, the dashboard, the review pack)
goes through ``GrowthKit.cost``: one answer.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from forecaster.curves.fit import CostCurve, period_noise
from forecaster.curves.solution import MAX_GROWTH_EXP
from forecaster.tco.arithmetic import to_months

ROWS = 128
"""Paths transformed at once: 128 x 1,096 days is 1.1 MB an array, within a core's cache."""


@dataclass
class GrowthKit:
    """One workload's kept draws for growth transforms (arrays (S, D) unless noted).

    ``variable``: the load-driven cost at the baseline load (None for a step curve, whose
    ``load`` is kept instead); ``intercept``: the cost that does not move with load, per
    parameter set ((B,) or (B, D) with a fixed-cost drift); ``exponent`` (B,): a power
    curve's exponents (None: linear); ``index`` (S,): each path's parameter set;
    ``noise``: the noise draws times the noise scale sigma; ``floor`` and ``ref``: the
    noise model's cost floor and reference level, ``power`` its exponent."""

    curve: CostCurve
    index: np.ndarray
    noise: np.ndarray
    variable: np.ndarray | None
    intercept: np.ndarray | None
    exponent: np.ndarray | None
    load: np.ndarray | None
    tau: np.ndarray
    floor: float
    ref: float
    power: float

    @property
    def nbytes(self) -> int:
        return sum(a.nbytes for a in (self.noise, self.variable, self.load) if a is not None)

    @classmethod
    def draw(cls, curve: CostCurve, load: np.ndarray, rng: np.random.Generator) -> GrowthKit:
        """The kit of ``curve`` for baseline load paths ``load`` (S, D), days 1..D ahead,
        drawing from ``rng`` exactly what ``curve.sample_paths(load, rng, days)`` draws
        (the parameter sets first, then the noise), so its paths are the baseline's."""
        sol = curve._boot if curve._boot is not None else curve._point.solution
        index = rng.integers(0, sol.F.size, size=load.shape[0])
        noise = period_noise(rng, load.shape)
        noise *= curve.sigma_
        n_days = load.shape[1]
        tau = np.arange(1, n_days + 1, dtype=float) / curve.time_scale_
        ref = curve._fref * curve.cost_scale_
        kit = cls(curve, index, noise, None, None, None, None, tau, 1e-3 * ref, ref,
                  float(curve.noise_power_))  # fmt: skip
        if sol.model not in ("linear", "power"):
            kit.load = load
            return kit
        cs, t = curve.cost_scale_, tau[None, :]
        if sol.drift == "unit":
            unit = np.maximum(sol.v[:, None] + sol.d[:, None] * t, 0.0)
            slope = cs * unit * np.exp(np.clip(sol.g[:, None] * t, -MAX_GROWTH_EXP, MAX_GROWTH_EXP))
            kit.intercept = cs * sol.F
        elif sol.drift == "fixed":
            slope = cs * sol.v[:, None]
            kit.intercept = cs * (sol.F[:, None] + sol.d[:, None] * t)
        else:
            slope = cs * sol.v[:, None]
            kit.intercept = cs * sol.F
        x = load / curve.load_scale_
        if sol.model == "power":
            kit.exponent = sol.theta
            x = np.power(x, sol.theta[index][:, None])
        kit.variable = slope[index] * x
        return kit

    def scale(self, factor: np.ndarray) -> np.ndarray | None:
        """(B, D) factor of the load-driven cost per parameter set and day for the load
        times ``factor`` (D,): ``factor ** k`` for a power curve; None otherwise."""
        if self.exponent is None or self.variable is None:
            return None
        return np.exp(np.outer(self.exponent, np.log(factor)))

    def mean(
        self, factor: np.ndarray, rows: slice = slice(None), scale: np.ndarray | None = None
    ) -> np.ndarray:
        """Expected cost (before noise) of the paths ``rows`` by day, with the load times
        ``factor`` (D,) (``scale``: ``self.scale(factor)`` when already computed)."""
        index = self.index[rows]
        if self.variable is None:  # a step curve: evaluated on the grown load
            curve = self.curve
            sol = curve._boot if curve._boot is not None else curve._point.solution
            x = self.load[rows] * (factor[None, :] / curve.load_scale_)
            return sol.fitted_at(index, x, self.tau) * curve.cost_scale_
        if self.exponent is None:
            out = self.variable[rows] * factor[None, :]
        else:
            out = (self.scale(factor) if scale is None else scale)[index]
            out *= self.variable[rows]
        intercept = self.intercept[index]
        out += intercept[:, None] if intercept.ndim == 1 else intercept
        return out

    def cost(
        self, factor: np.ndarray, rows: slice = slice(None), scale: np.ndarray | None = None
    ) -> np.ndarray:
        """Daily cost of the paths ``rows`` with the load times ``factor`` (D,): the
        expected cost plus the kept noise at that cost's level, clipped at zero."""
        out = self.mean(factor, rows, scale)
        noise = self.noise[rows]
        if self.power == 0.0:
            out += noise
        else:
            level = np.maximum(out, self.floor)
            level *= 1.0 / self.ref
            if self.power != 1.0:
                np.power(level, self.power, out=level)
            level *= noise
            out += level
        return np.maximum(out, 0.0, out=out)

    def monthly(self, factor: np.ndarray, month_of_day: np.ndarray, n_months: int) -> np.ndarray:
        """(S, M) monthly sums of ``cost(factor)``, the same numbers computed a block of
        paths at a time (each block's arrays stay in the processor's cache)."""
        n, scale = self.index.size, self.scale(factor)
        out = np.empty((n, n_months))
        for start in range(0, n, ROWS):
            rows = slice(start, min(start + ROWS, n))
            out[rows] = to_months(self.cost(factor, rows, scale), month_of_day, n_months)
        return out
