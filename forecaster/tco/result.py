"""What ``run_tco`` returns: typed results (dataclasses), JSON only at the edges.

``TCOResult.as_dict()`` is the document of ``forecaster tco --json`` (docs/schemas/tco.json;
the shape is kept: properties may be added, none renamed or removed); the CLI, the review
pack and the dashboard read the attributes. Money is in the block's currency; bands are the
10th, 50th and 90th percentiles of the Monte Carlo paths.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from forecaster.timeonly.bill import BillForecast, bill_forecast_doc


@dataclass(frozen=True)
class Band:
    """P10, P50 and P90 of one amount over the paths."""

    p10: float
    p50: float
    p90: float

    def as_dict(self) -> dict[str, float]:
        return {"p10": self.p10, "p50": self.p50, "p90": self.p90}


@dataclass(frozen=True)
class MonthBand(Band):
    """One calendar month's band (YYYY-MM); ``load_p50``: the workload's median load that
    month (workload forecasts only)."""

    month: str = ""
    load_p50: float | None = None

    def as_dict(self) -> dict[str, Any]:
        row: dict[str, Any] = {"month": self.month, **super().as_dict()}
        if self.load_p50 is not None:
            row["load_p50"] = self.load_p50
        return row


def _months(rows: tuple[MonthBand, ...]) -> list[dict[str, Any]]:
    return [m.as_dict() for m in rows]


@dataclass(frozen=True)
class WorkloadForecast:
    """A workload's baseline monthly cost through its cost curve."""

    name: str
    monthly: tuple[MonthBand, ...]

    def as_dict(self) -> dict[str, Any]:
        return {"name": self.name, "monthly": _months(self.monthly)}


@dataclass(frozen=True)
class ByTime:
    """The cost no workload claims (or the whole bill), forecast by time, and how."""

    method: str
    monthly: tuple[MonthBand, ...]

    def as_dict(self) -> dict[str, Any]:
        return {"method": self.method, "monthly": _months(self.monthly)}


@dataclass(frozen=True)
class ScenarioResult:
    """One scenario's figures in one currency: monthly total, cumulative TCO, the next 3
        and 12 months, NPV and its saving against the baseline, the break-even month (YYYY-MM,
        None: never within the horizon or the baseline itself) with the share of paths ahead
        at the horizon, the deterministic one-off and labour amounts, and ``notes``: what of
    the scenario these figures leave out and why (a fix of a workload without a fitted cost
    curve), in words."""

    name: str
    description: str
    monthly: tuple[MonthBand, ...]
    cumulative: Band
    next_3_months: Band
    next_12_months: Band
    npv: Band
    npv_saving_vs_baseline: Band
    break_even_month: str | None
    break_even_probability: float | None
    one_off: float
    labour: float
    notes: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "description": self.description,
            "monthly": _months(self.monthly),
            **{
                k: getattr(self, k).as_dict()
                for k in (
                    "cumulative",
                    "next_3_months",
                    "next_12_months",
                    "npv",
                    "npv_saving_vs_baseline",
                )  # fmt: skip
            },
            "break_even_month": self.break_even_month,
            "break_even_probability": self.break_even_probability,
            "one_off": self.one_off,
            "labour": self.labour,
            "notes": list(self.notes),
        }


@dataclass(frozen=True)
class CurrencyResult:
    """Everything of one billing currency (currencies are never added together)."""

    currency: str
    workloads: tuple[WorkloadForecast, ...]
    unfitted_workloads: tuple[str, ...]
    by_time: ByTime
    scenarios: tuple[ScenarioResult, ...]

    def scenario(self, name: str) -> ScenarioResult | None:
        return next((s for s in self.scenarios if s.name == name), None)

    def as_dict(self) -> dict[str, Any]:
        return {
            "currency": self.currency,
            "workloads": [w.as_dict() for w in self.workloads],
            "unfitted_workloads": list(self.unfitted_workloads),
            "by_time": self.by_time.as_dict(),
            "scenarios": [s.as_dict() for s in self.scenarios],
        }


@dataclass(frozen=True)
class TCOResult:
    """The baseline forecast and every scenario, per currency (``run_tco``).

    ``start``: the first forecast day (ISO date); ``months``: the horizon's months
    (YYYY-MM); ``samples`` Monte Carlo paths from ``seed``; ``discount_rate`` a year for
    NPV; ``baseline``: the reference scenario's name; ``load_correlation``: the
    correlation of the workloads' load draws (None without fitted workloads);
    ``time_only``: without workloads, the bill's forecast by time per provider, service
    and account."""

    workloads_used: tuple[str, ...]
    start: str
    months: tuple[str, ...]
    horizon_months: int
    samples: int
    seed: int
    discount_rate: float
    baseline: str
    load_correlation: float | None
    currencies: tuple[CurrencyResult, ...]
    time_only: tuple[BillForecast, ...] | None = None

    def currency(self, code: str) -> CurrencyResult | None:
        return next((c for c in self.currencies if c.currency == code), None)

    def as_dict(self) -> dict[str, Any]:
        """The JSON document (docs/schemas/tco.json)."""
        doc: dict[str, Any] = {"workloads_used": list(self.workloads_used)}
        if self.time_only is not None:
            doc["time_only"] = bill_forecast_doc(list(self.time_only))
        return {
            **doc,
            "start": self.start,
            "months": list(self.months),
            "horizon_months": self.horizon_months,
            "samples": self.samples,
            "seed": self.seed,
            "discount_rate": self.discount_rate,
            "baseline": self.baseline,
            "load_correlation": self.load_correlation,
            "currencies": [c.as_dict() for c in self.currencies],
        }
