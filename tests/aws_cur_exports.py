"""Deliver CUR 2.0 Data Exports (Parquet + manifest) into moto's S3, as AWS lays them out."""

from __future__ import annotations

import json
from pathlib import Path

from tests.cur_builder import cur_rows, write_cur2

BUCKET = "cur-bucket"
EXPORT = "exports/cur/my-export"


def usage(*amounts: float) -> list[tuple]:
    return [("Usage", a, {"pricing_public_on_demand_cost": a}, a, "Usage") for a in amounts]


def deliver(
    s3,
    tmp: Path,
    period: str,
    files: list[list[float]],
    execution: str = "exec-1",
    missing: int | None = None,
) -> list[str]:
    """Upload one data file per amounts list and the period's manifest; return the data keys.

    ``missing`` names a file index that the manifest lists but that is never uploaded.
    """
    keys = []
    for i, amounts in enumerate(files):
        key = f"{EXPORT}/data/BILLING_PERIOD={period}/{execution}/my-export-{i + 1:05d}.snappy.parquet"
        keys.append(key)
        if i == missing:
            continue
        local = write_cur2(
            tmp / execution / period / f"{i}.parquet", cur_rows(usage(*amounts), period)
        )
        s3.put_object(Bucket=BUCKET, Key=key, Body=local.read_bytes())
    manifest = {
        "executionId": execution,
        "exportArn": "arn:aws:bcm-data-exports:us-east-1:111111111111:export/my-export",
        "billingPeriod": {"start": f"{period}-01T00:00:00Z"},
        "dataFiles": [f"s3://{BUCKET}/{k}" for k in keys],
    }
    s3.put_object(
        Bucket=BUCKET,
        Key=f"{EXPORT}/metadata/BILLING_PERIOD={period}/my-export-Manifest.json",
        Body=json.dumps(manifest).encode(),
    )
    return keys
