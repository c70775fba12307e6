"""Data: what the store holds (sources, billing periods, restatements, load series), what is
wrong with it, and the cost no workload claims."""

from __future__ import annotations

import dash
import polars as pl
from dash import Input, Output, callback, dcc, html

from dashboard import components as ui
from dashboard import figures, loader, state, tables
from forecaster.views import data as views

dash.register_page(__name__, path="/data", name="Data", order=5)


def layout(currency: str | None = None, **_: str) -> html.Div:
    partitions = loader.partitions()
    currencies = loader.currencies()
    workloads_problem = loader.workloads_problem()
    return html.Div(
        [
            dcc.Location(id="data-url", refresh=False),
            html.H2("Data"),
            ui.overlap_warning("data-overlaps", views.overlap_warning(loader.source_overlaps())),
            ui.section(
                "Sources",
                tables.grid("data-sources", views.sources_table(partitions)),
                note=f"Store: {loader.store_dir()}",
            ),
            ui.section(
                "Problems",
                html.Ul([html.Li(p) for p in problems(workloads_problem)], className="plain"),
                note="Ingest refuses files that do not reconcile to the cent, so failed ingests "
                "leave the store unchanged; they are listed under Ingest errors.",
            ),
            ui.section(
                "Ingest errors",
                tables.grid(
                    "data-ingest-errors",
                    views.ingest_errors_table(loader.ingest_failures()),
                    wide=["error"],
                ),
                note="The most recent failed `forecaster ingest` runs (nothing was stored).",
            ),
            ui.section(
                "Billing periods",
                tables.grid(
                    "data-periods",
                    views.periods_table(partitions),
                    wide=["files"],
                ),
            ),
            ui.section(
                "Restatements",
                tables.grid("data-restatements", views.restatements_table(loader.catalog())),
                note="A billing period delivered again replaces the stored one; a closed month "
                "shrinking by more than 1% is flagged.",
            ),
            ui.section(
                "Load series",
                tables.grid("data-load", views.load_table(loader.load_partitions())),
            ),
            ui.section(
                "Unclaimed cost",
                ui.controls(
                    ui.dropdown(
                        "Currency",
                        "data-currency",
                        currencies,
                        state.choice(currency, currencies, currencies[0] if currencies else None),
                    )
                ),
                ui.graph("data-unclaimed", 380),
                note="EffectiveCost no workload's filters claim: shared services, support, tax, "
                "credits, untagged resources.",
            ),
        ]
    )


def problems(workloads_problem: str | None) -> list[str]:
    """What is missing or inconsistent in the store, as sentences."""
    found = views.reconciliation_problems(loader.partitions())
    if workloads_problem:
        found.append(workloads_problem)
    else:
        found += views.coverage_problems(loader.workload_coverage())
    if not loader.partitions():
        found.append("No billing data: run `forecaster ingest billing PATH`.")
    if not loader.load_partitions():
        found.append("No load data: run `forecaster ingest traffic PATH`.")
    return found or ["None found."]


@callback(
    Output("data-unclaimed", "figure"),
    Output("data-url", "search"),
    Input("data-currency", "value"),
)
def update(currency: str | None):
    search = state.encode({"currency": currency})
    if loader.workloads_problem() or not currency:
        return figures.empty(loader.workloads_problem() or "No billing data"), search
    unclaimed = loader.unclaimed()
    return figures.unclaimed_by_month(
        unclaimed.filter(pl.col("currency") == currency), currency
    ), search
