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
    assert loadtest[0] == "load,throughput" and len(loadtest) > 8
    metrics = (sample / "a" / "traffic" / "metrics.csv").read_text().splitlines()
    assert metrics[0] == "timestamp,metric,value,unit"
    assert len(metrics) > 4 * 24 * 365
