"""Load samples rolled up to a grain (hour, day, month; UTC, periods are [start, end)).

A metric may hold several series (dimension sets, e.g. one per load balancer); they are
added up per timestamp first, because a workload's load is the total over its series. The
total is then rolled up to the grain with the workload's aggregation: ``sum`` for counts
(requests per 5 minutes become requests per day), ``mean`` or ``max`` for rates and levels
(CPU percent, concurrent users).
"""

from __future__ import annotations

import polars as pl

from forecaster import columns as C
from forecaster.errors import InputError

GRAINS: dict[str, str] = {"hour": "1h", "day": "1d", "month": "1mo"}
AGGREGATIONS = ("sum", "mean", "max")


def grain_interval(grain: str) -> str:
    """The polars interval of a grain name, or a clear error."""
    try:
        return GRAINS[grain]
    except KeyError:
        raise InputError(f"unknown grain {grain!r}; expected one of {', '.join(GRAINS)}") from None


def _agg(aggregation: str) -> pl.Expr:
    value = pl.col(C.LOAD_VALUE)
    if aggregation == "sum":
        return value.sum()
    if aggregation == "mean":
        return value.mean()
    if aggregation == "max":
        return value.max()
    raise InputError(
        f"unknown aggregation {aggregation!r}; expected one of {', '.join(AGGREGATIONS)}"
    )


def resample(samples: pl.LazyFrame, grain: str, aggregation: str = "sum") -> pl.LazyFrame:
    """Per metric and period: ``metric, period_start, value, samples`` (rows rolled up).

    ``samples`` has the load columns (timestamp, metric, value, dimensions); series of one
    metric are summed per timestamp, then aggregated over each period of the grain.
    """
    interval = grain_interval(grain)
    agg = _agg(aggregation)
    # For sums the per-timestamp total is not needed (a sum of sums); for mean and max it is.
    totals = (
        samples
        if aggregation == "sum"
        else samples.group_by(C.LOAD_METRIC, C.LOAD_TIMESTAMP).agg(pl.col(C.LOAD_VALUE).sum())
    )
    return (
        totals.group_by(
            C.LOAD_METRIC, pl.col(C.LOAD_TIMESTAMP).dt.truncate(interval).alias("period_start")
        )
        .agg(agg.alias(C.LOAD_VALUE), pl.len().alias("samples"))
        .sort(C.LOAD_METRIC, "period_start")
    )
