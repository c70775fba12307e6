"""A latency budget as the user writes it (``p95=300ms``) and as the output says it.

``parse_budget`` reads ``STAT=TIME`` (or ``STAT<TIME``) with a required unit (ms, s or us:
a bare number is refused, never guessed) into a ``LatencyBudget``; ``parse_duration_ms``
reads one time the same way; ``format_ms`` says a response time in words (``300 ms``,
``1.25 s``). ``STAT_LABELS`` holds each statistic's human label (``p50`` is the median).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from forecaster.errors import InputError
from forecaster.scaling.points import LATENCY_STATS

STAT_NAMES = {
    "mean": "mean", "avg": "mean", "average": "mean",
    "p50": "p50", "median": "p50", "med": "p50",
    "p90": "p90", "p95": "p95", "p99": "p99", "max": "max",
}  # fmt: skip
_UNITS_MS = {"ms": 1.0, "s": 1000.0, "us": 0.001, "\u00b5s": 0.001}
STAT_LABELS = {"mean": "mean", "p50": "median", "p90": "p90", "p95": "p95", "p99": "p99",
               "max": "maximum"}  # fmt: skip


@dataclass(frozen=True)
class LatencyBudget:
    """A response-time budget: ``stat`` (mean, p50, p90, p95, p99, max) at most ``limit_ms``."""

    stat: str
    limit_ms: float

    def __post_init__(self) -> None:
        if self.stat not in LATENCY_STATS:
            raise InputError(
                f"latency budget statistic {self.stat!r}: expected one of "
                f"{', '.join(LATENCY_STATS)}"
            )
        if not (math.isfinite(self.limit_ms) and self.limit_ms > 0):
            raise InputError(f"latency budget {self.limit_ms} ms: expected a positive time")

    @property
    def label(self) -> str:
        """``p95 latency 300 ms``."""
        return f"{STAT_LABELS[self.stat]} latency {format_ms(self.limit_ms)}"

    def text(self) -> str:
        """The budget as the user writes it: ``p95=300ms``."""
        return f"{self.stat}={self.limit_ms:g}ms"


def format_ms(value: float) -> str:
    """A response time in words: ``300 ms``, ``1.25 s``, ``0.8 ms``."""
    if value >= 1000:
        return f"{value / 1000:.3g} s"
    return f"{value:.3g} ms" if value < 10 else f"{value:,.0f} ms"


def parse_budget(text: str) -> LatencyBudget:
    """``p95=300ms``, ``p99<1.2s``, ``mean=250 ms``, ``median=80ms`` as a LatencyBudget.

    The unit is required (ms, s or us): a bare number is an InputError, never a guess.
    """
    match = re.fullmatch(
        r"\s*([A-Za-z0-9]+)\s*(?:=|<=|<)\s*([0-9]*\.?[0-9]+)\s*([a-z\u00b5]+)\s*", text or ""
    )
    if not match:
        raise InputError(
            f"latency budget {text!r}: expected STAT=TIME with a unit, such as p95=300ms or "
            "p99=1.2s (statistics: mean, p50, p90, p95, p99, max)"
        )
    raw_stat, number, unit = match.groups()
    stat = STAT_NAMES.get(raw_stat.lower())
    if stat is None:
        raise InputError(
            f"latency budget {text!r}: unknown statistic {raw_stat!r}; expected mean, p50, "
            "p90, p95, p99 or max"
        )
    if unit not in _UNITS_MS:
        raise InputError(f"latency budget {text!r}: unknown unit {unit!r}; expected ms, s or us")
    return LatencyBudget(stat, float(number) * _UNITS_MS[unit])


def parse_duration_ms(text: str) -> float:
    """``0``, ``500ms``, ``1.5s``, ``800us`` as milliseconds (a bare number other than 0 is
    refused: the unit must be stated)."""
    match = re.fullmatch(r"\s*([0-9]*\.?[0-9]+)\s*([a-z\u00b5]*)\s*", text or "")
    if not match or (not match.group(2) and float(match.group(1)) != 0.0):
        raise InputError(f"time {text!r}: expected a number with a unit, such as 500ms or 1s")
    number, unit = float(match.group(1)), match.group(2) or "ms"
    if unit not in _UNITS_MS:
        raise InputError(f"time {text!r}: unknown unit {unit!r}; expected ms, s or us")
    return number * _UNITS_MS[unit]
