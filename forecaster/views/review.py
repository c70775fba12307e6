"""The Review page's tables: the month's bridge (``forecaster.review.bridge``, the same
numbers as the review pack and ``forecaster bridge``) as steps and items, and the findings
that concern the month."""

from __future__ import annotations

import polars as pl

from forecaster.curves.bridge_result import BridgeDocument, MonthBridge
from forecaster.review.bridge import bridge_document
from forecaster.workloads import Workload


def month_bridge_doc(
    charges: pl.LazyFrame, workloads: list[Workload], series: pl.DataFrame, month: str
) -> BridgeDocument:
    """``forecaster.review.bridge.bridge_for_month``'s document, from a workload series the
    caller already holds (the dashboard caches it; building it is the expensive part): the
    one ``bridge_document``, so the numbers equal ``forecaster bridge`` and the review
    pack's."""
    return bridge_document(charges, workloads, series, month)


def months_with_previous(spend: pl.DataFrame, currency: str) -> list[str]:
    """The billing months of ``currency`` whose previous month is in the data too (a bridge
    needs both), oldest first."""
    months = set(spend.filter(pl.col("currency") == currency)["month"].to_list())
    out = []
    for month in sorted(months):
        y, m = int(month[:4]), int(month[5:])
        previous = f"{y - (m == 1)}-{12 if m == 1 else m - 1:02d}"
        if previous in months:
            out.append(month)
    return out


def currency_bridge(doc: BridgeDocument, currency: str) -> MonthBridge | None:
    """One currency's bridge out of ``bridge_for_month``'s document (None when absent)."""
    return doc.currency(currency)


def steps_table(bridge: MonthBridge) -> pl.DataFrame:
    """The bridge as rows: previous total, one row per step, new total (``amount`` in the
    currency, ``items`` naming the new or retired services)."""
    rows = [{"step": f"total {bridge.previous_month}", "amount": bridge.previous_cost}]
    for s in bridge.steps:
        names = ", ".join(i.item for i in s.items or ())
        rows.append({"step": s.kind, "amount": s.amount, "items": names})
    rows.append({"step": f"total {bridge.month}", "amount": bridge.cost})
    return pl.DataFrame(rows, schema={"step": pl.String, "amount": pl.Float64, "items": pl.String})


def items_table(bridge: MonthBridge) -> pl.DataFrame:
    """The bridge's per-item breakdown (workloads and unclaimed services), biggest change
    first."""
    frame = pl.DataFrame([i.as_dict() for i in bridge.by_item])
    if frame.height == 0:
        return frame
    return frame.with_columns((pl.col("cost") - pl.col("previous_cost")).alias("change")).sort(
        pl.col("change").abs(), descending=True
    )


def month_findings(findings: pl.DataFrame, month: str, currency: str) -> pl.DataFrame:
    """The findings that concern ``month`` in ``currency``: every money-per-month finding
    (idle baseline, scaling excess, efficiency drift) and the anomalies inside the month."""
    mine = findings.filter(pl.col("currency") == currency)
    return mine.filter(
        (pl.col("per") == "month") | pl.col("period_start").str.starts_with(month)
    ).sort("workload", "kind", "period_start")
