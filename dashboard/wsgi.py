"""WSGI entry for production (``gunicorn dashboard.wsgi:server``); debug is never on here."""

import os

from dashboard.app import create_app

app = create_app(
    os.environ.get("FORECASTER_STORE", "data/store"), os.environ.get("FORECASTER_WORKLOADS")
)
server = app.server
