"""Every page of the dashboard in headless Chromium: it loads, the console stays clean, and a
screenshot is kept as a test artifact."""

from __future__ import annotations

import pytest

from tests.e2e.browser import console_errors, open_page, screenshot
from tests.e2e.conftest import ARTIFACTS

pytestmark = pytest.mark.browser

PAGES = {
    "overview": ("/", "#overview-spend .js-plotly-plot"),
    "workloads": ("/workloads", "#workloads-scatter .js-plotly-plot"),
    "scaling": ("/scaling", "#scaling-usl .js-plotly-plot"),
    "forecast": ("/forecast", "#forecast-compare-grid .ag-cell"),
    "review": ("/review", "#review-waterfall .js-plotly-plot"),
    "data": ("/data", "#data-unclaimed .js-plotly-plot"),
}


@pytest.mark.parametrize("name", list(PAGES))
def test_page_loads_without_console_errors(browser, server, name):
    path, ready = PAGES[name]
    open_page(browser, server + path, ready)
    screenshot(browser, ARTIFACTS / f"{name}.png")
    assert console_errors(browser) == []
