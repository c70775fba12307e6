"""TCO on the bundled sample: bands per workload and in total, scenarios side by side."""

from __future__ import annotations

import json

import pytest

from forecaster.errors import InputError
from forecaster.tco.run import run_tco

SCENARIOS = """
[settings]
horizon_months = 12
samples = 200
seed = 3

[[scenario]]
name = "baseline"

[[scenario]]
name = "no change"

[[scenario]]
name = "fix search"
[[scenario.fix]]
workload = "search"
from = "2027-02"
linear = true
migration_cost = 20000

[[scenario]]
name = "free fix"
[[scenario.fix]]
workload = "reporting-batch"
from = "2027-03"
idle_reduction = 0.5

[[scenario]]
name = "commit"
[scenario.commitment]
coverage = 0.5
discount = 0.3
term_months = 12
"""


@pytest.fixture(scope="module")
def tco(sample_data, tmp_path_factory):
    sample, store = sample_data
    path = tmp_path_factory.mktemp("tco") / "scenarios.toml"
    path.write_text(SCENARIOS)
    return run_tco(store, sample / "workloads.toml", path)


def _scenario(result, currency, name):
    return result.currency(currency).scenario(name)


def test_the_horizon_starts_after_the_data_and_spans_whole_months(tco):
    assert tco.start == "2026-11-01"
    assert tco.months[0] == "2026-11" and len(tco.months) == 12


def test_each_currency_is_forecast_on_its_own(tco):
    assert [c.currency for c in tco.currencies] == ["EUR", "USD"]
    usd = tco.currencies[1]
    assert [w.name for w in usd.workloads] == [
        "checkout-api", "search", "reporting-batch", "media-cdn", "notifications",
    ]  # fmt: skip


def test_bands_are_ordered_and_the_total_exceeds_each_workload(tco):
    usd = tco.currency("USD")
    base = usd.scenarios[0]
    for month in base.monthly:
        assert month.p10 <= month.p50 <= month.p90
    for w in usd.workloads:
        assert w.monthly[0].p50 < base.monthly[0].p50


def test_a_scenario_with_no_changes_reproduces_the_baseline(tco):
    for currency in ("EUR", "USD"):
        base, same = _scenario(tco, currency, "baseline"), _scenario(tco, currency, "no change")
        assert same.monthly == base.monthly
        assert same.npv == base.npv
        assert same.break_even_month is None
        assert same.description == "no change: the forecast as it is"


def test_fixing_the_scaling_excess_saves_money_and_breaks_even_after_the_migration(tco):
    fix = _scenario(tco, "USD", "fix search")
    assert fix.one_off == 20000
    assert fix.npv_saving_vs_baseline.p50 > 0
    assert fix.break_even_month is not None and fix.break_even_month > "2027-02"
    assert fix.description.startswith("architecture fix of search from 2027-02")
    # a USD workload's fix leaves the EUR account alone
    assert _scenario(tco, "EUR", "fix search").npv == _scenario(tco, "EUR", "baseline").npv


def test_a_fix_without_migration_cost_breaks_even_in_the_month_it_goes_live(tco):
    # nothing is saved (nor lost) before 2027-03: the break-even is the fix's month, not
    # the horizon's first month
    free = _scenario(tco, "USD", "free fix")
    assert free.npv_saving_vs_baseline.p50 > 0
    assert free.break_even_month == "2027-03"


def test_the_json_document_is_the_typed_result_as_a_dict(tco):
    doc = tco.as_dict()
    assert json.loads(json.dumps(doc)) == doc  # plain JSON types only
    usd = doc["currencies"][1]
    assert (
        usd["scenarios"][2]["cumulative"] == tco.currency("USD").scenarios[2].cumulative.as_dict()
    )
    assert usd["workloads"][0]["monthly"][0]["load_p50"] > 0
    assert "load_p50" not in usd["scenarios"][0]["monthly"][0]


def test_every_surface_defaults_to_one_path_count_and_seed(sample_data):
    from forecaster.tco.scenarios import MONTE_CARLO_PATHS, MONTE_CARLO_SEED, Settings
    from forecaster.views.forecast import WhatIf, scenarios

    settings, _ = scenarios(WhatIf())
    assert (settings.samples, settings.seed) == (MONTE_CARLO_PATHS, MONTE_CARLO_SEED)
    assert (Settings().samples, Settings().seed) == (MONTE_CARLO_PATHS, MONTE_CARLO_SEED)


def test_a_commitment_lowers_cost_in_every_currency(tco):
    for currency in ("EUR", "USD"):
        assert _scenario(tco, currency, "commit").npv_saving_vs_baseline.p50 > 0


def test_unknown_workloads_in_a_scenario_are_an_error(sample_data, tmp_path):
    sample, store = sample_data
    path = tmp_path / "s.toml"
    path.write_text(
        '[[scenario]]\nname = "x"\n[[scenario.fix]]\nworkload = "nope"\nfrom = "2027-01"\n'
    )
    with pytest.raises(InputError, match="unknown workload"):
        run_tco(store, sample / "workloads.toml", path, samples=50)


def test_the_cli_prints_json_with_every_scenario(sample_data, tmp_path, cli):
    sample, store = sample_data
    path = tmp_path / "s.toml"
    path.write_text(SCENARIOS)
    code, out = cli("tco", "--store", str(store), "--workloads", str(sample / "workloads.toml"),
                    "--scenarios", str(path), "--samples", "100", "--json")  # fmt: skip
    assert code == 0
    doc = json.loads(out)
    names = [s["name"] for s in doc["currencies"][1]["scenarios"]]
    assert names == ["baseline", "no change", "fix search", "free fix", "commit"]
    keys = {"monthly", "cumulative", "npv", "npv_saving_vs_baseline", "break_even_month"}
    assert keys <= set(doc["currencies"][1]["scenarios"][2])


def test_a_shorter_horizon_shows_the_same_months_to_the_cent(sample_data):
    """The horizon chosen never moves the months two TCOs both show: the load forecast, its
    monthly band and the daily noise are drawn 37 months long and cut."""
    sample, store = sample_data
    short = run_tco(store, sample / "workloads.toml", None, horizon_months=12, samples=200, seed=3)
    full_run = run_tco(
        store, sample / "workloads.toml", None, horizon_months=36, samples=200, seed=3
    )
    for currency in ("EUR", "USD"):
        ours = short.currency(currency).scenario("baseline").monthly
        full = full_run.currency(currency).scenario("baseline").monthly[: len(ours)]
        assert len(ours) == 12
        for a, b in zip(ours, full, strict=True):
            assert a.month == b.month
            assert (round(a.p10, 2), round(a.p50, 2), round(a.p90, 2)) == (
                round(b.p10, 2), round(b.p50, 2), round(b.p90, 2),
            )  # fmt: skip
