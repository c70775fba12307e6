"""The dashboard's one data loader: where the data is, and cached reads over ``forecaster``.

Every page reads through the functions re-exported here (``from dashboard import loader``).
Modules, by what they hold:

- ``config``: the store and input files the dashboard was started with;
- ``errors``: the one error contract: a result, or ``LoaderError`` with a one-line message;
- ``caching``: ``@cached`` (memory, refreshed by an ingest) over ``@on_disk`` (beside the
  store, shared by restarts and gunicorn workers);
- ``billing``: spend, tags, catalog, ingest log, the bill's forecast and anomalies by time;
- ``workload_results``: series, cost curves, waste, unclaimed cost, suggested workloads;
- ``review``: the month bridge and the review pack;
- ``scaling``: load tests, USL, ceiling dates, latency budgets;
- ``tco_runs``: baseline and what-if TCO runs, the scenario file;
- ``warmup``: the background warm-up of what the first pages need.
"""

from dashboard.loader.billing import (
    bill_forecast,
    catalog,
    currencies,
    ingest_failures,
    load_partitions,
    partitions,
    source_overlaps,
    spend,
    spend_by_tag,
    tag_keys,
    time_anomalies,
)
from dashboard.loader.caching import cached, clear, disk, is_cached, on_disk
from dashboard.loader.config import (
    bill_only,
    configure,
    inputs,
    stamp,
    store_dir,
    workloads_path,
)
from dashboard.loader.errors import LoaderError, problem
from dashboard.loader.review import bridge, review_pack
from dashboard.loader.scaling import (
    ceiling,
    latency_budgets,
    latency_curve,
    load_samples,
    loadtest_files,
    usl,
)
from dashboard.loader.tco_runs import file_scenarios, tco
from dashboard.loader.warmup import warm, warm_in_background
from dashboard.loader.workload_results import (
    fit,
    fits,
    months,
    series,
    suggestion,
    unclaimed,
    unclaimed_days,
    waste,
    workload,
    workload_coverage,
    workloads,
    workloads_problem,
)

__all__ = [
    "LoaderError", "bill_forecast", "bill_only", "bridge", "cached", "catalog", "ceiling",
    "clear", "configure", "currencies", "disk", "file_scenarios", "fit", "fits",
    "ingest_failures", "inputs", "is_cached", "latency_budgets", "latency_curve",
    "load_partitions", "load_samples", "loadtest_files", "months", "on_disk", "partitions",
    "problem", "review_pack", "series", "source_overlaps", "spend", "spend_by_tag", "stamp",
    "store_dir", "suggestion", "tag_keys", "tco", "time_anomalies", "unclaimed",
    "unclaimed_days", "usl", "warm", "warm_in_background", "waste", "workload", "workload_coverage",
    "workloads", "workloads_path", "workloads_problem",
]  # fmt: skip
