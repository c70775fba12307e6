"""Issue 20 case 11: billing and charge periods that cannot be right are refused, naming the
file, the row and the value; nothing is stored."""

from __future__ import annotations

import pytest

from tests.cur_builder import cur_rows, write_cur2
from tests.focus_builder import focus_row, write_focus
from tests.test_store_deliveries import MARCH, ingest, month_rows, stored


@pytest.fixture
def march(tmp_path, cli, capsys, store):
    path = write_focus(tmp_path / "stored" / "march.csv", month_rows("2025-03"))
    assert ingest(cli, capsys, store, path)[0] == 0
    return path


CASES = {
    "billing period ends before it starts": (
        {"BillingPeriodEnd": "2025-02-01T00:00:00Z"},
        "column BillingPeriodEnd",
        ["BillingPeriodEnd '2025-02-01T00:00:00Z'", "BillingPeriodStart '2025-04-01T00:00:00Z'"],
        "the next month's start",
    ),
    "billing period longer than a month": (
        {"BillingPeriodEnd": "2025-07-01T00:00:00Z"},
        "column BillingPeriodEnd",
        ["'2025-07-01T00:00:00Z'"],
        "the next month's start",
    ),
    "charge ends before it starts": (
        {"ChargePeriodStart": "2025-04-03T05:00:00Z", "ChargePeriodEnd": "2025-04-03T04:00:00Z"},
        "column ChargePeriodEnd",
        ["ChargePeriodEnd '2025-04-03T04:00:00Z'", "ChargePeriodStart '2025-04-03T05:00:00Z'"],
        "at or after its ChargePeriodStart",
    ),
    "charge years before its billing period": (
        {"ChargePeriodStart": "2019-04-03T00:00:00Z", "ChargePeriodEnd": "2019-04-03T01:00:00Z"},
        "column ChargePeriodStart",
        ["'2019-04-03T00:00:00Z'"],
        "at most 366 days before its billing period",
    ),
    "charge years after its billing period": (
        {"ChargePeriodStart": "2031-04-03T00:00:00Z", "ChargePeriodEnd": "2031-04-03T01:00:00Z"},
        "column ChargePeriodStart",
        ["'2031-04-03T00:00:00Z'"],
        "at most 31 days after it ends",
    ),
    "mid-month billing period start": (
        {"BillingPeriodStart": "2025-04-15T00:00:00Z", "BillingPeriodEnd": "2025-05-15T00:00:00Z"},
        "column BillingPeriodStart",
        ["'2025-04-15T00:00:00Z'"],
        "a month start",
    ),
    "a start at no real offset": (
        {"BillingPeriodStart": "2025-04-01T00:00:00+15:00"},
        "column BillingPeriodStart",
        ["'2025-04-01T00:00:00+15:00'"],
        "a month start",
    ),
}


@pytest.mark.parametrize("case", list(CASES))
def test_impossible_periods_are_refused_naming_file_row_and_value(
    tmp_path, cli, cli_json, capsys, store, march, case
):
    change, column, values, expected = CASES[case]
    rows = [focus_row(period="2025-04", day=d) for d in range(1, 6)]
    rows[2] = {**rows[2], **change}
    code, _, err = ingest(cli, capsys, store, write_focus(tmp_path / "april.csv", rows))
    assert code == 2
    assert err.count("\n") == 1 and "Traceback" not in err
    assert f"april.csv: {column}: 1 row(s) refused" in err
    assert "on data row 3" in err and expected in err
    for value in values:
        assert value in err
    assert stored(cli_json, store) == MARCH


def test_late_corrections_within_a_year_are_accepted(tmp_path, cli, cli_json, capsys, store):
    rows = [focus_row(period="2025-04", day=d) for d in range(1, 4)]
    rows.append(focus_row(period="2025-04", ChargePeriodStart="2024-06-01T00:00:00Z",
                          ChargePeriodEnd="2024-07-01T00:00:00Z", ChargeClass="Correction"))  # fmt: skip
    code, _, err = ingest(cli, capsys, store, write_focus(tmp_path / "april.csv", rows))
    assert code == 0, err
    assert stored(cli_json, store) == {("2025-04", "USD"): (4, 4.0)}


def test_a_cur_with_a_mid_month_billing_period_is_refused(tmp_path, cli, cli_json, capsys, store):
    rows = cur_rows()
    rows[5]["bill_billing_period_start_date"] = "2026-09-15T00:00:00Z"
    code, _, err = ingest(cli, capsys, store, write_cur2(tmp_path / "cur.parquet", rows))
    assert code == 2
    assert "cur.parquet: column bill_billing_period_start_date: 1 row(s) refused" in err
    assert "'2026-09-15T00:00:00Z' on data row 6" in err
    assert stored(cli_json, store) == {}
