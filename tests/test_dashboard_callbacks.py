"""Page layouts and callbacks as plain functions over the sample store: the controls start
from the URL's state, callbacks write it back, figures and tables carry the engine's numbers."""

from __future__ import annotations

import base64
import io
import zipfile
from urllib.parse import parse_qs

import plotly.graph_objects as go
import pytest
from dash import dcc, html

from dashboard.figures.common import esc
from tests import dashboard_support as support
from tests.dashboard_support import EVIL, text_of


@pytest.fixture(scope="session")
def sample(tmp_path_factory):
    return support.session_sample(tmp_path_factory)


@pytest.fixture
def pages(sample):
    return support.pages_for(sample)


def find(component, id_: str):
    """The component with ``id_`` inside a layout tree (None when absent)."""
    if getattr(component, "id", None) == id_:
        return component
    children = getattr(component, "children", None)
    if children is None:
        return None
    for child in children if isinstance(children, list | tuple) else [children]:
        hit = find(child, id_)
        if hit is not None:
            return hit
    return None


def query(search: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(search.lstrip("?")).items()}


# -- overview --------------------------------------------------------------------------
def test_overview_defaults_to_the_currency_with_most_spend(pages):
    layout = pages["overview"].layout()
    assert find(layout, "overview-currency").value == "USD"
    assert find(layout, "overview-by").value == "provider"


@pytest.mark.parametrize(
    ("given", "currency", "by"),
    [
        ({"currency": "EUR", "by": "service"}, "EUR", "service"),
        ({"currency": "XXX", "by": "nonsense"}, "USD", "provider"),
    ],
)
def test_overview_layout_takes_its_state_from_the_url(pages, given, currency, by):
    layout = pages["overview"].layout(**given)
    assert find(layout, "overview-currency").value == currency
    assert find(layout, "overview-by").value == by


def test_overview_callback_writes_the_state_back(pages):
    *_, search = pages["overview"].update("USD", "tag", "team")
    assert query(search) == {"currency": "USD", "by": "tag", "tag": "team"}


def test_overview_by_provider_has_the_three_clouds(pages):
    spend, split, cards, periods, *_ = pages["overview"].update("USD", "provider", None)
    assert {t.name for t in spend.data} == {"AWS", "Google Cloud", "Microsoft"}
    assert isinstance(split, go.Figure) and len(split.data) >= 4
    assert "2026-10" in text_of(cards)
    assert len(periods.rowData) == 24 and {r["status"] for r in periods.rowData} == {"closed"}


def test_overview_shows_hostile_tag_values_escaped(pages):
    spend, *_ = pages["overview"].update("USD", "tag", "team")
    names = [t.name for t in spend.data]
    assert esc(EVIL) in names and EVIL not in names


def test_overview_folds_small_services_beyond_the_twelve_largest(pages):
    spend, *_ = pages["overview"].update("USD", "service", None)
    names = [t.name for t in spend.data]
    assert len(names) == 13 and "(all others)" in names


# -- workloads -------------------------------------------------------------------------
def test_workloads_layout_lists_every_workload_and_the_months(pages):
    layout = pages["workloads"].layout(workload="search", start="2025-06")
    assert find(layout, "workloads-name").value == "search"
    assert find(layout, "workloads-start").value == "2025-06"
    assert find(layout, "workloads-end").value == "2026-10"
    assert len(find(layout, "workloads-summary").rowData) == 5


def test_workload_drill_draws_points_curve_and_band(pages):
    scatter, over_time, detail, findings, search = pages["workloads"].update(
        "search", "2024-11", "2026-10"
    )
    assert any((t.name or "").startswith("fitted curve (power") for t in scatter.data)
    assert any(t.name == "95% prediction band" for t in scatter.data)
    assert {t.name for t in over_time.data} >= {"Actual cost", "Expected for the load seen"}
    assert "power curve" in text_of(detail)
    assert any(r["kind"] == "Scaling excess" for r in findings.rowData)  # labels, not ids
    assert search == "?workload=search"  # the full window stays out of the URL


def test_workload_window_refits_on_those_months_only(pages):
    *_, detail, _, search = pages["workloads"].update("search", "2026-01", "2026-03")
    assert "over 90 days" in text_of(detail)
    assert query(search) == {"workload": "search", "start": "2026-01", "end": "2026-03"}


def test_workload_window_given_backwards_is_put_in_order(pages):
    *_, search = pages["workloads"].update("search", "2026-03", "2026-01")
    assert query(search)["start"] == "2026-01"


def test_notifications_anomalies_are_marked(pages):
    scatter, *_ = pages["workloads"].update("notifications", None, None)
    marks = next(t for t in scatter.data if t.name == "anomaly")
    assert len(marks.x) >= 3


def test_selecting_a_summary_row_drills_into_that_workload(pages):
    assert pages["workloads"].select_row([{"workload": "media-cdn"}]) == "media-cdn"


# -- scaling ---------------------------------------------------------------------------
def test_scaling_fits_the_sample_load_test(pages):
    layout = pages["scaling"].layout()
    assert find(layout, "scaling-test").value == "search-loadtest.csv"
    assert find(layout, "scaling-workload").value == "search"
    fig, describe, coefficients, ceiling, search = pages["scaling"].update(
        "search-loadtest.csv", "search", 0.8
    )
    assert "peaks at a load of about" in text_of(describe)
    assert any((t.name or "").startswith("peak N*") for t in fig.data)
    figures = [row["figure"] for row in coefficients.rowData]
    assert "peak load N*" in figures
    assert query(search) == {
        "test": "search-loadtest.csv",
        "workload": "search",
        "share": "0.8",
    }
    assert "busiest hour reaches 80% of the ceiling" in text_of(ceiling)
    assert "daily average" in text_of(ceiling)


def test_scaling_with_an_unknown_test_says_so(pages):
    fig, describe, *_ = pages["scaling"].update("nope.csv", None, 0.8)
    assert "nope.csv" in text_of(describe)


# -- review ----------------------------------------------------------------------------
def test_review_defaults_to_the_last_month(pages):
    layout = pages["review"].layout()
    assert find(layout, "review-month").value == "2026-10"
    assert find(layout, "review-format").value == "xlsx"


def test_review_bridge_and_tables(pages):
    fig, steps, items, findings, search = pages["review"].update("USD", "2026-10", "xlsx")
    assert "Bridge 2026-09 to 2026-10" in fig.layout.title.text
    assert steps.rowData[0]["step"] == "total 2026-09"
    assert any(r["item"] == "search" for r in items.rowData)
    assert any(r["kind"] == "Idle baseline" for r in findings.rowData)  # labels, not ids
    assert query(search) == {"currency": "USD", "month": "2026-10", "fmt": "xlsx"}


def test_review_items_grid_carries_hostile_names_as_plain_values(pages):
    _, _, items, *_ = pages["review"].update("USD", "2026-10", "xlsx")
    assert f"unclaimed: AWS / {EVIL}" in [r["item"] for r in items.rowData]
    assert not getattr(items, "dangerously_allow_code", None)


@pytest.mark.parametrize(
    ("fmt", "name"), [("xlsx", "review-2026-10.xlsx"), ("csv", "review-2026-10-csv.zip")]
)
def test_review_download_is_the_months_pack(pages, fmt, name):
    sent = pages["review"].download(1, "2026-10", fmt)
    assert sent["filename"] == name
    content = base64.b64decode(sent["content"])
    assert zipfile.is_zipfile(io.BytesIO(content))


def test_review_months_follow_the_currency(pages):
    options, value = pages["review"].months_for("EUR", "2026-10")
    assert value == "2026-10" and "2024-11" not in options  # no month before the first


# -- data ------------------------------------------------------------------------------
def test_data_page_lists_sources_periods_and_no_problems(pages):
    layout = pages["data"].layout()
    assert {r["source"] for r in find(layout, "data-sources").rowData} == {"evil", "sample-focus"}
    assert len(find(layout, "data-periods").rowData) == 50  # 24 months x 2 currencies + 2
    assert find(layout, "data-restatements").rowData == []
    assert "None found." in text_of(layout)


@pytest.mark.parametrize(
    ("page", "box"), [("overview", "overview-overlaps"), ("data", "data-overlaps")]
)
def test_overview_and_data_warn_when_two_sources_hold_the_same_months(pages, page, box):
    # the sample store holds the hostile file as a second source of 2026-09 and 2026-10 USD
    shown = text_of(find(pages[page].layout(), box))
    assert "2026-09 USD: evil, sample-focus" in shown and "2026-10 USD" in shown
    assert "keep one of them with `--source evil` or `--source sample-focus`" in shown


def test_data_page_unclaimed_figure_per_currency(pages):
    fig, search = pages["data"].update("EUR")
    unclaimed = next(t for t in fig.data if t.name == "unclaimed")
    assert len(unclaimed.x) == 24 and min(unclaimed.y) > 1000
    assert search == "?currency=EUR"


def test_every_page_layout_is_a_component(pages):
    for module in pages.values():
        assert isinstance(module.layout(), html.Div | dcc.Location)


# -- forecast & TCO --------------------------------------------------------------------
FORECAST_DEFAULTS = ["USD", 12, 8, None, None, "2027-01", 0, [], 0, 0, 0, 0, 0, 12, 0, "2026-11"]


def test_a_price_cut_lowers_the_what_if_tco_only(pages):
    base, _, search = pages["forecast"].update(*FORECAST_DEFAULTS)
    cut = list(FORECAST_DEFAULTS)
    cut[14] = -10
    changed, fig, search = pages["forecast"].update(*cut)
    note, grid = base
    assert "1,000 Monte Carlo paths, seed 0" in text_of(note)
    first = {r["figure"]: r for r in grid.rowData}["TCO over 12 months (P50)"]
    after = {r["figure"]: r for r in changed[1].rowData}["TCO over 12 months (P50)"]
    assert first["baseline"] == first["what-if"] == after["baseline"]
    assert after["what-if"].startswith("USD ")

    def amount(text: str) -> float:
        return float(text.removeprefix("USD ").replace(",", ""))

    assert amount(after["what-if"]) < amount(first["what-if"])
    assert query(search)["price"] == "-10" and "idle" not in query(search)
    assert {t.name for t in fig.data} >= {"Actual", "baseline median", "what-if median"}


def test_forecast_layout_reads_the_scenario_from_the_url(pages):
    layout = pages["forecast"].layout(fix="search", idle="50", linear="linear", months="24")
    assert find(layout, "forecast-fix-workload").value == "search"
    assert find(layout, "forecast-idle").value == 50
    assert find(layout, "forecast-linear").value == ["linear"]
    assert find(layout, "forecast-horizon").value == 24


def test_overview_shows_a_cost_forecast(pages):
    *_, forecast_fig, _groups, _ = pages["overview"].update("USD", "provider", None)
    names = {t.name for t in forecast_fig.data}
    assert "baseline median" in names


@pytest.mark.parametrize(
    ("index", "value", "message"),
    [
        (2, 1000, "Discount rate (% a year): 1000 is outside 0 to 50"),
        (3, -95, "Load growth (% a year): -95 is outside -90 to 500"),
        (2, None, "Discount rate (% a year): empty"),
    ],
)
def test_out_of_range_what_if_inputs_are_refused_with_a_message(pages, index, value, message):
    # never turned into "NPV at 0.0%" or dropped to the forecast's own growth
    values = list(FORECAST_DEFAULTS)
    values[index] = value
    compare, fig, _ = pages["forecast"].update(*values)
    assert message in text_of(compare)
    assert "NPV" not in text_of(compare)


def test_an_unknown_workload_in_the_url_is_named_not_silently_replaced(pages):
    layout = pages["workloads"].layout(workload="nosuch")
    text = text_of(layout)
    assert "No workload named 'nosuch'" in text and "checkout-api" in text
