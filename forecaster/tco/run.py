"""``run_tco``: the baseline forecast and every scenario, per currency, as one document.

Workloads with a fitted curve are simulated through it (``projection``); their cost plus
the cost no workload claims (and that of workloads that cannot be fitted) forecast by time
make the total. Scenarios are applied to the same random draws (``arithmetic``).
"""

from __future__ import annotations

import hashlib
import weakref
from collections import OrderedDict
from dataclasses import replace
from datetime import date, datetime
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from forecaster import progress
from forecaster.errors import InputError
from forecaster.portfolio import WorkloadFit, fit_series
from forecaster.tco import arithmetic as A
from forecaster.tco.projection import (
    Horizon,
    WorkloadPaths,
    error_correlation,
    factor_draws,
    forecast_daily_load,
    monthly_band,
    simulate_unclaimed,
    simulate_workload,
)
from forecaster.tco.scenarios import Scenario, Settings, check_monte_carlo, load_scenarios
from forecaster.timeonly.bill import bill_forecast, bill_forecast_doc
from forecaster.timeonly.series import unclaimed_daily
from forecaster.workloads import Workload, optional_workloads, workload_series


def _monthly(values: np.ndarray, months: list[str], load: np.ndarray | None = None) -> list[dict]:
    b = A.bands(values)
    rows = []
    for i, month in enumerate(months):
        row = {"month": month, **{k: float(v[i]) for k, v in b.items()}}
        if load is not None:
            row["load_p50"] = float(np.median(load[:, i]))
        rows.append(row)
    return rows


def _band(values: np.ndarray) -> dict[str, float]:
    return {f"p{p}": float(np.percentile(values, p)) for p in A.PERCENTILES}


#: Monthly sums of each fitted workload's simulated paths, kept across ``run_tco`` calls
#: for as long as the fit itself lives (the dashboard's cached fits), so a what-if that
#: changes prices, commitments, a fix or the discount rate re-simulates nothing: only the
#: workloads a scenario fixes or regrows are simulated again. Keyed inside by everything
#: the paths depend on (horizon, draws, seed, growth).
_MONTHLY: dict[int, tuple[weakref.ref, dict[tuple, tuple[np.ndarray, np.ndarray]]]] = {}
_MONTHLY_PER_FIT = 16
#: The time-only forecast of unclaimed cost, by its history, horizon and draws (LRU).
_UNCLAIMED: OrderedDict[str, tuple[np.ndarray, str]] = OrderedDict()
_UNCLAIMED_SIZE = 32


def _simulate_unclaimed(
    by_time: pl.DataFrame, horizon: Horizon, z: np.ndarray
) -> tuple[np.ndarray, str]:
    """``simulate_unclaimed``, remembered for the same history, horizon and draws."""
    digest = hashlib.sha256()
    # to the micro-unit: a parallel sum may differ in the last bit between two reads
    digest.update(by_time.with_columns(pl.col("cost").round(6)).write_ipc(None).getvalue())
    digest.update(f"{horizon.days[0]}:{len(horizon.days)}".encode())
    digest.update(z.tobytes())
    key = digest.hexdigest()
    if key in _UNCLAIMED:
        _UNCLAIMED.move_to_end(key)
        return _UNCLAIMED[key]
    value = simulate_unclaimed(by_time, horizon, z)
    value[0].setflags(write=False)
    _UNCLAIMED[key] = value
    while len(_UNCLAIMED) > _UNCLAIMED_SIZE:
        _UNCLAIMED.popitem(last=False)
    return value


def _kept_for(fit: WorkloadFit) -> dict[tuple, tuple[np.ndarray, np.ndarray]]:
    """The monthly sums kept for this fit object (dropped when the fit is collected)."""
    entry = _MONTHLY.get(id(fit))
    if entry is None or entry[0]() is not fit:
        ident = id(fit)
        entry = (weakref.ref(fit, lambda _ref: _MONTHLY.pop(ident, None)), {})
        _MONTHLY[ident] = entry
    return entry[1]


class _Simulator:
    """Caches each workload's load forecast and simulated paths per growth override, and
    their monthly sums across calls (``_MONTHLY``)."""

    def __init__(self, fits: dict[str, WorkloadFit], horizon: Horizon, z: np.ndarray, seed: int):
        self.fits, self.horizon, self.z, self.seed = fits, horizon, z, seed
        self._fc: dict[str, dict] = {}
        self._paths: dict[tuple[str, float | None], WorkloadPaths] = {}
        self._draws = hashlib.sha256(z.tobytes()).hexdigest()
        self._rho: float | None = None

    def monthly(self, name: str, growth: float | None) -> tuple[np.ndarray, np.ndarray]:
        """(S, M) monthly cost and load of one workload's paths (read-only arrays)."""
        fit = self.fits[name]
        index = list(self.fits).index(name)
        key = (self.horizon.days[0], len(self.horizon.days), self._draws, self.seed, index, growth)
        kept = _kept_for(fit)
        if key not in kept:
            p = self.paths(name, growth)
            n_months = len(self.horizon.months)
            cost = A.to_months(p.cost, self.horizon.month_of_day, n_months)
            load = A.to_months(p.load, self.horizon.month_of_day, n_months)
            cost.setflags(write=False)
            load.setflags(write=False)
            while len(kept) >= _MONTHLY_PER_FIT:
                kept.pop(next(iter(kept)))
            kept[key] = (cost, load)
        return kept[key]

    @property
    def correlation(self) -> float:
        """Correlation of the workloads' load draws (``error_correlation``), from their
        monthly out-of-sample load errors; 1 when the data cannot tell."""
        if self._rho is None:
            n_days = len(self.horizon.days)
            bands = [monthly_band(f, n_days) for f in self.fits.values()]
            self._rho = error_correlation([b for b in bands if b is not None])
        return self._rho

    def paths(self, name: str, growth: float | None) -> WorkloadPaths:
        key = (name, growth)
        if key not in self._paths:
            fit = self.fits[name]
            if name not in self._fc:
                self._fc[name] = forecast_daily_load(fit, len(self.horizon.days))
            index = list(self.fits).index(name)
            z = factor_draws(self.z, self.correlation, self.seed, index)
            self._paths[key] = simulate_workload(
                fit, self.horizon, z, self.seed + 1 + index, growth, self._fc[name]
            )
        return self._paths[key]


def _scenario_months(
    sc: Scenario,
    names: list[str],
    sim: _Simulator,
    time_only: np.ndarray,
    horizon: Horizon,
) -> tuple[np.ndarray, dict[str, Any]]:
    """(S, M) total monthly cost of one scenario in one currency, and its deterministic
    one-off and labour amounts."""
    n_months = len(horizon.months)
    total = time_only.copy()
    fixes = {f.workload: f for f in sc.fixes}
    extra = np.zeros(n_months)
    one_off = labour = 0.0
    for name in names:
        growth = sc.growth.get(name, sc.growth.get("*"))
        if name not in fixes:
            total = total + sim.monthly(name, growth)[0]
            continue
        p = sim.paths(name, growth)
        fix = fixes[name]
        start = horizon.month_index(fix.start)
        live = horizon.month_of_day >= start
        cost = A.apply_fix(p.cost, p.fixed, p.excess, live, fix)
        if start < n_months:
            extra[start] += fix.migration_cost
            extra[start:] += fix.labour_per_month
            one_off += fix.migration_cost
            labour += fix.labour_per_month * (n_months - start)
        total = total + A.to_months(cost, horizon.month_of_day, n_months)
    if sc.price is not None:
        total = A.apply_price(total, sc.price, horizon.month_index(sc.price.start))
    if sc.commitment is not None:
        total = A.apply_commitment(total, sc.commitment, horizon.month_index(sc.commitment.start))
    return total + extra[None, :], {"one_off": one_off, "labour": labour}


def takes_effect(sc: Scenario, horizon: Horizon) -> int:
    """Index of the first horizon month in which ``sc`` changes anything: the earliest of
    its fixes' ``from``, its commitment's and price change's start (the first month when
    they name none); growth acts from the first month. The horizon's length when every
    change starts after it."""
    starts = [horizon.month_index(f.start) for f in sc.fixes]
    if sc.growth:
        starts.append(0)
    if sc.commitment is not None:
        starts.append(horizon.month_index(sc.commitment.start))
    if sc.price is not None:
        starts.append(horizon.month_index(sc.price.start))
    return min(starts, default=0)


def run_tco(
    store_dir: str | Path,
    workloads_path: str | Path | None = None,
    scenarios_path: str | Path | None = None,
    horizon_months: int | None = None,
    samples: int | None = None,
    seed: int | None = None,
    sources: list[str] | None = None,
    scenarios: tuple[Settings, list[Scenario]] | None = None,
    end: datetime | None = None,
    series: pl.DataFrame | None = None,
    fits: dict[str, WorkloadFit] | None = None,
    workloads: list[Workload] | None = None,
    unclaimed: pl.DataFrame | None = None,
) -> dict[str, Any]:
    """Monthly cost forecasts (P10/P50/P90) per workload and in total, and per scenario the
    monthly bands, cumulative TCO, NPV and break-even month against the baseline.

    ``end`` (UTC, exclusive): use only data before it, e.g. the end of a reviewed month.
    ``series`` (``workload_series`` at day grain) and ``fits`` (``fit_series`` on it) may be
    passed when the caller already has them (the dashboard), so a what-if run costs only
    the Monte Carlo. ``workloads``, when given, is used instead of reading
    ``workloads_path`` (``[]``: the bill alone, forecast by time). ``unclaimed``
    (``forecaster.timeonly.series.unclaimed_daily`` for the same workloads, sources and end)
    may be passed too when the caller keeps it.
    """
    settings, scs = scenarios or load_scenarios(scenarios_path)
    if horizon_months is not None:
        if not 12 <= horizon_months <= 36:
            raise InputError(
                f"horizon_months {horizon_months}: expected 12 to 36 months",
                parameters=("horizon_months",),
            )
        settings = replace(settings, horizon_months=horizon_months)
    check_monte_carlo(samples, seed)
    settings = replace(
        settings,
        samples=samples if samples is not None else settings.samples,
        seed=seed if seed is not None else settings.seed,
    )
    if workloads is None:
        workloads = optional_workloads(workloads_path)
    known = {w.name for w in workloads}
    for sc in scs:
        unknown = sorted({f.workload for f in sc.fixes} - known) + sorted(
            set(sc.growth) - known - {"*"}
        )
        if unknown:
            raise InputError(f"scenario {sc.name!r} names unknown workload(s) {unknown}")
    if workloads:
        if series is None:
            series = workload_series(store_dir, workloads, "day", sources)
        if end is not None:
            series = series.filter(pl.col("period_start") < end)
        complete = series.filter(pl.col("cost").is_not_null() & pl.col("load").is_not_null())
        if complete.is_empty():
            raise InputError(f"{store_dir}: no workload has both cost and load to forecast from")
        last_day = complete["period_start"].max().date()
        if fits is None:
            fits = fit_series(series, workloads, "day", random_state=settings.seed)
    else:  # a bill only: the whole bill is forecast by time
        fits = {}
    if unclaimed is None:
        unclaimed = unclaimed_daily(store_dir, workloads, sources, end)
    if unclaimed.is_empty():
        raise InputError(f"{store_dir}: the store holds no billing to forecast")
    if not workloads:
        last_day = unclaimed["day"].max()
    horizon = Horizon.after(last_day, settings.horizon_months)
    rng = np.random.default_rng(settings.seed)
    z = rng.standard_normal(settings.samples)
    sim = _Simulator(
        {n: f for n, f in fits.items() if f.curve is not None}, horizon, z, settings.seed
    )

    currencies = []
    money = sorted(c for c in unclaimed["currency"].unique().to_list() if c)
    tick = progress.begin(
        f"TCO Monte Carlo: {len(scs)} scenario(s), {settings.samples:,} paths",
        total=len(money) * len(scs),
    )
    for currency in money:
        names = [n for n, f in fits.items() if f.curve is not None and f.currency == currency]
        by_time = _time_only_history(unclaimed, fits, currency, last_day)
        time_only, method = _simulate_unclaimed(by_time, horizon, z)
        workloads_out = []
        for name in names:
            monthly, load = sim.monthly(name, None)
            workloads_out.append({"name": name, "monthly": _monthly(monthly, horizon.months, load)})
        results, base_total = [], None
        for sc in scs:
            total, amounts = _scenario_months(sc, names, sim, time_only, horizon)
            tick.advance()
            if base_total is None:
                base_total = total
            cumulative = total.sum(axis=1)
            npv = A.npv(total, settings.discount_rate)
            same = sc is scs[0] or np.allclose(total, base_total)
            index, probability = (
                (None, None) if same else A.break_even(base_total, total, takes_effect(sc, horizon))
            )
            results.append(
                {
                    "name": sc.name,
                    "monthly": _monthly(total, horizon.months),
                    "cumulative": _band(cumulative),
                    "next_3_months": _band(total[:, :3].sum(axis=1)),
                    "next_12_months": _band(total[:, :12].sum(axis=1)),
                    "npv": _band(npv),
                    "npv_saving_vs_baseline": _band(
                        A.npv(base_total, settings.discount_rate) - npv
                    ),
                    "break_even_month": None
                    if index is None or sc is scs[0]
                    else horizon.months[index],
                    "break_even_probability": probability if sc is not scs[0] else None,
                    **amounts,
                }
            )
        currencies.append(
            {
                "currency": currency,
                "workloads": workloads_out,
                "unfitted_workloads": sorted(
                    n for n, f in fits.items() if f.curve is None and f.currency == currency
                ),
                "by_time": {"method": method, "monthly": _monthly(time_only, horizon.months)},
                "scenarios": results,
            }
        )
    tick.end()
    doc: dict[str, Any] = {"workloads_used": sorted(known)}
    if not workloads:  # a bill only: also the forecast per provider, service and account
        doc["time_only"] = bill_forecast_doc(
            bill_forecast(store_dir, settings.horizon_months, sources=sources, end=end)
        )
    return {
        **doc,
        "start": horizon.days[0].isoformat(),
        "months": horizon.months,
        "horizon_months": settings.horizon_months,
        "samples": settings.samples,
        "seed": settings.seed,
        "discount_rate": settings.discount_rate,
        "baseline": scs[0].name,
        "load_correlation": sim.correlation if sim.fits else None,
        "currencies": currencies,
    }


def _time_only_history(
    unclaimed: pl.DataFrame, fits: dict[str, WorkloadFit], currency: str, last_day: date
) -> pl.DataFrame:
    """Daily cost forecast by time alone (``day, cost``): unclaimed plus workloads without a
    curve, up to ``last_day``."""
    frame = unclaimed.filter((pl.col("currency") == currency) & (pl.col("day") <= last_day)).select(
        "day", "cost"
    )
    for fit in fits.values():
        if fit.curve is None and fit.currency == currency and fit.frame.height:
            extra = fit.frame.group_by(pl.col("period_start").dt.date().alias("day")).agg(
                pl.col("cost").sum().alias("extra")
            )
            frame = (
                frame.join(extra, on="day", how="left")
                .with_columns((pl.col("cost") + pl.col("extra").fill_null(0.0)).alias("cost"))
                .drop("extra")
            )
    return frame.sort("day")
