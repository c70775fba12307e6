"""Findings are money per month: idle baseline, scaling excess, efficiency drift and
load-aware anomalies (a spike that traffic explains is not an anomaly)."""

from __future__ import annotations

import numpy as np
import pytest

from forecaster.curves import CostCurve
from forecaster.curves.findings import (
    all_findings,
    anomalies,
    efficiency_drift,
    idle_baseline,
    scaling_excess,
)
from tests.test_curves_support import Truth, synth


def test_idle_baseline_is_fixed_cost_per_month_with_interval_and_share() -> None:
    t = Truth(F=300.0, v=0.1, noise=0.005, growth=0.0, seed=1)
    curve = CostCurve().fit(*synth(t))
    found = idle_baseline(curve)
    assert found["amount_per_month"] == pytest.approx(300 * 30.4375, rel=0.03)
    lo, hi = found["ci"]
    assert lo <= found["amount_per_month"] <= hi
    assert found["share_of_cost"] == pytest.approx(300 / curve.current_cost_, rel=0.03)
    assert "per month at zero load" in found["detail"]


def test_scaling_excess_is_cost_above_the_linear_reference_line() -> None:
    t = Truth(F=50.0, k=1.3, v=100 / 1000**1.3, noise=0.005, seed=2)
    curve = CostCurve().fit(*synth(t))
    found = scaling_excess(curve)
    assert found is not None
    L0, Lr = curve.current_load_, curve.reference_load_
    truth = (t.v * L0**t.k - t.v * Lr ** (t.k - 1) * L0) * 30.4375
    assert found["amount_per_month"] == pytest.approx(truth, rel=0.15)
    assert (
        found["amount_per_month_at_5x"]
        > found["amount_per_month_at_2x"]
        > found["amount_per_month"]
    )


def test_efficiency_drift_reports_the_monthly_rise_at_equal_load() -> None:
    t = Truth(drift=0.02, noise=0.01, v=0.15, seed=3)
    curve = CostCurve().fit(*synth(t))
    found = efficiency_drift(curve)
    assert found is not None and found["p_value"] < 0.01
    L0 = curve.current_load_
    months = (t.n - 1) / 30.4375
    truth = t.v * L0 * (1.02**months - 1) * 30.4375  # now versus the window's start
    assert found["amount_per_month"] == pytest.approx(truth, rel=0.1)


def test_no_drift_gives_no_drift_finding() -> None:
    curve = CostCurve().fit(*synth(Truth(noise=0.01, seed=4)))
    assert efficiency_drift(curve) is None


def _with_events(seed: int):
    load, cost, starts = synth(Truth(noise=0.01, seed=seed, growth=0.0))
    t = Truth()
    load[100] *= 3.0  # traffic triples for a day: cost follows the curve
    cost[100] = t.F + t.v * load[100]
    cost[300] += 400.0  # a cost spike that load does not explain
    return load, cost, starts


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_unexplained_cost_spike_is_an_anomaly_and_a_traffic_spike_is_not(seed: int) -> None:
    load, cost, starts = _with_events(seed)
    found = anomalies(CostCurve().fit(load, cost, starts))
    days = [f["period_start"][:10] for f in found]
    assert "2024-10-27" in days  # day 300
    assert "2024-04-10" not in days  # day 100
    spike = next(f for f in found if f["period_start"].startswith("2024-10-27"))
    assert spike["amount_per_month"] == pytest.approx(400, rel=0.1)
    assert spike["interval"][1] < spike["cost"]


def test_clean_data_has_few_anomalies() -> None:
    found = anomalies(CostCurve().fit(*synth(Truth(noise=0.02, seed=9))))
    assert len(found) <= 3  # 99.9% intervals on 730 days: about 0.7 expected


def test_all_findings_are_money_per_month_in_kind_order() -> None:
    load, cost, starts = _with_events(0)
    found = all_findings(CostCurve().fit(load, cost, starts))
    kinds = [f["kind"] for f in found]
    assert kinds[0] == "idle_baseline" and kinds[-1] == "anomaly"
    assert all(np.isfinite(f["amount_per_month"]) for f in found)
