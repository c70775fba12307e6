"""What-if runs reuse the simulated paths of an earlier run on the same fits: the answer is
the one a fresh run gives, to the cent, only faster."""

from __future__ import annotations

import numpy as np
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


def _scenarios(price: float) -> tuple[Settings, list[Scenario]]:
    settings = Settings(horizon_months=12, samples=200, seed=0)
    cut = Scenario(name="cheaper", price=PriceChange(change=price, start="2027-01"))
    return settings, [Scenario(name="baseline"), cut]


def _run(world, fits, price):
    return tco_run.run_tco(world["store"], world["path"], scenarios=_scenarios(price),
                           series=world["series"], fits=fits)  # fmt: skip


def test_a_second_what_if_on_the_same_fits_equals_a_fresh_run(world):
    fits = fit_series(world["series"], world["workloads"], "day", random_state=0)
    _run(world, fits, -0.05)  # fills the kept monthly sums
    assert tco_run._kept_for(next(f for f in fits.values() if f.curve is not None))
    reused = _run(world, fits, -0.10)
    tco_run._MONTHLY.clear()
    tco_run._UNCLAIMED.clear()
    fresh = _run(world, fits, -0.10)
    # equal but for the last bits of a parallel sum over the store (two fresh runs differ
    # the same way): far below a cent
    assert _close(reused, fresh)


def _close(a, b) -> bool:
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(_close(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(_close(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, float):
        return a == pytest.approx(b, rel=1e-9, abs=1e-6)
    return a == b


def test_kept_sums_die_with_their_fits(world):
    import gc

    fits = fit_series(world["series"], world["workloads"], "day", random_state=0)
    _run(world, fits, -0.05)
    ids = {id(f) for f in fits.values()}
    assert ids & set(tco_run._MONTHLY)
    del fits
    gc.collect()
    assert not ids & set(tco_run._MONTHLY)


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
