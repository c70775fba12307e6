"""Reconciliation to the cent, open/closed status and restatement detection.

``reconcile`` checks that every stored total equals the source's own total to the cent per
billing period and currency (exactly, in Decimal), ``find_restatement`` flags a re-delivered
month that shrank, ``line_item_fingerprints`` tells whether two files of one period hold the
same line items. Each check works on small aggregates (per billing period and currency),
never on rows. The source's profile is :mod:`forecaster.source_profile`, its validation
:mod:`forecaster.source_checks`.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import polars as pl

from forecaster import columns as C
from forecaster.errors import ReconciliationError
from forecaster.months import month_end
from forecaster.store import PartitionKey

CENT = 0.005  # two totals "equal to the cent" differ by less than half a cent
RESTATEMENT_THRESHOLD = 0.01  # a month shrinking by more than 1% is flagged


#: Columns that identify a line item whatever its cost (a restated delivery keeps them).
IDENTITY_COLUMNS = (
    C.CHARGE_PERIOD_START,
    C.CHARGE_PERIOD_END,
    C.PROVIDER_NAME,
    C.BILLING_ACCOUNT_ID,
    C.SUB_ACCOUNT_ID,
    C.RESOURCE_ID,
    C.SKU_ID,
    C.CHARGE_CATEGORY,
    C.CHARGE_DESCRIPTION,
    C.CONSUMED_UNIT,
    C.X_USAGE_TYPE,
    C.X_LINE_ITEM_TYPE,
    C.BILLING_CURRENCY,
)
#: About this many line-item fingerprints are kept per file (a hash sample beyond).
FINGERPRINTS_KEPT = 50_000


def line_item_fingerprints(files: list[Path], rows: int) -> tuple[set[int], int]:
    """(hashes of the identity columns of the staged line items in ``files``, the sample
    rate): every row's up to FINGERPRINTS_KEPT rows, else those whose hash is a multiple of
    a power of two keeping about that many (two files compare on the coarser rate).

    Read from the staged canonical Parquet, so only periods that arrive in several files
    pay for it, and every format hashes the same canonical values."""
    every = 1
    while rows // every > FINGERPRINTS_KEPT:
        every *= 2
    fp = pl.struct(IDENTITY_COLUMNS).hash(seed=20)
    hashes = (
        pl.scan_parquet(files, glob=False)
        .select(fp.alias("h"))
        .filter(pl.col("h") % every == 0)
        .unique()
        .collect(engine="streaming")["h"]
    )
    return set(hashes.to_list()), every


def stored_totals(files: list[Path]) -> pl.DataFrame:
    """Line items and money per currency in written files (a rollup row counts the line
    items it sums, ``x_LineItemCount``)."""
    money = [pl.col(c).sum().alias(c) for c in C.MONEY_COLUMNS]
    frame = pl.scan_parquet(files, glob=False)
    rows = (
        pl.col(C.X_LINE_ITEM_COUNT).sum()
        if C.X_LINE_ITEM_COUNT in frame.collect_schema()
        else pl.len()
    )
    return (
        frame.group_by(C.BILLING_CURRENCY).agg(rows.cast(pl.Int64).alias("rows"), *money).collect()
    )


def reconcile(
    key: PartitionKey, stored: pl.DataFrame, source: pl.DataFrame, checked: set[str]
) -> dict[str, dict[str, dict[str, float]]]:
    """Per currency: {column: {source, stored}}; raises when any differs by a cent or more."""
    result: dict[str, dict[str, dict[str, float]]] = {}
    src = {row["_currency"]: row for row in source.iter_rows(named=True)}
    for row in stored.iter_rows(named=True):
        currency = row[C.BILLING_CURRENCY]
        expected = src.get(currency)
        if expected is None or expected["rows"] != row["rows"]:
            raise ReconciliationError(
                f"{key.id} {currency}: stored {row['rows']} rows but the source has "
                f"{0 if expected is None else expected['rows']}"
            )
        result[currency] = {}
        for column in sorted(checked):
            source_total = _exact(expected.get(f"src_{column}"))
            stored_total = _exact(row[column])
            if abs(source_total - stored_total) >= EXACT_CENT:
                raise ReconciliationError(
                    f"{key.id} {currency}: stored {column} {stored_total:,.2f} differs from the "
                    f"source's exact {source_total:,.2f}; nothing was stored"
                )
            result[currency][column] = {
                "source": float(source_total),
                "stored": float(stored_total),
            }
    return result


EXACT_CENT = Decimal("0.005")


def _exact(value: Any) -> Decimal:
    """A total as an exact Decimal (a float converts exactly, None is zero)."""
    if value is None:
        return Decimal(0)
    return value if isinstance(value, Decimal) else Decimal(value)


def period_status(period: str, now: datetime) -> str:
    """'open' while the billing month has not ended (UTC), else 'closed'."""
    return "open" if now < month_end(period) else "closed"


def find_restatement(
    old: dict[str, Any] | None,
    totals: dict[str, dict[str, float]],
    status: str,
    charges_until: str | None = None,
):
    """What a replacement changes per currency, or None when BilledCost is unchanged.

    Flagged: a closed month shrinking by more than 1%; an open month shrinking by more than
    1%, or whose charges now end earlier than the stored ones (fewer days delivered).
    """
    if old is None:
        return None
    earlier = bool(
        charges_until and old.get("charges_until") and charges_until < old["charges_until"]
    )
    changes = {}
    for currency, new in totals.items():
        before = old["totals"].get(currency, {}).get("billed_cost", 0.0)
        after = new["billed_cost"]
        if abs(after - before) < CENT and not earlier:
            continue
        shrink = (before - after) / abs(before) if before else 0.0
        changes[currency] = {
            "before": before,
            "after": after,
            "change": after - before,
            "flagged": shrink > RESTATEMENT_THRESHOLD or (earlier and old["status"] == "open"),
        }
    for currency, before_totals in old["totals"].items():
        if currency not in totals:
            changes[currency] = {
                "before": before_totals["billed_cost"],
                "after": 0.0,
                "change": -before_totals["billed_cost"],
                "flagged": True,
            }
    if not changes:
        return None
    return {
        "changes": changes,
        "flagged": any(c["flagged"] for c in changes.values()),
        "previous_status": old["status"],
        "status": status,
        "charges_until": charges_until,
        "previous_charges_until": old.get("charges_until"),
    }


def sum_profiles(profiles: list[pl.DataFrame]) -> pl.DataFrame:
    frame = pl.concat(profiles, how="diagonal_relaxed")
    value_cols = [c for c in frame.columns if c.startswith("src_") or c == "rows"]
    return frame.group_by("_currency").agg(pl.col(value_cols).sum())
