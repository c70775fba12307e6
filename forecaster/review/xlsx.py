"""XLSX: a summary sheet, then one sheet per table (named as the table, like its CSV).

Numbers are stored as numbers: money with a currency number format (``#,##0.00 "USD"``,
from the row's currency), ratios as percentages; text is always written with
``write_string`` (never a formula, never a URL, never a number) and neutralised like the
CSV. Header rows are frozen and filtered, column widths fit their content, and the table's
description is a comment on its first header cell. The workbook's creation date is fixed
(the first day after the month), so the same pack gives the same file.
"""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path
from typing import Any

import xlsxwriter

from forecaster.format import date_text, name_text
from forecaster.months import month_start, shift_month
from forecaster.review.fmt import display_value, label
from forecaster.review.pack import ReviewPack, Table
from forecaster.review.safe import neutralise

CURRENCY_RE = re.compile(r"^[A-Z]{3}$")
MIN_WIDTH, MAX_WIDTH = 8, 60
NUMBER_FORMATS = {
    "money": "#,##0.00",
    "unit_money": "#,##0.0000",
    "ratio": "0.0%",
    "integer": "#,##0",
    "number": "#,##0.0###",
    "number_large": "#,##0",  # numbers from 1,000 up (loads): whole and grouped
}
SUMMARY_FINDINGS = 5


class _Formats:
    """Cell formats made once per workbook, per (kind, currency)."""

    def __init__(self, workbook: xlsxwriter.Workbook):
        self.workbook = workbook
        self.cache: dict[tuple[str, str | None], Any] = {}
        self.header = workbook.add_format(
            {"bold": True, "bottom": 1, "bg_color": "#E8EEF4", "text_wrap": True, "valign": "top"}
        )
        self.title = workbook.add_format({"bold": True, "font_size": 14})
        self.bold = workbook.add_format({"bold": True})
        self.text = workbook.add_format({})

    def get(self, kind: str, currency: str | None) -> Any:
        if kind in ("money", "unit_money") and not (currency and CURRENCY_RE.match(currency)):
            currency = None  # a currency code from the bill never goes into a format string
        key = (kind, currency if kind in ("money", "unit_money") else None)
        if key not in self.cache:
            spec = NUMBER_FORMATS.get(kind, "General")
            if key[1]:
                spec = f'{spec} "{key[1]}"'
            self.cache[key] = self.workbook.add_format({"num_format": spec})
        return self.cache[key]


def _write(ws, row: int, col: int, value: Any, kind: str, currency: str | None, f: _Formats):
    if value is None:
        ws.write_blank(row, col, None)
    elif kind == "text" or not isinstance(value, int | float) or isinstance(value, bool):
        ws.write_string(row, col, neutralise(name_text(value)), f.text)
    elif value != value or value in (float("inf"), float("-inf")):
        ws.write_blank(row, col, None)
    elif kind == "number" and abs(value) >= 1000:
        ws.write_number(row, col, float(value), f.get("number_large", currency))
    else:
        ws.write_number(row, col, float(value), f.get(kind, currency))


def _width(text: str) -> int:
    return len(max(text.split("\n"), key=len)) if text else 0


def write_table(
    ws, table: Table, f: _Formats, first_row: int = 0, widths: dict[int, int] | None = None
) -> int:
    """Header and rows from ``first_row``; returns the next free row. Column widths that fit
    are set on the sheet (``widths`` carries them between tables on one sheet)."""
    seen = {} if widths is None else widths
    columns = table.frame.columns
    kinds = [table.kind(c) for c in columns]
    need = [_width(label(c)) for c in columns]
    for j, c in enumerate(columns):
        ws.write_string(first_row, j, label(c), f.header)
    currency_at = columns.index("currency") if "currency" in columns else None
    for i, row in enumerate(table.frame.iter_rows(), start=first_row + 1):
        currency = row[currency_at] if currency_at is not None else None
        for j, (value, kind) in enumerate(zip(row, kinds, strict=True)):
            _write(ws, i, j, value, kind, currency, f)
            shown = display_value(value, kind)
            extra = 4 if kind in ("money", "unit_money") and currency else 0
            need[j] = max(need[j], _width(shown) + extra)
    for j, w in enumerate(need):
        seen[j] = min(MAX_WIDTH, max(MIN_WIDTH, w + 2, seen.get(j, 0)))
        ws.set_column(j, j, seen[j])
    return first_row + table.frame.height + 1


def _as_date(value: Any) -> str:
    """An ISO timestamp from the pack's inputs as a date (a time of day only if it has one)."""
    try:
        return date_text(datetime.fromisoformat(str(value)))
    except ValueError:
        return str(value)


def _summary(wb, pack: ReviewPack, f: _Formats) -> None:
    ws = wb.add_worksheet("summary")
    ws.write_string(0, 0, f"Cost review {pack.month}", f.title)
    ws.write_string(
        1,
        0,
        f"Compared with {pack.previous_month} (previous month) and {pack.year_ago_month} "
        "(same month last year); money in each row's currency, currencies never added up.",
    )
    inputs = "Inputs used: " + ", ".join(
        f"{k}: {_as_date(v) if k == 'since' else v}" for k, v in pack.meta.items() if v is not None
    )
    ws.write_string(2, 0, neutralise(inputs))
    widths: dict[int, int] = {}
    row = 4
    ws.write_string(row, 0, "Headline totals", f.bold)
    row = write_table(ws, pack.tables["headline"], f, row + 1, widths) + 1
    findings = pack.tables.get("findings")
    if findings is not None and "amount" in findings.frame.columns:
        top = findings.frame.head(SUMMARY_FINDINGS).select(
            "rank", "workload", "kind", "currency", "amount", "per"
        )
        ws.write_string(row, 0, f"Top findings (of {findings.frame.height})", f.bold)
        small = Table("top", "Top findings", top, dict(findings.kinds))
        row = write_table(ws, small, f, row + 1, widths) + 1
    ws.write_string(row, 0, "Sheets", f.bold)
    row += 1
    for j, head in enumerate(("Sheet", "Rows", "Contents")):
        ws.write_string(row, j, head, f.header)
    for table in pack.tables.values():
        row += 1
        ws.write_url(row, 0, f"internal:'{table.name}'!A1", string=table.title)
        ws.write_number(row, 1, table.frame.height, f.get("integer", None))
        about = table.note or table.description
        ws.write_string(row, 2, neutralise(f"{table.title}: {about}"))


def render_xlsx(pack: ReviewPack, path: Path) -> None:
    """Write the workbook to ``path``."""
    wb = xlsxwriter.Workbook(
        str(path),
        {
            "strings_to_numbers": False,
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "constant_memory": False,
        },
    )
    wb.set_properties(
        {
            "title": f"Cost review {pack.month}",
            "subject": "Monthly cloud cost review",
            "created": month_start(shift_month(pack.month, 1)).replace(tzinfo=None),
        }
    )
    f = _Formats(wb)
    _summary(wb, pack, f)
    for table in pack.tables.values():
        ws = wb.add_worksheet(table.name)
        write_table(ws, table, f)
        ws.freeze_panes(1, 0)
        if table.frame.height:
            ws.autofilter(0, 0, table.frame.height, max(0, table.frame.width - 1))
        about = table.note or table.description
        if about:
            ws.write_comment(0, 0, about, {"x_scale": 3, "y_scale": 3})
    wb.close()
