"""The Dash app: one module per page under dashboard/pages, callbacks thin over ``forecaster``.

``create_app`` configures the one data loader (``dashboard.loader``) and builds the app; the
caller decides how to run it (``forecaster serve``: Flask's server on loopback, or gunicorn
with ``--prod``; debug is never switched on here).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import dash
import flask
from dash import Dash, Input, Output, dcc, html
from dash import _pages as dash_pages

from dashboard import components as ui
from dashboard import loader, responses
from dashboard.auth import configure_auth
from dashboard.loader.errors import one_line
from forecaster.errors import ForecasterError

log = logging.getLogger(__name__)
PROBLEM_ID = "app-problem"
PAGE_CONTENT = "_pages_content"  # Dash pages' container of the page shown
PAGE_LOCATION, PAGE_STORE, PAGE_DUMMY = "_pages_location", "_pages_store", "_pages_dummy"

HERE = Path(__file__).parent


def create_app(
    store: Path | str,
    workloads: Path | str | None = None,
    loadtests: list[Path | str] | Path | str | None = None,
    warm: bool = True,
    env: Mapping[str, str] | None = None,
    scenarios: Path | str | None = None,
) -> Dash:
    """A Dash app over ``store`` (and the workloads file, load tests and TCO scenario file,
    when given: nothing is looked for beside them).

    ``warm`` starts computing the first pages' data (spend, workload fits) in a background
    thread, so the first visitor does not wait for every cost curve to be fitted. ``env``
    (default: the process environment) may ask for a login (``dashboard.auth``).
    """
    loader.configure(store, workloads, loadtests, scenarios)
    app = Dash(
        __name__,
        use_pages=True,
        pages_folder=str(HERE / "pages"),
        assets_folder=str(HERE / "assets"),
        title="Cloud cost forecaster",
        suppress_callback_exceptions=True,
        update_title=None,
        on_error=show_problem,
    )
    for page in dash.page_registry.values():  # a tab title per page
        page["title"] = page_title(page["name"])
    app.layout = layout
    pages = _pages()
    app.callback(
        [Output(_nav_id(p), "className") for p in pages],
        Output(PROBLEM_ID, "children"),  # a new page clears the last page's problem
        Input(PAGE_LOCATION, "pathname"),
        prevent_initial_call=True,  # the first view's nav is marked in the layout
    )(lambda pathname: [*nav_classes(pathname, [p["relative_path"] for p in pages]), None])
    configure_auth(app, env)
    responses.install(app.server)  # after the login check
    if warm:
        loader.warm_in_background(responses.quiet_for)
    return app


APP_NAME = "Cloud cost forecaster"


def problem_message(exc: Exception) -> str:
    """The one line a reader sees for an exception a page did not handle: the loader's or
    the engine's message, else a plain sentence (the traceback goes to the server log)."""
    if isinstance(exc, loader.LoaderError):
        return str(exc)
    if isinstance(exc, ForecasterError):
        return one_line(str(exc))
    return (
        f"This view could not be computed ({type(exc).__name__}); the details are in the "
        "dashboard's log."
    )


def show_problem(exc: Exception) -> Any:
    """Dash's error handler of every callback: the page shows the problem as one line (in
    place of the page when the page itself failed, else above it), never a traceback."""
    if not isinstance(exc, ForecasterError):
        log.error("dashboard callback failed", exc_info=exc)
    message = problem_message(exc)
    outputs = dash.ctx.outputs_list
    flat = outputs if isinstance(outputs, list) else [outputs]
    ids = [o.get("id") for o in flat if isinstance(o, dict)]
    if PAGE_CONTENT in ids:
        return [html.Div([ui.problem(message)]) if i == PAGE_CONTENT else dash.no_update
                for i in ids] if isinstance(outputs, list) else html.Div([ui.problem(message)])  # fmt: skip
    dash.set_props(PROBLEM_ID, {"children": ui.problem(message)})
    return None


def page_title(name: str) -> str:
    """The browser tab's title of a page: "Scaling · Cloud cost forecaster"."""
    return f"{name} \u00b7 {APP_NAME}"


def nav_classes(pathname: str | None, paths: list[str]) -> list[str]:
    """The nav links' classes: "current" on the link of the page shown (the longest path
    that starts the URL's path, so "/" marks Overview only on the Overview)."""
    path = (pathname or "/").rstrip("/") or "/"
    best = max(
        (p for p in paths if path == p or (p != "/" and path.startswith(p + "/"))),
        key=len,
        default=None,
    )
    return ["current" if p == best else "" for p in paths]


def _pages() -> list[dict]:
    return sorted(dash.page_registry.values(), key=lambda p: p.get("order", 99))


def _nav_id(page: dict) -> str:
    return f"nav-{page['module'].split('.')[-1]}"


def layout() -> html.Div:
    """The app's layout with the page the browser shows already in it (``first_view``)."""
    pages = _pages()
    url = urlsplit(flask.request.referrer or "") if flask.has_request_context() else None
    path = url.path if url and url.path else None
    classes = nav_classes(path, [p["relative_path"] for p in pages])
    return html.Div(
        [
            html.Header(
                [
                    html.H1("Cloud cost and scaling forecaster"),
                    html.P("Cost against load, not only time.", className="tagline"),
                    html.Nav(
                        [
                            dcc.Link(p["name"], href=p["relative_path"], id=_nav_id(p), className=c)
                            for p, c in zip(pages, classes, strict=True)
                        ]
                    ),  # fmt: skip
                ],
                className="top",
            ),
            html.Div(id=PROBLEM_ID, role="alert"),
            html.Main(first_view(path, url.query if url else ""), className="page"),
        ]
    )


def first_view(path: str | None, query: str) -> html.Div:
    """Dash pages' container with the page at ``path`` (the URL of the page that asked for
    the layout) rendered into it, as the routing callback would render it, so the first
    view costs one round trip less; the routing callback renders every later page. Without
    a path (a layout asked for outside a page), Dash's empty container."""
    if path is None:
        return dash.page_container
    page, variables = dash_pages._path_to_page(dash.get_app().strip_relative_path(path))
    if not page:
        return dash.page_container
    search = f"?{query}" if query else ""
    try:
        content = page["layout"](**(variables or {}), **dash_pages._parse_query_string(search))
    except Exception as exc:  # shown as the routing callback's error handler shows it
        if not isinstance(exc, ForecasterError):
            log.error("dashboard page layout failed", exc_info=exc)
        content = html.Div([ui.problem(problem_message(exc))])
        flask.g.keep_answer = False  # responses: never kept on disk
    return html.Div(
        [  # the location as the browser has it, so Dash does not route the page again
            dcc.Location(id=PAGE_LOCATION, refresh="callback-nav", pathname=path, search=search),
            html.Div(content, id=PAGE_CONTENT, disable_n_clicks=True),
            dcc.Store(id=PAGE_STORE, data={"title": page["title"]}),  # the tab's title
            html.Div(id=PAGE_DUMMY, disable_n_clicks=True),
        ]
    )
