"""Warm-up: compute in the background what the pages need and the disk cache lacks, so a
visitor does not wait for the fits."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from dashboard.loader import quiet
from dashboard.loader.billing import catalog, spend, tag_keys
from dashboard.loader.config import config
from dashboard.loader.errors import LoaderError
from dashboard.loader.review import bridge
from dashboard.loader.tco_runs import tco, tco_paths
from dashboard.loader.workload_results import fits, unclaimed, waste


def warm(quiet_for: Callable[[], float | None] | None = None) -> None:
    """Compute (or read from the disk cache) what the first pages need.

    ``quiet_for``: seconds since the server last answered a request (0 while answering,
    None before the first); given, each step waits for a quiet moment (``quiet.wait``), so
    a visitor's first view is not slowed by computing what is not on their screen.
    """
    steps = [lambda: spend(None), lambda: spend("provider"), catalog, tag_keys]
    if config().workloads is not None:
        steps += [fits, unclaimed, waste, _latest_bridge, _baseline_tco]
        steps += [lambda: tco_paths(24), lambda: tco_paths(12)]  # the page's other horizons
    started = time.monotonic()
    for step in steps:
        if quiet_for is not None:
            quiet.wait(quiet_for, since=started)
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


def warm_in_background(
    quiet_for: Callable[[], float | None] | None = None,
) -> threading.Thread:
    """``warm`` in a daemon thread; ``quiet_for`` also paces the growth kits drawn in
    the background (``quiet.watch``)."""
    quiet.watch(quiet_for)
    thread = threading.Thread(target=warm, args=(quiet_for,), name="dashboard-warm", daemon=True)
    thread.start()
    return thread
