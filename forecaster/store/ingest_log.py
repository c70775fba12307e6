"""A log of failed ingests under ``<store>/logs/ingest-errors.jsonl``.

A failed ingest changes no data in the store; this log only records that it happened and
why, so the dashboard's Data page can show it. One JSON object a line, appended with a single
write (O_APPEND), so concurrent writers never interleave within a line.

Bounded: a line holds at most :data:`MAX_INPUTS` inputs and messages clipped to
:data:`MAX_FIELD` characters (so under :data:`MAX_LINE` bytes); readers read only the last
:data:`READ_TAIL_BYTES` of the file and skip longer lines, whatever wrote them.
"""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from forecaster.errors import clip

LOG = Path("logs") / "ingest-errors.jsonl"
MAX_INPUTS = 20
MAX_FIELD = 2000
MAX_LINE = 64 * 1024
READ_TAIL_BYTES = 1 << 20


def record_failure(store_dir: str | Path, kind: str, inputs: list[str], error: Exception) -> None:
    """Append one failed ingest: when, what kind, which inputs, the error message."""
    path = Path(store_dir) / LOG
    shown = [clip(str(i), MAX_FIELD // 4) for i in inputs[:MAX_INPUTS]]
    if len(inputs) > MAX_INPUTS:
        shown.append(f"... and {len(inputs) - MAX_INPUTS:,} more")
    entry = {
        "at": datetime.now(UTC).isoformat(timespec="seconds"),
        "kind": clip(kind, 100),
        "inputs": shown,
        "error": clip(f"{type(error).__name__}: {error}", MAX_FIELD),
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
    """The most recent failed ingests, newest first, from the log's last
    READ_TAIL_BYTES (unreadable or overlong lines are skipped)."""
    path = Path(store_dir) / LOG
    try:
        with open(path, "rb") as fh:
            size = fh.seek(0, os.SEEK_END)
            fh.seek(max(0, size - READ_TAIL_BYTES))
            tail = fh.read(READ_TAIL_BYTES)
    except OSError:
        return []
    lines = tail.split(b"\n")
    if size > READ_TAIL_BYTES:
        lines = lines[1:]  # the first line is cut
    out = []
    for line in reversed(lines):
        if not line.strip() or len(line) > MAX_LINE:
            continue
        try:
            out.append(json.loads(line))
        except json.JSONDecodeError:
            continue
        if len(out) >= limit:
            break
    return out
