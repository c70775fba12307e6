"""The bundled sample is deterministic, complete and ingests cleanly."""

from __future__ import annotations

import hashlib
import tomllib

import pytest

from forecaster.sample import truth, write_sample
from forecaster.store import BillingStore


def _digest(folder):
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    out = tmp_path_factory.mktemp("sample")
    write_sample(out / "a", out / "store")
    return out


def test_the_same_sample_twice_is_byte_identical(sample, tmp_path):
    write_sample(tmp_path / "b")
    assert _digest(sample / "a") == _digest(tmp_path / "b")


def test_it_holds_24_closed_months_in_two_currencies(sample):
    parts = BillingStore(sample / "store").partitions()
    assert len(parts) == 24
    assert {p["status"] for p in parts} == {"closed"}
    assert {c for p in parts for c in p["totals"]} == {"USD", "EUR"}


def test_it_has_several_providers_and_every_charge_category_it_documents(sample):
    charges = BillingStore(sample / "store").scan().collect()
    assert set(charges["ProviderName"].unique()) == {"AWS", "Microsoft", "Google Cloud"}
    assert {"Usage", "Tax", "Credit"} <= set(charges["ChargeCategory"].unique())


def test_the_workloads_file_names_every_workload_and_metric(sample):
    spec = tomllib.loads((sample / "a" / "workloads.toml").read_text())
    names = [w["name"] for w in spec["workload"]]
    assert names == [w.name for w in truth.WORKLOADS]
    assert {w["load"]["metric"] for w in spec["workload"]} == {w.metric for w in truth.WORKLOADS}


def test_it_ships_a_load_test_and_hourly_traffic(sample):
    loadtest = (sample / "a" / "loadtest" / "search-loadtest.csv").read_text().splitlines()
    assert loadtest[0] == (
        "users,throughput,latency_mean_ms,latency_p50_ms,latency_p95_ms,latency_p99_ms"
    )
    assert len(loadtest) > 8
    metrics = (sample / "a" / "traffic" / "metrics.csv").read_text().splitlines()
    assert metrics[0] == "timestamp,metric,value,unit"
    assert len(metrics) > 4 * 24 * 365


def test_the_load_tests_latency_follows_its_documented_truth(sample):
    """Mean by Little's law on the USL truth (think time 50 ms), p95 about 2.01 times it,
    and the search workload carries the p95 budget the sample documents."""
    import numpy as np
    import polars as pl

    test = pl.read_csv(sample / "a" / "loadtest" / "search-loadtest.csv")
    n = test["users"].to_numpy().astype(float)
    g, s, k = (truth.LOADTEST[c] for c in ("gamma", "sigma", "kappa"))
    mean = 1000 * (1 + s * (n - 1) + k * n * (n - 1)) / g - truth.LATENCY["think_ms"]
    np.testing.assert_allclose(test["latency_mean_ms"].to_numpy(), mean, rtol=0.1)
    ratio = truth.LATENCY_RATIOS["p95"]
    np.testing.assert_allclose(test["latency_p95_ms"].to_numpy(), ratio * mean, rtol=0.1)
    spec = tomllib.loads((sample / "a" / "workloads.toml").read_text())
    budgets = {w["name"]: w.get("latency_budgets") for w in spec["workload"]}
    assert budgets["search"] == [truth.LATENCY_BUDGET]
    assert sum(b is not None for b in budgets.values()) == 1
