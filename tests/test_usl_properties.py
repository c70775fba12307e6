"""Synthetic property tests: known sigma and kappa come back from measurements."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from forecaster.scaling import USLModel, usl_throughput


def design(peak: float, levels: int = 12) -> np.ndarray:
    """Load levels a load test would use: geometric from 1 to twice the peak."""
    return np.unique(np.round(np.geomspace(1.0, 2.0 * peak, levels)))


def kappa_for(sigma: float, peak: float) -> float:
    return (1.0 - sigma) / peak**2


@settings(max_examples=60, deadline=None, derandomize=True)
@given(
    sigma=st.floats(0.0, 0.5),
    log_peak=st.floats(0.8, 3.0),
    log_gamma=st.floats(-1.0, 6.0),
)
def test_noiseless_measurements_recover_the_coefficients_exactly(sigma, log_peak, log_gamma):
    peak, gamma = 10**log_peak, 10**log_gamma
    kappa = kappa_for(sigma, peak)
    n = design(peak, 8)
    model = USLModel().fit(n, usl_throughput(n, sigma, kappa, gamma))
    assert model.sigma_ == pytest.approx(sigma, abs=1e-6)
    assert model.kappa_ == pytest.approx(kappa, rel=1e-6)
    assert model.gamma_ == pytest.approx(gamma, rel=1e-6)
    assert model.peak_load_ == pytest.approx(peak, rel=1e-6)
    assert model.r2_ == pytest.approx(1.0)


@settings(max_examples=60, deadline=None, derandomize=True)
@given(
    sigma=st.floats(0.0, 0.1),
    peak=st.floats(10.0, 200.0),
    log_gamma=st.floats(-1.0, 5.0),
    seed=st.integers(0, 2**32 - 1),
)
def test_noisy_measurements_recover_sigma_kappa_and_the_peak(sigma, peak, log_gamma, seed):
    """1% multiplicative noise, 12 levels up to twice the peak."""
    gamma = 10**log_gamma
    kappa = kappa_for(sigma, peak)
    n = design(peak)
    truth = usl_throughput(n, sigma, kappa, gamma)
    x = truth * np.random.default_rng(seed).normal(1.0, 0.01, n.size)
    model = USLModel().fit(n, x)
    assert abs(model.sigma_ - sigma) < 0.025
    assert model.kappa_ == pytest.approx(kappa, rel=0.5)
    assert model.gamma_ == pytest.approx(gamma, rel=0.07)
    assert model.has_peak_
    assert model.peak_load_ == pytest.approx(peak, rel=0.35)
    assert model.peak_throughput_ == pytest.approx(
        usl_throughput(peak, sigma, kappa, gamma), rel=0.04
    )


@settings(max_examples=40, deadline=None, derandomize=True)
@given(
    sigma=st.floats(0.0, 0.3),
    peak=st.floats(5.0, 500.0),
    seed=st.integers(0, 2**32 - 1),
)
def test_fit_is_at_least_as_good_as_the_true_coefficients(sigma, peak, seed):
    """The optimiser finds the least-squares minimum, not a local one above the truth."""
    kappa = kappa_for(sigma, peak)
    n = design(peak, 10)
    truth = usl_throughput(n, sigma, kappa, 100.0)
    x = truth * np.random.default_rng(seed).normal(1.0, 0.03, n.size)
    model = USLModel().fit(n, x)
    fit_ssr = float(((model.throughput(n) - x) ** 2).sum())
    true_ssr = float(((truth - x) ** 2).sum())
    assert fit_ssr <= true_ssr * (1 + 1e-9)


def test_intervals_cover_the_truth_at_about_the_stated_rate():
    """Constant-variance noise (the model's assumption), 300 fixed draws: each 95%
    interval should hold the true value about 95% of the time."""
    rng = np.random.default_rng(20240601)
    hits = np.zeros(3)
    for _ in range(300):
        sigma, peak = rng.uniform(0.0, 0.1), rng.uniform(10, 200)
        kappa, gamma = kappa_for(sigma, peak), 10 ** rng.uniform(-1, 5)
        n = design(peak)
        mu = usl_throughput(n, sigma, kappa, gamma)
        model = USLModel().fit(n, mu + rng.normal(0.0, 0.002 * mu.max(), n.size))
        hits += [
            model.sigma_ci_[0] <= sigma <= model.sigma_ci_[1],
            model.kappa_ci_[0] <= kappa <= model.kappa_ci_[1],
            model.gamma_ci_[0] <= gamma <= model.gamma_ci_[1],
        ]
    coverage = hits / 300
    assert np.all(coverage > 0.89), coverage
    assert np.all(coverage < 0.99), coverage


@pytest.mark.parametrize("factor", [1e-3, 7.5, 1e6])
def test_scaling_throughput_scales_gamma_only(factor):
    n = np.array([1, 5, 10, 20, 40, 80.0])
    x = usl_throughput(n, 0.04, 3e-4, 10.0) * np.array([1.01, 0.99, 1.0, 1.02, 0.98, 1.0])
    base, scaled = USLModel().fit(n, x), USLModel().fit(n, x * factor)
    assert scaled.gamma_ == pytest.approx(base.gamma_ * factor, rel=1e-6)
    assert scaled.sigma_ == pytest.approx(base.sigma_, rel=1e-6)
    assert scaled.kappa_ == pytest.approx(base.kappa_, rel=1e-6)


def test_row_order_does_not_change_the_fit():
    n = np.array([1, 5, 10, 20, 40, 80.0])
    x = usl_throughput(n, 0.04, 3e-4, 10.0) * np.array([1.01, 0.99, 1.0, 1.02, 0.98, 1.0])
    order = np.array([3, 0, 5, 1, 4, 2])
    a, b = USLModel().fit(n, x), USLModel().fit(n[order], x[order])
    assert (a.sigma_, a.kappa_, a.gamma_) == pytest.approx((b.sigma_, b.kappa_, b.gamma_))
    np.testing.assert_array_equal(a.load_, b.load_)


def test_repeated_measurements_narrow_the_intervals():
    n = np.array([1, 5, 10, 20, 40, 80.0])
    x = usl_throughput(n, 0.04, 3e-4, 10.0) * np.array([1.01, 0.99, 1.0, 1.02, 0.98, 1.0])
    once = USLModel().fit(n, x)
    twice = USLModel().fit(np.r_[n, n], np.r_[x, x * 1.001])
    assert twice.sigma_ == pytest.approx(once.sigma_, rel=0.05)
    width = lambda ci: ci[1] - ci[0]  # noqa: E731
    assert width(twice.kappa_ci_) < width(once.kappa_ci_)


def test_amdahl_data_has_no_peak_but_a_throughput_limit():
    n = np.array([1, 2, 4, 8, 16, 32, 64.0])
    model = USLModel().fit(n, usl_throughput(n, 0.05, 0.0, 100.0))
    assert model.kappa_ == pytest.approx(0.0, abs=1e-9)
    assert model.peak_load_ is None
    assert model.ceiling_kind_ == "asymptote"
    assert model.peak_throughput_ == pytest.approx(100.0 / 0.05, rel=1e-6)


def test_linear_data_has_no_ceiling():
    n = np.array([1, 2, 4, 8, 16.0])
    model = USLModel().fit(n, 12.5 * n)
    assert model.ceiling_kind_ == "none"
    assert model.peak_throughput_ is None
    assert model.to_dict()["peak_load"] is None


def test_peak_interval_contains_the_peak_and_is_positive():
    n = design(60.0)
    x = usl_throughput(n, 0.03, kappa_for(0.03, 60.0), 50.0) * np.random.default_rng(3).normal(
        1, 0.01, n.size
    )
    model = USLModel().fit(n, x)
    lo, hi = model.peak_load_ci_
    assert 0 < lo < model.peak_load_ < hi


@pytest.mark.parametrize("confidence", [0.8, 0.95, 0.99])
def test_higher_confidence_gives_wider_intervals(confidence):
    n = design(60.0)
    x = usl_throughput(n, 0.03, 2.7e-4, 50.0) * np.random.default_rng(5).normal(1, 0.01, n.size)
    narrow = USLModel(confidence=confidence - 0.05).fit(n, x)
    wide = USLModel(confidence=confidence).fit(n, x)
    assert wide.sigma_ci_[0] < narrow.sigma_ci_[0] and narrow.sigma_ci_[1] < wide.sigma_ci_[1]


def test_repeated_loads_fit_the_same_as_a_per_point_least_squares():
    """The solver works on per-load means; the minimiser must be the per-point one."""
    from scipy import optimize

    rng = np.random.default_rng(9)
    n = rng.integers(1, 100, 2_000).astype(float)
    x = usl_throughput(n, 0.03, 4e-4, 40.0) * rng.normal(1.0, 0.05, n.size)
    model = USLModel().fit(n, x)
    direct = optimize.least_squares(
        lambda p: usl_throughput(n, *p) - x,
        [0.03, 4e-4, 40.0],
        bounds=([0, 0, 0], [1, np.inf, np.inf]),
        x_scale="jac",
        xtol=1e-12,
        ftol=1e-12,
    )
    ours = float(((model.throughput(n) - x) ** 2).sum())
    assert ours <= 2 * direct.cost * (1 + 1e-9)
    assert (model.sigma_, model.kappa_, model.gamma_) == pytest.approx(tuple(direct.x), rel=1e-4)
