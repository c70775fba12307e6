"""Engine errors name parameters; the CLI says the same error with its flags."""

from __future__ import annotations

from datetime import date

import pytest

from forecaster.aws.cost_explorer import ingest_cost_explorer
from forecaster.cli.common import error_text, flag_for
from forecaster.errors import InputError
from forecaster.tco.run import run_tco


def test_a_python_caller_reads_the_parameter_it_passed(sample_data):
    sample, store = sample_data
    with pytest.raises(InputError, match=r"^horizon_months 48: expected 12 to 36") as info:
        run_tco(store, sample / "workloads.toml", horizon_months=48)
    assert info.value.parameters == ("horizon_months",)
    assert "--" not in str(info.value)


def test_the_cli_says_the_flag(sample_data, capsys):
    from forecaster.cli import main

    sample, store = sample_data
    code = main(["tco", "--store", str(store), "--workloads", str(sample / "workloads.toml"),
                 "--horizon", "48"])  # fmt: skip
    err = capsys.readouterr().err
    assert code == 2
    assert "--horizon 48: expected 12 to 36 months" in err
    assert "horizon_months" not in err


def test_dates_in_the_wrong_order_name_both_parameters(tmp_path):
    with pytest.raises(InputError) as info:
        ingest_cost_explorer(tmp_path, start=date(2026, 5, 1), end=date(2026, 4, 1), dry_run=True)
    assert info.value.parameters == ("start", "end")
    assert error_text(info.value).startswith("--start 2026-05-01 must be before --end 2026-04-01")


def test_flags_follow_one_rule_with_named_exceptions():
    assert flag_for("group_by") == "--group-by"
    assert flag_for("horizon_months") == "--horizon"


def test_only_the_named_parameter_is_rewritten():
    exc = InputError("start 2026-05-01 is in the future (the restart)", parameters=("start",))
    assert error_text(exc) == "--start 2026-05-01 is in the future (the restart)"


def test_a_marked_parameter_is_rewritten_wherever_it_is_marked():
    exc = InputError("x.csv: two metrics; choose one with `metric` NAME", parameters=("metric",))
    assert error_text(exc) == "x.csv: two metrics; choose one with --metric NAME"
    assert "--" not in str(exc)


def test_engine_errors_name_parameters_not_flags(tmp_path):
    from datetime import UTC, datetime

    from forecaster.aws.cloudwatch import required_multiple
    from forecaster.series_input import read_series_file
    from forecaster.workloads.suggest import suggest_workloads

    wide = tmp_path / "two.csv"
    wide.write_text("timestamp,metric,value\n2026-01-01,a,1\n2026-01-01,b,2\n")
    now = datetime(2026, 12, 1, tzinfo=UTC)
    raised = []
    for call in (
        lambda: required_multiple(datetime(2024, 1, 1, tzinfo=UTC), now),
        lambda: read_series_file(wide),
        lambda: suggest_workloads(tmp_path, top=0),
    ):
        with pytest.raises(InputError) as info:
            call()
        raised.append(info.value)
    for exc in raised:
        assert exc.parameters, str(exc)
        assert "--" not in str(exc), str(exc)
        assert all(flag_for(p) in error_text(exc) for p in exc.parameters), error_text(exc)
