"""The billing rollup: one definition of what an engine sends home instead of line items.

A rollup row is the sum of the canonical line items (FOCUS columns, as the readers in
:mod:`forecaster.billing` map them) that share every kept dimension:

- the billing period and the charge period at the rollup's grain: a line item whose charge
  period lies within one UTC day (or hour, at grain "hour") counts in that day, [day,
  day + 1); a longer one (a monthly fee, a tax line) keeps its own charge period, so
  downstream spreading over days is the same as on line items;
- provider, billing account, sub-account (id and name), service, service category, charge
  category and class, pricing category, region, currency, consumed unit, the source;
- the tag keys asked for (``--keep-tag KEY``), as a Tags JSON object of those keys only;
- any droppable column asked for by name (``--keep ResourceId``).

Its measures are the sums of BilledCost, EffectiveCost, ListCost, ContractedCost and
ConsumedQuantity (nulls as zero) and the line-item count ``x_LineItemCount``. Everything
else (ResourceId, SkuId, ChargeDescription, CommitmentDiscountId, usage and line item types,
the source file, tag keys not kept) is dropped.

This module holds the definition as data (:data:`DIMENSIONS`, :data:`MEASURES`,
:data:`DROPPABLE`, :class:`RollupSpec`) plus the polars form of it over canonical line items
(the local engine); :mod:`forecaster.engines.sql` generates every SQL engine's form from
the same data.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import polars as pl

from forecaster import columns as C
from forecaster.billing.parse import parse_utc
from forecaster.errors import InputError

LINE_ITEM_COUNT = C.X_LINE_ITEM_COUNT
GRAINS = ("day", "hour")

#: Dimensions every rollup keeps (besides the periods and Tags), in storage order.
DIMENSIONS: tuple[str, ...] = (
    C.BILLING_CURRENCY,
    C.PROVIDER_NAME,
    C.BILLING_ACCOUNT_ID,
    C.SUB_ACCOUNT_ID,
    C.SUB_ACCOUNT_NAME,
    C.SERVICE_NAME,
    C.SERVICE_CATEGORY,
    C.CHARGE_CATEGORY,
    C.CHARGE_CLASS,
    C.PRICING_CATEGORY,
    C.REGION_ID,
    C.CONSUMED_UNIT,
)

#: Canonical columns the rollup drops unless kept by name (``--keep COLUMN``).
DROPPABLE: tuple[str, ...] = (
    C.RESOURCE_ID,
    C.SKU_ID,
    C.CHARGE_DESCRIPTION,
    C.COMMITMENT_DISCOUNT_ID,
    C.X_USAGE_TYPE,
    C.X_LINE_ITEM_TYPE,
)

#: Summed measures (nulls count as zero).
MEASURES: tuple[str, ...] = (*C.MONEY_COLUMNS, C.CONSUMED_QUANTITY)

#: The rollup's storage schema: the canonical table plus the line-item count.
ROLLUP_SCHEMA: dict[str, pl.DataType] = {**C.CHARGES_SCHEMA, LINE_ITEM_COUNT: pl.Int64()}


@dataclass(frozen=True)
class RollupSpec:
    """What one rollup keeps beyond :data:`DIMENSIONS`.

    ``tags`` are tag keys as they appear in the Tags JSON ("team", "user:team"); ``keep``
    are columns of :data:`DROPPABLE`; ``grain`` is "day" or "hour".
    """

    tags: tuple[str, ...] = ()
    keep: tuple[str, ...] = ()
    grain: str = "day"
    #: Extra columns the query carries through (e.g. a tag key's output name); derived.
    tag_columns: tuple[str, ...] = field(init=False)

    def __post_init__(self) -> None:
        if self.grain not in GRAINS:
            raise InputError(f"rollup grain {self.grain!r}; expected one of {', '.join(GRAINS)}")
        unknown = [k for k in self.keep if k not in DROPPABLE]
        if unknown:
            raise InputError(
                f"keep {unknown[0]}: not a column the rollup can keep; expected one of "
                f"{', '.join(DROPPABLE)}",
                parameters=("keep",),
            )
        if any(not t for t in self.tags):
            raise InputError("tags: a tag key cannot be empty", parameters=("tags",))
        object.__setattr__(self, "tags", tuple(dict.fromkeys(self.tags)))
        object.__setattr__(self, "keep", tuple(k for k in DROPPABLE if k in self.keep))
        object.__setattr__(self, "tag_columns", tuple(f"x_tag_{i}" for i in range(len(self.tags))))

    @property
    def group_columns(self) -> tuple[str, ...]:
        """Output group-by columns, in order (periods first, then dimensions, kept, tags)."""
        return (
            *C.TIMESTAMP_COLUMNS,
            *DIMENSIONS,
            *self.keep,
            C.X_SOURCE_FORMAT,
            *self.tag_columns,
        )

    def describe(self) -> dict[str, Any]:
        """What the manifest records about the rollup."""
        dropped = [c for c in DROPPABLE if c not in self.keep]
        return {
            "grain": self.grain,
            "kept_tags": list(self.tags),
            "kept_columns": list(self.keep),
            "dropped_columns": dropped,
        }


def grain_interval(grain: str) -> str:
    return {"day": "1d", "hour": "1h"}[grain]


def tag_value(key: str) -> pl.Expr:
    """The value of tag ``key`` in the canonical Tags JSON text (null when absent)."""
    return pl.col(C.TAGS).str.json_path_match(f"$[{json.dumps(key)}]")


def _grain_periods(grain: str) -> list[pl.Expr]:
    interval = grain_interval(grain)
    start, end = pl.col(C.CHARGE_PERIOD_START), pl.col(C.CHARGE_PERIOD_END)
    bucket = start.dt.truncate(interval)
    within = end <= bucket.dt.offset_by(interval)
    return [
        pl.when(within).then(bucket).otherwise(start).alias(C.CHARGE_PERIOD_START),
        pl.when(within)
        .then(bucket.dt.offset_by(interval))
        .otherwise(end)
        .alias(C.CHARGE_PERIOD_END),
    ]


def rollup_line_items(charges: pl.LazyFrame, spec: RollupSpec) -> pl.LazyFrame:
    """Canonical line items rolled up by ``spec`` (the local engine's form of the rollup).

    Returns the group columns of ``spec`` plus the measures and ``x_LineItemCount``; feed it
    to :func:`finish` for the stored schema.
    """
    tags = [tag_value(k).alias(c) for k, c in zip(spec.tags, spec.tag_columns, strict=True)]
    return (
        charges.with_columns(*_grain_periods(spec.grain), *tags)
        .group_by(list(spec.group_columns))
        .agg(
            *[pl.col(m).fill_null(0.0).sum().alias(m) for m in MEASURES],
            pl.len().cast(pl.Int64).alias(LINE_ITEM_COUNT),
        )
    )


def _tags_json(spec: RollupSpec) -> pl.Expr:
    if not spec.tags:
        return pl.lit(None, dtype=pl.String)
    pairs = [
        pl.when(pl.col(c).is_not_null()).then(
            pl.concat_str(
                pl.lit(json.dumps(k) + ":"),
                pl.col(c).map_elements(json.dumps, return_dtype=pl.String),
            )
        )
        for k, c in zip(spec.tags, spec.tag_columns, strict=True)
    ]
    joined = pl.concat_str(pairs, separator=",", ignore_nulls=True)
    return pl.when(joined.str.len_chars() > 0).then(pl.concat_str(pl.lit("{"), joined, pl.lit("}")))


def finish(rollup: pl.DataFrame | pl.LazyFrame, spec: RollupSpec, source: str) -> pl.LazyFrame:
    """An engine's rollup result in the stored schema (:data:`ROLLUP_SCHEMA`), sorted.

    Timestamps become UTC (naive ones are UTC already), the kept tags one Tags JSON object
    (built here, not in the engine, so every engine writes the same text), and the columns
    the rollup dropped stay null.
    """
    frame = rollup.lazy()
    schema = frame.collect_schema()
    fixes = []
    for name in C.TIMESTAMP_COLUMNS:
        dtype = schema[name]
        if isinstance(dtype, pl.Datetime) and dtype.time_zone is None:
            fixes.append(pl.col(name).cast(pl.Datetime("us")).dt.replace_time_zone("UTC"))
        elif isinstance(dtype, pl.Datetime):
            fixes.append(pl.col(name).dt.convert_time_zone("UTC").cast(C.UTC_DATETIME))
        else:  # text from a result file: "2024-01-01 00:00:00.000" (UTC)
            fixes.append(parse_utc(pl.col(name), dtype).alias(name))
    frame = frame.with_columns(fixes).with_columns(_tags_json(spec).alias(C.TAGS))
    out = []
    for name, dtype in ROLLUP_SCHEMA.items():
        if name == C.X_SOURCE:
            out.append(pl.lit(source).alias(name))
        elif name in schema or name == C.TAGS:
            out.append(pl.col(name).cast(dtype).alias(name))
        else:
            out.append(pl.lit(None, dtype=dtype).alias(name))
    order = [*C.TIMESTAMP_COLUMNS, *DIMENSIONS, *spec.keep, C.TAGS]
    return frame.select(out).sort(order, nulls_last=True)
