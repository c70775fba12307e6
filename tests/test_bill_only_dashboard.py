"""A first day with only a bill, on the dashboard's pages as plain functions: the real
third-party bills alone, and the bundled sample's billing without its workloads. Headlines
never read 0.00 for "no data"; the Overview forecasts the bill by time."""

from __future__ import annotations

import plotly.graph_objects as go
import pytest

from dashboard import loader
from tests import dashboard_support as support
from tests.test_dashboard_callbacks import text_of


@pytest.fixture(scope="session")
def sample(tmp_path_factory):
    return support.session_sample(tmp_path_factory)


@pytest.fixture(params=["real", "sample-bill"])
def bill_only(request, sample, real_bills_store, sample_bill_store):
    pages = support.pages_for(sample)
    store = real_bills_store if request.param == "real" else sample_bill_store
    loader.configure(store, None)
    yield request.param, pages
    support.configure(sample)


def test_overview_headline_names_the_last_month_with_cost_and_says_why_a_figure_is_absent(
    bill_only,
):
    kind, pages = bill_only
    spend, _split, kpis, _periods, forecast, groups, _url = pages["overview"].update(
        "USD", "service", None
    )
    text = " ".join(text_of(k) for k in kpis)
    assert "needs workloads" in text and "0.00" not in text.split("Waste")[1]
    assert "-100.0%" not in text
    if kind == "real":
        # 2024-10 holds one Oracle line without effective cost: not the headline month
        assert "Last closed month 2024-09" in text
        assert "2024-10 holds only lines without effective cost" in text
        assert "no billing for 2024-08" in text
    else:
        assert "Last closed month 2026-10" in text and "on 2026-09" in text
    assert isinstance(forecast, go.Figure)
    names = [t.name for t in forecast.data]
    assert any("median" in (n or "") for n in names), forecast.layout.title
    assert "80% interval" in text_of(groups) and "'p50'" in str(groups)


def test_review_page_shows_the_bills_own_bridge(bill_only):
    kind, pages = bill_only
    month = "2024-09" if kind == "real" else "2026-10"
    layout = pages["review"].layout(currency="USD", month=month)
    assert "No workloads file" in text_of(layout)
    fig, steps, items, _findings, _ = pages["review"].update("USD", month, "xlsx")
    assert isinstance(fig, go.Figure) and "Bridge" in fig.layout.title.text
    assert "Usage volume" in str(steps) and "The rest" in str(steps)


def test_forecast_page_forecasts_the_whole_bill(bill_only):
    _, pages = bill_only
    layout = pages["forecast"].layout()
    assert "the whole bill is forecast by time" in text_of(layout)
    from tests.test_dashboard_callbacks import FORECAST_DEFAULTS

    compare, fig, _ = pages["forecast"].update(*FORECAST_DEFAULTS)
    assert isinstance(fig, go.Figure) and any("median" in (t.name or "") for t in fig.data)


def test_workloads_page_suggests_a_file_to_download_and_shows_anomalies_by_time(bill_only):
    _, pages = bill_only
    layout = pages["workloads"].layout()
    assert "No workloads file is loaded" in text_of(layout)
    table, anomalies = pages["workloads"].suggest("service")
    assert "'driver'" in str(table) and "workloads-anomalies-grid" in str(anomalies)
    sent = pages["workloads"].download_suggestion(1, "service")
    import tomllib

    from forecaster.workloads import parse_workloads

    assert sent["filename"] == "workloads.toml"
    assert parse_workloads(tomllib.loads(sent["content"]), "download")
