"""k6 end-of-test summaries as USL points: one summary file is one (load, throughput).

k6 writes the summary two ways, both read here:

- ``k6 run --summary-export=FILE.json`` (legacy): ``metrics.<name>`` holds the statistics
  directly, e.g. ``"http_reqs": {"count": 4808, "rate": 80.1}``.
- ``handleSummary(data)`` returning ``JSON.stringify(data)``: ``metrics.<name>.values``
  holds them, beside ``type`` and ``contains``.

Load is the ``vus`` gauge's ``max`` (the peak number of concurrently active virtual
users; ``vus_max`` as a fallback); throughput is the ``http_reqs`` counter's ``rate``
(requests per second over the whole run; ``grpc_reqs`` or ``iterations`` when there are
no HTTP requests). Run one constant-VU test per load level (the ``constant-vus``
executor) and pass all their summaries, or a directory of them: a ramping test's rate is
averaged over its ramp and is not the throughput at its peak VUs.

Latency is the ``http_req_duration`` trend (``grpc_req_duration`` when there are no HTTP
requests), in milliseconds as k6 writes every time trend in both layouts: ``avg`` (mean),
``med`` (p50), ``p(90)``, ``p(95)``, ``max``, and ``p(99)`` when the test exported it
(``summaryTrendStats`` or ``--summary-trend-stats`` including ``p(99)``).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import polars as pl

from forecaster.errors import InputError
from forecaster.scaling.points import latency_column, with_schema

LOAD_METRICS = ("vus", "vus_max")
THROUGHPUT_METRICS = ("http_reqs", "grpc_reqs", "iterations")
_LOAD_STATS = ("max", "value")
_RATE_STATS = ("rate",)
LATENCY_METRICS = ("http_req_duration", "grpc_req_duration")
#: k6 trend statistics (milliseconds) and the latency statistic each one is.
TREND_STATS = {"avg": "mean", "med": "p50", "p(90)": "p90", "p(95)": "p95", "p(99)": "p99",
               "max": "max"}  # fmt: skip


def _load_json(path: Path) -> dict[str, Any]:
    text = path.read_text(encoding="utf-8-sig")
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        first = text.lstrip().splitlines()[0] if text.strip() else ""
        if '"type"' in first and ('"Point"' in text[:2000] or '"Metric"' in first):
            raise InputError(
                f"{path}: this is k6's --out json stream of data points; pass the "
                "end-of-test summary from --summary-export=FILE.json or handleSummary"
            ) from exc
        raise InputError(f"{path}: not valid JSON ({exc.msg} at line {exc.lineno})") from exc
    if not isinstance(doc, dict) or not isinstance(doc.get("metrics"), dict):
        raise InputError(
            f"{path}: not a k6 summary (no 'metrics' object); expected the JSON from "
            "k6 run --summary-export or handleSummary"
        )
    return doc


def _stats(metric: Any) -> dict[str, Any]:
    """A metric's statistics in either summary layout."""
    if isinstance(metric, dict):
        values = metric.get("values", metric)
        if isinstance(values, dict):
            return values
    return {}


def _metric_value(
    path: Path, metrics: dict[str, Any], wanted: str | None, defaults: tuple[str, ...],
    stats: tuple[str, ...], what: str,
) -> tuple[str, float]:  # fmt: skip
    """The first usable statistic of the wanted (or first present default) metric.

    ``wanted`` may name a statistic after a dot (``vus_max.value``).
    """
    if wanted is not None:
        name, _, stat = wanted.partition(".")
        if wanted in metrics or not stat:
            name, stat = wanted, ""
        if name not in metrics:
            known = ", ".join(sorted(metrics)[:12])
            raise InputError(f"{path}: no k6 metric {name!r} for {what}; metrics are {known}")
        candidates = [(name, (stat,) if stat else stats)]
    else:
        candidates = [(name, stats) for name in defaults if name in metrics]
        if not candidates:
            raise InputError(
                f"{path}: k6 summary has none of the metrics {', '.join(defaults)} for "
                f"{what}; name one with --{'load' if what == 'load' else 'throughput'}-col"
            )
    for name, stat_names in candidates:
        values = _stats(metrics[name])
        for stat in stat_names:
            value = values.get(stat)
            if isinstance(value, int | float) and not isinstance(value, bool):
                return f"{name}.{stat}", float(value)
    name, stat_names = candidates[0]
    raise InputError(
        f"{path}: k6 metric {name!r} has no {' or '.join(stat_names)} statistic for {what}"
    )


def _latency(path: Path, metrics: dict[str, Any]) -> tuple[str | None, dict[str, float]]:
    """(metric name, {latency column: milliseconds}) from the request-duration trend."""
    name = next((m for m in LATENCY_METRICS if m in metrics), None)
    if name is None:
        return None, {}
    values = _stats(metrics[name])
    out = {}
    for stat, ours in TREND_STATS.items():
        value = values.get(stat)
        if value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
            raise InputError(
                f"{path}: k6 metric {name!r} statistic {stat!r} is {value!r}; expected a "
                "response time in milliseconds"
            )
        out[latency_column(ours)] = float(value)
    return name, out


def k6_point(
    path: str | Path, load_metric: str | None = None, throughput_metric: str | None = None
) -> dict[str, Any]:
    """One k6 summary as {load, throughput, source, load_metric, throughput_metric,
    latency_metric, latency_*_ms...} (latency keys only for the statistics present)."""
    path = Path(path)
    metrics = _load_json(path)["metrics"]
    load_name, load = _metric_value(path, metrics, load_metric, LOAD_METRICS, _LOAD_STATS, "load")
    rate_name, rate = _metric_value(
        path, metrics, throughput_metric, THROUGHPUT_METRICS, _RATE_STATS, "throughput"
    )
    latency_name, latency = _latency(path, metrics)
    return {
        "load": load,
        "throughput": rate,
        "source": path.name,
        "load_metric": load_name,
        "throughput_metric": rate_name,
        "latency_metric": latency_name,
        **latency,
    }


def read_k6_summary(
    path: str | Path, load_metric: str | None = None, throughput_metric: str | None = None
) -> pl.DataFrame:
    """One k6 summary file as a one-row (load, throughput, source, latency) frame."""
    point = k6_point(path, load_metric, throughput_metric)
    keep = [k for k in point if k in ("load", "throughput", "source") or k.endswith("_ms")]
    return with_schema(pl.DataFrame({k: [point[k]] for k in keep}))
