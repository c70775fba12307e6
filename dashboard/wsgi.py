"""WSGI entry for production: ``gunicorn dashboard.wsgi:server`` (what ``forecaster serve
--prod`` runs). Debug is never on here. Configuration comes from the environment:
FORECASTER_STORE (default data/store), FORECASTER_WORKLOADS, FORECASTER_SCENARIOS,
FORECASTER_LOADTESTS (paths separated by the OS path separator) and, for a login, FORECASTER_AUTH (see dashboard.auth).
"""

import os

from dashboard.app import create_app

app = create_app(
    os.environ.get("FORECASTER_STORE", "data/store"),
    os.environ.get("FORECASTER_WORKLOADS") or None,
    [p for p in os.environ.get("FORECASTER_LOADTESTS", "").split(os.pathsep) if p] or None,
    scenarios=os.environ.get("FORECASTER_SCENARIOS") or None,
)
server = app.server
