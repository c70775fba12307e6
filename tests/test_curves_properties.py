"""Property tests: on synthetic workloads with known F, v, k, drift, noise and outliers the
cost curve recovers the truth within stated tolerances, flags scaling excess exactly when
the truth scales worse than linearly, and is never decreasing in load.

Stated tolerances for the power model fitted to two years of daily data with k in 0.9..1.6,
F 20..200 USD a day, variable cost 100..300 USD a day at the starting load, noise 0.5-3% of
the mean variable cost, up to 2% of days with outliers of 8-20 noise sd and the unit cost
drifting up to +-2% a month (the worst of 360 such fits at the domain's corners is given in
brackets):
- exponent k within 0.15 (0.12);
- fixed cost F within 12% of the mean daily cost (0.09; F is an extrapolation to zero load);
- variable cost at current load within 15% (0.12);
- unit-cost drift within 0.3 percentage points a month (0.17).
Outside that domain (variable cost a small share of the total, noisier data, k < 0.9) F and
k trade off and are less precise; the intervals say so.
"""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from forecaster.curves import CostCurve
from forecaster.curves.findings import drift_test, scaling_excess
from tests.test_curves_support import DAYS_PER_MONTH, Truth, synth

FAST = settings(max_examples=25, deadline=None)

truths = st.builds(
    Truth,
    F=st.floats(20, 200),
    v=st.floats(50, 300),  # variable cost per day at load 1000 (rescaled for k below)
    k=st.one_of(st.sampled_from([1.0, 1.3]), st.floats(0.8, 1.6)),
    drift=st.sampled_from([0.0, 0.02, -0.01]),
    noise=st.floats(0.005, 0.03),
    outliers=st.sampled_from([0.0, 0.02]),
    seed=st.integers(0, 2**31),
)


def _scaled(t: Truth) -> Truth:
    """``t`` with v given as the variable cost at load 1000 turned into the curve's v."""
    return Truth(**{**t.__dict__, "v": t.v / t.load0**t.k})


recoverable = st.builds(
    Truth,
    F=st.floats(20, 200),
    v=st.floats(100, 300),
    k=st.one_of(st.sampled_from([1.0, 1.3]), st.floats(0.9, 1.6)),
    drift=st.sampled_from([0.0, 0.02, -0.01]),
    noise=st.floats(0.005, 0.03),  # here: a share of the mean variable cost
    outliers=st.sampled_from([0.0, 0.02]),
    seed=st.integers(0, 2**31),
)


def _noise_on_variable_cost(t: Truth) -> Truth:
    """``t`` with its noise restated from a share of variable cost to a share of all cost."""
    _, clean, _ = synth(Truth(**{**t.__dict__, "noise": 0.0, "outliers": 0.0}))
    share = (clean.mean() - t.F) / clean.mean()
    return Truth(**{**t.__dict__, "noise": t.noise * share})


@FAST
@given(recoverable)
def test_parameters_are_recovered_within_tolerance(raw: Truth) -> None:
    t = _noise_on_variable_cost(_scaled(raw))
    load, cost, starts = synth(t)
    curve = CostCurve(model="power").fit(load, cost, starts)
    mean = cost.mean()
    assert abs(curve.exponent_ - t.k) <= 0.15
    assert abs(curve.fixed_ - t.F) <= 0.12 * mean
    months = (t.n - 1) / DAYS_PER_MONTH
    true_var = t.v * curve.current_load_**t.k * (1 + t.drift) ** months
    est_var = curve.curve([curve.current_load_])[0] - curve.fixed_
    assert abs(est_var - true_var) <= 0.15 * true_var
    drift_per_month = np.exp(curve.params_["g"] * DAYS_PER_MONTH) - 1
    assert abs(drift_per_month - t.drift) <= 0.003


@FAST
@given(truths.map(lambda t: Truth(**{**t.__dict__, "k": 1.0})))
def test_linear_truth_is_not_flagged_as_scaling_excess(raw: Truth) -> None:
    t = _scaled(raw)  # the whole domain, noisy corners included: never a false flag
    curve = CostCurve().fit(*synth(t))
    assert scaling_excess(curve) is None


@FAST
@given(recoverable.map(lambda t: Truth(**{**t.__dict__, "k": 1.3})))
def test_exponent_1_3_is_flagged_as_scaling_excess(raw: Truth) -> None:
    t = _noise_on_variable_cost(_scaled(raw))
    curve = CostCurve().fit(*synth(t))
    found = scaling_excess(curve)
    assert found is not None
    assert found["exponent_ci"][0] > 1.0
    assert (
        0
        < found["amount_per_month"]
        < found["amount_per_month_at_2x"]
        < found["amount_per_month_at_5x"]
    )


def test_drift_test_false_positive_rate_is_close_to_its_level() -> None:
    """40 fixed seeds without drift: the 1% drift test fires on at most 3 of them."""
    fired = 0
    for seed in range(40):
        t = _scaled(Truth(F=60.0, v=120.0, noise=0.015, seed=seed))
        fired += drift_test(CostCurve().fit(*synth(t)))[1] < 0.01
    assert fired <= 3


@FAST
@given(
    truths,
    st.sampled_from(["auto", "linear", "power", "step"]),
    st.sampled_from(["unit", "fixed", None]),
)
def test_fitted_curve_is_non_decreasing_in_load(raw: Truth, model: str, drift) -> None:
    t = _scaled(raw)
    load, cost, starts = synth(t)
    curve = CostCurve(model=model, drift=drift, n_boot=50).fit(load, cost, starts)
    grid = np.linspace(0, 6 * load.max(), 400)
    mean = curve.predict(grid)["mean"].to_numpy()
    assert np.all(np.diff(mean) >= -1e-12 * mean.max())
    assert curve.fixed_ >= 0 and curve.marginal_ >= 0
    boot = curve.boot_params_
    assert np.all(boot["v"] >= 0) and np.all(boot["F"] >= 0)
    if "k" in boot:
        assert np.all(boot["k"] > 0)


@settings(max_examples=15, deadline=None)
@given(st.floats(0.005, 0.05), st.integers(0, 2**31))
def test_rising_unit_cost_is_found_as_efficiency_drift(rate: float, seed: int) -> None:
    t = _scaled(Truth(drift=rate, noise=0.01, seed=seed, v=150.0))
    curve = CostCurve().fit(*synth(t))
    d, p = drift_test(curve)
    assert d > 0 and p < 0.01
