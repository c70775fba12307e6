"""Workloads: every workload's cost curve and findings; drill into one over a time window."""

from __future__ import annotations

import dash
from dash import Input, Output, State, callback, dcc, html, no_update

from dashboard import components as ui
from dashboard import figures, loader, state, tables
from forecaster import format as fmt
from forecaster.portfolio import WorkloadFit
from forecaster.views.workloads import (
    anomaly_periods,
    curve_band,
    findings_table,
    last_month_waste,
    suggestion_table,
    summary_table,
)

dash.register_page(__name__, path="/workloads", name="Workloads", order=1)

SUMMARY_FORMATS = {"marginal_cost": "precise", "exponent": "ratio", "r2": "ratio"}


def layout(
    workload: str | None = None, start: str | None = None, end: str | None = None, **_: str
) -> html.Div:
    if loader.bill_only():
        return suggestion_layout()
    problem = loader.workloads_problem()
    if problem:
        return html.Div([html.H2("Workloads"), ui.problem(problem)])
    fits = loader.fits()
    names = list(fits)
    months = loader.months()
    first, last = (months[0], months[-1]) if months else (None, None)
    return html.Div(
        [
            dcc.Location(id="workloads-url", refresh=False),
            html.H2("Workloads"),
            *(
                [
                    ui.problem(
                        f"No workload named {workload!r} in {loader.workloads_path()}; "
                        f"showing {names[0]}. Workloads: {', '.join(names)}."
                    )
                ]
                if workload and names and workload not in names
                else []
            ),  # fmt: skip
            ui.section(
                "All workloads (fitted on all data)",
                tables.grid(
                    "workloads-summary",
                    summary_table(fits),
                    formats=SUMMARY_FORMATS,
                    wide=["note"],
                    dashGridOptions={"rowSelection": {"mode": "singleRow"}},
                ),
                dcc.Graph(
                    id="workloads-waste",
                    figure=figures.waste_by_workload(last_month_waste(fits)),
                    config={"displaylogo": False},
                ),
                note="Money per month in each workload's billing currency. Select a row to "
                "drill into that workload.",
            ),
            ui.controls(
                ui.dropdown(
                    "Workload",
                    "workloads-name",
                    names,
                    state.choice(workload, names, names[0] if names else None),
                ),
                ui.dropdown(
                    "From month", "workloads-start", months, state.month(start, months, first)
                ),
                ui.dropdown("To month", "workloads-end", months, state.month(end, months, last)),
            ),
            dcc.Loading(html.Div(id="workloads-detail", className="describe")),
            html.Div(
                [
                    ui.section("Cost against load", ui.graph("workloads-scatter", 460)),
                    ui.section(
                        "Cost over time",
                        dcc.RadioItems(
                            id="workloads-grain",
                            options=[
                                {"label": "Daily", "value": "day"},
                                {"label": "Weekly", "value": "week"},
                                {"label": "Monthly", "value": "month"},
                            ],
                            value="week",
                            inline=True,
                            className="grain",
                        ),
                        ui.graph("workloads-time", 430),
                    ),
                ],
                className="two",
            ),
            ui.section(
                "Findings",
                dcc.Loading(html.Div(id="workloads-findings")),
                note="Idle baseline, scaling excess and efficiency drift are money per month; "
                "an anomaly is one period's cost the load seen does not explain.",
            ),
        ]
    )


@callback(
    Output("workloads-name", "value"),
    Input("workloads-summary", "selectedRows"),
    prevent_initial_call=True,
)
def select_row(rows: list[dict] | None):
    """A row selected in the summary table drills into that workload."""
    return rows[0]["workload"] if rows else no_update


@callback(
    Output("workloads-scatter", "figure"),
    Output("workloads-time", "figure"),
    Output("workloads-detail", "children"),
    Output("workloads-findings", "children"),
    Output("workloads-url", "search"),
    Input("workloads-name", "value"),
    Input("workloads-start", "value"),
    Input("workloads-end", "value"),
    Input("workloads-grain", "value"),
)
def update(name: str | None, start: str | None, end: str | None, grain: str = "week"):
    window = full_window(start, end, loader.months())
    search = state.encode({"workload": name, "start": window[0], "end": window[1]})
    if not name:
        blank = figures.empty("Choose a workload")
        return blank, blank, "", None, search
    try:
        fit = loader.fit(name, *window)
    except loader.LoaderError as exc:
        blank = figures.empty(str(exc))
        return blank, blank, ui.problem(str(exc)), None, search
    anomalies = anomaly_periods(fit)
    return (
        figures.cost_vs_load(fit, curve_band(fit), anomalies),
        figures.cost_over_time(fit, anomalies, grain or "week"),
        describe(fit),
        tables.grid(
            "workloads-findings-grid",
            findings_table({fit.name: fit}),
            wide=["detail"],
            height=320,
        ),
        search,
    )


def full_window(start: str | None, end: str | None, months: list[str]) -> tuple:
    """(start, end) in order, None where the window reaches the data's first or last month
    (so the full window reuses the fits computed at start-up and keeps URLs short)."""
    if start and end and start > end:
        start, end = end, start
    if months and start == months[0]:
        start = None
    if months and end == months[-1]:
        end = None
    return start, end


def describe(fit: WorkloadFit) -> list:
    """The fit in a few sentences (text only)."""
    s = fit.summary
    if s.get("model") is None:
        return [html.P(f"{fit.name}: no cost curve: {s.get('reason', '')}")]
    cur, unit = fit.currency or None, fit.load_unit or "load units"
    ci = s.get("fixed_cost_ci")
    level = fmt.interval_name(s.get("confidence", 90))
    lines = [
        f"{fit.name}: {s['model']} curve over {s['n_periods']} days, R² {s['r2']:.3f}.",
        f"Idle baseline {fmt.money(s['fixed_cost_per_month'], cur)} per month"
        + (
            f" ({level} {fmt.money(ci[0] * 30.4375, None, 0)} to "
            f"{fmt.money(ci[1] * 30.4375, None, 0)})"
            if ci
            else ""
        )
        + f"; marginal cost {fmt.unit_cost(s['marginal_cost'], cur, unit)}"
        + (f"; exponent k = {s['exponent']:.3f}" if s.get("exponent") is not None else "")
        + (
            f" ({level} {s['exponent_ci'][0]:.3f} to {s['exponent_ci'][1]:.3f})"
            if s.get("exponent_ci") and s.get("model") == "power"
            else ""
        )
        + ".",
    ]
    lines += [f"Warning: {w}" for w in s.get("warnings", [])]
    return [html.P(line) for line in lines]


# -- a bill only: the suggested workloads file and the anomalies by time -------------------
def suggestion_layout() -> html.Div:
    """No workloads file: the workloads the bill suggests (with a download of the TOML) and
    the days whose cost left its own history's forecast band."""
    keys = ["service", "account", *[f"tag:{k}" for k in loader.tag_keys()]]
    return html.Div(
        [
            html.H2("Workloads"),
            html.P(
                "No workloads file is loaded, so cost cannot be tied to load yet. Below: the "
                "workloads the bill suggests (its largest cost groups, each with the load "
                "metric whose daily moves follow its cost, or a usage quantity from the bill "
                "marked as a proxy). Download the file, review it, and start the dashboard "
                "with --workloads FILE.",
                className="note",
            ),
            ui.controls(
                ui.dropdown("Group the bill by", "workloads-suggest-by", keys, "service"),
                html.Div(
                    [
                        html.Button("Download workloads.toml", id="workloads-suggest-button"),
                        dcc.Download(id="workloads-suggest-download"),
                    ],
                    className="field",
                ),
            ),
            ui.section("Suggested workloads", dcc.Loading(html.Div(id="workloads-suggest"))),
            ui.section(
                "Anomalies by time",
                dcc.Loading(html.Div(id="workloads-anomalies")),
                note="Time-only: days of the last 84 whose cost fell outside the 95% forecast "
                "band of their own provider / service / account history; excess is the money "
                "beyond the band. With a load driver, the load-aware anomalies replace these.",
            ),
        ]
    )


@callback(
    Output("workloads-suggest", "children"),
    Output("workloads-anomalies", "children"),
    Input("workloads-suggest-by", "value"),
)
def suggest(by: str):
    try:
        found = loader.suggestion(by)
        table = tables.grid("workloads-suggest-grid", suggestion_table(found[0]), wide=["driver"])
    except loader.LoaderError as exc:
        table = ui.problem(str(exc))
    try:
        anomalies = loader.time_anomalies()
        shown = tables.grid("workloads-anomalies-grid", anomalies.drop("basis"), height=360)
    except loader.LoaderError as exc:
        shown = ui.problem(str(exc))
    return table, shown


@callback(
    Output("workloads-suggest-download", "data"),
    Input("workloads-suggest-button", "n_clicks"),
    State("workloads-suggest-by", "value"),
    prevent_initial_call=True,
)
def download_suggestion(_clicks: int, by: str):
    if loader.problem(loader.suggestion, by):
        return None
    found = loader.suggestion(by)
    return {"content": found[1], "filename": "workloads.toml", "type": "application/toml"}
