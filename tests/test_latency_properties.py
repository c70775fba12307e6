"""Invariants of the latency curves and budgets, on random load tests."""

from __future__ import annotations

import numpy as np
import polars as pl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from forecaster.scaling.budget_load import budget_load
from forecaster.scaling.latency import fit_percentile
from forecaster.scaling.latency_budget import LatencyBudget
from forecaster.scaling.usl import USLModel

LOADS = np.array([1, 2, 4, 8, 12, 16, 24, 32], dtype=float)


@st.composite
def load_tests(draw) -> pl.DataFrame:
    sigma = draw(st.floats(0.0, 0.2))
    kappa = draw(st.floats(0.0, 0.002))
    gamma = draw(st.floats(1.0, 100.0))
    think = draw(st.floats(0.0, 200.0))
    ratio = draw(st.floats(1.2, 4.0))
    seed = draw(st.integers(0, 10_000))
    rng = np.random.default_rng(seed)
    x = gamma * LOADS / (1 + sigma * (LOADS - 1) + kappa * LOADS * (LOADS - 1))
    mean = 1000 * LOADS / x
    return pl.DataFrame(
        {
            "load": LOADS,
            "throughput": x * rng.lognormal(0, 0.02, LOADS.size),
            "latency_mean_ms": np.maximum(mean - think, 1.0),
            "latency_p95_ms": ratio * mean * rng.lognormal(0, 0.05, LOADS.size),
        }
    )


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(load_tests())
def test_curves_never_fall_and_higher_limits_hold_to_higher_loads(points):
    model = USLModel().fit(points["load"], points["throughput"])
    curve = fit_percentile(points, model, "p95")
    grid = np.linspace(1, 64, 300)
    fitted = curve.predict(grid)
    assert np.all(np.diff(fitted["mean"].to_numpy()) >= -1e-9 * fitted["mean"].max())
    assert np.all(fitted["lo"].to_numpy() <= fitted["mean"].to_numpy() + 1e-9)
    assert np.all(fitted["mean"].to_numpy() <= fitted["hi"].to_numpy() + 1e-9)
    lo, hi = float(points["latency_p95_ms"].min()), float(points["latency_p95_ms"].max())
    limits = np.linspace(lo, hi, 5)[1:-1]
    found = [budget_load(curve, LatencyBudget("p95", float(v))) for v in limits]
    loads = [f.load for f in found if f.load is not None]
    assert loads == sorted(loads)
    for f in found:
        if f.load is not None and f.load_ci[0] is not None and f.load_ci[1] is not None:
            assert f.load_ci[0] <= f.load <= f.load_ci[1]
