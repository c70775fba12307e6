"""Pure figure builders: data in, plotly figure out. No Dash, no I/O, testable as functions."""

from __future__ import annotations

import plotly.graph_objects as go
import polars as pl


def spend_by_month(spend: pl.DataFrame, currency: str, by: str | None = None) -> go.Figure:
    """Stacked monthly EffectiveCost bars in one currency (one trace per ``by`` value)."""
    frame = spend.filter(pl.col("currency") == currency)
    fig = go.Figure()
    if by is None:
        fig.add_bar(x=frame["month"].to_list(), y=frame["effective_cost"].to_list(), name=currency)
    else:
        for key in frame[by].unique().sort().to_list():
            part = frame.filter(pl.col(by) == key)
            fig.add_bar(
                x=part["month"].to_list(), y=part["effective_cost"].to_list(), name=str(key)
            )
    fig.update_layout(
        barmode="stack",
        title=f"EffectiveCost per month ({currency})",
        yaxis_title=f"{currency} per month",
        xaxis_title="billing month",
        legend_title=by or "",
        margin={"l": 60, "r": 20, "t": 50, "b": 40},
    )
    return fig
