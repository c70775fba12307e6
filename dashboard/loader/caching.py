"""The loader's two caches, as decorators: ``@cached`` (memory, per data stamp) over
``@on_disk`` (``forecaster.cache.DiskCache`` beside the store).

``@cached`` memoizes a result under (function, arguments, ``config.stamp()``), so an ingest
(which rewrites a catalog atomically) or a changed input file refreshes the dashboard
without a restart, and nothing is recomputed while the data stands still. Concurrent
requests for the same missing entry wait for one computation. A ``LoaderError`` is kept
like a result (the same problem is not recomputed on every request) and raised again.

``@on_disk`` keeps the result in the store's disk cache, keyed by the catalogs, the
configured workloads, scenarios and load-test files, this loader's code and the product's
code, so a restarted process or a second gunicorn worker reads it instead of recomputing.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Any, TypeVar

from dashboard.loader.config import config, stamp, store_dir
from dashboard.loader.errors import LoaderError
from forecaster.cache import DiskCache

T = TypeVar("T")
CACHE_SIZE = 128
#: The loader's own source: its functions shape what is stored, so a change to it is a new key.
LOADER_CODE = tuple(sorted(Path(__file__).resolve().parent.glob("*.py")))

_cache: OrderedDict[tuple, Any] = OrderedDict()
_cache_lock = threading.Lock()
_key_locks: dict[tuple, threading.Lock] = {}


class _Refused:
    """A kept ``LoaderError``."""

    def __init__(self, message: str) -> None:
        self.message = message


def clear() -> None:
    """Forget every result kept in memory (the disk cache stays)."""
    with _cache_lock:
        _cache.clear()
        _key_locks.clear()


def disk() -> DiskCache:
    """The store's disk cache, keyed by the configured workloads, scenarios and load-test
    files (a result computed without a scenarios file is never served with one)."""
    now = config()
    return DiskCache(store_dir(), [now.workloads, now.scenarios, *now.loadtests, *LOADER_CODE])


def on_disk(fn: Callable[..., T]) -> Callable[..., T]:
    """Keep ``fn``'s result in the store's disk cache (under the function's name and its
    arguments); use below ``@cached`` so memory is asked first."""

    @wraps(fn)
    def wrapper(*args: Any) -> T:
        return disk().get_or_compute(fn.__name__, args, lambda: fn(*args))

    return wrapper


def _answer(value: Any) -> Any:
    if isinstance(value, _Refused):
        raise LoaderError(value.message)
    return value


def cached(fn: Callable[..., T]) -> Callable[..., T]:
    """Memoize ``fn`` per (arguments, data stamp); one computation per missing entry."""
    name = f"{fn.__module__}.{fn.__qualname__}"

    @wraps(fn)
    def wrapper(*args: Any) -> T:
        key = (name, args, stamp())
        with _cache_lock:
            if key in _cache:
                _cache.move_to_end(key)
                return _answer(_cache[key])
            lock = _key_locks.setdefault(key, threading.Lock())
        with lock:
            with _cache_lock:
                if key in _cache:
                    return _answer(_cache[key])
            try:
                value: Any = fn(*args)
            except LoaderError as exc:
                value = _Refused(str(exc))
            with _cache_lock:
                _cache[key] = value
                _key_locks.pop(key, None)
                while len(_cache) > CACHE_SIZE:
                    _cache.popitem(last=False)
            return _answer(value)

    return wrapper


def is_cached(fn: Callable[..., Any], *args: Any) -> bool:
    """``fn(*args)`` is answered from memory (without computing)."""
    key = (f"{fn.__module__}.{fn.__qualname__}", args, stamp())
    with _cache_lock:
        return key in _cache
