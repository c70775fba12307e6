"""AWS manifests in a local copy of an export: which files are the current delivery.

Legacy CUR keeps every delivery of a month: ``<report>/<yyyymmdd-yyyymmdd>/<assemblyId>/``
folders, with ``<report>-Manifest.json`` in the month folder naming the current assembly's
``reportKeys``. CUR 2.0 Data Exports with versioning keep ``data/BILLING_PERIOD=YYYY-MM/
<execution-id>/`` folders, with ``metadata/BILLING_PERIOD=YYYY-MM/<export>-Manifest.json``
listing the current ``dataFiles``. A directory given to ``ingest billing`` is searched for
these manifests: files a manifest's folder holds but the manifest does not list are older
deliveries and are skipped (and said so); a listed file that is missing makes the delivery
incomplete, and the ingest is refused naming it.

Files are matched to manifest keys by their last two path parts (folder and file name), so a
copy made with ``aws s3 sync`` under any local prefix matches.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

from forecaster.errors import InputError, clip

MAX_MANIFEST_BYTES = 16 << 20
_CUR2 = re.compile(r"^(?P<root>.*)/metadata/(?P<period>BILLING_PERIOD=[^/]+)$")


@dataclass
class Manifest:
    path: Path
    scope: Path  # the folder whose files it decides
    listed: set[tuple[str, str]]  # (folder name, file name) of the current files
    label: str  # e.g. "assembly 7a1f..." or "execution 42"


def _tail(key: str) -> tuple[str, str]:
    parts = [p for p in key.replace("\\", "/").split("/") if p]
    return (parts[-2] if len(parts) > 1 else "", parts[-1] if parts else "")


def _read(path: Path) -> Manifest | None:
    try:
        if path.stat().st_size > MAX_MANIFEST_BYTES:
            return None
        doc = json.loads(path.read_text())
    except (OSError, ValueError):
        return None
    if not isinstance(doc, dict):
        return None
    if isinstance(doc.get("reportKeys"), list):  # legacy CUR
        keys = [k for k in doc["reportKeys"] if isinstance(k, str)]
        label = f"assembly {doc.get('assemblyId', '?')}"
        return Manifest(path, path.parent, {_tail(k) for k in keys}, label)
    if isinstance(doc.get("dataFiles"), list):  # CUR 2.0 Data Exports
        m = _CUR2.match(path.parent.as_posix())
        if not m:
            return None
        keys = [k for k in doc["dataFiles"] if isinstance(k, str)]
        label = f"execution {doc.get('executionId', '?')}"
        return Manifest(
            path, Path(m["root"]) / "data" / m["period"], {_tail(k) for k in keys}, label
        )
    return None


def current_delivery(
    files: list[Path], roots: list[Path]
) -> tuple[list[Path], list[dict[str, str]]]:
    """``files`` without older deliveries, and one skip note per file left out.

    ``roots`` are the directories the user named (manifests are searched under them).
    """
    manifests = [
        m
        for root in roots
        for p in sorted(root.rglob("*Manifest.json"))
        if (m := _read(p)) is not None
    ]
    if not manifests:
        return files, [], set()
    kept, skipped, listed = [], [], set()
    for f in files:
        stale = next(
            (
                m
                for m in manifests
                if f.is_relative_to(m.scope) and _tail(f.as_posix()) not in m.listed
            ),
            None,
        )
        if stale is None:
            kept.append(f)
            if any(f.is_relative_to(m.scope) for m in manifests):
                listed.add(f)
        else:
            skipped.append(
                {
                    "file": str(f),
                    "reason": f"an older delivery: the manifest {stale.path} lists the "
                    f"current one ({stale.label})",
                }
            )
    present = {_tail(f.as_posix()) for f in files}
    for m in manifests:
        missing = sorted(k for k in m.listed if k not in present and m.scope.exists())
        if missing:
            raise InputError(
                clip(
                    f"{m.path}: the manifest lists {len(missing)} file(s) that are not under "
                    f"{m.scope}, first {'/'.join(missing[0])}: the delivery is incomplete; "
                    "copy every listed file, then ingest again"
                )
            )
    return kept, skipped, listed
