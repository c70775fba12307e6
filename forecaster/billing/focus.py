"""FOCUS 1.0 to 1.3 cost-and-usage files onto the canonical table.

FOCUS is already the canonical vocabulary, so this reader only parses types and fills
columns an older or newer version lacks (1.3's ServiceProviderName stands in for a missing
ProviderName). Tags arrive as JSON text (CSV) or as a map/struct (Parquet).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import polars as pl

from forecaster import columns as C
from forecaster.billing.parse import (
    canonical_column,
    exact_money,
    is_map,
    parse_text,
    tags_from_map,
)
from forecaster.billing.source import SourceFrame, require_columns

#: Where a canonical column may be found under another FOCUS version's name.
ALTERNATIVE_NAMES: dict[str, tuple[str, ...]] = {
    C.PROVIDER_NAME: ("ServiceProviderName", "PublisherName"),
}

#: FOCUS datasets that are not cost-and-usage rows (FOCUS 1.3 contract commitments).
OTHER_DATASET_MARKERS = ("ContractCommitmentId",)


def looks_like_focus(schema: dict[str, pl.DataType]) -> bool:
    """Most of FOCUS's mandatory columns are there (the reader then names any missing)."""
    return sum(c in schema for c in C.FOCUS_REQUIRED) >= len(C.FOCUS_REQUIRED) // 2


def is_other_focus_dataset(schema: dict[str, pl.DataType]) -> bool:
    return any(m in schema for m in OTHER_DATASET_MARKERS) and C.BILLED_COST not in schema


def _tags(name: str, dtype: pl.DataType) -> pl.Expr:
    if is_map(dtype):
        return tags_from_map(pl.col(name))
    if isinstance(dtype, pl.Struct):
        return pl.col(name).struct.json_encode()
    return parse_text(pl.col(name), dtype)


def missing_required(has: Callable[[str], bool]) -> list[str]:
    """The FOCUS required columns a file or table lacks (``has(name)``: it holds that
    column), an alternative name standing in for its column."""
    return [
        c
        for c in C.FOCUS_REQUIRED
        if not has(c) and not any(has(a) for a in ALTERNATIVE_NAMES.get(c, ()))
    ]


def read_focus(path: Path, raw: pl.LazyFrame, schema: dict[str, pl.DataType]) -> SourceFrame:
    require_columns(
        missing_required(schema.__contains__), f"{path}: not a FOCUS cost-and-usage file"
    )
    columns: dict[str, pl.Expr] = {}
    parsed_from: dict[str, tuple[pl.Expr, pl.Expr]] = {}
    source_columns: dict[str, str] = {}
    for name in C.CHARGES_SCHEMA:
        if name.startswith("x_"):
            continue
        found = name if name in schema else None
        if found is None:
            found = next((a for a in ALTERNATIVE_NAMES.get(name, ()) if a in schema), None)
        if found is None:
            continue
        source_columns[name] = found
        src, src_type = pl.col(found), schema[found]
        if name == C.TAGS:
            columns[name] = _tags(found, src_type)
            continue
        columns[name], checked = canonical_column(name, src, src_type)
        if checked:
            parsed_from[name] = (src, columns[name])
    checks = {
        name: exact_money(pl.col(name), schema[name]) for name in C.MONEY_COLUMNS if name in schema
    }
    return SourceFrame(
        path=path,
        format="focus",
        chunk_rows=1_000_000 if path.suffix == ".parquet" else None,
        raw=raw,
        columns=columns,
        checks=checks,
        parsed_from=parsed_from,
        source_columns=source_columns,
    )
