"""What a reader hands to ingestion: the raw scan plus how to map and check it."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

import polars as pl

from forecaster import columns as C
from forecaster.billing.parse import (
    DictionaryLookup,
    build_lookups,
    timestamp_format,
    utc_with_format,
)
from forecaster.billing.periods import RowRule, period_columns
from forecaster.errors import InputError

#: Rows read to learn a text timestamp column's layout.
SAMPLE_ROWS = 1000


def require_columns(missing: Sequence[str], what: str) -> None:
    """Refuse a file or table that lacks required columns, naming every one:
    ``<what>; missing column(s) a, b`` (``what``: "<path>: not a FOCUS cost-and-usage file")."""
    if missing:
        raise InputError(f"{what}; missing column(s) {', '.join(missing)}")


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
    raw_names: dict[str, str] = field(default_factory=dict)  # canonical -> column in ``raw``
    #: Columns computed once per distinct value of a nested source column (CUR maps).
    lookups: list[DictionaryLookup] = field(default_factory=list)
    #: Rows per streamed chunk for Parquet sources (None: one pass). polars' Parquet reader
    #: reads ahead of a slower Parquet writer, so memory would grow with file size otherwise.
    chunk_rows: int | None = None
    #: Where the file came from when ``path`` is a local copy (e.g. "s3://bucket/key").
    origin: str | None = None
    #: Per-row rules the ingest refuses on (billing period bounds, charge order); set by
    #: :meth:`with_period_rules`, which also normalizes the billing period columns.
    row_rules: list[RowRule] = field(default_factory=list)
    #: The period columns as parsed, before BillingPeriodStart/End became month bounds.
    parsed_periods: dict[str, pl.Expr] = field(default_factory=dict)
    #: Set by :meth:`with_timestamp_formats`: this frame with the general timestamp parsers,
    #: used instead when a value of ``fallback_columns`` is not in the file's own layout.
    fallback: SourceFrame | None = None
    fallback_columns: tuple[str, ...] = ()

    def with_timestamp_formats(self) -> SourceFrame:
        """This frame with each text timestamp column parsed in the one layout its first
        SAMPLE_ROWS values are written in (one strptime a row instead of trying every
        layout); ``fallback`` keeps the general parsers for a file that mixes layouts."""
        text = {n: cell for n, (cell, _) in self.parsed_from.items() if n in C.TIMESTAMP_COLUMNS}
        if not text or self.fallback is not None or self.row_rules:
            return self
        try:
            sample = (
                self.raw.select(**{n: cell.cast(pl.String) for n, cell in text.items()})
                .head(SAMPLE_ROWS)
                .collect()
            )
        except pl.exceptions.PolarsError:
            return self  # the ingest's own pass names what cannot be read
        formats = {n: f for n in text if (f := timestamp_format(sample[n])) is not None}
        if not formats:
            return self
        columns, parsed_from = dict(self.columns), dict(self.parsed_from)
        for name, fmt in formats.items():
            columns[name] = utc_with_format(text[name], fmt)
            parsed_from[name] = (text[name], columns[name])
        return replace(
            self,
            columns=columns,
            parsed_from=parsed_from,
            fallback=self,
            fallback_columns=tuple(formats),
        )

    def with_period_rules(self) -> SourceFrame:
        """This frame with BillingPeriodStart/End as month bounds and its row rules (once)."""
        if self.row_rules or C.BILLING_PERIOD_START not in self.columns:
            return self
        columns, rules = period_columns(self.columns, set(self.source_columns) or None)
        parsed = {c: self.columns[c] for c in C.TIMESTAMP_COLUMNS if c in self.columns}
        return replace(self, columns=columns, row_rules=rules, parsed_periods=parsed)

    def canonical_exprs(self, source_name: str) -> list[pl.Expr]:
        """One expression per canonical column over ``raw`` (lineage columns filled in)."""
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
        return exprs

    def chunks(self, source_name: str) -> Iterator[tuple[pl.LazyFrame, pl.LazyFrame]]:
        """(source rows, the same rows in the canonical schema) per chunk to stream in turn.

        Both frames of a chunk come from one plan, so a query over both (the canonical
        write and the source profile, see ``forecaster.ingest_staging``) reads the chunk once. The
        dictionaries of all lookups are built first, in one pass over the MAP columns.
        """
        tables = build_lookups(self.lookups, self.raw)
        exprs = self.canonical_exprs(source_name)
        total = self.raw.select(pl.len()).collect().item() if self.chunk_rows else 0
        bounds = [(o, self.chunk_rows) for o in range(0, total, self.chunk_rows or 1)] or [None]
        for bound in bounds:
            raw = self.raw if bound is None else self.raw.slice(*bound)
            for lookup, table in zip(self.lookups, tables, strict=True):
                raw = lookup.apply(raw, table)
            yield raw, raw.select(exprs)

    def canonical_chunks(self, source_name: str) -> Iterator[pl.LazyFrame]:
        """The file in the canonical schema, as one or more LazyFrames to stream in turn."""
        for _, canonical in self.chunks(source_name):
            yield canonical

    def canonical(self, source_name: str) -> pl.LazyFrame:
        """The whole file in the canonical schema, with lineage columns filled in."""
        return pl.concat(list(replace(self, chunk_rows=None).canonical_chunks(source_name)))
