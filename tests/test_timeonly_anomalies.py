"""Anomalies by time: a day far outside its own history's forecast band is flagged, in
money, with its service and account; a calm series raises few."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np

from forecaster.store import read_charges
from forecaster.timeonly.anomalies import LABEL, group_anomalies, time_only_anomalies


def _weekly(n: int, seed: int = 0) -> tuple[list[date], np.ndarray]:
    rng = np.random.default_rng(seed)
    days = [date(2026, 1, 1) + timedelta(days=i) for i in range(n)]
    week = np.array([100, 104, 103, 101, 99, 70, 68], dtype=float)
    cost = np.array([week[d.weekday()] for d in days]) * (1 + 0.02 * rng.standard_normal(n))
    return days, cost


def test_a_spike_is_flagged_with_its_excess_over_the_band():
    days, cost = _weekly(150)
    cost[140] *= 1.6
    found = group_anomalies(days, cost, 84)
    hit = [r for r in found if r["day"] == days[140]]
    assert hit and hit[0]["excess"] > 0.3 * hit[0]["expected"]
    assert hit[0]["cost"] > hit[0]["hi_95"]


def test_a_calm_series_raises_few_alarms():
    days, cost = _weekly(150, seed=3)
    assert len(group_anomalies(days, cost, 84)) <= 0.1 * 84


def test_the_bill_anomalies_name_service_and_account_and_say_time_only(sample_bill_store):
    found = time_only_anomalies(read_charges(sample_bill_store), groups=3)
    assert found.height > 0
    assert set(found["basis"].to_list()) == {LABEL}
    assert found["service"].null_count() == 0 and found["account"].null_count() == 0
    assert (found["excess"].abs() >= 0.005).all()
