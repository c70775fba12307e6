"""Scaling figures: the Universal Scalability Law curve with its measurements and peak."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
import polars as pl

from dashboard.figures.common import COLORS, esc, style
from forecaster.scaling import USLModel


def load_grid(model: USLModel, points: int = 200) -> np.ndarray:
    """Loads from 1 to past both the highest measurement and the peak (when there is one)."""
    top = float(model.load_.max())
    if model.peak_load_ is not None:
        top = max(top, 1.5 * model.peak_load_)
    return np.linspace(1.0, top * 1.15, points)


def usl_curve(points: pl.DataFrame, model: USLModel, name: str) -> go.Figure:
    """Measured throughput against load, the fitted USL curve, linear scaling for reference,
    the peak N* (or the asymptote) as a marker and line."""
    grid = load_grid(model)
    fig = go.Figure()
    fig.add_scatter(
        x=grid,
        y=model.gamma_ * grid,
        mode="lines",
        name="linear scaling (gamma x N)",
        line={"dash": "dot", "color": "#adb5bd"},
    )
    fig.add_scatter(
        x=grid,
        y=model.throughput(grid),
        mode="lines",
        name=f"USL fit (sigma {model.sigma_:.3g}, kappa {model.kappa_:.3g})",
        line={"color": COLORS["fitted"], "width": 2},
    )
    fig.add_scatter(
        x=points["load"].to_list(),
        y=points["throughput"].to_list(),
        mode="markers",
        name="measured",
        marker={"size": 8, "color": COLORS["actual"]},
    )
    peak = model.peak_throughput_
    if model.ceiling_kind_ == "peak" and model.peak_load_ is not None:
        fig.add_scatter(
            x=[model.peak_load_],
            y=[peak],
            mode="markers",
            name=f"peak N* = {model.peak_load_:,.1f}",
            marker={"symbol": "star", "size": 16, "color": COLORS["anomaly"]},
        )
        fig.add_vline(x=model.peak_load_, line={"dash": "dash", "color": COLORS["anomaly"]})
    if peak is not None:
        fig.add_hline(
            y=peak,
            line={"dash": "dash", "color": "#868e96"},
            annotation_text=f"ceiling {peak:,.1f}",
            annotation_position="top left",
        )
    ymax = max(float(points["throughput"].max()), peak or 0.0) * 1.25
    return style(
        fig,
        f"{esc(name)}: throughput against load (Universal Scalability Law)",
        xaxis_title="load N (concurrency, users or instances)",
        yaxis_title="throughput",
        yaxis_range=[0, ymax],
    )


def ceiling_forecast(
    forecast: pl.DataFrame, threshold: float | None, scale: float, unit: str
) -> go.Figure:
    """The load forecast (times ``scale``) with its 80% and 95% bands against the ceiling
    threshold (``share`` x ceiling), when there is one."""
    x = forecast["timestamp"].to_list()
    fig = go.Figure()
    for lo, hi, color, label in (
        ("lo_95", "hi_95", COLORS["band95"], "95% interval"),
        ("lo_80", "hi_80", COLORS["band"], "80% interval"),
    ):
        if lo not in forecast.columns:
            continue
        fig.add_scatter(x=x, y=(forecast[hi] * scale).to_list(), mode="lines",
                        line={"width": 0}, showlegend=False, hoverinfo="skip")  # fmt: skip
        fig.add_scatter(x=x, y=(forecast[lo] * scale).to_list(), mode="lines",
                        line={"width": 0}, fill="tonexty", fillcolor=color, name=label)  # fmt: skip
    fig.add_scatter(
        x=x, y=(forecast["mean"] * scale).to_list(), mode="lines", name="forecast",
        line={"color": COLORS["actual"]},
    )  # fmt: skip
    if threshold is not None:
        fig.add_hline(
            y=threshold,
            line={"dash": "dash", "color": COLORS["anomaly"]},
            annotation_text=f"ceiling threshold {threshold:,.1f}",
            annotation_position="top left",
        )
    return style(fig, "Load forecast against the ceiling", yaxis_title=esc(unit))


def latency_curve_figure(curve, outlook, name: str) -> go.Figure:
    """A latency statistic against load: the measurements, the fitted curve (Little's law
    or the AICc-chosen one) with its band, the budget and the load where the curve reaches
    it (``forecaster.scaling.latency``/``budget``)."""
    top = float(curve.load_.max()) if curve.load_.size else 1.0
    stop = outlook.load.load if outlook.load.load is not None else top
    grid = np.linspace(1.0, max(top, stop) * 1.15, 200)
    band = curve.predict(grid)
    pct = f"{100 * curve.confidence:g}%"
    fig = go.Figure()
    fig.add_scatter(x=grid, y=band["hi"], mode="lines", line={"width": 0}, showlegend=False,
                    hoverinfo="skip")  # fmt: skip
    fig.add_scatter(
        x=grid, y=band["lo"], mode="lines", line={"width": 0}, fill="tonexty",
        fillcolor="rgba(52, 152, 219, 0.18)", name=f"{pct} band",
    )  # fmt: skip
    fig.add_scatter(x=grid, y=band["mean"], mode="lines", name=f"fitted ({curve.model_})",
                    line={"color": COLORS["fitted"], "width": 2})  # fmt: skip
    if curve.load_.size:
        fig.add_scatter(x=curve.load_, y=curve.latency_, mode="markers", name="measured",
                        marker={"size": 8, "color": COLORS["actual"]})  # fmt: skip
    budget = outlook.budget
    fig.add_hline(
        y=budget.limit_ms, line={"dash": "dash", "color": COLORS["anomaly"]},
        annotation_text=esc(f"budget {budget.text()}"), annotation_position="top left",
    )  # fmt: skip
    if outlook.load.load is not None:
        fig.add_vline(x=outlook.load.load, line={"dash": "dot", "color": COLORS["anomaly"]})
    return style(
        fig,
        f"{esc(name)}: {esc(budget.label.split(' latency')[0])} response time against load",
        xaxis_title="load N (concurrency, users or instances)",
        yaxis_title="response time (ms)",
    )
