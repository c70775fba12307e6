"""Which input files a command uses, and why: nothing is used that the user did not name.

A workloads file, a scenarios file or load tests are used only when named, in this order:

1. the command's flag (``--workloads``, ``--scenarios``, ``--loadtests``);
2. the environment variable (``FORECASTER_WORKLOADS``, ``FORECASTER_SCENARIOS``,
   ``FORECASTER_LOADTESTS``; load tests may list several paths separated by ``os.pathsep``);
3. the project file ``forecaster.toml`` in the current directory, whose ``[inputs]`` table
   names them (paths relative to that file)::

       [inputs]
       workloads = "data/sample/workloads.toml"
       scenarios = "data/sample/scenarios.toml"
       loadtests = ["data/sample/loadtest"]

A file lying around (``./workloads.toml``, ``scenarios.toml`` or ``loadtest/`` beside the
workloads file, the bundled sample's files) is never picked up by itself. ``Named`` says
which path was used and how it was named, so every output can say which inputs it used.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from forecaster.errors import InputError

PROJECT_FILE = "forecaster.toml"
KINDS = {
    "workloads": ("--workloads", "FORECASTER_WORKLOADS"),
    "scenarios": ("--scenarios", "FORECASTER_SCENARIOS"),
    "loadtests": ("--loadtests", "FORECASTER_LOADTESTS"),
}


@dataclass(frozen=True)
class Named:
    """An input as named by the user: ``paths`` (empty when not named) and ``how`` (the
    flag, ``$VARIABLE``, the project file, or "not named")."""

    kind: str
    paths: tuple[Path, ...]
    how: str

    @property
    def path(self) -> Path | None:
        return self.paths[0] if self.paths else None

    def describe(self) -> str:
        """``workloads data/w.toml (--workloads)`` or ``workloads: none named``."""
        if not self.paths:
            return f"{self.kind}: none named"
        return f"{self.kind} {', '.join(str(p) for p in self.paths)} ({self.how})"

    def to_dict(self) -> dict[str, Any]:
        return {"paths": [str(p) for p in self.paths], "named_by": self.how if self.paths else None}


def project_file(directory: Path | None = None) -> Path | None:
    """``forecaster.toml`` in ``directory`` (default: the current directory), if present."""
    path = (directory or Path.cwd()) / PROJECT_FILE
    return path if path.is_file() else None


def _project_inputs(path: Path) -> dict[str, Any]:
    try:
        data = tomllib.loads(path.read_text())
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"{path}: not valid TOML ({exc})") from exc
    inputs = data.get("inputs", {})
    if not isinstance(inputs, dict):
        raise InputError(f"{path}: [inputs] must be a table")
    unknown = sorted(set(inputs) - set(KINDS))
    if unknown:
        raise InputError(
            f"{path}: [inputs] has unknown key(s) {', '.join(unknown)}; expected {', '.join(KINDS)}"
        )
    return inputs


def named(kind: str, flag: str | Path | list | tuple | None = None) -> Named:
    """The ``kind`` input ("workloads", "scenarios" or "loadtests") as the user named it:
    the flag's value, else the environment variable, else the project file; else none."""
    flag_name, env = KINDS[kind]
    if flag:
        values = flag if isinstance(flag, list | tuple) else [flag]
        return Named(kind, tuple(Path(v) for v in values), flag_name)
    if os.environ.get(env):
        parts = os.environ[env].split(os.pathsep) if kind == "loadtests" else [os.environ[env]]
        return Named(kind, tuple(Path(p) for p in parts if p), f"${env}")
    config = project_file()
    if config is not None:
        value = _project_inputs(config).get(kind)
        if value:
            values = value if isinstance(value, list) else [value]
            if not all(isinstance(v, str) for v in values):
                raise InputError(f"{config}: [inputs] {kind} must be a path or a list of paths")
            base = config.parent
            return Named(kind, tuple(base / v for v in values), str(config))
    return Named(kind, (), "not named")


def inputs_line(store: str | Path, *items: Named) -> str:
    """``inputs: store data/store; workloads ... (--workloads); scenarios: none named``."""
    return "inputs: " + "; ".join([f"store {store}", *(i.describe() for i in items)])


def inputs_doc(store: str | Path, *items: Named) -> dict[str, Any]:
    """The same for JSON: ``{"store": ..., "workloads": {"paths", "named_by"}, ...}``."""
    return {"store": str(store), **{i.kind: i.to_dict() for i in items}}


def check_sources(store_dir: str | Path, sources: list[str] | tuple[str, ...] | None) -> None:
    """Refuse ``sources`` the store does not hold (naming the ones it does), so a typo never
    reads as "no billing". The message names the parameter (the CLI says ``--source``)."""
    if not sources:
        return
    from forecaster.store import BillingStore

    held = sorted({p["source"] for p in BillingStore(Path(store_dir)).partitions()})
    unknown = sorted(set(sources) - set(held))
    if unknown:
        raise InputError(
            f"sources {', '.join(unknown)}: not in the store {store_dir} (it holds "
            f"{', '.join(held) or 'no billing'})",
            parameters=("sources",),
        )


def check_tag_keys(known: list[str], keys: list[str] | tuple[str, ...] | None) -> None:
    """Refuse ``tag_keys`` no billing line carries (naming the keys the bill uses), so a
    typo never reads as 100% "(untagged)". The CLI says ``--tag``."""
    unknown = sorted(set(keys or ()) - set(known))
    if unknown:
        shown = ", ".join(known[:20]) + (" ..." if len(known) > 20 else "")
        raise InputError(
            f"tag_keys {', '.join(unknown)}: no billing line has this tag key (the bill's keys: "
            f"{shown or 'none'})",
            parameters=("tag_keys",),
        )
