"""What-if runs transform the kept baseline paths (``baseline_paths``) instead of drawing
them again: the answer is the one a fresh run gives, to the cent, only faster."""

from __future__ import annotations

import pickle
from datetime import timedelta

import numpy as np
import polars as pl
import pytest

from forecaster.portfolio import fit_series
from forecaster.tco import run as tco_run
from forecaster.tco.scenarios import PriceChange, Scenario, Settings
from forecaster.workloads import load_workloads, workload_series


@pytest.fixture(scope="module")
def world(sample_data):
    sample, store = sample_data
    workloads = load_workloads(sample / "workloads.toml")
    series = workload_series(store, workloads, "day")
    return {"store": store, "path": sample / "workloads.toml", "series": series,
            "workloads": workloads}  # fmt: skip


def _scenarios(price: float, growth: float | None = None, months: int = 12):
    settings = Settings(horizon_months=months, samples=200, seed=0)
    cut = Scenario.of("cheaper", price=PriceChange(change=price, start="2027-01"))
    grown = Scenario.of("grown", growth={"*": growth} if growth is not None else {})
    return settings, [Scenario(name="baseline"), cut, grown]


def _run(world, fits, price, paths=None, growth=None, months=12):
    return tco_run.run_tco(world["store"], world["path"], series=world["series"], fits=fits,
                           scenarios=_scenarios(price, growth, months),
                           paths=paths).as_dict()  # fmt: skip


@pytest.fixture(scope="module")
def kept(world):
    fits = fit_series(world["series"], world["workloads"], "day", random_state=0)
    paths = tco_run.baseline_paths(world["store"], world["workloads"], 12, samples=200, seed=0,
                                   series=world["series"], fits=fits)  # fmt: skip
    return fits, paths


@pytest.mark.parametrize("growth", [None, 0.25])
def test_a_what_if_on_kept_paths_equals_a_fresh_run(world, kept, growth):
    fits, paths = kept
    reused = _run(world, fits, -0.10, paths, growth)
    again = _run(world, fits, -0.10, paths, growth)  # the grown paths now from memory
    fresh = _run(world, fits, -0.10, None, growth)
    assert reused == again
    # equal but for the last bits of a parallel sum over the store (two fresh runs differ
    # the same way): far below a cent
    assert _close(reused, fresh)


def test_kept_paths_survive_a_pickle_as_the_disk_cache_keeps_them(world, kept):
    fits, paths = kept
    _run(world, fits, -0.05, paths, 0.1)  # fills the memory-only caches
    restored = pickle.loads(pickle.dumps(paths))
    assert not restored._grown and not restored._daily
    assert restored._time_only.keys() == paths._time_only.keys()
    assert _run(world, fits, -0.05, restored, 0.1) == _run(world, fits, -0.05, paths, 0.1)


def test_paths_for_other_fits_or_draws_are_not_used(world, kept):
    fits, paths = kept
    last_day = paths.horizon.days[0] - timedelta(days=1)
    assert paths.fits(fits, last_day, 12, 200, 0)
    assert not paths.fits(fits, last_day, 24, 200, 0)
    assert not paths.fits(fits, last_day, 12, 300, 0)
    assert not paths.fits(fits, last_day, 12, 200, 1)
    assert not paths.fits(fits, last_day - timedelta(days=1), 12, 200, 0)
    refit = fit_series(world["series"].filter(pl.col("period_start") < pl.col("period_start")
                       .max()), world["workloads"], "day", random_state=0)  # fmt: skip
    assert not paths.fits(refit, last_day, 12, 200, 0)


def test_paths_for_another_horizon_are_drawn_again(world, kept):
    fits, paths = kept
    assert len(paths.horizon.months) == 12
    doc = _run(world, fits, -0.1, paths, months=24)
    assert len(doc["months"]) == 24 and _close(doc, _run(world, fits, -0.1, None, months=24))


def test_no_change_equals_the_baseline_exactly_with_kept_paths(world, kept):
    fits, paths = kept
    doc = _run(world, fits, -0.1, paths, growth=None)
    for c in doc["currencies"]:
        base, same = c["scenarios"][0], c["scenarios"][2]
        assert same["monthly"] == base["monthly"] and same["npv"] == base["npv"]


def _close(a, b) -> bool:
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(_close(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(_close(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, float):
        return a == pytest.approx(b, rel=1e-9, abs=1e-6)
    return a == b


def test_sample_paths_draws_what_sample_predictions_draws(world):
    fits = fit_series(world["series"], world["workloads"], "day", random_state=0)
    curve = fits["search"].curve
    level = float(world["series"].filter(world["series"]["workload"] == "search")["load"].mean())
    days = np.arange(1, 61, dtype=float)
    loads = np.full((4000, days.size), level)
    vectorized = curve.sample_paths(loads, np.random.default_rng(1), days_ahead=days)
    rng = np.random.default_rng(2)
    looped = np.vstack([curve.sample_predictions(p, 1, rng, days_ahead=days)[0] for p in loads])
    assert vectorized.shape == looped.shape == (4000, 60)
    assert vectorized.min() >= 0
    # same distribution: mean and spread agree within Monte Carlo error
    se = looped.std() / np.sqrt(looped.size)
    assert abs(vectorized.mean() - looped.mean()) < 6 * se + 1e-9 * looped.mean()
    assert vectorized.std() == pytest.approx(looped.std(), rel=0.05)


def test_time_terms_gathered_per_parameter_set_give_the_same_bits(world):
    fits = fit_series(world["series"], world["workloads"], "day", random_state=0)
    for fit in fits.values():
        if fit.curve is None:
            continue
        sol = fit.curve._boot if fit.curve._boot is not None else fit.curve._point.solution
        rng = np.random.default_rng(5)
        idx = rng.integers(0, sol.F.size, size=sol.F.size * 3)
        x = rng.uniform(0.5, 2.0, size=(idx.size, 90))
        tau = -np.arange(90, dtype=float)[::-1] / 90
        assert np.array_equal(sol.fitted_at(idx, x, tau), sol.take(idx).fitted(x, tau))
