"""Callback responses kept on disk beside the store, so a restarted process or a second
gunicorn worker answers a view it answered before without recomputing or even importing
the engine.

Dash asks for every figure and table of a page with a ``POST /_dash-update-component``
whose body names the callback and its inputs. For the same body, the same data and the
same code the answer is the same, so it is kept in the store's disk cache
(``forecaster.cache.DiskCache``) under a key made of the body, the billing and load
catalogs, the workloads, scenarios and load-test files, the ingest log, the dashboard's
source and the product's code fingerprint. An ingest, a changed input file or a new version
therefore never serves an old answer.

The app's layout (``GET /_dash-layout``) holds the first view of the page that asked for it
(``dashboard.app.first_view``), so it is kept the same way, keyed by that page's path and
query instead of a body.

Only whole answers are kept: status 200, JSON, no problem raised to the page's error
handler, at most ``MAX_BYTES``, and never a download. The check runs after the login
(``dashboard.auth`` registers its check first), so it never answers an unauthenticated
request. ``FORECASTER_NO_DISK_CACHE=1`` turns it off with the rest of the disk cache.
"""

from __future__ import annotations

import hashlib
import logging
import threading
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from flask import Flask, Response, g, request

from dashboard.loader.caching import disk
from dashboard.loader.config import config, stamp
from forecaster.store.ingest_log import LOG as INGEST_LOG

log = logging.getLogger(__name__)

NAME = "responses"
ROUTE = "_dash-update-component"
LAYOUT_ROUTE = "_dash-layout"
MAX_BYTES = 2_000_000
KEEP = 512  # answers kept per store state (six pages and their controls)
DASHBOARD_CODE = tuple(sorted(Path(__file__).resolve().parent.rglob("*.py")))

_lock = threading.Lock()
_traffic = {"in_flight": 0, "seen": 0, "last": 0.0}


def quiet_for() -> float | None:
    """Seconds since the last request was answered: 0 while one is being answered, None
    before the first (the warm-up runs in the quiet, so it does not slow a view)."""
    with _lock:
        if _traffic["in_flight"]:
            return 0.0
        if not _traffic["seen"]:
            return None
        return time.monotonic() - _traffic["last"]


def _cache():
    base = disk()
    now = config()
    assert now.store is not None
    base.inputs.extend([now.store / INGEST_LOG, *DASHBOARD_CODE])  # the Data page shows the log
    return base


def _body_key() -> tuple[str]:
    if request.method == "GET":  # the layout: the first view of the page that asked for it
        url = urlsplit(request.referrer or "")
        return (hashlib.sha256(f"layout {url.path}?{url.query}".encode()).hexdigest(),)
    return (hashlib.sha256(request.get_data()).hexdigest(),)


def _is_callback() -> bool:
    """A callback request whose answer may be kept (downloads are sent, never kept), or the
    layout asked for by a page."""
    if request.method == "GET":
        return request.path.endswith(LAYOUT_ROUTE) and bool(request.referrer)
    if request.method != "POST" or not request.path.endswith(ROUTE):
        return False
    body = request.get_json(silent=True) or {}
    return "download" not in str(body.get("output", ""))


def install(server: Flask) -> None:
    """Answer repeated callback requests from the disk cache and keep new answers; note
    the traffic for the warm-up (``quiet_for``)."""

    @server.before_request
    def _answer_from_disk() -> Response | None:
        with _lock:
            _traffic["in_flight"] += 1
            _traffic["seen"] += 1
        g.counted_in_flight = True
        if not _is_callback():
            return None
        stamp()  # raises before configure(), as every loader read does
        body = _cache().get(NAME, _body_key())
        if not isinstance(body, bytes):
            return None
        g.answered_from_disk = True
        return Response(body, status=200, mimetype="application/json")

    @server.after_request
    def _keep(response: Response) -> Response:
        if (
            _is_callback()
            and not g.get("answered_from_disk")
            and response.status_code == 200
            and response.mimetype == "application/json"
            and not response.direct_passthrough
            and g.get("keep_answer", True)  # False: the first view's page failed
        ):
            body = response.get_data()
            layout = request.method == "GET"  # holds the (empty) app-problem notice
            if len(body) <= MAX_BYTES and (layout or b'"app-problem"' not in body):
                _cache().put(NAME, _body_key(), body, keep=KEEP)
        return response

    @server.teardown_request
    def _done(_exc: Any) -> None:
        if not g.get("counted_in_flight"):  # refused before reaching the count (a login)
            return
        with _lock:
            _traffic["in_flight"] -= 1
            _traffic["last"] = time.monotonic()
