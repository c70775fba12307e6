"""TCO arithmetic and the scenario kinds' transforms checked by hand on small cases."""

from __future__ import annotations

import numpy as np
import pytest

from forecaster.tco import arithmetic as A
from forecaster.tco.scenarios import Commitment, Fix, PriceChange


def test_npv_of_a_level_payment_is_the_annuity_value():
    # 100 a month for 12 months at 12% a year: monthly rate i = 1.12 ** (1/12) - 1 = 0.0094888;
    # annuity value 100 * (1 - 1/1.12) / i = 100 * 0.1071429 / 0.0094888 = 1,129.15
    monthly = np.full((1, 12), 100.0)
    assert A.npv(monthly, 0.12)[0] == pytest.approx(1129.15, abs=0.01)
    assert A.npv(monthly, 0.0)[0] == pytest.approx(1200.0)


def test_break_even_is_the_month_cumulative_saving_turns_and_stays_positive():
    # baseline 100 a month; the fix costs 300 once in month 1 and then 60 a month:
    # cumulative saving = 40 k - 300 -> -260, -220, ..., -20 (month 7), +20 (month 8)
    base = np.full((1, 12), 100.0)
    fixed = np.full((1, 12), 60.0)
    fixed[0, 0] += 300.0
    index, probability = A.break_even(base, fixed)
    assert index == 7  # the 8th month
    assert probability == 1.0


def test_no_break_even_when_the_scenario_never_catches_up():
    base = np.full((1, 6), 100.0)
    worse = np.full((1, 6), 90.0)
    worse[0, 0] += 1000.0
    assert A.break_even(base, worse) == (None, 0.0)


def test_a_saving_that_later_reverses_breaks_even_only_after_it_stays_ahead():
    base = np.array([[100.0, 100.0, 100.0, 100.0]])
    scenario = np.array([[50.0, 200.0, 50.0, 50.0]])  # saving: +50, -50, 0, +50
    assert A.break_even(base, scenario)[0] == 2


def test_break_even_never_precedes_the_month_the_change_takes_effect():
    # a fix live from month 3 with no migration cost: the cumulative saving is 0 (not
    # behind) in months 0-2, yet nothing has paid for itself before the fix exists
    base = np.full((1, 6), 100.0)
    scenario = np.array([[100.0, 100.0, 100.0, 80.0, 80.0, 80.0]])
    assert A.break_even(base, scenario)[0] == 0  # the bare rule, without the start
    assert A.break_even(base, scenario, not_before=3)[0] == 3
    # a change that starts after the horizon breaks even within it never
    assert A.break_even(base, base - 0.0, not_before=6)[0] is None


def test_fix_removes_idle_share_excess_and_unit_cost_from_its_month_on():
    cost = np.array([[150.0, 150.0]])  # fixed 50 + excess 20 + variable 80
    excess = np.array([[20.0, 20.0]])
    live = np.array([False, True])
    fix = Fix("w", "2027-01", idle_reduction=0.5, linear=True, unit_cost_cut=0.25)
    out = fix.transform(cost, 50.0, excess, live)
    # day 2: 50 * 0.5 + 0 + 80 * 0.75 = 85
    assert out.tolist() == [[150.0, 85.0]]


def test_commitment_pays_the_committed_amount_even_when_usage_falls():
    monthly = np.array([[1000.0, 1000.0, 400.0, 1000.0]])
    c = Commitment(coverage=0.6, discount=0.25, term_months=2, start=None)
    out = c.transform(monthly, start=1)
    # committed 600 at 450; month 2: 400 on demand + 450; month 3: 0 + 450 (unused)
    assert out.tolist() == [[1000.0, 850.0, 450.0, 1000.0]]


def test_price_change_applies_from_its_month():
    monthly = np.array([[100.0, 100.0, 100.0]])
    out = PriceChange(-0.05).transform(monthly, start=1)
    assert out.tolist() == [[100.0, 95.0, 95.0]]


def test_days_sum_into_calendar_months():
    daily = np.arange(1, 7, dtype=float)[None, :]
    out = A.to_months(daily, np.array([0, 0, 1, 1, 1, 2]), 3)
    assert out.tolist() == [[3.0, 12.0, 6.0]]


def test_bands_are_the_10th_50th_and_90th_percentiles():
    samples = np.arange(101, dtype=float)[:, None]
    b = A.bands(samples)
    assert (b["p10"][0], b["p50"][0], b["p90"][0]) == (10.0, 50.0, 90.0)
