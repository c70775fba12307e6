"""In headless Chromium: when two billing sources hold the same billing period and currency,
the Overview and the Data page show a visible warning naming the periods, the sources and
the `--source` choice that counts each period once; a store without overlap shows none."""

from __future__ import annotations

import pytest
from selenium.webdriver.common.by import By

from dashboard import loader
from forecaster.ingest import ingest_billing
from tests import dashboard_support as support
from tests.conftest import FIXTURES
from tests.e2e.browser import console_errors, open_page, screenshot
from tests.e2e.conftest import ARTIFACTS

pytestmark = pytest.mark.browser

FOCUS = FIXTURES / "billing" / "focus-1.0-sample.csv"  # real FOCUS 1.0, 2024-09 (+1 row 2024-10)
CUR = FIXTURES / "billing" / "aws-legacy-cur-sample.csv"  # real legacy CUR, 2023-11

PAGES = {
    "overview": ("/", "#overview-spend .js-plotly-plot", "overview-overlaps"),
    "data": ("/data", "#data-sources .ag-cell", "data-overlaps"),
}


@pytest.fixture
def serve_store(server, sample, tmp_path):
    """Ingest (file, source) feeds into a fresh store and point the running dashboard at it;
    the sample store is served again afterwards."""

    def serve(*feeds):
        store = tmp_path / "store"
        for path, source in feeds:
            ingest_billing([path], store, source=source)
        loader.configure(store, None)
        return server

    yield serve
    support.configure(sample)


@pytest.mark.parametrize("page", list(PAGES))
def test_the_same_bill_from_two_sources_is_warned_about(browser, serve_store, page):
    server = serve_store((FOCUS, "focus-export"), (FOCUS, "focus-s3"))
    path, ready, box_id = PAGES[page]
    open_page(browser, server + path, ready)
    box = browser.find_element(By.ID, box_id)
    assert box.is_displayed()
    text = box.text
    assert "Possible double counting: 2 billing periods are held by more than one source." in text
    assert "2024-09 USD: focus-export, focus-s3" in text
    assert "2024-10 USD: focus-export, focus-s3" in text
    assert "keep one of them with `--source focus-export` or `--source focus-s3`" in text
    screenshot(browser, ARTIFACTS / f"{page}-source-overlap.png")
    assert console_errors(browser) == []


@pytest.mark.parametrize("page", list(PAGES))
def test_sources_holding_different_months_show_no_warning(browser, serve_store, page):
    server = serve_store((FOCUS, "focus-export"), (CUR, "cur"))
    path, ready, box_id = PAGES[page]
    open_page(browser, server + path, ready)
    assert browser.find_elements(By.ID, box_id) == []
    assert "double counting" not in browser.find_element(By.TAG_NAME, "body").text
    assert console_errors(browser) == []
