"""The glossary: each headline figure defined once, with the engine function that computes
it. docs/glossary.md is this text (a test keeps them equal); the dashboard's Glossary page
and the review pack's HTML show it, so every surface points at one definition."""

from __future__ import annotations

from forecaster.scaling.reach import CEILING_SHARE, HORIZON_DAYS
from forecaster.tco.scenarios import MONTE_CARLO_PATHS, MONTE_CARLO_SEED
from forecaster.waste import DRIFT_BASIS

TITLE = "Glossary: the headline figures"

TERMS: tuple[tuple[str, str, str], ...] = (
    (
        "Effective cost",
        "FOCUS EffectiveCost: what was paid after discounts and commitments, amortized, in the "
        "billing currency. Totals reconcile to the source to the cent per billing period and "
        "currency; currencies are never added together.",
        "forecaster.review.spend.month_totals",
    ),
    (
        "Bridge",
        "The change of a month's effective cost from the month before, split into steps that "
        "add up to it exactly in cents: volume (organic growth), scaling excess, fixed cost, "
        "efficiency, rate/price, new and retired services and the residual (with workloads); "
        "rate/price, usage volume, new and retired services, credits, refunds, tax and the "
        "rest (from the bill alone). JSON: each step's `amount` in its block's `currency`.",
        "forecaster.review.bridge.bridge_for_month",
    ),
    (
        "Idle baseline",
        "The fixed cost F of a workload's fitted cost curve: what it costs at zero load, "
        "summed over the month's periods.",
        "forecaster.waste.monthly_waste",
    ),
    (
        "Scaling excess",
        "What the cost curve adds above linear scaling at the period's load, counted where "
        "the exponent's interval lies above 1 and the excess is material (a finding).",
        "forecaster.waste.monthly_waste",
    ),
    (
        "Efficiency drift",
        f"Cost {DRIFT_BASIS}: the fitted rise of the unit cost over time, counted where it "
        "rises significantly (a finding). Never measured against today's unit cost.",
        "forecaster.waste.monthly_waste",
    ),
    (
        "Waste candidates",
        "Idle baseline + scaling excess + efficiency drift of a month, per workload and in "
        "total per currency, in cents. The Overview's headline is the last closed month's; "
        "the review pack's waste table is the reviewed month's.",
        "forecaster.waste.monthly_waste",
    ),
    (
        "Ceiling date",
        f"The first day the forecast busiest hour of a workload (its hourly load per second, "
        f"the busiest hour of each UTC day) reaches {CEILING_SHARE:.0%} of the scaling "
        "ceiling (the Universal Scalability Law's peak throughput fitted to the load tests), "
        f"forecast {HORIZON_DAYS} days after the last load data; the 80% interval gives the "
        "early and late dates. The busiest hour is the one that breaks a system. The "
        "daily-average date (the day's load per second on average) is a second, later "
        "figure, never the ceiling date.",
        "forecaster.scaling.reach.workload_ceiling",
    ),
    (
        "TCO P10 / P50 / P90",
        "Total cost of ownership over the horizon (cloud cost, one-off migration and labour) "
        "per scenario: the 10th, 50th and 90th percentiles over Monte Carlo paths of each "
        "workload's load forecast pushed through its cost curve, plus the unclaimed cost "
        f"forecast by time. {MONTE_CARLO_PATHS:,} paths and seed {MONTE_CARLO_SEED} on every "
        "surface unless the user names others (every output prints them).",
        "forecaster.tco.run.run_tco",
    ),
    (
        "NPV",
        "The monthly costs discounted at the annual rate r (factor (1 + r) ** (-m / 12)); the "
        "saving is the baseline's NPV minus the scenario's.",
        "forecaster.tco.arithmetic.npv",
    ),
    (
        "Break-even month",
        "The first month from which a scenario's cumulative cost (median over the paths) "
        "stays at or below the baseline's to the end of the horizon, never before the month "
        "the scenario's change takes effect.",
        "forecaster.tco.arithmetic.break_even",
    ),
)


def anchor(term: str) -> str:
    """The term's anchor id (``ceiling-date``)."""
    return "".join(c if c.isalnum() else "-" for c in term.lower()).strip("-").replace("--", "-")


def markdown() -> str:
    """docs/glossary.md."""
    lines = [
        f"# {TITLE}",
        "",
        "Each figure that appears on more than one surface (CLI text, `--json`, the dashboard, "
        "the review pack's XLSX, CSV, HTML and PDF) is computed by one engine function; the "
        "surfaces only format it. Generated from `forecaster/glossary.py`.",
        "",
    ]
    for term, text, source in TERMS:
        lines += [f"## {term}", "", text, "", f"Computed by `{source}`.", ""]
    return "\n".join(lines)
