"""Format detection and the one entry point that opens any billing file."""

from __future__ import annotations

from pathlib import Path

import polars as pl

from forecaster.billing import aws_cur, focus
from forecaster.billing.files import OpenedFile
from forecaster.billing.source import SourceFrame
from forecaster.errors import InputError

#: Formats ``--format`` accepts ("auto" detects from the columns).
FORMATS = ("auto", "focus", "cur2", "cur-legacy")

_READERS = {
    "focus": focus.read_focus,
    "cur2": aws_cur.read_cur,
    "cur-legacy": aws_cur.read_cur,
}


def detect_format(schema: dict[str, pl.DataType]) -> str | None:
    """'focus', 'cur2' or 'cur-legacy' from a file's columns, or None when none fits."""
    if focus.looks_like_focus(schema):
        return "focus"
    if aws_cur.is_legacy_csv_header(schema):
        return "cur-legacy"
    if aws_cur.is_cur_snake(schema):
        return "cur2" if aws_cur.is_cur2(schema) else "cur-legacy"
    return None


def read_billing_file(opened: OpenedFile, fmt: str = "auto") -> SourceFrame | None:
    """The file as a SourceFrame; None for a FOCUS dataset that holds no charges.

    Raises InputError naming the file when its columns fit no format (or not the forced one).
    """
    if fmt not in FORMATS:
        raise InputError(f"unknown format {fmt!r}; expected one of {', '.join(FORMATS)}")
    schema = opened.schema()
    if not schema:
        raise InputError(f"{opened.path}: the file has no columns")
    if focus.is_other_focus_dataset(schema) and fmt in ("auto", "focus"):
        return None
    detected = detect_format(schema)
    chosen = detected if fmt == "auto" else fmt
    if chosen is None:
        shown = ", ".join(list(schema)[:8])
        raise InputError(
            f"{opened.path}: cannot tell the billing format from its columns ({shown}, ...); "
            "expected FOCUS (BilledCost, ChargePeriodStart, ...) or AWS CUR "
            "(lineItem/UnblendedCost or line_item_unblended_cost); use --format to force one"
        )
    return _READERS[chosen](Path(opened.path), opened.scan(), schema)
