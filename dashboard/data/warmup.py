"""Warm-up: compute in the background what the pages need and the disk cache lacks, so a
visitor does not wait for the fits."""

from __future__ import annotations

import threading

from dashboard.data.billing import catalog, spend, tag_keys
from dashboard.data.config import config
from dashboard.data.errors import LoaderError
from dashboard.data.review import bridge
from dashboard.data.tco_runs import tco, tco_paths
from dashboard.data.workload_results import fits, unclaimed, waste


def warm() -> None:
    """Compute (or read from the disk cache) what the first pages need."""
    steps = [lambda: spend(None), lambda: spend("provider"), catalog, tag_keys]
    if config().workloads is not None:
        steps += [fits, unclaimed, waste, _latest_bridge, _baseline_tco]
    for step in steps:
        try:
            step()
        except LoaderError:
            pass  # the pages show the problem


def _latest_bridge() -> None:
    months = spend(None)["month"]
    if months.len():
        bridge(months.max())


def _baseline_tco() -> None:
    from forecaster.views.forecast import WhatIf

    tco(WhatIf())
    for months in (24, 12):  # the Forecast page's other horizons: their paths kept too
        tco_paths(months)


def warm_in_background() -> threading.Thread:
    thread = threading.Thread(target=warm, name="dashboard-warm", daemon=True)
    thread.start()
    return thread
