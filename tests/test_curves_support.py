"""Synthetic workloads with known truth, shared by the cost-curve tests.

cost per day = F + v * load ** k * (1 + drift) ** months, plus Gaussian noise whose
standard deviation is ``noise`` times the mean cost, plus ``outliers`` (a share of days)
that add 8 to 20 noise standard deviations. Load grows ``growth`` per month with a weekly
cycle and 10% day-to-day noise, so load and time are not collinear.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl
import pytest

DAYS_PER_MONTH = 30.4375


@dataclass(frozen=True)
class Truth:
    F: float = 50.0  # USD per day
    v: float = 0.05  # USD per day per load unit ** k
    k: float = 1.0
    drift: float = 0.0  # unit cost growth per month
    noise: float = 0.02  # noise sd as a share of the mean cost
    outliers: float = 0.0  # share of days with an outlier
    growth: float = 0.03  # load growth per month
    n: int = 730
    load0: float = 1000.0  # load per day at the start
    seed: int = 0


def synth(t: Truth) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(load per day, cost per day in USD, period starts as datetime64[D]) for ``t``."""
    rng = np.random.default_rng(t.seed)
    day = np.arange(t.n)
    months = day / DAYS_PER_MONTH
    weekly = 1.0 + 0.25 * np.sin(2 * np.pi * day / 7)
    load = t.load0 * (1 + t.growth) ** months * weekly * rng.lognormal(0.0, 0.1, t.n)
    clean = t.F + t.v * load**t.k * (1 + t.drift) ** months
    sd = t.noise * clean.mean()
    cost = clean + rng.normal(0.0, sd, t.n)
    n_out = int(round(t.outliers * t.n))
    if n_out:
        at = rng.choice(t.n, n_out, replace=False)
        cost[at] += rng.uniform(8, 20, n_out) * sd
    starts = np.datetime64("2024-01-01") + day.astype("timedelta64[D]")
    return load, cost, starts


def frame(t: Truth) -> pl.DataFrame:
    """The same workload as the frame the workloads layer passes to ``fit_workload``."""
    load, cost, starts = synth(t)
    ts = pl.Series("period_start", starts.astype("datetime64[us]")).dt.replace_time_zone("UTC")
    return pl.DataFrame({"period_start": ts, "cost": cost, "load": load})


def write_series(path, starts: np.ndarray, values: np.ndarray) -> None:
    """A plain timestamp,value CSV file."""
    pl.DataFrame(
        {"timestamp": [f"{s}T00:00:00Z" for s in starts.astype("datetime64[D]")], "value": values}
    ).write_csv(path)


@pytest.mark.parametrize("k", [1.0, 1.3])
def test_synthetic_cost_follows_the_truth_on_average(k: float) -> None:
    t = Truth(k=k, v=0.05 / 1000 ** (k - 1), noise=0.01)
    load, cost, _ = synth(t)
    clean = t.F + t.v * load**t.k
    assert abs(float(np.mean(cost - clean))) < 0.01 * clean.mean()
