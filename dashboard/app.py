"""The Dash app: pages under dashboard/pages, callbacks thin over ``forecaster``."""

from __future__ import annotations

from pathlib import Path

import dash
from dash import Dash, dcc, html

from dashboard import data


def create_app(store: Path | str, workloads: Path | str | None = None) -> Dash:
    """A Dash app serving the given store. Debug mode is set by the caller's ``run``."""
    data.configure(store, workloads)
    app = Dash(
        __name__,
        use_pages=True,
        pages_folder=str(Path(__file__).parent / "pages"),
        title="Cloud cost forecaster",
        suppress_callback_exceptions=True,
    )
    app.layout = html.Div(
        [
            html.Header(
                [
                    html.H1("Cloud cost and scaling forecaster"),
                    html.P("Cost against load, not only time."),
                    html.Nav(
                        [
                            dcc.Link(page["name"], href=page["relative_path"], className="nav")
                            for page in dash.page_registry.values()
                        ]
                    ),
                ]
            ),
            dash.page_container,
        ],
        style={"fontFamily": "system-ui, sans-serif", "margin": "0 2rem"},
    )
    return app
