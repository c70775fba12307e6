"""Exports a spreadsheet can open safely: formula-safe CSV and the review pack (a zip).

Billing data carries text anyone with a tag or account name can set. A cell starting with
``=``, ``+``, ``-``, ``@``, a tab or a carriage return is taken as a formula by Excel,
LibreOffice and Google Sheets (CSV injection), so such text cells get a leading ``'``.
Numbers stay numbers: only text cells are prefixed.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Mapping
from typing import Any

import polars as pl

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def formula_safe(value: Any) -> Any:
    """``value`` with a leading ``'`` when it is text a spreadsheet would run as a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _cell(value: Any) -> Any:
    if isinstance(value, list | tuple):
        value = ", ".join(str(v) for v in value)
    return formula_safe(value)


def csv_text(frame: pl.DataFrame) -> str:
    """The frame as CSV text (header row, then rows), every text cell formula-safe."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([formula_safe(c) for c in frame.columns])
    for row in frame.iter_rows():
        writer.writerow([_cell(v) for v in row])
    return out.getvalue()


def zip_tables(tables: Mapping[str, pl.DataFrame], readme: str | None = None) -> bytes:
    """A zip with one formula-safe ``<name>.csv`` per table (and README.txt when given)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        if readme:
            archive.writestr("README.txt", readme)
        for name, frame in tables.items():
            archive.writestr(f"{name}.csv", csv_text(frame))
    return buffer.getvalue()


def review_pack(
    month: str,
    currency: str,
    steps: pl.DataFrame,
    items: pl.DataFrame,
    findings: pl.DataFrame,
) -> bytes:
    """The month's review pack as a zip of CSV tables: the bridge steps, the bridge per item
    and the findings (money in ``currency``; findings' ``amount`` is per month, or per period
    for anomalies)."""
    readme = (
        f"Cost review {month} ({currency}), written by the cloud cost forecaster.\n"
        "bridge.csv: the change from the previous month split into steps (they add up to the "
        "change exactly, to the cent).\n"
        "bridge_items.csv: the same per workload and unclaimed service.\n"
        "findings.csv: idle baseline, scaling excess, efficiency drift (money per month) and "
        "anomalies (the period's unexplained money).\n"
        "Text cells that a spreadsheet would run as a formula start with an apostrophe.\n"
    )
    return zip_tables({"bridge": steps, "bridge_items": items, "findings": findings}, readme=readme)


def safe_filename(*parts: str, suffix: str = "") -> str:
    """A file name from parts that may come from data: letters, digits, '-', '_' and '.' only."""
    text = "-".join(str(p) for p in parts if p)
    clean = "".join(ch if ch.isascii() and (ch.isalnum() or ch in "-_.") else "_" for ch in text)
    return (clean.strip(".") or "export") + suffix
