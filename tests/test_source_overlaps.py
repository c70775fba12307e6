"""Two billing sources holding the same billing period and currency (Cost Explorer and a CUR
for the same months, or one bill ingested from two places) would be added together by every
spend view. `store status`, the review pack and the dashboard warn about exactly the same
overlaps (one shared check, ``source_overlaps``), and the dashboard's warning names the
``--source`` choice that counts each period once."""

from __future__ import annotations

import pytest
from dash import html

from dashboard import components as ui
from forecaster.ingest import ingest_billing
from forecaster.review.quality import partition_notes
from forecaster.store import BillingStore
from forecaster.store.billing import partition_overlaps
from forecaster.views.data import overlap_warning
from tests.conftest import FIXTURES
from tests.dashboard_support import EVIL

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


def texts(component) -> list[str]:
    """Every text in a component tree, asserting it holds only html components and strings
    (text Dash sets as text content: no Markdown, no raw HTML)."""
    if component is None:
        return []
    if isinstance(component, str):
        return [component]
    if isinstance(component, list):
        return [t for c in component for t in texts(c)]
    assert type(component).__module__.startswith("dash.html"), type(component)
    return texts(component.children)


# -- the shared check ---------------------------------------------------------------------
def test_dashboard_sees_the_same_overlaps_as_store_status(twice, cli_json):
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


# -- the dashboard's warning (pure builders) ----------------------------------------------
def test_no_overlap_gives_no_warning():
    assert overlap_warning([]) is None
    assert ui.overlap_warning("overview-overlaps", None) is None


def test_warning_lists_each_period_and_currency_and_the_source_to_keep(twice):
    notice = overlap_warning(partition_overlaps(BillingStore(twice).partitions()))
    assert notice["title"] == (
        "Possible double counting: 2 billing periods are held by more than one source."
    )
    assert notice["lines"] == [
        "2024-09 USD: focus-export, focus-s3",
        "2024-10 USD: focus-export, focus-s3",
    ]
    assert "count twice" in notice["why"]
    keep = "keep one of them with `--source focus-export` or `--source focus-s3`"
    assert keep in notice["advice"]
    assert "curves, bridge, tco, review and workloads" in notice["advice"]


def test_sources_overlapping_in_different_pairs_keep_one_source_per_period():
    notice = overlap_warning(
        [
            {"billing_period": "2026-08", "currency": "USD", "sources": ["ce", "cur2"]},
            {"billing_period": "2026-09", "currency": "EUR", "sources": ["cur2", "focus"]},
        ]
    )
    assert notice["lines"] == ["2026-08 USD: ce, cur2", "2026-09 EUR: cur2, focus"]
    keep = "keep one source of each period listed with `--source` (repeatable)"
    assert keep in notice["advice"]


def test_warning_component_shows_every_part_as_text():
    overlaps = [{"billing_period": "2026-09", "currency": EVIL, "sources": [EVIL, "cur2"]}]
    notice = overlap_warning(overlaps)
    box = ui.overlap_warning("data-overlaps", notice)
    assert isinstance(box, html.Div) and box.id == "data-overlaps"
    shown = texts(box)
    assert shown == [notice["title"], notice["why"], *notice["lines"], notice["advice"]]
    assert f"2026-09 {EVIL}: {EVIL}, cur2" in shown  # verbatim, rendered as text
