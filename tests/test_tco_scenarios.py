"""Scenario files: defaults, the baseline first, clear errors."""

from __future__ import annotations

import pytest

from forecaster.errors import InputError
from forecaster.tco.scenarios import BASELINE, load_scenarios


def _write(tmp_path, text):
    path = tmp_path / "scenarios.toml"
    path.write_text(text)
    return path


def test_no_file_gives_the_baseline_alone():
    settings, scenarios = load_scenarios(None)
    assert [s.name for s in scenarios] == [BASELINE]
    assert settings.horizon_months == 36


def test_a_baseline_is_added_first_when_the_file_has_none(tmp_path):
    path = _write(
        tmp_path,
        '[[scenario]]\nname = "commit"\n[scenario.commitment]\ncoverage = 0.5\ndiscount = 0.2\n',
    )
    _, scenarios = load_scenarios(path)
    assert [s.name for s in scenarios] == [BASELINE, "commit"]
    assert scenarios[1].commitment.coverage == 0.5


def test_a_full_scenario_is_read(tmp_path):
    path = _write(
        tmp_path,
        """
[settings]
horizon_months = 12
[[scenario]]
name = "fix"
growth = { "*" = 0.3 }
[[scenario.fix]]
workload = "search"
from = "2027-01"
linear = true
idle_reduction = 0.4
migration_cost = 1000
labour_per_month = -200
[scenario.price]
change = -0.05
from = "2027-03"
""",
    )
    settings, (base, fix) = load_scenarios(path)
    assert settings.horizon_months == 12 and base.name == BASELINE
    assert fix.growth == {"*": 0.3}
    assert fix.fixes[0].linear and fix.fixes[0].start == "2027-01"
    assert fix.price.change == -0.05


@pytest.mark.parametrize(
    "text, message",
    [
        ("[settings]\nhorizon_months = 48\n", "horizon_months = 48; expected 12 to 36"),
        ('[[scenario]]\nname = "x"\nwhat = 1\n', "unknown key\\(s\\) what"),
        (
            '[[scenario]]\nname = "x"\n[[scenario.fix]]\nworkload = "a"\nfrom = "Jan"\n',
            "from = 'Jan'; expected YYYY-MM",
        ),
        ('[[scenario]]\nname = "x"\n[scenario.commitment]\ncoverage = 1.5\n', "coverage = 1.5"),
        ('[[scenario]]\nname = "x"\n[[scenario]]\nname = "x"\n', "unique"),
        ("not toml [", "not valid TOML"),
        (
            '[[scenario]]\nname = "x"\n[[scenario.fix]]\nworkload = "a"\nfrom = "2027-01"\n'
            'migration_cost = 10\n[[scenario.fix]]\nworkload = "a"\nfrom = "2027-02"\n',
            "scenario 'x' has two fixes for workload 'a'",
        ),
    ],
)
def test_bad_files_name_the_file_and_the_key(tmp_path, text, message):
    path = _write(tmp_path, text)
    with pytest.raises(InputError, match=message) as info:
        load_scenarios(path)
    assert str(path) in str(info.value)


def test_two_fixes_for_one_workload_are_refused_not_dropped():
    from forecaster.tco.scenarios import Fix, Scenario

    first, second = Fix("search", "2027-01", migration_cost=10.0), Fix("search", "2027-02")
    with pytest.raises(InputError, match="two fixes for workload 'search'"):
        Scenario.of("both", fixes=(first, second))
