"""Errors the engine raises for bad input or an unusable store.

Every message names what failed (file, column, value) and what was expected, so the CLI
can print it as-is.
"""


class ForecasterError(Exception):
    """Base class: an error with a message fit for the user.

    ``parameters``: the engine parameters the message names, spelled as in the message
    (``horizon_months``, or marked as code: ```freq```), so a surface can say them its own
    way: the CLI says its flags (``--horizon``), a Python caller reads the parameter it passed.
    """

    def __init__(self, *args: object, parameters: tuple[str, ...] = ()) -> None:
        super().__init__(*args)
        self.parameters = tuple(parameters)


class InputError(ForecasterError):
    """A file, column, parameter or value is not what was expected."""


class NotFittedError(InputError):
    """A model was asked for results before ``fit`` was called (every fitted model of the
    engine raises this one error)."""


class ReconciliationError(ForecasterError):
    """Stored totals do not equal the source totals to the cent."""


class StoreError(ForecasterError):
    """The store is locked, missing or inconsistent."""


class CannotFit(ForecasterError):
    """A model cannot be fitted to the data given; the message says why."""


class DeliveryRefused(InputError):
    """An ingest would lose or double count stored billing data; nothing was stored.

    The message holds one line per refused period or delivery, each naming what to pass to
    force it where forcing is possible (``--replace YYYY-MM``).
    """


#: Longest quoted value, and longest message, in characters (data can be anything: a
#: one-line 1 GB file must not become a 1 GB message).
MAX_QUOTED = 80
MAX_MESSAGE = 2000


def quote(value: object, limit: int = MAX_QUOTED) -> str:
    """``repr(value)``, shortened to ``limit`` characters with an ellipsis and the length."""
    text = repr(value) if not isinstance(value, str) else repr(value[: limit + 1])
    if isinstance(value, str) and len(value) > limit:
        return repr(value[:limit]) + f"... ({len(value):,} characters)"
    return text if len(text) <= limit + 2 else text[:limit] + "..."


def clip(text: str, limit: int = MAX_MESSAGE) -> str:
    """A message shortened to ``limit`` characters (the end replaced by an ellipsis)."""
    return text if len(text) <= limit else text[:limit] + f"... ({len(text):,} characters)"
