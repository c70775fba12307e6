"""Data-quality notes: what a reader must know before trusting the month's figures.

- open periods: billing months still open (estimated), up to the reviewed month;
- restatements since the previous pack: closed or open months whose totals changed on a
  later ingest (``since``: by default the start of the reviewed month, when the previous
  month's pack could first be made);
- cost no workload claims, per currency, with the largest unclaimed services;
- comparison months with no data, sources overlapping in a month (double counting risk),
  workloads without a cost curve, days of the month with cost but no load, budgets missing.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import polars as pl

from forecaster.months import month_of, shift_month
from forecaster.portfolio import WorkloadFit
from forecaster.review.pack import Table
from forecaster.review.workloads import UNCLAIMED_PREFIX
from forecaster.store.billing import partition_overlaps

SCHEMA = {
    "kind": pl.String,
    "period": pl.String,
    "currency": pl.String,
    "amount": pl.Float64,
    "detail": pl.String,
}


def _parse(ts: str) -> datetime | None:
    try:
        return datetime.fromisoformat(ts)
    except (TypeError, ValueError):
        return None


def partition_notes(partitions: list[dict[str, Any]], month: str) -> list[dict[str, Any]]:
    """Open billing months up to ``month``, and the reviewed or compared months whose billing
    period and currency are stored from more than one source (``partition_overlaps``)."""
    rows = []
    for part in partitions:
        period = part["billing_period"]
        if period > month:
            continue
        if part.get("status") == "open":
            for currency, totals in sorted(part.get("totals", {}).items()):
                rows.append(
                    {
                        "kind": "open_period",
                        "period": period,
                        "currency": currency,
                        "amount": totals.get("billed_cost"),
                        "detail": f"billing period {period} of source {part['source']} is still "
                        "open (estimated): its figures may change",
                    }
                )
    compared = {month, shift_month(month, -1), shift_month(month, -12)}
    for overlap in partition_overlaps(partitions):
        period, names = overlap["billing_period"], overlap["sources"]
        if period in compared:
            rows.append(
                {
                    "kind": "overlapping_sources",
                    "period": period,
                    "currency": overlap["currency"],
                    "amount": None,
                    "detail": f"{period} {overlap['currency']} is stored from {len(names)} "
                    f"sources ({', '.join(names)}); totals add them all: check they do not "
                    "bill the same cost twice (keep one with --source)",
                }
            )
    return rows


def restatement_notes(restatements: list[dict[str, Any]], since: datetime) -> list[dict[str, Any]]:
    """Every change of a month's stored totals recorded at or after ``since``."""
    rows = []
    for r in restatements:
        at = _parse(r.get("at", ""))
        if at is None or at < since:
            continue
        for currency, change in sorted(r.get("changes", {}).items()):
            flag = " (flagged: a closed month shrank)" if change.get("flagged") else ""
            rows.append(
                {
                    "kind": "restatement",
                    "period": r["billing_period"],
                    "currency": currency,
                    "amount": change.get("change"),
                    "detail": f"source {r['source']} restated {r['billing_period']} on "
                    f"{at:%Y-%m-%d %H:%M} UTC: billed cost {change.get('before', 0.0):,.2f} -> "
                    f"{change.get('after', 0.0):,.2f}{flag}",
                }
            )
    return sorted(rows, key=lambda r: (r["period"], r["currency"], r["detail"]))


def unclaimed_notes(items: pl.DataFrame, month: str, has_workloads: bool) -> list[dict[str, Any]]:
    """Per currency: the month's effective cost no workload claims and its biggest items."""
    now = items.filter(pl.col("month") == month)
    rows = []
    for currency in sorted(set(now["currency"].to_list())):
        mine = now.filter(pl.col("currency") == currency)
        total = float(mine["effective_cost"].sum())
        left = mine.filter(pl.col("kind") == "unclaimed").sort(
            ["effective_cost", "item"], descending=[True, False]
        )
        amount = round(float(left["effective_cost"].sum()), 2)
        if amount == 0 and has_workloads:
            continue
        top = ", ".join(
            f"{r['item'].removeprefix(UNCLAIMED_PREFIX)} {r['effective_cost']:,.2f}"
            for r in left.head(3).iter_rows(named=True)
        )
        share = f"{amount / total:.1%} of the month" if total else "all of the month"
        why = "" if has_workloads else " (no workloads file: nothing is claimed)"
        rows.append(
            {
                "kind": "unclaimed_cost",
                "period": month,
                "currency": currency,
                "amount": amount,
                "detail": f"effective cost no workload claims{why}: {share}; largest: {top}",
            }
        )
    return rows


def workload_notes(
    fits: dict[str, WorkloadFit], series: pl.DataFrame, month: str
) -> list[dict[str, Any]]:
    """Workloads without a curve and days of the month with cost but no load."""
    rows = []
    for name in sorted(fits):
        fit = fits[name]
        if fit.summary["model"] is None:
            rows.append(
                {
                    "kind": "no_cost_curve",
                    "period": month,
                    "currency": fit.currency,
                    "amount": None,
                    "detail": f"workload {name}: no cost curve ({fit.summary['reason']}); its "
                    "change is all residual in the bridge and it has no findings",
                }
            )
    if series.height:
        days = series.filter(
            (month_of("period_start") == month)
            & pl.col("cost").is_not_null()
            & pl.col("load").is_null()
        )
        for (name,), part in sorted(days.partition_by("workload", as_dict=True).items()):
            listed = ", ".join(part["period_start"].dt.strftime("%Y-%m-%d").sort().to_list()[:5])
            more = "" if part.height <= 5 else f" and {part.height - 5} more"
            rows.append(
                {
                    "kind": "load_gap",
                    "period": month,
                    "currency": part["currency"].drop_nulls().first(),
                    "amount": round(float(part["cost"].sum()), 2),
                    "detail": f"workload {name}: {part.height} day(s) with cost but no load "
                    f"({listed}{more}): not used by its cost curve",
                }
            )
    return rows


def missing_month_notes(totals: pl.DataFrame, months: dict[str, str]) -> list[dict[str, Any]]:
    """Comparison months the store has no billing data for."""
    have = set(totals["month"].to_list())
    return [
        {
            "kind": "missing_month",
            "period": m,
            "currency": None,
            "amount": None,
            "detail": f"no billing data for {m} ({label}): that comparison is left empty",
        }
        for label, m in months.items()
        if m not in have
    ]


def budget_notes(budget: pl.DataFrame | None, month: str, currencies: list[str]) -> list[dict]:
    """Currencies of the month without a budget row, and budgets for absent currencies."""
    if budget is None:
        return []
    mine = budget.filter(pl.col("month") == month)
    planned = set(mine["currency"].to_list())
    rows = [
        {
            "kind": "budget",
            "period": month,
            "currency": c,
            "amount": None,
            "detail": f"the budget file has no {month} budget for {c}",
        }
        for c in currencies
        if c not in planned
    ]
    rows += [
        {
            "kind": "budget",
            "period": month,
            "currency": c,
            "amount": None,
            "detail": f"the budget file has a {month} budget for {c} but the month has no {c} cost",
        }
        for c in sorted(planned - set(currencies))
    ]
    return rows


def quality_table(rows: list[dict[str, Any]], month: str, since: datetime) -> Table:
    return Table(
        name="data_quality",
        title="Data-quality notes",
        frame=pl.DataFrame(rows, schema=SCHEMA),
        kinds={"amount": "money"},
        description=(
            "Open (estimated) billing periods, restatements recorded since "
            f"{since:%Y-%m-%d %H:%M} UTC, the cost no workload claims in {month}, and gaps "
            "that weaken the analysis. Restatement amounts are the change of billed cost."
        ),
    )
