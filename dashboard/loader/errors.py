"""The loader's one error contract.

Every function of ``dashboard.loader`` returns its result or raises ``LoaderError``, whose
message is one line for the page (naming the file, column, value or name at fault and what
was expected). Nothing else signals a failure: no None, no empty dict, no ``{"error": ...}``,
no message returned in place of a result. ``None`` and ``[]`` mean only "nothing was
named" (no scenario file, no workloads file), never "it failed".

A page shows a problem with ``problem(fn, *args)`` (the message, or None when ``fn``
answers) or by catching ``LoaderError``; one a page does not catch is shown by the app's
error handler as the page's one-line problem (``dashboard.app``), never a traceback.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from forecaster.errors import ForecasterError

T = TypeVar("T")


class LoaderError(ForecasterError):
    """Why the loader cannot give a result; ``str(exc)`` is one line fit for the page."""


def refusals(fn: Callable[..., T]) -> Callable[..., T]:
    """Turn the engine's refusals (``ForecasterError``) inside ``fn`` into ``LoaderError``
    with the engine's message."""

    @wraps(fn)
    def wrapper(*args: Any) -> T:
        try:
            return fn(*args)
        except LoaderError:
            raise
        except ForecasterError as exc:
            raise LoaderError(one_line(in_words(exc))) from exc

    return wrapper


def in_words(exc: ForecasterError) -> str:
    """The engine's message with the parameters it marks as code (```store_as```) in words
    (``store as``): the CLI says its flags there, a page says what the setting is."""
    text = str(exc)
    for parameter in exc.parameters:
        text = text.replace(f"`{parameter}`", parameter.replace("_", " "))
    return text


def one_line(message: str) -> str:
    """The message with its line breaks folded (a page shows one line)."""
    return " ".join(part.strip() for part in message.splitlines() if part.strip())


def problem(fn: Callable[..., Any], *args: Any) -> str | None:
    """The message of the ``LoaderError`` that ``fn(*args)`` raises, or None when it
    answers."""
    try:
        fn(*args)
    except LoaderError as exc:
        return str(exc)
    return None
