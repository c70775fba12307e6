"""No secret reaches a log line, the terminal or the store, even with botocore debug logging."""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime, timedelta

import pytest

from forecaster.aws import redact
from forecaster.cli import main
from tests.aws_cur_exports import BUCKET, deliver
from tests.conftest_aws import FAKE_SECRET, FAKE_TOKEN
from tests.test_aws_cost_explorer import january


@pytest.mark.parametrize(
    "line",
    [
        "headers={'X-Amz-Security-Token': b'%s', 'Authorization': b'AWS4-HMAC-SHA256 ...'}",
        "x-amz-security-token:%s\nhost:example",
        "https://bucket.s3.amazonaws.com/key?X-Amz-Security-Token=%s&X-Amz-Signature=abc",
        "aws_secret_access_key = %s",
    ],
)
def test_security_token_fields_are_masked_even_when_unregistered(line):
    secret = "UnregisteredSecretValue/123+abc="
    out = redact.redact(line % secret)
    assert secret not in out and redact.MASK in out


def test_registered_secrets_are_masked_anywhere():
    redact.register_secret("a-registered-secret-value")
    assert redact.redact("prefix a-registered-secret-value suffix") == "prefix **** suffix"


def test_no_secret_is_logged_with_botocore_debug_logging_on(
    aws_env, moto_client, seed_cost_explorer, tmp_path, caplog, capsys
):
    s3 = moto_client("s3")
    s3.create_bucket(Bucket=BUCKET)
    deliver(s3, tmp_path, "2024-01", [[1.0, 2.0]])
    seed_cost_explorer([{"ResultsByTime": january(1, 31), "DimensionValueAttributes": []}])
    now = datetime.now(UTC).replace(second=0, microsecond=0)
    moto_client("cloudwatch").put_metric_data(
        Namespace="N",
        MetricData=[
            {"MetricName": "M", "Timestamp": now - timedelta(minutes=5 * i), "Value": 1.0}
            for i in range(1, 10)
        ],
    )
    workloads = tmp_path / "w.toml"
    workloads.write_text(
        '[[workload]]\nname="w"\n[workload.load]\nmetric="m"\n'
        '[workload.load.cloudwatch]\nnamespace="N"\nmetric_name="M"\n'
    )
    store = str(tmp_path / "store")
    caplog.set_level(logging.DEBUG)
    for name in ("botocore", "boto3", "urllib3"):
        logging.getLogger(name).setLevel(logging.DEBUG)
    try:
        start = (now - timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M")
        assert main(["-v", "ingest", "billing", f"s3://{BUCKET}/exports/", "--store", store]) == 0
        assert (
            main(
                [
                    "-v",
                    "ingest",
                    "cost-explorer",
                    "--start",
                    str(date(2024, 1, 1)),
                    "--end",
                    str(date(2024, 2, 1)),
                    "--store",
                    store,
                ]
            )
            == 0
        )
        assert (
            main(
                [
                    "-v",
                    "ingest",
                    "cloudwatch",
                    "--workloads",
                    str(workloads),
                    "--start",
                    start,
                    "--store",
                    store,
                ]
            )
            == 0
        )
    finally:
        for name in ("botocore", "boto3", "urllib3"):
            logging.getLogger(name).setLevel(logging.NOTSET)
    logged = caplog.text
    assert "X-Amz-Security-Token" in logged  # botocore did log the signed request headers
    assert len([r for r in caplog.records if r.name.startswith("botocore")]) > 50
    printed = capsys.readouterr()
    on_disk = b"".join(p.read_bytes() for p in (tmp_path / "store").rglob("*") if p.is_file())
    for secret in (FAKE_SECRET, FAKE_TOKEN):
        assert secret not in logged
        assert secret not in printed.out and secret not in printed.err
        assert secret.encode() not in on_disk
