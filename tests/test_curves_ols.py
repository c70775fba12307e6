"""The least-squares path of the linear model is ordinary least squares: it agrees with
statsmodels OLS to 1e-6 (parameters, fitted values, R^2), with and without a drift term.

Design choice (docs/architecture.md, Cost curves): the default loss is Huber's, which
down-weights outliers and therefore is *not* OLS; ``loss="linear"`` with
``variance="constant"`` is the exact least-squares path that this test pins down.
"""

from __future__ import annotations

import numpy as np
import pytest
import statsmodels.api as sm

from forecaster.curves import CostCurve
from tests.test_curves_support import Truth, synth


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("noise", [0.005, 0.05])
def test_linear_least_squares_equals_statsmodels_ols(seed: int, noise: float) -> None:
    load, cost, _ = synth(Truth(noise=noise, seed=seed, outliers=0.01))
    curve = CostCurve(model="linear", loss="linear", variance="constant", drift=None, n_boot=0)
    curve.fit(load, cost)
    ols = sm.OLS(cost, sm.add_constant(load)).fit()
    assert curve.fixed_ == pytest.approx(ols.params[0], rel=1e-6)
    assert curve.marginal_ == pytest.approx(ols.params[1], rel=1e-6)
    assert curve.r2_ == pytest.approx(ols.rsquared, rel=1e-6)
    np.testing.assert_allclose(curve.fitted_, ols.fittedvalues, rtol=1e-6)


@pytest.mark.parametrize("seed", [0, 1])
def test_linear_least_squares_with_fixed_drift_equals_ols_on_load_and_days(seed: int) -> None:
    load, cost, starts = synth(Truth(noise=0.02, seed=seed))
    cost = cost + 0.05 * np.arange(cost.size)  # fixed cost rising 5 cents a day
    curve = CostCurve(model="linear", loss="linear", variance="constant", drift="fixed", n_boot=0)
    curve.fit(load, cost, starts)
    days = np.arange(cost.size, dtype=float) - (cost.size - 1)  # days before the last period
    ols = sm.OLS(cost, np.column_stack([np.ones_like(load), load, days])).fit()
    assert curve.fixed_ == pytest.approx(ols.params[0], rel=1e-6)
    assert curve.marginal_ == pytest.approx(ols.params[1], rel=1e-6)
    assert curve.params_["d"] == pytest.approx(ols.params[2], rel=1e-6)
    np.testing.assert_allclose(curve.fitted_, ols.fittedvalues, rtol=1e-6)


def test_huber_fit_resists_outliers_that_drag_ols() -> None:
    load, cost, _ = synth(Truth(F=50, noise=0.01, outliers=0.0, seed=5))
    spiky = cost.copy()
    spiky[np.argsort(load)[:15]] += 400  # cost spikes on the quietest days pull OLS's F up
    huber = CostCurve(model="linear", drift=None, n_boot=0).fit(load, spiky)
    ols = sm.OLS(spiky, sm.add_constant(load)).fit()
    assert abs(huber.fixed_ - 50) < 5
    assert abs(ols.params[0] - 50) > 3 * abs(huber.fixed_ - 50)
