"""The Overview's tables: where each month's money went (organic versus waste) and which
billing periods are still open."""

from __future__ import annotations

import json
from typing import Any

import polars as pl

from forecaster import columns as C
from forecaster.months import month_of
from forecaster.portfolio import WorkloadFit
from forecaster.waste import WASTE_PARTS, split_fit

UNTAGGED = "(untagged)"

SPLIT_PARTS = (
    "organic",
    "idle_baseline",
    "scaling_excess",
    "efficiency_drift",
    "residual",
    "unmodelled",
    "unclaimed",
)
"""Columns of ``monthly_split`` after ``month``, in stacking order."""

_DECOMPOSITION = {
    "organic": "organic",
    "fixed": "idle_baseline",
    "scaling_excess": "scaling_excess",
}


def _month(col: str = "period_start") -> pl.Expr:
    return month_of(col).alias("month")


def monthly_split(
    fits: dict[str, WorkloadFit],
    series: pl.DataFrame,
    unclaimed: pl.DataFrame,
    currency: str,
) -> pl.DataFrame:
    """Per month, the ``currency``'s EffectiveCost split into the curve decomposition's parts.

    - organic: load times the reference marginal cost (growth that follows traffic);
    - idle_baseline: the fixed cost F (paid at zero load);
    - scaling_excess: what the curve adds above linear scaling;
    - efficiency_drift: the cost above the fit window's first day's unit cost at the same
      load (``forecaster.waste``: the one definition; positive when the unit cost crept up);
    - residual: what the curve does not explain otherwise (noise, anomalies);
    - unmodelled: workload cost without a fit (no curve, or periods without load);
    - unclaimed: cost no workload claims (``unclaimed_cost`` at month grain).

    The parts add up to the month's total cost in that currency (to rounding).
    """
    parts = []
    mine = [f for f in fits.values() if f.currency == currency]
    for fit in mine:
        if fit.curve is not None and fit.curve.period_start_ is not None:
            parts.append(
                split_fit(fit).select(
                    _month(),
                    *[pl.col(src).alias(dst) for src, dst in _DECOMPOSITION.items()],
                    "efficiency_drift",
                    "residual",
                    (-pl.col("cost")).alias("unmodelled"),
                )
            )
    names = [f.name for f in mine]
    claimed = series.filter(pl.col("workload").is_in(names) & (pl.col("currency") == currency))
    parts.append(claimed.select(_month(), pl.col("cost").fill_null(0.0).alias("unmodelled")))
    if unclaimed.height:
        parts.append(
            unclaimed.filter(pl.col("currency") == currency).select(
                _month(), pl.col("unclaimed_cost").alias("unclaimed")
            )
        )
    if not parts:
        return pl.DataFrame(schema={"month": pl.String, **dict.fromkeys(SPLIT_PARTS, pl.Float64)})
    frame = pl.concat(parts, how="diagonal_relaxed")
    return (
        frame.group_by("month")
        .agg([pl.col(c).fill_null(0.0).sum() for c in SPLIT_PARTS if c in frame.columns])
        .with_columns([pl.lit(0.0).alias(c) for c in SPLIT_PARTS if c not in frame.columns])
        .with_columns(
            # periods fitted cancel out of "unmodelled"; clip float dust to exact zero
            pl.when(pl.col("unmodelled").abs() < 0.005)
            .then(0.0)
            .otherwise(pl.col("unmodelled"))
            .alias("unmodelled")
        )
        .select("month", *SPLIT_PARTS)
        .sort("month")
    )


def period_status(partitions: list[dict[str, Any]]) -> pl.DataFrame:
    """One row per billing month and currency: ``status`` "open" when any source still has
    that month open (its billing period has not ended, or the source says estimated), else
    "closed"; ``sources`` the store sources delivering it; ``effective_cost`` their total."""
    rows = [
        {
            "month": p["billing_period"],
            "currency": currency,
            "source": p["source"],
            "open": p["status"] != "closed",
            "effective_cost": totals["effective_cost"],
        }
        for p in partitions
        for currency, totals in p.get("totals", {}).items()
    ]
    schema = {
        "month": pl.String,
        "currency": pl.String,
        "source": pl.String,
        "open": pl.Boolean,
        "effective_cost": pl.Float64,
    }
    frame = pl.DataFrame(rows, schema=schema)
    return (
        frame.group_by("month", "currency")
        .agg(
            pl.when(pl.col("open").any())
            .then(pl.lit("open"))
            .otherwise(pl.lit("closed"))
            .first()
            .alias("status"),
            pl.col("source").unique().sort().str.join(", ").alias("sources"),
            pl.col("effective_cost").sum(),
        )
        .sort("month", "currency")
    )


def _previous_month(month: str) -> str:
    y, m = (int(x) for x in month.split("-"))
    return f"{y - (m == 1)}-{12 if m == 1 else m - 1:02d}"


def headline(
    spend: pl.DataFrame,
    status: pl.DataFrame,
    waste: pl.DataFrame,
    currency: str,
    workloads: bool = True,
) -> dict[str, Any]:
    """The Overview's headline figures in one currency: the last closed month and its
    change on the calendar month before, the open months' cost so far, and the waste
    candidates in the last closed month (``forecaster.waste.monthly_waste``: idle baseline
    + scaling excess + efficiency drift, summed over workloads; the same figure as the
    review pack's waste table and the "Organic versus waste" chart).

    No figure stands in for "no data": the last closed month is the last closed month with
    effective cost in the store (later months holding only lines without effective cost are
    named in ``notes``); a figure that cannot be given is None and ``reasons`` says why
    (keys: ``last_closed_cost``, ``change``, ``open_cost``, ``waste``).
    ``workloads``: whether a workloads file is loaded (waste needs cost against load).
    """
    mine = (
        spend.filter(pl.col("currency") == currency)
        .group_by("month")
        .agg(pl.col("effective_cost").sum())
    )
    states = status.filter(pl.col("currency") == currency)
    closed = set(states.filter(pl.col("status") == "closed")["month"].to_list())
    opened = sorted(set(states["month"].to_list()) - closed)
    by_month = dict(zip(mine["month"].to_list(), mine["effective_cost"].to_list(), strict=True))
    billed = {m for m, v in by_month.items() if v is not None and abs(v) >= 0.005}
    done = sorted(m for m in by_month if m in closed and m in billed)
    last = done[-1] if done else None
    reasons: dict[str, str] = {}
    notes: list[str] = []
    quiet = sorted(
        m for m in by_month if m in closed and m not in billed and (not last or m > last)
    )
    if quiet:
        notes.append(
            f"{', '.join(quiet)} hold{'s' if len(quiet) == 1 else ''} only lines without "
            f"effective cost in {currency}; the last closed month with cost is {last or 'none'}"
        )
    before = _previous_month(last) if last else None
    previous_cost = by_month.get(before) if before in by_month else None
    change = None
    if last is None:
        reasons["last_closed_cost"] = (
            f"no closed billing month with {currency} cost in the store yet"
        )
        reasons["change"] = reasons["last_closed_cost"]
    elif previous_cost is None:
        reasons["change"] = f"the store holds no billing for {before}, the month before {last}"
    else:
        change = by_month[last] - previous_cost
    if not opened:
        reasons["open_cost"] = "no billing month is open"
    in_month = waste.filter((pl.col("currency") == currency) & (pl.col("month") == last))
    amount: float | None = round(float(in_month["waste"].sum()), 2) if in_month.height else None
    parts = {p: round(float(in_month[p].sum()), 2) for p in WASTE_PARTS} if in_month.height else {}
    if not workloads:
        amount = None
        reasons["waste"] = (
            "needs workloads: waste is found by fitting cost against load "
            "(`forecaster workloads suggest` proposes a workloads file)"
        )
    elif amount is None:
        reasons["waste"] = f"no workload's cost curve is fitted on {last or 'a closed month'}"
    return {
        "currency": currency,
        "last_closed_month": last,
        "last_closed_cost": by_month.get(last) if last else None,
        "previous_month": before,
        "previous_cost": previous_cost,
        "change": change,
        "open_months": opened,
        "open_cost": sum(by_month.get(m, 0.0) for m in opened) if opened else None,
        "waste_month": last if amount is not None else None,
        "waste": amount,
        "waste_parts": parts if amount is not None else {},
        "reasons": reasons,
        "notes": notes,
    }


def tag_keys(charges: pl.LazyFrame, limit: int = 10_000) -> list[str]:
    """The tag keys used in the billing data (from up to ``limit`` distinct Tags values)."""
    distinct = charges.select(pl.col(C.TAGS).unique().head(limit)).collect()[C.TAGS]
    keys: set[str] = set()
    for text in distinct.drop_nulls().to_list():
        try:
            value = json.loads(text)
        except ValueError:
            continue
        if isinstance(value, dict):
            keys.update(str(k) for k in value)
    return sorted(keys)


def monthly_spend_by_tag(charges: pl.LazyFrame, key: str) -> pl.DataFrame:
    """EffectiveCost (and BilledCost, ListCost) per billing month, currency and value of
    tag ``key``; rows without the tag count under "(untagged)". Column ``tag`` holds the
    value, so the frame has the shape of ``monthly_spend(charges, by)``."""
    value = pl.col(C.TAGS).str.json_path_match(f"$[{json.dumps(key)}]")
    return (
        charges.group_by(
            month_of(C.BILLING_PERIOD_START).alias("month"),
            pl.col(C.BILLING_CURRENCY).alias("currency"),
            value.fill_null(UNTAGGED).alias("tag"),
        )
        .agg(
            pl.col(C.BILLED_COST).sum().alias("billed_cost"),
            pl.col(C.EFFECTIVE_COST).sum().alias("effective_cost"),
            pl.col(C.LIST_COST).sum().alias("list_cost"),
        )
        .sort("month", "currency", "tag")
        .collect()
    )
