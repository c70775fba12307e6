"""Forecast & TCO: scenario controls, scenarios side by side, NPV and break-even."""

from __future__ import annotations

import dash
from dash import dcc, html

from dashboard import components as ui

dash.register_page(__name__, path="/forecast", name="Forecast & TCO", order=3)


def layout(**_: str) -> html.Div:
    return html.Div(
        [
            dcc.Location(id="forecast-url", refresh=False),
            html.H2("Forecast & TCO"),
            ui.coming(
                "Scenario forecasts (growth, architecture fix, commitments, price change) with "
                "NPV and break-even appear here once the forecast and TCO engine is part of "
                "this build."
            ),
        ]
    )
