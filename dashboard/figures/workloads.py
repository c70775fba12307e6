"""Workload figures: cost against load with the fitted curve and its band, cost over time,
and waste per month by workload.

Long series (``WEBGL_MIN_POINTS`` points or more, e.g. hourly data) are drawn with WebGL
(``Scattergl``); shorter ones as SVG, which draws a few thousand points faster than WebGL
sets itself up (measured in benchmarks/dashboard.py).
"""

from __future__ import annotations

import plotly.graph_objects as go
import polars as pl

from dashboard.figures.common import COLORS, LABELS, add_anomalies, empty, esc, style
from forecaster.format import PLOTLY_MONEY_HOVER
from forecaster.portfolio import WorkloadFit
from forecaster.views.workloads import WASTE_KINDS, complete

WEBGL_MIN_POINTS = 2000


def _points(fig: go.Figure, n: int):
    """The scatter adder for ``n`` points: WebGL for long series, SVG otherwise."""
    return fig.add_scattergl if n >= WEBGL_MIN_POINTS else fig.add_scatter


def _unit(fit: WorkloadFit) -> str:
    return esc(fit.load_unit or "load units")


def _date_ticks(days: pl.Series, n: int = 5) -> tuple[list[float], list[str]]:
    """Colorbar ticks for a time colour scale: n evenly spaced dates."""
    if days.len() == 0:
        return [], []
    lo, hi = float(days.min()), float(days.max())
    values = [lo + (hi - lo) * i / (n - 1) for i in range(n)] if hi > lo else [lo]
    return values, [str(pl.Series([int(v)]).cast(pl.Date)[0]) for v in values]


def cost_vs_load(fit: WorkloadFit, band: pl.DataFrame, anomalies: pl.DataFrame) -> go.Figure:
    """Each period's cost against its load (colour = date), the fitted curve as of the last
    period with its 95% prediction band, and the periods flagged as anomalies."""
    name, currency = esc(fit.name), esc(fit.currency or "")
    title = f"{name}: cost against load"
    frame = complete(fit)
    if frame.height == 0:
        return empty(f"{fit.name}: no periods with both cost and load in this window", title)
    days = frame["period_start"].cast(pl.Date).cast(pl.Int32)
    tickvals, ticktext = _date_ticks(days)
    fig = go.Figure()
    if band.height:
        fig.add_scatter(
            x=band["load"].to_list(),
            y=band["hi"].to_list(),
            mode="lines",
            line={"width": 0},
            showlegend=False,
            hoverinfo="skip",
        )
        fig.add_scatter(
            x=band["load"].to_list(),
            y=band["lo"].to_list(),
            mode="lines",
            line={"width": 0},
            fill="tonexty",
            fillcolor=COLORS["band"],
            name="95% prediction band",
            hoverinfo="skip",
        )
    _points(fig, frame.height)(
        x=frame["load"].to_list(),
        y=frame["cost"].to_list(),
        mode="markers",
        name="periods",
        marker={
            "size": 5,
            "color": days.to_list(),
            "colorscale": "Viridis",
            "colorbar": {"title": "date", "tickvals": tickvals, "ticktext": ticktext},
        },
        customdata=frame["period_start"].dt.strftime("%Y-%m-%d").to_list(),
        hovertemplate="%{customdata}<br>load %{x:,.0f}<br>cost %{y:,.2f}<extra></extra>",
    )
    if band.height:
        model = esc(fit.summary.get("model"))
        fig.add_scatter(
            x=band["load"].to_list(),
            y=band["mean"].to_list(),
            mode="lines",
            name=f"fitted curve ({model}, as of the last period)",
            line={"color": COLORS["fitted"], "width": 2},
        )
    if anomalies.height:
        add_anomalies(
            fig,
            anomalies["load"].to_list(),
            anomalies["cost"].to_list(),
            customdata=anomalies["period_start"].dt.strftime("%Y-%m-%d").to_list(),
            hovertemplate="anomaly %{customdata}<br>cost %{y:,.2f}<extra></extra>",
        )
    return style(
        fig,
        title,
        xaxis_title=f"load per day ({_unit(fit)})",
        yaxis_title=f"{currency} per day",
        xaxis_rangemode="tozero",
        yaxis_rangemode="tozero",
    )


GRAINS = {"day": ("1d", "per day"), "week": ("1w", "per week"), "month": ("1mo", "per month")}


def _by_grain(frame: pl.DataFrame, value: str, grain: str) -> pl.DataFrame:
    """``value`` summed per ``grain`` (day, week starting Monday, calendar month), complete
    periods only: a part-filled first or last week or month would read as a dip."""
    every = GRAINS[grain][0]
    out = (
        frame.select("period_start", value)
        .sort("period_start")
        .group_by_dynamic("period_start", every=every)
        .agg(pl.col(value).sum(), pl.len().alias("_n"))
    )
    if grain != "day" and out.height > 2:
        full = out["_n"].max()
        out = out.filter(pl.col("_n") >= 0.9 * full if grain == "week" else pl.col("_n") >= 28)
    return out.drop("_n")


def cost_over_time(fit: WorkloadFit, anomalies: pl.DataFrame, grain: str = "week") -> go.Figure:
    """Actual cost and what the curve expects for the load seen (drift included), summed
    per day, week or month (``grain``): weekly by default, so a weekday pattern does not
    hide the trend; expected drawn dashed over the actual so both stay visible."""
    grain = grain if grain in GRAINS else "week"
    per = GRAINS[grain][1]
    title = f"{esc(fit.name)}: cost {per}, actual and expected"
    if fit.frame.height == 0:
        return empty(f"{fit.name}: no data in this window", title)
    fig = go.Figure()
    actual = _by_grain(fit.frame, "cost", grain)
    add = _points(fig, actual.height)
    add(
        x=actual["period_start"].to_list(),
        y=actual["cost"].to_list(),
        mode="lines",
        name="Actual cost",
        line={"color": COLORS["actual"], "width": 2},
        hovertemplate=f"%{{x|%Y-%m-%d}}: %{{y:{PLOTLY_MONEY_HOVER}}}<extra>Actual</extra>",
    )
    if fit.decomposition is not None:
        d = fit.decomposition
        expected = d.select(
            "period_start", (d["cost"] - d["residual"] + d["drift"]).alias("expected")
        )
        expected = _by_grain(expected, "expected", grain)
        add(
            x=expected["period_start"].to_list(),
            y=expected["expected"].to_list(),
            mode="lines",
            name="Expected for the load seen",
            line={"color": COLORS["fitted"], "width": 2, "dash": "dash"},
            hovertemplate=f"%{{x|%Y-%m-%d}}: %{{y:{PLOTLY_MONEY_HOVER}}}<extra>Expected</extra>",
        )
    if anomalies.height and grain == "day":
        add_anomalies(
            fig, anomalies["period_start"].to_list(), anomalies["cost"].to_list(), name="Anomaly"
        )
    return style(
        fig,
        title,
        yaxis_title=f"{esc(fit.currency or '')} {per}",
        yaxis_rangemode="tozero",
        hovermode="x unified",
    )


def waste_by_workload(findings: pl.DataFrame) -> go.Figure:
    """The idle baseline, scaling excess and efficiency drift of each workload's last month
    (``last_month_waste``), one horizontal bar per workload (currencies are labelled, never
    summed)."""
    months = sorted(set(findings["month"].to_list())) if "month" in findings.columns else []
    when = months[-1] if len(months) == 1 else "each workload's last month"
    title = f"Waste candidates by workload in {when} (workload's currency)"
    waste = findings.filter(pl.col("kind").is_in(list(WASTE_KINDS)))
    if waste.height == 0:
        return empty("No waste findings", title)
    label = pl.format("{} ({})", pl.col("workload"), pl.col("currency").fill_null("?"))
    waste = waste.with_columns(label.alias("label"))
    order = waste.group_by("label").agg(pl.col("amount").sum()).sort("amount")["label"].to_list()
    fig = go.Figure()
    for kind in WASTE_KINDS:
        part = waste.filter(pl.col("kind") == kind)
        by = dict(zip(part["label"].to_list(), part["amount"].to_list(), strict=True))
        if not by:
            continue
        fig.add_bar(
            y=[esc(x) for x in order],
            x=[by.get(x, 0.0) for x in order],
            orientation="h",
            name=LABELS[kind],
            marker_color=COLORS[kind],
            hovertemplate="%{y}: %{x:,.2f} in the month<extra>%{fullData.name}</extra>",
        )
    return style(
        fig,
        title,
        barmode="stack",
        height=max(260, 110 + 36 * len(order)),
        margin={"l": 180, "r": 16, "t": 48, "b": 48},
    )
