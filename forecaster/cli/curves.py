"""``forecaster curves``: fit cost against load and report the findings.

Store mode (default): ``forecaster curves [--workloads FILE] [--store DIR] [--json]`` fits
every workload of the workloads file on the store's cost and load.
Store-free mode: ``forecaster curves --cost COST.csv --load LOAD.csv [--json]`` fits one
workload from two ``timestamp,value`` CSV files. The output is
``{"workloads": [<fit_workload object>]}`` with ``--json``, a short report otherwise.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from forecaster import format as fmt
from forecaster.cli import options
from forecaster.cli.common import print_json, store_dir
from forecaster.curves import fit_workload, join_cost_load, read_series_csv
from forecaster.curves.inputs import MIN_POINTS
from forecaster.errors import InputError
from forecaster.inputs import check_sources, inputs_doc, inputs_line, named
from forecaster.portfolio import curves_report, fit_store_workloads
from forecaster.waste import DRIFT_BASIS, monthly_waste


def register(sub: argparse._SubParsersAction) -> None:
    p = options.command(sub, "curves")
    options.named_input(p, "workloads", "workloads TOML, store mode")
    options.sources(p)
    options.store(p)
    p.add_argument("--cost", type=Path, help="cost CSV (timestamp,value), one row per period")
    p.add_argument("--load", type=Path, help="load CSV (timestamp,value), any finer grain")
    p.add_argument("--name", help="workload name (default: the cost file's stem)")
    p.add_argument("--grain", choices=("hour", "day", "month"), help="period (default: from cost)")
    p.add_argument(
        "--load-agg",
        choices=("sum", "mean"),
        default="sum",
        help="how finer load points add up to a period: sum (counts) or mean (gauges)",
    )
    p.add_argument("--model", choices=("auto", "linear", "power", "step"), default="auto")
    p.add_argument("--loss", choices=("huber", "linear"), default="huber")
    p.add_argument("--bootstrap", type=int, default=200, metavar="N", help="resamples (200)")
    p.add_argument("--seed", type=int, default=0, help="bootstrap seed (0)")
    options.json_output(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    if args.bootstrap < 0:
        raise InputError(f"--bootstrap {args.bootstrap}: expected 0 or more resamples")
    if (args.cost is None) != (args.load is None):
        raise InputError("curves needs both --cost FILE and --load FILE, or neither (store mode)")
    if args.cost is None:
        return run_store(args)
    frame, grain = join_cost_load(
        read_series_csv(args.cost, "cost", MIN_POINTS),
        read_series_csv(args.load, "load", MIN_POINTS),
        args.grain,
        args.load_agg,
    )
    result = fit_workload(
        frame,
        name=args.name or args.cost.stem,
        grain=grain,
        model=args.model,
        loss=args.loss,
        n_boot=args.bootstrap,
        random_state=args.seed,
    )
    doc = {"workloads": [result]}
    if args.json:
        print_json(doc)
    else:
        for w in doc["workloads"]:
            print(format_workload(w))
    return 0


def run_store(args: argparse.Namespace) -> int:
    check_sources(store_dir(args), args.source)
    chosen = named("workloads", args.workloads)
    fits = fit_store_workloads(
        store_dir(args),
        chosen.path,
        grain=args.grain or "day",
        sources=args.source,
        model=args.model,
        loss=args.loss,
        n_boot=args.bootstrap,
        random_state=args.seed,
    )
    doc = curves_report(fits)
    doc["waste"] = {"drift_basis": DRIFT_BASIS, "months": monthly_waste(fits).to_dicts()}
    doc["inputs"] = inputs_doc(store_dir(args), chosen)
    if args.json:
        print_json(doc)
    else:
        print(inputs_line(store_dir(args), chosen))
        for w in doc["workloads"]:
            print(format_workload(w))
            print()
    return 0


def _interval(ci: list[float] | None, show=lambda v: f"{v:,.2f}") -> str:
    """The fitted parameter's range (the curve's 90% range)."""
    return f" (90% range {show(ci[0])} to {show(ci[1])})" if ci else ""


def format_workload(w: dict) -> str:
    """A few readable lines for one workload object (money with currency, unit costs per
    1,000 or per million units, no exponent notation, findings by their labels)."""
    if w["model"] is None:
        return f"{w['name']}: cannot fit: {w['reason']}"
    cur, unit = w.get("currency"), w.get("load_unit") or "load units"

    scale = fmt.unit_scale(w["marginal_cost"])

    def per_unit(v: float) -> str:
        return fmt.unit_cost(v, cur, unit, scale=scale)

    grain = {"day": "days", "hour": "hours", "month": "months"}.get(w["grain"], w["grain"])
    lines = [
        f"{w['name']}: {w['model']} curve, R² {w['r2']:.3f}, {w['n_periods']:,} {grain}",
        f"  fixed cost   {fmt.money(w['fixed_cost_per_day'], cur)} per day"
        + _interval(w["fixed_cost_ci"], lambda v: fmt.money(v, None)),
        f"  marginal     {per_unit(w['marginal_cost'])}"
        + _interval(w.get("marginal_cost_ci"), lambda v: fmt.money(v * scale, None)),
    ]
    if w["exponent"] is not None:
        lines.append(
            f"  exponent     {w['exponent']:.3f}"
            + _interval(w["exponent_ci"], lambda v: f"{v:.3f}")
        )
    if w.get("capacity") is not None:
        lines.append(f"  capacity     {fmt.number(w['capacity'], 4)} {unit} per step")
    for msg in w.get("warnings", []):
        lines.append(f"  warning: {msg}")
    for f in w["findings"]:
        per = "per month" if f["kind"] != "anomaly" else "in the period"
        lines.append(
            f"  - {fmt.label(f['kind'])}: {fmt.money(f['amount_per_month'], cur)} {per}: "
            f"{f['detail']}"
        )
    return "\n".join(lines)
