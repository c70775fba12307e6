"""CloudWatch GetMetricData -> load store, for every metric the workloads file names.

Periods follow CloudWatch's retention: data points at 60 s are kept 15 days, at 300 s 63
days, at 3600 s 455 days (and high-resolution 1-30 s for 3 hours). A period given in the
workloads file is validated against the start of the range (a 60 s period cannot reach
20 days back: CloudWatch would return nothing); a missing one is the finest period the
range allows. Up to 500 metrics go in one request; pages are followed through NextToken;
a metric still marked PartialData when the pages run out is fetched again over halves of
the window. Samples are stored under the workload's load metric name with source
"cloudwatch" and the CloudWatch dimensions as the series' dimensions.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import polars as pl

from forecaster import columns as C
from forecaster.aws.errors import AwsError
from forecaster.aws.session import Aws, AwsOptions
from forecaster.errors import InputError
from forecaster.load import LoadIngestReport, dimensions_text, ingest_load_frame
from forecaster.workloads.spec import HIGH_RESOLUTION_PERIODS, CloudWatchMetric, Workload

log = logging.getLogger(__name__)

#: (how far back the range starts, the period multiple CloudWatch then requires).
RETENTION: tuple[tuple[timedelta, int], ...] = (
    (timedelta(hours=3), 1),
    (timedelta(days=15), 60),
    (timedelta(days=63), 300),
    (timedelta(days=455), 3600),
)
MAX_QUERIES_PER_REQUEST = 500
MAX_DATAPOINTS = 100_800
MAX_SPLITS = 4
SOURCE = "cloudwatch"


def required_multiple(start: datetime, now: datetime) -> int:
    """The period multiple (seconds) CloudWatch needs for data starting at ``start``."""
    age = now - start
    for limit, multiple in RETENTION:
        if age <= limit:
            return multiple
    raise InputError(
        f"start {start:%Y-%m-%d} is {age.days} days ago; CloudWatch keeps no data points "
        "older than 455 days",
        parameters=("start",),
    )


def choose_period(period: int | None, start: datetime, now: datetime, what: str) -> int:
    """The period to request: ``period`` if CloudWatch still has it for ``start``, else an error;
    the finest period the range allows when ``period`` is None."""
    multiple = required_multiple(start, now)
    if period is None:
        return max(multiple, 60)
    if multiple == 1:
        if period in HIGH_RESOLUTION_PERIODS or period % 60 == 0:
            return period
    elif period % multiple == 0:
        return period
    age_days = (now - start).total_seconds() / 86_400
    raise InputError(
        f"{what}: period {period} s is not available {age_days:.0f} days back; CloudWatch keeps "
        "60 s data points for 15 days, 300 s for 63 days and 3600 s for 455 days, so from "
        f"`start` {start:%Y-%m-%d} use a multiple of {multiple} s",
        parameters=("start",),
    )


@dataclass(frozen=True)
class MetricPull:
    """One CloudWatch metric to fetch, and where its samples go."""

    query_id: str
    metric: str  # load metric name in the store
    unit: str | None
    cloudwatch: CloudWatchMetric
    period: int
    workloads: tuple[str, ...]

    def describe(self) -> str:
        dims = ",".join(f"{k}={v}" for k, v in self.cloudwatch.dimensions)
        return (
            f"{self.cloudwatch.namespace} {self.cloudwatch.metric_name}"
            + (f" ({dims})" if dims else "")
            + f" {self.cloudwatch.statistic}/{self.period}s"
        )

    def query(self) -> dict[str, Any]:
        cw = self.cloudwatch
        return {
            "Id": self.query_id,
            "Label": self.metric,
            "ReturnData": True,
            "MetricStat": {
                "Metric": {
                    "Namespace": cw.namespace,
                    "MetricName": cw.metric_name,
                    "Dimensions": [{"Name": k, "Value": v} for k, v in cw.dimensions],
                },
                "Period": self.period,
                "Stat": cw.statistic,
            },
        }


def plan(
    workloads: list[Workload], start: datetime, end: datetime, now: datetime
) -> list[MetricPull]:
    """The distinct metrics to pull, with their periods, or a clear error."""
    if start >= end:
        raise InputError(
            f"start {start:%Y-%m-%d} must be before end {end:%Y-%m-%d}",
            parameters=("start", "end"),
        )
    if start >= now:
        raise InputError(f"start {start:%Y-%m-%d %H:%M} is in the future", parameters=("start",))
    named = [w for w in workloads if w.load.cloudwatch is not None]
    if not named:
        raise InputError(
            "no workload names a CloudWatch metric; add a [workload.load.cloudwatch] table "
            "(namespace, metric_name, dimensions, statistic, period) to the workloads file"
        )
    pulls: dict[tuple, MetricPull] = {}
    series: dict[tuple[str, str], tuple] = {}
    for w in named:
        cw = w.load.cloudwatch
        assert cw is not None
        period = choose_period(cw.period, start, now, f"workload {w.name!r}")
        key = (w.load.metric, cw, period)
        dims = (w.load.metric, dimensions_text(dict(cw.dimensions)))
        if series.setdefault(dims, key) != key:
            raise InputError(
                f"workload {w.name!r}: load metric {w.load.metric!r} with dimensions {dims[1]} "
                "is already pulled from another CloudWatch metric, statistic or period; "
                "give it its own metric name"
            )
        if key in pulls:
            old = pulls[key]
            pulls[key] = MetricPull(**{**old.__dict__, "workloads": (*old.workloads, w.name)})
        else:
            pulls[key] = MetricPull(
                f"m{len(pulls)}", w.load.metric, w.load.unit, cw, period, (w.name,)
            )
    return list(pulls.values())


def _align(ts: datetime, period: int, up: bool) -> datetime:
    epoch = int(ts.timestamp())
    aligned = (epoch // period + (1 if up and epoch % period else 0)) * period
    return datetime.fromtimestamp(aligned, UTC)


@dataclass
class _Window:
    aws: Aws
    max_datapoints: int
    pages: int = 0

    def fetch(self, pulls: list[MetricPull], start: datetime, end: datetime, depth: int = 0):
        """{query id: {timestamp: value}} for ``pulls`` over [start, end)."""
        data: dict[str, dict[datetime, float]] = {p.query_id: {} for p in pulls}
        status: dict[str, str] = {}
        by_id = {p.query_id: p for p in pulls}
        what = f"{len(pulls)} metric(s) {start:%Y-%m-%dT%H:%M}..{end:%Y-%m-%dT%H:%M}Z"
        token = None
        while True:
            params: dict[str, Any] = {
                "MetricDataQueries": [p.query() for p in pulls],
                "StartTime": start,
                "EndTime": end,
                "ScanBy": "TimestampAscending",
                "MaxDatapoints": self.max_datapoints,
            }
            if token:
                params["NextToken"] = token
            resp = self.aws.call("cloudwatch", "GetMetricData", what, **params)
            self.pages += 1
            for message in resp.get("Messages", []):
                log.warning("CloudWatch: %s %s", message.get("Code"), message.get("Value"))
            for result in resp.get("MetricDataResults", []):
                qid = result["Id"]
                code = result.get("StatusCode", "Complete")
                if code in ("Forbidden", "InternalError"):
                    notes = "; ".join(m.get("Value", "") for m in result.get("Messages", []))
                    raise AwsError(
                        f"cloudwatch.GetMetricData on {by_id[qid].describe()}: status {code}"
                        + (f" ({notes})" if notes else "")
                        + (
                            "; the identity needs cloudwatch:GetMetricData"
                            if code == "Forbidden"
                            else ""
                        )
                    )
                stamps = (t.astimezone(UTC) for t in result.get("Timestamps", []))
                data[qid].update(zip(stamps, result.get("Values", []), strict=True))
                status[qid] = code
            token = resp.get("NextToken")
            if not token:
                break
        partial = [by_id[q] for q, code in status.items() if code == "PartialData"]
        if partial:
            longest = max(p.period for p in partial)
            if depth >= MAX_SPLITS or (end - start).total_seconds() < 2 * longest:
                raise AwsError(
                    f"cloudwatch.GetMetricData on {partial[0].describe()}: CloudWatch still "
                    "returns PartialData with no further page; narrow --start/--end"
                )
            mid = _align(start + (end - start) / 2, longest, up=False)
            for half in ((start, mid), (mid, end)):
                for qid, points in self.fetch(partial, *half, depth + 1).items():
                    data[qid].update(points)
        return data


@dataclass
class CloudWatchReport:
    """What ``ingest cloudwatch`` pulled and stored."""

    start: datetime
    end: datetime
    metrics: list[dict[str, Any]]
    requests: int
    load: LoadIngestReport | None
    notes: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "metrics": self.metrics,
            "requests": self.requests,
            "load": self.load.as_dict() if self.load else None,
            "notes": self.notes,
        }


def fetch_metrics(
    aws: Aws, pulls: list[MetricPull], start: datetime, end: datetime, max_datapoints: int
) -> pl.DataFrame:
    """Samples of every pull over [start, end), as a load frame (source "cloudwatch")."""
    window = _Window(aws, max_datapoints)
    frames = []
    for i in range(0, len(pulls), MAX_QUERIES_PER_REQUEST):
        batch = pulls[i : i + MAX_QUERIES_PER_REQUEST]
        longest = max(p.period for p in batch)
        data = window.fetch(batch, _align(start, longest, False), _align(end, longest, True))
        for p in batch:
            points = data[p.query_id]
            frames.append(
                pl.DataFrame(
                    {
                        C.LOAD_TIMESTAMP: list(points),
                        C.LOAD_VALUE: list(points.values()),
                    },
                    schema={C.LOAD_TIMESTAMP: C.UTC_DATETIME, C.LOAD_VALUE: pl.Float64},
                ).with_columns(
                    pl.lit(p.metric).alias(C.LOAD_METRIC),
                    pl.lit(p.unit, dtype=pl.String).alias(C.LOAD_UNIT),
                    pl.lit(dimensions_text(dict(p.cloudwatch.dimensions))).alias(C.LOAD_DIMENSIONS),
                    pl.lit(SOURCE).alias(C.LOAD_SOURCE),
                )
            )
    return pl.concat(frames, how="diagonal_relaxed") if frames else pl.DataFrame()


def ingest_cloudwatch(
    workloads: list[Workload],
    store_dir: str | Path,
    start: datetime,
    end: datetime,
    options: AwsOptions | None = None,
    now: datetime | None = None,
    aws: Aws | None = None,
    max_datapoints: int = MAX_DATAPOINTS,
) -> CloudWatchReport:
    """Pull every CloudWatch metric the workloads name over [start, end) into the load store.

    Validates the whole plan (periods against retention) before the first request, fetches
    everything, then stores it in one commit: a failed request stores nothing.
    """
    now = now or datetime.now(UTC)
    end = min(end, now)
    pulls = plan(workloads, start, end, now)
    aws = aws or Aws(options)
    aws.check_credentials()
    frame = fetch_metrics(aws, pulls, start, end, max_datapoints)
    counts = (
        {(m, d): n for m, d, n in frame.group_by(C.LOAD_METRIC, C.LOAD_DIMENSIONS).len().rows()}
        if frame.height
        else {}
    )
    metrics = []
    notes = []
    for p in pulls:
        n = counts.get((p.metric, dimensions_text(dict(p.cloudwatch.dimensions))), 0)
        metrics.append(
            {
                "metric": p.metric,
                "cloudwatch": p.describe(),
                "period": p.period,
                "workloads": list(p.workloads),
                "datapoints": n,
            }
        )
        if not n:
            notes.append(f"no data points for {p.describe()} ({p.metric})")
    load = None
    if frame.height:
        load = ingest_load_frame(frame, store_dir, "CloudWatch GetMetricData")
    return CloudWatchReport(
        start=start,
        end=end,
        metrics=metrics,
        requests=aws.requests["cloudwatch.GetMetricData"],
        load=load,
        notes=notes,
    )
