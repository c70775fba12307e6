"""Interval calibration on synthetic series with known noise: an 80% interval must hold
about 80% of what happens next, a 95% one about 95%, whatever the noise looks like."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from forecaster.forecast.intervals import (
    empirical_quantiles,
    h_step_scale,
    inflation,
    interval_bounds,
    step_grid,
    weighted_nanquantile,
)
from forecaster.forecast.load import LoadForecaster

DAYS = 21
SEEDS = 12


def noise(kind: str, n: int, rng: np.random.Generator) -> np.ndarray:
    """Requests per hour of noise: Gaussian, heavy-tailed (Student t, 3 dof), or
    autocorrelated (AR(1), phi = 0.7)."""
    if kind == "gaussian":
        return rng.normal(0, 5, n)
    if kind == "student_t3":
        return 5 * rng.standard_t(3, n)
    e, u = np.zeros(n), rng.normal(0, 3, n)
    for i in range(1, n):
        e[i] = 0.7 * e[i - 1] + u[i]
    return e


def coverage(kind: str) -> dict[int, float]:
    """Pooled share of the next day's actuals inside each interval, over SEEDS series."""
    hits: dict[int, list[float]] = {80: [], 95: []}
    for seed in range(SEEDS):
        rng = np.random.default_rng(seed)
        t = np.arange(24 * DAYS + 24, dtype=float)
        y = 100 + 20 * np.sin(2 * np.pi * t / 24) + 8 * np.cos(4 * np.pi * t / 24)
        y = y + noise(kind, t.size, rng)
        pred = LoadForecaster("1h", 24).fit(y[:-24]).predict()
        actual = y[-24:]
        for level in hits:
            inside = (actual >= pred[f"lo_{level}"].to_numpy()) & (
                actual <= pred[f"hi_{level}"].to_numpy()
            )
            hits[level].append(float(inside.mean()))
    return {level: float(np.mean(v)) for level, v in hits.items()}


@pytest.mark.parametrize("kind", ["gaussian", "student_t3", "ar1"])
def test_intervals_cover_what_they_claim_on_known_noise(kind):
    # 12 series x 24 correlated steps: the sampling error of a pooled coverage is about
    # 0.04 at 80%, so the bands are nominal +- 2 standard errors.
    cov = coverage(kind)
    assert 0.72 <= cov[80] <= 0.90, cov
    assert 0.90 <= cov[95] <= 0.99, cov


def test_bursty_load_gets_a_longer_upper_than_lower_interval():
    rng = np.random.default_rng(3)
    t = np.arange(24 * DAYS, dtype=float)
    bursts = rng.exponential(10, t.size) * (rng.random(t.size) < 0.3)
    y = 100 + 20 * np.sin(2 * np.pi * t / 24) + rng.normal(0, 2, t.size) + bursts
    pred = LoadForecaster("1h", 24, log=False).fit(y).predict()
    up = pred["hi_95"].to_numpy() - pred["mean"].to_numpy()
    down = pred["mean"].to_numpy() - pred["lo_95"].to_numpy()
    assert np.median(up) > 1.5 * np.median(down)


def test_more_noise_gives_proportionally_wider_intervals():
    rng = np.random.default_rng(4)
    t = np.arange(24 * DAYS, dtype=float)
    shape = 100 + 20 * np.sin(2 * np.pi * t / 24)
    e = rng.normal(0, 1, t.size)
    widths = []
    for sigma in (2.0, 8.0):
        pred = LoadForecaster("1h", 24, log=False).fit(shape + sigma * e).predict()
        widths.append(float(np.mean(pred["hi_80"].to_numpy() - pred["lo_80"].to_numpy())))
    assert widths[1] / widths[0] == pytest.approx(4.0, rel=0.25)


def test_quantiles_are_monotone_in_the_horizon_and_grow_beyond_the_data():
    rng = np.random.default_rng(5)
    errors = np.cumsum(rng.normal(0, 1, (500, 40)), axis=1)
    steps = step_grid(40)
    q, empirical = empirical_quantiles(errors, steps, 160)
    assert empirical
    lo, hi = q[80]
    assert np.all(np.diff(hi) >= 0) and np.all(np.diff(lo) <= 0)
    assert hi[159] == pytest.approx(hi[39] * np.sqrt(160 / 40), rel=1e-6)


def test_too_few_errors_fall_back_to_gaussian_quantiles_of_the_mae():
    errors = np.array([[1.0, -2.0], [-1.0, 2.0]])
    q, empirical = empirical_quantiles(errors, np.array([1, 2]), 2)
    assert not empirical
    mae = h_step_scale(errors, np.array([1, 2]), 2)
    assert q[95][1] == pytest.approx(1.959964 * np.sqrt(np.pi / 2) * mae, rel=1e-5)


@pytest.mark.parametrize(
    ("oos", "ins", "expected"),
    [(2.0, 1.0, 1.5), (1.2, 1.0, 1.2), (0.5, 1.0, 1.0)],
)
def test_inflation_is_the_error_ratio_clipped_to_one_and_a_half(oos, ins, expected):
    ones = np.ones(50)
    assert inflation(oos * ones, ins * ones) == pytest.approx(expected)


def test_bounds_are_nested_around_the_mean_even_with_one_sided_quantiles():
    mean = np.array([10.0, 10.0])
    q = {
        80: (np.array([-1.0, -2.0]), np.array([3.0, 1.0])),
        95: (np.array([-0.5, -3.0]), np.array([4.0, 5.0])),
    }
    b = interval_bounds(mean, q, 1.0)
    assert list(b["lo_95"]) == [9.0, 7.0]  # never inside the 80% interval
    assert list(b["hi_80"]) == [13.0, 11.0]
    assert list(b["hi_95"]) == [14.0, 15.0]


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.floats(-1e6, 1e6), min_size=2, max_size=60),
    st.floats(0.05, 0.95),
)
def test_with_equal_weights_the_weighted_quantile_is_numpys(values, q):
    x = np.array(values)[:, None]
    got = weighted_nanquantile(x, q, np.ones(x.shape[0]))[0]
    # numpy interpolates between order statistics at (n - 1) q, ours at the middle of each
    # one's weight: the two agree within one order-statistic gap
    s = np.sort(x[:, 0])
    k = int(np.clip(np.floor((s.size - 1) * q), 0, s.size - 2))
    assert s[max(k - 1, 0)] - 1e-9 <= got <= s[min(k + 2, s.size - 1)] + 1e-9


def test_recent_errors_dominate_the_quantile_when_weighted_to_them():
    old, new = np.full(2000, 10.0), np.full(500, 1.0)
    errors = np.concatenate([old, new])[:, None] * np.ones((1, 3))
    q, _ = empirical_quantiles(errors, np.array([1, 2, 3]), 3, (80,), half_life=100)
    assert q[80][1][0] == pytest.approx(1.0)
    q, _ = empirical_quantiles(errors, np.array([1, 2, 3]), 3, (80,))
    assert q[80][1][0] == pytest.approx(10.0)


def test_nan_errors_carry_no_weight():
    x = np.array([[1.0], [np.nan], [3.0]])
    assert weighted_nanquantile(x, 0.5, np.array([1.0, 1000.0, 1.0]))[0] == pytest.approx(2.0)
