"""Issue 20 cases 1-5: a stored month is never silently lost or counted twice, whatever the
deliveries look like. Real files, the real CLI, the store's content checked afterwards."""

from __future__ import annotations

import json
import shutil
from datetime import UTC, datetime

import pytest

from forecaster.store import read_charges
from tests.focus_builder import focus_row, month_bounds, write_focus


def month_rows(period: str, days: int = 31, per_day: int = 4, cost: float = 1.25, **extra):
    """``days * per_day`` rows of one billing period (124 for a whole March)."""
    return [
        focus_row(period=period, day=d, cost=cost, ResourceId=f"i-{d}-{k}", **extra)
        for d in range(1, days + 1)
        for k in range(per_day)
    ]


def stored(cli_json, store) -> dict[tuple[str, str], tuple[int, float]]:
    """{(period, currency): (rows, BilledCost)} as `store status --json` reports them."""
    status = cli_json("store", "status", "--store", str(store))
    return {
        (p["billing_period"], p["currency"]): (p["rows"], round(p["billed_cost"], 2))
        for p in status["periods"]
    }


def ingest(cli, capsys, store, *args):
    capsys.readouterr()
    code, out = cli("ingest", "billing", *map(str, args), "--store", str(store))
    return code, out, capsys.readouterr().err


@pytest.fixture
def march(tmp_path, cli, capsys, store):
    """The store holding a closed March 2025: 124 rows, 155.00 USD."""
    path = write_focus(tmp_path / "stored" / "march.csv", month_rows("2025-03"))
    code, _, err = ingest(cli, capsys, store, path)
    assert code == 0, err
    return path


MARCH = {("2025-03", "USD"): (124, 155.0)}


# -- case 1 ---------------------------------------------------------------------------------
def test_byte_identical_files_in_one_call_are_counted_once(tmp_path, cli, cli_json, capsys, store):
    folder = tmp_path / "exports"
    first = write_focus(folder / "march.csv", month_rows("2025-03"))
    shutil.copy(first, folder / "march-copy.csv")
    code, out, err = ingest(cli, capsys, store, folder)
    assert code == 0, err
    assert stored(cli_json, store) == MARCH
    assert "skipped" in out and "march-copy.csv" in out and "same content as" in out


def test_a_csv_and_its_gzip_are_the_same_content(tmp_path, cli, cli_json, capsys, store):
    import gzip

    folder = tmp_path / "exports"
    plain = write_focus(folder / "march.csv", month_rows("2025-03"))
    (folder / "march.csv.gz").write_bytes(gzip.compress(plain.read_bytes()))
    code, out, err = ingest(cli, capsys, store, folder)
    assert code == 0, err
    assert stored(cli_json, store) == MARCH


# -- case 2 ---------------------------------------------------------------------------------
def test_two_dated_deliveries_of_one_month_in_one_call_are_refused(
    tmp_path, cli, cli_json, capsys, store, march
):
    folder = tmp_path / "exports"
    write_focus(folder / "2025-03-v1" / "bill.csv", month_rows("2025-03", days=30))
    write_focus(folder / "2025-03-v2" / "bill.csv", month_rows("2025-03", cost=1.5))
    code, out, err = ingest(cli, capsys, store, folder)
    assert code == 2
    line = err.strip()
    assert "\n" not in line and "Traceback" not in err
    assert "2025-03 (focus) is delivered 2 times" in line
    assert "2025-03-v1/ (120 rows, BilledCost 150.00 USD)" in line
    assert "2025-03-v2/ (124 rows, BilledCost 186.00 USD)" in line
    assert stored(cli_json, store) == MARCH


def test_folders_of_other_accounts_or_days_are_parts_of_one_delivery(
    tmp_path, cli, cli_json, capsys, store
):
    folder = tmp_path / "exports"
    write_focus(folder / "aws" / "bill.csv", month_rows("2025-03", days=10))
    azure = month_rows("2025-03", days=10, BillingAccountId="azure-ea-1", ProviderName="Microsoft")
    write_focus(folder / "azure" / "bill.csv", azure)
    for day in (11, 12):  # one folder per day, as OCI writes them
        rows = [
            r for r in month_rows("2025-03", days=12) if r["ChargePeriodStart"][8:10] == f"{day}"
        ]
        write_focus(folder / f"day-{day}" / "bill.csv", rows)
    code, _, err = ingest(cli, capsys, store, folder)
    assert code == 0, err
    assert stored(cli_json, store) == {("2025-03", "USD"): (88, 110.0)}


def _legacy_cur_month(root, assembly: str, cost: float, keys: list[str]):
    import polars as pl

    from tests.cur_builder import cur_rows

    period = root / "20260901-20261001"
    (period / assembly).mkdir(parents=True, exist_ok=True)
    rows = cur_rows()
    for r in rows:
        r["line_item_unblended_cost"] = cost
    frame = pl.DataFrame(rows).rename(
        {
            "bill_billing_period_start_date": "bill/BillingPeriodStartDate",
            "bill_billing_period_end_date": "bill/BillingPeriodEndDate",
            "line_item_usage_start_date": "lineItem/UsageStartDate",
            "line_item_usage_end_date": "lineItem/UsageEndDate",
            "line_item_line_item_type": "lineItem/LineItemType",
            "line_item_unblended_cost": "lineItem/UnblendedCost",
            "line_item_currency_code": "lineItem/CurrencyCode",
        }
    )
    frame.write_csv(period / assembly / "report-00001.csv")
    manifest = {"assemblyId": assembly, "reportKeys": keys, "billingPeriod": {}}
    (period / assembly / "report-Manifest.json").write_text(json.dumps(manifest))
    return period


def test_legacy_cur_versioned_folders_keep_the_delivery_the_manifest_names(
    tmp_path, cli, cli_json, capsys, store
):
    root = tmp_path / "cur" / "report"
    prefix = "prefix/report/20260901-20261001"
    _legacy_cur_month(root, "aaaa-old", 1.0, [f"{prefix}/aaaa-old/report-00001.csv"])
    period = _legacy_cur_month(root, "bbbb-new", 2.0, [f"{prefix}/bbbb-new/report-00001.csv"])
    current = {"assemblyId": "bbbb-new", "reportKeys": [f"{prefix}/bbbb-new/report-00001.csv"]}
    (period / "report-Manifest.json").write_text(json.dumps(current))
    code, out, err = ingest(cli, capsys, store, tmp_path / "cur")
    assert code == 0, err
    assert "aaaa-old/report-00001.csv: an older delivery" in out
    assert stored(cli_json, store) == {("2026-09", "USD"): (14, 28.0)}


def test_a_manifest_naming_a_missing_file_refuses_the_delivery(
    tmp_path, cli, cli_json, capsys, store
):
    root = tmp_path / "cur" / "report"
    prefix = "prefix/report/20260901-20261001"
    keys = [f"{prefix}/cccc/report-00001.csv", f"{prefix}/cccc/report-00002.csv"]
    period = _legacy_cur_month(root, "cccc", 1.0, keys)
    (period / "report-Manifest.json").write_text(
        json.dumps({"assemblyId": "c", "reportKeys": keys})
    )
    code, _, err = ingest(cli, capsys, store, tmp_path / "cur")
    assert code == 2
    assert "cccc/report-00002.csv" in err and "the delivery is incomplete" in err
    assert stored(cli_json, store) == {}


# -- case 3 ---------------------------------------------------------------------------------
def test_rows_of_march_carried_by_aprils_file_do_not_replace_march(
    tmp_path, cli, cli_json, capsys, store, march
):
    april = month_rows("2025-04", days=30) + [focus_row(period="2025-03", day=31, cost=9)]
    path = write_focus(tmp_path / "april.csv", april)
    code, _, err = ingest(cli, capsys, store, path)
    assert code == 2
    assert err.count("\n") == 1 and "Traceback" not in err
    assert "2025-03 (focus) not replaced" in err
    assert "april.csv (1 row(s) of 2025-03)" in err
    assert "stored 124 row(s), BilledCost 155.00 USD" in err
    assert "this delivery 1 row(s), BilledCost 9.00 USD" in err
    assert "--replace 2025-03" in err
    assert stored(cli_json, store) == MARCH  # April was not stored either: all or nothing

    code, out, err = ingest(cli, capsys, store, path, "--replace", "2025-03")
    assert code == 0, err
    assert stored(cli_json, store) == {
        ("2025-03", "USD"): (1, 9.0),
        ("2025-04", "USD"): (120, 150.0),
    }
    assert "RESTATEMENT: closed month 2025-03" in out


def test_a_delivery_under_half_the_stored_rows_is_refused(
    tmp_path, cli, cli_json, capsys, store, march
):
    path = write_focus(tmp_path / "part-1.csv", month_rows("2025-03", days=15))
    code, _, err = ingest(cli, capsys, store, path)
    assert code == 2
    assert "under 50% of the stored rows" in err and "this delivery 60 row(s)" in err
    assert stored(cli_json, store) == MARCH


def test_carried_rows_of_an_unstored_month_are_stored_as_partial(
    tmp_path, cli, cli_json, capsys, store
):
    april = month_rows("2025-04", days=30) + [focus_row(period="2025-03", day=31, cost=9)]
    code, out, err = ingest(cli, capsys, store, write_focus(tmp_path / "april.csv", april))
    assert code == 0, err
    assert "2025-03 (focus): only 1 row(s) carried" in out
    code, status = cli("store", "status", "--store", str(store))
    assert "2025-03" in status and "(partial: only rows carried" in status
    march = write_focus(tmp_path / "march.csv", month_rows("2025-03"))
    code, out, err = ingest(cli, capsys, store, march)  # the month's own delivery replaces it
    assert code == 0, err
    assert stored(cli_json, store)[("2025-03", "USD")] == (124, 155.0)


def test_a_restated_carrier_replaces_the_partial_month_it_carried(
    tmp_path, cli, cli_json, capsys, store
):
    april = month_rows("2025-04", days=30) + [focus_row(period="2025-03", day=31, cost=9)]
    code, _, err = ingest(cli, capsys, store, write_focus(tmp_path / "april.csv", april))
    assert code == 0, err
    restated = month_rows("2025-04", days=30, cost=2) + [
        focus_row(period="2025-03", day=31, cost=7)
    ]
    path = write_focus(tmp_path / "april-restated.csv", restated)
    code, out, err = ingest(cli, capsys, store, path)
    assert code == 0, err
    assert stored(cli_json, store) == {
        ("2025-03", "USD"): (1, 7.0),  # the restated carried row, not both
        ("2025-04", "USD"): (120, 240.0),
    }


def test_carried_rows_from_another_file_do_not_replace_a_partial_month(
    tmp_path, cli, cli_json, capsys, store
):
    april = month_rows("2025-04", days=30) + [focus_row(period="2025-03", day=31, cost=9)]
    code, _, err = ingest(cli, capsys, store, write_focus(tmp_path / "april.csv", april))
    assert code == 0, err
    may = month_rows("2025-05", days=31) + [focus_row(period="2025-03", day=30, cost=5)]
    code, _, err = ingest(cli, capsys, store, write_focus(tmp_path / "may.csv", may))
    assert code == 2
    assert "2025-03 (focus) not replaced" in err and "may.csv (1 row(s) of 2025-03)" in err
    assert stored(cli_json, store)[("2025-03", "USD")] == (1, 9.0)


# -- case 4 ---------------------------------------------------------------------------------
def local_month_rows(period: str, offset: str, days: int) -> list[dict]:
    """One row a day of ``period`` whose billing period runs from local midnight at UTC
    ``offset`` (``+05:30``) on the 1st to the next month's."""
    start, end = (t.replace("Z", offset) for t in month_bounds(period))
    return [
        focus_row(period=period, day=d, BillingPeriodStart=start, BillingPeriodEnd=end)
        for d in range(1, days + 1)
    ]


def test_a_local_month_start_with_an_offset_is_that_local_month(
    tmp_path, cli, cli_json, capsys, store, march
):
    rows = local_month_rows("2025-04", "+05:30", days=10)
    code, _, err = ingest(cli, capsys, store, write_focus(tmp_path / "india.csv", rows))
    assert code == 0, err
    assert stored(cli_json, store) == {**MARCH, ("2025-04", "USD"): (10, 10.0)}
    months = read_charges(store).collect()["BillingPeriodStart"].dt.strftime("%Y-%m")
    assert months.value_counts().sort("BillingPeriodStart").rows() == [
        ("2025-03", 124),
        ("2025-04", 10),
    ]


def test_google_pacific_months_are_their_months(tmp_path, cli, cli_json, capsys, store):
    rows = local_month_rows("2024-09", "-07:00", days=3)
    code, _, err = ingest(cli, capsys, store, write_focus(tmp_path / "gcp.csv", rows))
    assert code == 0, err
    assert stored(cli_json, store) == {("2024-09", "USD"): (3, 3.0)}


def test_a_billing_period_start_that_is_no_month_start_is_refused(
    tmp_path, cli, cli_json, capsys, store, march
):
    rows = month_rows("2025-03")[:5] + [focus_row(BillingPeriodStart="2025-03-15T00:00:00Z")]
    code, _, err = ingest(cli, capsys, store, write_focus(tmp_path / "odd.csv", rows))
    assert code == 2
    assert "odd.csv: column BillingPeriodStart" in err and "'2025-03-15T00:00:00Z'" in err
    assert "data row 6" in err and "a month start" in err
    assert stored(cli_json, store) == MARCH


# -- case 5 ---------------------------------------------------------------------------------
def test_an_open_month_redelivered_with_fewer_days_is_flagged(
    tmp_path, cli, cli_json, capsys, store
):
    now = datetime.now(UTC)
    period = f"{now.year:04d}-{now.month:02d}"  # the current month is open
    code, _, err = ingest(
        cli, capsys, store, write_focus(tmp_path / "a.csv", month_rows(period, days=20))
    )
    assert code == 0, err
    code, out, err = ingest(
        cli, capsys, store, write_focus(tmp_path / "b.csv", month_rows(period, days=14))
    )
    assert code == 0, err
    assert f"RESTATEMENT: open month {period}" in out
    assert "its charges now end" in out
    assert stored(cli_json, store) == {(period, "USD"): (56, 70.0)}
    restatement = cli_json("store", "status", "--store", str(store))["restatements"][-1]
    assert restatement["flagged"] is True and restatement["previous_status"] == "open"


def test_a_restated_copy_beside_the_original_in_one_folder_is_refused(
    tmp_path, cli, cli_json, capsys, store, march
):
    folder = tmp_path / "exports"
    write_focus(folder / "march.csv", month_rows("2025-03"))
    write_focus(folder / "march-restated.csv", month_rows("2025-03", cost=1.3))
    code, _, err = ingest(cli, capsys, store, folder)
    assert code == 2 and err.count("\n") == 1
    assert "2025-03 (focus) is delivered twice in this call" in err
    assert "march.csv (124 rows, BilledCost 155.00 USD)" in err
    assert "march-restated.csv (124 rows, BilledCost 161.20 USD)" in err
    assert stored(cli_json, store) == MARCH


def test_part_files_of_one_export_are_one_delivery(tmp_path, cli, cli_json, capsys, store):
    rows = month_rows("2025-03")
    folder = tmp_path / "exports"
    write_focus(folder / "part-00001.csv", rows[:70])
    write_focus(folder / "part-00002.csv", rows[70:])
    code, _, err = ingest(cli, capsys, store, folder)
    assert code == 0, err
    assert stored(cli_json, store) == MARCH


# -- another provider's export under the same source name ----------------------------------
def test_another_providers_export_of_the_month_does_not_replace_the_stored_one(
    tmp_path, cli, cli_json, capsys, store, march
):
    """An Azure export of March is no re-delivery of the AWS March stored as "focus"."""
    azure = month_rows("2025-03", cost=2.0, provider="Microsoft", BillingAccountId="ea-77")
    path = write_focus(tmp_path / "azure" / "march.csv", azure)
    code, _, err = ingest(cli, capsys, store, path)
    assert code == 2 and stored(cli_json, store) == MARCH
    line = err.strip().splitlines()[-1]
    assert "AWS account 0012345" in line and "Microsoft account ea-77" in line
    assert "--store-as focus-microsoft" in line and "--replace 2025-03" in line
    assert "Traceback" not in err
    code, _, err = ingest(cli, capsys, store, path, "--store-as", "focus-microsoft")
    assert code == 0, err
    status = cli_json("store", "status", "--store", str(store))
    assert sorted((p["source"], p["billed_cost"]) for p in status["periods"]) == [
        ("focus", 155.0),
        ("focus-microsoft", 248.0),
    ]


def test_a_redelivery_billing_more_accounts_replaces_the_stored_month(
    tmp_path, cli, cli_json, capsys, store, march
):
    rows = month_rows("2025-03") + month_rows("2025-03", cost=0.5, BillingAccountId="0099")
    code, _, err = ingest(cli, capsys, store, write_focus(tmp_path / "v2" / "march.csv", rows))
    assert code == 0, err
    assert stored(cli_json, store) == {("2025-03", "USD"): (248, 217.0)}
