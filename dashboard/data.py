"""The dashboard's one data loader: where the data is, and cached reads over ``forecaster``.

Every page reads through the functions here; each result is cached under a *stamp* made of
the modification times of the billing catalog, the load catalog, the workloads file and the
load-test files, so an ingest (which rewrites a catalog atomically) refreshes the dashboard
without a restart, and nothing is recomputed while the data stands still. Concurrent
requests for the same missing entry wait for one computation instead of repeating it.

The expensive results (the workload series, every workload's curve, the baseline TCO and
the load forecasts) are also kept on disk beside the store (``forecaster.cache``), keyed by
the catalogs, the workloads file, the load tests and the product's code, so a restarted
process or a second gunicorn worker reads them instead of refitting; warm-up then only
computes what is missing.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import wraps
from pathlib import Path
from typing import Any, TypeVar

import polars as pl

from forecaster.cache import DiskCache
from forecaster.errors import ForecasterError
from forecaster.load import LoadStore, read_load
from forecaster.portfolio import WorkloadFit
from forecaster.review import ReviewPack, build_review
from forecaster.scaling import USLModel
from forecaster.scaling.budget import rate_words, reach_budgets, workload_curve_cost
from forecaster.scaling.latency import latency_curve as _latency_curve
from forecaster.scaling.latency import think_time
from forecaster.scaling.loadtest import load_unit, loadtest_paths, read_load_tests
from forecaster.scaling.reach import CeilingReach
from forecaster.spend import store_monthly_spend
from forecaster.store import BillingStore
from forecaster.store.billing import partition_overlaps
from forecaster.store.ingest_log import read_failures
from forecaster.timeonly.anomalies import time_only_anomalies
from forecaster.timeonly.bill import BillForecast
from forecaster.timeonly.bill import bill_forecast as _bill_forecast
from forecaster.timeonly.series import unclaimed_daily
from forecaster.views import forecast as forecast_views
from forecaster.views import overview as overview_views
from forecaster.views import review as review_views
from forecaster.views import scaling as scaling_views
from forecaster.views.forecast import WhatIf
from forecaster.views.workloads import fit_window
from forecaster.waste import monthly_waste
from forecaster.workloads import Workload, coverage, load_workloads, unclaimed_cost
from forecaster.workloads import workload_series as _workload_series
from forecaster.workloads.suggest import Suggestion, suggest_workloads, suggestion_toml

T = TypeVar("T")
CACHE_SIZE = 128


@dataclass
class Config:
    store: Path | None = None
    workloads: Path | None = None
    loadtests: list[Path] = field(default_factory=list)
    scenarios: Path | None = None


_config = Config()
_cache: OrderedDict[tuple, Any] = OrderedDict()
_cache_lock = threading.Lock()
_key_locks: dict[tuple, threading.Lock] = {}


def configure(
    store: Path | str,
    workloads: Path | str | None = None,
    loadtests: list[Path | str] | Path | str | None = None,
    scenarios: Path | str | None = None,
) -> None:
    """Point the loader at a store, a workloads file, load-test files or directories and a
    TCO scenario file. Only what is named is used: nothing is looked for beside the
    workloads file."""
    _config.store = Path(store)
    _config.workloads = Path(workloads) if workloads else None
    if isinstance(loadtests, str | Path):
        loadtests = [loadtests]
    _config.loadtests = [Path(p) for p in loadtests or []]
    _config.scenarios = Path(scenarios) if scenarios else None
    clear()


def clear() -> None:
    with _cache_lock:
        _cache.clear()
        _key_locks.clear()


def store_dir() -> Path:
    if _config.store is None:
        raise RuntimeError("dashboard.data.configure() was not called")
    return _config.store


def _mtime(path: Path | None) -> int:
    try:
        return path.stat().st_mtime_ns if path is not None else 0
    except OSError:
        return 0


def stamp() -> tuple[int, ...]:
    """Changes whenever an ingest commits or an input file changes."""
    root = store_dir()
    files = [
        root / "billing" / "catalog.json",
        root / "load" / "catalog.json",
        _config.workloads,
        _config.scenarios,
    ]
    return tuple(_mtime(p) for p in [*files, *_config.loadtests])


def disk() -> DiskCache:
    """The store's disk cache, keyed by the configured workloads, scenarios and load-test
    files (a result computed without a scenarios file is never served with one)."""
    return DiskCache(store_dir(), [_config.workloads, _config.scenarios, *_config.loadtests])


def on_disk(fn: Callable[..., T]) -> Callable[..., T]:
    """Keep ``fn``'s result in the store's disk cache (under the function's name and its
    arguments); use below ``@cached`` so memory is asked first."""

    @wraps(fn)
    def wrapper(*args: Any) -> T:
        return disk().get_or_compute(fn.__name__, args, lambda: fn(*args))

    return wrapper


def cached(fn: Callable[..., T]) -> Callable[..., T]:
    """Memoize ``fn`` per (arguments, data stamp); one computation per missing entry."""

    @wraps(fn)
    def wrapper(*args: Any) -> T:
        key = (fn.__name__, args, stamp())
        with _cache_lock:
            if key in _cache:
                _cache.move_to_end(key)
                return _cache[key]
            lock = _key_locks.setdefault(key, threading.Lock())
        with lock:
            with _cache_lock:
                if key in _cache:
                    return _cache[key]
            value = fn(*args)
            with _cache_lock:
                _cache[key] = value
                _key_locks.pop(key, None)
                while len(_cache) > CACHE_SIZE:
                    _cache.popitem(last=False)
            return value

    return wrapper


# ------------------------------------------------------------------------------- billing
@cached
def spend(by: str | None = None) -> pl.DataFrame:
    """Monthly BilledCost, EffectiveCost, ListCost per currency (and ``by``)."""
    return store_monthly_spend(store_dir(), by)


@cached
def spend_by_tag(key: str) -> pl.DataFrame:
    """Monthly spend per currency and value of tag ``key`` (column ``tag``)."""
    return overview_views.monthly_spend_by_tag(BillingStore(store_dir()).scan(), key)


@cached
def tag_keys() -> list[str]:
    return overview_views.tag_keys(BillingStore(store_dir()).scan())


def currencies() -> list[str]:
    """Billing currencies, the one with the most spend first."""
    frame = spend(None)
    if frame.height == 0:
        return []
    totals = frame.group_by("currency").agg(pl.col("effective_cost").sum())
    return totals.sort(["effective_cost", "currency"], descending=[True, False])[
        "currency"
    ].to_list()


@cached
def catalog() -> dict[str, Any]:
    return BillingStore(store_dir()).catalog()


def partitions() -> list[dict[str, Any]]:
    parts = catalog()["partitions"]
    return [parts[k] for k in sorted(parts)]


def source_overlaps() -> list[dict[str, Any]]:
    """(billing period, currency) held by more than one source, from the cached catalog (the
    check ``forecaster store status`` makes)."""
    return partition_overlaps(partitions())


@cached
def load_partitions() -> list[dict[str, Any]]:
    return LoadStore(store_dir()).partitions()


# ----------------------------------------------------------------------------- workloads
def workloads_path() -> Path | None:
    return _config.workloads


def inputs() -> dict[str, Any]:
    """The files the dashboard was started with (each named by the user, or None)."""
    return {
        "store": str(store_dir()),
        "workloads": str(_config.workloads) if _config.workloads else None,
        "scenarios": str(_config.scenarios) if _config.scenarios else None,
        "loadtests": ", ".join(str(p) for p in _config.loadtests) or None,
    }


@cached
def file_scenarios() -> tuple[Any, list[Any]] | None:
    """(Settings, scenarios) of the configured scenario file; None when none is named."""
    if _config.scenarios is None:
        return None
    from forecaster.tco.scenarios import load_scenarios

    return load_scenarios(_config.scenarios)


@cached
def workloads() -> list[Workload]:
    """The configured workloads; [] when none is configured. Raises on a bad file."""
    if _config.workloads is None:
        return []
    return load_workloads(_config.workloads)


def bill_only() -> bool:
    """No workloads file is configured: the pages show what the bill alone tells."""
    return _config.workloads is None


@cached
def suggestion(by: str) -> tuple[list[Suggestion], str] | str:
    """Workloads suggested from the bill by ``by`` (``forecaster workloads suggest``) and
    their TOML, or why there are none."""
    try:
        found = suggest_workloads(store_dir(), by)
    except ForecasterError as exc:
        return str(exc)
    return found, suggestion_toml(found, by, store_dir())


@cached
def time_anomalies() -> pl.DataFrame | str:
    """Anomalies by time over the bill (``forecaster.timeonly.anomalies``), or why none."""
    try:
        return time_only_anomalies(BillingStore(store_dir()).scan())
    except ForecasterError as exc:
        return str(exc)


def workloads_problem() -> str | None:
    """Why workload views are empty (no file, or the file's error message), else None."""
    if _config.workloads is None:
        return "no workloads file: start the dashboard with --workloads FILE"
    try:
        workloads()
        series()
    except ForecasterError as exc:
        return str(exc)
    return None


@cached
@on_disk
def series() -> pl.DataFrame:
    """Daily cost x load per workload (``workload_series`` at day grain)."""
    return _workload_series(store_dir(), workloads(), "day")


@cached
@on_disk
def fits(start: str | None = None, end: str | None = None) -> dict[str, WorkloadFit]:
    """Every workload's cost curve over the months start..end (all data when None)."""
    return fit_window(series(), workloads(), start, end)


@cached
def fit(name: str, start: str | None = None, end: str | None = None) -> WorkloadFit | None:
    """One workload's cost curve over the months start..end; None for an unknown name."""
    if not start and not end:
        return fits().get(name)
    chosen = [w for w in workloads() if w.name == name]
    if not chosen:
        return None
    return fit_window(series().filter(pl.col("workload") == name), chosen, start, end)[name]


@cached
def waste() -> pl.DataFrame:
    """Waste candidates per workload and month (``forecaster.waste.monthly_waste``)."""
    return monthly_waste(fits())


@cached
def months() -> list[str]:
    """The months the workload series covers, oldest first."""
    frame = series()
    if frame.height == 0:
        return []
    return frame["period_start"].dt.strftime("%Y-%m").unique().sort().to_list()


@cached
def unclaimed() -> pl.DataFrame:
    """Cost no workload claims, per month and currency."""
    return unclaimed_cost(store_dir(), workloads(), "month")


@cached
def bill_forecast() -> list[BillForecast] | str:
    """The bill's forecast by time (``forecaster.timeonly.bill_forecast``, 12 months), or
    why there is none."""
    try:
        return _bill_forecast(store_dir())
    except ForecasterError as exc:
        return str(exc)


@cached
@on_disk
def unclaimed_days() -> pl.DataFrame:
    """Cost no workload claims, per day and currency (what the TCO forecasts by time)."""
    return unclaimed_daily(store_dir(), workloads(), None, None)


@cached
def workload_coverage() -> pl.DataFrame:
    return coverage(series())


@cached
def bridge(month: str) -> dict[str, Any]:
    """The month-over-month bridge per currency (as ``forecaster bridge``: curves fitted on
    the data up to the month's end), from the cached workload series."""
    charges = BillingStore(store_dir()).scan()
    return review_views.month_bridge_doc(charges, workloads(), series(), month)


@cached
def review_pack(month: str) -> ReviewPack:
    """The monthly review pack (``forecaster.review``) of ``month``."""
    from forecaster.review.outlook import match_load_tests

    tests = match_load_tests(workloads(), _config.loadtests) if _config.workloads else {}
    return build_review(
        store_dir(), month, _config.workloads, loadtests=tests, scenarios_path=_config.scenarios
    )


# ------------------------------------------------------------------------------- scaling
def loadtest_files() -> dict[str, Path]:
    """Load-test files found under the configured paths, by file name."""
    try:
        files = loadtest_paths(_config.loadtests)
    except ForecasterError:
        return {}
    return {f.name: f for f in files}


@cached
def usl(name: str) -> tuple[pl.DataFrame, USLModel]:
    """The measured points of one load-test file and the USL fitted to them."""
    path = loadtest_files()[name]
    points = read_load_tests([path])
    model = USLModel().fit(points["load"].to_numpy(), points["throughput"].to_numpy(), name)
    return points, model


@cached
def load_samples() -> pl.LazyFrame:
    return read_load(store_dir())


@cached
@on_disk
def ceiling(test: str, name: str, share: float) -> CeilingReach | None:
    """When workload ``name``'s busiest hour reaches ``share`` of load test ``test``'s
    ceiling (``forecaster.scaling.reach.workload_ceiling``, as the review pack); None when
    the workload is unknown or has no load to forecast."""
    chosen = [w for w in workloads() if w.name == name]
    if not chosen:
        return None
    _, model = usl(test)
    try:
        return scaling_views.ceiling_reach(load_samples(), chosen[0], model, share)
    except ForecasterError:
        return None


@cached
def latency_budgets(test: str, name: str, share: float) -> list[tuple[Any, str]] | str:
    """Workload ``name``'s latency budgets (its workloads file) on load test ``test``,
    against the same ceiling date (``forecaster.scaling.budget.reach_budgets``, as the
    review pack): (outlook, sentence) per budget, [] without budgets, or the reason the
    budgets cannot be checked."""
    chosen = [w for w in workloads() if w.name == name]
    if not chosen or not chosen[0].latency_budgets:
        return []
    points, model = usl(test)
    try:
        return reach_budgets(ceiling(test, name, share), points, model,
                             chosen[0].latency_budgets, test,
                             throughput_cost=workload_curve_cost(fits().get(name), name),
                             load_unit=load_unit([loadtest_files()[test]]),
                             rate_unit=rate_words(chosen[0].load.unit))  # fmt: skip
    except ForecasterError as exc:
        return str(exc)


@cached
def latency_curve(test: str, stat: str) -> Any:
    """Load test ``test``'s curve of one latency statistic against load (the one its
    budgets are judged by: ``forecaster.scaling.latency.latency_curve``)."""
    points, model = usl(test)
    return _latency_curve(points, model, stat, think_time(points, model, None, test), test)


def tco(what: WhatIf) -> dict[str, Any]:
    """Baseline and what-if scenario run by ``forecaster.tco`` (``{"error": message}``
    when the engine refuses the data)."""
    return _tco(what.canonical())


@cached
@on_disk
def _tco(what: WhatIf) -> dict[str, Any]:
    from forecaster.tco.run import run_tco

    try:
        return run_tco(
            store_dir(),
            _config.workloads,
            scenarios=forecast_views.scenarios(what, extra=_extra_scenarios()),
            series=series(),
            fits=fits(),
            unclaimed=unclaimed_days(),
        )
    except ForecasterError as exc:
        return {"error": str(exc), "currencies": []}


def _extra_scenarios() -> list[Any]:
    loaded = file_scenarios()
    return [] if loaded is None else loaded[1]


def ingest_failures() -> list[dict[str, Any]]:
    """Failed ingests recorded in the store's log, newest first (read each time: small)."""
    return read_failures(store_dir())


def warm() -> None:
    """Compute what the first pages need, so the first visitor does not wait for the fits."""
    try:
        spend(None)
        spend("provider")
        catalog()
        tag_keys()
        if _config.workloads is not None:
            fits()
            unclaimed()
            months = spend(None)["month"]
            if months.len():
                bridge(months.max())
            tco(WhatIf())
    except ForecasterError:
        pass  # the pages show the problem


def warm_in_background() -> threading.Thread:
    thread = threading.Thread(target=warm, name="dashboard-warm", daemon=True)
    thread.start()
    return thread
