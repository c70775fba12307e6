"""Overview: spend by month per currency, by provider, service or account."""

from __future__ import annotations

import dash
from dash import Input, Output, callback, dcc, html

from dashboard import data, figures

dash.register_page(__name__, path="/", name="Overview")


def layout(**_query: str) -> html.Div:
    spend = data.spend()
    currencies = spend["currency"].unique().sort().to_list() if spend.height else []
    return html.Div(
        [
            html.H2("Overview"),
            html.Div(
                [
                    html.Label("Currency"),
                    dcc.Dropdown(
                        id="overview-currency",
                        options=currencies,
                        value=currencies[0] if currencies else None,
                        clearable=False,
                    ),
                    html.Label("Split by"),
                    dcc.RadioItems(
                        id="overview-by",
                        options=["provider", "service", "account", "category"],
                        value="provider",
                        inline=True,
                    ),
                ],
                style={"maxWidth": "40rem"},
            ),
            dcc.Loading(dcc.Graph(id="overview-spend")),
            html.P(
                "No billing data in the store yet: run `forecaster ingest billing PATH`."
                if not currencies
                else "",
                id="overview-empty",
            ),
        ]
    )


@callback(
    Output("overview-spend", "figure"),
    Input("overview-currency", "value"),
    Input("overview-by", "value"),
)
def update_spend(currency: str | None, by: str):
    return figures.spend_by_month(data.spend(by), currency or "USD", by)
