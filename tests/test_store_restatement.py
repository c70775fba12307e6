"""Re-delivered billing periods replace the stored ones; the store never double counts."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from forecaster.errors import DeliveryRefused
from forecaster.ingest import ingest_billing
from forecaster.store import BillingStore, read_charges
from tests.focus_builder import focus_row, write_focus

LATER = datetime(2025, 6, 15, tzinfo=UTC)  # March 2025 is closed by then
DURING = datetime(2025, 3, 20, tzinfo=UTC)  # March 2025 still open


def _month(tmp_path, name, costs, period="2025-03"):
    rows = [focus_row(period=period, day=i + 1, cost=c) for i, c in enumerate(costs)]
    return write_focus(tmp_path / name, rows)


def _total(store):
    return read_charges(store).collect()["BilledCost"].sum()


def test_redelivered_month_replaces_instead_of_adding(tmp_path, store):
    ingest_billing([_month(tmp_path, "a.csv", [10, 20, 30])], store, now=LATER)
    ingest_billing([_month(tmp_path, "b.csv", [10, 20, 31])], store, now=LATER)
    assert _total(store) == pytest.approx(61.0)
    assert len(BillingStore(store).partitions()) == 1


def test_same_files_again_change_nothing(tmp_path, store):
    path = _month(tmp_path, "a.csv", [10, 20, 30])
    first = ingest_billing([path], store, now=LATER)
    catalog = BillingStore(store).catalog()
    files = sorted(p.relative_to(store) for p in store.rglob("*") if p.is_file())
    again = ingest_billing([path], store, now=LATER)
    assert [p.action for p in first.periods] == ["new"]
    assert [p.action for p in again.periods] == ["unchanged"]
    assert BillingStore(store).catalog() == catalog
    assert sorted(p.relative_to(store) for p in store.rglob("*") if p.is_file()) == files


def test_shorter_redelivery_of_an_open_month_replaces_it_with_a_flag(tmp_path, store):
    ingest_billing([_month(tmp_path, "a.csv", [10, 20, 30])], store, now=DURING)
    report = ingest_billing([_month(tmp_path, "b.csv", [10, 20])], store, now=DURING)
    assert _total(store) == pytest.approx(30.0)
    assert report.periods[0].status == "open"
    assert len(report.flagged) == 1  # an open month that shrinks is flagged too


def test_an_open_month_redelivered_with_under_half_its_rows_is_refused(tmp_path, store):
    ingest_billing([_month(tmp_path, "a.csv", [10, 20, 30])], store, now=DURING)
    with pytest.raises(DeliveryRefused, match="`replace` 2025-03"):
        ingest_billing([_month(tmp_path, "b.csv", [10])], store, now=DURING)
    assert _total(store) == pytest.approx(60.0)
    forced = ingest_billing(
        [_month(tmp_path, "b.csv", [10])], store, now=DURING, replace={"2025-03"}
    )
    assert _total(store) == pytest.approx(10.0) and len(forced.flagged) == 1


def test_closed_month_shrinking_more_than_one_percent_is_flagged(tmp_path, store, cli):
    ingest_billing([_month(tmp_path, "a.csv", [100, 100])], store, now=LATER)
    report = ingest_billing([_month(tmp_path, "b.csv", [100, 97])], store, now=LATER)
    assert len(report.flagged) == 1
    change = report.flagged[0].restatement
    assert change["before"] == pytest.approx(200) and change["after"] == pytest.approx(197)
    restatements = BillingStore(store).catalog()["restatements"]
    assert restatements[-1]["flagged"] is True


def test_closed_month_shrinking_less_than_one_percent_is_recorded_not_flagged(tmp_path, store):
    ingest_billing([_month(tmp_path, "a.csv", [100, 100])], store, now=LATER)
    report = ingest_billing([_month(tmp_path, "b.csv", [100, 99.5])], store, now=LATER)
    assert report.flagged == []
    assert BillingStore(store).catalog()["restatements"][-1]["flagged"] is False


def test_restatement_is_shown_by_the_cli(tmp_path, store, cli):
    cli("ingest", "billing", str(_month(tmp_path, "a.csv", [100, 100])), "--store", str(store))
    code, out = cli(
        "ingest", "billing", str(_month(tmp_path, "b.csv", [50])), "--store", str(store)
    )
    assert code == 0
    assert "RESTATEMENT" in out and "2025-03" in out


def test_other_periods_are_untouched_by_a_redelivery(tmp_path, store):
    ingest_billing([_month(tmp_path, "feb.csv", [5], period="2025-02")], store, now=LATER)
    ingest_billing([_month(tmp_path, "mar.csv", [7])], store, now=LATER)
    ingest_billing([_month(tmp_path, "mar2.csv", [9])], store, now=LATER)
    assert _total(store) == pytest.approx(14.0)


def test_sources_are_separate_partitions(tmp_path, store):
    ingest_billing([_month(tmp_path, "a.csv", [5])], store, source="aws-focus", now=LATER)
    ingest_billing([_month(tmp_path, "b.csv", [7])], store, source="azure-focus", now=LATER)
    assert _total(store) == pytest.approx(12.0)


def test_currencies_are_never_added_together(tmp_path, store, cli_json):
    rows = [focus_row(cost=10, currency="USD"), focus_row(cost=7, currency="EUR", day=2)]
    ingest_billing([write_focus(tmp_path / "m.csv", rows)], store, now=LATER)
    status = cli_json("store", "status", "--store", str(store))
    by_currency = {p["currency"]: p["billed_cost"] for p in status["periods"]}
    assert by_currency == {"USD": 10.0, "EUR": 7.0}


def test_status_json_has_the_documented_shape(tmp_path, store, cli_json):
    ingest_billing([_month(tmp_path, "a.csv", [1.25, 2])], store, now=LATER)
    (period,) = cli_json("store", "status", "--store", str(store))["periods"]
    assert {
        "source",
        "billing_period",
        "currency",
        "rows",
        "billed_cost",
        "effective_cost",
        "status",
    } <= set(period)
    assert period == period | {
        "source": "focus",
        "billing_period": "2025-03",
        "currency": "USD",
        "rows": 2,
        "billed_cost": 3.25,
        "effective_cost": 3.25,
        "status": "closed",
    }


def test_store_location_comes_from_the_environment(tmp_path, monkeypatch, cli_json):
    monkeypatch.setenv("FORECASTER_STORE", str(tmp_path / "envstore"))
    ingest_billing([_month(tmp_path, "a.csv", [1])], tmp_path / "envstore", now=LATER)
    assert len(cli_json("store", "status")["periods"]) == 1


def test_status_warns_when_two_sources_hold_the_same_period(tmp_path, store, cli, cli_json):
    ingest_billing([_month(tmp_path, "a.csv", [5])], store, source="cur", now=LATER)
    ingest_billing([_month(tmp_path, "b.csv", [5])], store, source="cost-explorer", now=LATER)
    ingest_billing([_month(tmp_path, "c.csv", [5], period="2025-02")], store, now=LATER)
    overlaps = cli_json("store", "status", "--store", str(store))["overlaps"]
    assert overlaps == [
        {"billing_period": "2025-03", "currency": "USD", "sources": ["cost-explorer", "cur"]}
    ]
    code, out = cli("store", "status", "--store", str(store))
    assert code == 0 and "overlap: 2025-03 USD is held by sources cost-explorer, cur" in out
