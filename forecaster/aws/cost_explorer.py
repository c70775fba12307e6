"""Cost Explorer GetCostAndUsage -> canonical FOCUS line items, stored as source
"cost-explorer".

Cost Explorer charges USD 0.01 per request, so the command plans first: the range is
widened to whole billing months (the store keeps one partition per month, and a partial
month would replace a whole one), months already fetched and final are read from a cache
under the store directory, and the remaining months are fetched in as few contiguous
ranges as possible (one request per range, plus one per extra page). The plan says how
many requests it will make before making them.

Mapping: each result row (a time period x group) is one line item. BilledCost is
UnblendedCost; EffectiveCost is NetAmortizedCost (amortized, after discounts, as FOCUS
defines it); AmortizedCost is reported per month. Amounts arrive as strings and are parsed
as numbers. Months with a day marked Estimated are stored as open.
"""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import polars as pl

from forecaster import columns as C
from forecaster.aws.session import Aws, AwsOptions
from forecaster.billing.parse import parse_money
from forecaster.billing.source import SourceFrame
from forecaster.errors import InputError
from forecaster.ingest import ingest_frames
from forecaster.ingest_commit import IngestReport
from forecaster.store.fsutil import atomic_write_json, read_json

log = logging.getLogger(__name__)

SOURCE = "cost-explorer"
METRICS = ("UnblendedCost", "AmortizedCost", "NetAmortizedCost")
PRICE_PER_REQUEST_USD = 0.01
GRANULARITIES = ("DAILY", "MONTHLY")
#: GroupBy dimension -> canonical column it fills.
DIMENSIONS = {
    "SERVICE": C.SERVICE_NAME,
    "LINKED_ACCOUNT": C.SUB_ACCOUNT_ID,
    "REGION": C.REGION_ID,
    "USAGE_TYPE": C.X_USAGE_TYPE,
    "RECORD_TYPE": C.X_LINE_ITEM_TYPE,
}
DEFAULT_GROUP_BY = ("SERVICE", "LINKED_ACCOUNT")


def parse_group_by(text: str | list[str] | tuple[str, ...] | None) -> list[dict[str, str]]:
    """``"SERVICE,LINKED_ACCOUNT"`` (or ``TAG:team``) as GetCostAndUsage GroupBy entries."""
    items = text.split(",") if isinstance(text, str) else list(text or ())
    groups = []
    for item in (i.strip() for i in items if i.strip()):
        if item.upper().startswith("TAG:") and len(item) > 4:
            groups.append({"Type": "TAG", "Key": item[4:]})
        elif item.upper() in DIMENSIONS:
            groups.append({"Type": "DIMENSION", "Key": item.upper()})
        else:
            raise InputError(
                f"group_by {item!r}: expected {', '.join(DIMENSIONS)} or TAG:<key>",
                parameters=("group_by",),
            )
    if len(groups) > 2:
        raise InputError(
            "group_by: Cost Explorer groups by at most two dimensions or tags",
            parameters=("group_by",),
        )
    return groups


def _month(d: date) -> str:
    return d.strftime("%Y-%m")


def _next_month(d: date) -> date:
    return (d.replace(day=1) + timedelta(days=32)).replace(day=1)


@dataclass
class CostExplorerPlan:
    """What an ingest will request: whole months, some from the cache."""

    start: date  # first day of the first month
    end: date  # exclusive; first of the month after the last, or tomorrow for this month
    granularity: str
    group_by: list[dict[str, str]]
    months: list[str]
    cached: list[str]
    ranges: list[tuple[date, date]]  # contiguous [start, end) ranges still to request

    @property
    def requests(self) -> int:
        """Requests at least (one per range; each extra page of results adds one)."""
        return len(self.ranges)

    def describe(self) -> str:
        cost = self.requests * PRICE_PER_REQUEST_USD
        return (
            f"Cost Explorer {self.start:%Y-%m-%d}..{self.end:%Y-%m-%d} ({len(self.months)} "
            f"month(s), {self.granularity}): {len(self.cached)} month(s) from the cache, "
            f"{self.requests} request(s) at USD {PRICE_PER_REQUEST_USD:.2f} each "
            f"(USD {cost:.2f}; one more per extra page of results)"
        )


class ResponseCache:
    """GetCostAndUsage results per month under ``<store>/cache/cost-explorer``; only months
    with results and no Estimated day are reused (their figures are final)."""

    def __init__(self, store_dir: Path, granularity: str, group_by: list[dict[str, str]]):
        self.dir = Path(store_dir) / "cache" / SOURCE
        self.request = {"granularity": granularity, "group_by": group_by, "metrics": METRICS}

    def path(self, month: str) -> Path:
        key = json.dumps({**self.request, "month": month}, sort_keys=True)
        return self.dir / f"{month}-{hashlib.sha256(key.encode()).hexdigest()[:16]}.json"

    def get(self, month: str) -> dict[str, Any] | None:
        entry = read_json(self.path(month), None)
        final = entry and entry.get("results") and not entry.get("estimated")
        return entry if final else None

    def put(self, month: str, entry: dict[str, Any]) -> None:
        atomic_write_json(self.path(month), {**entry, "request": self.request})


def plan(
    start: date,
    end: date,
    granularity: str,
    group_by: list[dict[str, str]],
    cache: ResponseCache | None,
    today: date,
) -> CostExplorerPlan:
    """Whole months covering [start, end), capped at tomorrow; cached months left out."""
    if granularity not in GRANULARITIES:
        raise InputError(
            f"granularity {granularity!r}: expected DAILY or MONTHLY", parameters=("granularity",)
        )
    if start >= end:
        raise InputError(f"start {start} must be before end {end}", parameters=("start", "end"))
    if start > today:
        raise InputError(f"start {start} is in the future", parameters=("start",))
    first = start.replace(day=1)
    last = min(end if end.day == 1 else _next_month(end), today + timedelta(days=1))
    months, d = [], first
    while d < last:
        months.append(_month(d))
        d = _next_month(d)
    cached = [m for m in months if cache is not None and cache.get(m) is not None]
    ranges: list[tuple[date, date]] = []
    for m in months:
        if m in cached:
            continue
        m_start = date.fromisoformat(f"{m}-01")
        m_end = min(_next_month(m_start), last)
        if ranges and ranges[-1][1] == m_start:
            ranges[-1] = (ranges[-1][0], m_end)
        else:
            ranges.append((m_start, m_end))
    return CostExplorerPlan(first, last, granularity, group_by, months, cached, ranges)


def fetch_range(aws: Aws, p: CostExplorerPlan, start: date, end: date) -> dict[str, Any]:
    """Every page of GetCostAndUsage over [start, end): results and dimension attributes."""
    results: list[dict[str, Any]] = []
    attributes: list[dict[str, Any]] = []
    token = None
    while True:
        params: dict[str, Any] = {
            "TimePeriod": {"Start": start.isoformat(), "End": end.isoformat()},
            "Granularity": p.granularity,
            "Metrics": list(METRICS),
        }
        if p.group_by:
            params["GroupBy"] = p.group_by
        if token:
            params["NextPageToken"] = token
        resp = aws.call("ce", "GetCostAndUsage", f"{start}..{end}", **params)
        results.extend(resp.get("ResultsByTime", []))
        attributes.extend(resp.get("DimensionValueAttributes", []))
        token = resp.get("NextPageToken")
        if not token:
            return {"results": results, "attributes": attributes}


def _split_by_month(fetched: dict[str, Any], months: list[str]) -> dict[str, dict[str, Any]]:
    out = {m: {"month": m, "results": [], "attributes": fetched["attributes"]} for m in months}
    for entry in fetched["results"]:
        month = entry["TimePeriod"]["Start"][:7]
        if month in out:
            out[month]["results"].append(entry)
    for entry in out.values():
        entry["estimated"] = any(r.get("Estimated") for r in entry["results"])
    return out


def _charge_category(record_type: pl.Expr) -> pl.Expr:
    text = record_type.str.to_lowercase()
    return (
        pl.when(record_type.is_null())
        .then(pl.lit("Usage"))
        .when(text.str.contains("tax"))
        .then(pl.lit("Tax"))
        .when(text.str.contains("credit|discount"))
        .then(pl.lit("Credit"))
        .when(text.str.contains("fee"))
        .then(pl.lit("Purchase"))
        .otherwise(pl.lit("Usage"))
    )


def month_frame(entry: dict[str, Any], p: CostExplorerPlan) -> SourceFrame | None:
    """One month of results as a SourceFrame (None when the month has no rows)."""
    names = {a["Value"]: a.get("Attributes", {}).get("description") for a in entry["attributes"]}
    rows = []
    for result in entry["results"]:
        period = result["TimePeriod"]
        groups = result.get("Groups") or (
            [{"Keys": [], "Metrics": result["Total"]}] if result.get("Total") else []
        )
        for g in groups:
            metrics = g.get("Metrics", {})
            row = {
                "start": period["Start"],
                "end": period["End"],
                "currency": metrics.get("UnblendedCost", {}).get("Unit"),
                **{m: metrics.get(m, {}).get("Amount") for m in METRICS},
            }
            for spec, key in zip(p.group_by, g.get("Keys", []), strict=False):
                if spec["Type"] == "TAG":
                    tag, _, value = key.partition("$")
                    row["tags"] = json.dumps({tag: value}, separators=(",", ":")) if value else None
                else:
                    row[spec["Key"]] = key
            rows.append(row)
    if not rows:
        return None
    schema = {c: pl.String for c in ["start", "end", "currency", "tags", *METRICS, *DIMENSIONS]}
    raw = pl.DataFrame(rows, schema=schema).lazy()

    def day(col: str) -> pl.Expr:
        return (
            pl.col(col).str.to_date("%Y-%m-%d").cast(pl.Datetime("us")).dt.replace_time_zone("UTC")
        )

    billed = parse_money(pl.col("UnblendedCost"))
    effective = parse_money(pl.col("NetAmortizedCost"))
    account = pl.col("LINKED_ACCOUNT")
    columns = {
        C.BILLING_PERIOD_START: day("start").dt.truncate("1mo"),
        C.BILLING_PERIOD_END: day("start").dt.truncate("1mo").dt.offset_by("1mo"),
        C.CHARGE_PERIOD_START: day("start"),
        C.CHARGE_PERIOD_END: day("end"),
        C.BILLED_COST: billed,
        C.EFFECTIVE_COST: effective,
        C.BILLING_CURRENCY: pl.col("currency"),
        C.PROVIDER_NAME: pl.lit("AWS"),
        C.SUB_ACCOUNT_ID: account,
        C.SUB_ACCOUNT_NAME: account.replace_strict(names, default=None, return_dtype=pl.String),
        C.SERVICE_NAME: pl.col("SERVICE"),
        C.REGION_ID: pl.col("REGION"),
        C.X_USAGE_TYPE: pl.col("USAGE_TYPE"),
        C.X_LINE_ITEM_TYPE: pl.col("RECORD_TYPE"),
        C.CHARGE_CATEGORY: _charge_category(pl.col("RECORD_TYPE")),
        C.CHARGE_CLASS: pl.when(pl.col("RECORD_TYPE") == "Refund").then(pl.lit("Correction")),
        C.TAGS: pl.col("tags"),
    }
    return SourceFrame(
        path=Path(f"{SOURCE}-{p.granularity.lower()}-{entry['month']}.json"),
        format=SOURCE,
        raw=raw,
        columns=columns,
        checks={C.BILLED_COST: billed, C.EFFECTIVE_COST: effective},
        parsed_from={
            C.BILLED_COST: (pl.col("UnblendedCost"), billed),
            C.EFFECTIVE_COST: (pl.col("NetAmortizedCost"), effective),
        },
        source_columns={C.BILLED_COST: "UnblendedCost", C.EFFECTIVE_COST: "NetAmortizedCost"},
    )


def _digest(entry: dict[str, Any]) -> str:
    body = json.dumps(
        {"results": entry["results"], "attributes": entry["attributes"]}, sort_keys=True
    )
    return hashlib.sha256(body.encode()).hexdigest()


def _amortized(entry: dict[str, Any]) -> float:
    total = 0.0
    for result in entry["results"]:
        for g in result.get("Groups") or [{"Metrics": result.get("Total", {})}]:
            total += float(g.get("Metrics", {}).get("AmortizedCost", {}).get("Amount") or 0.0)
    return total


@dataclass
class CostExplorerReport:
    plan: CostExplorerPlan
    requests: int
    billing: IngestReport | None
    months: list[dict[str, Any]] = field(default_factory=list)
    dry_run: bool = False

    def as_dict(self) -> dict[str, Any]:
        return {
            "start": self.plan.start.isoformat(),
            "end": self.plan.end.isoformat(),
            "granularity": self.plan.granularity,
            "planned_requests": self.plan.requests,
            "requests": self.requests,
            "request_cost_usd": round(self.requests * PRICE_PER_REQUEST_USD, 2),
            "cached_months": self.plan.cached,
            "months": self.months,
            "dry_run": self.dry_run,
            "billing": self.billing.as_dict() if self.billing else None,
        }


def ingest_cost_explorer(
    store_dir: str | Path,
    start: date,
    end: date,
    granularity: str = "DAILY",
    group_by: str | list[str] | tuple[str, ...] | None = DEFAULT_GROUP_BY,
    options: AwsOptions | None = None,
    now: datetime | None = None,
    use_cache: bool = True,
    dry_run: bool = False,
    aws: Aws | None = None,
) -> CostExplorerReport:
    """Fetch [start, end) (widened to whole months) from Cost Explorer into the billing store.

    Final months come from the cache when present; everything fetched is stored in one
    reconciled, atomic ingest (source "cost-explorer"), and only then cached. With
    ``dry_run`` nothing is requested: the report carries the plan (request count, cost).
    """
    now = now or datetime.now(UTC)
    groups = parse_group_by(group_by)
    cache = ResponseCache(Path(store_dir), granularity, groups)
    p = plan(start, end, granularity, groups, cache if use_cache else None, now.date())
    if dry_run:
        return CostExplorerReport(plan=p, requests=0, billing=None, dry_run=True)
    aws = aws or Aws(options)
    entries: dict[str, dict[str, Any]] = {m: cache.get(m) for m in p.cached}  # type: ignore[misc]
    fetched: dict[str, dict[str, Any]] = {}
    if p.ranges:
        aws.check_credentials()
    for r_start, r_end in p.ranges:
        months = [m for m in p.months if r_start <= date.fromisoformat(f"{m}-01") < r_end]
        fetched.update(_split_by_month(fetch_range(aws, p, r_start, r_end), months))
    entries.update(fetched)
    frames, open_periods, months_out = [], set(), []
    for month in p.months:
        entry = entries[month]
        sf = month_frame(entry, p)
        months_out.append(
            {
                "month": month,
                "from_cache": month in p.cached,
                "estimated": entry["estimated"],
                "rows": sum(len(r.get("Groups") or [1]) for r in entry["results"]),
                "amortized_cost": _amortized(entry),
            }
        )
        if sf is None:
            months_out[-1]["note"] = "Cost Explorer returned no cost for this month"
            continue
        frames.append((sf, _digest(entry)))
        if entry["estimated"]:
            open_periods.add(month)
    billing = (
        ingest_frames(frames, store_dir, SOURCE, now=now, open_periods=open_periods)
        if (frames)
        else None
    )
    for month, entry in fetched.items():
        if entry["results"] and not entry["estimated"]:
            cache.put(month, entry)
    return CostExplorerReport(
        plan=p,
        requests=aws.requests["ce.GetCostAndUsage"],
        billing=billing,
        months=months_out,
    )
