"""What a reader hands to ingestion: the raw scan plus how to map and check it."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from forecaster import columns as C


@dataclass
class SourceFrame:
    """One billing file, ready to normalize.

    ``raw`` is the file as read; ``columns`` maps every canonical column to an expression over
    ``raw``; ``checks`` maps canonical money columns to the source expression they must
    reconcile with (sum per billing period and currency, to the cent); ``parsed_from`` maps
    canonical columns to (raw cell, parsed value), so unparseable values can be named;
    ``source_columns`` maps canonical columns to the source column name as the file spells it.
    """

    path: Path
    format: str
    raw: pl.LazyFrame
    columns: dict[str, pl.Expr]
    checks: dict[str, pl.Expr]
    parsed_from: dict[str, tuple[pl.Expr, pl.Expr]] = field(default_factory=dict)
    source_columns: dict[str, str] = field(default_factory=dict)  # canonical -> source name

    def canonical(self, source_name: str) -> pl.LazyFrame:
        """The file in the canonical schema, with lineage columns filled in."""
        exprs = []
        for name, dtype in C.CHARGES_SCHEMA.items():
            if name == C.X_SOURCE:
                expr = pl.lit(source_name)
            elif name == C.X_SOURCE_FORMAT:
                expr = pl.lit(self.format)
            elif name == C.X_SOURCE_FILE:
                expr = pl.lit(self.path.name)
            else:
                expr = self.columns.get(name, pl.lit(None))
            exprs.append(expr.cast(dtype).alias(name))
        return self.raw.select(exprs)
