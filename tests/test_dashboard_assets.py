"""The dashboard's plotly.js bundle (dashboard/assets/plotly-forecaster.min.js, built as
dashboard/plotly_bundle/README.md says): the version plotly.py writes figures for, and every
trace type the dashboard draws."""

from __future__ import annotations

import re
from pathlib import Path

import plotly.graph_objects as go
from plotly.basedatatypes import BaseTraceType
from plotly.offline import get_plotlyjs_version

DASHBOARD = Path(__file__).resolve().parents[1] / "dashboard"
BUNDLE = DASHBOARD / "assets" / "plotly-forecaster.min.js"
TRACE_TYPES = {
    name.lower()
    for name in dir(go)
    if isinstance(getattr(go, name), type) and issubclass(getattr(go, name), BaseTraceType)
}


def traces_in_bundle() -> set[str]:
    return set(re.findall(r'moduleType:"trace",name:"(\w+)"', BUNDLE.read_text()))


def traces_drawn() -> set[str]:
    """Trace types the dashboard's code makes: ``go.Bar(...)`` or ``fig.add_bar``."""
    found = set()
    for source in DASHBOARD.rglob("*.py"):
        text = source.read_text()
        found |= {n.lower() for n in re.findall(r"\bgo\.([A-Z]\w*)\(", text)}
        found |= set(re.findall(r"\.add_([a-z0-9]+)\b", text))
    return found & TRACE_TYPES


def test_the_bundle_is_the_plotly_js_version_plotly_py_writes_for():
    header = BUNDLE.read_text()[:400]
    assert f" v{get_plotlyjs_version()}\n" in header


def test_the_bundle_draws_every_trace_type_the_dashboard_makes():
    drawn = traces_drawn()
    assert {
        "scatter",
        "scattergl",
        "bar",
        "waterfall",
    } <= drawn  # the scan finds the figures' traces
    assert drawn <= traces_in_bundle()
    assert "pie" not in traces_in_bundle()  # a partial bundle, not the full plotly.js
