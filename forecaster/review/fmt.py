"""Fixed formatting of the review pack's cell values: one rule per column kind, so the same
pack always gives the same bytes.

- CSV (``csv_value``): plain machine-readable numbers without thousands separators: money
  with 2 decimals, unit money and ratios with 4, other numbers with 10 significant digits;
  empty for nulls.
- Reading formats (``display_value``, HTML and PDF): the product's one reading layer,
  ``forecaster.format`` (thousands separators, ratios as percentages, no exponent notation,
  dates as dates, a dash for nulls); headers are its human labels (``label``).
"""

from __future__ import annotations

import math
from datetime import date, datetime
from typing import Any

from forecaster.format import DASH, LABELS, label, value_text

__all__ = ["DASH", "LABELS", "csv_value", "display_value", "label"]


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
    """A cell for reading (HTML, PDF, the dashboard's tables): ``forecaster.format``."""
    return value_text(value, kind)
