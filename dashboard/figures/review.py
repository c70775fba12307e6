"""Review figures: the month-over-month bridge as a waterfall finance can read."""

from __future__ import annotations

import plotly.graph_objects as go

from dashboard.figures.common import COLORS, esc, style
from forecaster import format as F
from forecaster.curves.bridge_result import BridgeStep, MonthBridge


def _hover(step: BridgeStep) -> str:
    if step.kind == "rate_price":
        return (
            f"negotiated {F.money(step.negotiated or 0)}<br>"
            f"commitment {F.money(step.commitment or 0)}"
        )
    items = step.items or ()
    if items:
        shown = "<br>".join(f"{esc(i.item)}: {F.money(i.amount)}" for i in items[:8])
        more = f"<br>... and {len(items) - 8} more" if len(items) > 8 else ""
        return shown + more
    return ""


def bridge_waterfall(bridge: MonthBridge, currency: str) -> go.Figure:
    """Previous month's total, one bar per bridge step, this month's total."""
    steps = bridge.steps
    x = [f"{bridge.previous_month} total"]
    x += [esc(F.label(s.kind)) for s in steps]  # the one label table
    x += [f"{bridge.month} total"]
    y = [bridge.previous_cost, *[s.amount for s in steps], bridge.cost]
    measure = ["absolute", *["relative"] * len(steps), "total"]
    hover = ["", *[_hover(s) for s in steps], ""]
    fig = go.Figure(
        go.Waterfall(
            x=x,
            y=y,
            measure=measure,
            customdata=hover,
            text=[
                ("+" if v > 0 else "") + F.compact(v) if m == "relative" else F.compact(v)
                for v, m in zip(y, measure, strict=True)
            ],
            textposition="outside",
            hovertemplate="%{x}: %{y:,.2f}<br>%{customdata}<extra></extra>",
            increasing={"marker": {"color": COLORS["positive"]}},
            decreasing={"marker": {"color": COLORS["negative"]}},
            totals={"marker": {"color": COLORS["total"]}},
            connector={"line": {"color": "#ced4da"}},
        )
    )
    change = bridge.total_change
    lo, hi = value_range(bridge)
    axis = f"{esc(currency)} per month"
    if lo > 0:  # the totals' bars are cut: say where the axis starts
        axis += f" (axis starts at {F.money_short(lo, currency)})"
    return style(
        fig,
        f"Bridge {bridge.previous_month} to {bridge.month}: "
        f"{esc(F.signed_money(change, currency))}",
        yaxis_title=axis,
        yaxis_range=[lo, hi],
        showlegend=False,
    )


def value_range(bridge: MonthBridge) -> list[float]:
    """A y range around the running totals, so steps of a few percent stay visible (the
    axis does not start at 0: the totals' bars are cut, as in any bridge chart)."""
    level = bridge.previous_cost
    levels = [level]
    for s in bridge.steps:
        level += s.amount
        levels.append(level)
    lo, hi = min(levels), max(levels)
    pad = max(0.6 * (hi - lo), 0.02 * max(abs(hi), abs(lo)), 1.0)
    return [max(0.0, lo - pad) if lo >= 0 else lo - pad, hi + pad]
