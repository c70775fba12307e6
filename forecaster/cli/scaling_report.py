"""The text ``forecaster scaling`` prints (``--json`` prints the same document as JSON): the
USL fit with its intervals and ceiling, the latency budgets, and the workload's ceiling date.

The printers only format the document ``forecaster.cli.scaling.analyse`` built; numbers go
through ``forecaster.format`` (never exponent notation), response times through
``format_ms``.
"""

from __future__ import annotations

from typing import Any

from forecaster import format as fmt
from forecaster.format import money, number, percent
from forecaster.scaling.latency_budget import format_ms
from forecaster.scaling.usl import USLModel


def _fmt(value: float | None) -> str:
    if value is None:
        return "-"
    return fmt.number(value, 4)  # never exponent notation


def print_fit(model: USLModel, doc: dict[str, Any]) -> None:
    pct = fmt.interval_name(100 * model.confidence)
    left_out = f" ({len(model.outliers_)} left out as outliers)" if model.outliers_ else ""
    print(f"USL fit of {len(model.load_)} points{left_out} from {', '.join(doc['sources'])}")
    rows = [
        ("sigma", model.sigma_, model.sigma_ci_, "contention (serialized share)"),
        ("kappa", model.kappa_, model.kappa_ci_, "coherency (crosstalk)"),
        ("gamma", model.gamma_, model.gamma_ci_, "throughput at load 1"),
    ]
    for name, value, (lo, hi), meaning in rows:
        print(f"  {name}  {_fmt(value):<12} {pct} {_fmt(lo)} to {_fmt(hi)}  {meaning}")
    print(f"  R^2    {model.r2_:.4f}")
    if model.ceiling_kind_ == "peak":
        ci = model.peak_load_ci_
        span = f" ({pct} {_fmt(ci[0])} to {_fmt(ci[1])})" if ci else ""
        print(
            f"  peak load N* {_fmt(model.peak_load_)}{span}, throughput there {_fmt(model.peak_throughput_)}"
        )
    elif model.ceiling_kind_ == "asymptote":
        print(f"  no peak; throughput limit gamma/sigma = {_fmt(model.peak_throughput_)}")
    print()
    print(doc["explanation"])
    print()
    print(f"  {'load':>10} {'throughput':>12} {'fitted':>12} {'efficiency':>10}")
    for p in doc["points"]:
        print(
            f"  {p['load']:>10g} {_fmt(p['throughput']):>12} {_fmt(p['fitted']):>12} "
            f"{p['efficiency']:>10.3f}"
        )
    if "cost" in doc:
        cost = doc["cost"]
        print(f"\nCost ({cost['basis']}); cost per unit throughput in USD per hour:")
        print(
            f"  {'load':>10} {'throughput':>12} {'USD/hour':>10} {'per unit':>10} {'marginal':>10}"
        )
        for r in cost["by_load"]:
            print(
                f"  {r['load']:>10g} {_fmt(r['throughput']):>12} {_fmt(r['cost_per_hour']):>10} "
                f"{_fmt(r['cost_per_throughput']):>10} {_fmt(r['marginal_cost_per_throughput']):>10}"
            )
        limit = cost["capacity_limit_load"]
        print(f"  cheapest per unit of throughput at load {_fmt(cost['cheapest_load'])}")
        if limit is not None:
            print(f"  beyond load {limit}, more capacity raises cost without raising throughput")
        else:
            print("  no load where capacity stops adding throughput (each unit adds less)")
    if "ceiling_date" in doc:
        measure = doc["ceiling_measure"]
        if doc["ceiling_threshold"] is None:
            print(f"\nCeiling date: the fit has no {measure} ceiling to reach")
        elif doc["ceiling_date"] is None and doc["ceiling_date_80"][0] is None:
            print(
                f"\nCeiling date: the forecast stays below {doc['ceiling_share']:.0%} of the "
                f"{measure} ceiling ({_fmt(doc['ceiling_threshold'])}) until "
                f"{doc['forecast_horizon_end']}"
            )
        else:
            early, late = doc["ceiling_date_80"]
            print(
                f"\nCeiling date: forecast mean reaches {doc['ceiling_share']:.0%} of the "
                f"{measure} ceiling ({_fmt(doc['ceiling_threshold'])}) on "
                f"{doc['ceiling_date'] or 'no date within the horizon'} (80% band: "
                f"{early or '-'} to {late or 'after ' + doc['forecast_horizon_end']})"
            )


def print_latency(latency: dict[str, Any]) -> None:
    think = latency["think_time"]
    print(f"\nLatency budgets (response time against load; budgets from {latency['budgets_from']})")
    if think:
        where = "named with --think-time" if think["source"] == "flag" else "from the data"
        print(f"  think time {format_ms(think['ms'])} per request ({where})")
        if think["varies_with_load"]:
            print(
                f"  note: the think time estimated at each load ranges over "
                f"{format_ms(think['spread_ms'])}: the test's users (or its load generator) did "
                "not pause alike at every load (more than the throughput's noise explains), so the "
                "mean is approximate"
            )
    for b, sentence in zip(latency["budgets"], latency["sentences"], strict=True):
        curve = latency["curves"][b["stat"]]
        lo, hi = b["budget_load_ci"]
        pct = f"{100 * b['confidence']:g}%"
        span = (
            f"{number(lo) if lo else 'load 1'} to "
            f"{number(hi) if hi else 'beyond ' + number(2 * b['measured_top_load'])}"
        )
        unit = f" {latency['load_unit']}" if latency.get("load_unit") else ""
        print(f"  {b['budget']}: curve {curve['model']}, status {b['status']}")
        if b["budget_load"] is not None:
            print(f"    holds up to {number(b['budget_load'])}{unit} ({pct} CI {span})")
        if b["throughput_at_budget"] is not None:
            share = b["usable_share_of_ceiling"]
            print(
                f"    throughput there {number(b['throughput_at_budget'])} per second"
                + (f", {percent(share, 0)} of the ceiling usable" if share is not None else "")
            )
        if b["cost_per_throughput_at_budget"] is not None:
            cur = b["cost_currency"]
            print(
                f"    cost there ({b['cost_basis']}) {money(b['cost_per_hour_at_budget'], cur)} "
                f"per hour, {money(b['cost_per_1000_at_budget'], cur, 4)} per 1,000 served"
            )
        if b["forecast_horizon_end"] is not None:
            early, late = b["budget_date_80"]
            print(
                f"    breaks on {b['budget_date'] or 'no date within the horizon'} (80% band: "
                f"{early or '-'} to {late or 'after ' + b['forecast_horizon_end']})"
            )
        print(f"    {sentence}")


def print_workload_ceiling(doc: dict[str, Any]) -> None:
    c = doc.get("workload_ceiling")
    if c is None:
        return
    print(f"\nCeiling date of {c['workload']} ({c['basis']}, the hour that breaks a system):")
    if c["threshold_per_second"] is None:
        print("  the fit has no throughput ceiling to reach")
        return
    where = (
        f"{c['ceiling_share']:.0%} of the ceiling ({_fmt(c['threshold_per_second'])} per second)"
    )
    if c["ceiling_date"]:
        print(
            f"  the busiest hour reaches {where} on {c['ceiling_date']} (80% interval "
            f"{c['ceiling_date_80_early'] or '-'} to "
            f"{c['ceiling_date_80_late'] or 'after ' + c['horizon_end']})"
        )
    else:
        print(f"  the busiest hour stays below {where} until {c['horizon_end']}")
    avg = c["daily_average_date"]
    print(
        "  second figure, daily average: "
        + (f"reaches it on {avg}" if avg else f"stays below it until {c['horizon_end']}")
    )
