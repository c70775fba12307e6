"""The budget file: what each month was allowed to cost, per currency.

CSV with a header row::

    month,currency,amount,measure
    2026-10,USD,210000,EffectiveCost
    2026-10,EUR,1500

- ``month``: YYYY-MM; ``currency``: the billing currency code (USD, EUR, ...);
- ``amount``: the budget for that month in that currency (a plain number, no symbol);
- ``measure`` (optional column and value): BilledCost, EffectiveCost (default) or
  ListCost, the cost the budget is held against.

One row per (month, currency, measure); a repeated row is an error rather than a silent sum.
"""

from __future__ import annotations

import csv
import math
from pathlib import Path

import polars as pl

from forecaster.errors import InputError
from forecaster.months import MONTH_RE

MEASURES = ("BilledCost", "EffectiveCost", "ListCost")
DEFAULT_MEASURE = "EffectiveCost"
SCHEMA = {"month": pl.String, "currency": pl.String, "measure": pl.String, "amount": pl.Float64}


def read_budget(path: str | Path) -> pl.DataFrame:
    """Columns month, currency, measure, amount (sorted); InputError naming row and column."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise InputError(f"{path}: no such budget file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: cannot read the budget file ({exc})") from exc
    reader = csv.DictReader(text.splitlines())
    header = [h.strip().lower() for h in reader.fieldnames or []]
    missing = [c for c in ("month", "currency", "amount") if c not in header]
    if missing:
        raise InputError(
            f"{path}: budget has no {', '.join(missing)} column(s); expected "
            "month,currency,amount[,measure]"
        )
    rows, seen = [], set()
    for line, raw in enumerate(reader, start=2):
        row = {(k or "").strip().lower(): (v or "").strip() for k, v in raw.items()}
        if not any(row.values()):
            continue
        month, currency = row["month"], row["currency"]
        measure = row.get("measure") or DEFAULT_MEASURE
        if not MONTH_RE.match(month):
            raise InputError(f"{path}: row {line}, column month: {month!r}; expected YYYY-MM")
        if not currency:
            raise InputError(f"{path}: row {line}, column currency: empty; expected e.g. USD")
        if measure not in MEASURES:
            raise InputError(
                f"{path}: row {line}, column measure: {measure!r}; expected one of "
                f"{', '.join(MEASURES)}"
            )
        try:
            amount = float(row["amount"].replace(",", "").replace("_", ""))
        except ValueError:
            amount = math.nan
        if not math.isfinite(amount):
            raise InputError(
                f"{path}: row {line}, column amount: {row['amount']!r}; expected a number"
            )
        key = (month, currency, measure)
        if key in seen:
            raise InputError(
                f"{path}: row {line}: a second budget for {month} {currency} {measure}"
            )
        seen.add(key)
        rows.append({"month": month, "currency": currency, "measure": measure, "amount": amount})
    return pl.DataFrame(rows, schema=SCHEMA).sort("month", "currency", "measure")
