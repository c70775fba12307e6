"""The pack's outlook: scaling ceilings and their dates, the cost forecast and TCO.

Scaling: a workload's load tests (CSV, k6 or Locust files whose name starts with the
workload's name, in the load-test directory the user names, or given explicitly) are
fitted with the Universal Scalability Law. The ceiling date is
``forecaster.scaling.reach.workload_ceiling``'s (busiest hour per day as a rate per second,
with the daily average as a second figure), on data up to the end of the month.

Sections whose engine is not there yet say so (``not_available``) instead of showing
numbers that were not computed.
"""

from __future__ import annotations

import logging
from datetime import datetime
from pathlib import Path

import polars as pl

from forecaster.errors import ForecasterError
from forecaster.review.pack import Table
from forecaster.scaling.budget import rate_words, reach_budgets, workload_curve_cost
from forecaster.scaling.explain import describe
from forecaster.scaling.loadtest import load_unit, read_load_tests
from forecaster.scaling.reach import CEILING_SHARE, workload_ceiling
from forecaster.scaling.usl import USLModel
from forecaster.workloads import Workload

log = logging.getLogger(__name__)

LOADTEST_SUFFIXES = (".csv", ".json")


def find_load_tests(workloads: list[Workload], directory: Path | None) -> dict[str, list[Path]]:
    """Files in ``directory`` whose name starts with a workload's name (longest name wins)."""
    if directory is None or not directory.is_dir():
        return {}
    names = sorted((w.name for w in workloads), key=lambda n: (-len(n), n))
    found: dict[str, list[Path]] = {}
    for path in sorted(directory.iterdir()):
        if not path.is_file() or path.suffix.lower() not in LOADTEST_SUFFIXES:
            continue
        for name in names:
            if path.name.lower().startswith(name.lower()):
                found.setdefault(name, []).append(path)
                break
    return found


def match_load_tests(workloads: list[Workload], paths: list[Path]) -> dict[str, list[Path]]:
    """Load-test files among ``paths`` (files or directories the user named) whose name
    starts with a workload's name (longest name wins), by workload."""
    found: dict[str, list[Path]] = {}
    for path in paths:
        if path.is_dir():
            hits = find_load_tests(workloads, path)
        else:
            hits = find_load_tests(workloads, path.parent)
            hits = {k: [p for p in v if p == path] for k, v in hits.items()}
        for name, files in hits.items():
            if files:
                found.setdefault(name, []).extend(files)
    return found


def not_available(name: str, title: str, reason: str) -> Table:
    """A table that says why a section has no figures."""
    frame = pl.DataFrame({"section": [title], "status": ["not available"], "reason": [reason]})
    return Table(
        name=name, title=title, frame=frame, description=reason, note=f"not available: {reason}"
    )


SCALING_KINDS = {
    "points": "integer",
    "sigma": "number",
    "kappa": "number",
    "gamma": "number",
    "r2": "number",
    "peak_load": "number",
    "peak_throughput": "number",
    "ceiling_share": "ratio",
    "current_peak_rate": "number",
    "current_daily_average_rate": "number",
    "budget_load": "number",
    "budget_load_low": "number",
    "budget_load_high": "number",
    "budget_throughput": "number",
    "budget_usable_share": "ratio",
    "budget_cost_per_1000": "number",
}
BUDGET_NUMBERS = ("budget_load", "budget_load_low", "budget_load_high", "budget_throughput",
                  "budget_usable_share")  # fmt: skip
BUDGET_DATES = ("budget_date", "budget_date_80_early", "budget_date_80_late")


def budget_fields(
    reach: object | None, points: pl.DataFrame, model: USLModel, workload: Workload, source: str,
    fit: object | None = None, files: list[Path] | None = None,
) -> dict:  # fmt: skip
    """The workload's latency budgets on its load test (``reach_budgets``, the Scaling
    page's function too): the first budget's figures as columns, every budget's sentence;
    with the workload's fitted cost curve (``fit``), the cost per 1,000 served there."""
    if not workload.latency_budgets:
        return {}
    texts = ", ".join(b.text() for b in workload.latency_budgets)
    try:
        results = reach_budgets(reach, points, model, workload.latency_budgets, source,  # type: ignore[arg-type]
                                throughput_cost=workload_curve_cost(fit, workload.name),
                                load_unit=load_unit(files) if files else "",
                                rate_unit=rate_words(workload.load.unit))  # fmt: skip
    except ForecasterError as exc:
        return {"latency_budget": texts, "latency_explanation": f"cannot check the budget: {exc}"}
    first = results[0][0].to_dict()
    lo, hi = first["budget_load_ci"]
    early, late = first["budget_date_80"]
    return {
        "latency_budget": texts,
        "budget_load": first["budget_load"],
        "budget_load_low": lo,
        "budget_load_high": hi,
        "budget_throughput": first["throughput_at_budget"],
        "budget_usable_share": first["usable_share_of_ceiling"],
        "budget_date": _date(first["budget_date"]),
        "budget_date_80_early": _date(early),
        "budget_date_80_late": _date(late),
        "budget_cost_per_1000": first["cost_per_1000_at_budget"],
        "budget_cost_currency": first["cost_currency"],
        "latency_explanation": " ".join(sentence for _, sentence in results),
    }


def _date(value: str | None) -> str | None:
    return None if value is None else str(value)[:10]


def scaling_section(
    samples: pl.LazyFrame,
    workloads: list[Workload],
    tests: dict[str, list[Path]],
    end: datetime,
    searched: str,
    fits: dict | None = None,
) -> tuple[Table, dict[str, pl.DataFrame]]:
    """The USL fit per workload with load tests, its ceiling and the date the forecast
    busiest-hour rate reaches CEILING_SHARE of it; plus chart series per workload."""
    by_name = {w.name: w for w in workloads}
    rows, charts = [], {}
    for name in sorted(tests):
        files = tests[name]
        row: dict = {"workload": name, "load_tests": ", ".join(p.name for p in files)}
        try:
            points = read_load_tests(files)
            model = USLModel().fit(points["load"], points["throughput"], source=row["load_tests"])
        except ForecasterError as exc:
            row["note"] = f"cannot fit the load tests: {exc}"
            rows.append(row)
            continue
        row.update(
            {
                "points": len(model.load_),
                "sigma": model.sigma_,
                "kappa": model.kappa_,
                "gamma": model.gamma_,
                "r2": model.r2_,
                "ceiling_kind": model.ceiling_kind_,
                "peak_load": model.peak_load_,
                "peak_throughput": model.peak_throughput_,
                "ceiling_share": CEILING_SHARE,
                "explanation": describe(model),
            }
        )
        try:
            reach = workload_ceiling(samples, by_name[name], model, end, CEILING_SHARE)
        except (ForecasterError, ImportError) as exc:
            row["note"] = f"no ceiling date: the load forecast is not available ({exc})"
            row.update(budget_fields(None, points, model, by_name[name], row["load_tests"],
                                     (fits or {}).get(name), files))  # fmt: skip
            rows.append(row)
            continue
        row.update(budget_fields(reach, points, model, by_name[name], row["load_tests"],
                                 (fits or {}).get(name), files))  # fmt: skip
        busiest, average = reach.busiest_hour, reach.daily_average
        row.update(
            {
                "current_peak_rate": busiest.current_rate,
                "ceiling_date": busiest.date,
                "ceiling_date_80_early": busiest.date_80[0],
                "ceiling_date_80_late": busiest.date_80[1],
                "current_daily_average_rate": average.current_rate,
                "daily_average_date": average.date,
                "horizon_end": reach.horizon_end,
                "ceiling_sentence": reach.sentence(),
            }
        )
        if reach.threshold is None:
            row["note"] = "the fitted law has no throughput ceiling to reach"
        elif busiest.date is None and busiest.date_80[0] is None:
            row["note"] = (
                f"the forecast busiest-hour rate stays below {CEILING_SHARE:.0%} of the ceiling "
                f"until {row['horizon_end']}"
            )
        charts[name] = pl.concat(
            [
                busiest.history,
                busiest.forecast.with_columns(pl.lit(None, dtype=pl.Float64).alias("actual")),
            ],
            how="diagonal_relaxed",
        ).with_columns(pl.lit(reach.threshold, dtype=pl.Float64).alias("threshold"))
        rows.append(row)
    schema: dict[str, pl.DataType] = {"workload": pl.String(), "load_tests": pl.String()}
    for col in ("points", "sigma", "kappa", "gamma", "r2"):
        schema[col] = pl.Int64() if col == "points" else pl.Float64()
    schema["ceiling_kind"] = pl.String()
    for col in ("peak_load", "peak_throughput", "ceiling_share", "current_peak_rate"):
        schema[col] = pl.Float64()
    for col in ("ceiling_date", "ceiling_date_80_early", "ceiling_date_80_late"):
        schema[col] = pl.String()
    schema["current_daily_average_rate"] = pl.Float64()
    schema["daily_average_date"] = pl.String()
    schema["horizon_end"] = pl.String()
    schema["ceiling_sentence"] = pl.String()
    schema["explanation"] = pl.String()
    schema["latency_budget"] = pl.String()
    for col in BUDGET_NUMBERS:
        schema[col] = pl.Float64()
    for col in BUDGET_DATES:
        schema[col] = pl.String()
    schema["budget_cost_per_1000"] = pl.Float64()
    schema["budget_cost_currency"] = pl.String()
    schema["latency_explanation"] = pl.String()
    schema["note"] = pl.String()
    note = None if rows else f"no load tests found ({searched})"
    return (
        Table(
            name="scaling",
            title="Scaling ceilings",
            frame=pl.DataFrame(rows, schema=schema),
            kinds=SCALING_KINDS,
            description=(
                "Universal Scalability Law fitted to each workload's load tests: contention "
                "sigma, coherency kappa, throughput at load 1 gamma, the peak load N* and the "
                "peak throughput (per second). The ceiling date is when the forecast busiest "
                f"hour per day (load per second) first reaches {CEILING_SHARE:.0%} of the peak "
                "throughput (mean forecast; 80% band: early and late dates): the busiest hour "
                "is the one that breaks a system. The daily-average date is a second figure "
                "(the day's load per second on average reaches it later); see the glossary. "
                "A workload's latency budget (its workloads file) holds up to the budget load "
                "(95% interval: low, high), where the statistic's curve fitted to the load "
                "test reaches the limit; the budget date is when the same busiest-hour "
                "forecast first reaches the throughput at that load (80% band: early, late); the "
                "cost per 1,000 is the workload's fitted cost curve at that throughput served "
                "all day."
            ),
            note=note,
        ),
        charts,
    )
