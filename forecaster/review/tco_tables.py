"""The pack's cost forecast (next 3 and 12 months, with bands) and TCO scenario comparison,
from ``forecaster.tco.run_tco`` on data up to the end of the reviewed month."""

from __future__ import annotations

import polars as pl

from forecaster.review.pack import Table
from forecaster.tco.result import TCOResult

BAND = ("p10", "p50", "p90")


def forecast_table(doc: TCOResult) -> Table:
    """Per currency: the next 3 and 12 months' total cost bands, then month by month the
    total and each workload's P50, and the cost forecast by time alone."""
    rows = []
    for c in doc.currencies:
        base = c.scenarios[0]
        for label, band in (("next 3 months", base.next_3_months),
                            ("next 12 months", base.next_12_months)):  # fmt: skip
            rows.append({"currency": c.currency, "period": label, "item": "total",
                         **{b: getattr(band, b) for b in BAND}})  # fmt: skip
        for m in base.monthly[:12]:
            rows.append({"currency": c.currency, "period": m.month, "item": "total",
                         **{b: getattr(m, b) for b in BAND}})  # fmt: skip
        for w in c.workloads:
            for m in w.monthly[:12]:
                rows.append({"currency": c.currency, "period": m.month,
                             "item": f"workload: {w.name}", **{b: getattr(m, b) for b in BAND}})  # fmt: skip
        for m in c.by_time.monthly[:12]:
            rows.append({"currency": c.currency, "period": m.month,
                         "item": "not claimed by a workload (by time)", **{b: getattr(m, b) for b in BAND}})  # fmt: skip
    frame = pl.DataFrame(
        rows,
        schema={
            "currency": pl.String,
            "period": pl.String,
            "item": pl.String,
            **{b: pl.Float64 for b in BAND},
        },  # fmt: skip
    )
    return Table(
        name="forecast",
        title="Cost forecast (3 and 12 months)",
        frame=frame,
        kinds={b: "money" for b in BAND},
        description=(
            f"Effective cost forecast from {doc.months[0]}: each workload's load forecast "
            "pushed through its fitted cost curve by Monte Carlo "
            f"({doc.samples:,} paths, seed {doc.seed}; load and curve uncertainty), plus the cost no workload "
            "claims forecast by time. P10/P50/P90 per currency; data up to the end of the "
            "reviewed month only."
        ),
    )


def tco_table(doc: TCOResult) -> Table:
    """Per currency and scenario: cumulative TCO bands, NPV, saving and break-even."""
    rows = []
    for c in doc.currencies:
        for s in c.scenarios:
            rows.append(
                {
                    "currency": c.currency,
                    "scenario": s.name,
                    "tco_p10": s.cumulative.p10,
                    "tco_p50": s.cumulative.p50,
                    "tco_p90": s.cumulative.p90,
                    "npv_p50": s.npv.p50,
                    "npv_saving_p50": s.npv_saving_vs_baseline.p50,
                    "one_off": s.one_off,
                    "break_even_month": s.break_even_month,
                    "break_even_probability": s.break_even_probability,
                }
            )
    frame = pl.DataFrame(rows, schema_overrides={"break_even_probability": pl.Float64})
    money = ("tco_p10", "tco_p50", "tco_p90", "npv_p50", "npv_saving_p50", "one_off")
    return Table(
        name="tco",
        title="TCO scenarios",
        frame=frame,
        kinds={**dict.fromkeys(money, "money"), "break_even_probability": "ratio"},
        description=(
            f"Total cost of ownership over {doc.horizon_months} months from "
            f"{doc.months[0]} per scenario (cloud cost, one-off migration and labour), "
            f"NPV at {doc.discount_rate:.1%} a year, saving against '{doc.baseline}', "
            "and the month from which the scenario's cumulative cost stays below the "
            "baseline's, never before its change takes effect (with the share of paths ahead "
            f"at the horizon); {doc.samples:,} Monte Carlo paths, seed {doc.seed}."
            + "".join(
                f" {s.name} ({c.currency}): {note}"
                for c in doc.currencies
                for s in c.scenarios
                for note in s.notes
            )
        ),
    )
