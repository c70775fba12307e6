"""Overview: spend by month (provider, service, account, category), organic versus waste,
open versus closed periods, and the cost forecast once the forecast engine is in."""

from __future__ import annotations

import dash
import polars as pl
from dash import Input, Output, callback, dcc, html

from dashboard import components as ui
from dashboard import data, figures, state, tables
from forecaster.views.forecast import WhatIf, monthly_bands
from forecaster.views.overview import headline, monthly_split, period_status
from forecaster.views.store import overlap_warning
from forecaster.views.workloads import findings_table

dash.register_page(__name__, path="/", name="Overview", order=0)

DIMENSIONS = ["provider", "service", "account", "category", "tag"]


def layout(
    currency: str | None = None, by: str | None = None, tag: str | None = None, **_: str
) -> html.Div:
    currencies = data.currencies()
    chosen = state.choice(currency, currencies, currencies[0] if currencies else None)
    keys = data.tag_keys()
    return html.Div(
        [
            dcc.Location(id="overview-url", refresh=False),
            html.H2("Overview"),
            ui.problem(
                None
                if currencies
                else "No billing data in the store yet: run `forecaster ingest billing PATH`."
            ),
            ui.overlap_warning("overview-overlaps", overlap_warning(data.source_overlaps())),
            ui.controls(
                ui.field(
                    "Currency",
                    dcc.Dropdown(
                        id="overview-currency",
                        options=currencies,
                        value=chosen,
                        clearable=False,
                    ),
                ),
                ui.field(
                    "Split spend by",
                    dcc.RadioItems(
                        id="overview-by",
                        options=DIMENSIONS,
                        value=state.choice(by, DIMENSIONS, "provider"),
                        inline=True,
                        inputStyle={"marginRight": "0.3rem", "marginLeft": "0.8rem"},
                    ),
                ),
                ui.field(
                    "Tag key (split by tag)",
                    dcc.Dropdown(
                        id="overview-tag",
                        options=keys,
                        value=state.choice(tag, keys, keys[0] if keys else None),
                        clearable=False,
                    ),
                ),
            ),
            dcc.Loading(html.Div(id="overview-kpis", className="kpis")),
            ui.section("Spend by month", ui.graph("overview-spend")),
            ui.section(
                "Organic versus waste",
                ui.graph("overview-split"),
                note="Each workload's cost split by its fitted cost curve: organic growth "
                "follows load at the reference marginal cost; the idle baseline, the scaling "
                "excess and a rising unit cost (efficiency drift) are the waste candidates.",
            ),
            ui.section(
                "Cost forecast",
                ui.graph("overview-forecast", 380),
                note="Median and P10-P90 band: each workload's load forecast pushed through "
                "its cost curve by Monte Carlo, unclaimed cost forecast by time. Scenarios on "
                "the Forecast & TCO page.",
            ),
            ui.section("Open and closed billing periods", html.Div(id="overview-periods")),
        ]
    )


@callback(
    Output("overview-spend", "figure"),
    Output("overview-split", "figure"),
    Output("overview-kpis", "children"),
    Output("overview-periods", "children"),
    Output("overview-forecast", "figure"),
    Output("overview-url", "search"),
    Input("overview-currency", "value"),
    Input("overview-by", "value"),
    Input("overview-tag", "value"),
)
def update(currency: str | None, by: str, tag: str | None):
    currency = currency or "USD"
    status = period_status(data.partitions())
    mine = status.filter(pl.col("currency") == currency)
    open_months = mine.filter(pl.col("status") == "open")["month"].to_list()
    spend = data.spend_by_tag(tag) if by == "tag" and tag else data.spend(by)
    spend_fig = figures.spend_by_month(spend, currency, by, open_months, tag)
    fits, findings = _fits()
    split = monthly_split(fits, data.series(), data.unclaimed(), currency) if fits else None
    split_fig = (
        figures.organic_waste(split, currency)
        if split is not None
        else figures.empty(data.workloads_problem() or "No workloads", "Organic versus waste")
    )
    heads = headline(data.spend(None), status, findings, currency)
    return (
        spend_fig,
        split_fig,
        kpis(heads),
        periods(mine),
        forecast(currency),
        state.encode({"currency": currency, "by": by, "tag": tag if by == "tag" else None}),
    )


def _fits():
    if data.workloads_problem():
        return {}, findings_table({})
    fits = data.fits()
    return fits, findings_table(fits)


def forecast(currency: str):
    """The baseline cost forecast (``forecaster.tco``) after the last 12 months."""
    title = f"Cost forecast ({currency})"
    if data.workloads_problem():
        return figures.empty(data.workloads_problem(), title)
    doc = data.tco(WhatIf())
    if doc.get("error"):
        return figures.empty(doc["error"], title)
    bands = monthly_bands(doc, currency).filter(pl.col("scenario") == "baseline")
    history = data.spend(None).filter(pl.col("currency") == currency).tail(12)
    return figures.cost_forecast(history, bands, currency, title)


def kpis(h: dict) -> list[html.Div]:
    """Headline cards from ``forecaster.views.overview.headline``."""
    cur = h["currency"]
    change = h["change"]
    pct = (
        f"{change / h['previous_cost']:+.1%} on the month before"
        if change is not None and h["previous_cost"]
        else ""
    )
    return [
        ui.kpi(
            f"Last closed month {h['last_closed_month'] or ''}",
            ui.money(h["last_closed_cost"], cur),
            pct,
        ),
        ui.kpi(
            "Open months so far",
            ui.money(h["open_cost"], cur) if h["open_months"] else "none open",
            ", ".join(h["open_months"]),
        ),
        ui.kpi(
            "Waste candidates per month",
            ui.money(h["waste_per_month"], cur),
            "idle baseline + scaling excess + efficiency drift",
        ),
    ]


def periods(status: pl.DataFrame):
    return tables.grid(
        "overview-periods-grid",
        status,
        headers={"effective_cost": "EffectiveCost"},
    )
