"""Per-period decomposition of cost and the month-over-month bridge for finance.

Decomposition (per period, in the billing currency):

    cost = fixed + organic + scaling_excess + residual

- fixed: the idle baseline F;
- organic: load times the reference marginal cost m_ref (``CostCurve.reference_marginal``);
- scaling_excess: what the curve adds above the linear reference line, ``curve(L) - F -
  m_ref * L`` (0 for the linear model, the headroom inside capacity steps for the step model);
- residual: actual cost minus the three, so the parts sum to the actual cost by
  construction (to floating-point rounding).

The three modelled parts use the curve *as of the last period*; cost at equal load that
moved over time (efficiency drift) therefore sits in the residual, and the extra column
``drift`` says how much of each period's residual the fitted drift explains (it is part of
the residual, not a fifth addend).

Bridge (``month_bridge``): the change in cost from one month to the next split into volume
(organic growth), scaling excess change, fixed change, efficiency (the change in the fitted
drift, taken out of the residual), rate/price change, new services, retired services and
residual. Rate/price compares EffectiveCost with ListCost: with
rho = effective / list, a continuing item's rate effect is ``list_now * (rho_now -
rho_before)``, split into the negotiated discount (ContractedCost / ListCost) and the
commitment discount (EffectiveCost / ContractedCost) when ContractedCost is given. The
other parts are restated at the earlier month's rates (multiplied by rho_before / rho_now)
so that rate changes are not counted twice. Items without a decomposition (no fitted curve)
put their whole continuing change in the residual. Every figure is rounded to the cent and
the residual absorbs the rounding, so the steps sum *exactly* (in cents) to the change.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from forecaster.curves.bridge_result import BridgeItem, ItemChange, MonthBridge
from forecaster.curves.findings import excess_at
from forecaster.curves.fit import CostCurve
from forecaster.errors import InputError
from forecaster.money import cents
from forecaster.months import month_of

COMPONENTS = ("fixed", "organic", "scaling_excess", "residual")
STEPS = (
    "volume",
    "scaling_excess",
    "fixed",
    "efficiency",
    "rate_price",
    "new_services",
    "retired_services",
    "residual",
)
_STEP_OF = {
    "organic": "volume",
    "scaling_excess": "scaling_excess",
    "fixed": "fixed",
    "residual": "residual",
}


def decompose(curve: CostCurve) -> pl.DataFrame:
    """One row per fitted period: period_start (if known), load, cost and the four parts."""
    curve._check_fitted()
    L, cost = curve.load_, curve.cost_
    fixed = np.full_like(L, curve.fixed_)
    organic = curve.reference_marginal_cost_ * L
    excess = np.asarray(excess_at(curve, L), dtype=float) * np.ones_like(L)
    residual = cost - (fixed + organic + excess)
    drift = curve.fitted_ - curve.curve(L) if curve.drift_fitted_ else np.zeros_like(L)
    cols: dict[str, object] = {}
    if curve.period_start_ is not None:
        cols["period_start"] = pl.Series(curve.period_start_).dt.replace_time_zone("UTC")
    cols.update({"load": L, "cost": cost, "fixed": fixed, "organic": organic})
    cols.update({"scaling_excess": excess, "residual": residual, "drift": drift})
    return pl.DataFrame(cols)


def monthly_components(periods: pl.DataFrame | pl.LazyFrame, item: str) -> pl.DataFrame:
    """Sum a per-period frame by calendar month (UTC) into bridge rows for ``item``.

    Sums ``cost`` and whichever of the four parts, ``drift``, ``load``, ``list_cost`` and
    ``contracted_cost`` are present; ``month`` is "YYYY-MM".
    """
    lf = periods.lazy()
    names = lf.collect_schema().names()
    if "period_start" not in names or "cost" not in names:
        raise InputError("monthly_components needs period_start and cost columns")
    sums = [
        c
        for c in ("cost", "load", *COMPONENTS, "drift", "list_cost", "contracted_cost")
        if c in names
    ]
    return (
        lf.group_by(month_of("period_start").alias("month"))
        .agg([pl.col(c).sum() for c in sums])
        .with_columns(pl.lit(item).alias("item"))
        .sort("month")
        .collect()
    )


def book_new_or_retired(
    line: dict[str, int], item: str, before: int, now: int, new: list, retired: list
) -> bool:
    """Book a bridge item (a service) that has no cost the month before as new (its cost)
    and one that has none this month as retired (minus its cost): in ``line`` (cents) and
    listed in ``new`` / ``retired`` with its amount in money. True when it has cost in both
    months: the caller then splits the change into its own steps. Used by both bridges."""
    if before == 0 and now != 0:
        line["new_services"] = now
        new.append(BridgeItem(item, now / 100))
    elif now == 0 and before != 0:
        line["retired_services"] = -before
        retired.append(BridgeItem(item, -before / 100))
    return before != 0 and now != 0


def item_line(item: str, before: int, now: int, line: dict[str, int]) -> ItemChange:
    """A bridge's ``by_item`` entry: the item's cost in both months and its steps, in money
    (from cents)."""
    return ItemChange(item, before / 100, now / 100, {k: v / 100 for k, v in line.items()})


def _rate_split(a: dict, b: dict) -> tuple[float, float, float, float]:
    """(rate effect, negotiated part, commitment part, restating factor) for one item."""
    la, lb = a.get("list_cost"), b.get("list_cost")
    ea, eb = a["cost"], b["cost"]
    if not (la and lb and la > 0 and lb > 0 and ea > 0 and eb > 0):
        return 0.0, 0.0, 0.0, 1.0
    rho_a, rho_b = ea / la, eb / lb
    rate = lb * (rho_b - rho_a)
    ca, cb = a.get("contracted_cost"), b.get("contracted_cost")
    if ca and cb and ca > 0 and cb > 0:
        neg = lb * (cb / lb - ca / la) * (ea / ca)
        commit = lb * (cb / lb) * (eb / cb - ea / ca)
    else:
        neg, commit = 0.0, rate
    return rate, neg, commit, rho_a / rho_b


def _month_key(col: pl.Expr, dtype: pl.DataType) -> pl.Expr:
    if dtype in (pl.Date,) or isinstance(dtype, pl.Datetime):
        return month_of(col)
    return col.cast(pl.String).str.slice(0, 7)


def month_bridge(rows: pl.DataFrame, month: str, previous: str | None = None) -> MonthBridge:
    """Bridge from ``previous`` (default: the month before) to ``month``, "YYYY-MM".

    ``rows``: one row per item (workload or service) and month, columns ``item``, ``month``
    and ``cost`` (EffectiveCost), optionally the four parts (null for items without a curve),
    ``drift`` (the part of the residual the fitted drift explains), ``list_cost`` and
    ``contracted_cost``. Returns a ``MonthBridge``: the two totals, the change, the steps in
    ``STEPS`` order (``BridgeStep``; rate_price carries its negotiated/commitment split,
    new/retired services list their items) and a per-item breakdown (``ItemChange``). All
    money is rounded to the cent; the steps sum exactly to ``total_change``.
    """
    for col in ("item", "month", "cost"):
        if col not in rows.columns:
            raise InputError(f"bridge rows have no {col!r} column; expected item, month, cost")
    if previous is None:
        y, m = (int(p) for p in month.split("-"))
        previous = f"{y - (m == 1)}-{12 if m == 1 else m - 1:02d}"
    frame = rows.with_columns(_month_key(pl.col("month"), rows.schema["month"]).alias("month"))
    frame = frame.filter(pl.col("month").is_in([previous, month]))
    extra = ("drift", "list_cost", "contracted_cost")
    num = [c for c in ("cost", *COMPONENTS, *extra) if c in frame.columns]
    agg = frame.group_by("item", "month").agg(
        [
            pl.when(pl.col(c).is_null().all()).then(None).otherwise(pl.col(c).sum()).alias(c)
            for c in num
        ]
    )
    table: dict[str, dict[str, dict]] = {}
    for r in agg.iter_rows(named=True):
        table.setdefault(r["item"], {})[r["month"]] = r
    steps = dict.fromkeys(STEPS, 0)
    rate_neg = rate_commit = 0
    new_items, retired_items, by_item = [], [], []
    total_prev = total_now = 0
    raw_prev = raw_now = 0.0
    for item in sorted(table):
        a = table[item].get(previous, {"cost": 0.0})
        b = table[item].get(month, {"cost": 0.0})
        ca, cb = cents(a["cost"] or 0.0), cents(b["cost"] or 0.0)
        total_prev, total_now = total_prev + ca, total_now + cb
        raw_prev, raw_now = raw_prev + (a["cost"] or 0.0), raw_now + (b["cost"] or 0.0)
        line = dict.fromkeys(STEPS, 0)
        if book_new_or_retired(line, item, ca, cb, new_items, retired_items):
            rate, neg, _commit, f = _rate_split(a, b)
            line["rate_price"] = cents(rate)
            rate_neg, rate_commit = rate_neg + cents(neg), rate_commit + cents(rate) - cents(neg)
            if all(a.get(c) is not None and b.get(c) is not None for c in COMPONENTS):
                for comp in COMPONENTS:
                    line[_STEP_OF[comp]] += cents(f * b[comp] - a[comp])
                if a.get("drift") is not None and b.get("drift") is not None:
                    eff = cents(f * b["drift"] - a["drift"])
                    line["efficiency"] += eff
                    line["residual"] -= eff
        line["residual"] += (cb - ca) - sum(line.values())
        for k in STEPS:
            steps[k] += line[k]
        by_item.append(item_line(item, ca, cb, line))
    # Totals are the rounded sums (equal to the store's totals to the cent), not the sums of
    # rounded items; the residual takes the item roundings so the steps still sum exactly.
    steps["residual"] += (cents(raw_now) - cents(raw_prev)) - (total_now - total_prev)
    total_prev, total_now = cents(raw_prev), cents(raw_now)
    return MonthBridge.from_cents(
        month,
        previous,
        (total_prev, total_now),
        steps,
        {"negotiated": rate_neg, "commitment": rate_commit},
        (new_items, retired_items),
        by_item,
    )
