"""Data page figures: what no workload claims, month by month."""

from __future__ import annotations

import plotly.graph_objects as go
import polars as pl

from dashboard.figures.common import COLORS, empty, esc, monthly_money


def unclaimed_by_month(unclaimed: pl.DataFrame, currency: str) -> go.Figure:
    """Claimed and unclaimed EffectiveCost per month in one currency (stacked), with the
    unclaimed share in the hover."""
    title = f"Cost claimed by workloads and unclaimed, per month ({esc(currency)})"
    frame = unclaimed.filter(pl.col("currency") == currency)
    if frame.height == 0:
        return empty(f"No {currency} cost in the store", title)
    months = frame["period_start"].dt.strftime("%Y-%m").to_list()
    share = (frame["unclaimed_cost"] / frame["total_cost"]).fill_nan(0.0).to_list()
    fig = go.Figure()
    fig.add_bar(
        x=months,
        y=frame["claimed_cost"].to_list(),
        name="claimed by a workload",
        marker_color=COLORS["organic"],
    )
    fig.add_bar(
        x=months,
        y=frame["unclaimed_cost"].to_list(),
        name="unclaimed",
        marker_color=COLORS["unclaimed"],
        customdata=share,
        hovertemplate="%{x}: %{y:,.2f} (%{customdata:.1%} of the month)<extra>unclaimed</extra>",
    )
    return monthly_money(fig, title, currency, barmode="stack")
