"""``forecaster workloads`` on the bundled sample: text and JSON."""

from __future__ import annotations

import json

import pytest

from forecaster.cli import main
from forecaster.sample import write_sample


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    root = tmp_path_factory.mktemp("sample")
    write_sample(root / "out", root / "store")
    return root / "out" / "workloads.toml", root / "store"


def run_json(capsys, *argv) -> dict:
    assert main(["workloads", *argv, "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_text_output_shows_each_workload_coverage_and_unclaimed_cost(sample, capsys):
    workloads, store = sample
    code = main(
        ["workloads", "--workloads", str(workloads), "--store", str(store), "--grain", "month"]
    )
    out = capsys.readouterr().out
    assert code == 0
    for name in ("checkout-api", "search", "reporting-batch", "media-cdn", "notifications"):
        assert name in out
    assert "coverage: 24 period(s), 24 with cost and load, 0 cost only, 0 load only" in out
    assert "cost no workload claims" in out


def test_every_sample_workload_has_cost_and_load_every_day(sample, capsys):
    workloads, store = sample
    doc = run_json(capsys, "--workloads", str(workloads), "--store", str(store))
    assert doc["grain"] == "day"
    for w in doc["workloads"]:
        assert w["coverage"]["both"] == w["coverage"]["periods"] == 730, w["name"]
        assert w["series"][0]["load_unit"] == w["load"]["unit"]


def test_monthly_sums_equal_daily_sums(sample, capsys):
    workloads, store = sample
    base = ["--workloads", str(workloads), "--store", str(store)]
    daily = run_json(capsys, *base, "--grain", "day")
    monthly = run_json(capsys, *base, "--grain", "month")
    for d, m in zip(daily["workloads"], monthly["workloads"], strict=True):
        for key in ("cost", "load"):
            total_d = sum(r[key] for r in d["series"])
            total_m = sum(r[key] for r in m["series"])
            assert total_m == pytest.approx(total_d, rel=1e-9), (d["name"], key)


def test_unclaimed_plus_claimed_is_the_total_for_every_month(sample, capsys):
    workloads, store = sample
    doc = run_json(capsys, "--workloads", str(workloads), "--store", str(store), "--grain", "month")
    assert len(doc["unclaimed"]) == 48  # 24 months x (USD, EUR)
    for r in doc["unclaimed"]:
        assert r["claimed_cost"] + r["unclaimed_cost"] == pytest.approx(r["total_cost"])


def test_a_bad_workloads_file_exits_2_with_the_reason(tmp_path, capsys):
    bad = tmp_path / "w.toml"
    bad.write_text("[[workload]]\nname = 'a'\n")
    assert main(["workloads", "--workloads", str(bad), "--store", str(tmp_path)]) == 2
    assert "error:" in capsys.readouterr().err
