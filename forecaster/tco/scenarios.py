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
Unknown keys and values out of range are errors that name the file and the key.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from forecaster.errors import InputError
from forecaster.toml_tables import Table, read_toml

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
class Fix:
    workload: str
    start: str  # YYYY-MM
    idle_reduction: float = 0.0
    linear: bool = False
    unit_cost_cut: float = 0.0
    migration_cost: float = 0.0
    labour_per_month: float = 0.0


@dataclass(frozen=True)
class Commitment:
    coverage: float
    discount: float
    term_months: int
    start: str | None = None  # default: the first forecast month


@dataclass(frozen=True)
class PriceChange:
    change: float
    start: str | None = None


@dataclass(frozen=True)
class Scenario:
    name: str
    growth: dict[str, float] = field(default_factory=dict)  # workload or "*" -> annual rate
    fixes: tuple[Fix, ...] = ()
    commitment: Commitment | None = None
    price: PriceChange | None = None

    def __post_init__(self) -> None:
        seen: set[str] = set()
        for fix in self.fixes:
            if fix.workload in seen:
                raise InputError(
                    f"scenario {self.name!r} has two fixes for workload {fix.workload!r}; "
                    "give one fix per workload (its idle, linear, unit-cost, migration and "
                    "labour settings together), or put the second change in its own scenario"
                )
            seen.add(fix.workload)

    @property
    def changes_nothing(self) -> bool:
        return not (self.growth or self.fixes or self.commitment or self.price)


@dataclass(frozen=True)
class Settings:
    horizon_months: int = 36
    discount_rate: float = 0.08
    samples: int = MONTE_CARLO_PATHS
    seed: int = MONTE_CARLO_SEED


def _fix(data: Any, where: str) -> Fix:
    t = Table(data, where)
    workload = t.get("workload", str)
    if not workload:
        raise InputError(f"{where}: workload is required")
    fix = Fix(
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


def _scenario(data: Any, where: str) -> Scenario:
    t = Table(data, where)
    name = t.get("name", str)
    if not name:
        raise InputError(f"{where}: name is required")
    growth_table = t.get("growth", dict, {})
    growth = {}
    for key, value in growth_table.items():
        if not isinstance(value, int | float) or isinstance(value, bool) or value <= -1:
            raise InputError(f"{where}: growth.{key} = {value!r}; expected an annual rate > -1")
        growth[key] = float(value)
    fixes = tuple(_fix(f, f"{where}.fix[{i}]") for i, f in enumerate(t.get("fix", list, [])))
    commitment = None
    if (c := t.get("commitment", dict)) is not None:
        r = Table(c, f"{where}.commitment")
        commitment = Commitment(
            coverage=r.get("coverage", float, 0.0, 0.0, 1.0),
            discount=r.get("discount", float, 0.0, 0.0, 1.0),
            term_months=r.get("term_months", int, 12, 1, 120),
            start=r.month("from"),
        )
        r.done()
    price = None
    if (p := t.get("price", dict)) is not None:
        r = Table(p, f"{where}.price")
        price = PriceChange(change=r.get("change", float, 0.0, -0.99, 10.0), start=r.month("from"))
        r.done()
    t.done()
    try:
        return Scenario(name, growth, fixes, commitment, price)
    except InputError as exc:
        raise InputError(f"{where}: {exc}") from None


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
    scenarios = [_scenario(d, f"{where} scenario[{i}]") for i, d in enumerate(raw)]
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
