"""Workloads: named slices of the bill (cost filters, shares) with the load that drives them.

``load_workloads`` reads the TOML file, ``workload_series`` joins each workload's cost and
load per period, ``coverage`` says where one side is missing, ``unclaimed_cost`` shows what
no workload claims.
"""

from forecaster.workloads.cost import matches, spread
from forecaster.workloads.series import (
    SERIES_SCHEMA,
    coverage,
    unclaimed_cost,
    workload_frames,
    workload_load,
    workload_series,
)
from forecaster.workloads.spec import (
    CloudWatchMetric,
    CostFilter,
    LoadDriver,
    Workload,
    default_workloads_path,
    load_workloads,
    optional_workloads,
    parse_workloads,
)

__all__ = [
    "SERIES_SCHEMA",
    "CloudWatchMetric",
    "CostFilter",
    "LoadDriver",
    "Workload",
    "coverage",
    "default_workloads_path",
    "load_workloads",
    "matches",
    "optional_workloads",
    "parse_workloads",
    "spread",
    "unclaimed_cost",
    "workload_frames",
    "workload_load",
    "workload_series",
]
