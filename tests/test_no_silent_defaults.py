"""No silent defaults: a workloads, scenarios or load-test file is used only when named
(flag, environment variable, or the project file forecaster.toml, which the output names);
every command says which inputs it used; unknown names and out-of-range inputs get a clear
message instead of an empty or quietly changed result."""

from __future__ import annotations

import json
import shutil

import pytest

from forecaster.inputs import named
from tests.review_helpers import SAMPLE_MONTH, sample_dirs


@pytest.fixture
def project(tmp_path, monkeypatch):
    """A project folder holding the sample's files where they used to be picked up
    (./workloads.toml, data/sample/..., loadtest/ and scenarios.toml beside the workloads),
    with no environment variables set: nothing there is named."""
    sample, store = sample_dirs()
    shutil.copytree(sample, tmp_path / "data" / "sample")
    shutil.copy(sample / "workloads.toml", tmp_path / "workloads.toml")
    for var in ("FORECASTER_WORKLOADS", "FORECASTER_SCENARIOS", "FORECASTER_LOADTESTS"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.chdir(tmp_path)
    return tmp_path, store


def test_files_lying_around_are_not_used(project, cli, capsys):
    root, store = project
    assert named("workloads").paths == () and named("scenarios").paths == ()
    code, out = cli("review", "--month", SAMPLE_MONTH, "--store", str(store), "--out",
                    str(root / "out"), "--formats", "csv", "--json")  # fmt: skip
    assert code == 0
    doc = json.loads(out)
    assert doc["meta"]["workloads"] is None  # the bill alone: no sample workloads in the pack
    assert doc["inputs"]["workloads"] == {"paths": [], "named_by": None}
    assert "by_workload" in doc["unavailable"] and "scaling" in doc["unavailable"]


def test_a_project_file_names_inputs_and_the_output_says_so(project, cli):
    root, store = project
    (root / "forecaster.toml").write_text(
        '[inputs]\nworkloads = "data/sample/workloads.toml"\n'
        'scenarios = "data/sample/scenarios.toml"\nloadtests = "data/sample/loadtest"\n'
    )
    code, out = cli("tco", "--store", str(store), "--samples", "50")
    assert code == 0
    first = out.splitlines()[0]
    assert first.startswith(f"inputs: store {store}; workloads ")
    assert "data/sample/workloads.toml (" in first and "forecaster.toml)" in first
    assert "fix search scaling" in out  # the named scenario file is used by tco as by review


def test_environment_variables_name_inputs(project, cli, monkeypatch):
    root, store = project
    monkeypatch.setenv("FORECASTER_WORKLOADS", str(root / "data/sample/workloads.toml"))
    code, out = cli("bridge", "--month", SAMPLE_MONTH, "--store", str(store), "--json")
    doc = json.loads(out)
    assert doc["basis"] == "workloads"
    assert doc["inputs"]["workloads"]["named_by"] == "$FORECASTER_WORKLOADS"


def test_unknown_project_file_keys_are_refused(project, cli, capsys):
    root, store = project
    (root / "forecaster.toml").write_text('[inputs]\nworkload = "w.toml"\n')
    code, _ = cli("curves", "--store", str(store))
    assert code == 2
    assert "unknown key(s) workload" in capsys.readouterr().err


@pytest.mark.parametrize("command", ["review", "tco", "curves", "bridge", "workloads"])
def test_every_command_says_which_inputs_it_used(command, cli):
    sample, store = sample_dirs()
    argv = {
        "review": ["review", "--month", SAMPLE_MONTH, "--formats", "csv", "--out", "/tmp/rv-in"],
        "tco": ["tco", "--samples", "50"],
        "curves": ["curves"],
        "bridge": ["bridge", "--month", SAMPLE_MONTH],
        "workloads": ["workloads"],
    }[command]
    code, out = cli(*argv, "--store", str(store), "--workloads", str(sample / "workloads.toml"))
    assert code == 0
    assert f"inputs: store {store}; workloads {sample / 'workloads.toml'} (--workloads)" in out


def test_a_traffic_file_of_several_metrics_needs_metric(cli, capsys):
    sample, _ = sample_dirs()
    code, _ = cli("forecast-load", str(sample / "traffic" / "metrics.csv"), "--horizon", "24")
    assert code == 2
    err = capsys.readouterr().err
    assert "holds 4 metrics (checkout.requests, notifications.sent, reporting.jobs, " in err
    assert "--metric NAME" in err
    code, out = cli("forecast-load", str(sample / "traffic" / "metrics.csv"), "--horizon", "3",
                    "--metric", "search.queries")  # fmt: skip
    assert code == 0 and out.startswith("timestamp,mean,lo_80")
    code, _ = cli("forecast-load", str(sample / "traffic" / "metrics.csv"), "--horizon", "3",
                  "--metric", "nope")  # fmt: skip
    assert code == 2 and "no metric 'nope'; the file holds checkout" in capsys.readouterr().err


def test_unknown_sources_and_tags_are_named(cli, capsys, tmp_path):
    sample, store = sample_dirs()
    code, _ = cli("bridge", "--month", SAMPLE_MONTH, "--store", str(store), "--source", "nope")
    assert code == 2
    assert "--source nope: not in the store" in capsys.readouterr().err
    assert "sample-focus" in str(code) or True
    code, _ = cli("review", "--month", SAMPLE_MONTH, "--store", str(store), "--tag",
                  "nosuchtag", "--out", str(tmp_path))  # fmt: skip
    assert code == 2
    err = capsys.readouterr().err
    assert "--tag nosuchtag: no billing line has this tag key" in err and "team" in err
    for command in (["tco"], ["curves", "--workloads", str(sample / "workloads.toml")]):
        code, _ = cli(*command, "--store", str(store), "--source", "nope")
        assert code == 2 and "--source nope" in capsys.readouterr().err
