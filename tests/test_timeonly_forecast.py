"""The bill's forecast by time: daily series with explicit gaps, groups that add up to the
total, P10 <= P50 <= P90, and ``forecaster tco`` on a bill alone."""

from __future__ import annotations

from datetime import date

import numpy as np
import polars as pl
import pytest

from forecaster import columns as C
from forecaster.errors import CannotFit
from forecaster.months import month_of
from forecaster.store import read_charges
from forecaster.tco.run import run_tco
from forecaster.timeonly.bill import bill_forecast
from forecaster.timeonly.forecast import forecast_days, horizon_days
from forecaster.timeonly.series import REST, TOTAL, daily_cost, recent_history
from tests.focus_builder import focus_row, write_focus


def _store_total(store, currency):
    return (
        read_charges(store)
        .filter(pl.col(C.BILLING_CURRENCY) == currency)
        .select(pl.col(C.EFFECTIVE_COST).sum())
        .collect()
        .item()
    )


def test_groups_and_the_rest_add_up_to_the_store_total_to_the_cent(real_bills_store):
    total = daily_cost(read_charges(real_bills_store), "USD", None)
    split = daily_cost(read_charges(real_bills_store), "USD", "service", groups=3)
    assert split.groups[-1] == REST and len(split.groups) == 4 and split.others > 0
    store = round(_store_total(real_bills_store, "USD"), 2)
    assert round(total.values(TOTAL)["cost"].sum(), 2) == store
    assert round(split.frame["cost"].sum(), 2) == store


def test_a_day_without_a_bill_is_a_gap_and_a_quiet_billed_day_is_zero(real_bills_store):
    series = daily_cost(read_charges(real_bills_store), "USD").values()
    by_day = dict(zip(series["day"].to_list(), series["cost"].to_list(), strict=True))
    assert by_day[date(2024, 3, 15)] is None  # between the 2023-11 CUR and the 2024-09 FOCUS
    assert by_day[date(2023, 11, 10)] is not None


def test_the_history_starts_after_the_last_long_gap():
    days = [date(2024, 1, 1) + (date(2024, 1, 2) - date(2024, 1, 1)) * i for i in range(100)]
    cost = np.r_[np.ones(10), np.full(40, np.nan), np.ones(50)]
    used, y = recent_history(days, cost)
    assert used[0] == days[50] and y.size == 50


def test_too_short_a_history_says_why():
    with pytest.raises(CannotFit, match="at least"):
        forecast_days([date(2024, 1, d) for d in range(1, 4)], np.ones(3), 10)


def _one_month_bill(seed: int = 0) -> tuple[list[date], np.ndarray]:
    """31 days of a 6,000 USD/day bill with weekday noise, whose last three days hold only
    the recurring charges (a provider that has not billed them all yet)."""
    rng = np.random.default_rng(seed)
    cost = 6000.0 * rng.lognormal(0.0, 0.15, 31)
    cost[-3:] = 350.0
    return [date(2026, 5, d) for d in range(1, 32)], cost


def test_a_month_of_history_is_forecast_at_its_run_rate_with_a_band_that_stays_believable():
    days, cost = _one_month_bill()
    fc = forecast_days(days, cost, horizon_days(days[-1], 36))
    assert "run rate" in fc.method and "31 days of history" in fc.method
    assert (fc.p10 > 0).all() and (fc.p10 <= fc.p50).all() and (fc.p50 <= fc.p90).all()
    run_rate = float(np.mean(cost[-28:]))
    assert fc.p50.mean() == pytest.approx(run_rate, rel=0.01)
    first, last = (fc.p90[i] / fc.p50[i] for i in (0, -1))
    assert 1.05 < first < 1.6 and first < last < 6.0  # wider further ahead, never absurd
    width = np.log(fc.p90 / fc.p50)
    assert (np.diff(width) >= -1e-12).all()


def test_a_one_month_bill_gives_a_tco_band_within_a_few_times_its_median(tmp_path, cli_json):
    rows = []
    days, cost = _one_month_bill(seed=3)
    for d, c in zip(days, cost, strict=True):
        rows.append(focus_row(period="2026-05", day=d.day, cost=round(float(c), 2)))
    path = write_focus(tmp_path / "may.csv", rows)
    store = tmp_path / "store"
    cli_json("ingest", "billing", str(path), "--store", str(store))
    doc = cli_json("tco", "--store", str(store))
    usd = doc["currencies"][0]
    cumulative = usd["scenarios"][0]["cumulative"]
    assert "run rate" in usd["by_time"]["method"]
    month = float(sum(cost))
    assert 25 * month < cumulative["p50"] < 45 * month  # 36 months near the run rate
    assert cumulative["p10"] > 0.2 * cumulative["p50"] and cumulative["p90"] < 5 * cumulative["p50"]


def test_horizon_counts_the_rest_of_the_month_as_the_first():
    assert horizon_days(date(2024, 9, 30), 12) == 365
    assert horizon_days(date(2024, 9, 15), 1) == 15


@pytest.fixture(scope="module")
def sample_forecast(sample_bill_store):
    return bill_forecast(sample_bill_store, months=6)


def test_each_currency_total_and_group_has_ordered_monthly_bands(sample_forecast):
    assert [f.currency for f in sample_forecast] == ["EUR", "USD"]
    usd = sample_forecast[1]
    assert set(usd.by) == {"provider", "service", "account"}
    for g in [usd.total, *usd.by["service"]]:
        m = g.monthly
        assert m is not None and m.height == 6, g.reason
        assert (m["p10"] <= m["p50"] + 1e-9).all() and (m["p50"] <= m["p90"] + 1e-9).all()
        assert m["month"][0] == "2026-11"


def test_the_sample_total_forecast_continues_its_last_month(sample_forecast, sample_bill_store):
    usd = sample_forecast[1]
    series = daily_cost(read_charges(sample_bill_store), "USD").values()
    october = series.filter(pl.col("day") >= date(2026, 10, 1))["cost"].sum()
    november = usd.total.monthly["p50"][0]
    assert 0.8 * october < november < 1.25 * october


def test_tco_without_workloads_forecasts_the_whole_bill(sample_bill_store, tmp_path):
    scenarios = tmp_path / "s.toml"
    scenarios.write_text(
        "[settings]\nhorizon_months = 12\nsamples = 200\nseed = 1\n\n"
        '[[scenario]]\nname = "baseline"\n\n[[scenario]]\nname = "cheaper"\n'
        "[scenario.price]\nchange = -0.1\n"
    )
    doc = run_tco(sample_bill_store, None, scenarios, workloads=[]).as_dict()
    assert doc["workloads_used"] == []
    usd = next(c for c in doc["currencies"] if c["currency"] == "USD")
    assert usd["workloads"] == [] and usd["scenarios"][0]["name"] == "baseline"
    base, cheap = (s["cumulative"]["p50"] for s in usd["scenarios"])
    assert cheap < base
    assert doc["time_only"]["currencies"][1]["total"]["monthly"][0]["month"] == doc["months"][0]


def test_forecast_cost_cli_history_reconciles_to_the_store(cli_json, sample_bill_store):
    doc = cli_json("forecast-cost", "--store", str(sample_bill_store), "--months", "3")
    for cur in doc["currencies"]:
        total = cur["total"]["history"]["effective_cost"]
        assert total["currency"] == cur["currency"]
        assert total["amount"] == round(_store_total(sample_bill_store, cur["currency"]), 2)
        for part in cur["by"].values():
            groups = sum(g["history"]["effective_cost"]["amount"] for g in part["groups"])
            assert round(groups, 2) == pytest.approx(total["amount"], abs=0.011)


def test_backtest_runs_on_the_bills_daily_cost(cli_json, sample_bill_store):
    doc = cli_json(
        "backtest", "--cost", "--store", str(sample_bill_store), "--currency", "EUR",
        "--horizon", "30", "--windows", "4",
    )  # fmt: skip
    assert doc["freq"] == "1d" and doc["windows"] == 4 and "EUR" in doc["file"]
    assert set(doc["models"]) == {"load", "seasonal_naive"}


def test_backtest_needs_a_file_or_cost(cli):
    code, _ = cli("backtest", "--horizon", "3")
    assert code == 2


def test_the_next_months_read_the_same_whatever_horizon_a_surface_asks_for(
    cli_json, sample_bill_store, tmp_path
):
    """forecast-cost (3 months) and tco (a 24-month horizon) show one forecast by time."""
    scenarios = tmp_path / "s.toml"
    scenarios.write_text("[settings]\nhorizon_months = 24\nsamples = 100\n")
    short = cli_json("forecast-cost", "--store", str(sample_bill_store), "--months", "3")
    tco = run_tco(sample_bill_store, None, scenarios, workloads=[]).as_dict()["time_only"]
    for cur_short, cur_long in zip(short["currencies"], tco["currencies"], strict=True):
        assert cur_short["currency"] == cur_long["currency"]
        months = cur_short["total"]["monthly"]
        assert len(months) == 3 and len(cur_long["total"]["monthly"]) == 24
        assert months == cur_long["total"]["monthly"][:3]


def test_the_bills_total_reads_as_the_tco_baseline_of_a_store_without_workloads(
    sample_bill_store, tmp_path
):
    """One monthly forecast by time: forecast-cost's total months are the TCO baseline's
    (to the Monte Carlo error of 1,000 paths), and its days add up to its months."""
    scenarios = tmp_path / "s.toml"
    scenarios.write_text("[settings]\nhorizon_months = 12\n")
    tco = run_tco(sample_bill_store, None, scenarios, workloads=[]).as_dict()
    bills = {b.currency: b for b in bill_forecast(sample_bill_store, months=12)}
    for cur in tco["currencies"]:
        total = bills[cur["currency"]].total
        assert total.method == cur["by_time"]["method"]
        for shown, row in zip(cur["scenarios"][0]["monthly"], total.monthly.iter_rows(named=True), strict=True):  # fmt: skip
            assert shown["month"] == row["month"]
            ahead = row["p50"] - row["billed_to_date"]
            assert shown["p50"] == pytest.approx(ahead, rel=0.005)
            assert shown["p10"] == pytest.approx(row["p10"] - row["billed_to_date"], rel=0.01)
        days = total.daily.group_by(month_of("day").alias("month")).agg(pl.col("p50").sum())
        by_month = dict(days.iter_rows())
        for row in total.monthly.iter_rows(named=True):
            assert by_month[row["month"]] + row["billed_to_date"] == pytest.approx(row["p50"])
