"""One contract for every scenario kind of the registry (``forecaster.tco.kinds.KINDS``):
read from a scenario table and back, checked with messages that name where, applied as a
transform of the Monte Carlo arrays that leaves them as they were when it changes nothing
and touches no month before it starts, described in words, one per slot.

A kind added to the registry without an example here fails the first test."""

from __future__ import annotations

import re
from datetime import date

import numpy as np
import pytest

from forecaster.errors import InputError
from forecaster.tco.arithmetic import to_months
from forecaster.tco.kinds import (
    KINDS,
    Commitment,
    Fix,
    Growth,
    PriceChange,
    ScenarioArrays,
    apply_changes,
)
from forecaster.tco.projection import Horizon, WorkloadPaths
from forecaster.tco.scenarios import Scenario, parse_scenario, parse_scenarios
from forecaster.views.forecast import WhatIf, scenarios

# kind key: (an example that changes something, the same kind changing nothing, a bad
# value of its TOML table and the words its message must hold)
EXAMPLES = {
    "growth": (Growth((("*", 0.3), ("api", 0.5))), Growth((("*", 0.0),)),
               {"api": -1.5}, "api = -1.5; expected an annual rate > -1"),
    "fix": (Fix("api", "2027-02", idle_reduction=0.5, linear=True, unit_cost_cut=0.1,
                migration_cost=20_000, labour_per_month=1_500), Fix("api", "2027-02"),
            {"workload": "api", "from": "2027-02", "idle": 0.5}, "unknown key(s) idle"),
    "price": (PriceChange(-0.05, "2027-03"), PriceChange(0.0, "2027-03"),
              {"change": -2.0}, "change = -2.0; expected -0.99 to 10.0"),
    "commitment": (Commitment(0.6, 0.28, 12, "2026-12"), Commitment(0.0, 0.28, 12, "2026-12"),
                   {"coverage": 0.5, "discount": 0.2, "term_months": 0}, "term_months = 0"),
}  # fmt: skip
KEYS = list(EXAMPLES)
HORIZON = Horizon.after(date(2026, 10, 31), 12)
S = 64


def _daily(name: str, growth: float | None) -> WorkloadPaths:
    """Deterministic paths of two workloads: fixed 50, excess 10% of the variable cost."""
    t = np.arange(1, len(HORIZON.days) + 1)
    level = (1.0 + np.linspace(0.0, 0.5, S))[:, None] * (2.0 if name == "api" else 1.0)
    load = level * (1.0 + (growth or 0.0)) ** (t / 365.0)[None, :]
    variable = 100.0 * load
    cost = 50.0 + 1.1 * variable
    return WorkloadPaths(name, "USD", load, cost, 0.1 * variable, 50.0)


def _apply(changes) -> tuple[np.ndarray, ScenarioArrays]:
    arrays = ScenarioArrays(HORIZON, _daily, workloads=frozenset({"api", "batch"}))

    def added_up(a: ScenarioArrays) -> np.ndarray:
        total = np.full((S, len(HORIZON.months)), 1_000.0)  # the cost by time
        for name in ("api", "batch"):
            monthly = to_months(_daily(name, a.growth_of(name)).cost, HORIZON.month_of_day,
                                len(HORIZON.months))  # fmt: skip
            total = total + a.workload_cost.get(name, monthly)
        return total

    apply_changes(changes, arrays, added_up)
    return arrays.total + arrays.extra[None, :], arrays


def test_every_registered_kind_keeps_the_contract_here():
    assert set(KINDS) == set(EXAMPLES)
    assert all(kind.stage in ("load", "workload", "total") for kind in KINDS.values())


@pytest.mark.parametrize("key", KEYS)
def test_a_kind_reads_back_from_its_own_table(key):
    example = EXAMPLES[key][0]
    assert KINDS[key].parse(example.to_table(), "f.toml scenario[1]." + key) == example
    # and through a scenario file's [[scenario]] table
    table = {"name": "x", key: [example.to_table()] if KINDS[key].many else example.to_table()}
    _, (_, scenario) = parse_scenarios({"scenario": [table]}, "f.toml")
    assert scenario.changes == (example,)
    assert Scenario("x", (example,)).to_table() == table


@pytest.mark.parametrize("key", KEYS)
def test_a_bad_value_is_refused_naming_the_file_key_and_value(key):
    _, _, bad, words = EXAMPLES[key]
    table = {"name": "x", key: [bad] if KINDS[key].many else bad}
    with pytest.raises(InputError) as info:
        parse_scenarios({"scenario": [table]}, "plans.toml")
    message = str(info.value)
    assert message.startswith("plans.toml scenario[0]") and key in message
    assert words in message


@pytest.mark.parametrize("key", KEYS)
def test_a_kind_that_changes_nothing_leaves_the_arrays_as_they_were(key):
    base, _ = _apply(())
    same, arrays = _apply((EXAMPLES[key][1],))
    np.testing.assert_allclose(same, base, rtol=1e-12, atol=1e-9)
    assert arrays.one_off == arrays.labour == 0.0


@pytest.mark.parametrize("key", KEYS)
def test_a_change_acts_from_its_start_month_and_not_before(key):
    base, _ = _apply(())
    changed, _ = _apply((EXAMPLES[key][0],))
    start = EXAMPLES[key][0].starts(HORIZON)
    assert 0 <= start < len(HORIZON.months)
    assert np.array_equal(changed[:, :start], base[:, :start])
    assert not np.allclose(changed[:, start], base[:, start])


@pytest.mark.parametrize("key", KEYS)
def test_a_kind_describes_itself_in_words(key):
    text = EXAMPLES[key][0].describe()
    assert text and "_" not in text and not re.search(r"\d[eE][+-]?\d", text)
    assert "%" in text or "," in text
    assert EXAMPLES[key][0].workloads() <= {"api"}


@pytest.mark.parametrize("key", KEYS)
def test_a_second_change_of_one_slot_is_refused_never_dropped(key):
    example = EXAMPLES[key][0]
    with pytest.raises(InputError, match="two"):
        Scenario("both", (example, example))


def test_changes_of_different_slots_add_up():
    fixes = (Fix("api", "2027-01", idle_reduction=0.5, migration_cost=100.0),
             Fix("batch", "2027-02", migration_cost=50.0))  # fmt: skip
    total, arrays = _apply(fixes)
    assert arrays.one_off == 150.0 and set(arrays.workload_cost) == {"api", "batch"}
    assert Scenario("two fixes", fixes).describe().count("architecture fix") == 2


def test_a_fix_described_names_every_setting():
    text = EXAMPLES["fix"][0].describe()
    for words in ("api", "2027-02", "50% of its idle baseline", "scaling linearly",
                  "unit cost cut by 10%", "migration 20,000", "labour 1,500 a month"):  # fmt: skip
        assert words in text


def test_the_dashboard_controls_go_through_the_same_parser():
    what = WhatIf(growth=0.2, fix_workload="api", fix_from="2027-02", idle_reduction=0.5,
                  price_change=-0.1, price_from="2027-01", commitment_coverage=0.5,
                  commitment_discount=0.2, commitment_term=36)  # fmt: skip
    _, (_, scenario) = scenarios(what)
    assert scenario == parse_scenario(what.table(), "controls")
    assert scenario.changes == (
        Growth((("*", 0.2),)),
        Fix("api", "2027-02", idle_reduction=0.5),
        PriceChange(-0.1, "2027-01"),
        Commitment(0.5, 0.2, 36),
    )
    _, (_, nothing) = scenarios(WhatIf(fix_from="2027-01", price_from="2027-01"))
    assert nothing.changes_nothing
