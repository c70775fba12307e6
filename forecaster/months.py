"""Calendar months as the product speaks of them: ``"YYYY-MM"`` labels, UTC, [start, end).

One home for reading a month, moving by months and turning a month into its instants, so a
billing period, a review month, a scenario's ``from`` and a forecast horizon all agree.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

import polars as pl

from forecaster.errors import InputError

#: A month label: four-digit year, two-digit month 01-12.
MONTH_RE = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")


def check_month(month: str, what: str = "month") -> str:
    """``month`` if it is "YYYY-MM", else an InputError naming ``what``."""
    if not isinstance(month, str) or not MONTH_RE.match(month):
        raise InputError(f"{what} {month!r}: expected YYYY-MM, e.g. 2026-10")
    return month


def _index(month: str) -> int:
    year, mon = (int(p) for p in check_month(month).split("-"))
    return year * 12 + mon - 1


def _label(index: int) -> str:
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def shift_month(month: str, months: int) -> str:
    """``month`` moved by ``months`` (negative: earlier)."""
    return _label(_index(month) + months)


def next_month(month: str) -> str:
    """The month after ``month``."""
    return shift_month(month, 1)


def months_after(month: str, n: int) -> list[str]:
    """The ``n`` months after ``month``, in order."""
    start = _index(month)
    return [_label(start + i) for i in range(1, n + 1)]


def month_label(day: date | datetime) -> str:
    """The month a day (or instant, taken in its own zone) falls in."""
    return f"{day.year:04d}-{day.month:02d}"


def month_start(month: str) -> datetime:
    """The first instant of ``month``, UTC."""
    index = _index(month)
    return datetime(index // 12, index % 12 + 1, 1, tzinfo=UTC)


def month_end(month: str) -> datetime:
    """The first instant after ``month`` (exclusive end), UTC."""
    return month_start(next_month(month))


def first_of_month_after(day: date, months: int) -> date:
    """The first day of the month ``months`` calendar months after ``day``'s month."""
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def month_of(column: str | pl.Expr) -> pl.Expr:
    """A timestamp or date column's month as a ``"YYYY-MM"`` label (the expression, unnamed).

    ``month_of("period_start").alias("month")``: the label every monthly table is keyed by.
    """
    expr = pl.col(column) if isinstance(column, str) else column
    return expr.dt.strftime("%Y-%m")
