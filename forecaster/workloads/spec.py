"""The workloads file (TOML): what each workload costs and what drives it.

Format (money is EffectiveCost in the billing currency; a workload claims the cost rows
matching ALL the filters it gives)::

    [[workload]]
    name = "checkout-api"
    description = "Checkout service"      # optional
    currency = "USD"                       # optional; default: the single currency matched
    latency_budgets = ["p95=300ms"]        # optional: response-time budgets checked against
                                           # the workload's load tests (STAT=TIME, unit needed)

    [workload.cost]
    providers = ["AWS"]                    # ProviderName in (optional)
    services = ["Amazon Elastic Compute Cloud"]   # ServiceName in (optional)
    sub_accounts = ["111111111111"]        # SubAccountId in (optional)
    regions = ["us-east-1"]                # RegionId in (optional)
    resource_ids = ["i-0abc"]              # ResourceId in (optional; a rollup keeps it
                                           # only when ingested with --keep ResourceId)
    tags = { team = "checkout" }           # every key=value present in Tags (optional)
    share = 1.0                            # share of the matched cost claimed, (0, 1]

    [workload.load]
    metric = "checkout.requests"           # metric name in the load store
    unit = "requests"
    aggregation = "sum"                    # sum | mean | max, to roll samples up to the grain
    source = "cloudwatch"                  # optional: only this load source

    [workload.load.cloudwatch]             # optional: where `ingest cloudwatch` pulls it from
    namespace = "AWS/ApplicationELB"
    metric_name = "RequestCount"
    dimensions = { LoadBalancer = "app/checkout/123" }
    statistic = "Sum"
    period = 300                           # optional: chosen from the time range when absent

Unknown keys are errors (a typo must not silently widen a filter).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from forecaster.errors import InputError
from forecaster.load.resample import AGGREGATIONS
from forecaster.scaling.latency_budget import LatencyBudget, parse_budget
from forecaster.toml_tables import Table, read_toml

WORKLOADS_ENV = "FORECASTER_WORKLOADS"

#: CloudWatch statistics GetMetricData accepts (plus percentiles pNN and pNN.NN).
STATISTICS = ("SampleCount", "Average", "Sum", "Minimum", "Maximum")
_PERCENTILE = re.compile(r"^(p|tm|wm|tc|ts)\d{1,2}(\.\d{1,2})?$")
HIGH_RESOLUTION_PERIODS = (1, 5, 10, 30)


@dataclass(frozen=True)
class CostFilter:
    """Which cost rows a workload claims, and what share of them."""

    providers: tuple[str, ...] = ()
    services: tuple[str, ...] = ()
    sub_accounts: tuple[str, ...] = ()
    regions: tuple[str, ...] = ()
    tags: tuple[tuple[str, str], ...] = ()
    resource_ids: tuple[str, ...] = ()
    share: float = 1.0


@dataclass(frozen=True)
class CloudWatchMetric:
    """One CloudWatch metric, as GetMetricData's MetricStat names it."""

    namespace: str
    metric_name: str
    dimensions: tuple[tuple[str, str], ...] = ()
    statistic: str = "Sum"
    period: int | None = None  # seconds; None: chosen from the time range


@dataclass(frozen=True)
class LoadDriver:
    """The metric that drives a workload's cost, and how samples roll up to a grain."""

    metric: str
    unit: str | None = None
    aggregation: str = "sum"
    source: str | None = None
    cloudwatch: CloudWatchMetric | None = None


@dataclass(frozen=True)
class Workload:
    """A named slice of the bill and the load that drives it."""

    name: str
    cost: CostFilter
    load: LoadDriver
    description: str = ""
    currency: str | None = None
    latency_budgets: tuple[LatencyBudget, ...] = ()


def default_workloads_path() -> Path:
    """The workloads file the user named without a flag: $FORECASTER_WORKLOADS, else the
    project file's ``[inputs] workloads`` (``forecaster.inputs``). A workloads.toml lying
    around, or the bundled sample's, is never used by itself."""
    from forecaster.inputs import named

    chosen = named("workloads")
    if chosen.path is not None:
        return chosen.path
    raise InputError(
        "no workloads file named: pass `workloads` FILE, set $FORECASTER_WORKLOADS, or name "
        'it in forecaster.toml ([inputs] workloads = "FILE"); `forecaster sample` writes an '
        "example to data/sample/workloads.toml",
        parameters=("workloads",),
    )


def _cost(t: Table) -> CostFilter:
    share = t.get("share", float, 1.0)
    if not 0.0 < share <= 1.0:
        raise InputError(f"{t.where}.share: {share} is outside (0, 1]")
    f = CostFilter(
        providers=t.strings("providers"),
        services=t.strings("services"),
        sub_accounts=t.strings("sub_accounts"),
        regions=t.strings("regions"),
        tags=t.mapping("tags"),
        resource_ids=t.strings("resource_ids"),
        share=share,
    )
    t.done()
    return f


def _cloudwatch(t: Table) -> CloudWatchMetric:
    statistic = t.get("statistic", str, "Sum")
    if statistic not in STATISTICS and not _PERCENTILE.match(statistic):
        raise InputError(
            f"{t.where}.statistic: {statistic!r} is not a CloudWatch statistic "
            f"({', '.join(STATISTICS)} or a percentile like p99)"
        )
    period = t.get("period", int)
    if period is not None and (
        period <= 0 or (period not in HIGH_RESOLUTION_PERIODS and period % 60) or period > 86_400
    ):
        raise InputError(
            f"{t.where}.period: {period} s; CloudWatch periods are 1, 5, 10, 30 or a multiple "
            "of 60 seconds, at most 86400 (daily)"
        )
    cw = CloudWatchMetric(
        namespace=t.require("namespace", str),
        metric_name=t.require("metric_name", str),
        dimensions=t.mapping("dimensions"),
        statistic=statistic,
        period=period,
    )
    t.done()
    return cw


def _load(t: Table) -> LoadDriver:
    aggregation = t.get("aggregation", str, "sum")
    if aggregation not in AGGREGATIONS:
        raise InputError(
            f"{t.where}.aggregation: {aggregation!r}; expected one of {', '.join(AGGREGATIONS)}"
        )
    cw = t.table("cloudwatch")
    driver = LoadDriver(
        metric=t.require("metric", str),
        unit=t.get("unit", str),
        aggregation=aggregation,
        source=t.get("source", str),
        cloudwatch=_cloudwatch(cw) if cw else None,
    )
    t.done()
    return driver


def _budgets(t: Table) -> tuple[LatencyBudget, ...]:
    out = []
    for text in t.strings("latency_budgets"):
        try:
            out.append(parse_budget(text))
        except InputError as exc:
            raise InputError(f"{t.where}.latency_budgets: {exc}") from None
    stats = [b.stat for b in out]
    if len(set(stats)) != len(stats):
        raise InputError(f"{t.where}.latency_budgets: two budgets for the same statistic")
    return tuple(out)


def parse_workloads(data: dict[str, Any], where: str) -> list[Workload]:
    """Workloads from parsed TOML (``where`` names the file in messages)."""
    top = Table(data, where)
    items = top.get("workload", list, None)
    top.done()
    if not items:
        raise InputError(f"{where}: no [[workload]] tables")
    workloads: list[Workload] = []
    seen: set[str] = set()
    for i, item in enumerate(items):
        t = Table(item, f"{where}: workload[{i}]")
        name = t.require("name", str)
        t.where = f"{where}: workload {name!r}"
        if name in seen:
            raise InputError(f"{where}: two workloads are named {name!r}")
        seen.add(name)
        cost, load = t.table("cost"), t.table("load")
        if load is None:
            raise InputError(f"{t.where}: [workload.load] is required (metric, unit, aggregation)")
        workloads.append(
            Workload(
                name=name,
                description=t.get("description", str, ""),
                currency=t.get("currency", str),
                cost=_cost(cost) if cost else CostFilter(),
                load=_load(load),
                latency_budgets=_budgets(t),
            )
        )
        t.done()
    return workloads


def load_workloads(path: str | Path | None = None) -> list[Workload]:
    """Read and validate a workloads TOML file (default: :func:`default_workloads_path`).

    Raises InputError naming the file, the workload and the key for anything malformed:
    TOML syntax, unknown keys, wrong types, a share outside (0, 1], an unknown aggregation
    or CloudWatch statistic, duplicate names.
    """
    path = Path(path) if path is not None else default_workloads_path()
    return parse_workloads(read_toml(path, "workloads"), str(path))


def optional_workloads(path: str | Path | None = None) -> list[Workload]:
    """The workloads of ``path``; without one, of the default file if there is one
    (:func:`default_workloads_path`), else none: a bill alone is a valid start."""
    if path is None:
        try:
            path = default_workloads_path()
        except InputError:
            return []
    return load_workloads(path)
