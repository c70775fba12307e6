"""TCO: the baseline and what-if scenario runs of ``forecaster.tco`` and the scenario file."""

from __future__ import annotations

from typing import Any

from dashboard.loader.caching import cached, on_disk
from dashboard.loader.config import config, store_dir
from dashboard.loader.errors import refusals
from dashboard.loader.workload_results import fits, series, unclaimed_days, workloads


@cached
@refusals
def file_scenarios() -> tuple[Any, list[Any]] | None:
    """(Settings, scenarios) of the configured scenario file; None when none is named."""
    path = config().scenarios
    if path is None:
        return None
    from forecaster.tco.scenarios import load_scenarios

    return load_scenarios(path)


def tco(what: Any) -> dict[str, Any]:
    """Baseline and what-if scenario (a ``forecaster.views.forecast.WhatIf``) run by
    ``forecaster.tco``; ``LoaderError`` with the engine's message when it refuses the
    data."""
    return _tco(what.canonical())


@cached
@on_disk
@refusals
def _tco(what: Any) -> dict[str, Any]:
    from forecaster.tco.run import run_tco
    from forecaster.views import forecast as forecast_views

    return run_tco(
        store_dir(),
        config().workloads,
        scenarios=forecast_views.scenarios(what, extra=_extra_scenarios()),
        series=series(),
        fits=fits(),
        unclaimed=unclaimed_days(),
        paths=tco_paths(what.horizon_months),
    )


@cached
@on_disk
@refusals
def tco_paths(months: int) -> Any:
    """The baseline Monte Carlo paths over ``months`` that every what-if transforms
    (``forecaster.tco.run.baseline_paths``), kept on disk so the first what-if after a
    restart simulates only what it changes."""
    from forecaster.tco.run import baseline_paths

    return baseline_paths(store_dir(), workloads(), months, series=series(), fits=fits(),
                          unclaimed=unclaimed_days())  # fmt: skip


def _extra_scenarios() -> list[Any]:
    loaded = file_scenarios()
    return [] if loaded is None else loaded[1]
