"""TCO arithmetic on Monte Carlo cost samples: pure functions on arrays (the scenario
kinds' own transforms are in ``forecaster.tco.kinds``).

Shapes: daily samples are (S, D) (S paths, D days), monthly samples (S, M). Money is in one
billing currency. All scenarios of one run share the same random draws (common random
numbers), so their differences carry no extra sampling noise and a scenario that changes
nothing reproduces the baseline exactly.
"""

from __future__ import annotations

import numpy as np

PERCENTILES = (10, 50, 90)


def to_months(daily: np.ndarray, month_of_day: np.ndarray, n_months: int) -> np.ndarray:
    """(S, D) daily amounts summed into (S, M) calendar months (month_of_day: 0..M-1)."""
    out = np.zeros((daily.shape[0], n_months))
    for m in range(n_months):
        out[:, m] = daily[:, month_of_day == m].sum(axis=1)
    return out


def discount_factors(n_months: int, annual_rate: float) -> np.ndarray:
    """End-of-month factors (1 + r) ** (-m / 12) for months m = 1..M."""
    return (1.0 + annual_rate) ** (-np.arange(1, n_months + 1) / 12.0)


def npv(monthly: np.ndarray, annual_rate: float) -> np.ndarray:
    """Net present value per sample of (S, M) monthly cost."""
    return monthly @ discount_factors(monthly.shape[1], annual_rate)


def bands(samples: np.ndarray) -> dict[str, np.ndarray]:
    """p10, p50, p90 over samples (axis 0)."""
    q = np.percentile(samples, PERCENTILES, axis=0)
    return {f"p{p}": q[i] for i, p in enumerate(PERCENTILES)}


def break_even(
    baseline: np.ndarray, scenario: np.ndarray, not_before: int = 0
) -> tuple[int | None, float]:
    """(month index, probability): the first month from which the scenario's cumulative
    cost (median over samples of the cumulative saving) stays at or below the baseline's
    to the end of the horizon, or None; and the share of samples ahead at the horizon.

    ``not_before`` is the index of the month the scenario's change takes effect: a scenario
    cannot pay for itself before it changes anything, so the month is never earlier (an
    unchanged start counts from the month the change goes live)."""
    saving = np.cumsum(baseline - scenario, axis=1)
    median = np.median(saving, axis=0)
    ahead = median >= -1e-9
    index = None
    for m in range(len(median) - 1, -1, -1):
        if not ahead[m]:
            break
        index = m
    if index is not None:
        index = max(index, not_before)
        if index >= len(median):
            index = None
    return index, float(np.mean(saving[:, -1] >= -1e-9))
