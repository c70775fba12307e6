"""Invariants of ingestion, over generated billing files."""

from __future__ import annotations

import tempfile
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from forecaster.ingest import ingest_billing
from forecaster.store import BillingStore, read_charges
from tests.focus_builder import focus_row, write_focus

NOW = datetime(2026, 1, 15, tzinfo=UTC)

rows_strategy = st.lists(
    st.builds(
        focus_row,
        period=st.sampled_from(["2025-01", "2025-02", "2025-12"]),
        day=st.integers(1, 28),
        cost=st.decimals(min_value=-500, max_value=5000, places=6).map(lambda d: d.normalize()),
        currency=st.sampled_from(["USD", "EUR"]),
        service=st.sampled_from(["Amazon EC2", "Azure SQL", "=HYPERLINK()", 'quo"te']),
    ),
    min_size=1,
    max_size=40,
)
SETTINGS = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _snapshot(store: Path):
    return {
        str(p.relative_to(store)): p.read_bytes()
        for p in sorted(store.rglob("*"))
        if p.is_file() and p.name != ".lock"
    }


@SETTINGS
@given(rows=rows_strategy)
def test_ingesting_twice_changes_nothing(rows):
    with tempfile.TemporaryDirectory() as tmp:
        path = write_focus(Path(tmp) / "bill.csv", rows)
        store = Path(tmp) / "store"
        ingest_billing([path], store, now=NOW)
        before = _snapshot(store)
        report = ingest_billing([path], store, now=NOW)
        assert {p.action for p in report.periods} == {"unchanged"}
        assert _snapshot(store) == before


@SETTINGS
@given(rows=rows_strategy)
def test_stored_totals_equal_source_totals_per_period_and_currency(rows):
    expected: dict[tuple[str, str], Decimal] = {}
    for r in rows:
        key = (r["BillingPeriodStart"][:7], r["BillingCurrency"])
        expected[key] = expected.get(key, Decimal(0)) + Decimal(r["BilledCost"])
    with tempfile.TemporaryDirectory() as tmp:
        store = Path(tmp) / "store"
        ingest_billing([write_focus(Path(tmp) / "bill.csv", rows)], store, now=NOW)
        totals = {
            (p["billing_period"], c): t["billed_cost"]
            for p in BillingStore(store).partitions()
            for c, t in p["totals"].items()
        }
        assert set(totals) == set(expected)
        for key, value in expected.items():
            assert abs(Decimal(str(totals[key])) - value) < Decimal("0.005")
        assert read_charges(store).collect().height == len(rows)


@SETTINGS
@given(first=rows_strategy, second=rows_strategy)
def test_a_redelivery_leaves_exactly_the_new_rows_for_its_periods(first, second):
    with tempfile.TemporaryDirectory() as tmp:
        store = Path(tmp) / "store"
        ingest_billing([write_focus(Path(tmp) / "a.csv", first)], store, now=NOW)
        redelivered = {r["BillingPeriodStart"][:7] for r in second}
        # forced: the replacement rule may refuse small deliveries (test_store_deliveries.py)
        ingest_billing(
            [write_focus(Path(tmp) / "b.csv", second)], store, now=NOW, replace=redelivered
        )
        kept = [r for r in first if r["BillingPeriodStart"][:7] not in redelivered]
        assert read_charges(store).collect().height == len(kept) + len(second)
