"""The dashboard's chrome: a tab title per page, the current page marked in the nav, no
two series of a figure in one colour, grids sized to their content with human headers."""

from __future__ import annotations

import plotly.graph_objects as go
import polars as pl

from dashboard import tables
from dashboard.app import nav_classes, page_title
from dashboard.figures.common import PALETTE, style

PATHS = ["/", "/workloads", "/scaling", "/forecast", "/review", "/data"]


def test_each_page_has_its_own_tab_title():
    assert page_title("Scaling") == "Scaling \u00b7 Cloud cost forecaster"


def test_the_current_page_is_marked_and_only_it():
    assert nav_classes("/scaling", PATHS) == ["", "", "current", "", "", ""]
    assert nav_classes("/", PATHS) == ["current", "", "", "", "", ""]
    assert nav_classes("/review/", PATHS).index("current") == 4
    assert nav_classes(None, PATHS)[0] == "current"
    assert nav_classes("/nowhere", PATHS) == [""] * 6


def test_figures_have_a_distinct_colour_for_every_series():
    assert len(set(PALETTE)) == len(PALETTE) >= 13  # 12 largest series and "(all others)"
    fig = style(go.Figure([go.Bar(y=[i]) for i in range(13)]), "t")
    assert list(fig.layout.colorway)[:13] == list(PALETTE[:13])


def test_grids_size_columns_to_content_with_human_headers():
    frame = pl.DataFrame(
        {"kind": ["idle_baseline"], "fixed_cost_per_month": [823.79], "marginal": [4.974e-05]}
    )
    g = tables.grid("g", frame, formats={"marginal": "precise"})
    assert g.columnSize == "autoSize"
    heads = [c["headerName"] for c in g.columnDefs]
    assert heads == ["Kind", "Fixed cost per month", "Marginal"]
    assert g.rowData[0]["kind"] == "Idle baseline"
    assert "~r" in g.columnDefs[2]["valueFormatter"]["function"]  # never exponent notation
