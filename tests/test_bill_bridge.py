"""The bridge from the bill alone: each kind of change lands in its own step, and the steps
add up to the change to the cent whatever the bill holds (property test)."""

from __future__ import annotations

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from forecaster.curves.bridge_result import BridgeItem
from forecaster.review.bill_bridge import STEPS, month_bill_bridge
from forecaster.review.bridge import bridge_for_month

COLUMNS = ["currency", "month", "category", "service", "sku", "unit", "cost", "list_cost",
           "contracted_cost", "quantity"]  # fmt: skip


def lines(*rows) -> pl.DataFrame:
    return pl.DataFrame(
        [dict(zip(COLUMNS, r, strict=True)) for r in rows],
        schema={
            **{c: pl.String for c in COLUMNS[:6]},
            **{c: pl.Float64 for c in COLUMNS[6:]},
        },
        orient="row",
    )


def step(result, kind):
    return next(s for s in result.steps if s.kind == kind)


def usage(month, service, cost, list_cost, qty, sku="sku-1", contracted=None):
    return ("USD", month, "usage", service, sku, "Hours", cost, list_cost, contracted, qty)


def october_bridge(*rows):
    """The bill's bridge from September to October 2026 over these bridge lines."""
    return month_bill_bridge(lines(*rows), "2026-10", "2026-09")


def test_twice_the_hours_at_the_same_prices_is_usage_volume():
    b = october_bridge(
        usage("2026-09", "AWS / EC2", 100.0, 120.0, 50),
        usage("2026-10", "AWS / EC2", 200.0, 240.0, 100),
    )
    assert step(b, "usage_volume").amount == 100.0
    assert step(b, "rate_price").amount == 0.0 and step(b, "rest").amount == 0.0


def test_a_list_price_rise_at_equal_hours_is_price_and_a_deeper_discount_is_rate():
    b = october_bridge(
        usage("2026-09", "AWS / EC2", 80.0, 100.0, 10),
        usage("2026-10", "AWS / EC2", 77.0, 110.0, 10),
    )
    rate = step(b, "rate_price")
    assert rate.list_price == pytest.approx(8.0)  # 110 list at last month's 80%
    assert rate.negotiated + rate.commitment == pytest.approx(-11.0)  # 70% of 110
    assert rate.amount == -3.0 and step(b, "usage_volume").amount == 0.0


def test_new_and_retired_services_credits_refunds_and_tax_have_their_steps():
    b = october_bridge(
        usage("2026-09", "AWS / S3", 5.0, 5.0, None),
        usage("2026-10", "AWS / Lambda", 7.0, 7.0, None),
        ("USD", "2026-09", "credits", "AWS / EC2", "c", "", -1.0, 0.0, None, None),
        ("USD", "2026-10", "credits", "AWS / EC2", "c", "", -4.0, 0.0, None, None),
        ("USD", "2026-10", "refunds", "AWS / EC2", "r", "", -2.5, 0.0, None, None),
        ("USD", "2026-10", "tax", "AWS / Tax", "t", "", 0.7, 0.0, None, None),
    )
    got = {s.kind: s.amount for s in b.steps}
    assert got["new_services"] == 7.0 and got["retired_services"] == -5.0
    assert got["credits"] == -3.0 and got["refunds"] == -2.5 and got["tax"] == 0.7
    assert step(b, "new_services").items == (BridgeItem("AWS / Lambda", 7.0),)


def test_lines_without_quantities_leave_their_change_in_the_rest():
    b = october_bridge(
        usage("2026-09", "AWS / EC2", 10.0, 10.0, None),
        usage("2026-10", "AWS / EC2", 13.0, 13.0, None),
    )
    assert step(b, "rest").amount == 3.0 and step(b, "usage_volume").amount == 0.0


money = st.floats(-500, 5000, allow_nan=False, allow_infinity=False).map(lambda x: round(x, 6))
line = st.tuples(
    st.sampled_from(["2026-09", "2026-10"]),
    st.sampled_from(["usage", "usage", "usage", "credits", "refunds", "tax"]),
    st.sampled_from(["AWS / EC2", "AWS / S3", "GCP / GCE"]),
    st.sampled_from(["a", "b"]),
    st.sampled_from(["Hours", "GB"]),
    money,
    st.one_of(st.just(0.0), st.just(1e-300), money),
    st.one_of(st.none(), money),
    st.one_of(st.none(), st.floats(0, 1e6, allow_nan=False), st.sampled_from([5e-324, 1e-300])),
)


@settings(max_examples=300, deadline=None)
@given(st.lists(line, min_size=0, max_size=25))
def test_steps_add_up_to_the_change_to_the_cent(rows):
    frame = lines(*[("USD", *r) for r in rows]) if rows else lines()
    b = month_bill_bridge(frame, "2026-10", "2026-09")
    cents = [round(s.amount * 100) for s in b.steps]
    assert [s.kind for s in b.steps] == list(STEPS)
    assert sum(cents) == round(b.total_change * 100)
    for month, end in (("2026-09", "previous_cost"), ("2026-10", "cost")):
        raw = sum(r[5] for r in rows if r[0] == month)
        assert round(getattr(b, end) * 100) == round(raw * 100)
    for item in b.by_item:
        change = round((item.cost - item.previous_cost) * 100)
        assert sum(round(item.steps[k] * 100) for k in STEPS) == change


def test_the_cli_bridge_of_a_bill_alone_reconciles_to_the_store(
    cli_json, real_bills_store, tmp_path, monkeypatch
):
    monkeypatch.chdir(tmp_path)  # no workloads.toml to be found
    monkeypatch.delenv("FORECASTER_WORKLOADS", raising=False)
    from forecaster.review.spend import month_totals
    from forecaster.store import read_charges

    doc = cli_json("bridge", "--month", "2024-09", "--store", str(real_bills_store))
    usd = doc["currencies"][0]
    store = month_totals(read_charges(real_bills_store), ["2024-09"])["effective_cost"][0]
    assert usd["cost"] == round(store, 2) and "2024-08" in usd["note"]
    assert round(sum(s["amount"] for s in usd["steps"]), 2) == usd["total_change"]
    assert bridge_for_month(real_bills_store, "2024-09").basis == "bill only (no workloads)"
