"""Scaling: the Universal Scalability Law fitted to a load test, its peak and ceiling, and
when a workload's forecast load reaches it."""

from __future__ import annotations

import dash
import polars as pl
from dash import Input, Output, callback, dcc, html

from dashboard import components as ui
from dashboard import figures, loader, state, tables
from dashboard.figures.scaling import ceiling_forecast, latency_curve_figure
from forecaster.scaling.explain import describe
from forecaster.scaling.reach import HORIZON_DAYS
from forecaster.views import scaling as views

dash.register_page(__name__, path="/scaling", name="Scaling", order=2)


def layout(
    test: str | None = None,
    workload: str | None = None,
    share: str | None = None,
    **_: str,
) -> html.Div:
    problem = loader.problem(loader.loadtest_files)
    if problem:
        return html.Div([html.H2("Scaling"), ui.problem(problem)])
    tests = list(loader.loadtest_files())
    if not tests:
        return html.Div(
            [
                html.H2("Scaling"),
                ui.problem(
                    "No load tests: start the dashboard with --loadtests PATH (CSV, k6 or "
                    "Locust results), or keep them in a loadtest/ directory beside the "
                    "workloads file."
                ),
            ]
        )
    names = [] if loader.workloads_problem() else [w.name for w in loader.workloads()]
    default_workload = next((n for n in names if tests[0].startswith(n)), None)
    return html.Div(
        [
            dcc.Location(id="scaling-url", refresh=False),
            html.H2("Scaling"),
            ui.controls(
                ui.dropdown(
                    "Load test", "scaling-test", tests, state.choice(test, tests, tests[0])
                ),
                ui.dropdown(
                    "Workload whose load forecast to compare",
                    "scaling-workload",
                    names,
                    state.choice(workload, names, default_workload),
                    clearable=True,
                ),
                ui.field(
                    "Share of the ceiling",
                    dcc.Slider(
                        id="scaling-share",
                        min=0.5,
                        max=1.0,
                        step=0.05,
                        value=state.number(share, 0.5, 1.0, 0.8),
                        marks={0.5: "50%", 0.8: "80%", 1.0: "100%"},
                    ),
                ),
            ),
            html.Div(
                [
                    ui.section("Throughput against load", ui.graph("scaling-usl", 460)),
                    ui.section(
                        "What the fit says",
                        dcc.Loading(html.Div(id="scaling-describe", className="describe")),
                        html.Div(id="scaling-coefficients"),
                    ),
                ],
                className="two",
            ),
            ui.section("Ceiling date", dcc.Loading(html.Div(id="scaling-ceiling"))),
        ]
    )


@callback(
    Output("scaling-usl", "figure"),
    Output("scaling-describe", "children"),
    Output("scaling-coefficients", "children"),
    Output("scaling-ceiling", "children"),
    Output("scaling-url", "search"),
    Input("scaling-test", "value"),
    Input("scaling-workload", "value"),
    Input("scaling-share", "value"),
)
def update(test: str, workload: str | None, share: float):
    search = state.encode({"test": test, "workload": workload, "share": share})
    try:
        points, model = loader.usl(test)
    except loader.LoaderError as exc:
        message = f"{test}: {exc}"
        return figures.empty(message), ui.problem(message), None, None, search
    coefficients = tables.grid(
        "scaling-coefficients-grid",
        views.coefficients_table(model),
        formats={"estimate": "precise", "low": "precise", "high": "precise"},
        height=280,
    )
    return (
        figures.usl_curve(points, model, test),
        html.P(describe(model)),
        coefficients,
        ceiling(test, model, workload, share),
        search,
    )


def latency_budgets(test: str, workload: str, share: float) -> list:
    """The workload's latency budgets beside the ceiling date: the engine's sentence each."""
    try:
        found = loader.latency_budgets(test, workload, share)
    except loader.LoaderError as exc:
        return [ui.problem(f"{workload}'s latency budget: {exc}")]
    out: list = []
    for outlook, sentence in found:
        stat = outlook.budget.stat
        out.append(html.P(sentence, id=f"scaling-budget-{stat}", className="describe"))
        try:
            curve = loader.latency_curve(test, stat)
        except loader.LoaderError:
            continue
        out.append(
            dcc.Graph(
                id=f"scaling-latency-{stat}",
                figure=latency_curve_figure(curve, outlook, test),
                config={"displaylogo": False},
            )
        )
    return out


def ceiling(test: str, model, workload: str | None, share: float):
    """The ceiling-date section: the engine's sentence (busiest hour, the daily average as a
    second figure) and the busiest hour's forecast against the threshold."""
    if model.peak_throughput_ is None:
        return html.P("Throughput grows without a measurable limit: there is no ceiling date.")
    if not workload:
        return html.P("Choose a workload to compare its forecast load with the ceiling.")
    if not 0 < (share or 0) <= 1:
        return ui.problem(f"share of the ceiling {share!r}: expected more than 0% and up to 100%")
    try:
        reach = loader.ceiling(test, workload, share)
    except loader.LoaderError as exc:
        return ui.problem(f"{workload}: {exc}")
    busiest = reach.busiest_hour
    return [
        *latency_budgets(test, workload, share),
        html.P(reach.sentence(), id="scaling-ceiling-sentence"),
        html.P(
            "The load test and the workload must measure the same thing (requests per "
            "second). The ceiling date is the busiest hour's (the hour that breaks a system), "
            f"forecast {HORIZON_DAYS} days after the last load data; the same figure as the "
            "review pack's. See the glossary (docs/glossary.md).",
            className="note",
        ),
        dcc.Graph(
            figure=ceiling_forecast(
                busiest.forecast.filter(pl.col("mean").is_not_null()),
                reach.threshold,
                1.0,
                f"{workload} busiest hour, load per second",
            ),
            config={"displaylogo": False},
        ),
    ]
