"""The review pack as plain data: named tables (polars DataFrames with a kind per column)
and the metadata the renderers need. Every format (XLSX, CSV, HTML, PDF) is drawn from this
one object, so they cannot disagree.

Money columns are in the row's ``currency`` (currencies are never summed together);
``unit_money`` is money per 1,000 load units; ``ratio`` is a fraction (0.053 = 5.3%).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import polars as pl

KINDS = ("text", "money", "unit_money", "number", "integer", "ratio")


@dataclass(frozen=True)
class Table:
    """One table of the pack.

    ``name`` is the file and sheet id (``headline``, ``by_service``...), ``title`` the
    heading, ``kinds`` maps columns to one of KINDS (text by default), ``description`` says
    what the table shows and in which units, ``note`` carries a caveat such as why a section
    is not available.
    """

    name: str
    title: str
    frame: pl.DataFrame
    kinds: dict[str, str] = field(default_factory=dict)
    description: str = ""
    note: str | None = None

    def kind(self, column: str) -> str:
        """The column's kind: as declared, else integer/number for numeric columns, else text."""
        if column in self.kinds:
            return self.kinds[column]
        dtype = self.frame.schema[column]
        if dtype.is_integer():
            return "integer"
        return "number" if dtype.is_numeric() else "text"

    @property
    def has_currency(self) -> bool:
        return "currency" in self.frame.columns


@dataclass
class ReviewPack:
    """Everything the monthly cost review shows, for one month.

    ``tables`` is ordered as the pack reads; ``unavailable`` maps a section to the reason it
    has no figures (never fake numbers); ``charts`` holds chart-only series (e.g. the load
    forecast behind a ceiling date); ``meta`` names the inputs (store, workloads, budget).
    """

    month: str
    previous_month: str
    year_ago_month: str
    currencies: list[str]
    tables: dict[str, Table]
    unavailable: dict[str, str] = field(default_factory=dict)
    charts: dict[str, pl.DataFrame] = field(default_factory=dict)
    meta: dict[str, Any] = field(default_factory=dict)

    def table(self, name: str) -> Table:
        return self.tables[name]

    @property
    def stem(self) -> str:
        """File name stem of every file of the pack: ``review-YYYY-MM``."""
        return f"review-{self.month}"

    def summary(self) -> dict[str, Any]:
        """JSON-ready overview: months, currencies, headline rows, tables and their sizes."""
        return {
            "month": self.month,
            "previous_month": self.previous_month,
            "year_ago_month": self.year_ago_month,
            "currencies": list(self.currencies),
            "headline": self.tables["headline"].frame.to_dicts(),
            "tables": {name: t.frame.height for name, t in self.tables.items()},
            "unavailable": dict(self.unavailable),
            "meta": {k: (str(v) if v is not None else None) for k, v in self.meta.items()},
        }
