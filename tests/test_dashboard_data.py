"""The dashboard's data loader: cached while the store stands still, fresh after an ingest,
one computation for concurrent requests, problems reported instead of raised."""

from __future__ import annotations

import ast
import threading
import time
from pathlib import Path

import pytest

from dashboard import loader
from forecaster.ingest import ingest_billing
from forecaster.views.forecast import WhatIf
from tests import dashboard_support as support
from tests.dashboard_support import configure, write_evil_billing
from tests.test_import_graph import cycles


@pytest.fixture(scope="session")
def sample(tmp_path_factory):
    return support.session_sample(tmp_path_factory)


@pytest.fixture
def small_store(tmp_path, sample):
    """A store with one tiny billing file; the loader points at it for the test only."""
    store = tmp_path / "store"
    ingest_billing([write_evil_billing(tmp_path / "one.csv")], store, source="one")
    loader.configure(store, None)
    yield store
    configure(sample)


def test_reads_are_cached_until_the_store_changes(small_store, tmp_path):
    first = loader.spend(None)
    assert loader.spend(None) is first
    extra = tmp_path / "more" / "focus.csv"
    write_evil_billing(extra)
    time.sleep(0.01)  # a distinct catalog modification time
    ingest_billing([extra], small_store, source="two")
    again = loader.spend(None)
    assert again is not first
    assert again["effective_cost"].sum() == pytest.approx(2 * first["effective_cost"].sum())


def test_concurrent_requests_compute_once(small_store, monkeypatch):
    calls = []

    @loader.cached
    def slow(x):
        calls.append(x)
        time.sleep(0.2)
        return x * 2

    threads = [threading.Thread(target=slow, args=(21,)) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert calls == [21] and slow(21) == 42


def test_without_workloads_the_problem_is_reported(small_store):
    assert "--workloads" in loader.workloads_problem()
    assert loader.workloads() == []


def test_a_broken_workloads_file_is_reported_with_its_message(small_store, tmp_path):
    bad = tmp_path / "workloads.toml"
    bad.write_text('[[workload]]\nname = "x"\n[workload.cost]\nshare = 7\n')
    loader.configure(small_store, bad)
    assert str(bad) in loader.workloads_problem()
    assert "[workload.load] is required" in loader.workloads_problem()


def test_load_tests_are_used_only_when_named(sample):
    # the sample keeps its load test in loadtest/ beside the workloads file: not picked up
    loader.configure(sample["store"], sample["workloads"])
    assert list(loader.loadtest_files()) == []
    loader.configure(sample["store"], sample["workloads"], sample["loadtests"])
    assert list(loader.loadtest_files()) == ["search-loadtest.csv"]
    configure(sample)


def test_the_dashboard_loads_a_named_scenario_file_and_says_which(sample):
    forecast = support.pages_for(sample)["forecast"]
    scenarios = sample["sample"] / "scenarios.toml"
    loader.configure(sample["store"], sample["workloads"], sample["loadtests"], scenarios)
    try:
        names = [s.name for s in loader.tco(WhatIf()).currency("USD").scenarios]
        assert names[0] == "baseline" and names[-1] == "what-if"
        assert "fix search scaling" in names and "1-year commitment" in names
        assert str(scenarios) in forecast.scenario_source()
        assert loader.inputs()["scenarios"] == str(scenarios)
    finally:
        configure(sample)
    assert "no scenario file named" in forecast.scenario_source()


def test_currencies_come_most_spend_first(sample):
    configure(sample)
    assert loader.currencies() == ["USD", "EUR"]


def test_a_store_the_tco_engine_refuses_gives_its_message(small_store, sample):
    loader.configure(small_store, sample["workloads"])
    with pytest.raises(loader.LoaderError, match="no workload has both cost and load"):
        loader.tco(WhatIf())


def _loader_imports() -> dict[str, set[str]]:
    """Module of ``dashboard/loader/`` -> the modules of it that it imports (anywhere in its
    body); importing a name from the package itself counts as importing ``__init__``."""
    root = Path(loader.__file__).parent
    names = {p.stem for p in root.glob("*.py")}
    graph: dict[str, set[str]] = {}
    for path in root.glob("*.py"):
        found = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith(
                "dashboard.loader"
            ):
                parts = node.module.split(".")[2:]
                if parts:
                    found.add(parts[0])
                else:
                    found.update(a.name if a.name in names else "__init__" for a in node.names)
            elif isinstance(node, ast.Import):
                found.update(a.name.split(".")[2] for a in node.names
                             if a.name.startswith("dashboard.loader."))  # fmt: skip
        graph[path.stem] = found - {path.stem}
    return graph


def test_the_loader_is_small_modules_without_import_cycles():
    graph = _loader_imports()
    assert {"errors", "caching", "config", "billing", "workload_results", "tco_runs"} <= set(graph)
    assert cycles(graph) == []
    assert cycles({**graph, "errors": {"caching"}, "caching": {"errors"}})  # the check bites
    root = Path(loader.__file__).parent
    assert all(len(p.read_text().splitlines()) <= 200 for p in root.glob("*.py"))
