"""AWS failures over real HTTP (moto, and a proxy answering as AWS does): each gives a clear
message naming what failed, and nothing partial is stored."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from forecaster.aws import AwsError, AwsOptions
from forecaster.aws.cloudwatch import ingest_cloudwatch
from forecaster.aws.cost_explorer import ingest_cost_explorer
from forecaster.aws.s3_cur import ingest_s3
from forecaster.cli import main
from forecaster.load import read_load
from forecaster.store import read_charges
from forecaster.workloads import CloudWatchMetric, CostFilter, LoadDriver, Workload
from tests.aws_cur_exports import BUCKET, deliver
from tests.aws_server import fail, throttle
from tests.conftest_aws import CE_JANUARY_2024
from tests.test_aws_cost_explorer import NOW, january

URI = f"s3://{BUCKET}/exports/"


def store_is_empty(store: Path) -> bool:
    return (
        read_charges(store).collect().is_empty()
        and read_load(store).collect().is_empty()
        and not (store / "cache").exists()
    )


@pytest.fixture
def s3(moto_client):
    client = moto_client("s3")
    client.create_bucket(Bucket=BUCKET)
    return client


@pytest.fixture
def cloudwatch_workload(moto_client) -> Workload:
    now = datetime.now(UTC).replace(second=0, microsecond=0)
    moto_client("cloudwatch").put_metric_data(
        Namespace="AWS/ApplicationELB",
        MetricData=[
            {
                "MetricName": "RequestCount",
                "Timestamp": now - timedelta(minutes=5 * i),
                "Value": 1.0,
            }
            for i in range(1, 30)
        ],
    )
    return Workload(
        "w",
        CostFilter(),
        LoadDriver(
            metric="w.requests",
            cloudwatch=CloudWatchMetric("AWS/ApplicationELB", "RequestCount", period=300),
        ),
    )


def run_ce(store: Path):
    return ingest_cost_explorer(store, date(2024, 1, 1), date(2024, 2, 1), now=NOW)


def run_cw(store: Path, workload: Workload):
    now = datetime.now(UTC)
    return ingest_cloudwatch([workload], store, now - timedelta(hours=3), now)


# -- S3 -------------------------------------------------------------------------------------
def test_a_missing_bucket_is_named(aws_env, tmp_path):
    with pytest.raises(
        AwsError, match=r"s3.ListObjectsV2 on s3://no-such-bucket/x/: no such bucket"
    ):
        ingest_s3("s3://no-such-bucket/x/", tmp_path / "s")
    assert store_is_empty(tmp_path / "s")


def test_a_manifest_listing_a_missing_file_names_the_file_and_the_manifest(aws_env, s3, tmp_path):
    deliver(s3, tmp_path, "2024-01", [[1.0]])  # a good month: must not be stored either
    keys = deliver(s3, tmp_path, "2024-02", [[1.0], [2.0]], missing=1)
    with pytest.raises(AwsError) as err:
        ingest_s3(URI, tmp_path / "s")
    message = str(err.value)
    assert f"s3://{BUCKET}/{keys[1]}" in message and "no such object" in message
    assert "metadata/BILLING_PERIOD=2024-02/my-export-Manifest.json" in message
    assert store_is_empty(tmp_path / "s")


def test_access_denied_on_a_data_file_names_the_action_needed(aws_env, s3, tmp_path):
    keys = deliver(s3, tmp_path, "2024-01", [[1.0]])
    aws_env.rules.append(
        fail(
            "GetObject", "AccessDenied", "Access Denied", 403, when=lambda req: "/data/" in req.path
        )
    )
    with pytest.raises(AwsError) as err:
        ingest_s3(URI, tmp_path / "s")
    assert f"s3.GetObject on s3://{BUCKET}/{keys[0]}: access denied" in str(err.value)
    assert "s3:GetObject" in str(err.value)
    assert store_is_empty(tmp_path / "s")


# -- Cost Explorer / CloudWatch ---------------------------------------------------------------
def test_access_denied_on_cost_explorer_names_the_action(aws_env, tmp_path):
    aws_env.rules.append(fail("GetCostAndUsage", "AccessDeniedException", "User is not authorized"))
    with pytest.raises(
        AwsError,
        match=r"ce.GetCostAndUsage on 2024-01-01..2024-02-01: access denied.*ce:GetCostAndUsage",
    ):
        run_ce(tmp_path / "s")
    assert store_is_empty(tmp_path / "s")


def test_access_denied_on_cloudwatch_names_the_action(aws_env, cloudwatch_workload, tmp_path):
    aws_env.rules.append(fail("GetMetricData", "AccessDeniedException", "not authorized"))
    with pytest.raises(AwsError, match="access denied.*cloudwatch:GetMetricData"):
        run_cw(tmp_path / "s", cloudwatch_workload)
    assert store_is_empty(tmp_path / "s")


@pytest.mark.parametrize(
    ("operation", "code"),
    [
        ("GetCostAndUsage", "ExpiredTokenException"),
        ("GetMetricData", "ExpiredTokenException"),
        ("ListObjectsV2", "ExpiredToken"),
    ],
)
def test_expired_credentials_say_to_refresh_them(
    aws_env, s3, cloudwatch_workload, tmp_path, operation, code
):
    aws_env.rules.append(
        fail(operation, code, "The security token included in the request is expired")
    )
    run = {
        "GetCostAndUsage": lambda: run_ce(tmp_path / "s"),
        "GetMetricData": lambda: run_cw(tmp_path / "s", cloudwatch_workload),
        "ListObjectsV2": lambda: ingest_s3(URI, tmp_path / "s"),
    }[operation]
    with pytest.raises(AwsError, match=rf"AWS rejected the credentials \({code}.*refresh them"):
        run()
    assert store_is_empty(tmp_path / "s")


@pytest.mark.parametrize("command", ["cost-explorer", "cloudwatch", "s3"])
def test_no_credentials_at_all_is_a_clear_error(aws_env, monkeypatch, tmp_path, command, capsys):
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
        monkeypatch.delenv(name)
    wl = tmp_path / "w.toml"
    wl.write_text(
        '[[workload]]\nname="w"\n[workload.load]\nmetric="m"\n'
        '[workload.load.cloudwatch]\nnamespace="N"\nmetric_name="M"\n'
    )
    start = (datetime.now(UTC) - timedelta(days=1)).strftime("%Y-%m-%d")
    argv = {
        "cost-explorer": CE_JANUARY_2024,
        "cloudwatch": ["ingest", "cloudwatch", "--workloads", str(wl), "--start", start],
        "s3": ["ingest", "billing", URI],
    }[command]
    assert main([*argv, "--store", str(tmp_path / "s")]) == 2
    err = capsys.readouterr().err
    assert "error: no AWS credentials found" in err and "--profile" in err
    assert aws_env.calls == []
    assert store_is_empty(tmp_path / "s")


def test_an_unknown_profile_is_named(aws_env, tmp_path):
    with pytest.raises(AwsError, match="the AWS profile 'nobody' is not configured"):
        ingest_cost_explorer(
            tmp_path / "s",
            date(2024, 1, 1),
            date(2024, 2, 1),
            now=NOW,
            options=AwsOptions(profile="nobody"),
        )


def test_cloudwatch_needs_a_region(aws_env, monkeypatch, cloudwatch_workload, tmp_path):
    monkeypatch.delenv("AWS_DEFAULT_REGION")
    from forecaster.cli.common import error_text

    with pytest.raises(AwsError, match="no AWS region; pass `region`") as info:
        run_cw(tmp_path / "s", cloudwatch_workload)
    assert "no AWS region; pass --region, set AWS_REGION" in error_text(info.value)


# -- throttling ------------------------------------------------------------------------------
@pytest.mark.parametrize("service", ["ce", "cloudwatch", "s3"])
def test_throttling_is_retried_with_backoff(
    aws_env, s3, seed_cost_explorer, cloudwatch_workload, tmp_path, service
):
    operation = {"ce": "GetCostAndUsage", "cloudwatch": "GetMetricData", "s3": "ListObjectsV2"}[
        service
    ]
    aws_env.rules.append(throttle(operation, times=2))
    if service == "ce":
        seed_cost_explorer([{"ResultsByTime": january(1, 31), "DimensionValueAttributes": []}])
        report = run_ce(tmp_path / "s")
        assert report.requests == 3 and report.billing.periods
    elif service == "cloudwatch":
        report = run_cw(tmp_path / "s", cloudwatch_workload)
        assert report.requests == 3 and report.load.rows_added > 0
    else:
        deliver(s3, tmp_path, "2024-01", [[1.0]])
        report = ingest_s3(URI, tmp_path / "s")
        assert report.requests["s3.ListObjectsV2"] == 3 and report.billing.periods
    assert aws_env.count(operation) == 3


@pytest.mark.parametrize("service", ["ce", "cloudwatch", "s3"])
def test_throttling_that_never_stops_fails_clearly_and_stores_nothing(
    aws_env, s3, cloudwatch_workload, tmp_path, service
):
    operation = {"ce": "GetCostAndUsage", "cloudwatch": "GetMetricData", "s3": "GetObject"}[service]
    aws_env.rules.append(throttle(operation, times=None))
    with pytest.raises(AwsError) as err:
        if service == "ce":
            run_ce(tmp_path / "s")
        elif service == "cloudwatch":
            run_cw(tmp_path / "s", cloudwatch_workload)
        else:
            deliver(s3, tmp_path, "2024-01", [[1.0]])
            ingest_s3(URI, tmp_path / "s")
    assert "still failing after 4 attempts" in str(err.value)
    assert ("ThrottlingException" if service != "s3" else "SlowDown") in str(err.value)
    assert aws_env.count(operation) == 4
    assert store_is_empty(tmp_path / "s")


def test_the_cli_prints_aws_failures_as_errors_with_exit_code_2(aws_env, tmp_path, capsys):
    aws_env.rules.append(fail("GetCostAndUsage", "AccessDeniedException", "nope"))
    code = main([*CE_JANUARY_2024, "--store", str(tmp_path / "s")])
    assert code == 2
    assert "error: ce.GetCostAndUsage" in capsys.readouterr().err
