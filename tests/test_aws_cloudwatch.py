"""CloudWatch GetMetricData against a real moto server over HTTP: periods vs retention,
pages through NextToken, PartialData, and the ``ingest cloudwatch`` command."""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import UTC, datetime, timedelta

import polars as pl
import pytest

from forecaster.aws.cloudwatch import choose_period, ingest_cloudwatch, plan
from forecaster.cli import main
from forecaster.errors import InputError
from forecaster.load import read_load
from forecaster.workloads import CloudWatchMetric, CostFilter, LoadDriver, Workload
from tests.aws_server import page_metric_data

NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
DAY = timedelta(days=1)


@pytest.mark.parametrize(
    ("age", "period", "expected"),
    [
        (timedelta(hours=2), None, 60),
        (timedelta(hours=2), 10, 10),
        (10 * DAY, None, 60),
        (10 * DAY, 120, 120),
        (20 * DAY, None, 300),
        (20 * DAY, 900, 900),
        (100 * DAY, None, 3600),
        (100 * DAY, 86400, 86400),
    ],
)
def test_the_period_fits_cloudwatch_retention(age, period, expected):
    assert choose_period(period, NOW - age, NOW, "w") == expected


@pytest.mark.parametrize(
    ("age", "period", "message"),
    [
        (20 * DAY, 60, "multiple of 300 s"),
        (70 * DAY, 300, "multiple of 3600 s"),
        (10 * DAY, 10, "multiple of 60 s"),
        (500 * DAY, None, "older than 455 days"),
    ],
)
def test_a_period_cloudwatch_no_longer_has_is_refused_with_the_retention_rule(age, period, message):
    with pytest.raises(InputError, match=message) as err:
        choose_period(period, NOW - age, NOW, "workload 'w'")
    if period:
        assert "60 s data points for 15 days, 300 s for 63 days" in str(err.value)


def workload(name, metric, lb, period=300, statistic="Sum") -> Workload:
    return Workload(
        name=name,
        cost=CostFilter(),
        load=LoadDriver(
            metric=metric,
            unit="requests",
            cloudwatch=CloudWatchMetric(
                namespace="AWS/ApplicationELB",
                metric_name="RequestCount",
                dimensions=(("LoadBalancer", lb),),
                statistic=statistic,
                period=period,
            ),
        ),
    )


def test_plan_needs_at_least_one_cloudwatch_metric():
    bare = Workload("w", CostFilter(), LoadDriver(metric="m"))
    with pytest.raises(InputError, match=r"add a \[workload.load.cloudwatch\] table"):
        plan([bare], NOW - DAY, NOW, NOW)


def test_plan_pulls_a_metric_shared_by_workloads_once():
    pulls = plan([workload("a", "m", "lb1"), workload("b", "m", "lb1")], NOW - DAY, NOW, NOW)
    assert len(pulls) == 1 and pulls[0].workloads == ("a", "b")


def test_plan_refuses_one_series_from_two_definitions():
    with pytest.raises(InputError, match="give it its own metric name"):
        plan(
            [workload("a", "m", "lb1"), workload("b", "m", "lb1", statistic="Maximum")],
            NOW - DAY,
            NOW,
            NOW,
        )


@pytest.fixture
def metrics(moto_client):
    """Two load balancers' RequestCount, one sample every 2 minutes over the last day."""
    now = datetime.now(UTC).replace(second=0, microsecond=0)
    start = (now - DAY).replace(minute=0)
    cw = moto_client("cloudwatch")
    expected: dict[str, dict[datetime, float]] = {}
    for lb, scale in (("app/checkout/1", 1.0), ("app/search/2", 3.0)):
        points = [(start + timedelta(minutes=2 * i), scale * (i % 17)) for i in range(720)]
        for i in range(0, len(points), 500):
            cw.put_metric_data(
                Namespace="AWS/ApplicationELB",
                MetricData=[
                    {
                        "MetricName": "RequestCount",
                        "Dimensions": [{"Name": "LoadBalancer", "Value": lb}],
                        "Timestamp": ts,
                        "Value": value,
                        "Unit": "Count",
                    }
                    for ts, value in points[i : i + 500]
                ],
            )
        sums: dict[datetime, float] = defaultdict(float)
        for ts, value in points:
            sums[ts.replace(minute=ts.minute - ts.minute % 5)] += value
        expected[lb] = dict(sums)
    return start, start + DAY, expected


def stored_series(store) -> dict[str, dict[datetime, float]]:
    df = read_load(store).collect()
    out: dict[str, dict[datetime, float]] = {}
    for dims, part in df.partition_by("dimensions", as_dict=True).items():
        lb = json.loads(dims[0])["LoadBalancer"]
        out[lb] = dict(zip(part["timestamp"], part["value"], strict=True))
    return out


def test_metrics_are_read_back_across_pages(aws_env, metrics, tmp_path):
    start, end, expected = metrics
    aws_env.rules.append(page_metric_data)
    workloads = [
        workload("checkout", "checkout.requests", "app/checkout/1"),
        workload("search", "search.requests", "app/search/2"),
    ]
    report = ingest_cloudwatch(workloads, tmp_path / "s", start, end, max_datapoints=50)
    pages = aws_env.count("GetMetricData")
    assert pages == report.requests and pages >= 288 // 50
    assert stored_series(tmp_path / "s") == expected
    df = read_load(tmp_path / "s").collect()
    assert set(df["source"]) == {"cloudwatch"} and set(df["unit"]) == {"requests"}
    assert sorted(set(df["metric"])) == ["checkout.requests", "search.requests"]


def test_pulling_the_same_window_again_changes_nothing(aws_env, metrics, tmp_path):
    start, end, _ = metrics
    workloads = [workload("checkout", "checkout.requests", "app/checkout/1")]
    ingest_cloudwatch(workloads, tmp_path / "s", start, end)
    again = ingest_cloudwatch(workloads, tmp_path / "s", start, end)
    assert {p.action for p in again.load.partitions} == {"unchanged"}


def test_partial_data_without_a_next_page_is_fetched_again_in_halves(aws_env, metrics, tmp_path):
    start, end, expected = metrics

    def partial_when_wide(req, forward):
        if req.operation != "GetMetricData":
            return None
        params = req.json()
        if params["EndTime"] - params["StartTime"] <= 6 * 3600:
            return None
        status, headers, body = forward(req)
        doc = json.loads(body)
        for result in doc["MetricDataResults"]:
            half = len(result["Timestamps"]) // 2
            result["Timestamps"], result["Values"] = (
                result["Timestamps"][:half],
                result["Values"][:half],
            )
            result["StatusCode"] = "PartialData"
        return status, headers, json.dumps(doc).encode()

    aws_env.rules.append(partial_when_wide)
    workloads = [workload("checkout", "checkout.requests", "app/checkout/1")]
    report = ingest_cloudwatch(workloads, tmp_path / "s", start, end)
    assert report.requests > 1
    assert stored_series(tmp_path / "s") == {"app/checkout/1": expected["app/checkout/1"]}


def test_a_forbidden_metric_names_the_metric_and_stores_nothing(aws_env, metrics, tmp_path):
    start, end, _ = metrics

    def forbidden(req, forward):
        if req.operation != "GetMetricData":
            return None
        status, headers, body = forward(req)
        doc = json.loads(body)
        doc["MetricDataResults"][0]["StatusCode"] = "Forbidden"
        return status, headers, json.dumps(doc).encode()

    aws_env.rules.append(forbidden)
    with pytest.raises(Exception, match="RequestCount .*Forbidden.*cloudwatch:GetMetricData"):
        ingest_cloudwatch(
            [workload("c", "c.requests", "app/checkout/1")], tmp_path / "s", start, end
        )
    assert read_load(tmp_path / "s").collect().is_empty()


def test_the_ingest_cloudwatch_command_pulls_what_the_workloads_file_names(
    aws_env, metrics, tmp_path, capsys
):
    start, end, expected = metrics
    wl = tmp_path / "workloads.toml"
    wl.write_text(
        '[[workload]]\nname = "checkout"\n[workload.load]\nmetric = "checkout.requests"\n'
        'unit = "requests"\n[workload.load.cloudwatch]\nnamespace = "AWS/ApplicationELB"\n'
        'metric_name = "RequestCount"\ndimensions = { LoadBalancer = "app/checkout/1" }\n'
        'statistic = "Sum"\nperiod = 300\n'
    )
    code = main(
        [
            "ingest",
            "cloudwatch",
            "--workloads",
            str(wl),
            "--store",
            str(tmp_path / "s"),
            "--start",
            start.strftime("%Y-%m-%dT%H:%M"),
            "--end",
            end.strftime("%Y-%m-%dT%H:%M"),
        ]
    )
    out = capsys.readouterr().out
    assert code == 0, out
    assert "checkout.requests" in out and "1 GetMetricData request(s)" in out
    assert stored_series(tmp_path / "s") == {"app/checkout/1": expected["app/checkout/1"]}
    series = read_load(tmp_path / "s").filter(pl.col("metric") == "checkout.requests").collect()
    assert series.height == 288
