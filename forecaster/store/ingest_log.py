"""A log of failed ingests under ``<store>/logs/ingest-errors.jsonl``.

A failed ingest changes no data in the store; this log only records that it happened and
why, so the dashboard's Data page can show it. One JSON object a line, appended with a single
write (O_APPEND), so concurrent writers never interleave within a line.
"""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

LOG = Path("logs") / "ingest-errors.jsonl"


def record_failure(store_dir: str | Path, kind: str, inputs: list[str], error: Exception) -> None:
    """Append one failed ingest: when, what kind, which inputs, the error message."""
    path = Path(store_dir) / LOG
    entry = {
        "at": datetime.now(UTC).isoformat(timespec="seconds"),
        "kind": kind,
        "inputs": [str(i) for i in inputs],
        "error": f"{type(error).__name__}: {error}",
    }
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        try:
            os.write(fd, (json.dumps(entry) + "\n").encode())
        finally:
            os.close(fd)
    except OSError:
        pass  # the log is diagnostic only: never hide the real error behind a logging one


def read_failures(store_dir: str | Path, limit: int = 100) -> list[dict[str, Any]]:
    """The most recent failed ingests, newest first (unreadable lines are skipped)."""
    path = Path(store_dir) / LOG
    try:
        lines = path.read_text().splitlines()
    except OSError:
        return []
    out = []
    for line in reversed(lines):
        try:
            out.append(json.loads(line))
        except json.JSONDecodeError:
            continue
        if len(out) >= limit:
            break
    return out
