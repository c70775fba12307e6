"""``run_tco``: the baseline forecast and every scenario, per currency (``TCOResult``,
``result.py``; ``as_dict()`` is the JSON document).

Workloads with a fitted curve are simulated through it (``projection``, kept by ``paths``);
their cost plus the cost no workload claims (and that of workloads that cannot be fitted)
forecast by time make the total. Scenarios are the kinds of ``kinds`` applied to the same
random draws (common random numbers).
"""

from __future__ import annotations

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
from forecaster.tco.kinds import ScenarioArrays, apply_changes
from forecaster.tco.paths import Projection
from forecaster.tco.projection import (
    Horizon,
)
from forecaster.tco.result import (
    Band,
    ByTime,
    CurrencyResult,
    MonthBand,
    ScenarioResult,
    TCOResult,
    WorkloadForecast,
)
from forecaster.tco.scenarios import (
    MONTE_CARLO_PATHS,
    MONTE_CARLO_SEED,
    Scenario,
    Settings,
    check_monte_carlo,
    load_scenarios,
)
from forecaster.timeonly.bill import bill_forecast
from forecaster.timeonly.series import unclaimed_daily
from forecaster.workloads import Workload, optional_workloads, workload_series


def _monthly(
    values: np.ndarray, load: np.ndarray | None, months: list[str]
) -> tuple[MonthBand, ...]:
    b = A.bands(values)
    median = None if load is None else np.median(load, axis=0)
    return tuple(
        MonthBand(
            month=month,
            **{k: float(v[i]) for k, v in b.items()},
            load_p50=None if median is None else float(median[i]),
        )
        for i, month in enumerate(months)
    )


def _band(values: np.ndarray) -> Band:
    return Band(*(float(np.percentile(values, p)) for p in A.PERCENTILES))


def _scenario_months(
    sc: Scenario,
    names: list[str],
    paths: Projection,
    fits: dict[str, WorkloadFit],
    time_only: np.ndarray,
    horizon: Horizon,
) -> tuple[np.ndarray, dict[str, Any]]:
    """(S, M) total monthly cost of one scenario in one currency, its changes applied to
    the kept paths stage by stage (``forecaster.tco.kinds``: load, then each workload's
    daily cost, then the monthly total), and its deterministic one-off and labour."""
    arrays = ScenarioArrays(horizon, lambda name, growth: paths.daily(fits, name, growth),
                            workloads=frozenset(names))  # fmt: skip

    def added_up(arrays: ScenarioArrays) -> np.ndarray:
        kept = [(n, arrays.growth_of(n)) for n in names if n not in arrays.workload_cost]
        monthly = dict(zip([n for n, _ in kept], paths.monthly(fits, kept), strict=True))
        total = time_only.copy()
        for name in names:
            total = total + arrays.workload_cost.get(name, monthly.get(name))
        return total

    apply_changes(sc.changes, arrays, added_up)
    return arrays.total + arrays.extra[None, :], {"one_off": arrays.one_off,
                                                   "labour": arrays.labour}  # fmt: skip


def left_out(sc: Scenario, fits: dict[str, WorkloadFit], currency: str) -> tuple[str, ...]:
    """Notes, in words, on what of ``sc`` the ``currency`` figures do not hold: a fix of a
    workload without a fitted cost curve is applied nowhere (its cost is forecast by time,
    so neither the fix nor its migration cost and labour are counted); a fix of another
    currency's workload shows in that currency's figures."""
    notes = []
    for fix in sc.fixes:
        fit = fits.get(fix.workload)
        if fit is None or fit.curve is None:
            reason = (fit.summary.get("reason") if fit is not None else None) or "no data"
            notes.append(
                f"The architecture fix of {fix.workload} is not applied: {fix.workload} has "
                f"no fitted cost curve ({reason}), so its cost is forecast by time with the "
                "cost no workload claims, and neither the fix nor its migration cost and "
                "labour are in these figures."
            )
        elif fit.currency != currency:
            notes.append(
                f"The architecture fix of {fix.workload} is in the {fit.currency} figures "
                f"({fix.workload} bills in {fit.currency}), not in these."
            )
    return tuple(notes)


def takes_effect(sc: Scenario, horizon: Horizon) -> int:
    """Index of the first horizon month in which ``sc`` changes anything: the earliest of
    its changes' ``starts`` (a fix's ``from``, a commitment's or price change's start, the
    first month when they name none; growth acts from the first month). The horizon's
    length when every change starts after it."""
    return min((c.starts(horizon) for c in sc.changes), default=0)


def check_horizon(horizon_months: int) -> None:
    """InputError naming ``horizon_months`` unless 12 to 36."""
    if not 12 <= horizon_months <= 36:
        raise InputError(
            f"horizon_months {horizon_months}: expected 12 to 36 months",
            parameters=("horizon_months",),
        )


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
    paths: Projection | None = None,
) -> TCOResult:
    """Monthly cost forecasts (P10/P50/P90) per workload and in total, and per scenario the
    monthly bands, cumulative TCO, NPV and break-even month against the baseline
    (``TCOResult``; ``.as_dict()`` for JSON).

    ``end`` (UTC, exclusive): use only data before it, e.g. the end of a reviewed month.
    ``series`` (``workload_series`` at day grain) and ``fits`` (``fit_series`` on it) may be
    passed when the caller already has them (the dashboard), so a what-if run costs only
    the Monte Carlo. ``workloads``, when given, is used instead of reading
    ``workloads_path`` (``[]``: the bill alone, forecast by time). ``unclaimed``
    (``forecaster.timeonly.series.unclaimed_daily`` for the same workloads, sources and end)
    may be passed too when the caller keeps it, and ``paths`` (``baseline_paths`` on the
    same inputs, samples and seed; drawn again when it does not match them).
    """
    settings, scs = scenarios or load_scenarios(scenarios_path)
    if horizon_months is not None:
        check_horizon(horizon_months)
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
        unknown = sorted(sc.workloads() - known)
        if unknown:
            raise InputError(f"scenario {sc.name!r} names unknown workload(s) {unknown}")
    fits, unclaimed, last_day = _inputs(
        store_dir, workloads, sources, end, series, fits, unclaimed, settings.seed
    )
    months, samples, seed = settings.horizon_months, settings.samples, settings.seed
    if paths is None or not paths.fits(fits, last_day, months, samples, seed):
        paths = Projection.build(fits, last_day, months, samples, seed)
    horizon = paths.horizon
    labels = horizon.months

    currencies = []
    money = sorted(c for c in unclaimed["currency"].unique().to_list() if c)
    tick = progress.begin(
        f"TCO Monte Carlo: {len(scs)} scenario(s), {settings.samples:,} paths",
        total=len(money) * len(scs),
    )
    for currency in money:
        names = [n for n, f in fits.items() if f.curve is not None and f.currency == currency]
        by_time = _time_only_history(unclaimed, fits, currency, last_day)
        time_only, method = paths.time_only(by_time)
        workloads_out = []
        for name in names:
            rows = paths.kept(("rows", name), lambda n=name: _monthly(*paths.base[n], labels))
            workloads_out.append(WorkloadForecast(name, rows))
        results, base_total = [], None
        for sc in scs:
            total, amounts = _scenario_months(sc, names, paths, fits, time_only, horizon)
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
                ScenarioResult(
                    name=sc.name,
                    description=sc.describe(),
                    monthly=_monthly(total, None, labels),
                    cumulative=_band(cumulative),
                    next_3_months=_band(total[:, :3].sum(axis=1)),
                    next_12_months=_band(total[:, :12].sum(axis=1)),
                    npv=_band(npv),
                    npv_saving_vs_baseline=_band(A.npv(base_total, settings.discount_rate) - npv),
                    break_even_month=None
                    if index is None or sc is scs[0]
                    else horizon.months[index],
                    break_even_probability=probability if sc is not scs[0] else None,
                    notes=left_out(sc, fits, currency),
                    **amounts,
                )
            )
        unfitted = sorted(n for n, f in fits.items() if f.curve is None and f.currency == currency)
        currencies.append(
            CurrencyResult(
                currency=currency,
                workloads=tuple(workloads_out),
                unfitted_workloads=tuple(unfitted),
                by_time=ByTime(method, _monthly(time_only, None, labels)),
                scenarios=tuple(results),
            )
        )
    tick.end()
    time_only = None
    if not workloads:  # a bill only: also the forecast per provider, service and account
        time_only = tuple(
            bill_forecast(store_dir, settings.horizon_months, sources=sources, end=end)
        )
    return TCOResult(
        workloads_used=tuple(sorted(known)),
        start=horizon.days[0].isoformat(),
        months=tuple(horizon.months),
        horizon_months=settings.horizon_months,
        samples=settings.samples,
        seed=settings.seed,
        discount_rate=settings.discount_rate,
        baseline=scs[0].name,
        load_correlation=paths.correlation if paths.names else None,
        currencies=tuple(currencies),
        time_only=time_only,
    )


def _inputs(
    store_dir: str | Path,
    workloads: list[Workload],
    sources: list[str] | None,
    end: datetime | None,
    series: pl.DataFrame | None,
    fits: dict[str, WorkloadFit] | None,
    unclaimed: pl.DataFrame | None,
    seed: int,
) -> tuple[dict[str, WorkloadFit], pl.DataFrame, date]:
    """The workloads' fits, the daily unclaimed cost and the last day of data the forecast
    starts after (read and fitted unless given)."""
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
            fits = fit_series(series, workloads, "day", random_state=seed)
    else:  # a bill only: the whole bill is forecast by time
        fits = {}
    if unclaimed is None:
        unclaimed = unclaimed_daily(store_dir, workloads, sources, end)
    if unclaimed.is_empty():
        raise InputError(f"{store_dir}: the store holds no billing to forecast")
    if not workloads:
        last_day = unclaimed["day"].max()
    return fits, unclaimed, last_day


def baseline_paths(
    store_dir: str | Path,
    workloads: list[Workload],
    horizon_months: int = 36,
    samples: int = MONTE_CARLO_PATHS,
    seed: int = MONTE_CARLO_SEED,
    sources: list[str] | None = None,
    end: datetime | None = None,
    series: pl.DataFrame | None = None,
    fits: dict[str, WorkloadFit] | None = None,
    unclaimed: pl.DataFrame | None = None,
) -> Projection:
    """The kept baseline paths ``run_tco`` transforms (``paths=``): every fitted workload's
    and, per currency, the cost by time, drawn once for ``horizon_months``. The dashboard
    keeps them (on disk too), so a what-if after a restart simulates nothing it does not
    change."""
    check_horizon(horizon_months)
    check_monte_carlo(samples, seed)
    fits, unclaimed, last_day = _inputs(
        store_dir, workloads, sources, end, series, fits, unclaimed, seed
    )
    paths = Projection.build(fits, last_day, horizon_months, samples, seed)
    for currency in sorted(c for c in unclaimed["currency"].unique().to_list() if c):
        paths.time_only(_time_only_history(unclaimed, fits, currency, last_day))
    return paths


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
