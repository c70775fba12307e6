"""Spend summaries over the billing store, per currency (never summed across currencies)."""

from __future__ import annotations

from pathlib import Path

import polars as pl

from forecaster import columns as C
from forecaster.months import month_of
from forecaster.store import BillingStore

DIMENSIONS = {
    "provider": C.PROVIDER_NAME,
    "service": C.SERVICE_NAME,
    "account": C.SUB_ACCOUNT_ID,
    "category": C.CHARGE_CATEGORY,
}


def monthly_spend(charges: pl.LazyFrame, by: str | None = None) -> pl.LazyFrame:
    """BilledCost, EffectiveCost and ListCost per billing month and currency (and ``by``).

    ``by`` is one of DIMENSIONS' keys; the month is the billing period (YYYY-MM).
    """
    keys = [
        month_of(C.BILLING_PERIOD_START).alias("month"),
        pl.col(C.BILLING_CURRENCY).alias("currency"),
    ]
    if by is not None:
        keys.append(pl.col(DIMENSIONS[by]).fill_null("(none)").alias(by))
    return (
        charges.group_by(keys)
        .agg(
            pl.col(C.BILLED_COST).sum().alias("billed_cost"),
            pl.col(C.EFFECTIVE_COST).sum().alias("effective_cost"),
            pl.col(C.LIST_COST).sum().alias("list_cost"),
        )
        .sort([k.meta.output_name() for k in keys])
    )


def store_monthly_spend(store_dir: Path | str, by: str | None = None) -> pl.DataFrame:
    return monthly_spend(BillingStore(store_dir).scan(), by).collect()
