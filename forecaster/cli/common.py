"""Shared CLI helpers: the store directory, JSON output, engine errors in the words of flags.

Adding a command and the options several commands share: ``forecaster.cli.options``."""

from __future__ import annotations

import argparse
import json
import math
import os
import re
import sys
from pathlib import Path
from typing import Any

from forecaster.errors import ForecasterError

STORE_ENV = "FORECASTER_STORE"
DEFAULT_STORE = "data/store"


def store_dir(args: argparse.Namespace) -> Path:
    """The store directory: --store, else $FORECASTER_STORE, else data/store."""
    return Path(getattr(args, "store", None) or os.environ.get(STORE_ENV) or DEFAULT_STORE)


def _clean(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_clean(v) for v in value]
    return value


def print_json(obj: Any) -> None:
    """One JSON document on stdout (NaN and infinities become null)."""
    json.dump(_clean(obj), sys.stdout, indent=2, default=str)
    sys.stdout.write("\n")


#: Engine parameters whose flag is not ``--`` plus the parameter with dashes.
FLAGS = {
    "horizon_months": "--horizon",
    "tags": "--keep-tag",
    "samples": "--samples",
    "fmt": "--format",
    "think_time_ms": "--think-time",
    "sources": "--source",
    "tag_keys": "--tag",
    "periods": "--period",
    "workloads_tags": "--keep-workload-tags",
}


def flag_for(parameter: str) -> str:
    """The CLI flag that sets an engine parameter (``horizon_months`` -> ``--horizon``)."""
    return FLAGS.get(parameter, "--" + parameter.replace("_", "-"))


def error_text(exc: ForecasterError) -> str:
    """An engine error as the CLI says it: parameters named by their flags.

    A parameter the message marks as code (```metric```) is rewritten wherever it is marked;
    otherwise its first bare mention is (``start 2026-05-01 is in the future``).
    """
    text = str(exc)
    for parameter in exc.parameters:
        marked = f"`{parameter}`"
        if marked in text:
            text = text.replace(marked, flag_for(parameter))
            continue
        text = re.sub(rf"(?<![\w-]){re.escape(parameter)}\b", flag_for(parameter), text, count=1)
    return text
