"""docs/iam-policy.json names exactly the IAM actions behind the API calls the tool makes."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from forecaster.aws import IAM_ACTIONS
from forecaster.aws.cloudwatch import ingest_cloudwatch
from forecaster.aws.cost_explorer import ingest_cost_explorer
from forecaster.aws.errors import ATHENA_ON_BEHALF_ACTIONS
from forecaster.aws.s3_cur import ingest_s3
from forecaster.workloads import CloudWatchMetric, CostFilter, LoadDriver, Workload
from tests.aws_cur_exports import BUCKET, deliver
from tests.test_aws_cost_explorer import NOW, january

POLICY = Path(__file__).resolve().parents[1] / "docs" / "iam-policy.json"
SIGNING_NAMES = {"monitoring": "cloudwatch"}


def policy_actions() -> set[str]:
    doc = json.loads(POLICY.read_text())
    actions: set[str] = set()
    for statement in doc["Statement"]:
        assert statement["Effect"] == "Allow"
        listed = statement["Action"]
        actions.update([listed] if isinstance(listed, str) else listed)
    return actions


def test_the_policy_names_exactly_the_mapped_actions():
    # plus what Athena does with the caller's credentials (reads partitions, writes results)
    assert policy_actions() == set(IAM_ACTIONS.values()) | set(ATHENA_ON_BEHALF_ACTIONS)
    assert not any("*" in action for action in policy_actions())


def test_every_call_the_tool_makes_is_covered_by_the_policy(
    aws_env, moto_client, seed_cost_explorer, tmp_path, monkeypatch
):
    s3 = moto_client("s3")
    s3.create_bucket(Bucket=BUCKET)
    deliver(s3, tmp_path, "2024-01", [[1.0]])
    seed_cost_explorer([{"ResultsByTime": january(1, 31), "DimensionValueAttributes": []}])
    now = datetime.now(UTC)
    moto_client("cloudwatch").put_metric_data(
        Namespace="N",
        MetricData=[{"MetricName": "M", "Timestamp": now - timedelta(minutes=10), "Value": 1.0}],
    )
    workload = Workload(
        "w", CostFilter(), LoadDriver(metric="m", cloudwatch=CloudWatchMetric("N", "M", period=300))
    )
    aws_env.calls.clear()
    store = tmp_path / "s"
    ingest_s3(f"s3://{BUCKET}/exports/", store)
    ingest_cost_explorer(store, date(2024, 1, 1), date(2024, 2, 1), now=NOW)
    ingest_cloudwatch([workload], store, now - timedelta(hours=1), now)
    _athena_calls(moto_client, monkeypatch, aws_env)
    called = {f"{SIGNING_NAMES.get(service, service)}.{op}" for service, op, _ in aws_env.calls}
    assert called == set(IAM_ACTIONS)
    assert {IAM_ACTIONS[c] for c in called} | set(ATHENA_ON_BEHALF_ACTIONS) == policy_actions()


def _athena_calls(moto_client, monkeypatch, proxy) -> None:
    """Every Athena call the tool makes: schema, start, poll, result pages, stop on timeout."""
    import pytest

    from forecaster.engines.athena import AthenaTarget, run_athena_rollup
    from forecaster.engines.rollup import RollupSpec
    from forecaster.errors import ForecasterError
    from tests.test_engine_athena import FOCUS_SAMPLE, execution_states, glue_table

    monkeypatch.setenv("FORECASTER_ATHENA_POLL", "0.001")
    glue_table(moto_client, FOCUS_SAMPLE, lowercase=True)
    target = AthenaTarget("cur", "billing_table")
    with pytest.raises(ForecasterError):  # nothing seeded: an empty result, after the pages
        run_athena_rollup(target, RollupSpec())
    proxy.rules.append(execution_states("RUNNING"))
    with pytest.raises(ForecasterError, match="did not finish"):
        run_athena_rollup(AthenaTarget("cur", "billing_table", timeout=0.01), RollupSpec())
