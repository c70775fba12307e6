"""Strict reading of the product's TOML files (workloads, scenarios): one home.

``read_toml(path, what)`` parses a file with messages that name it; ``Table`` gives typed
access to one table of it and remembers which keys were read, so ``done()`` can refuse
the keys nobody expected (a misspelt key is an error, never silently ignored). Every
message names the file and the key path (``where``) and the value found.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any

from forecaster.errors import InputError

MONTH = re.compile(r"\d{4}-(0[1-9]|1[0-2])$")


def read_toml(path: str | Path, what: str) -> dict[str, Any]:
    """The parsed file; InputError "<path>: no such <what> file" or "not valid TOML (...)"."""
    path = Path(path)
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError(f"{path}: no such {what} file") from None
    except IsADirectoryError:
        raise InputError(f"{path}: is a directory; expected a {what} file (TOML)") from None
    except UnicodeDecodeError as exc:
        raise InputError(f"{path}: not UTF-8 text ({exc.reason}); expected TOML") from None
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"{path}: not valid TOML ({exc})") from exc


class Table:
    """One TOML table being read: typed getters whose messages name file and key path."""

    def __init__(self, data: Any, where: str):
        if not isinstance(data, dict):
            raise InputError(f"{where}: expected a table, got {type(data).__name__}")
        self.data, self.where, self.used = data, where, set()

    def get(
        self,
        key: str,
        kind: type | tuple[type, ...],
        default: Any = None,
        lo: float | None = None,
        hi: float | None = None,
    ) -> Any:
        """``key``'s value checked against ``kind`` (an int is accepted as a float, a bool
        never as a number) and the inclusive range ``lo``..``hi``; ``default`` if absent."""
        self.used.add(key)
        if key not in self.data:
            return default
        value = self.data[key]
        if kind is float and isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        if not isinstance(value, kind) or isinstance(value, bool) and kind is not bool:
            name = kind.__name__ if isinstance(kind, type) else "/".join(k.__name__ for k in kind)
            raise InputError(f"{self.where}.{key}: expected {name}, got {value!r}")
        if lo is not None and value < lo or hi is not None and value > hi:
            raise InputError(f"{self.where}: {key} = {value!r}; expected {lo} to {hi}")
        return value

    def require(self, key: str, kind: type) -> Any:
        value = self.get(key, kind)
        if value is None or value == "":
            raise InputError(f"{self.where}: {key} is required")
        return value

    def month(self, key: str, required: bool = False) -> str | None:
        """A ``YYYY-MM`` month."""
        value = self.get(key, str)
        if value is None and required:
            raise InputError(f"{self.where}: {key} is required (YYYY-MM)")
        if value is not None and not MONTH.match(value):
            raise InputError(f"{self.where}: {key} = {value!r}; expected YYYY-MM")
        return value

    def strings(self, key: str) -> tuple[str, ...]:
        values = self.get(key, list, [])
        if not all(isinstance(v, str) and v for v in values):
            raise InputError(f"{self.where}.{key}: expected a list of non-empty strings")
        return tuple(values)

    def mapping(self, key: str) -> tuple[tuple[str, str], ...]:
        values = self.get(key, dict, {})
        if not all(isinstance(v, str) for v in values.values()):
            raise InputError(f"{self.where}.{key}: expected string values, got {values!r}")
        return tuple(sorted(values.items()))

    def table(self, key: str) -> Table | None:
        self.used.add(key)
        return Table(self.data[key], f"{self.where}.{key}") if key in self.data else None

    def done(self) -> None:
        """Refuse every key that was not read."""
        unknown = sorted(set(self.data) - self.used)
        if unknown:
            raise InputError(f"{self.where}: unknown key(s) {', '.join(unknown)}")
