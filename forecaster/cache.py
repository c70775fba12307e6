"""Results kept on disk beside the store, so a restart or a second worker does not refit.

Fitting 50 workloads' cost curves takes tens of seconds; the dashboard needs them on its
first page. ``DiskCache`` keeps such results under ``<store>/cache/<name>/<key>.pickle``,
where the key is a SHA-256 over everything the result depends on:

- the store's billing and load catalogs (bytes: every ingest commits a new catalog, so an
  ingest changes the key),
- the names and content of the input files the caller names (the workloads file, load
  tests): results say which inputs they used,
- the arguments of the call,
- the product's *code fingerprint*: a hash of every source file of the ``forecaster``
  package and the versions of the numeric libraries, so a new version of the product
  never reads a result an older one computed.

An entry is written to a temporary file and renamed, so a reader sees a whole entry or
none; an entry that cannot be read (truncated, written by another Python) is recomputed.
Older entries of the same name are removed when a new one is written, so the cache holds
about one result per name and argument set.

Entries are Python pickles: only a process that can already write the store can write them,
and only this product reads them. ``FORECASTER_NO_DISK_CACHE=1`` turns the cache off.
"""

from __future__ import annotations

import hashlib
import logging
import os
import pickle
from collections.abc import Callable, Iterable
from functools import lru_cache
from importlib import metadata
from pathlib import Path
from typing import Any, TypeVar

from forecaster.store.fsutil import atomic_write_bytes

log = logging.getLogger(__name__)

T = TypeVar("T")
CACHE_DIR = "cache"
MISSING = object()  # what ``DiskCache.get`` returns for an entry it does not hold
_LIBRARIES = ("polars", "numpy", "scipy")


@lru_cache(maxsize=1)
def code_fingerprint() -> str:
    """A hash of the forecaster package's source and the numeric libraries' versions."""
    return fingerprint_of(Path(__file__).resolve().parent)


def fingerprint_of(package: Path) -> str:
    """A hash of every ``*.py`` file under ``package`` (paths and bytes) and the versions
    of the numeric libraries."""
    digest = hashlib.sha256()
    for path in sorted(package.rglob("*.py")):
        digest.update(path.relative_to(package).as_posix().encode())
        digest.update(path.read_bytes())
    for name in _LIBRARIES:
        try:
            digest.update(f"{name}={metadata.version(name)}".encode())
        except metadata.PackageNotFoundError:
            digest.update(f"{name}=?".encode())
    return digest.hexdigest()


_digests: dict[tuple, str] = {}  # (path, inode, size, mtime) -> content hash


def _file_digest(path: Path | None) -> str:
    """SHA-256 of a file's content (of a directory's files and names), remembered while
    the file's inode, size and modification time stay the same (a rewrite or an atomic
    rename changes them), so a key costs a few stat calls instead of re-reading catalogs."""
    if path is None:
        return "none"
    try:
        if path.is_dir():
            parts = [
                f"{p.relative_to(path).as_posix()}:{_file_digest(p)}"
                for p in sorted(path.rglob("*"))
                if p.is_file() and not p.name.startswith(".")
            ]
            return hashlib.sha256("\n".join(parts).encode()).hexdigest()
        info = path.stat()
        signature = (str(path), info.st_ino, info.st_size, info.st_mtime_ns)
        if signature not in _digests:
            if len(_digests) > 4096:
                _digests.clear()
            _digests[signature] = hashlib.sha256(path.read_bytes()).hexdigest()
        return _digests[signature]
    except OSError:
        return "missing"


class DiskCache:
    """Results of expensive computations over one store, keyed by what they depend on.

    ``inputs``: files or directories (besides the store's catalogs) whose content the
    results depend on, e.g. the workloads file. ``enabled=False`` computes every time.
    """

    def __init__(
        self, store_dir: str | Path, inputs: Iterable[str | Path | None] = (), enabled=None
    ) -> None:
        self.store_dir = Path(store_dir)
        self.inputs = [Path(p) if p is not None else None for p in inputs]
        if enabled is None:
            enabled = os.environ.get("FORECASTER_NO_DISK_CACHE", "") not in ("1", "true")
        self.enabled = enabled

    @property
    def root(self) -> Path:
        return self.store_dir / CACHE_DIR

    def key(self, name: str, args: tuple = ()) -> str:
        """The entry's key: code, catalogs, inputs and arguments, hashed."""
        digest = hashlib.sha256()
        digest.update(code_fingerprint().encode())
        digest.update(name.encode())
        digest.update(repr(args).encode())
        for catalog in ("billing/catalog.json", "load/catalog.json"):
            digest.update(_file_digest(self.store_dir / catalog).encode())
        for path in self.inputs:  # name and content: results say which inputs they used
            digest.update(f"{path}\0{_file_digest(path)}".encode())
        return digest.hexdigest()[:32]

    def path(self, name: str, args: tuple = ()) -> Path:
        return self.root / name / f"{self.key(name, args)}.pickle"

    def get_or_compute(self, name: str, args: tuple, compute: Callable[[], T]) -> T:
        """The stored result for (name, args) and the current data, else ``compute()``
        stored for next time."""
        if not self.enabled:
            return compute()
        path = self.path(name, args)
        value = self._load(path)
        if value is not MISSING:
            log.info("disk cache: %s %s from %s", name, args, path.name)
            return value
        value = compute()
        self._store(path, value)
        return value

    def get(self, name: str, args: tuple = ()) -> Any:
        """The stored result for (name, args) and the current data, else ``MISSING``."""
        return self._load(self.path(name, args)) if self.enabled else MISSING

    def put(self, name: str, args: tuple, value: Any, keep: int = 16) -> None:
        """Store ``value`` for (name, args) and the current data, keeping the newest
        ``keep`` entries of ``name``."""
        if self.enabled:
            self._store(self.path(name, args), value, keep)

    @staticmethod
    def _load(path: Path) -> Any:
        if not path.is_file():
            return MISSING
        try:
            with path.open("rb") as fh:
                return pickle.load(fh)
        except Exception as exc:  # noqa: BLE001 - any unreadable entry is recomputed
            log.info("disk cache: %s unreadable (%s); recomputing", path.name, exc)
            return MISSING

    def _store(self, path: Path, value: Any, keep: int = 16) -> None:
        try:
            payload = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
        except Exception as exc:  # noqa: BLE001 - an unpicklable result is simply not kept
            log.info("disk cache: %s not kept (%s)", path.parent.name, exc)
            return
        try:
            atomic_write_bytes(path, payload)
        except OSError as exc:  # a read-only or full store still serves, only slower
            log.warning("disk cache: cannot write %s (%s)", path, exc.strerror or exc)
            return
        self._prune(path, keep)

    def _prune(self, keep: Path, limit: int = 16) -> None:
        """Keep the newest ``limit`` entries of this name (several argument sets)."""
        entries = sorted(
            (p for p in keep.parent.glob("*.pickle") if p != keep),
            key=lambda p: p.stat().st_mtime_ns,
            reverse=True,
        )
        for stale in entries[limit - 1 :]:
            stale.unlink(missing_ok=True)

    def clear(self) -> None:
        """Remove every entry."""
        if not self.root.is_dir():
            return
        for path in self.root.rglob("*.pickle"):
            path.unlink(missing_ok=True)
