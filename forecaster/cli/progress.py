"""The CLI's progress display and log levels.

- On a terminal (stderr is a TTY) and without ``--json``, long work shows a live progress
  display on stderr (rich's, transient: it disappears when the step ends, leaving the
  command's own output clean). Piped, redirected or with ``--json``: nothing.
- ``-v`` shows the product's own steps (the ``forecaster`` loggers at INFO); third-party
  libraries (matplotlib, fontTools, PIL, botocore, urllib3, py4j...) stay at WARNING, so
  their debug chatter never floods the terminal (unless their level was set on purpose,
  e.g. botocore's debug log for a support case: AWS secrets are masked there too).
"""

from __future__ import annotations

import logging
import sys
from typing import Any

from forecaster import progress

QUIET_LIBRARIES = (
    "matplotlib",
    "fontTools",
    "PIL",
    "botocore",
    "boto3",
    "urllib3",
    "s3transfer",
    "py4j",
    "pyspark",
    "werkzeug",
    "reportlab",
)


def configure_logging(verbose: bool) -> None:
    """Warnings from everything; with ``verbose`` the product's steps at INFO too."""
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    logging.getLogger("forecaster").setLevel(logging.INFO if verbose else logging.WARNING)
    for name in QUIET_LIBRARIES:
        library = logging.getLogger(name)
        if library.level == logging.NOTSET:  # a level someone set on purpose is kept
            library.setLevel(logging.WARNING)


class RichReporter:
    """Steps as rich progress bars (a spinner when a step has no total) on stderr."""

    def __init__(self, stream: Any = None):
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            SpinnerColumn,
            TextColumn,
            TimeElapsedColumn,
        )

        self.progress = Progress(
            SpinnerColumn(),
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=Console(file=stream or sys.stderr),
            transient=True,
        )
        self.open = 0

    def start(self, description: str, total: int | None) -> object:
        if self.open == 0:
            self.progress.start()
        self.open += 1
        return self.progress.add_task(description, total=total)

    def advance(self, handle: object, amount: int) -> None:
        self.progress.advance(handle, amount)  # type: ignore[arg-type]

    def close(self) -> None:
        """Stop the display (steps left open by an error included)."""
        if self.open:
            self.open = 0
            self.progress.stop()

    def finish(self, handle: object) -> None:
        self.progress.remove_task(handle)  # type: ignore[arg-type]
        self.open -= 1
        if self.open == 0:
            self.progress.stop()


def wants_display(args: Any, stream: Any = None) -> bool:
    """A display only on a terminal and never with ``--json``."""
    stream = stream or sys.stderr
    if getattr(args, "json", False):
        return False
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


def install(args: Any) -> None:
    """Show progress for this command when ``wants_display``; otherwise stay silent."""
    progress.set_reporter(RichReporter() if wants_display(args) else None)
