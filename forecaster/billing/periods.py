"""Billing period rules: which month a row's BillingPeriodStart means, and what is refused.

A billing period starts at a month start. In UTC that is plain FOCUS; an instant that is a
month start at a real UTC offset (-12:00 to +14:00, in quarter hours) means that local month:
Google Cloud bills in US Pacific time, so ``2024-09-01T00:00:00-07:00`` (07:00 UTC) is
September, and ``2025-04-01T00:00:00+05:30`` (18:30 UTC on 31 March) is April. The canonical
BillingPeriodStart/End are stored as that month's bounds at 00:00 UTC, so every surface that
groups by the month of BillingPeriodStart files the row under the month its provider billed.
Charge periods keep their true instants.

Refused, naming file, row and value (:data:`ROW_RULES`): a BillingPeriodStart that is no
month start at any offset; a BillingPeriodEnd that is not the next month's start; a
ChargePeriodEnd before its ChargePeriodStart; a charge starting more than
:data:`CHARGE_BEFORE_DAYS` days before its billing period or more than
:data:`CHARGE_AFTER_DAYS` days after it ends (corrections of earlier months are billed
late, but not years late).
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from forecaster import columns as C

QUARTER_HOUR_US = 15 * 60 * 1_000_000
#: A charge may start up to a year before its billing period (late corrections, refunds).
CHARGE_BEFORE_DAYS = 366
#: ... and up to a month after it ends (a provider's billing hour drifting past the end).
CHARGE_AFTER_DAYS = 31


def local_month_start(utc: pl.Expr) -> pl.Expr:
    """The month (its first day at 00:00 UTC) an instant starts at some real UTC offset.

    Null when the instant is a month start at no offset from -12:00 to +14:00 in quarter
    hours. ``utc`` is a Datetime(us, UTC) expression.
    """
    candidate = (utc + pl.duration(hours=14)).dt.truncate("1mo")
    diff = (utc - candidate).dt.total_microseconds()
    ok = (diff <= 12 * 3600 * 1_000_000) & (diff % QUARTER_HOUR_US == 0)
    return pl.when(ok).then(candidate)


@dataclass(frozen=True)
class RowRule:
    """A per-row check: ``bad`` is true on refused rows, ``column`` the canonical column
    shown, ``expected`` what the message says was expected."""

    name: str
    column: str
    expected: str
    bad: pl.Expr
    shown: tuple[str, ...] = ()  # further canonical columns quoted in the message


def money_rules(columns: dict[str, pl.Expr], direct: set[str] | None = None) -> list[RowRule]:
    """Money values that are not finite, or too large to keep to the cent, are refused.

    ``direct``: the money columns read straight from a source column (a computed one, like
    CUR's amortized EffectiveCost, is checked through the columns it is computed from)."""
    from forecaster.billing.parse import MAX_MONEY

    return [
        RowRule(
            f"money_{name}",
            name,
            f"a finite amount under {MAX_MONEY:,.0f} in magnitude (larger ones cannot be "
            "kept to the cent)",
            columns[name].is_nan() | (columns[name].abs() >= MAX_MONEY),
        )
        for name in C.MONEY_COLUMNS
        if name in columns and (direct is None or name in direct)
    ]


def period_columns(
    columns: dict[str, pl.Expr], direct: set[str] | None = None
) -> tuple[dict[str, pl.Expr], list[RowRule]]:
    """``columns`` with BillingPeriodStart/End as the billing month's bounds (00:00 UTC),
    and the row rules to check against the parsed (unnormalized) values."""
    start = columns[C.BILLING_PERIOD_START]
    month = local_month_start(start)
    next_month = month.dt.offset_by("1mo")
    out = dict(columns)
    out[C.BILLING_PERIOD_START] = month
    rules = [
        RowRule(
            "period_start",
            C.BILLING_PERIOD_START,
            "a month start (00:00 on the 1st, in UTC or at the provider's offset)",
            start.is_not_null() & month.is_null(),
        )
    ]
    if C.BILLING_PERIOD_END in columns:
        end = columns[C.BILLING_PERIOD_END]
        end_month = local_month_start(end)
        out[C.BILLING_PERIOD_END] = pl.when(end.is_not_null()).then(next_month)
        rules.append(
            RowRule(
                "period_end",
                C.BILLING_PERIOD_END,
                "the next month's start after BillingPeriodStart (periods end exclusive)",
                month.is_not_null()
                & end.is_not_null()
                & ((end <= start) | (end_month != next_month) | end_month.is_null()),
                (C.BILLING_PERIOD_START,),
            )
        )
    if C.CHARGE_PERIOD_START in columns and C.CHARGE_PERIOD_END in columns:
        cs, ce = columns[C.CHARGE_PERIOD_START], columns[C.CHARGE_PERIOD_END]
        rules.append(
            RowRule(
                "charge_order",
                C.CHARGE_PERIOD_END,
                "a ChargePeriodEnd at or after its ChargePeriodStart",
                cs.is_not_null() & ce.is_not_null() & (ce < cs),
                (C.CHARGE_PERIOD_START,),
            )
        )
    if C.CHARGE_PERIOD_START in columns:
        cs = columns[C.CHARGE_PERIOD_START]
        rules.append(
            RowRule(
                "charge_window",
                C.CHARGE_PERIOD_START,
                f"a charge starting at most {CHARGE_BEFORE_DAYS} days before its billing "
                f"period and at most {CHARGE_AFTER_DAYS} days after it ends",
                month.is_not_null()
                & cs.is_not_null()
                & (
                    (cs < month - pl.duration(days=CHARGE_BEFORE_DAYS))
                    | (cs >= next_month + pl.duration(days=CHARGE_AFTER_DAYS))
                ),
                (C.BILLING_PERIOD_START,),
            )
        )
    return out, rules + money_rules(columns, direct)
