"""The server's traffic as background work sees it: the warm-up and the growth kits compute
only in a quiet moment, so a visitor's view gets the CPU (and Python's lock) to itself.

A page's first view is a chain: the layout, the scripts, then the callbacks, with gaps of a
few hundred milliseconds while the browser parses and draws. Work started in such a gap
slows every later link of the chain, so background work waits until nothing has been in
flight for ``QUIET`` seconds (or, before any visitor, ``FIRST_VISIT_WAIT`` seconds after it
began waiting), and checks again between its steps.

The dashboard registers the server's ``quiet_for`` (``dashboard.responses.quiet_for``) with
``watch``; without it (a test, a script over the loader) nothing waits.
"""

from __future__ import annotations

import time
from collections.abc import Callable

QUIET = 1.2
"""Seconds with no request in flight before background work starts or goes on."""
FIRST_VISIT_WAIT = 3.0
"""Seconds background work leaves to a first visitor before it starts without one."""
POLL = 0.05  # seconds between looks at the traffic

QuietFor = Callable[[], "float | None"]
_watched: dict = {"quiet_for": None, "since": time.monotonic()}


def watch(quiet_for: QuietFor | None) -> None:
    """Let background work wait on ``quiet_for`` (seconds since the last request was
    answered: 0 while one is answered, None before the first); None stops waiting."""
    _watched.update(quiet_for=quiet_for, since=time.monotonic())


def wait(quiet_for: QuietFor | None = None, since: float | None = None) -> None:
    """Return once the server is quiet: no request for ``QUIET`` seconds, or no visitor
    yet ``FIRST_VISIT_WAIT`` seconds after ``since`` (a ``time.monotonic()``; default:
    when watching began). ``quiet_for``: the traffic to wait on (default: the watched
    one; none watched, return at once)."""
    quiet_for = quiet_for or _watched["quiet_for"]
    if quiet_for is None:
        return
    begun = _watched["since"] if since is None else since
    while True:
        quiet = quiet_for()
        if quiet is None and time.monotonic() - begun >= FIRST_VISIT_WAIT:
            return
        if quiet is not None and quiet >= QUIET:
            return
        time.sleep(POLL)
