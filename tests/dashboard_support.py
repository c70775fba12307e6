"""Shared set-up for the dashboard tests: one sample store per test process (the bundled
sample plus a hostile billing file), one Dash app over it, and its page modules.

Dash imports page modules itself (as ``pages.<name>``) each time an app is created and hands
``@callback`` registrations to the next app that serves a request, so the whole test process
uses a single app: unit tests and the browser tests share it.
"""

from __future__ import annotations

import sys
import threading
from pathlib import Path
from types import ModuleType

import pytest

from tests.focus_builder import focus_row, write_focus

EVIL = "<img src=x onerror=alert(1)>"
"""A value billing data may carry (service name, tag value); it must show as text."""

EVIL_SERVICE = EVIL
EVIL_MONTHS = ("2026-09", "2026-10")
_lock = threading.Lock()
_built: dict[str, object] = {}


def text_of(component) -> str:
    """All text under a component (what a reader sees)."""
    if component is None:
        return ""
    if isinstance(component, str | int | float):
        return str(component)
    if isinstance(component, list | tuple):
        return " ".join(text_of(c) for c in component)
    return text_of(getattr(component, "children", None))


def write_evil_billing(path: Path) -> Path:
    """A FOCUS CSV with one daily charge on 1 and 2 of each EVIL_MONTHS month whose service
    name and ``team`` tag are markup (12.34 USD a day, claimed by no workload)."""
    account = {"BillingAccountId": "999999999999", "account": "999999999999"}
    blanks = {"ServiceCategory": "Other", "ChargeClass": "", "ResourceId": ""}
    rows = [
        focus_row(
            month,
            day,
            12.34,
            service=EVIL_SERVICE,
            hours=24,
            tags={"team": EVIL},
            **account,
            **blanks,
        )
        for month in EVIL_MONTHS
        for day in (1, 2)
    ]
    return write_focus(path, rows)


def sample_paths(root: Path) -> dict[str, Path]:
    """Write the bundled sample and the hostile file under ``root`` and ingest them (once
    per process; later calls return the first paths)."""
    with _lock:
        if "paths" not in _built:
            from forecaster.ingest import ingest_billing
            from forecaster.sample import write_sample

            sample, store = root / "sample", root / "store"
            write_sample(sample, store)
            ingest_billing([write_evil_billing(root / "evil" / "evil.csv")], store, source="evil")
            _built["paths"] = {
                "root": root,
                "sample": sample,
                "store": store,
                "workloads": sample / "workloads.toml",
                "loadtests": sample / "loadtest",
            }
        return _built["paths"]  # type: ignore[return-value]


def app_for(paths: dict[str, Path]):
    """The one Dash app of this test process, over the sample store."""
    with _lock:
        if "app" not in _built:
            from dashboard.app import create_app

            app = create_app(paths["store"], paths["workloads"], paths["loadtests"], warm=False)
            # The first request hands the pages' @callback registrations to this app; do it
            # now, before any other Dash app of the process (a test's) can take them.
            assert app.server.test_client().get("/_dash-dependencies").status_code == 200
            _built["app"] = app
        return _built["app"]


def configure(paths: dict[str, Path]) -> None:
    """Point the data loader back at the sample store (after a test pointed it elsewhere)."""
    from dashboard import loader

    loader.configure(paths["store"], paths["workloads"], paths["loadtests"])


def page(name: str) -> ModuleType:
    """A page module as Dash imported it (``dashboard/pages/<name>.py``)."""
    return sys.modules[f"pages.{name}"]


PAGE_NAMES = ("overview", "workloads", "scaling", "forecast", "review", "data")


def session_sample(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """For a session fixture: the sample paths (built by the first caller in the process)."""
    if "paths" in _built:
        return _built["paths"]  # type: ignore[return-value]
    return sample_paths(tmp_path_factory.mktemp("dashboard"))


def pages_for(paths: dict[str, Path]) -> dict[str, ModuleType]:
    """The page modules by name, with the app built and the loader on the sample store."""
    app_for(paths)
    configure(paths)
    return {name: page(name) for name in PAGE_NAMES}
