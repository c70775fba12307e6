"""The review pack's HTML opened in headless Chromium from the file alone (no network): it
renders its charts and tables, the console stays clean, and a screenshot is kept under
tests/artifacts for a person to look at."""

from __future__ import annotations

import pytest
from selenium.webdriver.common.by import By

from tests.e2e.browser import console_errors, screenshot, wait_for
from tests.e2e.conftest import ARTIFACTS
from tests.review_helpers import SAMPLE_MONTH, written_sample

pytestmark = pytest.mark.browser


def test_the_html_pack_renders_offline_and_is_screenshotted(browser):
    out, _ = written_sample()
    console_errors(browser)
    browser.get((out / f"review-{SAMPLE_MONTH}.html").as_uri())
    wait_for(browser, ".js-plotly-plot .main-svg", timeout=60)
    assert "Cost review October 2026" in browser.title
    assert len(browser.find_elements(By.CSS_SELECTOR, ".js-plotly-plot")) >= 5
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    screenshot(browser, ARTIFACTS / "review-pack-html.png")
    # plotly logs an SVG warning for tick labels it places before the flex layout settles
    # (translate(NaN, y)); anything else (a script error, a network request) fails
    errors = [
        e
        for e in console_errors(browser)
        if 'attribute transform: Expected number, "translate(NaN' not in e
    ]
    assert errors == []
