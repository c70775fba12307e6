"""A first day with only a bill, on the CLI: on the real bills alone and on the sample's
billing without its workloads, bridge, tco, review and workloads suggest exit 0 and their
figures reconcile to the store to the cent."""

from __future__ import annotations

import polars as pl
import pytest

from forecaster import columns as C
from forecaster.review.spend import month_totals
from forecaster.store import read_charges


@pytest.fixture(params=["real", "sample-bill"])
def bill(request, real_bills_store, sample_bill_store, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # no workloads.toml to be found
    monkeypatch.delenv("FORECASTER_WORKLOADS", raising=False)
    if request.param == "real":
        return real_bills_store, "2024-09"
    return sample_bill_store, "2026-10"


def _month_total(store, month, currency):
    t = month_totals(read_charges(store), [month])
    return round(t.filter(pl.col("currency") == currency)["effective_cost"][0], 2)


def test_bridge_ends_are_the_store_totals_and_steps_add_up(cli_json, bill):
    store, month = bill
    doc = cli_json("bridge", "--month", month, "--store", str(store))
    for b in doc["currencies"]:
        assert b["cost"] == _month_total(store, month, b["currency"])
        cents = sum(round(s["amount"] * 100) for s in b["steps"])
        assert cents == round(b["total_change"] * 100)


def test_tco_forecasts_the_bill_and_its_history_is_the_stores(cli_json, bill):
    store, _ = bill
    doc = cli_json("tco", "--store", str(store), "--horizon", "12", "--samples", "200")
    assert doc["workloads_used"] == []
    charges = read_charges(store)
    for c in doc["time_only"]["currencies"]:
        total = c["total"]
        start = total["history"]["start"]
        held = (
            charges.filter(
                (pl.col(C.BILLING_CURRENCY) == c["currency"])
                & (pl.col(C.CHARGE_PERIOD_START).dt.date().cast(pl.String) >= start)
            )
            .select(pl.col(C.EFFECTIVE_COST).sum())
            .collect()
            .item()
        )
        assert total["history"]["effective_cost"]["amount"] == pytest.approx(held, abs=0.006)
        assert len(total["monthly"]) == 12


def test_review_writes_the_pack_with_the_stores_month_total(cli, bill, tmp_path):
    store, month = bill
    code, _ = cli("review", "--month", month, "--store", str(store), "--out", str(tmp_path / "r"),
                  "--formats", "csv")  # fmt: skip
    assert code == 0
    head = pl.read_csv(tmp_path / "r" / f"review-{month}-headline.csv")
    row = head.filter((pl.col("currency") == "USD") & (pl.col("measure") == "EffectiveCost"))
    assert round(row["this_month"][0], 2) == _month_total(store, month, "USD")


def test_workloads_suggest_costs_are_the_stores(cli_json, bill):
    store, _ = bill
    doc = cli_json("workloads", "suggest", "--by", "service", "--store", str(store))
    charges = read_charges(store).collect()
    for w in doc["workloads"]:
        f = w["filters"]
        mine = charges.filter(
            pl.col(C.PROVIDER_NAME).is_in(f["providers"])
            & pl.col(C.SERVICE_NAME).is_in(f["services"])
            & (pl.col(C.BILLING_CURRENCY) == w["cost"]["currency"])
        )
        assert w["cost"]["amount"] == round(mine[C.EFFECTIVE_COST].sum(), 2)
