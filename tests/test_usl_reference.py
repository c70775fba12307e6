"""The USL fit agrees with the published reference fits of Gunther's datasets.

Reference values: the R package ``usl`` 2.x (Stefan Möding, github.com/smoeding/usl),
whose fits estimate gamma together with sigma (its "alpha") and kappa ("beta") by
``nls``/``nlxb``; quoted from its ``tests/*.Rout.save`` files: summary.Rout.save and
usl-nlxb.Rout.save (specsdm91 coefficients, standard errors, R^2, residual standard
error), efficiency.Rout.save, fitted.Rout.save, peak-scalability.Rout.save,
confint.Rout.save (raytracer), coef.Rout.save and t02.Rout.save (small exact datasets).
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

from forecaster.scaling import USLModel


@pytest.mark.parametrize(
    ("attribute", "reference"),
    [("sigma_", 0.0277285), ("kappa_", 1.044e-4), ("gamma_", 89.9952330)],
)
def test_specsdm91_coefficients_within_one_percent(specsdm91, attribute, reference):
    assert getattr(specsdm91, attribute) == pytest.approx(reference, rel=0.01)


@pytest.mark.parametrize(
    ("name", "reference"),
    [("sigma", 0.0091217), ("kappa", 1.988e-5), ("gamma", 14.2134894)],
)
def test_specsdm91_standard_errors_within_one_percent(specsdm91, name, reference):
    assert specsdm91.stderr_[name] == pytest.approx(reference, rel=0.01)


def test_specsdm91_peak_within_one_unit_of_load(specsdm91):
    # peak.scalability(u) printed with signif(., 2): 97; from R's coefficients:
    reference = math.sqrt((1 - 0.0277285) / 1.044e-4)
    assert abs(specsdm91.peak_load_ - reference) < 1.0
    assert abs(specsdm91.peak_load_ - 97) < 1.0


def test_specsdm91_goodness_of_fit(specsdm91):
    assert specsdm91.r2_ == pytest.approx(0.9896, abs=1e-4)
    assert specsdm91.residual_std_ == pytest.approx(82.85, abs=0.01)
    assert specsdm91.dof_ == 4


def test_specsdm91_efficiency_per_point(specsdm91):
    reference = [0.7211, 0.6148, 0.5100, 0.2860, 0.1882, 0.1370, 0.0876]
    np.testing.assert_allclose(specsdm91.efficiency_, reference, atol=6e-5)


def test_specsdm91_fitted_values(specsdm91):
    reference = [90, 1078, 1541, 1850, 1879, 1822, 1646]
    np.testing.assert_allclose(specsdm91.fitted_, reference, atol=0.5)


def test_specsdm91_interval_is_two_sided_t_on_n_minus_3_dof(specsdm91):
    t = stats.t.ppf(0.975, 4)
    lo, hi = specsdm91.kappa_ci_
    assert lo == pytest.approx(1.044e-4 - t * 1.988e-5, rel=0.01)
    assert hi == pytest.approx(1.044e-4 + t * 1.988e-5, rel=0.01)


@pytest.mark.parametrize(("attribute", "reference"), [("sigma_", 0.0578), ("gamma_", 21.8488)])
def test_raytracer_coefficients_within_one_percent(raytracer, attribute, reference):
    assert getattr(raytracer, attribute) == pytest.approx(reference, rel=0.01)


def test_raytracer_kappa_is_zero_so_there_is_no_peak(raytracer):
    assert raytracer.kappa_ == pytest.approx(0.0, abs=1e-9)  # R: beta 0.0000
    assert raytracer.has_peak_ is False
    assert raytracer.peak_load_ is None
    assert raytracer.ceiling_kind_ == "asymptote"


def test_raytracer_ceiling_is_the_amdahl_asymptote(raytracer):
    assert raytracer.peak_throughput_ == pytest.approx(21.8488 / 0.0578, rel=0.01)
    assert raytracer.asymptote_throughput_ == raytracer.peak_throughput_


@pytest.mark.parametrize(
    ("name", "reference_ci"),
    [
        ("sigma", (0.033677, 0.081864)),
        ("kappa", (-0.000214, 0.000214)),
        ("gamma", (17.868380, 25.829306)),
    ],
)
def test_raytracer_standard_errors_reproduce_r_confint(raytracer, name, reference_ci):
    """R's confint prints estimate -/+ qt(level, n - 1) * se (a one-sided quantile on
    n - 1 dof); from our standard errors that formula gives R's numbers."""
    estimate = {"sigma": raytracer.sigma_, "kappa": raytracer.kappa_, "gamma": raytracer.gamma_}
    half = stats.t.ppf(0.95, len(raytracer.load_) - 1) * raytracer.stderr_[name]
    lo, hi = reference_ci
    assert estimate[name] - half == pytest.approx(lo, rel=0.01, abs=1e-6)
    assert estimate[name] + half == pytest.approx(hi, rel=0.01, abs=1e-6)


@pytest.mark.parametrize(
    ("load", "throughput", "sigma", "kappa", "peak"),
    [
        # coef.R: sigma = kappa = 0.02 (gamma 1)
        ([1, 2, 4, 6, 8, 10], [1, 1.8868, 3.0769, 3.5294, 3.5398, 3.3557], 0.02, 0.02, 7.0),
        # t02.R: sigma 0.5, kappa 0.125
        (
            [1, 3, 4, 12, 24, 48],
            [1, 1.090909, 1, 0.5217391, 0.2944785, 0.1566068],
            0.5,
            0.125,
            2.0,
        ),
    ],
)
def test_small_reference_datasets(load, throughput, sigma, kappa, peak):
    model = USLModel().fit(load, throughput)
    assert model.sigma_ == pytest.approx(sigma, rel=0.01)
    assert model.kappa_ == pytest.approx(kappa, rel=0.01)
    assert model.gamma_ == pytest.approx(1.0, rel=0.01)
    assert abs(model.peak_load_ - peak) < 1.0
