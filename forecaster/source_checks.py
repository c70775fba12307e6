"""A billing source refused before anything is stored: unparseable values and rows the
billing-period, charge and money rules refuse, each refusal one line naming the file, the
first offending row and value, and what was expected.

``validate_source`` checks the source's profile (:mod:`forecaster.source_profile`);
``staged_stats`` and ``check_staged`` check the rules that are cheap on the staged canonical
Parquet (``STAGED_RULES``: charge order and window, money out of range).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import polars as pl

from forecaster import columns as C
from forecaster.billing import SourceFrame
from forecaster.billing.parse import bad_values
from forecaster.errors import InputError, clip, quote
from forecaster.months import month_end, month_start
from forecaster.source_profile import STAGED_RULES


def staged_stats(files: list[Path]) -> dict[str, Any]:
    """Over one file's staged canonical rows of one period: the charge time range and the
    counts the staged rules refuse (non-finite or too large money, charges ending first)."""
    from forecaster.billing.parse import MAX_MONEY

    money = [
        (pl.col(m).is_nan() | (pl.col(m).abs() >= MAX_MONEY)).sum().alias(f"money_{m}")
        for m in C.MONEY_COLUMNS
    ]
    cs, ce = pl.col(C.CHARGE_PERIOD_START), pl.col(C.CHARGE_PERIOD_END)
    frame = pl.scan_parquet(files, glob=False).select(
        *money,
        (ce < cs).sum().alias("charge_order"),
        cs.min().alias("charge_from"),
        cs.max().alias("charge_last_start"),
        ce.max().alias("charge_until"),
    )
    return frame.collect().row(0, named=True)


def check_staged(sf: SourceFrame, period: str, stats: dict[str, Any]) -> None:
    """Refuse (InputError naming file, row and value) what ``staged_stats`` found."""
    from datetime import timedelta

    from forecaster.billing.periods import CHARGE_AFTER_DAYS, CHARGE_BEFORE_DAYS

    start, end = month_start(period), month_end(period)
    for rule in sf.row_rules:
        if rule.name == "charge_window":
            low, high = stats["charge_from"], stats["charge_last_start"]
            bad = low is not None and (
                low < start - timedelta(days=CHARGE_BEFORE_DAYS)
                or high >= end + timedelta(days=CHARGE_AFTER_DAYS)
            )
        else:
            bad = bool(stats.get(rule.name))
        if bad:
            refuse_rows(sf, rule)


def _first_row(sf: SourceFrame, bad: pl.Expr, shown: dict[str, pl.Expr]) -> str:
    """'<values> on data row N' for the first row where ``bad`` holds."""
    row = (
        sf.raw.with_row_index("_row")
        .filter(bad)
        .select("_row", *[e.cast(pl.String).alias(f"_v{i}") for i, e in enumerate(shown.values())])
        .head(1)
        .collect()
    )
    if row.is_empty():
        return ""
    values = ", ".join(f"{name} {quote(row[f'_v{i}'][0])}" for i, name in enumerate(shown))
    return f"{values} on data row {row['_row'][0] + 1}"


def _source_value(sf: SourceFrame, name: str) -> tuple[str, pl.Expr]:
    """(the column as the file names it, its raw cell or parsed value)."""
    column = sf.source_columns.get(name, name)
    if name in sf.parsed_from:
        return column, sf.parsed_from[name][0]
    return column, sf.columns[name]


def first_bad_value(sf: SourceFrame, name: str) -> str:
    raw, parsed = sf.parsed_from[name]
    found = _first_row(sf, bad_values(raw, parsed), {"": raw})
    return found.removeprefix(" ")


def refuse_rows(sf: SourceFrame, rule) -> None:
    """Raise the refusal of ``rule``: its exact row count, the first row and its values."""
    count = sf.raw.filter(rule.bad).select(pl.len()).collect().item()
    shown = dict(_source_value(sf, c) for c in (rule.column, *rule.shown))
    column = sf.source_columns.get(rule.column, rule.column)
    raise InputError(
        clip(
            f"{sf.path}: column {column}: {count} row(s) refused, first "
            f"{_first_row(sf, rule.bad, shown)}; expected {rule.expected}"
        )
    )


def validate_source(sf: SourceFrame, profile: pl.DataFrame) -> None:
    for name in sf.parsed_from:
        count = int(profile[f"bad_{name}"].sum())
        if count:
            kind = "a timestamp" if name in C.TIMESTAMP_COLUMNS else "a number"
            column = sf.source_columns.get(name, name)
            raise InputError(
                clip(
                    f"{sf.path}: column {column}: {count} value(s) are not {kind}, "
                    f"first {first_bad_value(sf, name)}"
                )
            )
    for rule in sf.row_rules:
        if not rule.name.startswith(STAGED_RULES) and int(profile[f"rule_{rule.name}"].sum()):
            refuse_rows(sf, rule)
    if profile.filter(pl.col("billing_period").is_null()).height:
        column = sf.source_columns.get(C.BILLING_PERIOD_START, C.BILLING_PERIOD_START)
        raise InputError(
            f"{sf.path}: column {column} is empty on some rows; every charge needs its billing period"
        )
    if profile.filter(pl.col("_currency").is_null()).height:
        column = sf.source_columns.get(C.BILLING_CURRENCY, C.BILLING_CURRENCY)
        raise InputError(
            f"{sf.path}: column {column} is empty on some rows; every charge needs its currency"
        )
    if int(profile["rows"].sum()) == 0:
        raise InputError(f"{sf.path}: the file has a header but no rows")
