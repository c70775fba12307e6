"""TCO: the baseline and what-if scenario runs of ``forecaster.tco`` and the scenario file."""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
import threading
from pathlib import Path
from typing import Any

from dashboard.loader import quiet
from dashboard.loader.caching import LOADER_CODE, cached, disk, on_disk
from dashboard.loader.config import config, stamp, store_dir
from dashboard.loader.errors import refusals
from dashboard.loader.workload_results import fits, series, unclaimed_days, workloads


@cached
@refusals
def file_scenarios() -> tuple[Any, list[Any]] | None:
    """(Settings, scenarios) of the configured scenario file; None when none is named."""
    path = config().scenarios
    if path is None:
        return None
    from forecaster.tco.scenarios import load_scenarios

    return load_scenarios(path)


log = logging.getLogger(__name__)
PATHS = "tco_paths"
"""The disk cache's folder of kept baseline paths: one subfolder per code version."""


def tco(what: Any) -> dict[str, Any]:
    """Baseline and what-if scenario (a ``forecaster.views.forecast.WhatIf``) run by
    ``forecaster.tco``; ``LoaderError`` with the engine's message when it refuses the
    data. The first what-if at a horizon also starts drawing that horizon's growth kits
    in the background, so a growth change later only transforms them."""
    what = what.canonical()
    _prepare_growth(what.horizon_months)
    return _tco(what)


_preparing: set[tuple] = set()
_preparing_lock = threading.Lock()


def _prepare_growth(months: int) -> None:
    """Draw the growth kits of the ``months`` paths in a daemon thread, once per data
    stamp (``Projection.prepare``), each kit in a quiet moment (``quiet.wait``): a
    request that needs a kit first draws it itself."""
    key = (months, stamp())
    with _preparing_lock:
        if key in _preparing:
            return
        _preparing.add(key)

    def prepare() -> None:
        try:
            tco_paths(months).prepare(fits(), pause=quiet.wait)
        except Exception as exc:  # noqa: BLE001 - a request draws what it needs itself
            log.info("growth kits for %s months not prepared (%s)", months, exc)

    threading.Thread(target=prepare, name=f"tco-growth-{months}", daemon=True).start()


@cached
@on_disk
@refusals
def _tco(what: Any) -> dict[str, Any]:
    from forecaster.tco.run import run_tco
    from forecaster.views import forecast as forecast_views

    return run_tco(
        store_dir(),
        config().workloads,
        scenarios=forecast_views.scenarios(what, extra=_extra_scenarios()),
        series=series(),
        fits=fits(),
        unclaimed=unclaimed_days(),
        paths=tco_paths(what.horizon_months),
    )


@cached
@refusals
def tco_paths(months: int) -> Any:
    """The baseline Monte Carlo paths over ``months`` that every what-if transforms
    (``forecaster.tco.run.baseline_paths``), kept on disk so the first what-if after a
    restart simulates only what it changes: in ``cache/tco_paths/<code version>/``, and
    the entries of other code versions are removed (about 64 MB each on 50 workloads)."""
    from forecaster.tco.run import baseline_paths

    version = code_version()
    paths = disk().get_or_compute(
        f"{PATHS}/{version}",
        (months,),
        lambda: baseline_paths(
            store_dir(),
            workloads(),
            months,
            series=series(),
            fits=fits(),
            unclaimed=unclaimed_days(),
        ),  # fmt: skip
    )
    prune_paths(disk().root / PATHS, version)
    paths.keep_kits = True
    return paths


def code_version() -> str:
    """A digest of the product's code and this loader's (what the disk keys hold besides
    the data), naming the folder of the kept paths this code writes and reads."""
    from forecaster.cache import code_fingerprint

    digest = hashlib.sha256(code_fingerprint().encode())
    for path in LOADER_CODE:
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def prune_paths(folder: Path, current: str) -> list[str]:
    """Remove the kept paths of every code version but ``current`` under ``folder``
    (the entries of the layout before the version folders, ``folder/*.pickle``, are an
    older version's too); the names removed.

    Never the current version's folder, and nothing that is not an entry (a hidden
    temporary file being written is left alone). An old version's folder is first renamed
    (atomic) to a hidden name, then deleted, so no reader sees it half removed: a process
    of that code reading an entry keeps its open file, one writing loses its temporary
    file with the folder and serves its paths from memory (the disk cache logs it), and a
    later write of that code makes a new folder, removed at the next prune."""
    removed: list[str] = []
    try:
        entries = sorted(folder.iterdir())
    except OSError:
        return removed
    for entry in entries:
        name = entry.name
        try:
            if entry.is_dir() and name.startswith(".pruned-"):  # an interrupted prune's
                shutil.rmtree(entry, ignore_errors=True)
                continue
            if name == current or name.startswith("."):
                continue
            if entry.is_dir():
                trash = folder / f".pruned-{name}-{os.getpid()}-{threading.get_ident()}"
                entry.rename(trash)
                shutil.rmtree(trash, ignore_errors=True)
            elif entry.suffix == ".pickle":
                entry.unlink()
            else:
                continue
        except OSError as exc:  # another process pruned it first, or a read-only store
            log.info("kept paths %s not removed (%s)", name, exc)
            continue
        removed.append(name)
    return removed


def _extra_scenarios() -> list[Any]:
    loaded = file_scenarios()
    return [] if loaded is None else loaded[1]
