"""Cost Explorer against a real moto server over HTTP: results seeded through moto's API,
read back across pages, mapped to FOCUS columns, estimated months open, requests counted and
cached."""

from __future__ import annotations

from datetime import UTC, date, datetime

import polars as pl
import pytest

from forecaster import columns as C
from forecaster.aws.cost_explorer import ingest_cost_explorer, parse_group_by, plan
from forecaster.cli import main
from forecaster.errors import InputError
from forecaster.store import BillingStore, read_charges
from tests.conftest_aws import CE_JANUARY_2024

NOW = datetime(2024, 3, 15, tzinfo=UTC)
SERVICES = ("Amazon Elastic Compute Cloud - Compute", "Amazon Simple Storage Service")
ACCOUNTS = ("111111111111", "222222222222")


def money(amount: float) -> dict:
    return {"Amount": f"{amount:.10f}", "Unit": "USD"}


def day_result(day: str, end: str, estimated: bool = False, scale: float = 1.0) -> dict:
    d = int(day[-2:])
    groups = [
        {
            "Keys": [service, account],
            "Metrics": {
                "UnblendedCost": money(scale * (d + i + 0.1234567891)),
                "AmortizedCost": money(scale * (d + i + 0.5)),
                "NetAmortizedCost": money(scale * (d + i) * 0.9),
            },
        }
        for i, (service, account) in enumerate([(s, a) for s in SERVICES for a in ACCOUNTS])
    ]
    return {
        "TimePeriod": {"Start": day, "End": end},
        "Total": {},
        "Groups": groups,
        "Estimated": estimated,
    }


def january(first: int, last: int) -> list[dict]:
    return [
        day_result(f"2024-01-{d:02d}", f"2024-01-{d + 1:02d}" if d < 31 else "2024-02-01")
        for d in range(first, last + 1)
    ]


ATTRIBUTES = [{"Value": "111111111111", "Attributes": {"description": "production"}}]


def expected_totals(results: list[dict]) -> tuple[float, float]:
    billed = sum(
        float(g["Metrics"]["UnblendedCost"]["Amount"]) for r in results for g in r["Groups"]
    )
    net = sum(
        float(g["Metrics"]["NetAmortizedCost"]["Amount"]) for r in results for g in r["Groups"]
    )
    return billed, net


def test_group_by_accepts_dimensions_and_tags():
    assert parse_group_by("SERVICE,TAG:team") == [
        {"Type": "DIMENSION", "Key": "SERVICE"},
        {"Type": "TAG", "Key": "team"},
    ]
    with pytest.raises(InputError, match="at most two"):
        parse_group_by("SERVICE,REGION,LINKED_ACCOUNT")
    with pytest.raises(InputError, match="'AZ'"):
        parse_group_by("AZ")


def test_the_plan_widens_to_whole_months_and_counts_requests():
    p = plan(date(2024, 1, 15), date(2024, 2, 10), "DAILY", [], None, date(2024, 3, 15))
    assert (p.start, p.end, p.months, p.requests) == (
        date(2024, 1, 1),
        date(2024, 3, 1),
        ["2024-01", "2024-02"],
        1,
    )
    assert "1 request(s) at USD 0.01 each" in p.describe()
    current = plan(date(2024, 3, 1), date(2024, 4, 1), "DAILY", [], None, date(2024, 3, 15))
    assert current.end == date(2024, 3, 16)  # nothing after tomorrow


def test_results_are_read_back_across_pages_and_stored_as_focus(
    aws_env, seed_cost_explorer, tmp_path
):
    page1, page2 = january(1, 15), january(16, 31)
    seed_cost_explorer(
        [
            {
                "ResultsByTime": page1,
                "DimensionValueAttributes": ATTRIBUTES,
                "NextPageToken": "page-2",
            },
            {"ResultsByTime": page2, "DimensionValueAttributes": ATTRIBUTES},
        ]
    )
    report = ingest_cost_explorer(tmp_path / "s", date(2024, 1, 1), date(2024, 2, 1), now=NOW)
    assert report.requests == 2 == aws_env.count("GetCostAndUsage")
    charges = read_charges(tmp_path / "s").collect()
    assert charges.height == 31 * 4
    billed, net = expected_totals(page1 + page2)
    assert charges[C.BILLED_COST].sum() == pytest.approx(billed, abs=1e-6)
    assert charges[C.EFFECTIVE_COST].sum() == pytest.approx(net, abs=1e-6)
    assert set(charges[C.X_SOURCE]) == {"cost-explorer"}
    assert set(charges[C.SERVICE_NAME]) == set(SERVICES)
    assert set(charges[C.SUB_ACCOUNT_ID]) == set(ACCOUNTS)
    named = charges.filter(pl.col(C.SUB_ACCOUNT_ID) == "111111111111")[C.SUB_ACCOUNT_NAME]
    assert set(named) == {"production"}
    first = charges.sort(C.CHARGE_PERIOD_START).row(0, named=True)
    assert first[C.CHARGE_PERIOD_START] == datetime(2024, 1, 1, tzinfo=UTC)
    assert first[C.CHARGE_PERIOD_END] == datetime(2024, 1, 2, tzinfo=UTC)
    assert first[C.BILLING_PERIOD_START] == datetime(2024, 1, 1, tzinfo=UTC)
    (part,) = BillingStore(tmp_path / "s").partitions()
    assert (part["source"], part["billing_period"], part["status"]) == (
        "cost-explorer",
        "2024-01",
        "closed",
    )
    assert report.months[0]["amortized_cost"] == pytest.approx(
        sum(
            float(g["Metrics"]["AmortizedCost"]["Amount"])
            for r in page1 + page2
            for g in r["Groups"]
        )
    )


def test_final_months_come_from_the_cache_the_second_time(aws_env, seed_cost_explorer, tmp_path):
    seed_cost_explorer([{"ResultsByTime": january(1, 31), "DimensionValueAttributes": []}])
    ingest_cost_explorer(tmp_path / "s", date(2024, 1, 1), date(2024, 2, 1), now=NOW)
    again = ingest_cost_explorer(tmp_path / "s", date(2024, 1, 1), date(2024, 2, 1), now=NOW)
    assert again.plan.cached == ["2024-01"] and again.requests == 0
    assert aws_env.count("GetCostAndUsage") == 1
    assert {p.action for p in again.billing.periods} == {"unchanged"}


def test_an_estimated_month_is_stored_open_and_asked_for_again(
    aws_env, seed_cost_explorer, tmp_path
):
    march = [day_result("2024-03-01", "2024-03-02", estimated=True)]
    seed_cost_explorer([{"ResultsByTime": march, "DimensionValueAttributes": []}])
    report = ingest_cost_explorer(
        tmp_path / "s", date(2024, 3, 1), date(2024, 3, 2), now=datetime(2024, 4, 20, tzinfo=UTC)
    )
    assert report.months[0]["estimated"] is True
    assert report.billing.periods[0].status == "open"
    again = ingest_cost_explorer(
        tmp_path / "s",
        date(2024, 3, 1),
        date(2024, 3, 2),
        now=datetime(2024, 4, 20, tzinfo=UTC),
        dry_run=True,
    )
    assert again.plan.cached == [] and again.plan.requests == 1


def test_dry_run_makes_no_request(aws_env, tmp_path):
    report = ingest_cost_explorer(
        tmp_path / "s", date(2023, 11, 1), date(2024, 2, 1), now=NOW, dry_run=True
    )
    assert report.plan.requests == 1 and report.plan.months == ["2023-11", "2023-12", "2024-01"]
    assert aws_env.count("GetCostAndUsage") == 0


def test_tag_groups_become_tags_a_workload_can_filter_on(aws_env, seed_cost_explorer, tmp_path):
    result = {
        "TimePeriod": {"Start": "2024-01-01", "End": "2024-02-01"},
        "Total": {},
        "Groups": [
            {
                "Keys": ["team$checkout"],
                "Metrics": {
                    m: money(5) for m in ("UnblendedCost", "AmortizedCost", "NetAmortizedCost")
                },
            },
            {
                "Keys": ["team$"],
                "Metrics": {
                    m: money(2) for m in ("UnblendedCost", "AmortizedCost", "NetAmortizedCost")
                },
            },
        ],
        "Estimated": False,
    }
    seed_cost_explorer([{"ResultsByTime": [result], "DimensionValueAttributes": []}])
    ingest_cost_explorer(
        tmp_path / "s", date(2024, 1, 1), date(2024, 2, 1), "MONTHLY", "TAG:team", now=NOW
    )
    tags = read_charges(tmp_path / "s").sort(C.BILLED_COST).collect()[C.TAGS].to_list()
    assert tags == [None, '{"team":"checkout"}']


def test_the_command_says_how_many_requests_it_will_make(
    aws_env, seed_cost_explorer, tmp_path, capsys
):
    seed_cost_explorer([{"ResultsByTime": january(1, 31), "DimensionValueAttributes": []}])
    argv = [*CE_JANUARY_2024, "--store", str(tmp_path / "s")]
    assert main([*argv, "--dry-run"]) == 0
    err = capsys.readouterr().err
    assert "1 request(s) at USD 0.01 each" in err
    assert aws_env.count("GetCostAndUsage") == 0
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert "made 1 Cost Explorer request(s) (USD 0.01)" in out
    assert "cost-explorer" in out and "2024-01" in out


def test_a_month_without_results_is_reported_and_not_cached(aws_env, tmp_path):
    report = ingest_cost_explorer(tmp_path / "s", date(2024, 1, 1), date(2024, 2, 1), now=NOW)
    assert report.billing is None
    assert report.months[0]["note"] == "Cost Explorer returned no cost for this month"
    again = ingest_cost_explorer(
        tmp_path / "s", date(2024, 1, 1), date(2024, 2, 1), now=NOW, dry_run=True
    )
    assert again.plan.cached == [] and again.plan.requests == 1
