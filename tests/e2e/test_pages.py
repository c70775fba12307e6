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


def test_the_nav_routes_after_a_first_view_that_came_with_the_layout(browser, server):
    """The first page arrives in the layout (no routing round trip); the nav still routes,
    marks the page shown and titles the tab, and brings the first page back."""
    from selenium.webdriver.common.by import By

    from tests.e2e.browser import settle, wait_for

    open_page(browser, server + "/review", PAGES["review"][1])
    assert browser.title.startswith("Review")
    assert browser.find_element(By.ID, "nav-review").get_attribute("class") == "current"
    browser.find_element(By.ID, "nav-data").click()
    wait_for(browser, PAGES["data"][1], timeout=120)
    settle(browser)
    assert "/data" in browser.current_url and browser.title.startswith("Data")
    assert browser.find_element(By.ID, "nav-data").get_attribute("class") == "current"
    assert browser.find_element(By.ID, "nav-review").get_attribute("class") == ""
    browser.find_element(By.ID, "nav-review").click()
    wait_for(browser, PAGES["review"][1], timeout=120)
    settle(browser)
    assert browser.find_element(By.ID, "nav-review").get_attribute("class") == "current"
    assert console_errors(browser) == []
