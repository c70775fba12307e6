"""Overview: spend by month (provider, service, account, category), organic versus waste,
open versus closed periods, and the cost forecast once the forecast engine is in."""

from __future__ import annotations

import dash
import polars as pl
from dash import Input, Output, callback, dcc, html

from dashboard import components as ui
from dashboard import figures, loader, state, tables
from forecaster.timeonly.bill import group_table, total_bands
from forecaster.views.data import overlap_warning
from forecaster.views.forecast import WhatIf, monthly_bands
from forecaster.views.overview import headline, monthly_split, period_status
from forecaster.waste import WASTE_SCHEMA

dash.register_page(__name__, path="/", name="Overview", order=0)

DIMENSIONS = ["provider", "service", "account", "category", "tag"]


def layout(
    currency: str | None = None, by: str | None = None, tag: str | None = None, **_: str
) -> html.Div:
    currencies = loader.currencies()
    chosen = state.choice(currency, currencies, currencies[0] if currencies else None)
    keys = loader.tag_keys()
    return html.Div(
        [
            dcc.Location(id="overview-url", refresh=False),
            html.H2("Overview"),
            ui.problem(
                None
                if currencies
                else "No billing data in the store yet: run `forecaster ingest billing PATH`."
            ),
            ui.overlap_warning("overview-overlaps", overlap_warning(loader.source_overlaps())),
            ui.controls(
                ui.dropdown("Currency", "overview-currency", currencies, chosen),
                ui.radio(
                    "Split spend by",
                    "overview-by",
                    DIMENSIONS,
                    state.choice(by, DIMENSIONS, "provider"),
                    inputStyle={"marginRight": "0.3rem", "marginLeft": "0.8rem"},
                ),
                ui.dropdown(
                    "Tag key (split by tag)",
                    "overview-tag",
                    keys,
                    state.choice(tag, keys, keys[0] if keys else None),
                ),
            ),
            dcc.Loading(html.Div(id="overview-kpis", className="kpis")),
            ui.section("Spend by month", ui.graph("overview-spend")),
            ui.section(
                "Organic versus waste",
                ui.graph("overview-split"),
                note="Each workload's cost split by its fitted cost curve: organic growth "
                "follows load at the reference marginal cost; the idle baseline, the scaling "
                "excess and a rising unit cost (efficiency drift, measured against the unit "
                "cost of the fit window's first day at the same load) are the waste candidates.",
            ),
            ui.section(
                "Cost forecast",
                ui.graph("overview-forecast", 380),
                html.Div(id="overview-forecast-groups"),
                note="Median and P10-P90 band: each workload's load forecast pushed through "
                "its cost curve by Monte Carlo, unclaimed cost forecast by time; without "
                "workloads, the whole bill forecast by time. Scenarios on the Forecast & TCO "
                "page.",
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
    Output("overview-forecast-groups", "children"),
    Output("overview-url", "search"),
    Input("overview-currency", "value"),
    Input("overview-by", "value"),
    Input("overview-tag", "value"),
)
def update(currency: str | None, by: str, tag: str | None):
    currency = currency or "USD"
    status = period_status(loader.partitions())
    mine = status.filter(pl.col("currency") == currency)
    open_months = mine.filter(pl.col("status") == "open")["month"].to_list()
    spend = loader.spend_by_tag(tag) if by == "tag" and tag else loader.spend(by)
    spend_fig = figures.spend_by_month(spend, currency, by, open_months, tag)
    fits = _fits()
    split = monthly_split(fits, loader.series(), loader.unclaimed(), currency) if fits else None
    split_fig = (
        figures.organic_waste(split, currency)
        if split is not None
        else figures.empty(loader.workloads_problem() or "No workloads", "Organic versus waste")
    )
    waste = loader.waste() if fits else pl.DataFrame(schema=WASTE_SCHEMA)
    heads = headline(
        loader.spend(None), status, waste, currency, workloads=not loader.workloads_problem()
    )
    return (
        spend_fig,
        split_fig,
        kpis(heads),
        periods(mine),
        forecast(currency),
        forecast_groups(currency, by),
        state.encode({"currency": currency, "by": by, "tag": tag if by == "tag" else None}),
    )


def _fits():
    return {} if loader.workloads_problem() else loader.fits()


def forecast(currency: str):
    """The baseline cost forecast (``forecaster.tco``) after the last 12 months; without
    workloads, the bill's forecast by time (``forecaster.timeonly``)."""
    title = f"Cost forecast ({currency})"
    history = loader.spend(None).filter(pl.col("currency") == currency).tail(12)
    if loader.workloads_problem():
        try:
            results = loader.bill_forecast()
        except loader.LoaderError as exc:
            return figures.empty(str(exc), title)
        bands = total_bands(results, currency)
        return figures.cost_forecast(history, bands, currency, f"{title}, by time alone")
    try:
        doc = loader.tco(WhatIf())
    except loader.LoaderError as exc:
        return figures.empty(str(exc), title)
    bands = monthly_bands(doc, currency).filter(pl.col("scenario") == "baseline")
    return figures.cost_forecast(history, bands, currency, title)


def forecast_groups(currency: str, by: str):
    """Without workloads: the next 12 months by time per group of the chosen split."""
    if not loader.workloads_problem():
        return None
    dimension = by if by in ("provider", "service", "account") else "service"
    try:
        results = loader.bill_forecast()
    except loader.LoaderError as exc:
        return ui.problem(str(exc))
    frame = group_table(results, currency, dimension)
    return html.Div(
        [
            html.P(
                f"Next 12 months by {dimension}, forecast by time from each group's own "
                "daily history (P10 and P90: the 80% interval)."
            ),
            tables.grid(
                "overview-forecast-groups-grid",
                frame,
                headers={
                    "group": dimension.capitalize(),
                    "history_effective_cost": "EffectiveCost billed so far",
                    "p10": "P10",
                    "p50": "P50",
                    "p90": "P90",
                    "note": "Note",
                },
            ),
        ]
    )


def kpis(h: dict) -> list[html.Div]:
    """Headline cards from ``forecaster.views.overview.headline``; an absent figure shows
    its reason, never a zero."""
    cur = h["currency"]
    why = h.get("reasons", {})
    change = h["change"]
    if change is not None and h["previous_cost"]:
        pct = f"{change / h['previous_cost']:+.1%} on {h['previous_month']}"
    else:
        pct = why.get("change", "")
    notes = " ".join(h.get("notes", []))
    last = h["last_closed_month"]
    return [
        ui.kpi(
            f"Last closed month {last}" if last else "Last closed month",
            ui.money(h["last_closed_cost"], cur) if last else "none yet",
            " ".join(x for x in (pct if last else why.get("last_closed_cost", ""), notes) if x),
        ),
        ui.kpi(
            "Open months so far",
            ui.money(h["open_cost"], cur) if h["open_months"] else "none open",
            ", ".join(h["open_months"]) or why.get("open_cost", ""),
        ),
        ui.kpi(
            f"Waste candidates in {h['waste_month'] or 'the last closed month'}",
            ui.money(h["waste"], cur) if h["waste"] is not None else "needs workloads",
            "idle baseline + scaling excess + efficiency drift (drift against the unit cost "
            "of the fit window's first day)"
            if h["waste"] is not None
            else why.get("waste", ""),
        ),
    ]


def periods(status: pl.DataFrame):
    return tables.grid(
        "overview-periods-grid",
        status,
        headers={"effective_cost": "EffectiveCost"},
    )
