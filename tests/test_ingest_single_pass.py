"""The single-pass ingest: timestamps read in the file's own layout, with the general
parsers when a later row is written differently; a file of several periods split from what
was written; values that do not parse named whatever their row."""

from __future__ import annotations

from datetime import UTC, datetime

import polars as pl
import pytest

from forecaster.billing.source import SAMPLE_ROWS
from forecaster.errors import InputError
from forecaster.ingest import ingest_billing
from forecaster.store import read_charges
from tests.focus_builder import focus_row, write_focus


def _rows(n: int, period: str = "2025-03") -> list[dict]:
    return [focus_row(period=period, day=1 + i % 28, cost=0.01 * (i % 7 + 1)) for i in range(n)]


def test_a_later_row_in_another_layout_is_read_like_the_others(tmp_path, store):
    rows = _rows(SAMPLE_ROWS + 50)
    for r in rows[:SAMPLE_ROWS]:  # the sample: "2025-03-01 00:00:00", no zone
        for c in ("BillingPeriodStart", "BillingPeriodEnd", "ChargePeriodStart", "ChargePeriodEnd"):
            r[c] = r[c].replace("T", " ").removesuffix("Z")
    rows[-1]["ChargePeriodStart"] = "2025-03-05T01:30:00+01:00"  # 00:30 UTC
    rows[-1]["ChargePeriodEnd"] = "2025-03-05T02:30:00+01:00"
    report = ingest_billing([write_focus(tmp_path / "mixed.csv", rows)], store)
    (period,) = report.periods
    assert period.rows == SAMPLE_ROWS + 50
    starts = read_charges(store).select(pl.col("ChargePeriodStart")).collect()["ChargePeriodStart"]
    assert starts.null_count() == 0
    assert datetime(2025, 3, 5, 0, 30, tzinfo=UTC) in starts.to_list()


def test_a_bad_timestamp_after_the_sample_is_named_with_its_row(tmp_path, store):
    rows = _rows(SAMPLE_ROWS + 10)
    rows[SAMPLE_ROWS + 4]["ChargePeriodStart"] = "yesterday"
    path = write_focus(tmp_path / "bad.csv", rows)
    with pytest.raises(
        InputError,
        match=r"ChargePeriodStart: 1 value\(s\) are not a timestamp, first 'yesterday' on data row 1005",
    ):
        ingest_billing([path], store)
    assert read_charges(store).collect().is_empty()


def test_a_file_of_two_periods_is_stored_per_period_to_the_cent(tmp_path, store):
    rows = _rows(300, "2025-03") + _rows(200, "2025-04")
    report = ingest_billing([write_focus(tmp_path / "two.csv", rows)], store)
    by_period = {p.billing_period: p for p in report.periods}
    assert {k: v.rows for k, v in by_period.items()} == {"2025-03": 300, "2025-04": 200}
    expected = {
        period: sum(0.01 * (i % 7 + 1) for i in range(n))
        for period, n in (("2025-03", 300), ("2025-04", 200))
    }
    for period, total in expected.items():
        assert round(by_period[period].billed_cost, 2) == round(total, 2)
    stored = (
        read_charges(store)
        .group_by(pl.col("BillingPeriodStart").dt.strftime("%Y-%m").alias("p"))
        .agg(pl.len())
        .collect()
    )
    assert dict(stored.iter_rows()) == {"2025-03": 300, "2025-04": 200}
