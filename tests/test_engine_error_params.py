"""Engine refusals name the parameter a Python caller passed; the CLI says the same refusal
with its flag (``forecaster.cli.common.error_text``), as it did before the engine stopped
naming flags."""

from __future__ import annotations

import botocore.exceptions as bx
import pytest

from forecaster.aws.errors import AwsError, translate
from forecaster.cli.common import error_text
from forecaster.errors import ForecasterError, InputError
from forecaster.inputs import check_sources, check_tag_keys
from forecaster.workloads.spec import CostFilter, LoadDriver, Workload, default_workloads_path


def _refusal(call) -> ForecasterError:
    with pytest.raises(ForecasterError) as info:
        call()
    exc = info.value
    assert exc.parameters, str(exc)
    assert "--" not in str(exc), str(exc)
    return exc


def test_an_unknown_source_names_sources_and_the_cli_says_source(tmp_path):
    exc = _refusal(lambda: check_sources(tmp_path, ["nope"]))
    assert str(exc).startswith("sources nope: not in the store")
    assert error_text(exc).startswith("--source nope: not in the store")


def test_an_unknown_tag_key_names_tag_keys_and_the_cli_says_tag():
    exc = _refusal(lambda: check_tag_keys(["team", "env"], ["nosuchtag"]))
    assert str(exc).startswith("tag_keys nosuchtag: no billing line has this tag key")
    assert error_text(exc).startswith("--tag nosuchtag: no billing line has this tag key")
    assert "team" in error_text(exc)


def test_no_workloads_file_names_the_workloads_parameter(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # no forecaster.toml here
    monkeypatch.delenv("FORECASTER_WORKLOADS", raising=False)
    exc = _refusal(default_workloads_path)
    assert isinstance(exc, InputError)
    assert "pass `workloads` FILE" in str(exc)
    assert "no workloads file named: pass --workloads FILE, set $FORECASTER_WORKLOADS" in (
        error_text(exc)
    )


def test_a_filter_on_what_a_rollup_dropped_names_the_rollup_parameters(tmp_path, monkeypatch):
    from forecaster.workloads import kept

    class RollupStore:
        def __init__(self, root):
            pass

        def partitions(self):
            rollup = {"kept_tags": ["user:team"], "kept_columns": []}
            return [{"source": "cur", "billing_period": "2026-10", "engine": "spark",
                     "rollup": rollup}]  # fmt: skip

    monkeypatch.setattr(kept, "BillingStore", RollupStore)
    load = LoadDriver(metric="m")
    on_tag = Workload("w", CostFilter(tags=(("user:env", "prod"),)), load)
    exc = _refusal(lambda: kept.check_kept(tmp_path, [on_tag]))
    assert exc.parameters == ("tags", "workloads_tags")
    assert "ingest it again with --keep-tag user:env (or --keep-workload-tags FILE" in (
        error_text(exc)
    )
    on_resource = Workload("w", CostFilter(resource_ids=("arn:aws:res/1",)), load)
    exc = _refusal(lambda: kept.check_kept(tmp_path, [on_resource]))
    assert error_text(exc).endswith("ingest it again with --keep ResourceId")


@pytest.mark.parametrize(
    ("raised", "said"),
    [
        (bx.NoRegionError(), "no AWS region; pass --region or set AWS_REGION"),
        (bx.NoCredentialsError(), "no AWS credentials found: set AWS_PROFILE or pass --profile"),
    ],
)
def test_aws_hints_name_region_and_profile(raised, said):
    exc = translate(raised, "athena.GetQueryExecution", "query q-1")
    assert isinstance(exc, AwsError)
    assert exc.parameters and "--" not in str(exc)
    assert said in error_text(exc)
