"""The workloads: their daily cost x load series, cost curves, waste, unclaimed cost and
the workloads the bill suggests."""

from __future__ import annotations

from typing import Any

import polars as pl

from dashboard.loader.caching import cached, on_disk
from dashboard.loader.config import config, store_dir
from dashboard.loader.errors import LoaderError, problem, refusals

NO_WORKLOADS = "no workloads file: start the dashboard with --workloads FILE"


@cached
@refusals
def workloads() -> list[Any]:
    """The configured workloads (``Workload``); [] when none is named."""
    from forecaster.workloads import load_workloads

    path = config().workloads
    return [] if path is None else load_workloads(path)


def workload(name: str) -> Any:
    """The configured workload called ``name``."""
    if config().workloads is None:
        raise LoaderError(NO_WORKLOADS)
    for item in workloads():
        if item.name == name:
            return item
    known = ", ".join(w.name for w in workloads()) or "none"
    raise LoaderError(f"no workload named {name!r} in {config().workloads} (workloads: {known})")


def workloads_problem() -> str | None:
    """Why workload views are empty (no file, or the file's error message), else None."""
    if config().workloads is None:
        return NO_WORKLOADS
    return problem(series)


@cached
@on_disk
@refusals
def series() -> pl.DataFrame:
    """Daily cost x load per workload (``workload_series`` at day grain); without a
    workloads file, an empty series (the TCO then forecasts the whole bill by time)."""
    from forecaster.workloads import workload_series

    return workload_series(store_dir(), workloads(), "day")


@cached
@on_disk
@refusals
def fits(start: str | None = None, end: str | None = None) -> dict[str, Any]:
    """Every workload's cost curve (``WorkloadFit``) over the months start..end (all data
    when None)."""
    from forecaster.views.workloads import fit_window

    return fit_window(series(), workloads(), start, end)


@cached
@refusals
def fit(name: str, start: str | None = None, end: str | None = None) -> Any:
    """One workload's cost curve (``WorkloadFit``) over the months start..end."""
    chosen = workload(name)
    if not start and not end:
        return fits()[name]
    from forecaster.views.workloads import fit_window

    return fit_window(series().filter(pl.col("workload") == name), [chosen], start, end)[name]


@cached
@on_disk
@refusals
def waste() -> pl.DataFrame:
    """Waste candidates per workload and month (``forecaster.waste.monthly_waste``)."""
    from forecaster.waste import monthly_waste

    return monthly_waste(fits())


@cached
def months() -> list[str]:
    """The months the workload series covers, oldest first."""
    frame = series()
    if frame.height == 0:
        return []
    return frame["period_start"].dt.strftime("%Y-%m").unique().sort().to_list()


@cached
@on_disk
@refusals
def unclaimed() -> pl.DataFrame:
    """Cost no workload claims, per month and currency."""
    from forecaster.workloads import unclaimed_cost

    return unclaimed_cost(store_dir(), workloads(), "month")


@cached
@on_disk
@refusals
def unclaimed_days() -> pl.DataFrame:
    """Cost no workload claims, per day and currency (what the TCO forecasts by time)."""
    from forecaster.timeonly.series import unclaimed_daily

    return unclaimed_daily(store_dir(), workloads(), None, None)


@cached
@refusals
def workload_coverage() -> pl.DataFrame:
    """Per workload and month: the days with both cost and load (``coverage``)."""
    from forecaster.workloads import coverage

    return coverage(series())


@cached
@on_disk
@refusals
def suggestion(by: str) -> tuple[list[Any], str]:
    """Workloads suggested from the bill by ``by`` (``forecaster workloads suggest``,
    ``Suggestion`` each) and their TOML."""
    from forecaster.workloads.suggest import suggest_workloads, suggestion_toml

    found = suggest_workloads(store_dir(), by)
    return found, suggestion_toml(found, by, store_dir())
