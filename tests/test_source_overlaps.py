"""Two billing sources holding the same billing period and currency (Cost Explorer and a CUR
for the same months, or one bill ingested from two places) would be added together by every
spend view. `store status` and the review pack warn about exactly the same overlaps (one
shared check, ``source_overlaps``)."""

from __future__ import annotations

import pytest

from forecaster.ingest import ingest_billing
from forecaster.review.quality import partition_notes
from forecaster.store import BillingStore
from forecaster.store.billing import partition_overlaps
from tests.conftest import FIXTURES

FOCUS = FIXTURES / "billing" / "focus-1.0-sample.csv"  # real FOCUS 1.0, 2024-09 (+1 row 2024-10)
CUR = FIXTURES / "billing" / "aws-legacy-cur-sample.csv"  # real legacy CUR, 2023-11


@pytest.fixture(scope="module")
def twice(tmp_path_factory):
    """The same real FOCUS bill ingested from two feeds, and a CUR for another month."""
    store = tmp_path_factory.mktemp("overlap") / "store"
    ingest_billing([FOCUS], store, source="focus-export")
    ingest_billing([FOCUS], store, source="focus-s3")
    ingest_billing([CUR], store, source="cur")
    return store


@pytest.fixture(scope="module")
def once(tmp_path_factory):
    """Two sources, each holding its own months: nothing is counted twice."""
    store = tmp_path_factory.mktemp("no-overlap") / "store"
    ingest_billing([FOCUS], store, source="focus-export")
    ingest_billing([CUR], store, source="cur")
    return store


# -- the shared check ---------------------------------------------------------------------
def test_catalog_partitions_give_the_same_overlaps_as_store_status(twice, cli_json):
    status = cli_json("store", "status", "--store", str(twice))["overlaps"]
    both = ["focus-export", "focus-s3"]
    assert status == [
        {"billing_period": "2024-09", "currency": "USD", "sources": both},
        {"billing_period": "2024-10", "currency": "USD", "sources": both},
    ]
    assert partition_overlaps(BillingStore(twice).partitions()) == status


def test_sources_in_different_months_do_not_overlap(once):
    assert partition_overlaps(BillingStore(once).partitions()) == []


def test_the_same_month_in_different_currencies_does_not_overlap():
    parts = [
        {"source": "aws", "billing_period": "2026-09", "totals": {"USD": {}}},
        {"source": "azure", "billing_period": "2026-09", "totals": {"EUR": {}}},
    ]
    assert partition_overlaps(parts) == []


def test_review_pack_notes_overlaps_of_the_compared_months_per_currency(twice):
    notes = partition_notes(BillingStore(twice).partitions(), "2024-10")
    overlaps = [n for n in notes if n["kind"] == "overlapping_sources"]
    assert [(n["period"], n["currency"]) for n in overlaps] == [
        ("2024-09", "USD"),
        ("2024-10", "USD"),
    ]
    assert "(focus-export, focus-s3)" in overlaps[0]["detail"]
    assert "--source" in overlaps[0]["detail"]
    later = partition_notes(BillingStore(twice).partitions(), "2024-12")  # compares 2024-11
    assert [n for n in later if n["kind"] == "overlapping_sources"] == []
