"""An independent reference for reconciliation tests: source totals computed with the csv
module and Decimal, sharing no code with the ingestion pipeline."""

from __future__ import annotations

import csv
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

import polars as pl
from polars.testing import assert_frame_equal


def _month(text: str) -> str:
    return text.strip()[:7]


def source_totals(path: Path, period_col: str, currency_col: str, cost_cols: dict[str, str]):
    """{(YYYY-MM, currency): {canonical column: Decimal total, 'rows': n}} from a CSV file.

    Billing period starts are month-aligned midnight UTC in every sample we use, so the month
    is the first seven characters of the text.
    """
    totals: dict[tuple[str, str], dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    with open(path, newline="") as fh:
        for row in csv.DictReader(fh):
            key = (_month(row[period_col]), row[currency_col])
            totals[key]["rows"] += 1
            for canonical, source in cost_cols.items():
                value = row.get(source, "")
                if value not in ("", "NULL"):
                    totals[key][canonical] += Decimal(value)
    return totals


def stored_totals(status: dict, source: str | None = None):
    """The same shape from `forecaster store status --json`."""
    out = {}
    for p in status["periods"]:
        if source and p["source"] != source:
            continue
        out[(p["billing_period"], p["currency"])] = p
    return out


def assert_cents_equal(stored: float, expected: Decimal, what: str) -> None:
    assert abs(Decimal(str(stored)) - expected) < Decimal("0.005"), (
        f"{what}: stored {stored} != source {expected}"
    )


def assert_same_rollup(local: pl.DataFrame, engine: pl.DataFrame) -> None:
    """An engine's rollup (Spark, Athena) holds the local rollup's rows and columns, money
    equal to 1e-6, whatever the row order."""
    order = [c for c in local.columns if local[c].dtype != pl.Float64]
    assert_frame_equal(
        local.sort(order, nulls_last=True),
        engine.select(local.columns).sort(order, nulls_last=True),
        check_exact=False,
        abs_tol=1e-6,
    )
