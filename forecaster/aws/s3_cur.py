"""CUR 2.0 (AWS Data Exports) in S3 -> the billing store.

Data Exports writes, under ``s3://bucket/<prefix>/<export-name>/``::

    data/BILLING_PERIOD=YYYY-MM/[<execution-id>/]<export-name>-00001.snappy.parquet
    metadata/BILLING_PERIOD=YYYY-MM/<export-name>-Manifest.json   {"dataFiles": [s3 URIs], ...}

Each refresh rewrites a period's manifest. Only periods whose manifest changed since the
last ingest are read (the billing store remembers a checksum of each manifest through the
digests it records for the period's files), and only the files the manifest lists: stale
files of an earlier delivery sitting beside them are never read. Every listed file is
downloaded and checked before anything is stored; the periods are then ingested together,
reconciled to the cent, atomically (:func:`forecaster.ingest.ingest_frames`).
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import tempfile
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from forecaster.aws.errors import AwsError
from forecaster.aws.session import Aws, AwsOptions
from forecaster.billing import read_billing_file
from forecaster.billing.files import OpenedFile
from forecaster.errors import InputError
from forecaster.ingest import ingest_frames
from forecaster.ingest_commit import IngestReport
from forecaster.store import BillingStore

MANIFEST = re.compile(
    r"^(?P<root>.*?)metadata/BILLING_PERIOD=(?P<period>\d{4}-\d{2})/[^/]*Manifest\.json$"
)


def parse_s3_uri(uri: str) -> tuple[str, str]:
    """(bucket, key or prefix) of ``s3://bucket/key``."""
    if not uri.startswith("s3://") or len(uri) <= 5:
        raise InputError(f"{uri!r} is not an S3 URI like s3://bucket/prefix/")
    bucket, _, key = uri[5:].partition("/")
    if not bucket:
        raise InputError(f"{uri!r} names no bucket")
    return bucket, key


@dataclass
class Manifest:
    uri: str
    period: str  # YYYY-MM
    root: str  # export root key prefix (before metadata/)
    sha256: str
    data_files: list[tuple[str, str]]  # (bucket, key)

    def digests(self) -> list[str]:
        """What the billing store records per data file: manifest checksum + file URI."""
        return sorted(
            hashlib.sha256(f"{self.sha256}\ns3://{b}/{k}".encode()).hexdigest()
            for b, k in self.data_files
        )


def _list_manifests(aws: Aws, bucket: str, prefix: str) -> list[tuple[str, str, str]]:
    """(key, period, export root) of every CUR 2.0 manifest under the prefix."""
    found, token = [], None
    while True:
        params: dict[str, Any] = {"Bucket": bucket, "Prefix": prefix}
        if token:
            params["ContinuationToken"] = token
        resp = aws.call("s3", "ListObjectsV2", f"s3://{bucket}/{prefix}", **params)
        for obj in resp.get("Contents", []):
            m = MANIFEST.match(obj["Key"])
            if m:
                found.append((obj["Key"], m["period"], m["root"]))
        if not resp.get("IsTruncated"):
            return found
        token = resp.get("NextContinuationToken")


def _read_manifest(aws: Aws, bucket: str, key: str, period: str, root: str) -> Manifest:
    uri = f"s3://{bucket}/{key}"
    body = aws.call("s3", "GetObject", uri, Bucket=bucket, Key=key)["Body"].read()
    try:
        doc = json.loads(body)
    except json.JSONDecodeError as exc:
        raise InputError(f"{uri}: the manifest is not JSON ({exc.msg})") from exc
    files = doc.get("dataFiles") if isinstance(doc, dict) else None
    if not isinstance(files, list) or not all(isinstance(f, str) for f in files):
        raise InputError(f"{uri}: the manifest has no dataFiles list of S3 URIs")
    data_files = []
    for f in files:
        if f.startswith("s3://"):
            data_files.append(parse_s3_uri(f))
        else:  # a key relative to the bucket
            data_files.append((bucket, f.lstrip("/")))
    return Manifest(uri, period, root, hashlib.sha256(body).hexdigest(), data_files)


def _stored_digests(store: BillingStore) -> dict[str, list[list[str]]]:
    """Per billing period, the sorted file digests of each stored partition."""
    out: dict[str, list[list[str]]] = defaultdict(list)
    for part in store.partitions():
        out[part["billing_period"]].append(sorted(f["sha256"] for f in part["files"]))
    return out


def _download(aws: Aws, bucket: str, key: str, manifest: Manifest, to: Path) -> Path:
    uri = f"s3://{bucket}/{key}"
    try:
        resp = aws.call("s3", "GetObject", uri, Bucket=bucket, Key=key)
    except AwsError as exc:
        raise AwsError(
            f"{exc} (listed in the manifest {manifest.uri})", parameters=exc.parameters
        ) from None
    path = to / bucket / key
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as fh:
        shutil.copyfileobj(resp["Body"], fh, 1 << 20)
    return path


@dataclass
class S3CurReport:
    uri: str
    manifests: list[dict[str, Any]]
    requests: dict[str, int]
    billing: IngestReport | None
    notes: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "uri": self.uri,
            "manifests": self.manifests,
            "requests": self.requests,
            "billing": self.billing.as_dict() if self.billing else None,
            "notes": self.notes,
        }


def ingest_s3(
    uri: str,
    store_dir: str | Path,
    fmt: str = "auto",
    source: str | None = None,
    options: AwsOptions | None = None,
    now: datetime | None = None,
    aws: Aws | None = None,
) -> S3CurReport:
    """Ingest the CUR 2.0 (or FOCUS) Data Export under ``s3://bucket/prefix/``.

    Re-reads only periods whose manifest changed since the last ingest, exactly the files
    each manifest lists; a missing listed file, a missing bucket or denied access fails
    with the S3 URI named, and nothing is stored.
    """
    bucket, prefix = parse_s3_uri(uri)
    aws = aws or Aws(options)
    aws.check_credentials()
    listed = _list_manifests(aws, bucket, prefix)
    if not listed:
        raise InputError(
            f"{uri}: no Data Exports manifest under it; expected "
            "<prefix>/<export-name>/metadata/BILLING_PERIOD=YYYY-MM/<export-name>-Manifest.json"
        )
    roots = sorted({root for _, _, root in listed})
    if len(roots) > 1:
        shown = ", ".join(f"s3://{bucket}/{r}" for r in roots)
        raise InputError(
            f"{uri} holds several exports ({shown}); ingest one at a time (one --store-as each) "
            "so their months are not stored twice"
        )
    manifests = [_read_manifest(aws, bucket, k, p, r) for k, p, r in sorted(listed)]
    stored = _stored_digests(BillingStore(store_dir))
    changed = [m for m in manifests if m.digests() not in stored.get(m.period, [])]
    summary = [
        {
            "period": m.period,
            "manifest": m.uri,
            "files": len(m.data_files),
            "action": "read" if m in changed else "unchanged (manifest as last ingested)",
        }
        for m in manifests
    ]
    billing = None
    if changed:
        with tempfile.TemporaryDirectory(prefix="forecaster-s3-") as tmp:
            frames, opened, local = [], [], {}
            try:
                for m in changed:
                    for (b, k), digest in zip(m.data_files, _file_digests(m), strict=True):
                        path = _download(aws, b, k, m, Path(tmp))
                        local[str(path)] = f"s3://{b}/{k}"
                        f = OpenedFile(path)
                        opened.append(f)
                        sf = read_billing_file(f, fmt)
                        if sf is not None:
                            sf.origin = f"s3://{b}/{k}"
                            frames.append((sf, digest))
                billing = ingest_frames(
                    frames, store_dir, source or _default_source(frames), now=now, listed=True
                )
            finally:
                for f in opened:
                    f.close()
            for entry in billing.files:
                entry["file"] = local.get(entry["file"], entry["file"])
    return S3CurReport(uri=uri, manifests=summary, requests=dict(aws.requests), billing=billing)


def _file_digests(m: Manifest) -> list[str]:
    return [
        hashlib.sha256(f"{m.sha256}\ns3://{b}/{k}".encode()).hexdigest() for b, k in m.data_files
    ]


def _default_source(frames) -> str:
    formats = sorted({sf.format for sf, _ in frames})
    return formats[0] if len(formats) == 1 else "cur2"
