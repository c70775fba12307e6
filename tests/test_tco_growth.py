"""A growth change is a transform of the kept draws (``forecaster.tco.grown``): the same
parameter draws and daily noise as the baseline, the cost curve re-evaluated per path and
day on the grown load, so it is what a full redraw gives and nothing is simulated again."""

from __future__ import annotations

import dataclasses

import numpy as np
import polars as pl
import pytest

from forecaster.curves.fit import CostCurve
from forecaster.portfolio import fit_series
from forecaster.tco import grown
from forecaster.tco import paths as tco_paths
from forecaster.tco import run as tco_run
from forecaster.tco.arithmetic import to_months
from forecaster.tco.grown import GrowthKit
from forecaster.tco.projection import growth_factor
from forecaster.tco.scenarios import Fix, Scenario, Settings
from forecaster.workloads import load_workloads, workload_series

GHOST = """
[[workload]]
name = "ghost"
currency = "USD"
[workload.cost]
services = ["No Such Service"]
[workload.load]
metric = "no-such-metric"
unit = "requests"
aggregation = "sum"
"""


def _curve(model: str, drift: str | None, seed: int = 0) -> CostCurve:
    rng = np.random.default_rng(seed)
    n = 240
    start = np.datetime64("2025-01-01T00:00:00")
    days = start + np.arange(n).astype("timedelta64[D]")
    load = 1000 * (1 + np.arange(n) / n) * rng.lognormal(0, 0.15, n)
    if model == "step":
        cost = 50 + 40 * np.ceil(load / 400)
    elif model == "power":
        cost = 50 + 0.02 * load**1.4
    else:
        cost = 50 + 0.3 * load
    cost = cost * (1 + 0.0005 * np.arange(n)) * rng.lognormal(0, 0.03, n)
    return CostCurve(model=model, drift=drift, n_boot=30, random_state=seed).fit(
        load, cost, days.astype("datetime64[us]")
    )


@pytest.mark.parametrize("drift", ["unit", "fixed", None])
@pytest.mark.parametrize("model", ["linear", "power", "step"])
def test_a_kit_gives_the_paths_a_full_redraw_gives_at_any_growth(model, drift):
    curve = _curve(model, drift)
    rng = np.random.default_rng(3)
    load = rng.uniform(800, 2600, size=(64, 90))
    days = np.arange(1, 91, dtype=float)
    kit = GrowthKit.draw(curve, load, np.random.default_rng(11))
    for factor in (np.ones(90), np.exp(np.linspace(0.0, 0.4, 90)), np.full(90, 0.3)):
        redrawn = curve.sample_paths(load * factor[None, :], np.random.default_rng(11), days)
        got = kit.cost(factor)
        assert got.min() >= 0.0  # the zero clip, per day
        np.testing.assert_allclose(got, redrawn, rtol=1e-12, atol=1e-9 * redrawn.max())
        month_of_day = np.arange(90) // 30
        assert np.array_equal(kit.monthly(factor, month_of_day, 3),
                              to_months(got, month_of_day, 3))  # fmt: skip


@pytest.fixture(scope="module")
def world(sample_data):
    sample, store = sample_data
    workloads = load_workloads(sample / "workloads.toml")
    series = workload_series(store, workloads, "day")
    fits = fit_series(series, workloads, "day", random_state=0)
    return {"store": store, "path": sample / "workloads.toml", "series": series,
            "workloads": workloads, "fits": fits}  # fmt: skip


def _run(world, scenarios, paths=None, fits=None, months=12):
    settings = Settings(horizon_months=months, samples=200, seed=0)
    return tco_run.run_tco(world["store"], world["path"], series=world["series"],
                           fits=fits or world["fits"], scenarios=(settings, scenarios),
                           paths=paths)  # fmt: skip


def _kept(world):
    paths = tco_run.baseline_paths(world["store"], world["workloads"], 12, samples=200, seed=0,
                                   series=world["series"], fits=world["fits"])  # fmt: skip
    paths.prepare(world["fits"])
    return paths


def test_grown_paths_are_the_workloads_redrawn_through_their_curves(world):
    paths = _kept(world)
    fits = world["fits"]
    for name in paths.names:
        factor = growth_factor(paths.forecasts[name]["mean"], 0.4)
        redrawn = paths._draw(fits, name, 0.4, excess=False).cost  # the old full redraw
        np.testing.assert_allclose(paths.kit(fits, name).cost(factor), redrawn, rtol=1e-12,
                                   atol=1e-9 * redrawn.max())  # fmt: skip


def test_kits_prepared_with_a_pause_are_the_kits_prepared_without(world):
    """A server pauses the kits between requests; the draws do not depend on it."""
    plain, paused = _kept(world), tco_run.baseline_paths(
        world["store"], world["workloads"], 12, samples=200, seed=0,
        series=world["series"], fits=world["fits"])  # fmt: skip
    pauses: list[int] = []
    paused.prepare(world["fits"], pause=lambda: pauses.append(1))
    assert len(pauses) == len(paused.names) and paused.kits_ready()
    for name in plain.names:
        factor = growth_factor(plain.forecasts[name]["mean"], 0.3)
        a, b = plain.kit(world["fits"], name), paused.kit(world["fits"], name)
        np.testing.assert_array_equal(a.cost(factor), b.cost(factor))
        np.testing.assert_array_equal(a.noise, b.noise)


def test_a_growth_change_on_prepared_kits_simulates_nothing(world, monkeypatch):
    paths = _kept(world)
    assert paths.kits_ready()
    scenarios = [Scenario("baseline"), Scenario.of("grown", growth={"*": 0.35})]
    fresh = _run(world, scenarios).currency("USD").scenarios[1]

    def no_draw(*args, **kwargs):
        raise AssertionError("a growth change drew new random numbers")

    monkeypatch.setattr(tco_paths, "simulate_workload", no_draw)
    monkeypatch.setattr(GrowthKit, "draw", no_draw)
    monkeypatch.setattr(grown.np.random, "default_rng", no_draw)
    base, after = _run(world, scenarios, paths).currency("USD").scenarios
    assert after.cumulative != base.cumulative
    assert after.cumulative.p50 == pytest.approx(fresh.cumulative.p50, rel=1e-12)


def test_growth_on_kept_kits_equals_a_fresh_run_to_the_cent(world):
    scenarios = [Scenario("baseline"), Scenario.of("grown", growth={"*": 0.5, "search": -0.2})]
    kept = _run(world, scenarios, _kept(world)).as_dict()
    fresh = _run(world, scenarios).as_dict()  # the CLI's path: no kept paths, no kept kits

    def cents(doc):
        return [
            (c["currency"], s["name"], m["month"], *(round(m[p] * 100) for p in ("p10", "p50", "p90")))
            for c in doc["currencies"]
            for s in c["scenarios"]
            for m in s["monthly"]
        ] + [(s["name"], round(s["npv"]["p50"] * 100)) for c in doc["currencies"]
             for s in c["scenarios"]]  # fmt: skip

    assert cents(kept) == cents(fresh)


def test_no_change_still_equals_the_baseline_exactly_beside_a_growth_change(world):
    scenarios = [Scenario("baseline"), Scenario.of("grown", growth={"*": 0.3}), Scenario("same")]
    doc = _run(world, scenarios, _kept(world))
    for c in doc.currencies:
        base, up, same = c.scenarios
        assert same.monthly == base.monthly and same.npv == base.npv
        assert same.cumulative == base.cumulative
        # the sample's workloads bill in USD; its EUR is cost by time, which growth leaves
        assert (up.monthly != base.monthly) == (c.currency == "USD")


def test_kits_are_kept_for_the_latest_projections_only(world):
    fits = world["fits"]
    first, second, third = (_kept(world) for _ in range(3))
    assert tco_paths.KITS_KEPT == 2
    assert not first._kits and second.kits_ready() and third.kits_ready()
    first.kit(fits, first.names[0])  # drawn again on demand, and kept: now the latest
    assert first._kits and not second._kits


def test_a_fix_of_a_workload_without_a_curve_is_named_not_silently_dropped(world):
    from forecaster.views import forecast as views

    fits = dict(world["fits"])
    search = fits["search"]
    fits["search"] = dataclasses.replace(
        search, curve=None, summary={**search.summary, "reason": "too few periods"}
    )
    fix = Fix(workload="search", start="2027-01", linear=True, migration_cost=60000)
    what_if = Scenario.of(views.WHAT_IF, fixes=(fix,))
    doc = _run(world, [Scenario("baseline"), what_if], fits=fits)
    base, fixed = doc.currency("USD").scenarios
    assert fixed.one_off == 0.0 and fixed.cumulative == base.cumulative
    (note,) = fixed.notes
    assert "fix of search is not applied" in note and "too few periods" in note
    assert "migration cost" in note
    assert base.notes == () and doc.currency("EUR").scenarios[1].notes == (note,)
    assert fixed.as_dict()["notes"] == [note]
    assert note in views.what_if_note(doc, "USD")  # the Forecast & TCO page's note


def test_the_cli_says_so_too(world, cli, tmp_path):
    workloads = tmp_path / "workloads.toml"
    workloads.write_text(world["path"].read_text() + GHOST)
    scenarios = tmp_path / "scenarios.toml"
    scenarios.write_text(
        '[settings]\nhorizon_months = 12\nsamples = 100\n[[scenario]]\nname = "fix ghost"\n'
        '[[scenario.fix]]\nworkload = "ghost"\nfrom = "2027-01"\nmigration_cost = 5000\n'
    )
    code, out = cli("tco", "--store", str(world["store"]), "--workloads", str(workloads),
                    "--scenarios", str(scenarios))  # fmt: skip
    assert code == 0
    assert "fix ghost (USD): The architecture fix of ghost is not applied" in out
    assert "only 0 periods have a cost and a load" in out


def test_old_code_versions_kept_paths_are_pruned_never_the_current(tmp_path):
    from dashboard.loader.tco_runs import prune_paths

    folder = tmp_path / "cache" / "tco_paths"
    current, old = folder / "aaaa", folder / "bbbb"
    for version in (current, old):
        version.mkdir(parents=True)
        (version / "k.pickle").write_bytes(b"paths")
    (folder / "0123.pickle").write_bytes(b"the layout before version folders")
    (folder / ".0123.pickle.x.tmp").write_bytes(b"being written")
    (folder / ".pruned-cccc-1-2").mkdir()
    assert prune_paths(folder, "aaaa") == ["0123.pickle", "bbbb"]
    assert sorted(p.name for p in folder.iterdir()) == [".0123.pickle.x.tmp", "aaaa"]
    assert (current / "k.pickle").read_bytes() == b"paths"
    assert prune_paths(folder, "aaaa") == [] and prune_paths(tmp_path / "none", "aaaa") == []


def test_the_dashboard_keeps_its_paths_in_its_code_versions_folder(world, tmp_path, monkeypatch):
    import shutil

    from dashboard import loader
    from dashboard.loader import tco_runs

    store = tmp_path / "store"
    shutil.copytree(world["store"], store, ignore=shutil.ignore_patterns("cache"))
    stale = store / "cache" / "tco_paths" / "0ld0ld0ld0ld0ld0"
    stale.mkdir(parents=True)
    (stale / "x.pickle").write_bytes(b"old")
    loader.configure(store, world["path"])
    try:
        monkeypatch.setattr(tco_runs, "fits", lambda: world["fits"])
        monkeypatch.setattr(tco_runs, "series", lambda: world["series"])
        paths = tco_runs.tco_paths(12)
        version = tco_runs.code_version()
        folder = store / "cache" / "tco_paths"
        assert [p.name for p in folder.iterdir() if not p.name.startswith(".")] == [version]
        assert list((folder / version).glob("*.pickle")) and paths.keep_kits
    finally:
        loader.clear()


def test_monthly_sums_of_a_kit_are_its_daily_paths_added_up(world):
    paths = _kept(world)
    name = paths.names[0]
    kit, factor = paths.kit(world["fits"], name), paths.factor(name, 0.2)
    h = paths.horizon
    daily = kit.cost(factor)
    assert np.array_equal(kit.monthly(factor, h.month_of_day, len(h.months)),
                          to_months(daily, h.month_of_day, len(h.months)))  # fmt: skip
    fixed = paths.daily(world["fits"], name, 0.2)  # what a fix transforms: the same paths
    assert np.array_equal(fixed.cost, daily)
    assert pl.Series(fixed.load.ravel()).min() >= 0
