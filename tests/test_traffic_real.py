"""The real CloudWatch (NAB) and Wikipedia traces in ../shared/data/traffic load, and hour and
day sums equal the source sums computed independently with the csv module."""

from __future__ import annotations

import csv
from collections import defaultdict
from datetime import datetime
from pathlib import Path

import polars as pl
import pytest

from forecaster.load import ingest_traffic, read_load, resample

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "traffic"
TRACES = [
    "nab-elb_request_count_8c0756.csv",
    "nab-ec2_cpu_utilization_5f5533.csv",
    "nab-ec2_network_in_257a54.csv",
    "nab-rds_cpu_utilization_e47b3b.csv",
    "nab-nyc_taxi.csv",
    "nab-cpu_utilization_asg_misconfiguration.csv",
    "wikipedia-peyton-manning-log-daily.csv",
]


def source_sums(path: Path) -> tuple[int, dict[str, float], dict[str, float]]:
    """(rows, sum per hour, sum per day) keyed by ISO text, read without polars."""
    hours: dict[str, float] = defaultdict(float)
    days: dict[str, float] = defaultdict(float)
    rows = 0
    with open(path, newline="") as fh:
        for ts_text, value_text in csv.reader(fh):
            if ts_text in ("timestamp", "ds"):
                continue
            ts = datetime.fromisoformat(ts_text)
            rows += 1
            hours[ts.strftime("%Y-%m-%dT%H")] += float(value_text)
            days[ts.strftime("%Y-%m-%d")] += float(value_text)
    return rows, hours, days


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    if not DATA.is_dir():
        pytest.fail(f"{DATA} is missing: the shared test data sits beside the checkout")
    root = tmp_path_factory.mktemp("real")
    for name in TRACES:
        ingest_traffic([DATA / name], root, metric=name.removesuffix(".csv"), unit="count")
    return root


@pytest.mark.parametrize("name", TRACES)
@pytest.mark.parametrize("grain", ["hour", "day"])
def test_resampled_sums_equal_the_source_sums(store, name, grain):
    rows, hours, days = source_sums(DATA / name)
    expected = hours if grain == "hour" else days
    metric = name.removesuffix(".csv")
    loaded = read_load(store).filter(pl.col("metric") == metric)
    assert loaded.select(pl.len()).collect().item() == rows
    out = resample(loaded, grain, "sum").collect()
    fmt = "%Y-%m-%dT%H" if grain == "hour" else "%Y-%m-%d"
    got = dict(zip(out["period_start"].dt.strftime(fmt), out["value"], strict=True))
    assert got.keys() == expected.keys()
    for key, value in expected.items():
        assert got[key] == pytest.approx(value, rel=1e-12, abs=1e-9), key


def test_the_elb_trace_is_five_minute_data(store):
    report = ingest_traffic(
        [DATA / "nab-elb_request_count_8c0756.csv"], store, metric="elb", unit="requests"
    )
    assert report.files[0]["resolution_s"] == 300
