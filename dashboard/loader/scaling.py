"""Scaling: the load tests, the USL fitted to each, ceiling dates and latency budgets."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from dashboard.loader.caching import cached, on_disk
from dashboard.loader.config import config, store_dir
from dashboard.loader.errors import LoaderError, refusals
from dashboard.loader.workload_results import fits, workload


@refusals
def loadtest_files() -> dict[str, Path]:
    """Load-test files found under the configured paths, by file name ({} when none is
    named)."""
    from forecaster.scaling.loadtest import loadtest_paths

    return {f.name: f for f in loadtest_paths(list(config().loadtests))}


def _test_file(test: str) -> Path:
    files = loadtest_files()
    if test not in files:
        known = ", ".join(files) or "none"
        raise LoaderError(f"no load test named {test!r} (load tests: {known})")
    return files[test]


@cached
@refusals
def usl(test: str) -> tuple[Any, Any]:
    """The measured points of one load-test file and the USL (``USLModel``) fitted to
    them."""
    from forecaster.scaling import USLModel
    from forecaster.scaling.loadtest import read_load_tests

    points = read_load_tests([_test_file(test)])
    model = USLModel().fit(points["load"].to_numpy(), points["throughput"].to_numpy(), test)
    return points, model


@cached
@refusals
def load_samples() -> Any:
    """The load store's samples (a LazyFrame)."""
    from forecaster.load import read_load

    return read_load(store_dir())


@cached
@on_disk
@refusals
def ceiling(test: str, name: str, share: float) -> Any:
    """When workload ``name``'s busiest hour reaches ``share`` of load test ``test``'s
    ceiling (``forecaster.scaling.reach.workload_ceiling``, as the review pack: a
    ``CeilingReach``)."""
    from forecaster.views.scaling import ceiling_reach

    chosen = workload(name)
    _, model = usl(test)
    return ceiling_reach(load_samples(), chosen, model, share)


@cached
@refusals
def latency_budgets(test: str, name: str, share: float) -> list[tuple[Any, str]]:
    """Workload ``name``'s latency budgets (its workloads file) on load test ``test``,
    against the same ceiling date (``forecaster.scaling.budget.reach_budgets``, as the
    review pack): (outlook, sentence) per budget, [] without budgets."""
    from forecaster.scaling.budget import rate_words, reach_budgets, workload_curve_cost
    from forecaster.scaling.loadtest import load_unit

    chosen = workload(name)
    if not chosen.latency_budgets:
        return []
    points, model = usl(test)
    return reach_budgets(ceiling(test, name, share), points, model,
                         chosen.latency_budgets, test,
                         throughput_cost=workload_curve_cost(fits().get(name), name),
                         load_unit=load_unit([_test_file(test)]),
                         rate_unit=rate_words(chosen.load.unit))  # fmt: skip


@cached
@refusals
def latency_curve(test: str, stat: str) -> Any:
    """Load test ``test``'s curve of one latency statistic against load (the one its
    budgets are judged by: ``forecaster.scaling.latency.latency_curve``)."""
    from forecaster.scaling.budget_load import latency_curve as curve
    from forecaster.scaling.littles_law import think_time

    points, model = usl(test)
    return curve(points, model, stat, think_time(points, model, None, test), test)
