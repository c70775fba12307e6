"""The options several commands share, and adding a command with its words.

``command(sub, "bridge")`` adds a parser whose help and description come from
``forecaster.cli.commands``; ``store``, ``sources``, ``named_input`` and ``json_output`` add
the options of the same name, worded alike in every command; ``store_as`` is the ingest
commands' ``--store-as`` and ``replace`` their ``--replace YYYY-MM``.
"""

from __future__ import annotations

import argparse
from typing import Any

from forecaster.cli.commands import COMMANDS
from forecaster.cli.common import DEFAULT_STORE, STORE_ENV
from forecaster.inputs import KINDS, PROJECT_FILE


def command(sub: argparse._SubParsersAction, name: str, **kwargs: Any) -> argparse.ArgumentParser:
    """Add the command ``name`` as typed (``"sample"``, ``"ingest billing"``) to ``sub``, with
    its help and description from ``forecaster.cli.commands``; ``kwargs`` go to argparse."""
    text = COMMANDS[name]
    kwargs.setdefault("description", text.description)
    return sub.add_parser(name.split()[-1], help=text.help, **kwargs)


def named_input(
    parser: argparse.ArgumentParser,
    kind: str,
    what: str,
    none_named: str | None = None,
    **kwargs: Any,
) -> None:
    """``--workloads``, ``--scenarios`` or ``--loadtests`` (``kind``), with help that says how
    ``forecaster.inputs.named`` finds it when the flag is not given, and what the command
    does when nothing names it (``none_named``)."""
    flag, env = KINDS[kind]
    fallback = f"else ${env} or {PROJECT_FILE}'s [inputs]"
    if none_named:
        fallback += f"; none named: {none_named}"
    kwargs.setdefault("metavar", "FILE")
    parser.add_argument(flag, default=None, help=f"{what} ({fallback})", **kwargs)


def sources(parser: argparse.ArgumentParser, note: str = "") -> None:
    """``--source`` as a filter: only billing from these store sources (repeatable)."""
    parser.add_argument(
        "--source",
        action="append",
        default=None,
        metavar="SOURCE",
        help=f"only billing from this store source (repeatable){note}",
    )


def replace(parser: argparse.ArgumentParser, partial: str = "") -> None:
    """``--replace YYYY-MM`` (repeatable) for an ingest: a delivery of that billing period
    replaces the stored one even when it looks partial (``partial`` says when it does)."""
    parser.add_argument(
        "--replace",
        action="append",
        default=[],
        metavar="YYYY-MM",
        help="let this billing period replace the stored one even when the delivery looks "
        f"partial{partial}; repeatable",
    )


def json_output(parser: argparse.ArgumentParser, help: str = "one JSON object on stdout") -> None:
    """``--json``: the result as JSON on stdout instead of text."""
    parser.add_argument("--json", action="store_true", help=help)


def store(parser: argparse.ArgumentParser) -> None:
    """``--store DIR``; ``forecaster.cli.common.store_dir`` resolves it."""
    parser.add_argument(
        "--store",
        default=None,
        help=f"store directory (default: ${STORE_ENV} or {DEFAULT_STORE})",
    )


class _SourceIsAFilter(argparse.Action):
    """``--source`` given to an ingest command: elsewhere it filters, so it is refused here."""

    def __call__(self, parser, namespace, values, option_string=None):  # type: ignore[no-untyped-def]
        parser.error(
            "--source reads only the named sources in the commands that read the store; to "
            "name the source this delivery is stored as, use --store-as NAME"
        )


def store_as(parser: argparse.ArgumentParser, default: str | None, what: str) -> None:
    """``--store-as NAME``: the store source a delivery is written under (``args.store_as``).

    ``--source`` keeps one meaning across the CLI (read only these sources), so an ingest
    command refuses it with a one-line pointer to ``--store-as``.
    """
    parser.add_argument(
        "--store-as",
        dest="store_as",
        default=default,
        metavar="NAME",
        help=f"store the delivery under this source name (default: {what}); one per feed",
    )
    parser.add_argument("--source", nargs="?", action=_SourceIsAFilter, help=argparse.SUPPRESS)
