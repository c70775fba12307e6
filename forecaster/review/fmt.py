"""Fixed formatting of cell values: one rule per column kind, so the same pack always
gives the same bytes.

- CSV (``csv_value``): plain machine-readable numbers without thousands separators: money
  with 2 decimals, unit money and ratios with 4, other numbers with 10 significant digits;
  empty for nulls.
- Reading formats (``display_value``, HTML and PDF): thousands separators, ratios as
  percentages, numbers rounded for reading; a dash for nulls.
"""

from __future__ import annotations

import math
from datetime import date, datetime
from typing import Any

DASH = "\u2013"
LABELS = {
    "effective_cost": "Effective cost",
    "billed_cost": "Billed cost",
    "list_cost": "List cost",
    "unit_cost": "Cost per 1,000 units",
    "previous_unit_cost": "Previous cost per 1,000 units",
    "marginal_cost_per_1000": "Marginal cost per 1,000 units",
    "r2": "R\u00b2",
    "sigma": "Sigma (contention)",
    "kappa": "Kappa (coherency)",
    "gamma": "Gamma (throughput at 1)",
    "peak_load": "Peak load N*",
}


def label(column: str) -> str:
    """Readable header for a column name: ``previous_effective_cost`` -> "Previous effective
    cost", ``change_ratio`` -> "Change %"."""
    if column in LABELS:
        return LABELS[column]
    if column.endswith("_ratio"):  # fractions are shown as percentages
        column = column.removesuffix("_ratio") + "_%"
    text = column.replace("_", " ")
    return text[:1].upper() + text[1:]


def _number(value: Any) -> float | None:
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        v = float(value)
        return v if math.isfinite(v) else None
    return None


def _text(value: Any) -> str:
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%dT%H:%M:%SZ")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _fixed(v: float, decimals: int) -> str:
    text = f"{v:.{decimals}f}"
    return text[1:] if text.startswith("-") and float(text) == 0 else text


def csv_value(value: Any, kind: str) -> str:
    """A cell for CSV (text is returned as-is: neutralising is the caller's job)."""
    if value is None:
        return ""
    if kind == "text":
        return _text(value)
    v = _number(value)
    if v is None:
        return ""
    if kind == "money":
        return _fixed(v, 2)
    if kind in ("unit_money", "ratio"):
        return _fixed(v, 4)
    if kind == "integer":
        return str(int(round(v)))
    return format(v, ".10g")


def display_value(value: Any, kind: str) -> str:
    """A cell for reading (HTML, PDF)."""
    if value is None:
        return DASH if kind != "text" else ""
    if kind == "text":
        return _text(value)
    v = _number(value)
    if v is None:
        return DASH
    if kind == "money":
        return _fixed_grouped(v, 2)
    if kind == "unit_money":
        return _fixed_grouped(v, 4)
    if kind == "ratio":
        return _fixed_grouped(v * 100, 1) + "%"
    if kind == "integer":
        return f"{int(round(v)):,}"
    if abs(v) >= 1000:
        return _fixed_grouped(v, 0)
    return format(v, ".4g")


def _fixed_grouped(v: float, decimals: int) -> str:
    text = f"{v:,.{decimals}f}"
    return text[1:] if text.startswith("-") and float(text.replace(",", "")) == 0 else text
