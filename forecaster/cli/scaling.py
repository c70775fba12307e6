"""``forecaster scaling``: where and when the architecture stops scaling (USL fit)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from forecaster import format as fmt
from forecaster.cli import options
from forecaster.cli.common import print_json, store_dir
from forecaster.cli.scaling_report import print_fit, print_latency, print_workload_ceiling
from forecaster.errors import InputError
from forecaster.scaling import ceiling, explain
from forecaster.scaling.budget import (
    budget_outlooks,
    describe_budget,
    rate_words,
    reach_budgets,
    workload_curve_cost,
)
from forecaster.scaling.latency_budget import parse_budget, parse_duration_ms
from forecaster.scaling.loadtest import load_unit, read_load_tests
from forecaster.scaling.usl import USLModel

HELP = """\
Fit Gunther's Universal Scalability Law X(N) = gamma*N / (1 + sigma*(N-1) + kappa*N*(N-1))
to throughput X against load N (users, threads, instances) and report contention sigma,
coherency kappa, gamma, their confidence intervals, R^2 and the peak load N*.

Inputs (format detected from content; give several files or a directory):
  CSV     one row per measurement; columns load,throughput (other names with
          --load-col/--throughput-col; users, vus, instances, rps, ... are recognised)
  k6      end-of-test summaries (--summary-export=FILE.json or handleSummary JSON).
          One summary is ONE point: run one constant-VU test per load level and pass
          all the summaries (or their directory). Load = vus max, throughput =
          http_reqs rate; --load-col/--throughput-col name other metrics (vus_max.value).
  Locust  *_stats_history.csv: the "Aggregated" rows, one point per user count held
          steady (median Requests/s after the first --settle-seconds at each level).

Latency budgets (--latency-budget p95=300ms, several allowed): the highest load at which
each holds, from the statistic's curve against load (mean: Little's law on the fitted law,
R = N/X - Z; percentiles: a monotone curve chosen by AICc), with its interval, the
throughput there, the share of the ceiling it leaves usable, the cost per unit of
throughput at that load (with --cost-per-instance/--cost-curve) and, with --forecast, the
date the budget breaks. With --workload, the workload's latency_budgets (workloads file)
are checked unless --latency-budget is given, against its busiest-hour forecast, and the
cost comes from its fitted cost curve unless a price is given. Latency comes from k6's
http_req_duration, Locust's 50%/90%/95%/99% columns (written with --csv-full-history;
otherwise only the mean is kept), or CSV columns such as latency_p95_ms (unit in the name:
ms, s or us).
"""


def register(sub: argparse._SubParsersAction) -> None:
    p = options.command(
        sub,
        "scaling",
        description=HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument(
        "files", nargs="+", metavar="FILE", help="CSV, k6 JSON, Locust CSV or a directory"
    )
    p.add_argument("--load-col", metavar="NAME", help="load column (CSV) or metric (k6)")
    p.add_argument("--throughput-col", metavar="NAME", help="throughput column or metric")
    options.json_output(p)
    p.add_argument(
        "--confidence", type=float, default=0.95, help="confidence level of the intervals (0.95)"
    )
    p.add_argument(
        "--settle-seconds", type=float, default=15.0,
        help="Locust: seconds a user count must be held before its rows count (15)",
    )  # fmt: skip
    cost = p.add_mutually_exclusive_group()
    cost.add_argument(
        "--cost-per-instance", type=float, metavar="USD_PER_HOUR",
        help="price of one unit of load (load = instances): adds cost per unit of "
        "throughput by load and the load beyond which capacity adds cost, not throughput",
    )  # fmt: skip
    cost.add_argument(
        "--cost-curve", metavar="F,V,K",
        help="the workload's fitted cost curve F + V*N**K in USD per hour, instead",
    )  # fmt: skip
    p.add_argument(
        "--forecast", metavar="FILE.csv", type=Path,
        help="load forecast (timestamp,mean,lo_80,hi_80,lo_95,hi_95): adds the date it "
        "reaches --ceiling-share of the ceiling",
    )  # fmt: skip
    p.add_argument("--ceiling-share", type=float, default=0.8, help="share of the ceiling (0.8)")
    p.add_argument(
        "--workload", metavar="NAME",
        help="the workload (of --workloads) whose load in the store to forecast: adds its ceiling "
        "date (the day its busiest hour reaches --ceiling-share of the ceiling, as the review "
        "pack and the dashboard say; the daily average's date as a second figure), and the "
        "date each latency budget breaks (the workload's latency_budgets in the workloads "
        "file, or --latency-budget)",
    )  # fmt: skip
    p.add_argument("--workloads", metavar="FILE", help="workloads TOML (with --workload)")
    options.store(p)
    p.add_argument(
        "--forecast-measures", choices=("throughput", "load"), default="throughput",
        help="compare the forecast with the throughput ceiling (default) or the peak load N*",
    )  # fmt: skip
    p.add_argument(
        "--forecast-scale", type=float, default=1.0, metavar="FACTOR",
        help="multiply forecast values by FACTOR to match the fitted unit (1/300: per 5 min to per s)",
    )  # fmt: skip
    p.add_argument(
        "--latency-budget", action="append", default=[], metavar="STAT=TIME", type=_budget,
        help="a response-time budget such as p95=300ms or mean=0.2s (mean, p50, p90, p95, "
        "p99, max); repeat for several",
    )  # fmt: skip
    p.add_argument(
        "--think-time", metavar="TIME", type=_duration,
        help="think time per request of the load test's users (0, 500ms, 1s): the mean "
        "response time is N/X - think time; default: estimated from the test's mean latency",
    )  # fmt: skip
    p.set_defaults(func=run)


def _budget(text: str):
    try:
        return parse_budget(text)
    except InputError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from exc


def _duration(text: str) -> float:
    try:
        return parse_duration_ms(text)
    except InputError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from exc


def _cost_fn(args: argparse.Namespace) -> tuple[ceiling.CostFn, str] | None:
    if args.cost_per_instance is not None:
        usd = args.cost_per_instance
        return ceiling.per_instance(usd), f"USD {fmt.number(usd, 4)} per unit of load per hour"
    if args.cost_curve:
        try:
            parts = [float(v) for v in args.cost_curve.split(",")]
        except ValueError:
            parts = []
        if len(parts) not in (2, 3):
            raise InputError(
                f"--cost-curve {args.cost_curve!r}: expected F,V or F,V,K numbers (USD per hour)"
            )
        return ceiling.cost_curve(*parts), f"cost curve {args.cost_curve} (USD per hour)"
    return None


def analyse(args: argparse.Namespace) -> tuple[USLModel, dict[str, Any]]:
    """Read, fit and derive: the model and the JSON document."""
    points = read_load_tests(
        args.files, args.load_col, args.throughput_col, settle_seconds=args.settle_seconds
    )
    sources = sorted(set(points["source"].to_list()))
    label = ", ".join(sources) if len(sources) <= 3 else f"{len(sources)} files"
    model = USLModel(confidence=args.confidence).fit(
        points["load"], points["throughput"], source=label
    )
    doc = model.to_dict()
    doc["sources"] = sources
    doc["explanation"] = explain.describe(model)
    cost = _cost_fn(args)
    if cost is not None:
        doc["cost"] = {"basis": cost[1], **ceiling.cost_summary(model, cost[0])}
    if args.forecast is not None:
        forecast = ceiling.read_load_forecast(args.forecast)
        limit = (
            model.peak_throughput_ if args.forecast_measures == "throughput" else model.peak_load_
        )
        doc.update(ceiling.ceiling_date(forecast, limit, args.ceiling_share, args.forecast_scale))
        doc["ceiling_measure"] = args.forecast_measures
    reach = workload = None
    if args.workload:
        reach, workload = _workload_ceiling(args, model)
        doc["workload_ceiling"] = reach.to_dict()
    budgets = list(args.latency_budget) or list(workload.latency_budgets if workload else [])
    if budgets and reach is not None and args.forecast is None:
        # the workload's ceiling date and its budgets: one engine function, as the pack's
        curve = None if cost else workload_curve_cost(_workload_fit(args, workload), workload.name)  # type: ignore[union-attr]
        results = reach_budgets(reach, points, model, budgets, label, args.think_time,
                                cost[0] if cost else None, curve,
                                load_unit(args.files, args.load_col),
                                rate_words(workload.load.unit))  # type: ignore[union-attr]  # fmt: skip
        _, curves, think = budget_outlooks(points, model, budgets, args.think_time, label)
        outlooks = [o for o, _ in results]
        doc["latency"] = _latency_doc(
            args, workload, think, curves, outlooks, [s for _, s in results]
        )
    elif budgets:
        outlooks, curves, think = budget_outlooks(
            points, model, args.latency_budget, args.think_time, label,
            forecast=forecast if args.forecast is not None else None,
            scale=args.forecast_scale, cost=cost[0] if cost else None,
            measure=args.forecast_measures,
        )  # fmt: skip
        limit = doc if "ceiling_date" in doc else None
        unit = load_unit(args.files, args.load_col)
        sentences = [describe_budget(o, limit, unit) for o in outlooks]
        doc["latency"] = _latency_doc(args, workload, think, curves, outlooks, sentences)
    return model, doc


def _latency_doc(
    args: argparse.Namespace,
    workload: Any,
    think: Any,
    curves: dict[str, Any],
    outlooks: list[Any],
    sentences: list[str],
) -> dict[str, Any]:
    """The ``latency`` part of the JSON: where the budgets came from, the curves, each
    budget's outlook and sentence."""
    return {
        "budgets_from": "--latency-budget"
        if args.latency_budget
        else f"the workloads file ({workload.name})",
        "load_unit": load_unit(args.files, args.load_col),
        "think_time": think.to_dict() if think else None,
        "curves": {stat: curve.to_dict() for stat, curve in curves.items()},
        "budgets": [o.to_dict() for o in outlooks],
        "sentences": sentences,
    }


def _workload_ceiling(args: argparse.Namespace, model: USLModel):
    from forecaster.inputs import named
    from forecaster.load import read_load
    from forecaster.scaling.reach import workload_ceiling
    from forecaster.workloads import load_workloads

    workloads = load_workloads(named("workloads", args.workloads).path)
    chosen = [w for w in workloads if w.name == args.workload]
    if not chosen:
        names = ", ".join(w.name for w in workloads) or "none"
        raise InputError(f"--workload {args.workload!r}: not in the workloads file ({names})")
    reach = workload_ceiling(read_load(store_dir(args)), chosen[0], model, None, args.ceiling_share)
    return reach, chosen[0]


def _workload_fit(args: argparse.Namespace, workload: Any) -> Any:
    """The workload's daily cost curve on the store (as the pack and the dashboard fit it);
    None when the store has no cost for it."""
    from forecaster.errors import ForecasterError
    from forecaster.portfolio import fit_series
    from forecaster.workloads import workload_series

    try:
        series = workload_series(store_dir(args), [workload], "day")
        return fit_series(series, [workload], "day", random_state=0).get(workload.name)
    except ForecasterError:
        return None


def run(args: argparse.Namespace) -> int:
    if args.workload is None and args.workloads is not None:
        raise InputError("--workloads is used with --workload NAME (whose ceiling date to add)")
    model, doc = analyse(args)
    if args.json:
        print_json(doc)
    else:
        print_fit(model, doc)
        if "latency" in doc:
            print_latency(doc["latency"])
        print_workload_ceiling(doc)
    return 0
