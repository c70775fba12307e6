"""The review pack's HTML in headless Chromium: it opens with no console errors, and its
bridge chart draws every step of the bridge on a category axis (read back from the drawn
plotly figure, not from the file's text)."""

from __future__ import annotations

import time

import pytest

from tests.e2e.browser import console_errors
from tests.review_helpers import SAMPLE_MONTH, sample_pack, written_sample

pytestmark = pytest.mark.browser

READ_CHARTS = """
return Array.from(document.querySelectorAll('.js-plotly-plot')).map(function (div) {
  return {
    title: (div.layout.title && div.layout.title.text) || '',
    xtype: div._fullLayout.xaxis ? div._fullLayout.xaxis.type : null,
    types: div.data.map(function (t) { return t.type; }),
    x: div.data.map(function (t) { return Array.from(t.x || []).map(String); }),
    bars: div.querySelectorAll('.waterfall .point, .bars .point').length
  };
});
"""


def _open(browser, path):
    browser.get(path.as_uri())
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        drawn = browser.execute_script(
            "return document.querySelectorAll('.js-plotly-plot .main-svg').length"
        )
        if drawn:
            break
        time.sleep(0.2)
    time.sleep(0.5)


def test_the_pack_opens_without_console_errors_and_draws_every_bridge_step(browser):
    out, _ = written_sample()
    console_errors(browser)  # drain earlier pages' entries
    _open(browser, out / f"review-{SAMPLE_MONTH}.html")
    assert console_errors(browser) == []
    charts = browser.execute_script(READ_CHARTS)
    bridges = [c for c in charts if "waterfall" in c["types"]]
    assert bridges, [c["title"] for c in charts]
    bridge = sample_pack().tables["bridge"].frame
    for chart in bridges:
        assert chart["xtype"] == "category", chart["title"]
        currency = next(c for c in ("USD", "EUR") if c in chart["title"])
        steps = bridge.filter(bridge["currency"] == currency)
        # previous total, every step, new total: one drawn bar each
        assert len(chart["x"][0]) == steps.height, (chart["title"], chart["x"][0])
        assert chart["bars"] == steps.height
