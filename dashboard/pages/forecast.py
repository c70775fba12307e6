"""Forecast & TCO: one what-if scenario (growth, architecture fix, commitment, price change)
against the baseline, side by side, with NPV and break-even (``forecaster.tco``)."""

from __future__ import annotations

import dash
import polars as pl
from dash import Input, Output, callback, dcc, html

from dashboard import components as ui
from dashboard import figures, loader, state, tables
from forecaster.views import forecast as views

dash.register_page(__name__, path="/forecast", name="Forecast & TCO", order=3)

HORIZONS = [12, 24, 36]
KEEP_ZERO = {"rate", "growth"}
TERMS = [12, 36]
PCT = {"min": 0, "step": 5, "tooltip": {"placement": "bottom", "always_visible": False}}
CONTROLS = (  # (id suffix, property, URL key)
    ("currency", "value", "currency"),
    ("horizon", "value", "months"),
    ("rate", "value", "rate"),
    ("growth", "value", "growth"),
    ("fix-workload", "value", "fix"),
    ("fix-from", "value", "fix_from"),
    ("idle", "value", "idle"),
    ("linear", "value", "linear"),
    ("unit-cut", "value", "unit_cut"),
    ("migration", "value", "migration"),
    ("labour", "value", "labour"),
    ("coverage", "value", "coverage"),
    ("discount", "value", "discount"),
    ("term", "value", "term"),
    ("price", "value", "price"),
    ("price-from", "value", "price_from"),
)


def _pct(label: str, id_: str, top: int, raw: str | None) -> html.Div:
    """A labelled percent slider from 0 to ``top``, set from the URL value ``raw``."""
    value = state.number(raw, 0, top, 0)
    return ui.field(label, dcc.Slider(id=f"forecast-{id_}", max=top, value=value, **PCT))


def _num(id_: str, value: float | None, **kw) -> dcc.Input:
    """A number box without browser-side min/max: a browser turns an out-of-range entry into
    an empty value, which would read as a default; the callback checks ranges and says so."""
    return dcc.Input(id=f"forecast-{id_}", type="number", value=value, debounce=True, **kw)


def layout(**query: str) -> html.Div:
    problem = None if loader.bill_only() else loader.workloads_problem()
    if problem:
        return html.Div([html.H2("Forecast & TCO"), ui.problem(problem)])
    q = query.get
    currencies = loader.currencies()
    if not currencies:
        return html.Div([html.H2("Forecast & TCO"), ui.problem("No billing data yet.")])
    names = [w.name for w in loader.workloads()]
    seen = loader.months() or sorted(set(loader.spend(None)["month"].to_list()))
    months = views.future_months(seen[-1], 36) if seen else []
    return html.Div(
        [
            dcc.Location(id="forecast-url", refresh=False),
            html.H2("Forecast & TCO"),
            html.P(
                "Each workload's load is forecast and pushed through its fitted cost curve by "
                "Monte Carlo (load and curve uncertainty together); unclaimed cost is forecast "
                "by time. The what-if scenario changes the assumptions below; the baseline "
                "keeps the forecast as it is."
                if not loader.bill_only()
                else "No workloads file: the whole bill is forecast by time from its own daily "
                "history (trend and seasonality), P10-P90 band. Price and commitment what-ifs "
                "apply to it; growth and architecture fixes need workloads (cost against "
                "load): the Workloads page suggests a workloads file.",
                className="note",
            ),
            ui.controls(
                ui.dropdown(
                    "Currency",
                    "forecast-currency",
                    currencies,
                    state.choice(q("currency"), currencies, currencies[0]),
                ),
                ui.radio(
                    "Horizon (months)",
                    "forecast-horizon",
                    HORIZONS,
                    state.choice(q("months"), HORIZONS, 36),
                ),
                ui.field(
                    "Discount rate (% a year)",
                    _num("rate", state.number(q("rate"), 0, 50, 8), step=0.5),
                ),
            ),  # fmt: skip
            html.Div(
                [
                    ui.section(
                        "Growth",
                        ui.field(
                            "Load growth, % a year (empty: the forecast's)",
                            _num("growth", _opt(q("growth"), -90, 500)),
                        ),
                    ),  # fmt: skip
                    ui.section(
                        "Architecture fix",
                        ui.controls(
                            ui.dropdown(
                                "Workload",
                                "forecast-fix-workload",
                                names,
                                state.choice(q("fix"), names, None),
                                clearable=True,
                            ),
                            ui.dropdown(
                                "Live from",
                                "forecast-fix-from",
                                months,
                                state.month(
                                    q("fix_from"),
                                    months,
                                    months[2] if len(months) > 2 else None,
                                ),
                            ),
                        ),  # fmt: skip
                        _pct("Idle baseline removed (%)", "idle", 100, q("idle")),
                        dcc.Checklist(
                            id="forecast-linear",
                            options=[
                                {
                                    "label": " scale linearly (remove the scaling excess)",
                                    "value": "linear",
                                }
                            ],
                            value=state.flags(q("linear"), ["linear"]),
                        ),
                        _pct("Unit cost cut (%)", "unit-cut", 50, q("unit_cut")),
                        ui.controls(
                            ui.field(
                                "Migration cost (one-off)",
                                _num("migration", state.number(q("migration"), 0, 1e9, 0)),
                            ),
                            ui.field(
                                "Labour per month",
                                _num("labour", state.number(q("labour"), -1e8, 1e8, 0)),
                            ),
                        ),
                    ),  # fmt: skip
                    ui.section(
                        "Commitment and price",
                        _pct("Commitment coverage (%)", "coverage", 100, q("coverage")),
                        _pct("Commitment discount (%)", "discount", 60, q("discount")),
                        ui.radio(
                            "Term (months)",
                            "forecast-term",
                            TERMS,
                            state.choice(q("term"), TERMS, 12),
                        ),
                        ui.controls(
                            ui.field(
                                "List price change (%)",
                                _num("price", state.number(q("price"), -90, 200, 0)),
                            ),
                            ui.dropdown(
                                "from",
                                "forecast-price-from",
                                months,
                                state.month(q("price_from"), months, months[0] if months else None),
                            ),
                        ),
                    ),  # fmt: skip
                ],
                className="three",
            ),
            ui.section("Scenarios side by side", dcc.Loading(html.Div(id="forecast-compare"))),
            ui.section("Monthly cost", ui.graph("forecast-bands", 440)),
        ]
    )


def scenario_source() -> str:
    """Which scenarios the comparison holds, and from which file."""
    path = loader.inputs()["scenarios"]
    if path is None:
        return (
            "Scenarios: the baseline and the what-if below (no scenario file named; start the "
            "dashboard with --scenarios FILE to compare a file's scenarios too)."
        )
    return f"Scenarios: the baseline and the scenarios of {path}, and the what-if below."


def _opt(value, lo: float, hi: float) -> float | None:
    x = state.number(value, lo, hi, float("nan"))
    return None if x != x else x


def what_if(values: dict) -> views.WhatIf:
    """The scenario from the controls (percentages to fractions; blanks to defaults)."""

    def pct(key: str) -> float:
        return float(values.get(key) or 0) / 100

    growth = values.get("growth")
    return views.WhatIf(
        horizon_months=int(values.get("months") or 36),
        discount_rate=pct("rate"),
        growth=None if growth in (None, "") else float(growth) / 100,
        fix_workload=values.get("fix") or None,
        fix_from=values.get("fix_from"),
        idle_reduction=pct("idle"),
        linear="linear" in (values.get("linear") or []),
        unit_cost_cut=pct("unit_cut"),
        migration_cost=float(values.get("migration") or 0),
        labour_per_month=float(values.get("labour") or 0),
        commitment_coverage=pct("coverage"),
        commitment_discount=pct("discount"),
        commitment_term=int(values.get("term") or 12),
        price_change=pct("price"),
        price_from=values.get("price_from"),
    )


LIMITS = {  # URL key: (label, low, high) of the number inputs, as the controls show them
    "rate": ("Discount rate (% a year)", 0, 50),
    "growth": ("Load growth (% a year)", -90, 500),
    "migration": ("Migration cost", 0, 1e9),
    "labour": ("Labour per month", -1e8, 1e8),
    "price": ("List price change (%)", -90, 200),
}


def out_of_range(values: dict) -> list[str]:
    """One message per number input outside its range (never clamped or dropped)."""
    problems = []
    if values.get("rate") in (None, ""):
        problems.append("Discount rate (% a year): empty (0 is a rate; enter it)")
    for key, (label, lo, hi) in LIMITS.items():
        value = values.get(key)
        if value in (None, ""):
            continue
        try:
            number = float(value)
        except (TypeError, ValueError):
            problems.append(f"{label}: {value!r} is not a number")
            continue
        if not lo <= number <= hi or number != number:
            problems.append(f"{label}: {value:g} is outside {lo:,g} to {hi:,g}")
    return problems


@callback(
    Output("forecast-compare", "children"),
    Output("forecast-bands", "figure"),
    Output("forecast-url", "search"),
    [Input(f"forecast-{suffix}", prop) for suffix, prop, _ in CONTROLS],
)
def update(*args):
    values = {key: value for (_, _, key), value in zip(CONTROLS, args, strict=True)}
    currency = values["currency"]
    search = state.encode(
        {k: None if v == 0 and k not in KEEP_ZERO else v for k, v in values.items()}
    )
    problems = out_of_range(values)
    if problems:
        message = "Not computed: " + "; ".join(problems) + "."
        return ui.problem(message), figures.empty(message), search
    what = what_if(values)
    try:
        doc = loader.tco(what)
    except loader.LoaderError as exc:
        return ui.problem(str(exc)), figures.empty(str(exc)), search
    if views.currency_doc(doc, currency) is None:
        message = f"No {currency} forecast"
        return ui.problem(message), figures.empty(message), search
    compare = views.comparison_table(doc, currency)
    history = loader.spend(None).filter(pl.col("currency") == currency).tail(12)
    fig = figures.cost_forecast(
        history, views.monthly_bands(doc, currency), currency, f"Monthly cost ({currency})"
    )
    paths = html.P(
        " ".join(
            filter(
                None,
                (views.monte_carlo_note(doc), scenario_source(), views.what_if_note(doc, currency)),
            )  # fmt: skip
        ),
        className="note",
        id="forecast-paths",
    )
    return [paths, tables.grid("forecast-compare-grid", compare, wide=["figure"])], fig, search
