"""``forecaster forecast-load`` and ``forecaster backtest`` from the command line."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np
import polars as pl
import pytest

from forecaster.cli import main
from forecaster.forecast.backtest import standard_windows
from tests.conftest import SHARED_DATA

PEYTON = SHARED_DATA / "traffic" / "wikipedia-peyton-manning-log-daily.csv"


@pytest.fixture
def hourly_csv(tmp_path: Path) -> Path:
    """Three weeks of requests per hour with a daily cycle."""
    t = np.arange(24 * 21)
    y = 100 + 30 * np.sin(2 * np.pi * t / 24) + np.random.default_rng(0).normal(0, 3, t.size)
    stamps = [datetime(2024, 3, 1) + timedelta(hours=int(i)) for i in t]
    path = tmp_path / "load.csv"
    pl.DataFrame({"timestamp": stamps, "value": y}).write_csv(path)
    return path


def test_forecast_load_writes_the_documented_columns_one_row_per_step(cli, hourly_csv, tmp_path):
    out = tmp_path / "fc.csv"
    code, stdout = cli("forecast-load", str(hourly_csv), "--horizon", "36", "--out", str(out))
    assert code == 0
    assert f"wrote 36 steps to {out}" in stdout
    frame = pl.read_csv(out, try_parse_dates=True)
    assert frame.columns == ["timestamp", "mean", "lo_80", "hi_80", "lo_95", "hi_95"]
    assert frame.height == 36
    assert frame["timestamp"][0].replace(tzinfo=None) == datetime(2024, 3, 22, 0, 0)
    assert (frame["lo_95"] <= frame["lo_80"]).all() and (frame["hi_80"] <= frame["hi_95"]).all()


def test_forecast_load_prints_csv_without_out(cli, hourly_csv):
    code, stdout = cli("forecast-load", str(hourly_csv), "--horizon", "3")
    lines = stdout.strip().splitlines()
    assert code == 0
    assert lines[0] == "timestamp,mean,lo_80,hi_80,lo_95,hi_95"
    assert lines[1].startswith("2024-03-22T00:00:00Z,")
    assert len(lines) == 4


def test_forecast_load_aggregates_to_the_grain_asked_for(cli, hourly_csv):
    code, stdout = cli("forecast-load", str(hourly_csv), "--horizon", "2", "--freq", "1d")
    assert code == 0
    rows = stdout.strip().splitlines()[1:]
    assert [r.split(",")[0] for r in rows] == ["2024-03-22T00:00:00Z", "2024-03-23T00:00:00Z"]
    assert 90 < float(rows[0].split(",")[1]) < 110  # the daily mean of the cycle


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--horizon", "0"], "--horizon 0: expected at least 1 step"),
        (["--horizon", "5", "--out", "x.txt"], "expected a .csv file name"),
    ],
)
def test_bad_arguments_exit_2_with_a_message(hourly_csv, capsys, args, message):
    assert main(["forecast-load", str(hourly_csv), *args]) == 2
    assert message in capsys.readouterr().err


def test_a_file_with_wrong_columns_is_named_in_the_error(tmp_path, capsys):
    path = tmp_path / "bad.csv"
    path.write_text("when,amount,region\n2024-01-01,1,eu\n")
    assert main(["forecast-load", str(path), "--horizon", "5"]) == 2
    err = capsys.readouterr().err
    assert str(path) in err and "expected columns 'timestamp,value'" in err


def test_backtest_json_reports_both_models_with_every_metric(cli_json, hourly_csv):
    doc = cli_json("backtest", str(hourly_csv), "--horizon", "24", "--windows", "3")
    assert doc["freq"] == "1h" and doc["horizon"] == 24 and doc["windows"] == 3
    assert doc["season_length"] == 24
    assert doc["start"] == "2024-03-01T00:00:00"
    for model in ("load", "seasonal_naive"):
        assert set(doc["models"][model]) == {
            "mase",
            "smape",
            "coverage_80",
            "coverage_95",
            "msis_95",
        }
    assert doc["models"]["load"]["mase"] < doc["models"]["seasonal_naive"]["mase"]


def test_backtest_table_has_a_row_per_model(cli, hourly_csv):
    code, stdout = cli("backtest", str(hourly_csv), "--horizon", "24", "--windows", "2")
    lines = stdout.splitlines()
    assert code == 0
    assert "1h grain, horizon 24 steps, 2 windows, seasonal naive lag 24" in lines[0]
    assert lines[1].split() == ["model", "mase", "smape", "coverage_80", "coverage_95", "msis_95"]
    assert [line.split()[0] for line in lines[2:]] == ["load", "seasonal_naive"]


def test_the_installed_command_forecasts_the_real_daily_trace(tmp_path):
    if not PEYTON.exists():
        pytest.fail(f"{PEYTON} is missing: the shared test data sits beside the checkout")
    out = tmp_path / "peyton.csv"
    done = subprocess.run(
        [str(Path(sys.executable).parent / "forecaster"), "forecast-load", str(PEYTON)]
        + ["--horizon", "30", "--out", str(out)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    frame = pl.read_csv(out)
    assert frame.height == 30
    assert frame["timestamp"][0] == "2016-01-21T00:00:00Z"
    assert 6.0 < frame["mean"].mean() < 10.0  # log page views, as in the file
    assert json.loads(json.dumps(frame.row(0)))  # plain values, no NaN


def test_backtest_defaults_to_the_benchmark_windows(cli_json, hourly_csv):
    doc = cli_json("backtest", str(hourly_csv), "--horizon", "24")
    assert doc["windows"] == standard_windows(doc["n"], "1h", 24)


def test_backtest_refuses_zero_windows(cli, hourly_csv, capsys):
    code, _ = cli("backtest", str(hourly_csv), "--horizon", "24", "--windows", "0")
    assert code != 0
    assert "--windows 0: expected at least 1 window" in capsys.readouterr().err


def test_forecast_load_says_when_it_fitted_since_a_regime_break(cli, tmp_path):
    """NAB ec2_network_in up to the first backtest origin: a twice-hourly transfer stopped
    on 2014-04-15 at about 16:40 UTC."""
    source = SHARED_DATA / "traffic" / "nab-ec2_network_in_257a54.csv"
    if not source.exists():
        pytest.fail(f"{source} is missing: the shared test data sits beside the checkout")
    head = tmp_path / "ec2_network_in.csv"
    pl.read_csv(source).head(2018).write_csv(head)
    code, stdout = cli(
        "forecast-load", str(head), "--horizon", "288", "--out", str(tmp_path / "f.csv")
    )
    assert code == 0
    assert "fitted since the regime break at 2014-04-15 16:" in stdout
