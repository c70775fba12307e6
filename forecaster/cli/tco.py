"""``forecaster tco``: cost forecasts with bands and total cost of ownership per scenario."""

from __future__ import annotations

import argparse

from forecaster import format as fmt
from forecaster.cli import options
from forecaster.cli.common import print_json, store_dir
from forecaster.inputs import check_sources, inputs_doc, inputs_line, named
from forecaster.tco.result import ScenarioResult
from forecaster.tco.run import run_tco
from forecaster.tco.scenarios import MONTE_CARLO_PATHS, MONTE_CARLO_SEED


def register(sub: argparse._SubParsersAction) -> None:
    parser = options.command(sub, "tco")
    options.named_input(parser, "scenarios", "TCO scenarios TOML", "the baseline alone")
    parser.add_argument("--horizon", type=int, default=None, help="months, 12 to 36")
    options.named_input(parser, "workloads", "workloads TOML")
    parser.add_argument(
        "--samples", type=int, default=None, help=f"Monte Carlo paths (default {MONTE_CARLO_PATHS})"
    )
    parser.add_argument(
        "--seed", type=int, default=None, help=f"Monte Carlo seed (default {MONTE_CARLO_SEED})"
    )
    options.sources(parser)
    options.store(parser)
    options.json_output(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    check_sources(store_dir(args), args.source)
    workloads, scenarios = named("workloads", args.workloads), named("scenarios", args.scenarios)
    result = run_tco(
        store_dir(args),
        workloads.path,
        scenarios.path,
        horizon_months=args.horizon,
        samples=args.samples,
        seed=args.seed,
        sources=args.source,
    )
    if args.json:
        print_json(
            {**result.as_dict(), "inputs": inputs_doc(store_dir(args), workloads, scenarios)}
        )
        return 0
    months = result.months
    print(inputs_line(store_dir(args), workloads, scenarios))
    print(
        f"{result.horizon_months} months from {months[0]} to {months[-1]}, "
        f"{result.samples:,} Monte Carlo paths (seed {result.seed}), NPV at "
        f"{result.discount_rate:.1%} a year"
    )
    if not result.workloads_used:
        print("no workloads file: the whole bill is forecast by time (effective cost)")
    for c in result.currencies:
        cur = c.currency
        what = "the bill" if not result.workloads_used else "cost no workload claims"
        print(f"\nMoney in {cur}  ({what}: {c.by_time.method})")
        print(f"  {'scenario':<24} {'TCO median':>16} {'80% range (P10 to P90)':>29} "
              f"{'NPV median':>14} {'NPV saving':>14}  break-even")  # fmt: skip
        for s in c.scenarios:
            cum, npv = s.cumulative, s.npv
            even = s.break_even_month or ("-" if s.break_even_probability is None else "never")
            print(
                f"  {s.name[:24]:<24} {fmt.money(cum.p50, cur, 0):>16} "
                f"{fmt.money(cum.p10, None, 0):>14} to {fmt.money(cum.p90, None, 0):<11} "
                f"{fmt.money(npv.p50, None, 0):>14} "
                f"{fmt.money(s.npv_saving_vs_baseline.p50, None, 0):>14}  {even}"
            )
    print_scenarios(result.currencies[0].scenarios if result.currencies else ())
    for c in result.currencies:
        for s in c.scenarios:
            for note in s.notes:
                print(f"  {s.name} ({c.currency}): {note}")
    if result.time_only is not None:
        print_time_only(result.as_dict()["time_only"])
    return 0


def print_scenarios(scenarios: tuple[ScenarioResult, ...]) -> None:
    """What each scenario changes, in the registry's words (``Scenario.describe``)."""
    if len(scenarios) > 1 or scenarios and scenarios[0].name != "baseline":
        print("\nScenarios")
        for s in scenarios:
            print(f"  {s.name}: {s.description}")


def print_time_only(doc: dict, months: int = 12) -> None:
    """The bill's time-only forecast per provider, service and account: the next
    ``months`` months added up."""
    months = min(months, doc["months"] or months)
    print(f"\nForecast by time, next {months} months ({doc['levels']})")
    for c in doc["currencies"]:
        cur = c["currency"]
        for dim, part in {"total": {"groups": [c["total"]], "rest_holds": 0}, **c["by"]}.items():
            print(f"\n  {cur} by {dim}" if dim != "total" else f"\n  {cur} in total")
            for g in part["groups"]:
                rows = (g.get("monthly") or [])[:months]
                if not rows:
                    print(f"    {g['group'][:44]:<44} {g['reason']}")
                    continue
                p = {k: sum(m[k]["amount"] for m in rows) for k in ("p10", "p50", "p90")}
                label = g["group"]
                if label == "the rest":
                    label = f"the rest ({part['rest_holds']} more)"
                print(f"    {label[:44]:<44} P50 {p['p50']:>14,.2f}  "
                      f"P10 {p['p10']:>14,.2f}  P90 {p['p90']:>14,.2f} {cur}")  # fmt: skip
