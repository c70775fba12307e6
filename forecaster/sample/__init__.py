"""The bundled sample: 24 months of daily FOCUS billing for three providers, hourly traffic
for five workloads, a load test and a workloads file, all deterministic (fixed seed).

The ground truth (which workload has an idle baseline, which scales worse than linearly,
which drifts, where the anomaly is) lives in :mod:`forecaster.sample.truth` and in
data/README.md, so every feature can be demonstrated and tested on it.
"""

from __future__ import annotations

import importlib.util
import logging
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from forecaster import columns as C
from forecaster.sample import truth as T
from forecaster.sample.billing import billing_frame, workload_daily_cost
from forecaster.sample.traffic import daily_totals, hourly_load
from forecaster.store.fsutil import atomic_write_bytes

log = logging.getLogger(__name__)

WIDE_METRICS = ("media.gb_served",)

SCENARIOS_TOML = """# What-if scenarios for `forecaster tco` and the review pack (format: forecaster/tco/scenarios.py).
[settings]
horizon_months = 36
discount_rate = 0.08
samples = 1000

[[scenario]]
name = "baseline"

[[scenario]]
name = "fix search scaling"
[[scenario.fix]]
workload = "search"
from = "2027-01"
linear = true
migration_cost = 60000
labour_per_month = 2000

[[scenario]]
name = "right-size reporting"
[[scenario.fix]]
workload = "reporting-batch"
from = "2026-12"
idle_reduction = 0.6
migration_cost = 15000

[[scenario]]
name = "1-year commitment"
[scenario.commitment]
coverage = 0.6
discount = 0.28
term_months = 12

[[scenario]]
name = "traffic doubles yearly"
growth = { "*" = 1.0 }
"""  # written as timestamp,value to show the wide format


def _toml_list(values: list[str]) -> str:
    return "[" + ", ".join(f'"{v}"' for v in values) + "]"


def workloads_toml() -> str:
    """The sample's workloads file (format: docs/architecture.md, Workloads)."""
    parts = ["# Workloads of the bundled sample: what each costs (filters) and what drives it.\n"]
    for w in T.WORKLOADS:
        budget = (
            f'latency_budgets = ["{T.LATENCY_BUDGET}"]  # checked against its load test\n'
            if w.name == T.LOADTEST["workload"]
            else ""
        )
        parts.append(
            f'[[workload]]\nname = "{w.name}"\ndescription = "{w.team} team, {w.provider}"\n'
            f'currency = "USD"\n{budget}\n[workload.cost]\nproviders = ["{w.provider}"]\n'
            f"services = {_toml_list(list(w.services))}\n"
            f'sub_accounts = ["{w.account}"]\ntags = {{ team = "{w.team}" }}\nshare = 1.0\n\n'
            f'[workload.load]\nmetric = "{w.metric}"\nunit = "{w.unit}"\naggregation = "sum"\n\n'
        )
    return "".join(parts)


def _write_csv(frame: pl.DataFrame, path: Path) -> None:
    atomic_write_bytes(path, frame.write_csv().encode())


def loadtest_frame(rng: np.random.Generator) -> pl.DataFrame:
    """Throughput (requests/s) against concurrent users, from the USL truth plus noise, and
    the response times (ms) of the same runs: mean by Little's law on the truth, p50, p95,
    p99 as lognormal multiples of it (truth.LATENCY), each with its own noise."""
    g, s, k = T.LOADTEST["gamma"], T.LOADTEST["sigma"], T.LOADTEST["kappa"]
    users = np.array([1, 2, 4, 8, 12, 16, 24, 32, 40, 48, 56, 64], dtype=float)
    true_x = g * users / (1 + s * (users - 1) + k * users * (users - 1))
    x = true_x * rng.lognormal(0.0, T.LOADTEST["noise"], len(users))
    mean = 1000.0 * users / true_x - T.LATENCY["think_ms"]
    latency = {
        f"latency_{stat}_ms": mean * ratio * rng.lognormal(0.0, T.LATENCY["noise"], len(users))
        for stat, ratio in {"mean": 1.0, **T.LATENCY_RATIOS}.items()
    }
    return pl.DataFrame(
        {
            "users": users.astype(int),
            "throughput": np.round(x, 2),
            **{name: np.round(values, 1) for name, values in latency.items()},
        }
    )


def write_sample(out: Path | str, store: Path | str | None = None) -> dict[str, Any]:
    """Write the sample files under ``out``; ingest them into ``store`` when given."""
    out = Path(out)
    rng = np.random.default_rng(T.SEED)
    traffic_dir, billing_dir = out / "traffic", out / "billing"
    costs: dict[str, pl.DataFrame] = {}
    long_frames = []
    for w in T.WORKLOADS:
        hourly = hourly_load(w, rng)
        costs[w.name] = workload_daily_cost(w, daily_totals(hourly), rng)
        if w.metric in WIDE_METRICS:
            _write_csv(
                hourly.with_columns(pl.col("timestamp").dt.strftime("%Y-%m-%dT%H:%M:%SZ")),
                traffic_dir / f"{w.metric}.csv",
            )
        else:
            long_frames.append(
                hourly.with_columns(metric=pl.lit(w.metric), unit=pl.lit(w.unit)).select(
                    "timestamp", "metric", "value", "unit"
                )
            )
    long = pl.concat(long_frames).sort("metric", "timestamp")
    _write_csv(
        long.with_columns(pl.col("timestamp").dt.strftime("%Y-%m-%dT%H:%M:%SZ")),
        traffic_dir / "metrics.csv",
    )
    charges = billing_frame(costs, rng)
    months = charges[C.BILLING_PERIOD_START].str.slice(0, 7)
    for month in months.unique().sort():
        _write_csv(charges.filter(months == month), billing_dir / f"focus-{month}.csv")
    _write_csv(loadtest_frame(rng), out / "loadtest" / "search-loadtest.csv")
    atomic_write_bytes(out / "workloads.toml", workloads_toml().encode())
    atomic_write_bytes(out / "scenarios.toml", SCENARIOS_TOML.encode())
    summary: dict[str, Any] = {
        "out": str(out),
        "billing_rows": charges.height,
        "months": months.n_unique(),
        "workloads": [w.name for w in T.WORKLOADS],
    }
    if store is not None:
        summary.update(ingest_sample(out, store))
    return summary


def ingest_sample(out: Path, store: Path | str) -> dict[str, Any]:
    """Ingest the sample's billing (and traffic, when the load store is available)."""
    from forecaster.ingest import ingest_billing

    report = ingest_billing([out / "billing"], store, source="sample-focus")
    result: dict[str, Any] = {"ingested_periods": len(report.periods)}
    if importlib.util.find_spec("forecaster.load") is not None:
        from forecaster.load import ingest_traffic

        ingest_traffic([out / "traffic" / "metrics.csv"], store)
        for metric in WIDE_METRICS:
            unit = next(w.unit for w in T.WORKLOADS if w.metric == metric)
            ingest_traffic([out / "traffic" / f"{metric}.csv"], store, metric=metric, unit=unit)
        result["traffic"] = "ingested"
    else:
        log.warning("the load store is not available yet: traffic files written, not ingested")
        result["traffic"] = "written only"
    return result
