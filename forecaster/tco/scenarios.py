"""Scenario files: what-if changes to traffic, architecture, commitments and prices.

```toml
[settings]
horizon_months = 36        # 12 to 36
discount_rate = 0.08       # annual, for NPV (monthly factor (1 + r) ** (-m / 12))
samples = 1000             # Monte Carlo paths (default MONTE_CARLO_PATHS, 1000)
seed = 0                   # (default MONTE_CARLO_SEED, 0)

[[scenario]]
name = "baseline"          # the reference: the first scenario, or the one named "baseline"

[[scenario]]
name = "fix search"
growth = { "*" = 0.30, search = 0.5 }   # annual load growth replacing the forecast's
[[scenario.fix]]
workload = "search"
from = "2027-01"           # first month the fix is live (YYYY-MM)
idle_reduction = 0.5       # share of the idle baseline removed
linear = true              # bring the exponent to 1 (scaling excess removed)
unit_cost_cut = 0.10       # share of the variable (unit) cost removed
migration_cost = 20000     # one-off, in the `from` month
labour_per_month = 1500    # ongoing operating labour delta from `from` (negative saves)
[scenario.commitment]
coverage = 0.6             # share of the first month's expected cost committed
discount = 0.28            # discount on the committed amount
term_months = 12
from = "2026-12"
[scenario.price]
change = -0.05             # list-price change (-5%) from `from`
from = "2027-03"
```
Unknown keys and values out of range are errors that name the file and the key. Each
key of a ``[[scenario]]`` table but ``name`` is a scenario kind of the one registry,
``forecaster.tco.kinds.KINDS`` (growth, fix, commitment, price), which also says how each
applies to the Monte Carlo paths.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from forecaster.errors import InputError
from forecaster.tco.kinds import (
    Commitment,
    Fix,
    Growth,
    Kind,
    PriceChange,
    check_slots,
    parse_changes,
)
from forecaster.toml_tables import Table, read_toml

K = TypeVar("K", bound=Kind)

BASELINE = "baseline"
MONTE_CARLO_PATHS = 1000
"""The one default number of Monte Carlo paths of every TCO and cost-forecast figure, on
every surface (CLI, --json, dashboard, review pack); a scenario file or --samples may name
another, and every output prints the count it used."""
MONTE_CARLO_SEED = 0
"""The one default seed of those paths: the same inputs give the same figures everywhere."""
MONTE_CARLO_PATHS_RANGE = (50, 20_000)
"""Fewest and most Monte Carlo paths accepted (fewer make P10/P90 noise; more only cost time)."""


def check_monte_carlo(samples: int | None, seed: int | None) -> None:
    """InputError naming ``samples`` or ``seed`` when outside what the simulation takes."""
    lo, hi = MONTE_CARLO_PATHS_RANGE
    if samples is not None and (isinstance(samples, bool) or not lo <= samples <= hi):
        raise InputError(
            f"samples {samples}: expected {lo:,} to {hi:,} Monte Carlo paths",
            parameters=("samples",),
        )
    if seed is not None and (isinstance(seed, bool) or seed < 0):
        raise InputError(f"seed {seed}: expected a whole number of 0 or more", parameters=("seed",))


@dataclass(frozen=True)
class Scenario:
    """A named what-if: its changes, each a registered kind (``forecaster.tco.kinds``),
    at most one per slot (one fix per workload, one commitment, ...)."""

    name: str
    changes: tuple[Kind, ...] = ()

    def __post_init__(self) -> None:
        check_slots(self.name, self.changes)

    @classmethod
    def of(
        cls,
        name: str,
        growth: dict[str, float] | None = None,
        fixes: tuple[Fix, ...] = (),
        commitment: Commitment | None = None,
        price: PriceChange | None = None,
    ) -> Scenario:
        """A scenario from the changes by kind (what callers in code usually hold)."""
        changes: list[Kind] = [Growth(tuple(growth.items()))] if growth else []
        changes += [*fixes, *(c for c in (price, commitment) if c is not None)]
        return cls(name, tuple(changes))

    def of_kind(self, kind: type[K]) -> list[K]:
        return [c for c in self.changes if isinstance(c, kind)]

    @property
    def growth(self) -> dict[str, float]:
        """Annual load growth by workload (``"*"``: every workload)."""
        return {k: v for g in self.of_kind(Growth) for k, v in g.rates}

    @property
    def fixes(self) -> tuple[Fix, ...]:
        return tuple(self.of_kind(Fix))

    @property
    def commitment(self) -> Commitment | None:
        return next(iter(self.of_kind(Commitment)), None)

    @property
    def price(self) -> PriceChange | None:
        return next(iter(self.of_kind(PriceChange)), None)

    @property
    def changes_nothing(self) -> bool:
        return not self.changes

    def workloads(self) -> set[str]:
        """The workloads its changes name."""
        return {name for c in self.changes for name in c.workloads()}

    def describe(self) -> str:
        """What the scenario changes, in words (each change's ``describe``)."""
        if not self.changes:
            return "no change: the forecast as it is"
        return "; ".join(c.describe() for c in self.changes)

    def to_table(self) -> dict[str, Any]:
        """The scenario as a ``[[scenario]]`` table (``parse_scenario`` reads it back)."""
        table: dict[str, Any] = {"name": self.name}
        for c in self.changes:
            if c.many:
                table.setdefault(c.key, []).append(c.to_table())
            else:
                table[c.key] = c.to_table()
        return table


@dataclass(frozen=True)
class Settings:
    horizon_months: int = 36
    discount_rate: float = 0.08
    samples: int = MONTE_CARLO_PATHS
    seed: int = MONTE_CARLO_SEED


def parse_scenario(data: Any, where: str) -> Scenario:
    """One ``[[scenario]]`` table: its name and every registered kind's change, checked
    (what the scenario file, the CLI and the dashboard's what-if controls all go through)."""
    t = Table(data, where)
    name = t.get("name", str)
    if not name:
        raise InputError(f"{where}: name is required")
    try:
        changes = parse_changes(t, name)
    except InputError as exc:
        message = str(exc)
        raise InputError(message if message.startswith(where) else f"{where}: {message}") from None
    t.done()
    return Scenario(name, changes)


def parse_scenarios(data: dict[str, Any], where: str) -> tuple[Settings, list[Scenario]]:
    """Settings and scenarios (baseline first) from parsed TOML."""
    top = Table(data, where)
    s = Table(top.get("settings", dict, {}), f"{where} [settings]")
    settings = Settings(
        horizon_months=s.get("horizon_months", int, 36, 12, 36),
        discount_rate=s.get("discount_rate", float, 0.08, 0.0, 1.0),
        samples=s.get("samples", int, MONTE_CARLO_PATHS, *MONTE_CARLO_PATHS_RANGE),
        seed=s.get("seed", int, MONTE_CARLO_SEED),
    )
    s.done()
    raw = top.get("scenario", list, [])
    top.done()
    scenarios = [parse_scenario(d, f"{where} scenario[{i}]") for i, d in enumerate(raw)]
    names = [sc.name for sc in scenarios]
    if len(set(names)) != len(names):
        raise InputError(f"{where}: scenario names must be unique, got {names}")
    if (
        not scenarios
        or all(sc.name != BASELINE for sc in scenarios)
        and not scenarios[0].changes_nothing
    ):
        scenarios.insert(0, Scenario(BASELINE))
    base = next((sc for sc in scenarios if sc.name == BASELINE), scenarios[0])
    return settings, [base] + [sc for sc in scenarios if sc is not base]


def load_scenarios(path: str | Path | None) -> tuple[Settings, list[Scenario]]:
    """Read a scenario file; None gives the defaults and the baseline alone."""
    if path is None:
        return Settings(), [Scenario(BASELINE)]
    path = Path(path)
    return parse_scenarios(read_toml(path, "scenario"), str(path))
