"""FOCUS as Parquet with typed columns, format forcing, and the ingest CLI's JSON."""

from __future__ import annotations

import json

import polars as pl
import pytest

from forecaster.ingest import ingest_billing
from forecaster.store import read_charges
from tests.conftest import FIXTURES


@pytest.fixture
def focus_parquet(tmp_path):
    """The official FOCUS sample as Parquet the way engines write it: numeric ids, naive
    timestamps, Tags as a map."""
    frame = pl.read_csv(
        FIXTURES / "billing" / "focus-1.0-sample.csv", infer_schema=False, null_values=["NULL"]
    ).filter(pl.col("ProviderName") == "AWS")  # AWS account ids are numeric
    typed = frame.with_columns(
        pl.col("BillingAccountId", "SubAccountId").cast(pl.Int64),
        pl.col("BilledCost", "EffectiveCost", "ListCost", "ContractedCost").cast(pl.Float64),
        pl.col(
            "BillingPeriodStart", "BillingPeriodEnd", "ChargePeriodStart", "ChargePeriodEnd"
        ).str.to_datetime("%Y-%m-%d %H:%M:%S"),
    )
    path = tmp_path / "focus.parquet"
    typed.write_parquet(path)
    return path, frame


def test_focus_parquet_reconciles_and_keeps_ids_as_text(focus_parquet, store):
    path, frame = focus_parquet
    report = ingest_billing([path], store)
    expected = (
        frame.with_columns(pl.col("BilledCost").cast(pl.Float64))
        .group_by(pl.col("BillingPeriodStart").str.slice(0, 7))
        .agg(pl.col("BilledCost").sum(), pl.len())
    )
    got = {p.billing_period: (p.rows, p.billed_cost) for p in report.periods}
    for period, billed, rows in expected.iter_rows():
        assert got[period][0] == rows
        assert got[period][1] == pytest.approx(billed, abs=0.005)
    charges = read_charges(store).collect()
    assert charges.schema["BillingAccountId"] == pl.String
    assert charges["ChargePeriodStart"].dtype == pl.Datetime("us", "UTC")


def test_ingest_json_reports_every_period_and_currency(cli, store):
    code, out = cli(
        "ingest", "billing", str(FIXTURES / "billing" / "focus-1.0-sample.csv"),
        "--store", str(store), "--json",
    )  # fmt: skip
    assert code == 0
    report = json.loads(out)
    periods = {(p["billing_period"], p["currency"]): p for p in report["periods"]}
    assert set(periods) == {("2024-09", "USD"), ("2024-10", "USD")}
    september = periods[("2024-09", "USD")]
    assert september["rows"] == 999 and september["action"] == "new"
    assert set(september["reconciliation"]) >= {"BilledCost", "EffectiveCost", "ListCost"}
    for check in september["reconciliation"].values():
        assert abs(check["source"] - check["stored"]) < 0.005


def test_a_file_of_another_kind_is_refused_with_the_formats_expected(tmp_path, store):
    path = tmp_path / "traffic.csv"
    path.write_text("timestamp,value\n2025-01-01T00:00:00Z,3\n")
    with pytest.raises(Exception, match="expected FOCUS .* or AWS CUR"):
        ingest_billing([path], store)
