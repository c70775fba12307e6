"""A view's state in its URL: the query string carries filters and scenario settings so a
view can be shared. Reading is forgiving (a bad or stale value falls back to the default);
writing drops empty values so URLs stay short.

Each page has its own ``dcc.Location(id="<page>-url", refresh=False)``: writing its
``search`` updates the address bar without reloading, and a page layout reads its state from
the query parameters Dash pages passes to ``layout(**query)``.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from typing import Any, TypeVar
from urllib.parse import urlencode

T = TypeVar("T")
MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


def encode(state: Mapping[str, Any]) -> str:
    """``?key=value&...`` for the non-empty values (lists joined by commas); "" if none."""
    pairs = []
    for key, value in state.items():
        if value is None or value == "" or value == []:
            continue
        if isinstance(value, bool):
            value = int(value)
        if isinstance(value, list | tuple):
            value = ",".join(str(v) for v in value)
        pairs.append((key, str(value)))
    return "?" + urlencode(pairs) if pairs else ""


def choice(value: Any, options: Sequence[T], default: T) -> T:
    """``value`` when it is one of ``options`` (compared as text), else ``default``."""
    for option in options:
        if value is not None and str(option) == str(value):
            return option
    return default


def number(value: Any, lo: float, hi: float, default: float) -> float:
    """``value`` as a finite float within [lo, hi], else ``default``."""
    try:
        x = float(value)
    except (TypeError, ValueError):
        return default
    return x if math.isfinite(x) and lo <= x <= hi else default


def month(value: Any, months: Sequence[str], default: str | None) -> str | None:
    """A YYYY-MM month that exists in ``months``, else ``default``."""
    if isinstance(value, str) and MONTH.match(value) and value in months:
        return value
    return default


def flags(value: Any, options: Sequence[str]) -> list[str]:
    """Comma-separated flags, kept only when known, in ``options`` order."""
    given = set(str(value).split(",")) if value else set()
    return [o for o in options if o in given]
