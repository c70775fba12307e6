"""Errors the engine raises for bad input or an unusable store.

Every message names what failed (file, column, value) and what was expected, so the CLI
can print it as-is.
"""


class ForecasterError(Exception):
    """Base class: an error with a message fit for the user."""


class InputError(ForecasterError):
    """A file, column or value is not what was expected."""


class ReconciliationError(ForecasterError):
    """Stored totals do not equal the source totals to the cent."""


class StoreError(ForecasterError):
    """The store is locked, missing or inconsistent."""


class CannotFit(ForecasterError):
    """A model cannot be fitted to the data given; the message says why."""
