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
"""Paths of a step curve's kit transformed at once (128 x 1,096 days: 1.1 MB an array)."""


def month_edges(month_of_day: np.ndarray, n_months: int) -> np.ndarray | None:
    """(M + 1,) first day of each month and the end, when the days run month by month
    (``month_of_day`` non-decreasing, as a ``Horizon``'s do); None otherwise."""
    if month_of_day.size > 1 and np.any(np.diff(month_of_day) < 0):
        return None
    return np.searchsorted(month_of_day, np.arange(n_months + 1))


@dataclass
class GrowthKit:
    """One workload's kept draws for growth transforms.

    Day-major (D, S) arrays, a day's paths side by side, so a month of days is one
    contiguous block and its sum over days is the order ``to_months`` adds in (the same
    bits): ``variable``, the load-driven cost at the baseline load (None for a step curve,
    whose ``load`` (S, D) is kept instead); ``noise``, the noise draws times the noise
    scale sigma. ``base``: the cost that does not move with load gathered per path, (S,)
    or (D, S) with a fixed-cost drift; ``exponent`` (B,): a power curve's exponents (None:
    linear); ``index`` (S,): each path's parameter set; ``floor`` and ``ref``: the noise
    model's cost floor and reference level, ``power`` its exponent (money per day)."""

    curve: CostCurve
    index: np.ndarray
    noise: np.ndarray
    variable: np.ndarray | None
    base: np.ndarray | None
    exponent: np.ndarray | None
    load: np.ndarray | None
    tau: np.ndarray
    floor: float
    ref: float
    power: float

    @property
    def nbytes(self) -> int:
        arrays = (self.noise, self.variable, self.load, self.base)
        return sum(a.nbytes for a in arrays if a is not None)

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
        kit = cls(curve, index, np.ascontiguousarray(noise.T), None, None, None, None, tau,
                  1e-3 * ref, ref, float(curve.noise_power_))  # fmt: skip
        if sol.model not in ("linear", "power"):
            kit.load = load
            return kit
        cs, t = curve.cost_scale_, tau[None, :]
        if sol.drift == "unit":
            unit = np.maximum(sol.v[:, None] + sol.d[:, None] * t, 0.0)
            slope = cs * unit * np.exp(np.clip(sol.g[:, None] * t, -MAX_GROWTH_EXP, MAX_GROWTH_EXP))
            kit.base = (cs * sol.F)[index]
        elif sol.drift == "fixed":
            slope = cs * sol.v[:, None]
            kit.base = np.ascontiguousarray((cs * (sol.F[:, None] + sol.d[:, None] * t))[index].T)
        else:
            slope = cs * sol.v[:, None]
            kit.base = (cs * sol.F)[index]
        x = load / curve.load_scale_
        if sol.model == "power":
            kit.exponent = sol.theta
            x = np.power(x, sol.theta[index][:, None])
        kit.variable = np.ascontiguousarray((slope[index] * x).T)
        return kit

    def _scale(self, factor: np.ndarray) -> np.ndarray | None:
        """(D, B) factor of the load-driven cost per day and parameter set for the load
        times ``factor`` (D,): ``factor ** k`` for a power curve; None otherwise."""
        if self.exponent is None or self.variable is None:
            return None
        return np.exp(np.outer(np.log(factor), self.exponent))

    def _block(
        self,
        factor: np.ndarray,
        days: slice,
        paths: slice,
        scale: np.ndarray | None,
        out: np.ndarray,
        work: np.ndarray,
    ) -> np.ndarray:
        """Day-major (days, paths) daily cost into ``out`` (``work`` the same shape, a
        scratch buffer): the expected cost ``base + variable * h`` plus the kept noise at
        that cost's level, clipped at zero; every step in place."""
        variable = self.variable[days, paths]
        if scale is None:
            np.multiply(variable, factor[days, None], out=out)
        else:
            np.take(scale[days], self.index[paths], axis=1, out=out)
            out *= variable
        out += self.base[paths] if self.base.ndim == 1 else self.base[days, paths]
        return self._add_noise(out, self.noise[days, paths], work)

    def mean(self, factor: np.ndarray, rows: slice = slice(None)) -> np.ndarray:
        """A step curve's expected cost (before noise) of the paths ``rows`` (S, D), with
        the load times ``factor`` (D,): the curve evaluated on the grown load."""
        curve = self.curve
        sol = curve._boot if curve._boot is not None else curve._point.solution
        x = self.load[rows] * (factor[None, :] / curve.load_scale_)
        return sol.fitted_at(self.index[rows], x, self.tau) * curve.cost_scale_

    def cost(self, factor: np.ndarray, rows: slice = slice(None)) -> np.ndarray:
        """(S, D) daily cost of the paths ``rows`` with the load times ``factor`` (D,): the
        expected cost plus the kept noise at that cost's level, clipped at zero."""
        if self.variable is None:
            return self._step_cost(factor, rows)
        n_days, n_paths = self.variable[:, rows].shape
        out, work = np.empty((n_days, n_paths)), np.empty((n_days, n_paths))
        self._block(factor, slice(None), rows, self._scale(factor), out, work)
        return np.ascontiguousarray(out.T)

    def _step_cost(self, factor: np.ndarray, rows: slice) -> np.ndarray:
        out = self.mean(factor, rows)
        return self._add_noise(out, self.noise.T[rows], np.empty_like(out))

    def _add_noise(self, out: np.ndarray, noise: np.ndarray, work: np.ndarray) -> np.ndarray:
        """``out`` (expected cost) plus the kept ``noise`` at that cost's level, clipped at
        zero, in place (``work``: a buffer of ``out``'s shape)."""
        if self.power == 0.0:
            out += noise
        else:
            np.maximum(out, self.floor, out=work)
            work *= 1.0 / self.ref
            if self.power != 1.0:
                np.power(work, self.power, out=work)
            work *= noise
            out += work
        return np.maximum(out, 0.0, out=out)

    def monthly(self, factor: np.ndarray, month_of_day: np.ndarray, n_months: int) -> np.ndarray:
        """(S, M) monthly sums of ``cost(factor)``, the same numbers to the bit, computed a
        month of days at a time (each month's arrays, 30 x S, stay in the processor's
        cache) into two buffers."""
        edges = month_edges(month_of_day, n_months)
        n = self.index.size
        if self.variable is None or edges is None:
            out = np.empty((n, n_months))
            for start in range(0, n, ROWS):
                rows = slice(start, min(start + ROWS, n))
                out[rows] = to_months(self.cost(factor, rows), month_of_day, n_months)
            return out
        scale, paths = self._scale(factor), slice(None)
        longest = int(np.diff(edges).max()) if n_months else 0
        buf, work = np.empty((longest, n)), np.empty((longest, n))
        out = np.zeros((n_months, n))
        for m in range(n_months):
            a, e = int(edges[m]), int(edges[m + 1])
            if e > a:
                days = self._block(factor, slice(a, e), paths, scale, buf[: e - a], work[: e - a])
                np.add.reduce(days, axis=0, out=out[m])
        return np.ascontiguousarray(out.T)
