"""Progress of long work (large ingests, the review pack, TCO Monte Carlo), reported the
same way from every engine function and shown however the caller likes.

The engine says what it is doing with ``step`` (a named piece of work, optionally with a
total to advance through); by default nothing is shown, so library use and tests stay
silent. Every step is also logged at INFO on the ``forecaster`` logger, which is what
``forecaster -v`` shows. The CLI installs a terminal display (``forecaster.cli.progress``)
only when stderr is a terminal and ``--json`` was not asked for.

    with progress.step("Fitting cost curves", total=len(workloads)) as s:
        for w in workloads:
            ...
            s.advance()
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Protocol, TypeVar

T = TypeVar("T")

log = logging.getLogger("forecaster.progress")


class Reporter(Protocol):
    """Where progress goes: a terminal display, a test recorder, nothing."""

    def start(self, description: str, total: int | None) -> object: ...

    def advance(self, handle: object, amount: int) -> None: ...

    def finish(self, handle: object) -> None: ...


class _Silent:
    def start(self, description: str, total: int | None) -> object:
        return None

    def advance(self, handle: object, amount: int) -> None:
        return None

    def finish(self, handle: object) -> None:
        return None


_reporter: Reporter = _Silent()


def set_reporter(reporter: Reporter | None) -> Reporter:
    """Install ``reporter`` (None: silent); returns the one it replaces."""
    global _reporter
    previous = _reporter
    close = getattr(previous, "close", None)
    if close is not None and previous is not reporter:
        close()
    _reporter = reporter if reporter is not None else _Silent()
    return previous


class Step:
    """One piece of work in progress: ``advance`` moves it on by ``amount`` of its total."""

    def __init__(self, description: str, total: int | None, handle: object):
        self.description = description
        self.total = total
        self.done = 0
        self._handle = handle
        self._ended = False

    def advance(self, amount: int = 1) -> None:
        self.done += amount
        _reporter.advance(self._handle, amount)

    def end(self) -> None:
        if not self._ended:
            self._ended = True
            _reporter.finish(self._handle)


def begin(description: str, total: int | None = None) -> Step:
    """Start a step without a block (end it with ``Step.end``); for loops that are not
    worth re-indenting. An unfinished step is closed when the reporter is replaced."""
    log.info("%s%s", description, f" ({total})" if total else "")
    return Step(description, total, _reporter.start(description, total))


def iterate(description: str, items: Sequence[T]) -> Iterator[T]:
    """``items`` one by one, as a step advancing by one per item (ended however the loop
    ends)."""
    with step(description, total=len(items)) as current:
        for item in items:
            yield item
            current.advance()


@contextmanager
def step(description: str, total: int | None = None) -> Iterator[Step]:
    """Report ``description`` while the block runs (``total``: units it will advance)."""
    log.info("%s%s", description, f" ({total})" if total else "")
    started = time.perf_counter()
    current = Step(description, total, _reporter.start(description, total))
    try:
        yield current
    finally:
        current.end()
        log.info("%s: done in %.1f s", description, time.perf_counter() - started)
