"""``forecaster workloads suggest``: workloads proposed from the bill, each with the load
metric whose daily moves follow its cost, written as a TOML the workloads reader accepts."""

from __future__ import annotations

import tomllib

import polars as pl
import pytest

from forecaster.workloads import load_workloads, parse_workloads, workload_series
from forecaster.workloads.suggest import suggest_workloads, suggestion_toml


def test_on_the_sample_each_team_gets_its_own_workloads_metric(sample_data):
    sample, store = sample_data
    truth = {w.cost.tags[0][1]: w.load.metric for w in load_workloads(sample / "workloads.toml")}
    got = suggest_workloads(store, "tag:team", top=5)
    assert {s.tags["team"]: s.driver.metric for s in got} == truth
    assert all(not s.driver.proxy and s.driver.score >= 0.5 for s in got)


def test_the_written_toml_is_a_valid_workloads_file_claiming_the_suggested_cost(
    sample_data, tmp_path, cli
):
    _, store = sample_data
    out = tmp_path / "workloads.toml"
    code, text = cli("workloads", "suggest", "--by", "tag:team", "--store", str(store),
                     "--out", str(out))  # fmt: skip
    assert code == 0 and "wrote" in text
    workloads = parse_workloads(tomllib.loads(out.read_text()), str(out))
    series = workload_series(store, workloads, "day")
    suggested = {s.name: s.cost for s in suggest_workloads(store, "tag:team", top=5)}
    for name, cost in suggested.items():
        claimed = series.filter(pl.col("workload") == name)["cost"].sum()
        assert round(claimed, 2) == round(cost, 2), name
    code, _ = cli("workloads", "--workloads", str(out), "--store", str(store), "--limit", "1")
    assert code == 0


def test_a_bill_without_traffic_gets_usage_quantities_as_labelled_proxies(
    real_bills_store, tmp_path, cli
):
    out = tmp_path / "w.toml"
    code, _ = cli("workloads", "suggest", "--by", "service", "--store", str(real_bills_store),
                  "--out", str(out))  # fmt: skip
    assert code == 0
    text = out.read_text()
    assert "# PROXY: the bill's own usage quantity" in text
    parse_workloads(tomllib.loads(text), str(out))
    proxies = [s for s in suggest_workloads(real_bills_store, "service") if s.driver.proxy]
    assert proxies and all((tmp_path / f"{s.driver.metric}.csv").exists() for s in proxies)


def test_a_tag_nobody_uses_is_a_clear_error(real_bills_store, cli):
    code, _ = cli("workloads", "suggest", "--by", "tag:no-such-key", "--store",
                  str(real_bills_store))  # fmt: skip
    assert code == 2


def test_toml_strings_are_escaped():
    from forecaster.workloads.suggest import Suggestion

    s = Suggestion(name="x", currency="USD", label='a"b', providers=['p"q'], services=["s\\n"])
    text = suggestion_toml([s], "service", "store")
    (w,) = parse_workloads(tomllib.loads(text), "t")
    assert w.cost.providers == ('p"q',) and w.cost.services == ("s\\n",)


@pytest.mark.parametrize("by", ["account", "service"])
def test_other_keys_work_on_the_sample(sample_data, by):
    _, store = sample_data
    got = suggest_workloads(store, by, top=3)
    assert len(got) == 3 and all(s.driver is not None for s in got)
