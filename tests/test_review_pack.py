"""The review pack's content: totals reconcile to the store to the cent, parts add up to
their totals, the bridge closes, findings match the sample's planted truth, and sections
without an engine or input say so."""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from forecaster.errors import InputError
from forecaster.money import apportion
from forecaster.months import shift_month
from forecaster.review import build_review
from tests.review_helpers import (
    SAMPLE_MONTH,
    cents,
    make_store,
    row,
    sample_dirs,
    sample_pack,
    store_totals,
)

MEASURES = {"BilledCost": "billed_cost", "EffectiveCost": "effective_cost", "ListCost": "list_cost"}


@pytest.mark.parametrize(
    ("column", "month"),
    [("this_month", "2026-10"), ("previous_month", "2026-09"), ("year_ago", "2025-10")],
)
def test_headline_totals_equal_the_store_totals_to_the_cent(column, month):
    _, store = sample_dirs()
    expected = store_totals(store, month)
    headline = sample_pack().tables["headline"].frame
    assert set(headline["currency"]) == set(expected) == {"EUR", "USD"}
    for r in headline.iter_rows(named=True):
        assert cents(r[column]) == cents(expected[r["currency"]][MEASURES[r["measure"]]])


@pytest.mark.parametrize("table", ["by_provider", "by_service", "by_account", "by_tag"])
@pytest.mark.parametrize("measure", ["billed_cost", "effective_cost", "list_cost"])
def test_breakdown_rows_add_up_to_the_headline_per_currency(table, measure):
    pack = sample_pack()
    headline = pack.tables["headline"].frame
    frame = pack.tables[table].frame
    label = {v: k for k, v in MEASURES.items()}[measure]
    for currency in ("EUR", "USD"):
        total = headline.filter((pl.col("currency") == currency) & (pl.col("measure") == label))
        parts = frame.filter(pl.col("currency") == currency)[measure].to_list()
        assert sum(cents(v) for v in parts) == cents(total["this_month"][0])


@pytest.mark.parametrize(
    ("table", "column", "total"),
    [
        ("by_service", "previous_effective_cost", "previous_month"),
        ("by_workload", "effective_cost", "this_month"),  # workloads and the unclaimed cost
    ],
)
def test_effective_cost_parts_add_up_to_the_headline_total(table, column, total):
    pack = sample_pack()
    headline = pack.tables["headline"].frame.filter(pl.col("measure") == "EffectiveCost")
    frame = pack.tables[table].frame
    for r in headline.iter_rows(named=True):
        mine = frame.filter(pl.col("currency") == r["currency"])[column]
        assert sum(cents(v) for v in mine) == cents(r[total])


def test_unit_cost_is_cost_per_thousand_load_units():
    frame = sample_pack().tables["by_workload"].frame.filter(pl.col("load").is_not_null())
    assert frame.height == 5
    for r in frame.iter_rows(named=True):
        assert r["unit_cost"] == pytest.approx(r["effective_cost"] / r["load"] * 1000)
    units = dict(zip(frame["workload"], frame["load_unit"], strict=True))
    assert units["checkout-api"] == "requests" and units["media-cdn"] == "GB"


@pytest.mark.parametrize("currency", ["EUR", "USD"])
def test_bridge_runs_from_the_previous_total_to_this_total_exactly(currency):
    pack = sample_pack()
    headline = pack.tables["headline"].frame.filter(
        (pl.col("measure") == "EffectiveCost") & (pl.col("currency") == currency)
    )
    bridge = pack.tables["bridge"].frame.filter(pl.col("currency") == currency)
    amounts = dict(zip(bridge["step"], bridge["amount"], strict=True))
    assert cents(amounts["previous_month"]) == cents(headline["previous_month"][0])
    assert cents(amounts["this_month"]) == cents(headline["this_month"][0])
    steps = [cents(a) for s, a in amounts.items() if s not in ("previous_month", "this_month")]
    assert sum(steps) == cents(amounts["this_month"]) - cents(amounts["previous_month"])


def test_bridge_splits_the_sample_growth_into_volume_and_scaling_excess():
    bridge = sample_pack().tables["bridge"].frame.filter(pl.col("currency") == "USD")
    amounts = dict(zip(bridge["step"], bridge["amount"], strict=True))
    assert amounts["volume"] > 0.5 * (amounts["this_month"] - amounts["previous_month"])
    assert amounts["scaling_excess"] > 0  # search's load ** 1.35
    eur = sample_pack().tables["bridge"].frame.filter(pl.col("currency") == "EUR")
    eur_steps = dict(zip(eur["step"], eur["amount"], strict=True))
    assert eur_steps["volume"] == 0  # nothing in EUR has a cost curve


def test_bridge_items_add_up_per_row_and_per_currency():
    pack = sample_pack()
    items = pack.tables["bridge_by_item"].frame
    steps = [
        c for c in items.columns if c not in ("currency", "item", "previous_cost", "cost", "change")
    ]
    for r in items.iter_rows(named=True):
        assert sum(cents(r[s]) for s in steps) == cents(r["cost"]) - cents(r["previous_cost"])


def test_findings_show_the_planted_waste_ranked_by_money():
    frame = sample_pack().tables["findings"].frame
    kinds = {(r["workload"], r["kind"]) for r in frame.iter_rows(named=True)}
    assert ("search", "scaling_excess") in kinds
    assert ("media-cdn", "efficiency_drift") in kinds
    assert ("reporting-batch", "idle_baseline") in kinds
    assert frame["amount"].to_list() == sorted(frame["amount"].to_list(), reverse=True)
    assert frame["rank"].to_list() == list(range(1, frame.height + 1))
    assert all(frame["evidence"].str.len_chars() > 20)
    idle = frame.filter(pl.col("kind") == "idle_baseline").sort("amount", descending=True)
    assert idle["workload"][0] == "reporting-batch"  # 320 USD/day fixed, ~9,740 a month


def test_anomalies_are_reported_in_their_own_month_only():
    march = sample_pack("2026-03").tables["findings"].frame.filter(pl.col("kind") == "anomaly")
    mine = march.filter(pl.col("workload") == "notifications")
    assert set(mine["period"]) >= {"2026-03-14", "2026-03-15", "2026-03-16"}
    assert all(mine["per"] == "day") and all(mine["amount"] > 250)
    october = sample_pack().tables["findings"].frame
    assert not october["period"].drop_nulls().str.starts_with("2026-03").any()


def test_curves_use_no_data_after_the_month():
    curves = sample_pack("2026-03").tables["cost_curves"].frame
    days = (date(2026, 4, 1) - date(2024, 11, 1)).days
    assert set(curves["days"]) == {days}


def test_every_money_table_has_a_currency_column():
    pack = sample_pack()
    for table in pack.tables.values():
        money = [c for c in table.frame.columns if table.kind(c) in ("money", "unit_money")]
        if money:
            assert "currency" in table.frame.columns, table.name


def test_scaling_ceiling_from_the_sample_load_test():
    frame = sample_pack().tables["scaling"].frame
    search = frame.row(0, named=True)
    assert search["workload"] == "search" and search["ceiling_kind"] == "peak"
    assert search["peak_load"] == pytest.approx(34.5, rel=0.1)  # sqrt(0.95 / 0.0008)
    assert search["explanation"].startswith("Throughput peaks")
    # the growing busiest hour (~42 q/s, +4%/month) reaches 80% of the ~62 q/s ceiling in 2027
    assert search["peak_throughput"] == pytest.approx(62.3, rel=0.05)
    assert "2027-02" <= search["ceiling_date"] <= "2027-07"
    assert (
        search["ceiling_date_80_early"] <= search["ceiling_date"] <= search["ceiling_date_80_late"]
    )


def test_forecast_gives_3_and_12_month_bands_per_currency():
    frame = sample_pack().tables["forecast"].frame
    windows = frame.filter(pl.col("item") == "total", pl.col("period").str.starts_with("next"))
    assert sorted(windows["currency"].to_list()) == ["EUR", "EUR", "USD", "USD"]
    for band in windows.iter_rows(named=True):
        assert 0 < band["p10"] <= band["p50"] <= band["p90"]
    usd = {r["period"]: r["p50"] for r in windows.filter(currency="USD").iter_rows(named=True)}
    assert usd["next 12 months"] > 3 * usd["next 3 months"]  # traffic keeps growing


def test_tco_compares_the_sample_scenarios_with_the_baseline():
    frame = sample_pack().tables["tco"].frame.filter(currency="USD")
    rows = {r["scenario"]: r for r in frame.iter_rows(named=True)}
    assert rows["baseline"]["npv_saving_p50"] == 0
    assert rows["fix search scaling"]["npv_saving_p50"] > 0
    assert rows["fix search scaling"]["break_even_month"] > "2027-01"
    assert rows["traffic doubles yearly"]["npv_saving_p50"] < 0


def test_pack_without_workloads_keeps_totals_and_explains_the_gaps():
    out, store = sample_dirs()
    pack = build_review(store, SAMPLE_MONTH)
    for name in ("by_workload", "waste", "cost_curves", "scaling"):
        assert pack.tables[name].note.startswith("not available: "), name
    for name in ("forecast", "tco"):  # the whole bill, forecast by time
        assert pack.tables[name].note is None and pack.tables[name].frame.height, name
    found = pack.tables["findings"].frame  # anomalies by time stand in for the curves'
    assert found.height and set(found["kind"].to_list()) == {"anomaly (time-only)"}
    assert all(p.startswith(SAMPLE_MONTH) for p in found["period"].to_list())
    usd = pack.tables["bridge"].frame.filter(pl.col("currency") == "USD")
    assert "usage_volume" in usd["step"].to_list()  # the bill-only bridge
    amounts = dict(zip(usd["step"], usd["amount"], strict=True))
    assert cents(amounts["this_month"]) == cents(
        store_totals(store, SAMPLE_MONTH)["USD"]["effective_cost"]
    )
    quality = pack.tables["data_quality"].frame
    assert "unclaimed_cost" in quality["kind"].to_list()


def test_budget_gives_the_variance(tmp_path):
    out, store = sample_dirs()
    budget = tmp_path / "budget.csv"
    budget.write_text("month,currency,amount,measure\n2026-10,USD,200000,EffectiveCost\n")
    pack = build_review(store, SAMPLE_MONTH, budget_path=budget)
    head = pack.tables["headline"].frame
    usd = head.filter((pl.col("currency") == "USD") & (pl.col("measure") == "EffectiveCost")).row(
        0, named=True
    )
    assert usd["budget"] == 200000
    assert usd["budget_variance"] == pytest.approx(usd["this_month"] - 200000, abs=0.005)
    billed = head.filter((pl.col("currency") == "USD") & (pl.col("measure") == "BilledCost"))
    assert billed["budget"][0] is None  # a budget is held against one measure
    notes = pack.tables["data_quality"].frame.filter(pl.col("kind") == "budget")
    assert notes["currency"].to_list() == ["EUR"]  # EUR has cost but no budget


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("month,currency\n2026-10,USD\n", "no amount column"),
        ("month,currency,amount\n2026-13,USD,5\n", "row 2, column month"),
        ("month,currency,amount\n2026-10,USD,lots\n", "row 2, column amount"),
        ("month,currency,amount,measure\n2026-10,USD,5,Spend\n", "row 2, column measure"),
        ("month,currency,amount\n2026-10,USD,5\n2026-10,USD,6\n", "row 3: a second budget"),
    ],
)
def test_bad_budget_files_are_named(tmp_path, text, message):
    _, store = sample_dirs()
    budget = tmp_path / "budget.csv"
    budget.write_text(text)
    with pytest.raises(InputError, match=message) as err:
        build_review(store, SAMPLE_MONTH, budget_path=budget)
    assert str(budget) in str(err.value)


@pytest.mark.parametrize("month", ["2026-13", "2026-1", "Oct 2026", "2026/10", ""])
def test_malformed_month_is_refused(month):
    _, store = sample_dirs()
    with pytest.raises(InputError, match="expected YYYY-MM"):
        build_review(store, month)


def test_month_without_billing_names_what_the_store_holds():
    _, store = sample_dirs()
    with pytest.raises(InputError, match="no billing data for 2027-01.*2024-11 to 2026-10"):
        build_review(store, "2027-01")


def test_open_periods_and_restatements_are_data_quality_notes(tmp_path):
    from datetime import UTC, datetime

    first = [row("2026-09", 100.0), row("2026-10", 120.0)]
    store = make_store(tmp_path, first, now=datetime(2026, 10, 20, tzinfo=UTC))
    restated = [row("2026-09", 90.0), row("2026-10", 130.0)]
    make_store(tmp_path, restated, now=datetime(2026, 10, 25, tzinfo=UTC))
    pack = build_review(store, "2026-10")
    notes = pack.tables["data_quality"].frame
    open_ = notes.filter(pl.col("kind") == "open_period")
    assert open_["period"].to_list() == ["2026-10"]
    restatements = notes.filter(pl.col("kind") == "restatement").sort("period")
    assert restatements["period"].to_list() == ["2026-09", "2026-10"]
    assert restatements["amount"].to_list() == pytest.approx([-10.0, 10.0])
    later = build_review(store, "2026-10", since=datetime(2026, 10, 26, tzinfo=UTC))
    assert "restatement" not in later.tables["data_quality"].frame["kind"].to_list()


def test_currencies_are_never_added_together(tmp_path):
    rows = [row("2026-10", 10.0), row("2026-10", 7.0, currency="EUR", service="Storage")]
    pack = build_review(make_store(tmp_path, rows + [row("2026-09", 1.0)]), "2026-10")
    head = pack.tables["headline"].frame.filter(pl.col("measure") == "EffectiveCost")
    assert dict(zip(head["currency"], head["this_month"], strict=True)) == {"EUR": 7.0, "USD": 10.0}
    bridge = pack.tables["bridge"].frame.filter(pl.col("step") == "new_services")
    assert dict(zip(bridge["currency"], bridge["amount"], strict=True)) == {"EUR": 7.0, "USD": 0.0}


@given(st.lists(st.floats(min_value=-1e7, max_value=1e7, allow_nan=False), min_size=1, max_size=40))
def test_apportioned_parts_add_up_to_the_rounded_total(values):
    parts = apportion(values, sum(values))
    assert sum(cents(p) for p in parts) == cents(sum(values))
    assert all(abs(p - v) < 0.01 + 1e-9 * abs(v) for p, v in zip(parts, values, strict=True))


@given(st.dates(min_value=date(1990, 1, 1), max_value=date(2200, 12, 1)), st.integers(-400, 400))
def test_shift_month_moves_by_whole_months(day, n):
    month = f"{day.year:04d}-{day.month:02d}"
    shifted = shift_month(month, n)
    y, m = (int(p) for p in shifted.split("-"))
    assert (y * 12 + m) - (day.year * 12 + day.month) == n
    assert shift_month(shifted, -n) == month


def test_bridge_agrees_with_the_bridge_command_on_the_sample():
    """`forecaster bridge` prints the same bridge as the pack's bridge table."""
    from forecaster.review.bridge import bridge_for_month

    out, store = sample_dirs()
    theirs = bridge_for_month(store, SAMPLE_MONTH, out / "workloads.toml")
    ours = sample_pack().tables["bridge"].frame
    for c in theirs.currencies:
        mine = ours.filter(pl.col("currency") == c.currency)
        amounts = dict(zip(mine["step"], mine["amount"], strict=True))
        assert {s.kind: cents(s.amount) for s in c.steps} == {
            s.kind: cents(amounts[s.kind]) for s in c.steps
        }
        assert cents(amounts["this_month"]) == cents(c.cost)
