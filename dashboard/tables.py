"""Sortable, filterable tables (dash-ag-grid) from polars frames.

AG Grid renders cell values as text (its default cell renderer sets textContent), so values
from billing data cannot inject markup; ``dangerously_allow_code`` is never set here.
Formatting runs in the browser from fixed d3-format specifiers written here, never from data.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime
from typing import Any

import dash_ag_grid as dag
import polars as pl

from forecaster.format import label, name_text

FORMATS = {
    "money": ",.2f",
    "integer": ",d",
    "ratio": ".3f",
    "precise": ",.4~r",  # 4 significant digits, never exponent notation
    "percent": ".1%",
}


def records(frame: pl.DataFrame) -> list[dict[str, Any]]:
    """Rows as JSON-ready dicts (dates as ISO dates, times of day only when there is one,
    lists joined, internal names such as ``idle_baseline`` as their labels)."""
    out = []
    for row in frame.iter_rows(named=True):
        clean = {}
        for key, value in row.items():
            if isinstance(value, datetime):
                midnight = (value.hour, value.minute) == (0, 0)
                value = value.strftime("%Y-%m-%d" if midnight else "%Y-%m-%d %H:%M")
            elif isinstance(value, str) and ("_" in value or key in NAME_COLUMNS):
                value = name_text(value)
            elif isinstance(value, date):
                value = value.isoformat()
            elif isinstance(value, list | tuple):
                value = ", ".join(str(v) for v in value)
            clean[key] = value
        out.append(clean)
    return out


NAME_COLUMNS = {"kind", "step", "measure", "ceiling_kind", "part"}  # hold internal names


def _formatter(kind: str) -> dict[str, str]:
    spec = FORMATS[kind]
    return {"function": f"params.value == null ? '' : d3.format('{spec}')(params.value)"}


def column_defs(
    frame: pl.DataFrame,
    formats: Mapping[str, str] | None = None,
    headers: Mapping[str, str] | None = None,
    wide: Iterable[str] = (),
) -> list[dict[str, Any]]:
    """Column definitions: numeric columns right-aligned with a number filter and their
    ``formats`` kind (money, integer, ratio, precise, percent); ``wide`` columns flex."""
    formats, headers, wide = formats or {}, headers or {}, set(wide)
    defs = []
    for name, dtype in frame.schema.items():
        col: dict[str, Any] = {
            "field": name,
            "headerName": headers.get(name, label(name)),
        }
        if dtype == pl.String:
            col["cellDataType"] = "text"  # no date or number guessing from text
        if dtype.is_numeric():
            col["type"] = "rightAligned"
            col["filter"] = "agNumberColumnFilter"
            col["valueFormatter"] = _formatter(
                formats.get(name, "integer" if dtype.is_integer() else "money")
            )
        if name in wide:
            col["flex"] = 1
            col["minWidth"] = 320
            col["wrapText"] = True
            col["autoHeight"] = True
        defs.append(col)
    return defs


def grid(
    id: str,
    frame: pl.DataFrame,
    formats: Mapping[str, str] | None = None,
    headers: Mapping[str, str] | None = None,
    wide: Iterable[str] = (),
    height: int | None = None,
    **options: Any,
) -> dag.AgGrid:
    """A sortable, filterable, resizable AG Grid over ``frame``; ``height`` in pixels
    (default: room for up to 10 rows). Columns are sized to their content and headers
    (AG Grid's autosize), wide text columns take the rest of the width and wrap."""
    if height is None:
        height = 130 + 42 * min(max(frame.height, 2), 10)
    return dag.AgGrid(
        id=id,
        rowData=records(frame),
        columnDefs=column_defs(frame, formats, headers, wide),
        defaultColDef={
            "sortable": True,
            "filter": True,
            "floatingFilter": True,
            "resizable": True,
            "minWidth": 90,
            "wrapHeaderText": True,
            "autoHeaderHeight": True,
        },
        columnSize="autoSize",
        columnSizeOptions={"skipHeader": False},
        dashGridOptions={
            "animateRows": False,
            "pagination": frame.height > 200,
            **options.pop("dashGridOptions", {}),
        },
        style={"height": f"{height}px", "width": "100%"},
        **options,
    )
