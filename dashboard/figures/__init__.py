"""Pure figure builders: data in, plotly figure out. No Dash, no I/O, testable as functions.

One module per page area; every text that comes from data goes through ``common.esc``.
"""

from dashboard.figures.common import empty, esc
from dashboard.figures.data import unclaimed_by_month
from dashboard.figures.review import bridge_waterfall
from dashboard.figures.scaling import usl_curve
from dashboard.figures.spend import cost_forecast, organic_waste, spend_by_month
from dashboard.figures.workloads import cost_over_time, cost_vs_load, waste_by_workload

__all__ = [
    "bridge_waterfall",
    "cost_forecast",
    "cost_over_time",
    "cost_vs_load",
    "empty",
    "esc",
    "organic_waste",
    "spend_by_month",
    "unclaimed_by_month",
    "usl_curve",
    "waste_by_workload",
]
