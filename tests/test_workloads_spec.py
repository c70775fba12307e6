"""The workloads TOML file: the documented format, the sample's file, and clear errors."""

from __future__ import annotations

import pytest

from forecaster.errors import InputError
from forecaster.sample import workloads_toml
from forecaster.workloads import (
    CloudWatchMetric,
    CostFilter,
    LoadDriver,
    Workload,
    default_workloads_path,
    load_workloads,
)

DOCUMENTED = """
# money is EffectiveCost in the billing currency
[[workload]]
name = "checkout-api"
description = "Checkout service"
currency = "USD"
[workload.cost]
providers = ["AWS"]
services = ["Amazon Elastic Compute Cloud"]
sub_accounts = ["111111111111"]
regions = ["us-east-1"]
tags = { team = "checkout" }
share = 1.0
[workload.load]
metric = "checkout.requests"
unit = "requests"
aggregation = "sum"
[workload.load.cloudwatch]
namespace = "AWS/ApplicationELB"
metric_name = "RequestCount"
dimensions = { LoadBalancer = "app/checkout/123" }
statistic = "Sum"
period = 300
"""


def write(tmp_path, text: str):
    path = tmp_path / "workloads.toml"
    path.write_text(text)
    return path


def test_the_documented_format_parses_to_exactly_what_it_says(tmp_path):
    (w,) = load_workloads(write(tmp_path, DOCUMENTED))
    assert w == Workload(
        name="checkout-api",
        description="Checkout service",
        currency="USD",
        cost=CostFilter(
            providers=("AWS",),
            services=("Amazon Elastic Compute Cloud",),
            sub_accounts=("111111111111",),
            regions=("us-east-1",),
            tags=(("team", "checkout"),),
            share=1.0,
        ),
        load=LoadDriver(
            metric="checkout.requests",
            unit="requests",
            aggregation="sum",
            cloudwatch=CloudWatchMetric(
                namespace="AWS/ApplicationELB",
                metric_name="RequestCount",
                dimensions=(("LoadBalancer", "app/checkout/123"),),
                statistic="Sum",
                period=300,
            ),
        ),
    )


def test_the_bundled_sample_ships_a_valid_workloads_file(tmp_path):
    workloads = load_workloads(write(tmp_path, workloads_toml()))
    assert [w.name for w in workloads] == [
        "checkout-api",
        "search",
        "reporting-batch",
        "media-cdn",
        "notifications",
    ]
    assert all(w.load.unit and w.cost.tags for w in workloads)


def test_optional_parts_have_documented_defaults(tmp_path):
    (w,) = load_workloads(
        write(tmp_path, '[[workload]]\nname = "a"\n[workload.load]\nmetric = "m"\n')
    )
    assert w.cost == CostFilter() and w.cost.share == 1.0
    assert w.load == LoadDriver(metric="m", aggregation="sum")
    assert w.currency is None


BAD = {
    "unknown key": ("[workload.cost]\nservice = ['x']\n", "unknown key(s) service"),
    "share zero": ("[workload.cost]\nshare = 0\n", "share: 0.0 is outside (0, 1]"),
    "share above one": ("[workload.cost]\nshare = 1.5\n", "outside (0, 1]"),
    "string instead of list": ("[workload.cost]\nservices = 'EC2'\n", "expected list"),
    "bad aggregation": ("", "aggregation: 'median'"),
    "bad statistic": (
        "[workload.load.cloudwatch]\nnamespace='N'\nmetric_name='M'\nstatistic='Total'\n",
        "'Total' is not a CloudWatch statistic",
    ),
    "bad period": (
        "[workload.load.cloudwatch]\nnamespace='N'\nmetric_name='M'\nperiod=90\n",
        "period: 90 s",
    ),
    "cloudwatch without namespace": (
        "[workload.load.cloudwatch]\nmetric_name='M'\n",
        "namespace is required",
    ),
}


@pytest.mark.parametrize("case", list(BAD), ids=list(BAD))
def test_malformed_workloads_name_the_file_workload_and_key(tmp_path, case):
    extra, expected = BAD[case]
    aggregation = "median" if case == "bad aggregation" else "sum"
    text = (
        f'[[workload]]\nname = "w1"\n[workload.load]\nmetric = "m"\naggregation = "{aggregation}"\n'
        + extra
    )
    path = write(tmp_path, text)
    with pytest.raises(InputError) as err:
        load_workloads(path)
    assert str(path) in str(err.value)
    assert "'w1'" in str(err.value)
    assert expected in str(err.value)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", "no [[workload]] tables"),
        ("[[workload]]\nname = 'a'\n", "[workload.load] is required"),
        ("[[workload]]\nname = 'a'\n[workload.load]\nunit = 'x'\n", "metric is required"),
        (
            "[[workload]]\nname='a'\n[workload.load]\nmetric='m'\n"
            "[[workload]]\nname='a'\n[workload.load]\nmetric='m'\n",
            "two workloads are named 'a'",
        ),
        ("[[workload]\nname = 'a'\n", "not valid TOML"),
    ],
)
def test_structural_errors_are_clear(tmp_path, text, expected):
    with pytest.raises(InputError, match=expected.replace("[", r"\[").replace("]", r"\]")):
        load_workloads(write(tmp_path, text))


def test_a_missing_file_is_an_input_error(tmp_path):
    with pytest.raises(InputError, match="no such workloads file"):
        load_workloads(tmp_path / "nope.toml")


def test_the_default_file_comes_from_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("FORECASTER_WORKLOADS", str(tmp_path / "mine.toml"))
    assert default_workloads_path() == tmp_path / "mine.toml"


def test_without_any_workloads_file_the_error_says_where_to_put_one(tmp_path, monkeypatch):
    monkeypatch.delenv("FORECASTER_WORKLOADS", raising=False)
    monkeypatch.chdir(tmp_path)
    with pytest.raises(InputError) as refused:
        load_workloads()
    from forecaster.cli.common import error_text

    assert "`workloads` FILE" in str(refused.value)  # the engine names its parameter
    assert "pass --workloads FILE, set $FORECASTER_WORKLOADS" in error_text(refused.value)


def test_a_workload_may_carry_latency_budgets():
    from forecaster.scaling.latency_budget import LatencyBudget
    from forecaster.workloads.spec import parse_workloads

    load = {"metric": "m", "unit": "u", "aggregation": "sum"}
    spec = {"workload": [{"name": "api", "latency_budgets": ["p95=300ms", "p99=1s"], "load": load},
                         {"name": "batch", "load": load}]}  # fmt: skip
    api, batch = parse_workloads(spec, "w.toml")
    assert api.latency_budgets == (LatencyBudget("p95", 300.0), LatencyBudget("p99", 1000.0))
    assert batch.latency_budgets == ()


@pytest.mark.parametrize(
    ("budgets", "message"),
    [(["p95=300"], r"w.toml: workload 'api'.latency_budgets: latency budget 'p95=300': expected"),
     (["p95=300ms", "p95=1s"], "two budgets for the same statistic"),
     ("p95=300ms", "expected list")],
)  # fmt: skip
def test_bad_latency_budgets_are_named(budgets, message):
    from forecaster.errors import InputError
    from forecaster.workloads.spec import parse_workloads

    load = {"metric": "m", "unit": "u", "aggregation": "sum"}
    with pytest.raises(InputError, match=message):
        parse_workloads({"workload": [{"name": "api", "latency_budgets": budgets, "load": load}]},
                        "w.toml")  # fmt: skip
