"""Scenario kinds: the one registry of the changes a what-if scenario can make.

Each kind is a validated, frozen dataclass registered under its key in a ``[[scenario]]``
table of the scenario file (``KINDS``). The TOML reader, the CLI and the dashboard all go
through it, and every kind keeps one contract (tests/test_tco_kinds.py):

- ``parse(value, where)``: the kind from its TOML value, checked (``InputError`` naming the
  file and key path in ``where``, the key and the value found); ``to_table()`` gives the
  value back, so ``parse(k.to_table(), where) == k``;
- ``apply(arrays)``: the vectorized transform on the scenario's Monte Carlo arrays
  (``ScenarioArrays``), at its ``stage``: ``"load"`` (the load paths, before the cost
  curves), ``"workload"`` (one workload's daily cost paths), ``"total"`` (the monthly
  total, after every workload and the cost by time are added up), in that order; a kind
  that changes nothing leaves the arrays exactly as they were;
- ``describe()``: what it changes, in words;
- ``starts(horizon)``: index of the first month it changes;
- ``workloads()``: the workload names it refers to (checked against the workloads file);
- ``slot()``: a scenario holds at most one change per slot (one fix per workload, one
  commitment, one price change, one growth table): a second is refused with a message
  saying how to combine them, never silently dropped.

Adding a kind: a dataclass here with those members, ``@register``, an example in the
contract test's ``EXAMPLES``; nothing else changes (docs/extending.md).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np

from forecaster.errors import InputError
from forecaster.tco.arithmetic import to_months
from forecaster.toml_tables import Table

if TYPE_CHECKING:
    from forecaster.tco.projection import Horizon, WorkloadPaths

STAGES = ("load", "workload", "total")


class Kind:
    """What every scenario kind provides (see the module docstring)."""

    key: ClassVar[str]  # its key in a [[scenario]] table
    many: ClassVar[bool] = False  # an array of tables ([[scenario.fix]]): one per slot
    stage: ClassVar[str]
    title: ClassVar[str]  # a human name: "architecture fix"

    @classmethod
    def parse(cls, value: Any, where: str) -> Kind:
        raise NotImplementedError

    def to_table(self) -> Any:
        raise NotImplementedError

    def apply(self, arrays: ScenarioArrays) -> None:
        raise NotImplementedError

    def describe(self) -> str:
        raise NotImplementedError

    def starts(self, horizon: Horizon) -> int:
        return 0

    def workloads(self) -> set[str]:
        return set()

    def slot(self) -> str:
        return self.key

    def refusal(self, scenario: str) -> str:
        """Why a second change of this slot in ``scenario`` is refused, and what to do."""
        return (
            f"scenario {scenario!r} has two {self.title}s; give one, or put the second "
            "change in its own scenario"
        )


KINDS: dict[str, type[Kind]] = {}
"""Every scenario kind by its key in a [[scenario]] table, in the order they apply."""


def register(cls: type[Kind]) -> type[Kind]:
    """Add a kind to ``KINDS`` (its key must be new; its stage one of ``STAGES``)."""
    if cls.key in KINDS or cls.key == "name" or cls.stage not in STAGES:
        raise ValueError(f"scenario kind {cls.__name__}: key {cls.key!r}, stage {cls.stage!r}")
    KINDS[cls.key] = cls
    return cls


@dataclass
class ScenarioArrays:
    """One scenario's Monte Carlo arrays in one currency while its kinds are applied.

    ``workloads``: the workloads with cost paths in this currency (a workload change to
    another is not this currency's); ``growth``: annual load growth by workload (``"*"``:
    every workload), set at the load
    stage; ``daily(name)``: that workload's (S, D) daily paths with the growth applied
    (the same draws as the baseline); ``workload_cost``: (S, M) monthly cost of the
    workloads a workload-stage kind replaced; ``total``: the (S, M) monthly total at the
    total stage; ``extra`` (M,): deterministic amounts added every path (migration,
    labour), with ``one_off`` and ``labour`` their sums over the horizon."""

    horizon: Horizon
    daily_paths: Callable[[str, float | None], WorkloadPaths] | None = None
    workloads: frozenset[str] = frozenset()  # the workloads simulated in this currency
    growth: dict[str, float] = field(default_factory=dict)
    workload_cost: dict[str, np.ndarray] = field(default_factory=dict)
    total: np.ndarray | None = None
    extra: np.ndarray | None = None
    one_off: float = 0.0
    labour: float = 0.0

    def __post_init__(self) -> None:
        if self.extra is None:
            self.extra = np.zeros(len(self.horizon.months))

    def growth_of(self, name: str) -> float | None:
        return self.growth.get(name, self.growth.get("*"))

    def daily(self, name: str) -> WorkloadPaths:
        if self.daily_paths is None:
            raise ValueError("no daily paths to apply a workload change to")
        return self.daily_paths(name, self.growth_of(name))


def _percent(x: float) -> str:
    return f"{x:+.0%}" if round(x * 100) == x * 100 else f"{x:+.1%}"


def _share(x: float) -> str:
    return f"{x:.0%}" if round(x * 100) == x * 100 else f"{x:.1%}"


def _amount(x: float) -> str:
    return f"{x:,.2f}".removesuffix(".00")


def _month_words(start: str | None) -> str:
    return f"from {start}" if start else "from the first forecast month"


@register
@dataclass(frozen=True)
class Growth(Kind):
    """Annual load growth replacing the load forecast's own trend, by workload; ``"*"``
    for every workload not named."""

    rates: tuple[tuple[str, float], ...] = ()
    key: ClassVar[str] = "growth"
    stage: ClassVar[str] = "load"
    title: ClassVar[str] = "growth table"

    def __post_init__(self) -> None:
        object.__setattr__(self, "rates", tuple(sorted(self.rates)))

    @property
    def by_workload(self) -> dict[str, float]:
        return dict(self.rates)

    @classmethod
    def parse(cls, value: Any, where: str) -> Growth:
        if not isinstance(value, dict):
            raise InputError(f"{where}: expected a table of annual rates, got {value!r}")
        rates = []
        for name, rate in value.items():
            if not isinstance(rate, int | float) or isinstance(rate, bool) or rate <= -1:
                raise InputError(f"{where}.{name} = {rate!r}; expected an annual rate > -1")
            rates.append((name, float(rate)))
        return cls(tuple(rates))

    def to_table(self) -> dict[str, float]:
        return dict(self.rates)

    def apply(self, arrays: ScenarioArrays) -> None:
        arrays.growth.update(self.rates)

    def describe(self) -> str:
        rates = self.by_workload
        parts = []
        if "*" in rates:
            parts.append(f"load growth {_percent(rates['*'])} a year for every workload")
        parts += [
            f"load growth {_percent(r)} a year for {name}"
            for name, r in sorted(rates.items())
            if name != "*"
        ]
        return "; ".join(parts) or "no growth change"

    def workloads(self) -> set[str]:
        return {name for name, _ in self.rates if name != "*"}


@register
@dataclass(frozen=True)
class Fix(Kind):
    """An architecture fix of one workload, live from ``start`` (YYYY-MM): keeps
    ``1 - idle_reduction`` of its idle baseline, drops the scaling excess when ``linear``,
    cuts ``unit_cost_cut`` of its unit cost; ``migration_cost`` once in the first month,
    ``labour_per_month`` from then on (negative saves)."""

    workload: str
    start: str  # YYYY-MM
    idle_reduction: float = 0.0
    linear: bool = False
    unit_cost_cut: float = 0.0
    migration_cost: float = 0.0
    labour_per_month: float = 0.0
    key: ClassVar[str] = "fix"
    many: ClassVar[bool] = True
    stage: ClassVar[str] = "workload"
    title: ClassVar[str] = "architecture fix"

    @classmethod
    def parse(cls, value: Any, where: str) -> Fix:
        t = Table(value, where)
        workload = t.get("workload", str)
        if not workload:
            raise InputError(f"{where}: workload is required")
        fix = cls(
            workload=workload,
            start=t.month("from", required=True),
            idle_reduction=t.get("idle_reduction", float, 0.0, 0.0, 1.0),
            linear=t.get("linear", bool, False),
            unit_cost_cut=t.get("unit_cost_cut", float, 0.0, 0.0, 1.0),
            migration_cost=t.get("migration_cost", float, 0.0, 0.0),
            labour_per_month=t.get("labour_per_month", float, 0.0),
        )
        t.done()
        return fix

    def to_table(self) -> dict[str, Any]:
        return {
            "workload": self.workload,
            "from": self.start,
            "idle_reduction": self.idle_reduction,
            "linear": self.linear,
            "unit_cost_cut": self.unit_cost_cut,
            "migration_cost": self.migration_cost,
            "labour_per_month": self.labour_per_month,
        }

    def transform(
        self, cost: np.ndarray, fixed: float, excess: np.ndarray, live: np.ndarray
    ) -> np.ndarray:
        """(S, D) daily cost after the fix on the days where ``live`` (D,) is True.

        cost = fixed + excess + variable (variable includes the noise); the fix keeps
        ``1 - idle_reduction`` of the fixed part, drops the excess when ``linear``, and
        keeps ``1 - unit_cost_cut`` of the variable part. Never below zero.
        """
        variable = cost - fixed - excess
        kept_excess = 0.0 if self.linear else excess
        fixed_cost = fixed * (1.0 - self.idle_reduction)
        new = fixed_cost + kept_excess + variable * (1.0 - self.unit_cost_cut)
        return np.where(live[None, :], np.maximum(new, 0.0), cost)

    def apply(self, arrays: ScenarioArrays) -> None:
        if self.workload not in arrays.workloads:
            return  # another currency's workload (or one without a cost curve)
        horizon = arrays.horizon
        n_months = len(horizon.months)
        start = horizon.month_index(self.start)
        p = arrays.daily(self.workload)
        cost = self.transform(p.cost, p.fixed, p.excess, horizon.month_of_day >= start)
        arrays.workload_cost[self.workload] = to_months(cost, horizon.month_of_day, n_months)
        if start < n_months:
            arrays.extra[start] += self.migration_cost
            arrays.extra[start:] += self.labour_per_month
            arrays.one_off += self.migration_cost
            arrays.labour += self.labour_per_month * (n_months - start)

    def describe(self) -> str:
        parts = {
            f"{_share(self.idle_reduction)} of its idle baseline removed": self.idle_reduction,
            "scaling linearly (the scaling excess removed)": self.linear,
            f"unit cost cut by {_share(self.unit_cost_cut)}": self.unit_cost_cut,
            f"migration {_amount(self.migration_cost)} once": self.migration_cost,
            f"labour {_amount(self.labour_per_month)} a month": self.labour_per_month,
        }
        what = ", ".join(words for words, setting in parts.items() if setting)
        what = what or "no change to its cost"
        return f"architecture fix of {self.workload} from {self.start}: {what}"

    def starts(self, horizon: Horizon) -> int:
        return horizon.month_index(self.start)

    def workloads(self) -> set[str]:
        return {self.workload}

    def slot(self) -> str:
        return f"fix:{self.workload}"

    def refusal(self, scenario: str) -> str:
        return (
            f"scenario {scenario!r} has two fixes for workload {self.workload!r}; give one "
            "fix per workload (its idle, linear, unit-cost, migration and labour settings "
            "together), or put the second change in its own scenario"
        )


class _TotalChange(Kind):
    """A change of the monthly total from its ``start`` month (None: the first forecast
    month) by its own ``transform(monthly, start index)``."""

    stage: ClassVar[str] = "total"
    start: str | None

    def transform(self, monthly: np.ndarray, start: int) -> np.ndarray:
        raise NotImplementedError

    def apply(self, arrays: ScenarioArrays) -> None:
        arrays.total = self.transform(arrays.total, self.starts(arrays.horizon))

    def starts(self, horizon: Horizon) -> int:
        return horizon.month_index(self.start)


@register
@dataclass(frozen=True)
class PriceChange(_TotalChange):
    """List prices changed by ``change`` (-0.05: 5% cheaper) from ``start`` (YYYY-MM; None:
    the first forecast month)."""

    change: float
    start: str | None = None
    key: ClassVar[str] = "price"
    title: ClassVar[str] = "price change"

    @classmethod
    def parse(cls, value: Any, where: str) -> PriceChange:
        r = Table(value, where)
        change, start = r.get("change", float, 0.0, -0.99, 10.0), r.month("from")
        r.done()
        return cls(change, start)

    def to_table(self) -> dict[str, Any]:
        return {"change": self.change} | ({"from": self.start} if self.start else {})

    def transform(self, monthly: np.ndarray, start: int) -> np.ndarray:
        """(S, M) monthly cost with list prices changed from month index ``start``."""
        out = monthly.copy()
        out[:, start:] *= 1.0 + self.change
        return out

    def describe(self) -> str:
        return f"list prices {_percent(self.change)} {_month_words(self.start)}"


@register
@dataclass(frozen=True)
class Commitment(_TotalChange):
    """A commitment of ``coverage`` times the first month's median expected cost, paid at
    ``1 - discount`` for ``term_months`` from ``start`` (None: the first forecast month)."""

    coverage: float
    discount: float
    term_months: int
    start: str | None = None
    key: ClassVar[str] = "commitment"
    title: ClassVar[str] = "commitment"

    @classmethod
    def parse(cls, value: Any, where: str) -> Commitment:
        r = Table(value, where)
        commitment = cls(
            coverage=r.get("coverage", float, 0.0, 0.0, 1.0),
            discount=r.get("discount", float, 0.0, 0.0, 1.0),
            term_months=r.get("term_months", int, 12, 1, 120),
            start=r.month("from"),
        )
        r.done()
        return commitment

    def to_table(self) -> dict[str, Any]:
        table = {"coverage": self.coverage, "discount": self.discount}
        table["term_months"] = self.term_months
        return table | ({"from": self.start} if self.start else {})

    def transform(self, monthly: np.ndarray, start: int) -> np.ndarray:
        """(S, M) monthly cost with the commitment bought at month index ``start``.

        The commitment is ``coverage`` times the median expected cost of its first month,
        paid at ``1 - discount`` whatever is used; cost above it is paid on demand. Usage
        falling below the commitment therefore costs the unused commitment (the real risk
        of buying one)."""
        out = monthly.copy()
        if start >= monthly.shape[1]:
            return out
        amount = self.coverage * float(np.median(monthly[:, start]))
        end = min(start + self.term_months, monthly.shape[1])
        window = out[:, start:end]
        out[:, start:end] = np.maximum(window - amount, 0.0) + amount * (1.0 - self.discount)
        return out

    def describe(self) -> str:
        return (
            f"commitment of {_share(self.coverage)} of the first month's expected cost at "
            f"{_share(self.discount)} off for {self.term_months} months "
            f"{_month_words(self.start)}"
        )


def ordered(changes: tuple[Kind, ...] | list[Kind]) -> list[Kind]:
    """``changes`` in the order they apply: by stage, then by kind in registry order (a
    price change before a commitment), then as given."""
    keys = list(KINDS)
    return sorted(changes, key=lambda c: (STAGES.index(c.stage), keys.index(c.key)))


def apply_changes(
    changes: tuple[Kind, ...] | list[Kind],
    arrays: ScenarioArrays,
    added_up: Callable[[ScenarioArrays], np.ndarray],
) -> ScenarioArrays:
    """Apply ``changes`` stage by stage: the load-stage kinds, then the workload-stage
    kinds, then ``added_up(arrays)`` (the (S, M) total of every workload, the replaced
    ones from ``arrays.workload_cost``, plus the cost by time) as ``arrays.total``, then
    the total-stage kinds. The scenario's cost is ``arrays.total + arrays.extra``."""
    changes = ordered(changes)
    for stage in STAGES:
        if stage == "total":
            arrays.total = added_up(arrays)
        for change in changes:
            if change.stage == stage:
                change.apply(arrays)
    return arrays


def parse_changes(table: Table, scenario: str) -> tuple[Kind, ...]:
    """Every registered kind's change of one ``[[scenario]]`` table (``table`` read for
    those keys), in registry order; a second change of one slot is refused."""
    changes: list[Kind] = []
    for key, kind in KINDS.items():
        if kind.many:
            values = table.get(key, list, [])
            changes += [kind.parse(v, f"{table.where}.{key}[{i}]") for i, v in enumerate(values)]
        else:
            value = table.get(key, object)
            if value is not None:
                changes.append(kind.parse(value, f"{table.where}.{key}"))
    check_slots(scenario, changes)
    return tuple(changes)


def check_slots(scenario: str, changes: list[Kind] | tuple[Kind, ...]) -> None:
    """InputError when two changes of ``scenario`` share a slot (e.g. two fixes of one
    workload): one would silently replace the other."""
    seen: set[str] = set()
    for change in changes:
        if change.slot() in seen:
            raise InputError(change.refusal(scenario))
        seen.add(change.slot())
