"""The billing file formats, one entry each: its name (``--format``), what it is, how its
columns are recognised and which reader maps it onto the canonical FOCUS table.

A new billing format is one ``BillingFormat`` here (after its reader module); format
detection (``detect_format``), ``read_billing_file``, the query engines and the reader
registry (``forecaster.readers``) all go through this table.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from forecaster.billing import aws_cur, focus
from forecaster.billing.source import SourceFrame

Schema = dict[str, pl.DataType]


@dataclass(frozen=True)
class BillingFormat:
    """``matches(schema)``: the file's columns (canonical spellings) are this format's;
    ``parse(path, raw, schema)``: the file as a ``SourceFrame``."""

    name: str
    description: str
    matches: Callable[[Schema], bool]
    parse: Callable[[Path, pl.LazyFrame, Schema], SourceFrame]


def _cur_legacy(schema: Schema) -> bool:
    return aws_cur.is_legacy_csv_header(schema) or (
        aws_cur.is_cur_snake(schema) and not aws_cur.is_cur2(schema)
    )


def _cur2(schema: Schema) -> bool:
    return aws_cur.is_cur_snake(schema) and aws_cur.is_cur2(schema)


#: In detection order: the first whose ``matches`` holds is the file's format (the CUR
#: flavours exclude each other).
BILLING_FORMATS: tuple[BillingFormat, ...] = (
    BillingFormat(
        "focus",
        "FOCUS 1.x cost and usage (CSV or Parquet; BilledCost, ChargePeriodStart, ...)",
        focus.looks_like_focus,
        focus.read_focus,
    ),
    BillingFormat(
        "cur2",
        "AWS CUR 2.0 Data Export (snake_case Parquet with resource_tags/product maps)",
        _cur2,
        aws_cur.read_cur,
    ),
    BillingFormat(
        "cur-legacy",
        "AWS legacy Cost and Usage Report (lineItem/UnblendedCost CSV, or snake_case "
        "Parquet without resource_tags/product maps)",
        _cur_legacy,
        aws_cur.read_cur,
    ),
)
FORMAT_NAMES: tuple[str, ...] = tuple(f.name for f in BILLING_FORMATS)


def detect_format(schema: Schema) -> str | None:
    """The name of the first format whose columns ``schema`` has, or None when none fits."""
    return next((f.name for f in BILLING_FORMATS if f.matches(schema)), None)


def billing_format(name: str) -> BillingFormat:
    """The format named ``name`` (a ``FORMAT_NAMES`` entry); KeyError otherwise."""
    return next(f for f in BILLING_FORMATS if f.name == name)
