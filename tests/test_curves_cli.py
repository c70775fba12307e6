"""``forecaster curves --cost FILE --load FILE``: one workload from two timestamp,value CSVs."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import polars as pl
import pytest

from forecaster.curves import join_cost_load, read_series_csv
from tests.conftest import SHARED_DATA
from tests.test_curves_support import Truth, synth, write_series


@pytest.fixture
def files(tmp_path: Path) -> tuple[Path, Path]:
    load, cost, starts = synth(Truth(k=1.3, v=100 / 1000**1.3, noise=0.01, seed=1))
    cost[400] += 300.0
    write_series(tmp_path / "cost.csv", starts, cost)
    write_series(tmp_path / "load.csv", starts, load)
    return tmp_path / "cost.csv", tmp_path / "load.csv"


def test_json_output_has_one_workload_with_the_documented_fields(cli, files) -> None:
    code, out = cli("curves", "--cost", str(files[0]), "--load", str(files[1]), "--json")
    assert code == 0
    doc = json.loads(out)
    (w,) = doc["workloads"]
    assert w["name"] == "cost" and w["model"] == "power"
    assert w["exponent_ci"][0] > 1.0
    kinds = [f["kind"] for f in w["findings"]]
    assert kinds[:2] == ["idle_baseline", "scaling_excess"]
    assert any(
        f["kind"] == "anomaly" and f["period_start"].startswith("2025-02-04") for f in w["findings"]
    )
    for f in w["findings"]:
        assert isinstance(f["amount_per_month"], float) and f["detail"]


def test_text_output_names_the_model_and_findings(cli, files) -> None:
    code, out = cli("curves", "--cost", str(files[0]), "--load", str(files[1]), "--name", "search")
    assert code == 0
    assert out.startswith("search: power curve")
    assert "Scaling excess" in out and "per month" in out  # findings by their labels


def test_same_seed_gives_the_same_json(cli, files) -> None:
    args = ("curves", "--cost", str(files[0]), "--load", str(files[1]), "--json", "--seed", "4")
    assert cli(*args)[1] == cli(*args)[1]


def test_unfittable_workload_is_reported_with_model_null_and_reason(cli, tmp_path) -> None:
    starts = np.datetime64("2024-01-01") + np.arange(30).astype("timedelta64[D]")
    write_series(tmp_path / "c.csv", starts, np.full(30, 10.0))
    write_series(tmp_path / "l.csv", starts, np.full(30, 500.0))
    code, out = cli(
        "curves", "--cost", str(tmp_path / "c.csv"), "--load", str(tmp_path / "l.csv"), "--json"
    )
    assert code == 0
    (w,) = json.loads(out)["workloads"]
    assert w["model"] is None and w["reason"].startswith("load is constant")


def test_missing_files_option_is_an_error_with_exit_code_2(cli, files, capsys) -> None:
    code, _ = cli("curves", "--cost", str(files[0]))
    assert code == 2
    assert "curves needs both --cost FILE and --load FILE" in capsys.readouterr().err


def test_bad_timestamp_names_the_file_and_value(cli, files, tmp_path, capsys) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("timestamp,value\nyesterday,3\n")
    code, _ = cli("curves", "--cost", str(bad), "--load", str(files[1]))
    assert code == 2
    err = capsys.readouterr().err
    assert "bad.csv: column timestamp: 1 value(s) are not a timestamp" in err
    assert "first 'yesterday' on data row 1" in err


def test_bad_value_names_the_file_and_value(tmp_path) -> None:
    from forecaster.errors import InputError

    bad = tmp_path / "bad.csv"
    bad.write_text("timestamp,value\n2024-01-01,12\n2024-01-02,twelve\n")
    with pytest.raises(InputError, match="bad.csv: column value: 1 value.s. are not a number"):
        read_series_csv(bad)


def test_finer_load_is_summed_into_the_cost_periods(tmp_path) -> None:
    hours = np.datetime64("2024-01-01T00") + np.arange(72).astype("timedelta64[h]")
    stamps = [f"{h}:00:00Z" for h in hours.astype(str)]
    pl.DataFrame({"timestamp": stamps, "value": np.ones(72)}).write_csv(tmp_path / "l.csv")
    days = np.datetime64("2024-01-01") + np.arange(3).astype("timedelta64[D]")
    write_series(tmp_path / "c.csv", days, np.array([1.0, 2.0, 3.0]))
    frame, grain = join_cost_load(
        read_series_csv(tmp_path / "c.csv"), read_series_csv(tmp_path / "l.csv")
    )
    assert grain == "day"
    assert frame["load"].to_list() == [24.0, 24.0, 24.0]
    assert str(frame.schema["period_start"]) == "Datetime(time_unit='us', time_zone='UTC')"


def test_real_cloudwatch_request_counts_as_load(cli, tmp_path) -> None:
    """Real ELB RequestCount (NAB, 5-minute points) summed per hour drives a synthetic hourly
    cost of 0.40 USD per hour plus 0.002 USD per request; the CLI recovers both."""
    src = SHARED_DATA / "traffic" / "nab-elb_request_count_8c0756.csv"
    if not src.is_file():
        pytest.fail(f"{src} is missing: the shared test data sits beside the checkout")
    load = read_series_csv(src)
    hourly = (
        load.group_by(pl.col("timestamp").dt.truncate("1h"))
        .agg(pl.col("value").sum())
        .sort("timestamp")
    )
    rng = np.random.default_rng(0)
    cost = 0.40 + 0.002 * hourly["value"].to_numpy() + rng.normal(0, 0.02, hourly.height)
    pl.DataFrame(
        {"timestamp": hourly["timestamp"].dt.strftime("%Y-%m-%dT%H:%M:%SZ"), "value": cost}
    ).write_csv(tmp_path / "cost.csv")
    code, out = cli("curves", "--cost", str(tmp_path / "cost.csv"), "--load", str(src), "--json")
    assert code == 0
    (w,) = json.loads(out)["workloads"]
    assert w["grain"] == "hour" and w["model"] == "linear"
    assert w["fixed_cost_per_day"] == pytest.approx(0.40 * 24, rel=0.1)
    assert w["marginal_cost"] == pytest.approx(0.002, rel=0.02)
