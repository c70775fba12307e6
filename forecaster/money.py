"""Money in whole cents: rounding and largest-remainder apportioning, so a table of
rounded parts adds up to its rounded total (used by the review pack and the bill's
forecast)."""

from __future__ import annotations


def cents(value: float) -> int:
    """Money to whole cents (round half to even on the float, as the bridge does)."""
    return int(round(value * 100))


def apportion(values: list[float], total: float) -> list[float]:
    """``values`` rounded to the cent so that they add up exactly to ``total`` in cents.

    Largest-remainder rounding: every value is rounded down to the cent, then the cents
    still missing go to the values with the largest remainders (ties: first come). A table
    of rounded parts then sums to its rounded total, which is what a reader checks.
    """
    if not values:
        return []
    raw = [v * 100 for v in values]
    floors = [int(x // 1) for x in raw]
    missing = cents(total) - sum(floors)
    order = sorted(range(len(raw)), key=lambda i: (-(raw[i] - floors[i]), i))
    step = 1 if missing >= 0 else -1
    if step < 0:
        order = order[::-1]
    for j in range(abs(missing)):
        floors[order[j % len(order)]] += step
    return [f / 100 for f in floors]
