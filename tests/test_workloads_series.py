"""Workload cost x load series: filters, shares, spreading, coverage and unclaimed cost."""

from __future__ import annotations

from datetime import UTC, datetime

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from forecaster.errors import InputError
from forecaster.workloads import (
    CostFilter,
    LoadDriver,
    Workload,
    coverage,
    unclaimed_cost,
    workload_frames,
    workload_series,
)
from tests.workloads_helpers import charge, write_billing, write_load

D1, D2, D3 = "2024-03-01", "2024-03-02", "2024-03-03"


def wl(name="w", metric="m", share=1.0, currency=None, aggregation="sum", unit=None, **filters):
    return Workload(
        name=name,
        cost=CostFilter(share=share, **filters),
        load=LoadDriver(metric=metric, unit=unit, aggregation=aggregation),
        currency=currency,
    )


def day(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


@pytest.fixture
def store(tmp_path):
    root = tmp_path / "store"
    write_billing(
        root,
        [
            charge(D1, 10, service="EC2", account="111", tags={"team": "a", "env": "prod"}),
            charge(D1, 20, service="RDS", account="111", tags={"team": "a"}),
            charge(D1, 40, service="EC2", account="222", region="eu-west-1", tags={"team": "b"}),
            charge(D1, 80, service="EC2", provider="Azure", account="333"),
            charge(D2, 1, service="EC2", account="111", tags={"team": "a", "env": "prod"}),
        ],
    )
    return root


def claimed(store, workload) -> float:
    series = workload_series(store, [workload], "day")
    return series["cost"].sum()


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({}, 151.0),
        ({"services": ("EC2",)}, 131.0),
        ({"services": ("EC2",), "providers": ("AWS",)}, 51.0),
        ({"sub_accounts": ("111",)}, 31.0),
        ({"regions": ("eu-west-1",)}, 40.0),
        ({"tags": (("team", "a"),)}, 31.0),
        ({"tags": (("team", "a"), ("env", "prod"))}, 11.0),
        ({"services": ("RDS",), "sub_accounts": ("222",)}, 0.0),
    ],
)
def test_a_workload_claims_the_rows_matching_all_its_filters(store, filters, expected):
    assert claimed(store, wl(**filters)) == pytest.approx(expected)


def test_share_claims_that_fraction_of_every_money_column(store):
    series = workload_series(store, [wl(share=0.25, services=("RDS",))], "day")
    row = series.filter(pl.col("cost").is_not_null()).row(0, named=True)
    assert (row["cost"], row["billed_cost"], row["list_cost"], row["contracted_cost"]) == (
        5.0,
        5.0,
        10.0,
        7.5,
    )


def test_overlapping_workloads_may_split_a_row_but_not_claim_it_twice(store):
    ok = [wl("x", share=0.6, services=("RDS",)), wl("y", share=0.4, sub_accounts=("111",))]
    assert workload_series(store, ok, "day")["cost"].sum() == pytest.approx(12 + 0.4 * 31)
    too_much = [wl("x", share=0.7, services=("RDS",)), wl("y", share=0.4, sub_accounts=("111",))]
    with pytest.raises(InputError, match=r"workloads 'x', 'y' claim the same cost rows .* 1\.1"):
        workload_series(store, too_much, "day")


def test_unclaimed_cost_is_total_minus_claimed_per_period_and_currency(store):
    out = unclaimed_cost(store, [wl("x", share=0.5, sub_accounts=("111",))], "day")
    d1 = out.filter(pl.col("period_start") == day(D1)).row(0, named=True)
    assert (d1["total_cost"], d1["claimed_cost"], d1["unclaimed_cost"]) == (150.0, 15.0, 135.0)
    assert out["unclaimed_cost"].sum() == pytest.approx(151 - 15.5)


def test_currencies_are_never_added_together(tmp_path):
    root = tmp_path / "s"
    write_billing(root, [charge(D1, 10), charge(D1, 7, currency="EUR")])
    out = unclaimed_cost(root, [], "day")
    assert sorted(out.select("currency", "total_cost").rows()) == [("EUR", 7.0), ("USD", 10.0)]
    with pytest.raises(InputError, match="matches cost in EUR, USD"):
        workload_series(root, [wl()], "day")
    series = workload_series(root, [wl(currency="EUR")], "day")
    assert series.select("currency", "cost").rows() == [("EUR", 7.0)]


def test_a_charge_period_longer_than_the_grain_is_spread_evenly(tmp_path):
    root = tmp_path / "s"
    write_billing(root, [charge("2024-02-01", 290.0, days=29)])  # a monthly row, leap February
    series = workload_series(root, [wl()], "day")
    assert series.height == 29
    assert series["cost"].to_list() == pytest.approx([10.0] * 29)
    hourly = workload_series(root, [wl()], "hour")
    assert hourly.height == 29 * 24 and hourly["cost"].sum() == pytest.approx(290.0)


def test_cost_and_load_are_joined_per_period_with_gaps_kept_as_nulls(store):
    write_load(store, "m", {f"{D2}T00:00:00Z": 5, f"{D2}T12:00:00Z": 7, f"{D3}T00:00:00Z": 1})
    series = workload_series(store, [wl(sub_accounts=("111",), unit="requests")], "day")
    assert series.select("period_start", "cost", "load").rows() == [
        (day(D1), 30.0, None),
        (day(D2), 1.0, 12.0),
        (day(D3), None, 1.0),
    ]
    assert series["load_unit"].unique().to_list() == ["requests"]
    cov = coverage(series).row(0, named=True)
    assert (cov["periods"], cov["both"], cov["cost_only"], cov["load_only"]) == (3, 1, 1, 1)
    assert cov["cost_only_periods"] == [day(D1)] and cov["load_only_periods"] == [day(D3)]


@pytest.mark.parametrize(("aggregation", "expected"), [("sum", 12.0), ("mean", 6.0), ("max", 7.0)])
def test_load_rolls_up_with_the_workload_aggregation(store, aggregation, expected):
    write_load(store, "m", {f"{D2}T00:00:00Z": 5, f"{D2}T12:00:00Z": 7})
    series = workload_series(store, [wl(aggregation=aggregation)], "day")
    assert series.filter(pl.col("period_start") == day(D2))["load"].item() == expected


def test_a_unit_other_than_the_declared_one_is_an_error(store):
    write_load(store, "m", {f"{D1}T00:00:00Z": 5}, unit="GB")
    with pytest.raises(InputError, match="declares unit 'requests' but metric 'm' is stored in GB"):
        workload_series(store, [wl(unit="requests")], "day")


def test_a_metric_from_two_sources_must_be_disambiguated(store):
    write_load(store, "m", {f"{D1}T00:00:00Z": 5}, source="file")
    write_load(store, "m", {f"{D1}T00:00:00Z": 6}, source="cloudwatch")
    with pytest.raises(InputError, match="sources cloudwatch, file; set source"):
        workload_series(store, [wl()], "day")
    chosen = Workload("w", CostFilter(), LoadDriver(metric="m", source="cloudwatch"))
    assert workload_series(store, [chosen], "day")["load"].drop_nulls().to_list() == [6.0]


def test_frames_for_the_curve_fitter_have_period_cost_and_load(store):
    write_load(store, "m", {f"{D1}T00:00:00Z": 5})
    workloads = [wl("a", services=("EC2",)), wl("b", services=("RDS",))]
    frames = workload_frames(workload_series(store, workloads, "day"))
    assert set(frames) == {"a", "b"}
    assert frames["a"].columns[:3] == ["period_start", "cost", "load"]


@settings(
    max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    share_a=st.floats(min_value=0.01, max_value=0.5),
    share_b=st.floats(min_value=0.01, max_value=0.5),
    grain=st.sampled_from(["hour", "day", "month"]),
)
def test_claimed_plus_unclaimed_is_the_total(store, share_a, share_b, grain):
    workloads = [wl("a", share=share_a, services=("EC2",)), wl("b", share=share_b)]
    out = unclaimed_cost(store, workloads, grain)
    assert (out["claimed_cost"] + out["unclaimed_cost"] - out["total_cost"]).abs().max() < 1e-9
    series = workload_series(store, workloads, grain)
    assert series["cost"].sum() == pytest.approx(out["claimed_cost"].sum())
