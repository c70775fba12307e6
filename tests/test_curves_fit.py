"""CostCurve behaves like a scikit-learn estimator and its outputs have fixed names."""

from __future__ import annotations

import numpy as np
import pytest

from forecaster.curves import CostCurve, fit_workload
from tests.test_curves_support import Truth, frame, synth


@pytest.fixture(scope="module")
def power_curve() -> CostCurve:
    t = Truth(k=1.3, v=100 / 1000**1.3, noise=0.01, seed=3)
    return CostCurve().fit(*synth(t))


def test_fit_returns_self_and_sets_attributes_ending_in_underscore() -> None:
    curve = CostCurve(n_boot=20)
    assert curve.fit(*synth(Truth(n=120))) is curve
    for name in ("model_", "params_", "fixed_", "marginal_", "exponent_", "ci_", "r2_", "sigma_"):
        assert hasattr(curve, name)
    assert not hasattr(CostCurve(), "model_")


def test_init_only_stores_parameters() -> None:
    curve = CostCurve(model="power", n_boot=7, random_state=3)
    assert (curve.model, curve.n_boot, curve.random_state) == ("power", 7, 3)


def test_power_truth_gives_the_power_model(power_curve: CostCurve) -> None:
    assert power_curve.model_ == "power"
    lo, hi = power_curve.ci_["k"]
    assert lo < power_curve.exponent_ < hi
    assert 1.0 < lo


def test_predict_returns_mean_and_nested_intervals(power_curve: CostCurve) -> None:
    pred = power_curve.predict([500.0, 1500.0, 3000.0])
    assert pred.columns == ["load", "mean", "lo_80", "hi_80", "lo_95", "hi_95"]
    assert (pred["lo_95"] <= pred["lo_80"]).all() and (pred["lo_80"] < pred["mean"]).all()
    assert (pred["mean"] < pred["hi_80"]).all() and (pred["hi_80"] <= pred["hi_95"]).all()


def test_predict_accepts_other_levels(power_curve: CostCurve) -> None:
    assert power_curve.predict([1000.0], level=(50, 99.5)).columns == [
        "load",
        "mean",
        "lo_50",
        "hi_50",
        "lo_99_5",
        "hi_99_5",
    ]


def test_prediction_interval_covers_fresh_data_at_about_its_level() -> None:
    t = Truth(noise=0.02, seed=11)
    curve = CostCurve().fit(*synth(t))
    fresh_load, fresh_cost, _ = synth(Truth(noise=0.02, seed=12))
    pred = curve.predict(fresh_load, level=(80,))
    inside = (fresh_cost >= pred["lo_80"].to_numpy()) & (fresh_cost <= pred["hi_80"].to_numpy())
    assert 0.7 <= inside.mean() <= 0.9


def test_sample_predictions_shape_reproducibility_and_spread(power_curve: CostCurve) -> None:
    load = np.array([800.0, 1600.0, 3200.0])
    a = power_curve.sample_predictions(load, 4000, rng=np.random.default_rng(5))
    b = power_curve.sample_predictions(load, 4000, rng=np.random.default_rng(5))
    assert a.shape == (4000, 3)
    np.testing.assert_array_equal(a, b)
    pred = power_curve.predict(load, level=(95,))
    np.testing.assert_allclose(a.mean(axis=0), pred["mean"].to_numpy(), rtol=0.01)
    q = np.quantile(a, [0.025, 0.975], axis=0)
    np.testing.assert_allclose(q[0], pred["lo_95"].to_numpy(), rtol=0.03)
    np.testing.assert_allclose(q[1], pred["hi_95"].to_numpy(), rtol=0.03)


def test_bootstrap_is_seeded_and_reproducible() -> None:
    data = synth(Truth(k=1.3, v=100 / 1000**1.3, seed=4))
    a = CostCurve(random_state=1).fit(*data).ci_
    b = CostCurve(random_state=1).fit(*data).ci_
    c = CostCurve(random_state=2).fit(*data).ci_
    assert a == b
    assert a != c


def test_step_data_gives_the_step_model_and_its_capacity() -> None:
    load, _, starts = synth(Truth(n=365, seed=2))
    rng = np.random.default_rng(2)
    cost = 20 + 50 * np.ceil(load / 400) + rng.normal(0, 2, load.size)
    curve = CostCurve().fit(load, cost, starts)
    assert curve.model_ == "step"
    assert curve.capacity_ == pytest.approx(400, rel=0.01)
    assert curve.marginal_ == pytest.approx(50, rel=0.05)
    assert curve.exponent_ is None


@pytest.mark.parametrize("k", [1.0, 1.3])
def test_smooth_data_never_gives_the_step_model(k: float) -> None:
    curve = CostCurve().fit(*synth(Truth(k=k, v=100 / 1000**k, seed=8)))
    assert curve.model_ != "step"


@pytest.mark.parametrize(
    ("grain", "per_day"), [("hour", 24.0), ("day", 1.0), ("month", 1 / 30.4375)]
)
def test_per_day_figures_follow_the_grain(grain: str, per_day: float) -> None:
    out = fit_workload(frame(Truth(n=120, seed=1)), name="w", grain=grain, n_boot=20)
    assert out["fixed_cost_per_day"] == pytest.approx(out["params"]["F"] * per_day)
    assert out["fixed_cost_per_month"] == pytest.approx(out["fixed_cost_per_day"] * 30.4375)


def test_workload_object_has_the_cli_fields() -> None:
    out = fit_workload(frame(Truth(seed=6)), name="checkout")
    for key in (
        "name",
        "model",
        "fixed_cost_per_day",
        "fixed_cost_ci",
        "marginal_cost",
        "exponent",
        "exponent_ci",
        "r2",
        "findings",
    ):
        assert key in out
    assert out["name"] == "checkout" and out["model"] == "linear"
    assert out["exponent"] == 1.0 and out["exponent_ci"] == [1.0, 1.0]
    lo, hi = out["fixed_cost_ci"]
    assert lo <= out["fixed_cost_per_day"] <= hi
    for f in out["findings"]:
        assert set(f) >= {"kind", "amount_per_month", "detail"}
        assert f["kind"] in {"idle_baseline", "scaling_excess", "efficiency_drift", "anomaly"}


def test_fit_on_polars_series_and_lists() -> None:
    load, cost, _ = synth(Truth(n=60))
    a = CostCurve(n_boot=0, drift=None).fit(list(load), list(cost))
    b = CostCurve(n_boot=0, drift=None).fit(load, cost)
    assert a.params_ == b.params_


def test_days_ahead_extrapolates_the_unit_cost_drift() -> None:
    curve = CostCurve().fit(*synth(Truth(drift=0.02, noise=0.005, seed=7)))
    now, later = (
        curve.predict([2000.0])["mean"][0],
        curve.predict([2000.0], days_ahead=30.4375)["mean"][0],
    )
    variable_now = now - curve.fixed_
    assert later - now == pytest.approx(0.02 * variable_now, rel=0.1)


def test_fit_workloads_in_processes_matches_one_by_one() -> None:
    from forecaster.curves import fit_workloads

    items = [(f"w{i}", frame(Truth(n=120, seed=i))) for i in range(4)]
    parallel = fit_workloads(items, n_jobs=2, n_boot=30)
    serial = [fit_workload(df, name=name, n_boot=30) for name, df in items]
    assert [w["name"] for w in parallel] == ["w0", "w1", "w2", "w3"]
    assert parallel == serial
