"""The dashboard's data loader: cached while the store stands still, fresh after an ingest,
one computation for concurrent requests, problems reported instead of raised."""

from __future__ import annotations

import threading
import time

import pytest

from dashboard import data
from forecaster.ingest import ingest_billing
from forecaster.views.forecast import WhatIf
from tests import dashboard_support as support
from tests.dashboard_support import configure, write_evil_billing


@pytest.fixture(scope="session")
def sample(tmp_path_factory):
    return support.session_sample(tmp_path_factory)


@pytest.fixture
def small_store(tmp_path, sample):
    """A store with one tiny billing file; the loader points at it for the test only."""
    store = tmp_path / "store"
    ingest_billing([write_evil_billing(tmp_path / "one.csv")], store, source="one")
    data.configure(store, None)
    yield store
    configure(sample)


def test_reads_are_cached_until_the_store_changes(small_store, tmp_path):
    first = data.spend(None)
    assert data.spend(None) is first
    extra = tmp_path / "more" / "focus.csv"
    write_evil_billing(extra)
    time.sleep(0.01)  # a distinct catalog modification time
    ingest_billing([extra], small_store, source="two")
    again = data.spend(None)
    assert again is not first
    assert again["effective_cost"].sum() == pytest.approx(2 * first["effective_cost"].sum())


def test_concurrent_requests_compute_once(small_store, monkeypatch):
    calls = []

    @data.cached
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
    assert "--workloads" in data.workloads_problem()
    assert data.workloads() == []


def test_a_broken_workloads_file_is_reported_with_its_message(small_store, tmp_path):
    bad = tmp_path / "workloads.toml"
    bad.write_text('[[workload]]\nname = "x"\n[workload.cost]\nshare = 7\n')
    data.configure(small_store, bad)
    assert str(bad) in data.workloads_problem()
    assert "[workload.load] is required" in data.workloads_problem()


def test_load_tests_are_used_only_when_named(sample):
    # the sample keeps its load test in loadtest/ beside the workloads file: not picked up
    data.configure(sample["store"], sample["workloads"])
    assert list(data.loadtest_files()) == []
    data.configure(sample["store"], sample["workloads"], sample["loadtests"])
    assert list(data.loadtest_files()) == ["search-loadtest.csv"]
    configure(sample)


def test_the_dashboard_loads_a_named_scenario_file_and_says_which(sample):
    forecast = support.pages_for(sample)["forecast"]
    scenarios = sample["sample"] / "scenarios.toml"
    data.configure(sample["store"], sample["workloads"], sample["loadtests"], scenarios)
    try:
        doc = data.tco(WhatIf())
        usd = next(c for c in doc["currencies"] if c["currency"] == "USD")
        names = [s["name"] for s in usd["scenarios"]]
        assert names[0] == "baseline" and names[-1] == "what-if"
        assert "fix search scaling" in names and "1-year commitment" in names
        assert str(scenarios) in forecast.scenario_source()
        assert data.inputs()["scenarios"] == str(scenarios)
    finally:
        configure(sample)
    assert "no scenario file named" in forecast.scenario_source()


def test_currencies_come_most_spend_first(sample):
    configure(sample)
    assert data.currencies() == ["USD", "EUR"]


def test_a_store_the_tco_engine_refuses_gives_its_message(small_store, sample):
    data.configure(small_store, sample["workloads"])
    doc = data.tco(WhatIf())
    assert doc["currencies"] == [] and "no workload has both cost and load" in doc["error"]
