"""The bill's time-only forecast per currency: in total and per provider, service and
account (the largest groups plus "the rest"), daily and monthly, P10/P50/P90.

``bill_forecast`` is the engine function the Overview, ``forecaster tco`` (without
workloads), ``forecaster forecast-cost`` and the review pack all show; ``bill_forecast_doc``
is its JSON form (money as ``{"amount", "currency"}``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

import polars as pl

from forecaster import columns as C
from forecaster.errors import InputError
from forecaster.money import apportion
from forecaster.months import month_of
from forecaster.store import read_charges
from forecaster.timeonly.forecast import GroupForecast, forecast_group
from forecaster.timeonly.monthly import FORECAST_MONTHS
from forecaster.timeonly.series import (
    DEFAULT_GROUPS,
    DIMENSIONS,
    REST,
    TOTAL,
    DailyCost,
    currencies,
    daily_cost,
)

DEFAULT_MONTHS = 12
LEVELS_TEXT = "P10 and P90 are the ends of the 80% prediction interval; P50 the median forecast"


@dataclass
class BillForecast:
    """One currency's forecast: ``total`` and, per dimension, its groups in order."""

    currency: str
    months: int
    total: GroupForecast
    first_day: date
    last_day: date
    by: dict[str, list[GroupForecast]] = field(default_factory=dict)
    others: dict[str, int] = field(default_factory=dict)


#: The columns of ``total_bands`` here and of ``forecaster.views.forecast.monthly_bands``.
MONTHLY_BANDS_SCHEMA = {
    "scenario": pl.String,
    "month": pl.String,
    "p10": pl.Float64,
    "p50": pl.Float64,
    "p90": pl.Float64,
}


def store_charges(store_dir: str | Path, sources: Sequence[str] | None = None) -> pl.LazyFrame:
    charges = read_charges(store_dir)
    if sources:
        charges = charges.filter(pl.col(C.X_SOURCE).is_in(list(sources)))
    return charges


def bill_forecast(
    store_dir: str | Path,
    months: int = DEFAULT_MONTHS,
    dimensions: Sequence[str] = DIMENSIONS,
    groups: int = DEFAULT_GROUPS,
    sources: Sequence[str] | None = None,
    end: datetime | None = None,
    currency: str | None = None,
) -> list[BillForecast]:
    """Per currency (alphabetical, or only ``currency``), the time-only forecast of
    EffectiveCost for ``months`` calendar months after the last billed day's month.

    ``end`` (UTC, exclusive): history only before it (the review of a past month).
    """
    if not 1 <= months <= 36:
        raise InputError(f"forecast months {months}: expected 1 to 36")
    unknown = sorted(set(dimensions) - set(DIMENSIONS))
    if unknown:
        raise InputError(f"unknown dimension(s) {unknown}; expected {', '.join(DIMENSIONS)}")
    charges = store_charges(store_dir, sources)
    found = currencies(charges)
    if not found:
        raise InputError(f"{store_dir}: the store holds no billing yet")
    if currency is not None and currency not in found:
        raise InputError(f"no {currency} billing in {store_dir}; it holds {', '.join(found)}")
    out = []
    for cur in [currency] if currency else found:
        total = daily_cost(charges, cur, None, end=end)
        result = BillForecast(
            cur, months, _months_ahead(total, TOTAL, months), total.first_day, total.last_day
        )
        for dim in dimensions:
            split = daily_cost(charges, cur, dim, groups=groups, end=end)
            result.by[dim] = [_months_ahead(split, g, months) for g in split.groups]
            result.others[dim] = split.others
        out.append(result)
    return out


def _months_ahead(daily: DailyCost, group: str, months: int) -> GroupForecast:
    """``group``'s forecast over ``FORECAST_MONTHS``, cut to its first ``months`` months
    (the total at monthly grain when its history allows, as the TCO's baseline)."""
    g = forecast_group(daily, group, FORECAST_MONTHS, monthly_grain=group == TOTAL)
    if g.monthly is None or g.daily is None or months >= FORECAST_MONTHS:
        return g
    kept = g.monthly.head(months)
    last = kept["month"][-1]
    g.monthly = kept
    g.daily = g.daily.filter(month_of("day") <= last)
    return g


def _money(value: float | None, currency: str) -> dict[str, Any] | None:
    return None if value is None else {"amount": round(float(value), 2), "currency": currency}


def group_doc(g: GroupForecast, currency: str) -> dict[str, Any]:
    """One group's forecast as JSON-ready data."""
    doc: dict[str, Any] = {
        "group": g.group,
        "history": {
            "start": g.history_start.isoformat() if g.history_start else None,
            "days": g.history_days,
            "effective_cost": _money(g.history_cost, currency),
        },
        "method": g.method,
        "reason": g.reason,
    }
    if g.monthly is not None:
        doc["monthly"] = [
            {
                "month": r["month"],
                "billed_to_date": _money(r["billed_to_date"], currency),
                **{p: _money(r[p], currency) for p in ("p10", "p50", "p90")},
            }
            for r in g.monthly.iter_rows(named=True)
        ]
    return doc


def _apportioned(groups: list[GroupForecast], total: GroupForecast, currency: str) -> list:
    """Group docs whose history amounts are rounded to add up to the total's to the cent
    (when the groups cover the same history as the total)."""
    docs = [group_doc(g, currency) for g in groups]
    if all(g.history_start == total.history_start for g in groups):
        parts = apportion([g.history_cost for g in groups], total.history_cost)
        for d, amount in zip(docs, parts, strict=True):
            d["history"]["effective_cost"] = _money(amount, currency)
    return docs


def bill_forecast_doc(results: list[BillForecast], daily: bool = False) -> dict[str, Any]:
    """The forecasts as one JSON document; ``daily`` adds the total's daily bands."""
    cur_docs = []
    for r in results:
        total = group_doc(r.total, r.currency)
        if daily and r.total.daily is not None:
            total["daily"] = [
                {
                    "day": d["day"].isoformat(),
                    **{p: _money(d[p], r.currency) for p in ("p10", "p50", "p90")},
                }
                for d in r.total.daily.iter_rows(named=True)
            ]
        cur_docs.append(
            {
                "currency": r.currency,
                "billed_days": {"first": r.first_day.isoformat(), "last": r.last_day.isoformat()},
                "total": total,
                "by": {
                    dim: {
                        "groups": _apportioned(gs, r.total, r.currency),
                        "rest_holds": r.others.get(dim, 0),
                    }
                    for dim, gs in r.by.items()
                },
            }
        )
    return {
        "kind": "time-only cost forecast",
        "measure": "EffectiveCost",
        "levels": LEVELS_TEXT,
        "months": results[0].months if results else None,
        "currencies": cur_docs,
    }


def total_bands(results: list[BillForecast], currency: str) -> pl.DataFrame:
    """``scenario, month, p10, p50, p90`` of the currency's total (scenario "forecast by
    time"), the shape of ``forecaster.views.forecast.monthly_bands``."""
    for r in results:
        if r.currency == currency and r.total.monthly is not None:
            return r.total.monthly.select(
                pl.lit("forecast by time").alias("scenario"), "month", "p10", "p50", "p90"
            )
    return pl.DataFrame(schema=MONTHLY_BANDS_SCHEMA)


def group_table(results: list[BillForecast], currency: str, dimension: str, months: int = 12):
    """Per group of ``dimension``: the next ``months`` months' P10/P50/P90 added up (or
    the reason there is no forecast), largest history first, "the rest" last."""
    rows = []
    for r in results:
        if r.currency != currency:
            continue
        for g in r.by.get(dimension, []):
            m = g.monthly.head(months) if g.monthly is not None else None
            label = g.group
            if label == REST:
                label = f"{REST} ({r.others.get(dimension, 0)} more)"
            rows.append(
                {
                    "group": label,
                    "history_effective_cost": round(g.history_cost, 2),
                    "p10": None if m is None else round(float(m["p10"].sum()), 2),
                    "p50": None if m is None else round(float(m["p50"].sum()), 2),
                    "p90": None if m is None else round(float(m["p90"].sum()), 2),
                    "note": g.reason or "",
                }
            )
    schema = {
        "group": pl.String,
        "history_effective_cost": pl.Float64,
        "p10": pl.Float64,
        "p50": pl.Float64,
        "p90": pl.Float64,
        "note": pl.String,
    }
    return pl.DataFrame(rows, schema=schema)
