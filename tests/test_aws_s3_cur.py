"""CUR 2.0 Data Exports in S3 (moto over HTTP): manifests decide what is read, a re-delivered
month replaces only itself, and the same delivery twice changes nothing."""

from __future__ import annotations

import polars as pl
import pytest

from forecaster import columns as C
from forecaster.aws.s3_cur import ingest_s3
from forecaster.cli import main
from forecaster.store import BillingStore, read_charges
from tests.aws_cur_exports import BUCKET, deliver

URI = f"s3://{BUCKET}/exports/"


@pytest.fixture
def s3(moto_client):
    client = moto_client("s3")
    client.create_bucket(Bucket=BUCKET)
    return client


def billed_by_period(store) -> dict[str, float]:
    df = (
        read_charges(store)
        .group_by(pl.col(C.BILLING_PERIOD_START).dt.strftime("%Y-%m").alias("p"))
        .agg(pl.col(C.BILLED_COST).sum())
        .collect()
    )
    return {p: round(v, 6) for p, v in df.rows()}


def data_reads(proxy, contains: str = "") -> int:
    """GetObject requests for data files (not manifests) whose path contains ``contains``."""
    return sum(
        1
        for _, op, path in proxy.calls
        if op == "GetObject" and "/data/" in path and contains in path
    )


def test_each_period_is_read_from_exactly_the_files_its_manifest_lists(aws_env, s3, tmp_path):
    deliver(s3, tmp_path, "2024-01", [[1.0, 2.0], [3.0]])
    deliver(s3, tmp_path, "2024-02", [[10.0]])
    report = ingest_s3(URI, tmp_path / "s")
    assert billed_by_period(tmp_path / "s") == {"2024-01": 6.0, "2024-02": 10.0}
    assert [m["action"] for m in report.manifests] == ["read", "read"]
    assert data_reads(aws_env) == 3
    assert {f["file"] for f in report.billing.files} == {
        f"s3://{BUCKET}/exports/cur/my-export/data/BILLING_PERIOD=2024-01/exec-1/my-export-00001.snappy.parquet",
        f"s3://{BUCKET}/exports/cur/my-export/data/BILLING_PERIOD=2024-01/exec-1/my-export-00002.snappy.parquet",
        f"s3://{BUCKET}/exports/cur/my-export/data/BILLING_PERIOD=2024-02/exec-1/my-export-00001.snappy.parquet",
    }
    assert {p["source"] for p in BillingStore(tmp_path / "s").partitions()} == {"cur2"}


def test_the_same_delivery_twice_reads_no_data_and_changes_nothing(aws_env, s3, tmp_path):
    deliver(s3, tmp_path, "2024-01", [[1.0, 2.0]])
    ingest_s3(URI, tmp_path / "s")
    catalog = (tmp_path / "s" / "billing" / "catalog.json").read_bytes()
    reads = data_reads(aws_env)
    report = ingest_s3(URI, tmp_path / "s")
    assert data_reads(aws_env) == reads
    assert report.billing is None
    assert report.manifests[0]["action"].startswith("unchanged")
    assert (tmp_path / "s" / "billing" / "catalog.json").read_bytes() == catalog


def test_a_redelivered_month_replaces_only_that_month(aws_env, s3, tmp_path):
    deliver(s3, tmp_path, "2024-01", [[1.0, 2.0]])
    old_feb = deliver(s3, tmp_path, "2024-02", [[10.0], [20.0]])
    ingest_s3(URI, tmp_path / "s")
    jan_before = [
        p for p in BillingStore(tmp_path / "s").partitions() if p["billing_period"] == "2024-01"
    ]
    # AWS refreshes February: new files in a new execution folder, the old ones stay behind
    new_feb = deliver(s3, tmp_path, "2024-02", [[12.5]], execution="exec-2")
    aws_env.calls.clear()
    report = ingest_s3(URI, tmp_path / "s")
    assert billed_by_period(tmp_path / "s") == {"2024-01": 3.0, "2024-02": 12.5}
    assert data_reads(aws_env, "BILLING_PERIOD=2024-01") == 0
    assert data_reads(aws_env, new_feb[0]) == 1
    assert all(data_reads(aws_env, key) == 0 for key in old_feb)
    assert [m["action"][:4] for m in report.manifests] == ["unch", "read"]
    (feb,) = [p for p in report.billing.periods if p.billing_period == "2024-02"]
    assert feb.action == "replaced"
    jan_after = [
        p for p in BillingStore(tmp_path / "s").partitions() if p["billing_period"] == "2024-01"
    ]
    assert jan_after == jan_before


def test_the_ingest_billing_command_takes_an_s3_uri(aws_env, s3, tmp_path, capsys):
    deliver(s3, tmp_path, "2024-03", [[4.0, 5.0]])
    assert main(["ingest", "billing", URI, "--store", str(tmp_path / "s")]) == 0
    out = capsys.readouterr().out
    assert "2024-03  1 file(s)  read" in out and "cur2" in out
    assert billed_by_period(tmp_path / "s") == {"2024-03": 9.0}


def test_a_prefix_without_manifests_says_what_layout_was_expected(aws_env, s3, tmp_path):
    s3.put_object(Bucket=BUCKET, Key="exports/readme.txt", Body=b"nothing here")
    with pytest.raises(
        Exception, match="no Data Exports manifest.*metadata/BILLING_PERIOD=YYYY-MM"
    ):
        ingest_s3(URI, tmp_path / "s")
