"""Interactions in headless Chromium: the URL carries a view's state, the review pack
downloads as a file, and markup in billing data shows as text."""

from __future__ import annotations

import time
import zipfile
from urllib.parse import parse_qs, urlparse

import pytest
from selenium.common.exceptions import NoAlertPresentException
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait

from tests.dashboard_support import EVIL
from tests.e2e.browser import console_errors, select_dropdown, settle, wait_for

pytestmark = pytest.mark.browser


def query(url: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlparse(url).query).items()}


def test_a_shared_url_opens_the_same_view(browser, server):
    browser.get(server + "/workloads?workload=media-cdn&start=2025-06&end=2026-03")
    wait_for(browser, "#workloads-scatter .js-plotly-plot")
    settle(browser)
    assert "media-cdn" in browser.find_element(By.ID, "workloads-name").text
    assert "2025-06" in browser.find_element(By.ID, "workloads-start").text
    title = browser.find_element(By.CSS_SELECTOR, "#workloads-scatter .gtitle").text
    assert title == "media-cdn: cost against load"
    assert "over 304 days" in browser.find_element(By.ID, "workloads-detail").text


def test_changing_a_control_updates_the_url(browser, server):
    browser.get(server + "/")
    wait_for(browser, "#overview-spend .js-plotly-plot")
    settle(browser)
    browser.find_element(By.CSS_SELECTOR, "#overview-by input[value='category']").click()
    WebDriverWait(browser, 60).until(lambda d: query(d.current_url).get("by") == "category")
    settle(browser)
    assert query(browser.current_url) == {"currency": "USD", "by": "category"}
    legend = browser.find_element(By.CSS_SELECTOR, "#overview-spend .legend").text
    assert "Usage" in legend and "Credit" in legend


def test_review_download_produces_the_pack(browser, server, downloads):
    browser.get(server + "/review?month=2026-09&fmt=csv")
    wait_for(browser, "#review-waterfall .js-plotly-plot")
    settle(browser)
    browser.find_element(By.ID, "review-download-button").click()
    target = downloads / "review-2026-09-csv.zip"
    deadline = time.monotonic() + 60
    while not target.exists() and time.monotonic() < deadline:
        time.sleep(0.2)
    assert target.exists(), sorted(p.name for p in downloads.iterdir())
    names = zipfile.ZipFile(target).namelist()
    assert "review-2026-09-bridge.csv" in names
    assert console_errors(browser) == []


@pytest.mark.parametrize(
    ("path", "ready"),
    [
        ("/?by=tag&tag=team", "#overview-spend .js-plotly-plot"),
        ("/review?month=2026-10", "#review-items .ag-cell"),
        ("/data", "#data-sources .ag-cell"),
    ],
)
def test_markup_in_billing_data_shows_as_text(browser, server, path, ready):
    browser.get(server + path)
    wait_for(browser, ready)
    settle(browser)
    with pytest.raises(NoAlertPresentException):
        browser.switch_to.alert  # noqa: B018 (an onerror=alert(1) that ran would be here)
    assert browser.find_elements(By.CSS_SELECTOR, "img[src='x']") == []
    text = browser.execute_script("return document.documentElement.textContent")
    if path != "/data":
        assert EVIL in text
    assert console_errors(browser) == []


def test_switching_workload_in_the_dropdown_redraws(browser, server):
    browser.get(server + "/workloads")
    wait_for(browser, "#workloads-scatter .js-plotly-plot")
    settle(browser)
    select_dropdown(browser, "workloads-name", "search")
    WebDriverWait(browser, 60).until(lambda d: query(d.current_url).get("workload") == "search")
    settle(browser)
    title = browser.find_element(By.CSS_SELECTOR, "#workloads-scatter .gtitle").text
    assert title == "search: cost against load"
    assert query(browser.current_url) == {"workload": "search"}


def _grid_cell(browser, row: int, col_id: str) -> str:
    css = f"#forecast-compare-grid .ag-row[row-index='{row}'] .ag-cell[col-id='{col_id}']"
    return browser.find_element(By.CSS_SELECTOR, css).text


def test_changing_a_scenario_changes_the_tco(browser, server):
    browser.get(server + "/forecast?months=12")
    wait_for(browser, "#forecast-compare-grid .ag-cell")
    settle(browser, timeout=120)
    baseline, before = _grid_cell(browser, 0, "baseline"), _grid_cell(browser, 0, "what-if")
    assert before == baseline  # the what-if starts as the baseline
    price = browser.find_element(By.ID, "forecast-price")
    price.clear()
    price.send_keys("-10", Keys.ENTER)
    # the callback that used -10 writes it into the URL; then the grid shows its result
    WebDriverWait(browser, 120).until(lambda d: query(d.current_url).get("price") == "-10")
    settle(browser, timeout=120)
    after = _grid_cell(browser, 0, "what-if")
    assert _grid_cell(browser, 0, "baseline") == baseline
    assert after.startswith("USD ")  # money with its currency
    assert float(after[4:].replace(",", "")) < float(before[4:].replace(",", ""))
    assert console_errors(browser) == []
