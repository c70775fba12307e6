"""Overview figures: spend by month (open months hatched) and the organic versus waste split."""

from __future__ import annotations

import plotly.graph_objects as go
import polars as pl

from dashboard.figures.common import COLORS, LABELS, empty, esc, monthly_money, style
from forecaster.format import label
from forecaster.views.overview import SPLIT_PARTS

TOP_N = 12
OTHER = "(all others)"


def top_n(frame: pl.DataFrame, by: str, n: int = TOP_N) -> pl.DataFrame:
    """Keep the ``n`` largest ``by`` values (by total effective cost); fold the rest into one
    "(all others)" row per month so a figure stays readable with hundreds of services."""
    totals = frame.group_by(by).agg(pl.col("effective_cost").sum()).sort("effective_cost")
    if totals.height <= n + 1:
        return frame
    keep = totals.tail(n)[by].to_list()
    folded = pl.when(pl.col(by).is_in(keep)).then(pl.col(by)).otherwise(pl.lit(OTHER))
    return (
        frame.with_columns(folded.alias(by))
        .group_by("month", by)
        .agg(pl.col("effective_cost").sum())
        .sort("month", by)
    )


def spend_by_month(
    spend: pl.DataFrame,
    currency: str,
    by: str | None = None,
    open_months: list[str] = (),
    tag_key: str | None = None,
) -> go.Figure:
    """Stacked monthly EffectiveCost in one currency, one trace per ``by`` value (the 12
    largest, the rest folded); months still open are hatched. With ``by="tag"`` the frame's
    ``tag`` column holds the values of tag ``tag_key``."""
    frame = spend.filter(pl.col("currency") == currency)
    title = f"Effective cost per month ({esc(currency)})"
    if frame.height == 0:
        return empty(f"No {currency} billing data in the store", title)
    fig = go.Figure()
    groups: list[tuple[str, pl.DataFrame]]
    if by is None:
        groups = [(currency, frame)]
    else:
        frame = top_n(frame, by)
        order = (
            frame.group_by(by)
            .agg(pl.col("effective_cost").sum())
            .sort("effective_cost", descending=True)[by]
        )
        groups = [(key, frame.filter(pl.col(by) == key)) for key in order.to_list()]
    for key, part in groups:
        months = part["month"].to_list()
        fig.add_bar(
            x=months,
            y=part["effective_cost"].to_list(),
            name=esc(key),
            marker_pattern_shape=["/" if m in open_months else "" for m in months],
            hovertemplate="%{x}: %{y:,.2f}<extra>%{fullData.name}</extra>",
        )
    if open_months:
        title += " - hatched: open month (charges still arriving)"
    legend = esc(f"Tag {tag_key}" if by == "tag" else label(by) if by else "")
    return monthly_money(
        fig, title, currency, "billing month", barmode="stack", legend_title=legend
    )


def organic_waste(split: pl.DataFrame, currency: str) -> go.Figure:
    """Monthly cost split into organic growth, idle baseline, scaling excess, efficiency
    drift, residual, unmodelled and unclaimed cost (relative bars: negatives go below 0)."""
    title = f"Organic versus waste per month ({esc(currency)})"
    if split.height == 0:
        return empty("No workload fits in this currency", title)
    fig = go.Figure()
    for part in SPLIT_PARTS:
        values = split[part].to_list()
        if not any(abs(v) >= 0.005 for v in values):
            continue
        fig.add_bar(
            x=split["month"].to_list(),
            y=values,
            name=LABELS[part],
            marker_color=COLORS[part],
            hovertemplate="%{x}: %{y:,.2f}<extra>%{fullData.name}</extra>",
        )
    return monthly_money(fig, title, currency, barmode="relative")


BAND_COLORS = {"baseline": ("#1c7ed6", "rgba(28, 126, 214, 0.18)"),
               "what-if": ("#2b8a3e", "rgba(43, 138, 62, 0.18)")}  # fmt: skip


def cost_forecast(
    history: pl.DataFrame, bands: pl.DataFrame, currency: str, title: str
) -> go.Figure:
    """Monthly cost: the actual months, then per scenario the forecast median with its
    P10-P90 band (Monte Carlo over load and curve uncertainty)."""
    if bands.height == 0:
        return empty(f"No {currency} forecast", title)
    fig = go.Figure()
    if history.height:
        fig.add_scatter(
            x=_first_days(history["month"]), y=history["effective_cost"].to_list(),
            mode="lines+markers", name="Actual", line={"color": "#495057"},
        )  # fmt: skip
    for name in bands["scenario"].unique(maintain_order=True).to_list():
        part = bands.filter(pl.col("scenario") == name)
        line, fill = BAND_COLORS.get(name, ("#e8590c", "rgba(232, 89, 12, 0.18)"))
        x = _first_days(part["month"])
        fig.add_scatter(x=x, y=part["p90"].to_list(), mode="lines", line={"width": 0},
                        showlegend=False, hoverinfo="skip")  # fmt: skip
        fig.add_scatter(x=x, y=part["p10"].to_list(), mode="lines", line={"width": 0},
                        fill="tonexty", fillcolor=fill,
                        name=f"{esc(name)}: 80% range (P10 to P90)")  # fmt: skip
        fig.add_scatter(x=x, y=part["p50"].to_list(), mode="lines",
                        line={"color": line, "width": 2}, name=f"{esc(name)} median")  # fmt: skip
    return style(
        fig,
        title,
        yaxis_title=f"{esc(currency)} per month",
        xaxis={"type": "date", "title": "month", "tickformat": "%b %Y"},
        yaxis_rangemode="tozero",
        hovermode="x unified",
    )


def _first_days(months: pl.Series) -> list[str]:
    """'YYYY-MM' -> 'YYYY-MM-01', so months sit on a date axis."""
    return [f"{m}-01" for m in months.to_list()]
