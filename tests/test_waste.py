"""Waste has one definition (``forecaster.waste``): each period's cost split into parts that
add up to it, drift measured against the fit window's first day, and a month's waste the
same number on the Overview, the Workloads page, the review pack and ``forecaster curves``."""

from __future__ import annotations

import json

import polars as pl
import pytest

from forecaster.portfolio import fit_series
from forecaster.waste import PARTS, monthly_waste, split_fit, waste_totals
from forecaster.workloads import load_workloads, workload_series


@pytest.fixture(scope="module")
def fits(sample_data):
    sample, store = sample_data
    ws = load_workloads(sample / "workloads.toml")
    return fit_series(workload_series(store, ws, "day"), ws, "day")


def test_the_parts_add_up_to_each_periods_cost(fits):
    for fit in fits.values():
        parts = split_fit(fit)
        gap = parts.select((pl.col("cost") - pl.sum_horizontal(PARTS)).abs().max()).item()
        assert gap < 1e-6, fit.name


def test_drift_counts_only_where_it_is_a_finding_and_grows_from_the_first_day(fits):
    waste = monthly_waste(fits)
    drift = waste.filter(pl.col("workload") == "media-cdn")["efficiency_drift"]
    assert drift[0] < 0.05 * drift[-1] and drift.min() >= 0  # planted creeping unit cost
    for name, fit in fits.items():
        kinds = {f["kind"] for f in fit.summary["findings"]}
        mine = waste.filter(pl.col("workload") == name)
        if "efficiency_drift" not in kinds:
            assert (mine["efficiency_drift"] == 0).all(), name
        if "scaling_excess" not in kinds:
            assert (mine["scaling_excess"] == 0).all(), name


def test_waste_is_the_sum_of_its_parts_in_cents(fits):
    waste = monthly_waste(fits)
    total = waste["idle_baseline"] + waste["scaling_excess"] + waste["efficiency_drift"]
    assert ((waste["waste"] - total).abs() < 0.005).all()
    totals = waste_totals(waste).filter(pl.col("month") == "2026-10")
    assert totals["currency"].to_list() == ["USD"]
    month = waste.filter(pl.col("month") == "2026-10")
    assert totals["waste"][0] == pytest.approx(month["waste"].sum(), abs=0.005)


def test_overview_chart_and_headline_show_the_same_months_waste(fits, sample_data):
    from forecaster.spend import store_monthly_spend
    from forecaster.store import BillingStore
    from forecaster.views.overview import headline, monthly_split, period_status
    from forecaster.workloads import unclaimed_cost

    sample, store = sample_data
    ws = load_workloads(sample / "workloads.toml")
    series = workload_series(store, ws, "day")
    split = monthly_split(fits, series, unclaimed_cost(store, ws, "month"), "USD")
    status = period_status([BillingStore(store).catalog()["partitions"][k]
                            for k in sorted(BillingStore(store).catalog()["partitions"])])  # fmt: skip
    head = headline(store_monthly_spend(store), status, monthly_waste(fits), "USD")
    row = split.filter(pl.col("month") == head["waste_month"]).row(0, named=True)
    for part in ("idle_baseline", "scaling_excess", "efficiency_drift"):
        assert head["waste_parts"][part] == pytest.approx(row[part], abs=0.01)


def test_the_pack_and_curves_json_give_the_months_waste_per_workload(fits, sample_data, cli):
    from forecaster.review import build_review

    sample, store = sample_data
    pack = build_review(store, "2026-10", sample / "workloads.toml")
    table = pack.tables["waste"].frame
    expected = monthly_waste(fits).filter(pl.col("month") == "2026-10")
    for row in expected.iter_rows(named=True):
        got = table.filter(pl.col("workload") == row["workload"]).row(0, named=True)
        assert got["waste"] == row["waste"] and got["efficiency_drift"] == row["efficiency_drift"]
    total = table.filter(pl.col("workload") == "total")
    assert total["waste"][0] == pytest.approx(expected["waste"].sum(), abs=0.005)
    code, out = cli("curves", "--store", str(store), "--workloads", str(sample / "workloads.toml"),
                    "--json")  # fmt: skip
    assert code == 0
    months = [m for m in json.loads(out)["waste"]["months"] if m["month"] == "2026-10"]
    assert months == expected.to_dicts()
