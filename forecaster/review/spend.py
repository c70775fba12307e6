"""Headline totals and the breakdowns by provider, service and account, straight from the
billing store, per currency.

Months are billing periods (the month of BillingPeriodStart, UTC), so the pack's totals are
the store's totals for the month, to the cent. Every table of parts is rounded with
``apportion`` so that its rows add up exactly to the headline total of their currency.
"""

from __future__ import annotations

import json

import polars as pl

from forecaster import columns as C
from forecaster.money import apportion, cents
from forecaster.months import month_of
from forecaster.review.pack import Table

MEASURES: dict[str, str] = {
    "billed_cost": C.BILLED_COST,
    "effective_cost": C.EFFECTIVE_COST,
    "list_cost": C.LIST_COST,
}
MONEY_SOURCES: dict[str, str] = {**MEASURES, "contracted_cost": C.CONTRACTED_COST}
NONE = "(none)"
UNTAGGED = "(untagged)"

#: Breakdown dimensions: table name, title and the (FOCUS column, output column) keys.
DIMENSIONS: dict[str, tuple[str, str, list[tuple[str, str]]]] = {
    "provider": ("by_provider", "Cost by provider", [(C.PROVIDER_NAME, "provider")]),
    "service": (
        "by_service",
        "Cost by service",
        [(C.PROVIDER_NAME, "provider"), (C.SERVICE_NAME, "service")],
    ),
    "account": (
        "by_account",
        "Cost by account",
        [
            (C.PROVIDER_NAME, "provider"),
            (C.SUB_ACCOUNT_ID, "account_id"),
            (C.SUB_ACCOUNT_NAME, "account_name"),
        ],
    ),
}


def billing_month() -> pl.Expr:
    """The billing period as "YYYY-MM" (UTC)."""
    return month_of(C.BILLING_PERIOD_START).alias("month")


def money_sums() -> list[pl.Expr]:
    return [pl.col(src).fill_null(0.0).sum().alias(out) for out, src in MONEY_SOURCES.items()]


def month_totals(charges: pl.LazyFrame, months: list[str]) -> pl.DataFrame:
    """Per month and currency: billed, effective, list and contracted cost (unrounded)."""
    return (
        charges.with_columns(billing_month())
        .filter(pl.col("month").is_in(months))
        .group_by("month", pl.col(C.BILLING_CURRENCY).alias("currency"))
        .agg(money_sums())
        .sort("month", "currency")
        .collect()
    )


def apportion_columns(
    frame: pl.DataFrame, by: list[str], columns: list[str], totals: pl.DataFrame
) -> pl.DataFrame:
    """``columns`` rounded to the cent within each ``by`` group so they add up to ``totals``.

    ``totals`` has the ``by`` columns and ``columns``; ``frame`` must be sorted already (the
    order breaks ties between equal remainders, so a stable sort gives stable cents).
    """
    if frame.height == 0:
        return frame
    lookup = {tuple(r[k] for k in by): r for r in totals.iter_rows(named=True)}
    frame = frame.with_row_index("_row")
    parts = []
    for key, part in frame.partition_by(by, as_dict=True, maintain_order=True).items():
        total = lookup.get(tuple(key), {})
        updates = []
        for col in columns:
            values = part[col].fill_null(0.0).to_list()
            target = total.get(col, sum(values))
            updates.append(pl.Series(col, apportion(values, target), dtype=pl.Float64))
        parts.append(part.with_columns(updates))
    return pl.concat(parts).sort("_row").drop("_row")


def _value(totals: pl.DataFrame, month: str, currency: str, col: str) -> float | None:
    if month not in set(totals["month"].to_list()):
        return None  # no data at all for that month: not a zero
    row = totals.filter((pl.col("month") == month) & (pl.col("currency") == currency))
    return cents(float(row[col][0])) / 100 if row.height else 0.0


def _ratio(part: float | None, whole: float | None) -> float | None:
    if part is None or whole is None or whole == 0:
        return None
    return part / whole


HEADLINE_KINDS = {
    "this_month": "money",
    "previous_month": "money",
    "change": "money",
    "change_ratio": "ratio",
    "year_ago": "money",
    "change_year_ago": "money",
    "change_year_ago_ratio": "ratio",
    "budget": "money",
    "budget_variance": "money",
    "budget_used_ratio": "ratio",
}


def headline_table(
    totals: pl.DataFrame,
    month: str,
    previous: str,
    year_ago: str,
    budget: pl.DataFrame | None = None,
) -> Table:
    """One row per currency and measure: the month against the previous month, the same
    month last year and the budget (when one is given for that currency and measure)."""
    currencies = sorted(set(totals["currency"].to_list()))
    rows = []
    for currency in currencies:
        for col, measure in MEASURES.items():
            now = _value(totals, month, currency, col)
            prev = _value(totals, previous, currency, col)
            ago = _value(totals, year_ago, currency, col)
            plan = None
            if budget is not None:
                hit = budget.filter(
                    (pl.col("month") == month)
                    & (pl.col("currency") == currency)
                    & (pl.col("measure") == measure)
                )
                plan = float(hit["amount"][0]) if hit.height else None
            diff = None if now is None or prev is None else round(now - prev, 2)
            diff_ago = None if now is None or ago is None else round(now - ago, 2)
            rows.append(
                {
                    "currency": currency,
                    "measure": measure,
                    "this_month": now,
                    "previous_month": prev,
                    "change": diff,
                    "change_ratio": _ratio(diff, prev),
                    "year_ago": ago,
                    "change_year_ago": diff_ago,
                    "change_year_ago_ratio": _ratio(diff_ago, ago),
                    "budget": plan,
                    "budget_variance": None
                    if plan is None or now is None
                    else round(now - plan, 2),
                    "budget_used_ratio": _ratio(now, plan),
                }
            )
    schema = {"currency": pl.String, "measure": pl.String}
    schema.update({c: pl.Float64 for c in HEADLINE_KINDS})
    return Table(
        name="headline",
        title="Headline totals",
        frame=pl.DataFrame(rows, schema=schema),
        kinds=HEADLINE_KINDS,
        description=(
            f"Billed, effective and list cost of {month} per currency against {previous}, "
            f"{year_ago} and the budget; ratios are fractions of the comparison "
            "(0.05 = 5%). Totals equal the billing store's for the month to the cent."
        ),
    )


def _breakdown_frame(
    charges: pl.LazyFrame,
    totals: pl.DataFrame,
    month: str,
    previous: str,
    keys: list[pl.Expr],
) -> pl.DataFrame:
    """Money of ``month`` per currency and ``keys`` (named expressions), with the previous
    month's effective cost, the change and the share of the month; cents-exact parts."""
    out_keys = [k.meta.output_name() for k in keys]
    grouped = (
        charges.with_columns(billing_month())
        .filter(pl.col("month").is_in([month, previous]))
        .group_by("month", pl.col(C.BILLING_CURRENCY).alias("currency"), *keys)
        .agg(money_sums())
        .sort("month", "currency", *out_keys)
        .collect()
    )
    money = list(MEASURES)
    rounded = apportion_columns(grouped, ["month", "currency"], money, totals)
    now = rounded.filter(pl.col("month") == month).drop("month", "contracted_cost")
    before = rounded.filter(pl.col("month") == previous).select(
        "currency", *out_keys, pl.col("effective_cost").alias("previous_effective_cost")
    )
    joined = now.join(before, on=["currency", *out_keys], how="full", coalesce=True)
    month_effective = totals.filter(pl.col("month") == month).select(
        "currency", pl.col("effective_cost").alias("_total")
    )
    return (
        joined.with_columns(pl.col([*money, "previous_effective_cost"]).fill_null(0.0))
        .with_columns(
            (pl.col("effective_cost") - pl.col("previous_effective_cost")).round(2).alias("change")
        )
        .join(month_effective, on="currency", how="left")
        .with_columns(
            pl.when(pl.col("_total") != 0)
            .then(pl.col("effective_cost") / pl.col("_total"))
            .alias("share_of_month")
        )
        .sort(
            ["currency", "effective_cost", *out_keys],
            descending=[False, True, *([False] * len(out_keys))],
        )
        .select(
            "currency",
            *out_keys,
            *money,
            "previous_effective_cost",
            "change",
            "share_of_month",
        )
    )


BREAKDOWN_KINDS = {
    **{c: "money" for c in [*MEASURES, "previous_effective_cost", "change"]},
    "share_of_month": "ratio",
}


def breakdown_table(
    charges: pl.LazyFrame, totals: pl.DataFrame, month: str, previous: str, dimension: str
) -> Table:
    """Cost of ``month`` by ``dimension`` (provider, service or account) per currency, with
    the previous month's effective cost and the change; rows sorted by currency, then
    effective cost (largest first), then name."""
    name, title, keys = DIMENSIONS[dimension]
    exprs = [pl.col(src).fill_null(NONE).alias(out) for src, out in keys]
    return Table(
        name=name,
        title=title,
        frame=_breakdown_frame(charges, totals, month, previous, exprs),
        kinds=BREAKDOWN_KINDS,
        description=(
            f"Cost of {month} by {dimension} per currency, with {previous}'s effective cost "
            "and the change; the share of month is the share of the currency's effective cost. "
            "Rows add up to the headline totals to the cent."
        ),
    )


def tag_table(
    charges: pl.LazyFrame, totals: pl.DataFrame, month: str, previous: str, keys: list[str]
) -> Table:
    """Cost of ``month`` by the value of each tag key (cost allocation), per currency;
    rows without the tag are "(untagged)", so each key's rows add up to the headline."""
    frames = []
    for key in sorted(set(keys)):
        value = pl.col(C.TAGS).str.json_path_match(f"$[{json.dumps(key)}]")
        exprs = [pl.lit(key).alias("tag_key"), value.fill_null(UNTAGGED).alias("tag_value")]
        frames.append(_breakdown_frame(charges, totals, month, previous, exprs))
    frame = pl.concat(frames) if frames else pl.DataFrame()
    return Table(
        name="by_tag",
        title="Cost by tag",
        frame=frame,
        kinds=BREAKDOWN_KINDS,
        description=(
            f"Cost of {month} by tag value per currency for the tag keys "
            f"{', '.join(sorted(set(keys)))}; rows without the tag are {UNTAGGED}. Each key's "
            "rows add up to the headline totals to the cent."
        ),
    )
