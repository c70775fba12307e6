"""Issue 20 cases 6-7: column names match whatever their case, and money is stored to the
cent or refused. Real files through the real CLI; the store checked afterwards."""

from __future__ import annotations

import csv
import json
from decimal import Decimal

import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from forecaster.store import read_charges
from tests.focus_builder import HEADER, focus_row, write_focus
from tests.test_store_deliveries import MARCH, ingest, month_rows, stored


@pytest.fixture
def march(tmp_path, cli, capsys, store):
    path = write_focus(tmp_path / "stored" / "march.csv", month_rows("2025-03"))
    assert ingest(cli, capsys, store, path)[0] == 0
    return path


def _write(path, header, rows):
    with open(path, "w", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        writer.writerows(rows)
    return path


# -- case 6 ---------------------------------------------------------------------------------
def test_optional_columns_in_another_case_are_read(tmp_path, cli, cli_json, capsys, store):
    rows = [focus_row(day=d, cost=2, ListCost="3.5") for d in range(1, 5)]
    header = [{"ListCost": "listcost", "Tags": "tags"}.get(h, h) for h in HEADER]
    body = [[r[h] for h in HEADER] for r in rows]
    path = _write(tmp_path / "lower.csv", header, body)
    code, out, err = ingest(cli, capsys, store, path)
    assert code == 0, err
    (period,) = cli_json("store", "status", "--store", str(store))["periods"]
    assert period["list_cost"] == pytest.approx(14.0)
    charges = read_charges(store).collect()
    assert json.loads(charges["Tags"][0]) == {"team": "search"}
    assert "ListCost" in out  # reconciled, and said so


def test_mandatory_columns_in_another_case_are_read(tmp_path, cli, cli_json, capsys, store):
    rows = [focus_row(day=d, cost=2) for d in range(1, 5)]
    header = [h.upper() for h in HEADER]
    path = _write(tmp_path / "upper.csv", header, [[r[h] for h in HEADER] for r in rows])
    code, _, err = ingest(cli, capsys, store, path)
    assert code == 0, err
    assert stored(cli_json, store) == {("2025-03", "USD"): (4, 8.0)}


def test_legacy_cur_headers_in_another_case_are_read(tmp_path, cli, cli_json, capsys, store):
    from tests.conftest import FIXTURES

    src = FIXTURES / "billing" / "aws-legacy-cur-sample.csv"
    frame = pl.read_csv(src, infer_schema=False)
    lowered = frame.rename(
        {c: c.lower() for c in frame.columns if not c.startswith("resourceTags")}
    )
    lowered.write_csv(tmp_path / "lower-cur.csv")
    code, _, err = ingest(cli, capsys, store, tmp_path / "lower-cur.csv")
    assert code == 0, err
    total = frame["lineItem/UnblendedCost"].cast(pl.Decimal(38, 12)).sum()
    ((period, currency), (rows, billed)), *_ = stored(cli_json, store).items()
    assert rows == 1281 and abs(Decimal(str(billed)) - total) < Decimal("0.005")


@pytest.mark.parametrize(
    "second",
    ["BilledCost", "billedcost", "BILLEDCOST"],
    ids=["repeated header", "lower case", "upper case"],
)
def test_a_second_billed_cost_column_is_refused(
    tmp_path, cli, cli_json, capsys, store, march, second
):
    rows = [focus_row(day=d, cost=2) for d in range(1, 5)]
    path = _write(
        tmp_path / "twice.csv",
        [*HEADER, second],
        [[r[h] for h in HEADER] + ["999"] for r in rows],
    )
    code, _, err = ingest(cli, capsys, store, path)
    assert code == 2
    assert "twice.csv: columns 'BilledCost', " in err and "are all column BilledCost" in err
    assert "Traceback" not in err and err.count("\n") == 1
    assert stored(cli_json, store) == MARCH


# -- case 7 ---------------------------------------------------------------------------------
@pytest.mark.parametrize("value", ["inf", "-Infinity", "NaN", "12345678901234567.89"])
def test_money_that_cannot_be_kept_to_the_cent_is_refused(
    tmp_path, cli, cli_json, capsys, store, march, value
):
    rows = [focus_row(period="2025-04", day=d) for d in range(1, 4)]
    rows.append(focus_row(period="2025-04", day=4, BilledCost=value))
    code, out, err = ingest(cli, capsys, store, write_focus(tmp_path / "money.csv", rows))
    if value == "NaN":  # exports write NaN for "no value", like NULL: an empty cell
        assert code == 0, err
        return
    assert code == 2
    assert "money.csv: column BilledCost" in err and repr(value) in err
    assert "data row 4" in err and "to the cent" not in out
    assert stored(cli_json, store) == MARCH


def test_parquet_decimals_are_totalled_exactly(tmp_path, cli, cli_json, capsys, store):
    rows = [focus_row(period="2025-04", day=d) for d in range(1, 11)]
    frame = pa.Table.from_pylist(rows)
    exact = pa.array(
        [Decimal("0.000000000000000001") + Decimal("0.333")] * 10, pa.decimal128(38, 18)
    )
    frame = frame.set_column(frame.schema.get_field_index("BilledCost"), "BilledCost", exact)
    pq.write_table(frame, tmp_path / "dec.parquet")
    code, out, err = ingest(cli, capsys, store, tmp_path / "dec.parquet")
    assert code == 0, err
    assert stored(cli_json, store) == {("2025-04", "USD"): (10, 3.33)}
    assert "to the cent (BilledCost" in out


def test_a_parquet_decimal_too_large_for_the_cent_is_refused(
    tmp_path, cli, cli_json, capsys, store, march
):
    rows = [focus_row(period="2025-04", day=d) for d in range(1, 3)]
    frame = pa.Table.from_pylist(rows)
    big = pa.array(
        [Decimal("1.5"), Decimal("12345678901234567.890000000000000001")], pa.decimal128(38, 18)
    )
    frame = frame.set_column(frame.schema.get_field_index("BilledCost"), "BilledCost", big)
    pq.write_table(frame, tmp_path / "big.parquet")
    code, _, err = ingest(cli, capsys, store, tmp_path / "big.parquet")
    assert code == 2
    assert "big.parquet: column BilledCost" in err and "data row 2" in err
    assert "cannot be kept to the cent" in err
    assert stored(cli_json, store) == MARCH


def test_source_totals_are_exact_not_float_sums(tmp_path, cli, cli_json, capsys, store):
    """A million-dollar row plus many sub-cent rows: the exact total is what reconciles."""
    rows = [focus_row(period="2025-04", day=1, cost="1000000.01")]
    rows += [
        focus_row(period="2025-04", day=2, cost="0.000001", ResourceId=f"r{i}") for i in range(2000)
    ]
    code, out, err = ingest(cli, capsys, store, write_focus(tmp_path / "mix.csv", rows))
    assert code == 0, err
    report = cli_json("store", "status", "--store", str(store))["periods"][0]
    assert abs(Decimal(str(report["billed_cost"])) - Decimal("1000000.012")) < Decimal("0.005")
