"""Validation of cost and load series before fitting: every refusal says why.

Degenerate inputs are refused with ``CannotFit`` and a reason a FinOps analyst can act on,
never fitted into nonsense: too few periods, constant load, constant cost (no variance:
nothing moves with load), cost that is zero or negative (credits), negative load. Periods where cost, load or time is missing or not finite are
dropped (and counted); only if too few remain is the workload refused.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from forecaster.errors import CannotFit, InputError

#: Fewest periods a curve is fitted on (the power model has 5 parameters with drift).
MIN_POINTS = 8

#: Periods per day for each supported grain; a month is 30.4375 days (365.25 / 12).
DAYS_PER_MONTH = 30.4375
PERIODS_PER_DAY = {"hour": 24.0, "day": 1.0, "month": 1.0 / DAYS_PER_MONTH}


@dataclass(frozen=True)
class Series:
    """Clean, finite cost and load per period, oldest first."""

    load: np.ndarray  # load units per period
    cost: np.ndarray  # billing currency per period
    days: np.ndarray | None  # period start, days relative to the last period (<= 0)
    labels: np.ndarray | None  # period starts as numpy datetime64, for messages and output
    n_dropped: int
    warnings: list[str] = field(default_factory=list)


def check_grain(grain: str) -> str:
    if grain not in PERIODS_PER_DAY:
        raise InputError(f"grain {grain!r} is not supported; expected one of hour, day, month")
    return grain


def _as_days(t: object) -> tuple[np.ndarray, np.ndarray | None]:
    """Period starts as float days (and datetime64 labels when they are datetimes)."""
    arr = np.asarray(t)
    if arr.dtype.kind == "O":
        try:
            arr = arr.astype("datetime64[us]")
        except (TypeError, ValueError) as exc:
            raise InputError(f"period_start values must be datetimes or numbers: {exc}") from exc
    if arr.dtype.kind == "M":
        labels = arr.astype("datetime64[us]")
        days = labels.astype("int64").astype(float) / 86_400e6
        days[np.isnat(labels)] = np.nan
        return days, labels
    try:
        return arr.astype(float), None
    except (TypeError, ValueError) as exc:
        raise InputError(f"period_start values must be datetimes or numbers: {exc}") from exc


def _where(labels: np.ndarray | None, i: int) -> str:
    return f"period {labels[i]}" if labels is not None else f"period #{i}"


def prepare(
    load: object, cost: object, period_start: object = None, min_points: int = MIN_POINTS
) -> Series:
    """Clean arrays for fitting, or ``CannotFit`` with the reason they cannot be fitted."""
    try:
        L = np.asarray(load, dtype=float).ravel()
        c = np.asarray(cost, dtype=float).ravel()
    except (TypeError, ValueError) as exc:
        raise InputError(f"load and cost must be numbers: {exc}") from exc
    if L.shape != c.shape:
        raise InputError(
            f"load has {L.size} values but cost has {c.size}; expected one each per period"
        )
    days = labels = None
    if period_start is not None:
        days, labels = _as_days(period_start)
        days = days.ravel()
        if days.shape != L.shape:
            raise InputError(f"period_start has {days.size} values but load has {L.size}")
    ok = np.isfinite(L) & np.isfinite(c)
    if days is not None:
        ok &= np.isfinite(days)
    n_dropped = int((~ok).sum())
    L, c = L[ok], c[ok]
    if days is not None:
        days = days[ok]
        labels = labels[ok] if labels is not None else None
        order = np.argsort(days, kind="stable")
        L, c, days = L[order], c[order], days[order]
        labels = labels[order] if labels is not None else None
        days = days - days[-1] if days.size else days
    n = L.size
    dropped = (
        f" ({n_dropped} dropped for a missing or non-finite cost, load or time)"
        if n_dropped
        else ""
    )
    if n < min_points:
        raise CannotFit(
            f"only {n} periods have a cost and a load{dropped}; at least {min_points} are needed"
        )
    neg = np.flatnonzero(c < 0)
    if neg.size:
        i = int(neg[0])
        raise CannotFit(
            f"cost is negative in {neg.size} of {n} periods (first: {_where(labels, i)}, {c[i]:.2f}), "
            "e.g. credits larger than usage; fit the cost before credits"
        )
    if not np.any(c > 0):
        raise CannotFit(f"cost is zero in all {n} periods; there is nothing to fit")
    neg = np.flatnonzero(L < 0)
    if neg.size:
        i = int(neg[0])
        raise CannotFit(
            f"load is negative in {neg.size} of {n} periods (first: {_where(labels, i)}, {L[i]:g})"
        )
    lo, hi = float(L.min()), float(L.max())
    if hi - lo <= 1e-9 * max(abs(hi), 1e-300) or np.unique(L).size < 3:
        what = (
            f"constant ({lo:g} in every period)"
            if hi == lo
            else f"only {np.unique(L).size} distinct values"
        )
        raise CannotFit(f"load is {what}; fixed and load-driven cost cannot be told apart")
    c_lo, c_hi = float(c.min()), float(c.max())
    if c_hi - c_lo <= 1e-9 * max(abs(c_hi), 1e-300):
        raise CannotFit(
            f"cost is constant ({c_lo:,.2f} in every period) while load varies: none of it "
            "moves with load, so it is all fixed cost and there is no cost curve to fit"
        )
    warnings = (
        [f"{n_dropped} periods dropped for a missing or non-finite cost, load or time"]
        if n_dropped
        else []
    )
    return Series(L, c, days, labels, n_dropped, warnings)
