"""What every figure shares: escaping of text from data, a common look, an empty figure.

Plotly renders a small HTML subset (``<b>``, ``<br>``, ``<a href>``, ``<span style>``) in
trace names, category labels, hover text and annotations. Text that comes from billing data
(service, account and tag values) or from configuration (workload names) must therefore be
escaped before it reaches a figure: ``esc`` turns ``<`` into ``&lt;``, which plotly shows as
the character itself.
"""

from __future__ import annotations

import html
from collections.abc import Iterable
from typing import Any

import plotly.graph_objects as go

from forecaster.format import PLOTLY_MONEY_HOVER

COLORS = {
    "organic": "#2b8a3e",
    "idle_baseline": "#e8590c",
    "scaling_excess": "#c92a2a",
    "efficiency_drift": "#f59f00",
    "residual": "#868e96",
    "unmodelled": "#ced4da",
    "unclaimed": "#5f3dc4",
    "actual": "#1c7ed6",
    "fitted": "#212529",
    "band": "rgba(28, 126, 214, 0.18)",
    "band95": "rgba(28, 126, 214, 0.10)",
    "anomaly": "#e03131",
    "positive": "#c92a2a",
    "negative": "#2b8a3e",
    "total": "#495057",
}

LABELS = {
    "organic": "Organic (load-driven)",
    "idle_baseline": "Idle baseline (fixed cost)",
    "scaling_excess": "Scaling excess (above linear)",
    "efficiency_drift": "Efficiency drift (vs today's unit cost)",
    "residual": "Residual (noise, anomalies)",
    "unmodelled": "Workload cost without a curve",
    "unclaimed": "Unclaimed (no workload)",
}


def esc(value: Any) -> str:
    """Text from data, safe to show in a plotly figure (shown literally, never as markup)."""
    return html.escape("" if value is None else str(value), quote=True)


def esc_all(values: Iterable[Any]) -> list[str]:
    return [esc(v) for v in values]


PALETTE = (
    "#1f77b4",
    "#ff7f0e",
    "#2ca02c",
    "#d62728",
    "#9467bd",
    "#8c564b",
    "#e377c2",
    "#7f7f7f",
    "#bcbd22",
    "#17becf",
    "#393b79",
    "#ad494a",
    "#637939",
    "#8c6d31",
    "#7b4173",
    "#3182bd",
    "#e6550d",
    "#31a354",
    "#756bb1",
    "#636363",
)
"""20 distinct series colours (figures show at most 12 series and a folded rest, so no
two series of a figure share a colour)."""


def style(fig: go.Figure, title: str, **layout: Any) -> go.Figure:
    """The dashboard's look: white template, compact margins, legend below the plot, the
    title below the modebar's row, one money format in hover texts."""
    base = {
        "template": "plotly_white",
        "colorway": list(PALETTE),
        "title": {
            "text": title,
            "x": 0.01,
            "xanchor": "left",
            "y": 1,
            "yref": "container",
            "yanchor": "top",
            "pad": {"t": 30},
            "font": {"size": 16},
        },
        "margin": {"l": 64, "r": 16, "t": 72, "b": 140},
        "yaxis": {"hoverformat": PLOTLY_MONEY_HOVER},
        "separators": ".,",
        # below the x-axis title, never over it (plotly widens the bottom margin to fit)
        "legend": {"orientation": "h", "yanchor": "top", "y": -0.3, "x": 0},
        "hoverlabel": {"namelength": -1},
        "font": {"family": "system-ui, -apple-system, Segoe UI, sans-serif", "size": 12},
    }
    fig.update_layout(**{**base, **layout})
    return fig


def monthly_money(
    fig: go.Figure, title: str, currency: str, month_title: str = "month", **layout: Any
) -> go.Figure:
    """``style`` for money per month on a category x-axis (one tick a month)."""
    axes = {"xaxis": {"type": "category", "title": month_title}}
    return style(fig, title, yaxis_title=f"{esc(currency)} per month", **axes, **layout)


def add_anomalies(fig: go.Figure, x: list, y: list, name: str = "anomaly", **trace: Any) -> None:
    """Anomalous periods as crosses over a figure's points."""
    marker = {"symbol": "x", "size": 11, "color": COLORS["anomaly"]}
    fig.add_scatter(x=x, y=y, mode="markers", name=name, marker=marker, **trace)


def empty(message: str, title: str = "") -> go.Figure:
    """A blank figure that says why it is blank (escaped: messages may quote data)."""
    fig = go.Figure()
    fig.add_annotation(text=esc(message), showarrow=False, x=0.5, y=0.5, xref="paper", yref="paper")
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    return style(fig, title)
