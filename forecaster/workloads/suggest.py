"""Suggest a workloads file from the bill: the largest cost groups by a key (a tag, the
account or the service) and, for each, the load driver that best explains its cost.

The driver is the metric in the load store whose *daily shape* follows the group's daily
EffectiveCost most closely: the correlation of their day-to-day changes (first
differences), which a shared trend cannot fake (two series that both grow correlate in
level, not in their daily moves). A metric qualifies at ``MIN_SCORE`` or more on at least
``MIN_DAYS`` common days. Without one, the group's largest usage quantity in the bill
(ConsumedQuantity of its costliest unit) is proposed, labelled as a proxy: it is not in the
load store, so its daily series is written beside the file for ``forecaster ingest
traffic``.

``suggest_workloads`` returns typed suggestions; ``suggestion_toml`` writes the commented
TOML that ``forecaster workloads`` reads.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from forecaster import columns as C
from forecaster.errors import InputError
from forecaster.load import read_load, resample
from forecaster.store import read_charges
from forecaster.workloads.cost import MONEY, spread

MIN_SCORE = 0.5
"""Least correlation of day-to-day changes for a metric to be proposed as a driver."""
MIN_DAYS = 28
DEFAULT_TOP = 5
NONE = "(none)"
MEAN_UNITS = ("percent", "%", "ratio", "ms", "seconds", "s")


@dataclass
class Driver:
    """A proposed load driver: a load-store metric (``proxy`` False) or a bill quantity."""

    metric: str
    unit: str | None
    aggregation: str
    score: float | None  # correlation of day-to-day changes with the group's cost
    days: int
    proxy: bool = False
    source: str | None = None
    series: pl.DataFrame | None = None  # for a proxy: timestamp, value (daily)

    def to_dict(self) -> dict[str, Any]:
        """The driver as plain data (``forecaster workloads suggest --json``)."""
        keys = ("metric", "unit", "aggregation", "proxy", "score", "days")
        return {k: getattr(self, k) for k in keys}


@dataclass
class Suggestion:
    """One proposed workload: its cost filter, cost and driver, with the runners-up."""

    name: str
    currency: str
    label: str
    providers: list[str]
    services: list[str] = field(default_factory=list)
    sub_accounts: list[str] = field(default_factory=list)
    tags: dict[str, str] = field(default_factory=dict)
    cost: float = 0.0  # EffectiveCost over the bill
    share_of_currency: float = 0.0
    driver: Driver | None = None
    alternatives: list[Driver] = field(default_factory=list)
    first_day: date | None = None
    last_day: date | None = None

    def to_dict(self) -> dict[str, Any]:
        """The suggestion as plain data (``--json``), money as amount + currency."""
        filters = {"providers": self.providers, "services": self.services}
        filters |= {"sub_accounts": self.sub_accounts, "tags": self.tags}
        return {
            "name": self.name,
            "group": self.label,
            "cost": {"amount": round(self.cost, 2), "currency": self.currency},
            "share_of_currency": self.share_of_currency,
            "filters": filters,
            "driver": None if self.driver is None else self.driver.to_dict(),
            "alternatives": [{"metric": a.metric, "score": a.score} for a in self.alternatives],
        }


def _key(by: str) -> tuple[list[pl.Expr], str]:
    """Group expressions (provider first) and a description of the key."""
    provider = pl.col(C.PROVIDER_NAME).fill_null(NONE).alias("provider")
    if by == "service":
        return [provider, pl.col(C.SERVICE_NAME).fill_null(NONE).alias("value")], "service"
    if by == "account":
        return [provider, pl.col(C.SUB_ACCOUNT_ID).fill_null(NONE).alias("value")], "account"
    if by.startswith("tag:") and len(by) > 4:
        key = by[4:]
        tag = pl.col(C.TAGS).str.json_path_match(f"$[{json.dumps(key)}]")
        return [provider, tag.alias("value")], f"tag {key!r}"
    raise InputError(
        f"by {by!r}: expected service, account or tag:KEY (e.g. tag:team)", parameters=("by",)
    )


def slug(text: str) -> str:
    """A workload name from a label: lower case, letters, digits and dashes."""
    out = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return out or "workload"


def _daily_frame(rows: pl.LazyFrame) -> pl.DataFrame:
    return (
        spread(rows, "day", ["gid"])
        .select("gid", pl.col("period_start").dt.date().alias("day"), "cost")
        .collect()
    )


def _diff_corr(a: np.ndarray, b: np.ndarray) -> tuple[float | None, int]:
    ok = np.isfinite(a) & np.isfinite(b)
    da, db = np.diff(a), np.diff(b)
    both = ok[1:] & ok[:-1]
    n = int(both.sum())
    if n < MIN_DAYS:
        return None, n
    x, y = da[both], db[both]
    if np.std(x) == 0 or np.std(y) == 0:
        return None, n
    return float(np.corrcoef(x, y)[0, 1]), n


def _aggregation(metric: str, unit: str | None) -> str:
    u = (unit or "").lower()
    if u in MEAN_UNITS or any(w in metric.lower() for w in ("cpu", "utilization", "latency")):
        return "mean"
    return "sum"


def _metrics(store_dir: str | Path) -> dict[tuple[str, str], tuple[str | None, pl.DataFrame]]:
    """Every metric (and load source) of the load store at day grain: unit and ``day, load``."""
    samples = read_load(store_dir)
    kinds = samples.select(C.LOAD_METRIC, C.LOAD_SOURCE, C.LOAD_UNIT).unique().collect()
    out = {}
    for metric, source, unit in kinds.iter_rows():
        rows = samples.filter((pl.col(C.LOAD_METRIC) == metric) & (pl.col(C.LOAD_SOURCE) == source))
        daily = resample(rows, "day", _aggregation(metric, unit)).collect()
        out[(metric, source)] = (
            unit,
            daily.select(
                pl.col("period_start").dt.date().alias("day"), pl.col("value").alias("load")
            ),
        )
    return out


def _proxy(charges: pl.LazyFrame, name: str) -> Driver | None:
    """The group's costliest usage unit's daily ConsumedQuantity, as a proxy driver."""
    rows = charges.filter(
        pl.col(C.CONSUMED_QUANTITY).is_not_null() & pl.col(C.CONSUMED_UNIT).is_not_null()
    )
    units = (
        rows.group_by(C.CONSUMED_UNIT)
        .agg(pl.col(C.EFFECTIVE_COST).sum().alias("cost"))
        .sort(["cost", C.CONSUMED_UNIT], descending=[True, False])
        .collect()
    )
    if units.is_empty():
        return None
    unit = units[C.CONSUMED_UNIT][0]
    picked = rows.filter(pl.col(C.CONSUMED_UNIT) == unit).select(
        C.CHARGE_PERIOD_START,
        C.CHARGE_PERIOD_END,
        pl.lit("q").alias("gid"),
        pl.col(C.CONSUMED_QUANTITY).alias("cost"),
        *[pl.lit(0.0).alias(m) for m in MONEY if m != "cost"],
    )
    daily = _daily_frame(picked).sort("day")
    series = daily.select(
        pl.col("day").cast(pl.Datetime("us")).alias("timestamp"), pl.col("cost").alias("value")
    )
    return Driver(
        metric=f"bill.{name}.{slug(unit)}",
        unit=unit,
        aggregation="sum",
        score=None,
        days=daily.height,
        proxy=True,
        series=series,
    )


def suggest_workloads(
    store_dir: str | Path,
    by: str = "service",
    top: int = DEFAULT_TOP,
    sources: list[str] | None = None,
) -> list[Suggestion]:
    """The ``top`` largest cost groups by ``by`` per currency, each with its driver."""
    if top < 1:
        raise InputError(f"top {top}: expected at least 1", parameters=("top",))
    keys, _ = _key(by)
    charges = read_charges(store_dir)
    if sources:
        charges = charges.filter(pl.col(C.X_SOURCE).is_in(sources))
    labelled = charges.with_columns(*keys, pl.col(C.BILLING_CURRENCY).alias("currency"))
    if by.startswith("tag:"):
        labelled = labelled.filter(pl.col("value").is_not_null())
    totals = (
        labelled.group_by("currency", "provider", "value")
        .agg(pl.col(C.EFFECTIVE_COST).sum().alias("cost"))
        .collect()
    )
    if totals.is_empty():
        raise InputError(
            f"{store_dir}: no billing rows to group by {by}"
            + (" (no row carries that tag)" if by.startswith("tag:") else "")
        )
    per_currency = totals.group_by("currency").agg(pl.col("cost").sum().alias("all"))
    ranked = (
        totals.join(per_currency, on="currency")
        .filter(pl.col("cost") > 0)
        .sort(["cost", "currency", "provider", "value"], descending=[True, False, False, False])
        .head(top)
    )
    metrics = _metrics(store_dir)
    out: list[Suggestion] = []
    names: set[str] = set()
    for r in ranked.iter_rows(named=True):
        mine = labelled.filter(
            (pl.col("currency") == r["currency"])
            & (pl.col("provider") == r["provider"])
            & (pl.col("value") == r["value"])
        )
        base = slug(r["value"] if by.startswith("tag:") else f"{r['provider']}-{r['value']}")
        name, i = base, 2
        while name in names:
            name, i = f"{base}-{i}", i + 1
        names.add(name)
        s = Suggestion(
            name=name,
            currency=r["currency"],
            label=f"{r['provider']} / {r['value']}",
            providers=[r["provider"]] if r["provider"] != NONE else [],
            cost=float(r["cost"]),
            share_of_currency=float(r["cost"] / r["all"]) if r["all"] else 0.0,
        )
        if by == "service":
            s.services = [r["value"]]
        elif by == "account":
            s.sub_accounts = [r["value"]]
        else:
            s.tags = {by[4:]: r["value"]}
        rows = mine.select(
            C.CHARGE_PERIOD_START,
            C.CHARGE_PERIOD_END,
            pl.lit("g").alias("gid"),
            *[pl.col(src).alias(out_name) for out_name, src in MONEY.items()],
        )
        cost = _daily_frame(rows).sort("day")
        s.first_day, s.last_day = cost["day"].min(), cost["day"].max()
        scored = []
        for (metric, source), (unit, load) in metrics.items():
            joined = cost.join(load, on="day", how="full", coalesce=True).sort("day")
            a = joined["cost"].cast(pl.Float64).fill_null(np.nan).to_numpy()
            b = joined["load"].cast(pl.Float64).fill_null(np.nan).to_numpy()
            score, days = _diff_corr(a, b)
            if score is not None:
                many = sum(1 for m, _ in metrics if m == metric) > 1
                scored.append(
                    Driver(
                        metric,
                        unit,
                        _aggregation(metric, unit),
                        score,
                        days,
                        source=source if many else None,
                    )  # fmt: skip
                )
        scored.sort(key=lambda d: (-(d.score or 0.0), d.metric))
        if scored and (scored[0].score or 0.0) >= MIN_SCORE:
            s.driver, s.alternatives = scored[0], scored[1:3]
        else:
            s.driver, s.alternatives = _proxy(mine, name), scored[:2]
        out.append(s)
    return out


def _toml_str(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


def _list(values: list[str]) -> str:
    return "[" + ", ".join(_toml_str(v) for v in values) + "]"


def suggestion_toml(suggestions: list[Suggestion], by: str, store_dir: str | Path) -> str:
    """The suggestions as a commented workloads TOML (``forecaster workloads`` reads it)."""
    lines = [
        f"# Workloads suggested by `forecaster workloads suggest --by {by}` from the bill in",
        f"# {store_dir}: the largest cost groups by {_key(by)[1]}, each with the load metric",
        "# whose daily moves best follow its daily EffectiveCost (correlation of day-to-day",
        "# changes), or a usage quantity from the bill itself, marked PROXY. Review the",
        "# filters and drivers, then: forecaster workloads --workloads THIS_FILE",
        "",
    ]
    for s in suggestions:
        d = s.driver
        lines += [
            "[[workload]]",
            f"name = {_toml_str(s.name)}",
            f"description = {_toml_str(f'{s.label}: suggested from the bill')}",
            f"currency = {_toml_str(s.currency)}",
            f"# EffectiveCost {s.cost:,.2f} {s.currency} from {s.first_day} to {s.last_day}, "
            f"{s.share_of_currency:.1%} of the {s.currency} bill",
            "",
            "[workload.cost]",
        ]
        if s.providers:
            lines.append(f"providers = {_list(s.providers)}")
        if s.services:
            lines.append(f"services = {_list(s.services)}")
        if s.sub_accounts:
            lines.append(f"sub_accounts = {_list(s.sub_accounts)}")
        if s.tags:
            pairs = ", ".join(f"{_toml_str(k)} = {_toml_str(v)}" for k, v in s.tags.items())
            lines.append(f"tags = {{ {pairs} }}")
        lines += ["share = 1.0", "", "[workload.load]"]
        if d is None:
            lines += [
                "# no driver found: no load metric follows this cost and the bill has no",
                "# usage quantities for it; name the metric that drives it here",
                'metric = "REPLACE-ME"',
                'aggregation = "sum"',
            ]
        else:
            if d.proxy:
                lines += [
                    f"# PROXY: the bill's own usage quantity (ConsumedQuantity in {d.unit}), not",
                    "# a traffic metric; its daily series is written beside this file, load it",
                    f"# with: forecaster ingest traffic {d.metric}.csv --metric {d.metric}"
                    f" --unit {_toml_str(d.unit or '')}",
                ]
            else:
                lines.append(
                    f"# day-to-day changes correlate {d.score:.2f} with the cost over {d.days} days"
                )
            for alt in s.alternatives:
                lines.append(
                    f"# runner-up: {alt.metric} (correlation {alt.score:.2f} over {alt.days} days)"
                )
            lines.append(f"metric = {_toml_str(d.metric)}")
            if d.unit:
                lines.append(f"unit = {_toml_str(d.unit)}")
            lines.append(f"aggregation = {_toml_str(d.aggregation)}")
            if d.source:
                lines.append(f"source = {_toml_str(d.source)}")
        lines.append("")
    return "\n".join(lines)
