"""Per-period decomposition: cost = fixed + organic + scaling excess + residual, exactly."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from forecaster.curves import CostCurve, decompose, monthly_components
from tests.test_curves_support import Truth, synth

PARTS = ["fixed", "organic", "scaling_excess", "residual"]


@settings(max_examples=20, deadline=None)
@given(
    st.sampled_from(["auto", "linear", "power", "step"]),
    st.floats(0.8, 1.6),
    st.floats(0.0, 0.03),
    st.integers(0, 2**31),
)
def test_parts_sum_to_the_actual_cost_in_every_period(model, k, drift, seed) -> None:
    t = Truth(k=k, v=100 / 1000**k, drift=drift, seed=seed, n=200, outliers=0.02)
    curve = CostCurve(model=model, n_boot=0).fit(*synth(t))
    parts = decompose(curve)
    total = parts.select(pl.sum_horizontal(PARTS)).to_series().to_numpy()
    np.testing.assert_allclose(total, parts["cost"].to_numpy(), rtol=1e-12, atol=1e-9)


def test_linear_model_has_no_scaling_excess_and_organic_is_load_times_marginal() -> None:
    curve = CostCurve(model="linear").fit(*synth(Truth(seed=1)))
    parts = decompose(curve)
    assert (parts["scaling_excess"] == 0).all()
    np.testing.assert_allclose(parts["organic"], parts["load"] * curve.marginal_)
    assert (parts["fixed"] == curve.fixed_).all()


def test_power_excess_is_zero_at_the_reference_load_and_grows_above_it() -> None:
    curve = CostCurve(model="power").fit(*synth(Truth(k=1.3, v=100 / 1000**1.3, seed=2)))
    parts = decompose(curve).sort("load")
    load, excess = parts["load"].to_numpy(), parts["scaling_excess"].to_numpy()
    above = load > curve.reference_load_
    assert np.all(excess[above] > 0) and np.all(excess[~above] <= 1e-9)
    assert np.all(np.diff(excess[above]) >= -1e-9)


def test_drift_sits_in_the_residual_and_is_shown_in_its_own_column() -> None:
    curve = CostCurve().fit(*synth(Truth(drift=0.02, noise=0.005, seed=3)))
    parts = decompose(curve)
    assert parts["drift"][0] < 0 and parts["drift"][-1] == pytest.approx(0, abs=1e-9)
    np.testing.assert_allclose(parts["residual"] - parts["drift"], curve.residuals_, atol=1e-9)


def test_monthly_components_sum_periods_by_calendar_month() -> None:
    curve = CostCurve(n_boot=0).fit(*synth(Truth(n=90, seed=4)))
    parts = decompose(curve)
    months = monthly_components(parts, "api")
    assert months["month"].to_list() == ["2024-01", "2024-02", "2024-03"]
    assert months["item"].unique().to_list() == ["api"]
    assert months["cost"].sum() == pytest.approx(parts["cost"].sum())
    jan = parts.filter(pl.col("period_start").dt.month() == 1)
    assert months["organic"][0] == pytest.approx(jan["organic"].sum())
