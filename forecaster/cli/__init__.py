"""The ``forecaster`` command line: a thin layer over the engine.

Each sub-command lives in its own module under ``forecaster.cli`` and exposes
``register(subparsers)``, which adds its parser and sets ``func`` to a function taking the
parsed arguments and returning an exit code. Add a command by adding its module name to
``COMMAND_MODULES`` and its words to ``forecaster.cli.commands``; the options several
commands share are in ``forecaster.cli.options``.
"""

from __future__ import annotations

import argparse
import importlib
import sys

from forecaster.cli import progress as display
from forecaster.cli.common import error_text
from forecaster.errors import ForecasterError

COMMAND_MODULES: tuple[str, ...] = (
    "ingest",
    "store",
    "sample",
    "serve",
    "bridge",
    "tco",
    "scaling",
    "curves",
    "workloads",
    "review",
    "forecast",
    "cost",
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="forecaster",
        description="Cloud cost and scaling forecaster: cost against load, not only time.",
    )
    parser.add_argument(
        "-v",
        "--verbose",
        action="store_true",
        help="log the product's steps to stderr (third-party libraries stay quiet)",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    for name in COMMAND_MODULES:
        importlib.import_module(f"forecaster.cli.{name}").register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    display.configure_logging(args.verbose)
    display.install(args)  # a progress display on a terminal, silent otherwise
    try:
        return int(args.func(args) or 0)
    except ForecasterError as exc:
        print(f"error: {error_text(exc)}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # e.g. `forecaster store status | head`
        sys.stderr.close()
        return 0
    finally:
        display.progress.set_reporter(None)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
