"""AWS CUR 2.0 and legacy Parquet: amortized EffectiveCost and FOCUS categories by hand."""

from __future__ import annotations

import json

import polars as pl
import pytest

from forecaster.ingest import ingest_billing
from forecaster.store import read_charges
from tests.cur_builder import (
    AMORTIZATION_CASES,
    EXPECTED_BILLED_TOTAL,
    EXPECTED_EFFECTIVE_TOTAL,
    cur_rows,
    write_cur2,
    write_legacy_parquet,
)


@pytest.fixture(params=["cur2", "cur-legacy"])
def cur_file(request, tmp_path):
    writer = write_cur2 if request.param == "cur2" else write_legacy_parquet
    return request.param, writer(tmp_path / "export" / "part-0.parquet", cur_rows())


def _charges(store):
    return read_charges(store).collect().sort("ResourceId")


def test_format_is_detected_from_the_columns(cur_file, store):
    fmt, path = cur_file
    report = ingest_billing([path], store)
    assert report.files[0]["format"] == fmt


@pytest.mark.parametrize("index", range(len(AMORTIZATION_CASES)))
def test_effective_cost_is_amortized_per_line_item_type(cur_file, store, index):
    _, path = cur_file
    ingest_billing([path], store)
    row = _charges(store).row(index, named=True)
    line_type, unblended, _, effective, category = AMORTIZATION_CASES[index]
    assert row["x_LineItemType"] == line_type
    assert row["BilledCost"] == pytest.approx(unblended)
    assert row["EffectiveCost"] == pytest.approx(effective, abs=1e-9)
    assert row["ChargeCategory"] == category


def test_totals_match_the_hand_computed_amortization(cur_file, store):
    _, path = cur_file
    report = ingest_billing([path], store)
    (period,) = report.periods
    assert period.effective_cost == pytest.approx(EXPECTED_EFFECTIVE_TOTAL)
    assert period.billed_cost == pytest.approx(EXPECTED_BILLED_TOTAL)


def test_refunds_are_corrections_in_their_original_category(cur_file, store):
    _, path = cur_file
    ingest_billing([path], store)
    refunds = _charges(store).filter(pl.col("x_LineItemType") == "Refund")
    assert refunds["ChargeClass"].to_list() == ["Correction", "Correction"]
    assert sorted(refunds["ChargeCategory"].to_list()) == ["Tax", "Usage"]
    assert (refunds["BilledCost"] < 0).all()


def test_cur2_maps_become_focus_tags_and_service_name(tmp_path, store):
    path = write_cur2(tmp_path / "p.parquet", cur_rows())
    ingest_billing([path], store)
    charges = _charges(store)
    tags = json.loads(charges["Tags"][0])
    assert tags == {"user:team": "search", "aws:createdBy": 'a "quoted" id'}
    assert charges["ServiceName"].unique().to_list() == ["Amazon Elastic Compute Cloud"]
    assert charges["ServiceCategory"].unique().to_list() == ["Compute"]
    assert charges["RegionId"].unique().to_list() == ["us-east-1"]


def test_legacy_parquet_tag_columns_become_focus_tags(tmp_path, store):
    path = write_legacy_parquet(tmp_path / "p.parquet", cur_rows())
    ingest_billing([path], store)
    assert json.loads(_charges(store)["Tags"][0]) == {"user:team": "search"}


def test_commitment_ids_and_pricing_category(tmp_path, store):
    ingest_billing([write_cur2(tmp_path / "p.parquet", cur_rows())], store)
    charges = _charges(store)
    covered = charges.filter(pl.col("x_LineItemType") == "SavingsPlanCoveredUsage").row(
        0, named=True
    )
    assert covered["PricingCategory"] == "Committed"
    assert covered["CommitmentDiscountId"].startswith("arn:aws:savingsplans")
    on_demand = charges.filter(pl.col("x_LineItemType") == "Usage").row(0, named=True)
    assert on_demand["PricingCategory"] == "Standard"
    assert on_demand["ConsumedQuantity"] == 1.0
    tax = charges.filter(pl.col("x_LineItemType") == "Tax").row(0, named=True)
    assert tax["ConsumedQuantity"] is None


def test_forcing_the_wrong_format_fails_naming_the_missing_columns(tmp_path, store):
    path = write_cur2(tmp_path / "p.parquet", cur_rows())
    with pytest.raises(Exception, match="missing column"):
        ingest_billing([path], store, fmt="focus")
