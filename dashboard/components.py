"""Small layout pieces the pages share. Everything renders data as text (Dash sets text
content, never inner HTML), so values from billing data cannot inject markup."""

from __future__ import annotations

from typing import Any

from dash import dcc, html

from forecaster import format as fmt


def money(value: float | None, currency: str = "") -> str:
    """Money as every surface writes it (``forecaster.format.money``): "USD 1,234.50"."""
    return fmt.money(value, currency or None)


def kpi(label: str, value: str, note: str = "", id: str | None = None) -> html.Div:
    """A headline figure: label, big value, small note."""
    props = {"id": id} if id else {}
    return html.Div(
        [html.Div(label, className="kpi-label"), html.Div(value, className="kpi-value"),
         html.Div(note, className="kpi-note")],
        className="kpi",
        **props,
    )  # fmt: skip


def problem(message: str | None) -> html.Div | None:
    """A visible notice for data that is missing or wrong (None when there is nothing)."""
    return html.Div(message, className="problem") if message else None


def overlap_warning(id: str, notice: dict[str, Any] | None) -> html.Div | None:
    """The warning for billing sources holding the same period and currency (from
    ``forecaster.views.data.overlap_warning``); None when there is nothing to warn about."""
    if notice is None:
        return None
    return html.Div(
        [
            html.Strong(notice["title"]),
            html.Div(notice["why"]),
            html.Ul([html.Li(line) for line in notice["lines"]], className="plain"),
            html.Div(notice["advice"]),
        ],
        id=id,
        className="problem",
        role="alert",
    )


def section(title: str, *children: Any, note: str | None = None) -> html.Section:
    parts: list[Any] = [html.H3(title)]
    if note:
        parts.append(html.P(note, className="note"))
    parts.extend(c for c in children if c is not None)
    return html.Section(parts, className="section")


GRAPH_CONFIG = {"displaylogo": False, "displayModeBar": "hover"}


def graph(id: str, height: int = 420) -> dcc.Loading:
    """A graph with a loading state; the figure comes from a callback."""
    return dcc.Loading(
        dcc.Graph(id=id, style={"height": f"{height}px"}, config=GRAPH_CONFIG),
        type="default",
    )


def controls(*children: Any) -> html.Div:
    return html.Div(list(children), className="controls")


def field(label: str, control: Any) -> html.Div:
    return html.Div([html.Label(label), control], className="field")


def dropdown(
    label: str, id: str, options: Any, value: Any, clearable: bool = False, **props: Any
) -> html.Div:
    """A labelled dropdown (``field`` around ``dcc.Dropdown``); not clearable unless asked."""
    control = dcc.Dropdown(id=id, options=options, value=value, clearable=clearable, **props)
    return field(label, control)


def radio(label: str, id: str, options: Any, value: Any, **props: Any) -> html.Div:
    """A labelled row of radio buttons (``field`` around an inline ``dcc.RadioItems``)."""
    return field(label, dcc.RadioItems(id=id, options=options, value=value, inline=True, **props))
