"""The whole cost projection backtested on the bundled sample: from cutoffs in its history,
monthly P10-P90 bands of the baseline hold 70-90% of the months that followed; and the
pieces that make the bands (monthly load band, draws shared across workloads)."""

from __future__ import annotations

import numpy as np
import pytest

from forecaster.tco.backtest import backtest_projection, summarize
from forecaster.tco.projection import (
    Z80,
    MonthlyBand,
    band_paths,
    error_correlation,
    factor_draws,
)

CUTOFFS = ["2025-11", "2026-01", "2026-03", "2026-05", "2026-07", "2026-09"]


@pytest.fixture(scope="module")
def backtest(sample_data):
    sample, store = sample_data
    return backtest_projection(store, sample / "workloads.toml", cutoffs=CUTOFFS, samples=200)


def by_currency(result, currency):
    return summarize([r for r in result["rows"] if r["currency"] == currency])


@pytest.mark.slow
def test_bands_through_the_cost_curves_hold_70_to_90_percent_of_actual_months(backtest):
    # USD: five workloads through their curves plus the unclaimed cost by time.
    usd = by_currency(backtest, "USD")
    for months_ahead in (3, 6, 12):
        assert 0.70 <= usd[months_ahead]["coverage_p10_p90"] <= 0.90, usd
    assert usd[3]["width_pct"] < usd[12]["width_pct"]  # wider further ahead


@pytest.mark.slow
def test_cost_by_time_alone_is_covered_too(backtest):
    # EUR: no workload, forecast by time from under two years of months (wide fallback).
    eur = by_currency(backtest, "EUR")
    for months_ahead in (3, 6, 12):
        assert 0.70 <= eur[months_ahead]["coverage_p10_p90"] <= 0.97, eur


@pytest.mark.slow
def test_every_month_scored_is_after_its_cutoff_and_has_an_actual(backtest):
    rows = backtest["rows"]
    assert rows and all(r["month"] >= r["cutoff"] for r in rows)
    assert all(r["p10"] <= r["p50"] <= r["p90"] for r in rows)
    assert {r["months_ahead"] for r in rows} == set(range(1, 13))


def test_band_paths_put_the_band_at_p10_and_p90_of_each_month():
    band = MonthlyBand(lo=np.array([-0.1, -0.2]), hi=np.array([0.1, 0.3]), errors={}, origins=9)
    fc = {"mean": np.full(4, 100.0)}
    z = np.random.default_rng(0).standard_normal(20000)
    paths = band_paths(fc, band, np.array([0, 0, 1, 1]), z)
    p10, p90 = np.percentile(paths, [10, 90], axis=0)
    assert p10 == pytest.approx(100 * np.exp([-0.1, -0.1, -0.2, -0.2]), rel=0.01)
    assert p90 == pytest.approx(100 * np.exp([0.1, 0.1, 0.3, 0.3]), rel=0.01)
    assert np.corrcoef(paths[:, 0], paths[:, 3])[0, 1] > 0.95  # one draw for every month


def test_factor_draws_have_the_correlation_asked_for_and_unit_variance():
    z = np.random.default_rng(1).standard_normal(50000)
    a, b = factor_draws(z, 0.4, seed=3, index=0), factor_draws(z, 0.4, seed=3, index=1)
    assert np.corrcoef(a, b)[0, 1] == pytest.approx(0.4, abs=0.02)
    assert np.std(a) == pytest.approx(1.0, abs=0.02)
    assert factor_draws(z, 1.0, 3, 0) is z


def band_with(errors: dict) -> MonthlyBand:
    return MonthlyBand(lo=np.array([-Z80]), hi=np.array([Z80]), errors=errors, origins=len(errors))


def test_the_error_correlation_is_measured_only_from_enough_shared_origins():
    rng = np.random.default_rng(2)
    common = rng.normal(size=60)
    a = {(m, 1): float(common[m] + rng.normal()) for m in range(60)}
    b = {(m, 1): float(common[m] + rng.normal()) for m in range(60)}
    assert error_correlation([band_with(a), band_with(b)]) == pytest.approx(0.5, abs=0.2)
    short = {k: v for k, v in a.items() if k[0] < 24}
    assert error_correlation([band_with(short), band_with(b)]) == 1.0  # two years: one draw
    assert error_correlation([band_with(a)]) == 1.0
