"""Where the dashboard's data is: the store and the input files it was started with.

Only what is named is used: nothing is looked for beside the workloads file.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Config:
    store: Path | None = None
    workloads: Path | None = None
    loadtests: tuple[Path, ...] = ()
    scenarios: Path | None = None


_current = [Config()]


def configure(
    store: Path | str,
    workloads: Path | str | None = None,
    loadtests: list[Path | str] | Path | str | None = None,
    scenarios: Path | str | None = None,
) -> None:
    """Point the loader at a store, a workloads file, load-test files or directories and a
    TCO scenario file."""
    if isinstance(loadtests, str | Path):
        loadtests = [loadtests]
    _current[0] = Config(
        store=Path(store),
        workloads=Path(workloads) if workloads else None,
        loadtests=tuple(Path(p) for p in loadtests or []),
        scenarios=Path(scenarios) if scenarios else None,
    )


def config() -> Config:
    return _current[0]


def store_dir() -> Path:
    store = config().store
    if store is None:
        raise RuntimeError("dashboard.loader.configure() was not called")
    return store


def workloads_path() -> Path | None:
    return config().workloads


def bill_only() -> bool:
    """No workloads file is configured: the pages show what the bill alone tells."""
    return config().workloads is None


def inputs() -> dict[str, Any]:
    """The files the dashboard was started with (each named by the user, or None)."""
    now = config()
    return {
        "store": str(store_dir()),
        "workloads": str(now.workloads) if now.workloads else None,
        "scenarios": str(now.scenarios) if now.scenarios else None,
        "loadtests": ", ".join(str(p) for p in now.loadtests) or None,
    }


def _mtime(path: Path | None) -> int:
    try:
        return path.stat().st_mtime_ns if path is not None else 0
    except OSError:
        return 0


def stamp() -> tuple:
    """The configuration and the modification times of everything the results depend on:
    changes whenever an ingest commits, an input file changes or the loader is pointed
    elsewhere."""
    now = config()
    root = store_dir()
    files = [root / "billing" / "catalog.json", root / "load" / "catalog.json",
             now.workloads, now.scenarios, *now.loadtests]  # fmt: skip
    return (now, *(_mtime(p) for p in files))
