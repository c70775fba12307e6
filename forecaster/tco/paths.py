"""The baseline Monte Carlo paths of every fitted workload, drawn once and kept.

A what-if scenario is then a transform of these paths, never a new simulation of what it
leaves alone: a price change, a commitment, a discount rate or a shorter horizon reads the
kept monthly sums; an architecture fix redraws one workload's daily paths with the same
draws; a growth change redraws the load paths scaled by the growth factor through the
same curve parameter draws and the same daily noise. All scenarios share the draws
(common random numbers), so a scenario that changes nothing equals the baseline exactly.

Paths are drawn for one horizon: the load model and its measured monthly band depend on
how far ahead they forecast, so each horizon has its own kept paths.
"""

from __future__ import annotations

import hashlib
import os
import threading
import weakref
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import numpy as np
import polars as pl

from forecaster.curves.findings import excess_at
from forecaster.portfolio import WorkloadFit
from forecaster.tco import arithmetic as A
from forecaster.tco.grown import GrowthKit
from forecaster.tco.projection import (
    Horizon,
    MonthlyBand,
    WorkloadPaths,
    band_paths,
    comonotone_paths,
    error_correlation,
    factor_draws,
    forecast_daily_load,
    growth_factor,
    monthly_band,
    simulate_unclaimed,
    simulate_workload,
)

_GROWN_KEPT = 4  # growth values whose monthly sums are kept in memory
_DAILY_KEPT = 3  # (workload, growth) daily paths kept in memory (for fixes)
THREADS = min(4, os.cpu_count() or 1)
"""Threads drawing workloads' paths at once (numpy's array work releases the GIL)."""
_TIME_ONLY_KEPT = 16  # histories of cost by time (currency, end) kept
KITS_KEPT = 2
"""Projections (horizons) whose growth kits stay in memory, the most recent first."""
_kit_holders: list[weakref.ref] = []
_kit_holders_lock = threading.Lock()


def _map(fn: Callable[[Any], Any], items: list[Any]) -> list[Any]:
    """``fn`` over ``items`` in up to ``THREADS`` threads, results in order."""
    if len(items) < 2 or THREADS < 2:
        return [fn(x) for x in items]
    with ThreadPoolExecutor(max_workers=min(THREADS, len(items))) as pool:
        return list(pool.map(fn, items))


def fits_token(fits: dict[str, WorkloadFit]) -> str:
    """A digest of the fitted curves the paths are drawn through (names, parameters and
    the series they were fitted on), so kept paths are never used with other fits."""
    digest = hashlib.sha256()
    for name, fit in fits.items():
        curve = fit.curve
        digest.update(name.encode())
        if curve is None:
            continue
        for key in sorted(curve.params_):
            digest.update(f"{key}={curve.params_[key]!r}".encode())
        for column in ("period_start", "cost", "load"):
            digest.update(fit.frame[column].to_physical().to_numpy().tobytes())
    return digest.hexdigest()


@dataclass
class Projection:
    """Kept paths of the fitted workloads (those with a curve, in ``names`` order) over
    ``horizon``: per workload the (S, M)
    monthly cost and load sums at the forecast's own growth, its daily load forecast and
    monthly band (what a redraw needs), and the shared draws ``z``."""

    horizon: Horizon
    samples: int
    seed: int
    token: str
    names: tuple[str, ...]
    z: np.ndarray
    correlation: float
    forecasts: dict[str, dict[str, np.ndarray]]
    bands: dict[str, MonthlyBand | None]
    base: dict[str, tuple[np.ndarray, np.ndarray]]
    _time_only: dict[str, tuple[np.ndarray, str]] = field(default_factory=dict, repr=False)
    _derived: dict[Any, Any] = field(default_factory=dict, repr=False)
    _grown: OrderedDict = field(default_factory=OrderedDict, repr=False)
    _daily: OrderedDict = field(default_factory=OrderedDict, repr=False)
    _lock: Any = field(default_factory=threading.Lock, repr=False)
    keep_kits: bool = False
    """Keep the growth kits in memory (the dashboard); else each is dropped after use."""
    _kits: dict[str, GrowthKit] = field(default_factory=dict, repr=False)
    _kit_locks: dict[str, Any] = field(default_factory=dict, repr=False)

    @classmethod
    def build(
        cls, fits: dict[str, WorkloadFit], last_day: date, months: int, samples: int, seed: int
    ) -> Projection:
        """Draw the baseline paths of every workload of ``fits`` that has a curve, for the
        ``months`` calendar months after ``last_day``; ``samples`` paths from ``seed``."""
        fitted = {n: f for n, f in fits.items() if f.curve is not None}
        horizon = Horizon.after(last_day, months)
        z = np.random.default_rng(seed).standard_normal(samples)
        n_days = len(horizon.days)
        forecasts = {n: forecast_daily_load(f, n_days) for n, f in fitted.items()}
        bands = {n: monthly_band(f, n_days) for n, f in fitted.items()}
        rho = error_correlation([b for b in bands.values() if b is not None])
        out = cls(horizon, samples, seed, fits_token(fits), tuple(fitted), z, rho, forecasts,
                  bands, {})  # fmt: skip

        def draw(name: str) -> tuple[np.ndarray, np.ndarray]:
            p = out._draw(fits, name, None, excess=False)
            return out._months(p.cost), out._months(p.load)

        out.base.update(zip(fitted, _map(draw, list(fitted)), strict=True))
        return out

    def fits(
        self, fits: dict[str, WorkloadFit], last_day: date, months: int, samples: int, seed: int
    ) -> bool:
        """Whether these paths were drawn for ``fits`` over the ``months`` after
        ``last_day`` with ``samples`` paths from ``seed``."""
        return (
            self.horizon.days[0] == last_day + timedelta(days=1)
            and len(self.horizon.months) == len(Horizon.after(last_day, months).months)
            and (self.samples, self.seed) == (samples, seed)
            and self.token == fits_token(fits)
        )

    def _months(self, daily: np.ndarray) -> np.ndarray:
        out = A.to_months(daily, self.horizon.month_of_day, len(self.horizon.months))
        out.setflags(write=False)
        return out

    def monthly(
        self, fits: dict[str, WorkloadFit], wanted: list[tuple[str, float | None]]
    ) -> list[np.ndarray]:
        """(S, M) monthly cost of each (workload, annual growth or None: the forecast's
        own) in ``wanted``, read-only: the kept baseline, or the growth transform of the
        workload's kit (in parallel threads: numpy releases the GIL), kept for the last
        few growth values."""
        out: dict[tuple[str, float | None], np.ndarray] = {}
        with self._lock:
            for name, growth in wanted:
                if growth is None:
                    out[(name, growth)] = self.base[name][0]
                elif growth in self._grown and name in self._grown[growth]:
                    self._grown.move_to_end(growth)
                    out[(name, growth)] = self._grown[growth][name]
        missing = list(dict.fromkeys(k for k in wanted if k not in out))

        def grow(key: tuple[str, float | None]) -> np.ndarray:
            name, growth = key
            horizon = self.horizon
            kit = self.kit(fits, name)
            out = kit.monthly(self.factor(name, growth), horizon.month_of_day, len(horizon.months))
            out.setflags(write=False)
            return out

        for key, cost in zip(missing, _map(grow, missing), strict=True):
            out[key] = cost
            with self._lock:
                self._grown.setdefault(key[1], {})[key[0]] = cost
                while len(self._grown) > _GROWN_KEPT:
                    self._grown.popitem(last=False)
        return [out[k] for k in wanted]

    def daily(self, fits: dict[str, WorkloadFit], name: str, growth: float | None) -> WorkloadPaths:
        """One workload's (S, D) daily load, cost and excess paths (what a fix changes),
        drawn with the kept draws (the baseline's, or the growth transform's: the same
        figures ``monthly`` adds up); the last few are kept in memory."""
        key = (name, growth)
        with self._lock:
            if key in self._daily:
                self._daily.move_to_end(key)
                return self._daily[key]
        if growth is None:
            paths = self._draw(fits, name, None, excess=True)
        else:
            factor = self.factor(name, growth)
            curve = fits[name].curve
            load = self.load(name) * factor[None, :]
            above = np.asarray(excess_at(curve, load), dtype=float) * np.ones_like(load)
            cost = self.kit(fits, name).cost(factor)
            paths = WorkloadPaths(name, fits[name].currency, load, cost, above,
                                  float(curve.fixed_))  # fmt: skip
        with self._lock:
            self._daily[key] = paths
            while len(self._daily) > _DAILY_KEPT:
                self._daily.popitem(last=False)
        return paths

    def factor(self, name: str, growth: float) -> np.ndarray:
        """(D,) daily load factor swapping the forecast's own trend for ``growth`` a year."""
        return growth_factor(self.forecasts[name]["mean"], growth)

    def load(self, name: str) -> np.ndarray:
        """(S, D) baseline daily load paths of one workload (its kept draws)."""
        index = self.names.index(name)
        z = factor_draws(self.z, self.correlation, self.seed, index)
        fc, band = self.forecasts[name], self.bands[name]
        if band is None:
            return comonotone_paths(fc, z)
        return band_paths(fc, band, self.horizon.month_of_day, z)

    def kit(self, fits: dict[str, WorkloadFit], name: str) -> GrowthKit:
        """One workload's growth kit: its baseline load-driven cost with the baseline's
        own parameter draws and daily noise (``forecaster.tco.grown``); kept in memory
        when ``keep_kits``."""
        with self._lock:
            if name in self._kits:
                return self._kits[name]
            lock = self._kit_locks.setdefault(name, threading.Lock())
        with lock:  # one draw per workload when a request and ``prepare`` both want it
            with self._lock:
                if name in self._kits:
                    return self._kits[name]
            rng = np.random.default_rng(self.seed + 1 + self.names.index(name))
            kit = GrowthKit.draw(fits[name].curve, self.load(name), rng)
            if self.keep_kits:
                self._hold_kits()
                with self._lock:
                    self._kits[name] = kit
        return kit

    def prepare(
        self, fits: dict[str, WorkloadFit], pause: Callable[[], None] | None = None
    ) -> None:
        """Draw every workload's growth kit now (in threads), so a growth change only
        transforms; kept while this projection is among the ``KITS_KEPT`` latest.
        ``pause``: called before each kit (a server lets its requests go first); the
        kits are the same with or without it."""
        self.keep_kits = True

        def draw(name: str) -> GrowthKit:
            if pause is not None:
                pause()
            return self.kit(fits, name)

        _map(draw, list(self.names))

    def kits_ready(self) -> bool:
        with self._lock:
            return len(self._kits) == len(self.names)

    def _hold_kits(self) -> None:
        """Count this projection among those keeping kits; drop the oldest's beyond
        ``KITS_KEPT`` (their memory is the largest the dashboard holds)."""
        with _kit_holders_lock:
            alive = [r for r in _kit_holders if r() is not None and r() is not self]
            _kit_holders[:] = [*alive, weakref.ref(self)]
            while len(_kit_holders) > KITS_KEPT:
                old = _kit_holders.pop(0)()
                if old is not None:
                    with old._lock:
                        old._kits.clear()

    def _draw(
        self, fits: dict[str, WorkloadFit], name: str, growth: float | None, excess: bool
    ) -> WorkloadPaths:
        """One workload's paths drawn with its kept draws: the same ``z`` share, seed,
        load forecast and band for every scenario (common random numbers)."""
        index = self.names.index(name)
        z = factor_draws(self.z, self.correlation, self.seed, index)
        return simulate_workload(fits[name], self.horizon, z, self.seed + 1 + index, growth,
                                 self.forecasts[name], self.bands[name], excess)  # fmt: skip

    def time_only(self, by_time: pl.DataFrame) -> tuple[np.ndarray, str]:
        """(S, M) monthly cost forecast by time (``simulate_unclaimed``) from the daily
        history ``by_time`` (``day``, ``cost``) with the kept draws, and how it was
        forecast; kept by that history (and on disk with the paths)."""
        digest = hashlib.sha256()
        # to the micro-unit: a parallel sum may differ in the last bit between two reads
        digest.update(by_time.with_columns(pl.col("cost").round(6)).write_ipc(None).getvalue())
        key = digest.hexdigest()
        with self._lock:
            if key in self._time_only:
                return self._time_only[key]
        value = simulate_unclaimed(by_time, self.horizon, self.z)
        value[0].setflags(write=False)
        with self._lock:
            if len(self._time_only) >= _TIME_ONLY_KEPT:
                self._time_only.pop(next(iter(self._time_only)))
            self._time_only[key] = value
        return value

    def kept(self, key: Any, compute: Callable[[], Any]) -> Any:
        """A figure derived from the baseline paths alone (e.g. a workload's monthly
        bands), computed once and kept with them (on disk too). Treat it as read-only."""
        with self._lock:
            if key in self._derived:
                return self._derived[key]
        value = compute()
        with self._lock:
            self._derived[key] = value
        return value

    def __getstate__(self) -> dict[str, Any]:
        """Pickled without the memory-only caches, kits and locks (the disk cache keeps
        the baseline and the cost by time)."""
        state = dict(self.__dict__)
        state.update(_grown=OrderedDict(), _daily=OrderedDict(), _lock=None, _kits={},
                     _kit_locks={}, keep_kits=False)  # fmt: skip
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        state.setdefault("keep_kits", False)
        state.setdefault("_kits", {})
        state.setdefault("_kit_locks", {})
        self.__dict__.update(state)
        self._lock = threading.Lock()
