"""Month-over-month bridge: volume, scaling excess, fixed, efficiency, rate/price, new and
retired services and residual sum exactly (to the cent) to the total change."""

from __future__ import annotations

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from forecaster.curves import month_bridge
from forecaster.curves.bridge_result import BridgeItem
from forecaster.curves.decompose import STEPS


def _row(item, month, fixed, organic, excess, residual, list_cost=None, contracted=None):
    cost = fixed + organic + excess + residual
    return {
        "item": item,
        "month": month,
        "cost": cost,
        "fixed": fixed,
        "organic": organic,
        "scaling_excess": excess,
        "residual": residual,
        "list_cost": list_cost,
        "contracted_cost": contracted,
    }


def _steps(bridge: dict) -> dict[str, float]:
    return {s.kind: s.amount for s in bridge.steps}


def _cents(x: float) -> int:
    return round(x * 100)


def test_continuing_workload_splits_into_volume_excess_fixed_and_residual() -> None:
    rows = pl.DataFrame(
        [
            _row("api", "2025-05", 300.0, 1000.0, 50.0, 10.0),
            _row("api", "2025-06", 300.0, 1200.0, 80.0, -5.0),
        ]
    )
    b = month_bridge(rows, "2025-06")
    assert b.previous_month == "2025-05"
    assert (b.previous_cost, b.cost, b.total_change) == (1360.0, 1575.0, 215.0)
    assert _steps(b) == {
        "volume": 200.0,
        "scaling_excess": 30.0,
        "fixed": 0.0,
        "efficiency": 0.0,
        "rate_price": 0.0,
        "new_services": 0.0,
        "retired_services": 0.0,
        "residual": -15.0,
    }
    assert [s.kind for s in b.steps] == list(STEPS)


def test_rate_change_comes_from_effective_versus_list_cost() -> None:
    # Same usage at list price (1000 both months); the discount goes from 10% to 20%.
    before = _row("db", "2025-01", 0.0, 900.0, 0.0, 0.0, list_cost=1000.0, contracted=950.0)
    after = _row("db", "2025-02", 0.0, 800.0, 0.0, 0.0, list_cost=1000.0, contracted=900.0)
    b = month_bridge(pl.DataFrame([before, after]), "2025-02")
    steps = _steps(b)
    assert steps["rate_price"] == -100.0
    assert steps["volume"] == 0.0 and steps["residual"] == 0.0
    rate = next(s for s in b.steps if s.kind == "rate_price")
    assert rate.negotiated + rate.commitment == pytest.approx(-100.0)
    assert rate.negotiated == pytest.approx(1000 * (0.90 - 0.95) * (900 / 950), abs=0.01)


def test_new_and_retired_services_are_their_whole_cost() -> None:
    rows = pl.DataFrame(
        [
            _row("old", "2024-12", 100.0, 20.0, 0.0, 0.0),
            _row("new", "2025-01", 40.0, 10.0, 0.0, 0.0),
        ]
    )
    b = month_bridge(rows, "2025-01")
    assert b.previous_month == "2024-12"
    steps = _steps(b)
    assert steps["new_services"] == 50.0 and steps["retired_services"] == -120.0
    new = next(s for s in b.steps if s.kind == "new_services")
    assert new.items == (BridgeItem("new", 50.0),)


def test_items_without_a_curve_put_their_change_in_the_residual() -> None:
    rows = pl.DataFrame(
        {"item": ["support", "support"], "month": ["2025-03", "2025-04"], "cost": [55.0, 70.5]}
    )
    steps = _steps(month_bridge(rows, "2025-04"))
    assert steps["residual"] == 15.5 and steps["volume"] == 0.0


def test_efficiency_step_is_the_change_in_the_fitted_drift() -> None:
    rows = pl.DataFrame(
        [
            {**_row("cdn", "2025-01", 10.0, 100.0, 0.0, -20.0), "drift": -18.0},
            {**_row("cdn", "2025-02", 10.0, 100.0, 0.0, -9.0), "drift": -10.0},
        ]
    )
    steps = _steps(month_bridge(rows, "2025-02"))
    assert steps["efficiency"] == 8.0 and steps["residual"] == 3.0


def test_month_column_may_be_a_date() -> None:
    rows = pl.DataFrame(
        {"item": ["a", "a"], "month": ["2025-03-01", "2025-04-01"], "cost": [1.0, 2.0]}
    ).with_columns(pl.col("month").str.to_date())
    assert month_bridge(rows, "2025-04").total_change == 1.0


def test_rows_without_cost_are_an_input_error() -> None:
    from forecaster.errors import InputError

    with pytest.raises(InputError, match="no 'cost' column"):
        month_bridge(pl.DataFrame({"item": ["a"], "month": ["2025-01"]}), "2025-01")


money = st.floats(-500, 5000, allow_nan=False).map(lambda x: round(x, 4))


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["a", "b", "c", "d"]),
            st.sampled_from(["2025-01", "2025-02"]),
            money,
            money,
            money,
            money,
            st.one_of(st.none(), st.floats(1, 9000)),
            st.booleans(),
        ),
        min_size=1,
        max_size=12,
    )
)
def test_bridge_steps_sum_exactly_to_the_total_change(rows) -> None:
    records = []
    for item, month, f, o, e, r, lst, modelled in rows:
        rec = _row(item, month, abs(f), abs(o), e, r, list_cost=lst)
        if not modelled:
            rec.update(fixed=None, organic=None, scaling_excess=None, residual=None)
        records.append(rec)
    b = month_bridge(pl.DataFrame(records), "2025-02")
    assert sum(_cents(s.amount) for s in b.steps) == _cents(b.total_change)
    assert _cents(b.cost) - _cents(b.previous_cost) == _cents(b.total_change)
    for item in b.by_item:
        parts = sum(_cents(item.steps[k]) for k in STEPS)
        assert parts == _cents(item.cost) - _cents(item.previous_cost)
