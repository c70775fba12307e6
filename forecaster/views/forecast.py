"""The Forecast & TCO page in plain data: one what-if scenario from the page's controls, run
against the baseline by ``forecaster.tco`` (``run_tco``), and its result as tables.

``forecaster.tco`` forecasts each workload's load, pushes the paths through the fitted cost
curves by Monte Carlo and applies the scenario (growth, architecture fix, commitment, price
change); this module only builds the scenario and reads the result.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import polars as pl

from forecaster.months import months_after
from forecaster.tco.result import Band, CurrencyResult, TCOResult
from forecaster.timeonly.bill import MONTHLY_BANDS_SCHEMA

BASELINE = "baseline"
WHAT_IF = "what-if"


@dataclass(frozen=True)
class WhatIf:
    """The page's controls. Rates are fractions (0.3 = 30%); money in the billing currency.

    ``growth``: annual load growth for every workload (None: the load forecast's own);
    ``fix_workload`` with ``fix_from`` (YYYY-MM): an architecture fix removing
    ``idle_reduction`` of its idle baseline, making it scale linearly (``linear``) and
    cutting ``unit_cost_cut`` of its unit cost, for ``migration_cost`` once and
    ``labour_per_month``; ``commitment_coverage`` of the expected cost committed at
    ``commitment_discount`` for ``commitment_term`` months; ``price_change`` on list prices
    from ``price_from``.
    """

    horizon_months: int = 36
    discount_rate: float = 0.08
    growth: float | None = None
    fix_workload: str | None = None
    fix_from: str | None = None
    idle_reduction: float = 0.0
    linear: bool = False
    unit_cost_cut: float = 0.0
    migration_cost: float = 0.0
    labour_per_month: float = 0.0
    commitment_coverage: float = 0.0
    commitment_discount: float = 0.0
    commitment_term: int = 12
    price_change: float = 0.0
    price_from: str | None = None

    def canonical(self) -> WhatIf:
        """The same scenario with settings that change nothing cleared (a fix start without
        a fix, a price month without a price change, a half-set commitment), so equal
        scenarios compare equal (and share one cached run)."""
        fix = bool(self.fix_workload and self.fix_from)
        commit = self.commitment_coverage > 0 and self.commitment_discount > 0
        return replace(
            self,
            fix_workload=self.fix_workload if fix else None,
            fix_from=self.fix_from if fix else None,
            idle_reduction=self.idle_reduction if fix else 0.0,
            linear=self.linear if fix else False,
            unit_cost_cut=self.unit_cost_cut if fix else 0.0,
            migration_cost=self.migration_cost if fix else 0.0,
            labour_per_month=self.labour_per_month if fix else 0.0,
            commitment_coverage=self.commitment_coverage if commit else 0.0,
            commitment_discount=self.commitment_discount if commit else 0.0,
            commitment_term=self.commitment_term if commit else 12,
            price_from=self.price_from if self.price_change else None,
        )

    def table(self) -> dict[str, Any]:
        """The scenario as a scenario file's ``[[scenario]]`` table, named ``what-if``:
        read by the same parser (``forecaster.tco.scenarios.parse_scenario``, the one
        registry of scenario kinds) as a file's scenarios. Settings that change nothing
        are left out (``canonical``)."""
        what = self.canonical()
        table: dict[str, Any] = {"name": WHAT_IF}
        if what.growth is not None:
            table["growth"] = {"*": what.growth}
        if what.fix_workload and what.fix_from:
            table["fix"] = [
                {
                    "workload": what.fix_workload,
                    "from": what.fix_from,
                    "idle_reduction": what.idle_reduction,
                    "linear": what.linear,
                    "unit_cost_cut": what.unit_cost_cut,
                    "migration_cost": what.migration_cost,
                    "labour_per_month": what.labour_per_month,
                }
            ]
        if what.price_change:
            table["price"] = {"change": what.price_change}
            if what.price_from:
                table["price"]["from"] = what.price_from
        if what.commitment_coverage > 0 and what.commitment_discount > 0:
            table["commitment"] = {
                "coverage": what.commitment_coverage,
                "discount": what.commitment_discount,
                "term_months": what.commitment_term,
            }
        return table


def scenarios(
    what: WhatIf,
    samples: int | None = None,
    seed: int | None = None,
    extra: list[Any] | tuple[Any, ...] = (),
) -> tuple[Any, list[Any]]:
    """(Settings, [baseline, *extra, what-if]) for ``run_tco``; ``extra``: the scenarios of
    a scenario file the user named (its baseline is the baseline; the what-if keeps the
    page's name). The Monte Carlo paths and seed are the engine's defaults
    (``MONTE_CARLO_PATHS``, ``MONTE_CARLO_SEED``) unless given."""
    from forecaster.tco.scenarios import (
        MONTE_CARLO_PATHS,
        MONTE_CARLO_SEED,
        Scenario,
        Settings,
        parse_scenario,
    )

    scenario = parse_scenario(what.table(), "the what-if controls")
    settings = Settings(
        horizon_months=what.horizon_months,
        discount_rate=what.discount_rate,
        samples=MONTE_CARLO_PATHS if samples is None else samples,
        seed=MONTE_CARLO_SEED if seed is None else seed,
    )
    others = [sc for sc in extra[1:] if sc.name not in (BASELINE, WHAT_IF)]
    base = extra[0] if extra else Scenario(BASELINE)
    return settings, [base, *others, scenario]


def currency_doc(doc: TCOResult, currency: str) -> CurrencyResult | None:
    """The result's block of ``currency`` (None when it has none)."""
    return doc.currency(currency)


def monte_carlo_note(doc: TCOResult) -> str:
    """Which Monte Carlo run the figures come from (the same paths and seed as
    ``forecaster tco`` and the review pack by default)."""
    return (
        f"{doc.samples:,} Monte Carlo paths, seed {doc.seed}; P10/P50/P90 are the "
        "10th, 50th and 90th percentiles of those paths. Break-even never precedes the month "
        "the change takes effect."
    )


def what_if_note(doc: TCOResult, currency: str) -> str:
    """What the what-if scenario changes, in the scenario kinds' words, and what of it the
    figures leave out (``ScenarioResult.notes``)."""
    cur = doc.currency(currency)
    scenario = cur.scenario(WHAT_IF) if cur is not None else None
    if scenario is None:
        return ""
    return " ".join((f"What-if: {scenario.description}.", *scenario.notes))


def comparison_table(doc: TCOResult, currency: str) -> pl.DataFrame:
    """Scenarios side by side: one row per figure (cumulative TCO and NPV with their P10-P90,
    the NPV saving against the baseline, break-even month and its probability, one-off and
    labour), one column per scenario."""
    cur = doc.currency(currency)
    if cur is None:
        return pl.DataFrame({"figure": []}, schema={"figure": pl.String})
    columns: dict[str, list[Any]] = {}
    labels: list[str] = []
    for s in cur.scenarios:
        rows = [
            (f"TCO over {doc.horizon_months} months (P50)", _money(s.cumulative.p50, currency)),
            ("TCO P10 to P90", _range(s.cumulative, currency)),
            (f"NPV at {doc.discount_rate:.1%} a year (P50)", _money(s.npv.p50, currency)),
            ("NPV saving against the baseline (P50)", _money(s.npv_saving_vs_baseline.p50, currency)),
            ("break-even month", s.break_even_month or "-"),
            ("chance the scenario is cheaper by the horizon", _share(s.break_even_probability)),
            ("one-off cost", _money(s.one_off, currency)),
            ("labour over the horizon", _money(s.labour, currency)),
        ]  # fmt: skip
        labels = [r[0] for r in rows]
        columns[s.name] = [r[1] for r in rows]
    return pl.DataFrame({"figure": labels, **columns})


def monthly_bands(doc: TCOResult, currency: str) -> pl.DataFrame:
    """scenario, month, p10, p50, p90 of the total monthly cost per scenario."""
    cur = doc.currency(currency)
    rows = [
        {"scenario": s.name, "month": m.month, "p10": m.p10, "p50": m.p50, "p90": m.p90}
        for s in (cur.scenarios if cur is not None else ())
        for m in s.monthly
    ]
    return pl.DataFrame(rows, schema=MONTHLY_BANDS_SCHEMA)


def _money(value: float | None, currency: str) -> str:
    return "-" if value is None else f"{currency} {value:,.2f}"


def _range(band: Band, currency: str) -> str:
    return f"{currency} {band.p10:,.2f} to {band.p90:,.2f}"


def _share(value: float | None) -> str:
    return "-" if value is None else f"{value:.0%}"


def future_months(last_month: str, n: int) -> list[str]:
    """The ``n`` months after ``last_month`` (YYYY-MM), in order."""
    return months_after(last_month, n)
