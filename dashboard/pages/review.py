"""Review: one month against the month before: the bridge waterfall, the findings, and the
review pack to download."""

from __future__ import annotations

import dash
from dash import Input, Output, State, callback, dcc, html

from dashboard import components as ui
from dashboard import figures, loader, state, tables
from forecaster.views import review as views
from forecaster.views.export import DOWNLOAD_FORMATS, review_file
from forecaster.views.workloads import findings_table

dash.register_page(__name__, path="/review", name="Review", order=4)


def layout(
    currency: str | None = None, month: str | None = None, fmt: str | None = None, **_: str
) -> html.Div:
    problem = None if loader.bill_only() else loader.workloads_problem()
    currencies = loader.currencies()
    if problem or not currencies:
        return html.Div([html.H2("Review"), ui.problem(problem or "No billing data yet.")])
    chosen = state.choice(currency, currencies, "USD" if "USD" in currencies else currencies[0])
    months = views.months_with_previous(loader.spend(None), chosen)
    return html.Div(
        [
            dcc.Location(id="review-url", refresh=False),
            html.H2("Monthly review"),
            ui.controls(
                ui.dropdown("Currency", "review-currency", currencies, chosen),
                ui.dropdown(
                    "Month",
                    "review-month",
                    months[::-1],
                    state.month(month, months, months[-1] if months else None),
                ),
                ui.dropdown(
                    "Review pack format",
                    "review-format",
                    [{"label": v, "value": k} for k, v in DOWNLOAD_FORMATS.items()],
                    state.choice(fmt, list(DOWNLOAD_FORMATS), "xlsx"),
                ),
                html.Div(
                    [
                        html.Button("Download review pack", id="review-download-button"),
                        dcc.Loading(dcc.Download(id="review-download")),
                    ],
                    className="field",
                ),
            ),
            ui.section(
                "Bridge",
                ui.graph("review-waterfall", 440),
                note="The change from the month before, split into volume (organic growth), "
                "scaling excess, fixed cost, efficiency, rate/price, new and retired services "
                "and residual; the steps add up to the change to the cent."
                if not loader.bill_only()
                else "No workloads file: the change from the month before as the bill alone "
                "tells it: rate/price (negotiated, commitment, list price per unit), usage "
                "volume at the month before's prices (where the bill gives quantities), new "
                "and retired services, credits, refunds, tax and the rest; the steps add up "
                "to the change to the cent.",
            ),
            html.Div(
                [
                    ui.section("Bridge steps", dcc.Loading(html.Div(id="review-steps"))),
                    ui.section("By workload and service", dcc.Loading(html.Div(id="review-items"))),
                ],
                className="two",
            ),
            ui.section("Findings", dcc.Loading(html.Div(id="review-findings"))),
        ]
    )


@callback(
    Output("review-month", "options"),
    Output("review-month", "value"),
    Input("review-currency", "value"),
    State("review-month", "value"),
    prevent_initial_call=True,
)
def months_for(currency: str, month: str | None):
    months = views.months_with_previous(loader.spend(None), currency)
    return months[::-1], state.month(month, months, months[-1] if months else None)


@callback(
    Output("review-waterfall", "figure"),
    Output("review-steps", "children"),
    Output("review-items", "children"),
    Output("review-findings", "children"),
    Output("review-url", "search"),
    Input("review-currency", "value"),
    Input("review-month", "value"),
    Input("review-format", "value"),
)
def update(currency: str, month: str | None, fmt: str):
    search = state.encode({"currency": currency, "month": month, "fmt": fmt})
    if not month:
        return figures.empty("No month with a month before it"), None, None, None, search
    try:
        bridge = views.currency_bridge(loader.bridge(month), currency)
    except loader.LoaderError as exc:
        return figures.empty(str(exc)), ui.problem(str(exc)), None, None, search
    if bridge is None:
        return figures.empty(f"No {currency} bridge for {month}"), None, None, None, search
    steps, items = views.steps_table(bridge), views.items_table(bridge)
    findings = views.month_findings(findings_table(loader.fits()), month, currency)
    return (
        figures.bridge_waterfall(bridge, currency),
        tables.grid("review-steps-grid", steps, wide=["items"], height=380),
        tables.grid("review-items-grid", items, height=380),
        tables.grid("review-findings-grid", findings, wide=["detail"], height=360),
        search,
    )


@callback(
    Output("review-download", "data"),
    Input("review-download-button", "n_clicks"),
    State("review-month", "value"),
    State("review-format", "value"),
    prevent_initial_call=True,
)
def download(_clicks: int, month: str | None, fmt: str):
    """The month's review pack (``forecaster review``) in the chosen format."""
    if not month:
        return None
    name, content = review_file(loader.review_pack(month), fmt)
    return dcc.send_bytes(content, name)
