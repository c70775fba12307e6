"""Warm-up: compute in the background what the pages need and the disk cache lacks, so a
visitor does not wait for the fits."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from dashboard.loader.billing import catalog, spend, tag_keys
from dashboard.loader.config import config
from dashboard.loader.errors import LoaderError
from dashboard.loader.review import bridge
from dashboard.loader.tco_runs import tco, tco_paths
from dashboard.loader.workload_results import fits, unclaimed, waste

FIRST_VISIT_WAIT = 3.0  # seconds the warm-up leaves to a first visitor before starting
QUIET = 0.5  # seconds without a request before each step


def warm(quiet_for: Callable[[], float | None] | None = None) -> None:
    """Compute (or read from the disk cache) what the first pages need.

    ``quiet_for``: seconds since the server last answered a request (0 while answering,
    None before the first); given, each step waits for a quiet moment, so a visitor's
    first view is not slowed by computing what is not on their screen.
    """
    steps = [lambda: spend(None), lambda: spend("provider"), catalog, tag_keys]
    if config().workloads is not None:
        steps += [fits, unclaimed, waste, _latest_bridge, _baseline_tco]
    started = time.monotonic()
    for step in steps:
        while quiet_for is not None:
            quiet = quiet_for()
            if quiet is None and time.monotonic() - started >= FIRST_VISIT_WAIT:
                break
            if quiet is not None and quiet >= QUIET:
                break
            time.sleep(0.05)
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


def warm_in_background(
    quiet_for: Callable[[], float | None] | None = None,
) -> threading.Thread:
    """``warm`` in a daemon thread."""
    thread = threading.Thread(target=warm, args=(quiet_for,), name="dashboard-warm", daemon=True)
    thread.start()
    return thread
