"""The month-over-month bridge from the bill alone (no workloads), per currency.

The change of EffectiveCost from one month to the next is split into:

- ``rate_price``: what prices did at equal usage. Its parts: ``negotiated`` and
  ``commitment`` (the effective-versus-list ratio, as in the workload bridge,
  ``forecaster.curves.decompose``), and ``list_price`` (the list price per unit of a
  usage line, where the bill gives quantities);
- ``usage_volume``: the change of the consumed quantity of each usage line (service, SKU
  and unit; ConsumedQuantity) priced at the month before's effective unit price;
- ``new_services`` / ``retired_services``: services with cost in only one of the months;
- ``credits``, ``refunds`` (adjustments and corrections) and ``tax``: the change of those
  charge categories;
- ``rest``: what the bill cannot attribute: usage lines without quantities (their change at
  equal discount), lines that appear or disappear inside a continuing service, and the
  cents of rounding.

Every step is in cents; the steps add up exactly to the change, whose ends are the store's
totals of the two months to the cent.
"""

from __future__ import annotations

import math

import polars as pl

from forecaster import columns as C
from forecaster.curves.bridge_result import BridgeItem, ItemChange, MonthBridge
from forecaster.curves.decompose import _rate_split, book_new_or_retired, item_line

STEPS = (
    "rate_price",
    "usage_volume",
    "new_services",
    "retired_services",
    "credits",
    "refunds",
    "tax",
    "rest",
)
STEP_MEANING = {
    "rate_price": "prices at equal usage: negotiated and commitment discounts (effective "
    "versus list cost) and list prices per unit",
    "usage_volume": "consumed quantity change per service, SKU and unit at the month "
    "before's effective unit price",
    "new_services": "services with cost this month and none last month",
    "retired_services": "services with cost last month and none this month",
    "credits": "change of credits (ChargeCategory Credit)",
    "refunds": "change of refunds and adjustments (ChargeCategory Adjustment, ChargeClass "
    "Correction)",
    "tax": "change of tax (ChargeCategory Tax)",
    "rest": "what the bill cannot attribute: usage lines without quantities, lines new or "
    "gone inside a continuing service, rounding",
}
SPECIAL = ("credits", "refunds", "tax")
NONE = "(none)"


def category() -> pl.Expr:
    """The bridge's class of a billing row: tax, credits, refunds or usage."""
    cat = pl.col(C.CHARGE_CATEGORY).fill_null("")
    klass = pl.col(C.CHARGE_CLASS).fill_null("")
    line = pl.col(C.X_LINE_ITEM_TYPE).fill_null("")
    return (
        pl.when(cat == "Tax")
        .then(pl.lit("tax"))
        .when((cat == "Adjustment") | (klass == "Correction") | (line == "Refund"))
        .then(pl.lit("refunds"))
        .when(cat == "Credit")
        .then(pl.lit("credits"))
        .otherwise(pl.lit("usage"))
        .alias("category")
    )


def bridge_lines(charges: pl.LazyFrame, months: list[str]) -> pl.DataFrame:
    """One row per currency, month, category, service and usage line (SKU and unit):
    ``cost`` (EffectiveCost), ``list_cost``, ``contracted_cost`` and ``quantity``
    (ConsumedQuantity; null where a line has none). Months are billing periods."""
    sku = pl.coalesce(pl.col(C.SKU_ID), pl.col(C.X_USAGE_TYPE), pl.lit(NONE))
    return (
        charges.with_columns(
            pl.col(C.BILLING_PERIOD_START).dt.strftime("%Y-%m").alias("month"), category()
        )
        .filter(pl.col("month").is_in(months))
        .group_by(
            pl.col(C.BILLING_CURRENCY).alias("currency"),
            "month",
            "category",
            pl.concat_str(
                [pl.col(C.PROVIDER_NAME).fill_null(NONE), pl.col(C.SERVICE_NAME).fill_null(NONE)],
                separator=" / ",
            ).alias("service"),
            sku.alias("sku"),
            pl.col(C.CONSUMED_UNIT).fill_null("").alias("unit"),
        )
        .agg(
            pl.col(C.EFFECTIVE_COST).fill_null(0.0).sum().alias("cost"),
            pl.col(C.LIST_COST).fill_null(0.0).sum().alias("list_cost"),
            pl.when(pl.col(C.CONTRACTED_COST).is_null().all())
            .then(None)
            .otherwise(pl.col(C.CONTRACTED_COST).sum())
            .alias("contracted_cost"),
            pl.when(pl.col(C.CONSUMED_QUANTITY).is_null().any())
            .then(None)
            .otherwise(pl.col(C.CONSUMED_QUANTITY).sum())
            .alias("quantity"),
        )
        .sort("currency", "month", "category", "service", "sku", "unit")
        .collect()
    )


def _cents(x: float | None) -> int:
    return int(round((x or 0.0) * 100))


def _line_steps(a: dict, b: dict) -> dict[str, float]:
    """Float steps of one usage line present in both months (the rest is what is left)."""
    ea, eb = a["cost"], b["cost"]
    rate, neg, _commit, _f = _rate_split(a, b)
    out = {"negotiated": neg, "commitment": rate - neg, "list_price": 0.0, "usage_volume": 0.0}
    qa, qb = a.get("quantity"), b.get("quantity")
    ratio = qb / qa if qa and qb and qa > 0 and qb > 0 else math.nan
    if math.isfinite(ratio) and math.isfinite(ratio * ea):
        out["usage_volume"] = (ratio - 1.0) * ea
        if rate != 0.0:  # effective/list ratio known both months: list price at last discount
            rho_a = ea / a["list_cost"]
            out["list_price"] = b["list_cost"] * rho_a - ratio * ea
        else:  # no list prices: the effective unit price change is the price step
            out["list_price"] = eb - ratio * ea
    if not all(math.isfinite(v) and abs(v) < 1e15 for v in out.values()):
        return dict.fromkeys(out, 0.0)  # degenerate quantities or prices: all to the rest
    return out


def month_bill_bridge(lines: pl.DataFrame, month: str, previous: str) -> MonthBridge:
    """The bridge of one currency's ``bridge_lines`` from ``previous`` to ``month``.

    Returns a ``MonthBridge``: ``previous_cost``, ``cost``, ``total_change``, ``steps``
    (``STEPS`` order; rate_price carries ``negotiated``, ``commitment``, ``list_price``;
    new/retired services list their ``items``), ``by_item`` (per service and charge
    category: its change and steps) and ``quantities``. All money in the currency, rounded
    to the cent; steps sum to the change.
    """
    rows = lines.filter(pl.col("month").is_in([previous, month]))
    steps = dict.fromkeys(STEPS, 0)
    parts = {"negotiated": 0, "commitment": 0, "list_price": 0}
    new_items: list[BridgeItem] = []
    retired_items: list[BridgeItem] = []
    by_item: list[ItemChange] = []
    raw = {previous: 0.0, month: 0.0}
    for r in rows.iter_rows(named=True):
        raw[r["month"]] += r["cost"]
    for cat in SPECIAL:
        mine = rows.filter(pl.col("category") == cat)
        a = _cents(mine.filter(pl.col("month") == previous)["cost"].sum())
        b = _cents(mine.filter(pl.col("month") == month)["cost"].sum())
        steps[cat] += b - a
        if a or b:
            line = dict.fromkeys(STEPS, 0)
            line[cat] = b - a
            by_item.append(item_line(cat, a, b, line))
    usage = rows.filter(pl.col("category") == "usage")
    for (service,), part in sorted(usage.partition_by("service", as_dict=True).items()):
        a_rows = part.filter(pl.col("month") == previous)
        b_rows = part.filter(pl.col("month") == month)
        ca, cb = _cents(a_rows["cost"].sum()), _cents(b_rows["cost"].sum())
        line = dict.fromkeys(STEPS, 0)
        line_parts = dict.fromkeys(parts, 0)
        if book_new_or_retired(line, service, ca, cb, new_items, retired_items):
            prev = {(r["sku"], r["unit"]): r for r in a_rows.iter_rows(named=True)}
            for r in b_rows.iter_rows(named=True):
                p = prev.get((r["sku"], r["unit"]))
                if p is None:
                    continue  # a line new inside the service: the rest
                for k, v in _line_steps(p, r).items():
                    cents = _cents(v)
                    if k == "usage_volume":
                        line["usage_volume"] += cents
                    else:
                        line_parts[k] += cents
                        line["rate_price"] += cents
        line["rest"] = (cb - ca) - sum(line.values())
        for k in STEPS:
            steps[k] += line[k]
        for k in parts:
            parts[k] += line_parts[k]
        by_item.append(item_line(service, ca, cb, line))
    # Ends are the rounded totals (the store's to the cent), not sums of rounded items.
    total_prev, total_now = _cents(raw[previous]), _cents(raw[month])
    steps["rest"] += (total_now - total_prev) - sum(steps.values())
    by_item.sort(key=lambda i: (-abs(i.cost - i.previous_cost), i.item))
    return MonthBridge.from_cents(
        month,
        previous,
        (total_prev, total_now),
        steps,
        parts,
        (new_items, retired_items),
        by_item,
        quantities=bool(usage["quantity"].is_not_null().any()) if usage.height else False,
    )


BASIS = "bill only (no workloads)"


def bill_bridges(charges: pl.LazyFrame, month: str, previous: str) -> dict[str, MonthBridge]:
    """``month_bill_bridge`` per currency (alphabetical), with a ``note`` when the month
    before holds no billing of that currency (every service then counts as new)."""
    lines = bridge_lines(charges, [previous, month])
    out = {}
    for currency in sorted(set(lines["currency"].to_list())):
        mine = lines.filter(pl.col("currency") == currency)
        result = month_bill_bridge(mine, month, previous)
        note = None
        if mine.filter(pl.col("month") == previous).is_empty():
            note = f"the store holds no {currency} billing for {previous}"
        out[currency] = result.with_currency(currency, note=note, basis=BASIS)
    return out
