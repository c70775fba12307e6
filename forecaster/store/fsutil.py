"""Crash-safe file writing and the store's lock.

Every file the store commits is written to a temporary name in the same directory, flushed
to disk, then renamed over the target: readers see the old file or the new one, never half
of one. The lock makes concurrent ingests wait their turn instead of interleaving.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from forecaster.errors import StoreError

LOCK_TIMEOUT_ENV = "FORECASTER_LOCK_TIMEOUT"


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def fsync_dir(path: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file and a rename."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        os.fchmod(fd, 0o666 & ~_umask())  # mkstemp's 0600 would hide files from other users
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    fsync_dir(path.parent)


def atomic_write_json(path: Path, obj: Any) -> None:
    atomic_write_bytes(
        path, (json.dumps(obj, indent=2, sort_keys=True, default=str) + "\n").encode()
    )


def read_json(path: Path, default: Any) -> Any:
    try:
        return json.loads(path.read_text())
    except FileNotFoundError:
        return default
    except json.JSONDecodeError as exc:
        raise StoreError(f"{path}: the store file is not valid JSON ({exc})") from exc
    except NotADirectoryError as exc:
        raise StoreError(
            f"{path}: cannot be read: a part of the store path is a file, not a directory"
        ) from exc
    except OSError as exc:
        raise StoreError(f"{path}: cannot be read ({exc.strerror or exc})") from exc


@contextlib.contextmanager
def store_lock(store: Path, timeout: float | None = None) -> Iterator[None]:
    """Hold the store's exclusive lock; wait up to ``timeout`` seconds, then fail clearly.

    The default wait is $FORECASTER_LOCK_TIMEOUT or 600 s.
    """
    if timeout is None:
        timeout = float(os.environ.get(LOCK_TIMEOUT_ENV, "600"))
    store.mkdir(parents=True, exist_ok=True)
    lock_path = store / ".lock"
    with open(lock_path, "a+") as fh:
        deadline = time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    fh.seek(0)
                    holder = fh.read().strip() or "another process"
                    raise StoreError(
                        f"{store}: the store is locked by {holder}; waited {timeout:g} s. "
                        "Try again when that ingest has finished."
                    ) from None
                time.sleep(0.1)
        try:
            fh.seek(0)
            fh.truncate()
            fh.write(f"pid {os.getpid()}")
            fh.flush()
            yield
        finally:
            fh.seek(0)
            fh.truncate()
            fcntl.flock(fh.fileno(), fcntl.LOCK_UN)
