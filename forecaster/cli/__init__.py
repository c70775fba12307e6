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


#: The module of each command whose name is not its module's.
MODULE_OF = {"forecast-load": "forecast", "backtest": "forecast", "forecast-cost": "cost"}


def _modules_for(argv: list[str] | None) -> tuple[str, ...]:
    """The one command module ``argv`` runs (its first word, when a known command), else
    every module: a command imports only its own engine modules, so ``forecaster serve``
    starts without the review pack's, the sample's or the ingest's imports."""
    words = [a for a in (argv or []) if not a.startswith("-")]
    if not words:
        return COMMAND_MODULES
    module = MODULE_OF.get(words[0], words[0])
    return (module,) if module in COMMAND_MODULES else COMMAND_MODULES


def build_parser(argv: list[str] | None = None) -> argparse.ArgumentParser:
    """The parser of every command, or only of the command ``argv`` names."""
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
    for name in _modules_for(argv):
        importlib.import_module(f"forecaster.cli.{name}").register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    parser = build_parser(argv)
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
