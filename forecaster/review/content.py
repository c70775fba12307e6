"""``build_review``: assemble the month's review pack from the engine, as tables.

Order of the pack: headline, breakdowns (provider, service, account, workload with unit
cost), the bridge and its items, findings, cost curves, scaling ceilings, forecast, TCO,
data-quality notes. Sections whose engine is missing (or whose input was not given) are
still there, saying why they are empty: the pack never shows numbers it did not compute.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from pathlib import Path

import polars as pl

from forecaster import columns as C
from forecaster.errors import ForecasterError, InputError
from forecaster.inputs import check_sources, check_tag_keys
from forecaster.load import read_load
from forecaster.months import check_month, month_of, month_start, shift_month
from forecaster.review.bill_bridge import STEP_MEANING as BILL_STEP_MEANING
from forecaster.review.bill_bridge import STEPS as BILL_STEPS
from forecaster.review.bill_bridge import bill_bridges
from forecaster.review.bridge import bridge_items_table, bridge_table, bridges
from forecaster.review.budget import read_budget
from forecaster.review.outlook import find_load_tests, not_available, scaling_section
from forecaster.review.pack import ReviewPack, Table
from forecaster.review.quality import (
    budget_notes,
    missing_month_notes,
    partition_notes,
    quality_table,
    restatement_notes,
    unclaimed_notes,
    workload_notes,
)
from forecaster.review.spend import (
    DIMENSIONS,
    breakdown_table,
    headline_table,
    month_totals,
    tag_table,
)
from forecaster.review.tco_tables import forecast_table, tco_table
from forecaster.review.workloads import (
    FINDING_KINDS,
    cost_items,
    curves_table,
    findings_table,
    fit_before,
    monthly_load,
    waste_table,
    workload_table,
)
from forecaster.store import BillingStore
from forecaster.tco.run import run_tco
from forecaster.timeonly.anomalies import month_findings_rows, time_only_anomalies
from forecaster.views.overview import tag_keys as bill_tag_keys
from forecaster.workloads import SERIES_SCHEMA, load_workloads, workload_series
from forecaster.workloads.cost import check_shares

FORECAST_TITLE = "Cost forecast (3 and 12 months)"
NO_WORKLOADS = "no workloads file given: cost cannot be tied to load"


def _charges(store: BillingStore, sources: Sequence[str] | None) -> pl.LazyFrame:
    charges = store.scan()
    if sources:
        charges = charges.filter(pl.col(C.X_SOURCE).is_in(list(sources)))
    return charges


def _check_month_present(store_dir: Path, totals: pl.DataFrame, month: str, charges) -> None:
    if month in set(totals["month"].to_list()):
        return
    held = (
        charges.select(month_of(C.BILLING_PERIOD_START).alias("m"))
        .unique()
        .sort("m")
        .collect()["m"]
    )
    span = f"it holds {held[0]} to {held[-1]}" if len(held) else "it is empty"
    raise InputError(f"{store_dir}: no billing data for {month} in the store ({span})")


def build_review(
    store_dir: str | Path,
    month: str,
    workloads_path: str | Path | None = None,
    budget_path: str | Path | None = None,
    *,
    loadtests: Mapping[str, Sequence[str | Path]] | None = None,
    loadtest_dir: str | Path | None = None,
    since: datetime | None = None,
    sources: Sequence[str] | None = None,
    tag_keys: Sequence[str] | None = None,
    scenarios_path: str | Path | None = None,
    tco_horizon: int | None = None,
) -> ReviewPack:
    """The review pack of ``month`` ("YYYY-MM") from the store under ``store_dir``.

    ``workloads_path``: the workloads TOML (None: no workload sections). ``budget_path``:
    the budget CSV (see ``forecaster.review.budget``). ``loadtests`` maps workload names to
    load-test files; else they are found in ``loadtest_dir`` (None: no load tests; nothing
    is looked for beside the workloads file). ``since``: restatements recorded from then on are listed
    (default: the start of ``month``). ``sources``: only these store sources (x_Source).
    ``tag_keys``: tag keys to break the cost down by (default: the keys the workloads'
    cost filters use). ``scenarios_path``: the TCO scenario file (None: the baseline
    alone; nothing is looked for beside the workloads file); ``tco_horizon``:
    months (default: the file's, else 36).
    Raises InputError for a malformed month or a month the store has no billing for.
    """
    month = check_month(month)
    store_dir = Path(store_dir)
    previous, year_ago = shift_month(month, -1), shift_month(month, -12)
    end = month_start(shift_month(month, 1))
    since = since or month_start(month)
    store = BillingStore(store_dir)
    check_sources(store_dir, list(sources or []))
    charges = _charges(store, sources)
    totals = month_totals(charges, [month, previous, year_ago])
    _check_month_present(store_dir, totals, month, charges)
    budget = read_budget(budget_path) if budget_path is not None else None

    tables: dict[str, Table] = {}
    unavailable: dict[str, str] = {}
    tables["headline"] = headline_table(totals, month, previous, year_ago, budget)
    for dim in DIMENSIONS:
        table = breakdown_table(charges, totals, month, previous, dim)
        tables[table.name] = table

    workloads = load_workloads(workloads_path) if workloads_path is not None else []
    if tag_keys is None:
        tag_keys = sorted({key for w in workloads for key, _ in w.cost.tags})
    else:
        check_tag_keys(bill_tag_keys(charges), list(tag_keys))
    if tag_keys:
        tables["by_tag"] = tag_table(charges, totals, month, previous, list(tag_keys))
    else:
        reason = "no tag keys given, and the workloads filter on no tags"
        tables["by_tag"] = not_available("by_tag", "Cost by tag", reason)
        unavailable["by_tag"] = reason
    if workloads:
        check_shares(charges, workloads)
    items = cost_items(charges, workloads, [month, previous], totals)
    if workloads:
        samples = read_load(store_dir)
        loads = monthly_load(samples, workloads, [month, previous])
        tables["by_workload"] = workload_table(items, loads, workloads, month, previous)
        series = workload_series(store_dir, workloads, "day", sources=list(sources or []) or None)
        fits = fit_before(series, workloads, end)
    else:
        samples = None
        series = pl.DataFrame(schema=SERIES_SCHEMA)
        fits = {}
        tables["by_workload"] = not_available("by_workload", "Cost by workload", NO_WORKLOADS)
        unavailable["by_workload"] = NO_WORKLOADS

    if workloads:
        results = bridges(items, fits, month, previous)
        tables["bridge"] = bridge_table(results, month, previous)
        tables["bridge_by_item"] = bridge_items_table(results, month, previous)
    else:  # a bill only: rate/price, usage volume, services, credits, tax
        results = bill_bridges(charges, month, previous)
        tables["bridge"] = bridge_table(results, month, previous, BILL_STEP_MEANING)
        tables["bridge_by_item"] = bridge_items_table(results, month, previous, BILL_STEPS)
    if workloads:
        tables["findings"] = findings_table(fits, month)
        tables["waste"] = waste_table(fits, month)
        tables["cost_curves"] = curves_table(fits)
    else:  # a bill only: anomalies by time stand in for the curves' findings
        tables["findings"] = Table(
            name="findings",
            title="Findings ranked by money: anomalies by time",
            frame=month_findings_rows(time_only_anomalies(charges, end=end), month),
            kinds=FINDING_KINDS,
            description=(
                f"No workloads file, so no cost curves: the days of {month} whose cost fell "
                "outside the 95% forecast band of their own history (per provider, service "
                "and account; amount: the money beyond the band). Time-only: a load driver "
                "would tell growth from waste (`forecaster workloads suggest`)."
            ),
        )
        for name, title in (("waste", "Waste candidates"), ("cost_curves", "Cost curves")):
            tables[name] = not_available(name, title, NO_WORKLOADS)
            unavailable[name] = NO_WORKLOADS

    if loadtests is not None:
        tests = {k: [Path(p) for p in v] for k, v in loadtests.items()}
        searched = "load tests given: " + ", ".join(sorted(tests)) if tests else "none given"
    else:
        directory = Path(loadtest_dir) if loadtest_dir is not None else None
        tests = find_load_tests(workloads, directory)
        searched = f"looked in {directory}" if directory else "no load tests named"
    unknown = sorted(set(tests) - {w.name for w in workloads})
    if unknown:
        raise InputError(f"load tests given for unknown workload(s) {', '.join(unknown)}")
    if workloads and tests:
        table, charts = scaling_section(samples, workloads, tests, end, searched, fits)
    else:
        reason = NO_WORKLOADS if not workloads else f"no load tests found ({searched})"
        table, charts = not_available("scaling", "Scaling ceilings", reason), {}
        unavailable["scaling"] = reason
    tables["scaling"] = table

    if workloads:
        try:
            doc = run_tco(store_dir, workloads_path, scenarios_path, horizon_months=tco_horizon,
                          sources=list(sources or []) or None, end=end)  # fmt: skip
            tables["forecast"], tables["tco"] = forecast_table(doc), tco_table(doc)
        except ForecasterError as exc:
            for name, title in (("forecast", FORECAST_TITLE), ("tco", "TCO scenarios")):
                tables[name] = not_available(name, title, str(exc))
                unavailable[name] = str(exc)
    else:  # a bill only: the whole bill forecast by time, scenarios on it
        try:
            doc = run_tco(store_dir, None, scenarios_path, horizon_months=tco_horizon,
                          sources=list(sources or []) or None, end=end, workloads=[])  # fmt: skip
            tables["forecast"], tables["tco"] = forecast_table(doc), tco_table(doc)
        except ForecasterError as exc:
            for name, title in (("forecast", FORECAST_TITLE), ("tco", "TCO scenarios")):
                tables[name] = not_available(name, title, str(exc))
                unavailable[name] = str(exc)

    currencies = sorted(set(totals.filter(pl.col("month") == month)["currency"].to_list()))
    notes = partition_notes(store.partitions(), month)
    notes += restatement_notes(store.catalog().get("restatements", []), since)
    notes += missing_month_notes(
        totals, {"previous month": previous, "same month last year": year_ago}
    )
    notes += unclaimed_notes(items, month, bool(workloads))
    notes += workload_notes(fits, series, month)
    notes += budget_notes(budget, month, currencies)
    tables["data_quality"] = quality_table(notes, month, since)

    return ReviewPack(
        month=month,
        previous_month=previous,
        year_ago_month=year_ago,
        currencies=currencies,
        tables=tables,
        unavailable=unavailable,
        charts={f"ceiling:{k}": v for k, v in charts.items()},
        meta={
            "store": store_dir,
            "workloads": workloads_path,
            "budget": budget_path,
            "scenarios": scenarios_path,
            "loadtests": loadtest_dir
            if loadtests is None
            else ", ".join(str(p) for v in loadtests.values() for p in v) or None,
            "since": since.isoformat(),
            "sources": ", ".join(sources) if sources else None,
        },
    )
