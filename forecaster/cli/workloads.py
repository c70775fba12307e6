"""``forecaster workloads``: each workload's cost joined with its load, coverage, and the
cost no workload claims."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

import polars as pl

from forecaster.cli import options
from forecaster.cli.common import print_json, store_dir
from forecaster.errors import InputError
from forecaster.inputs import check_sources, inputs_doc, inputs_line, named
from forecaster.load import GRAINS
from forecaster.workloads import (
    Workload,
    coverage,
    load_workloads,
    unclaimed_cost,
    workload_series,
)

PERIOD_FORMAT = {"hour": "%Y-%m-%d %H:00", "day": "%Y-%m-%d", "month": "%Y-%m"}


def register(sub: argparse._SubParsersAction) -> None:
    parser = options.command(sub, "workloads")
    options.named_input(parser, "workloads", "workloads TOML")
    parser.add_argument("--grain", default="day", choices=list(GRAINS))
    options.sources(parser, ", e.g. when Cost Explorer and CUR cover the same months")
    parser.add_argument(
        "--limit",
        type=int,
        default=12,
        help="text output: the last N periods per workload (0: all; default 12)",
    )
    options.store(parser)
    options.json_output(parser)
    parser.set_defaults(func=run)
    actions = parser.add_subparsers(dest="action", metavar="ACTION")
    suggest = options.command(actions, "workloads suggest")
    suggest.add_argument(
        "--by", default="service", help="tag:KEY, account or service (default: service)"
    )
    suggest.add_argument("--top", type=int, default=5, help="largest groups proposed (5)")
    suggest.add_argument("--out", type=Path, default=None, help="write the TOML here")
    options.sources(suggest)
    options.store(suggest)
    options.json_output(suggest)
    suggest.set_defaults(func=run_suggest)


def _records(frame: pl.DataFrame) -> list[dict[str, Any]]:
    out = frame.with_columns(
        pl.col(c).dt.strftime("%Y-%m-%dT%H:%M:%SZ")
        for c, t in frame.schema.items()
        if isinstance(t, pl.Datetime)
    )
    out = out.with_columns(
        pl.col(c).list.eval(pl.element().dt.strftime("%Y-%m-%dT%H:%M:%SZ"))
        for c, t in frame.schema.items()
        if isinstance(t, pl.List) and isinstance(t.inner, pl.Datetime)
    )
    return out.to_dicts()


def build_report(store, workloads: list[Workload], grain: str, sources=None) -> dict[str, Any]:
    """The command's result as plain data (also what ``--json`` prints)."""
    series = workload_series(store, workloads, grain, sources=sources)
    cover = {row["workload"]: row for row in _records(coverage(series))}
    unclaimed = unclaimed_cost(store, workloads, grain, sources=sources)
    items = []
    for w in workloads:
        mine = series.filter(pl.col("workload") == w.name).drop("workload")
        items.append(
            {
                "name": w.name,
                "description": w.description,
                "currency": mine["currency"].drop_nulls().first() if mine.height else w.currency,
                "load": {
                    "metric": w.load.metric,
                    "unit": w.load.unit,
                    "aggregation": w.load.aggregation,
                },
                "share": w.cost.share,
                "coverage": cover.get(w.name, {"periods": 0, "both": 0}),
                "series": _records(mine),
            }
        )
    return {"grain": grain, "workloads": items, "unclaimed": _records(unclaimed)}


def _num(value: float | None, width: int) -> str:
    return f"{'-':>{width}}" if value is None else f"{value:>{width},.2f}"


def format_workloads_report(report: dict[str, Any], limit: int) -> str:
    fmt = PERIOD_FORMAT[report["grain"]]
    lines: list[str] = []
    for w in report["workloads"]:
        c, load = w["coverage"], w["load"]
        lines.append(f"{w['name']}" + (f"  ({w['description']})" if w["description"] else ""))
        lines.append(
            f"  cost: EffectiveCost {w['currency'] or '-'} x share {w['share']:g}; load: "
            f"{load['metric']} ({load['unit'] or 'no unit'}, {load['aggregation']})"
        )
        lines.append(
            f"  coverage: {c['periods']} period(s), {c['both']} with cost and load, "
            f"{c.get('cost_only', 0)} cost only, {c.get('load_only', 0)} load only"
        )
        rows = w["series"][-limit:] if limit > 0 else w["series"]
        if rows:
            lines.append(f"  {'period':<16} {'cost':>14} {'load':>18} {'cost per 1k load':>17}")
        for r in rows:
            period = pl.Series([r["period_start"]]).str.to_datetime().dt.strftime(fmt)[0]
            unit_cost = (
                r["cost"] / r["load"] * 1000 if r["cost"] is not None and r["load"] else None
            )
            lines.append(
                f"  {period:<16} {_num(r['cost'], 14)} {_num(r['load'], 18)} {_num(unit_cost, 17)}"
            )
        lines.append("")
    lines.append("cost no workload claims (EffectiveCost):")
    lines.append(f"  {'period':<16} {'cur':<4} {'total':>14} {'claimed':>14} {'unclaimed':>14}")
    rows = report["unclaimed"][-limit:] if limit > 0 else report["unclaimed"]
    for r in rows:
        period = pl.Series([r["period_start"]]).str.to_datetime().dt.strftime(fmt)[0]
        lines.append(
            f"  {period:<16} {r['currency']:<4} {_num(r['total_cost'], 14)} "
            f"{_num(r['claimed_cost'], 14)} {_num(r['unclaimed_cost'], 14)}"
        )
    return "\n".join(lines)


def run(args: argparse.Namespace) -> int:
    check_sources(store_dir(args), args.source)
    chosen = named("workloads", args.workloads)
    workloads = load_workloads(chosen.path)
    report = build_report(store_dir(args), workloads, args.grain, sources=args.source)
    report["inputs"] = inputs_doc(store_dir(args), chosen)
    if args.json:
        print_json(report)
    else:
        print(inputs_line(store_dir(args), chosen))
        print(format_workloads_report(report, args.limit))
    return 0


def suggestion_doc(suggestions: list, by: str) -> dict[str, Any]:
    """The suggestions as plain data (``--json``), money as amount + currency."""
    return {"by": by, "workloads": [s.to_dict() for s in suggestions]}


def write_suggestion(suggestions: list, by: str, store, out: Path) -> list[Path]:
    """Write the TOML (checked by the workloads parser) and each proxy's daily series beside
    it, each through a temporary file; returns the paths written."""
    import tomllib

    from forecaster.workloads import parse_workloads
    from forecaster.workloads.suggest import suggestion_toml

    if out.suffix.lower() != ".toml":
        raise InputError(f"--out {out}: expected a .toml file name")
    if not out.parent.exists():
        raise InputError(f"--out {out}: directory {out.parent} does not exist")
    text = suggestion_toml(suggestions, by, store)
    parse_workloads(tomllib.loads(text), str(out))  # what we write, the reader accepts
    written = []
    for s in suggestions:
        if s.driver is not None and s.driver.proxy and s.driver.series is not None:
            path = out.parent / f"{s.driver.metric}.csv"
            tmp = path.with_name(path.name + ".tmp")
            s.driver.series.write_csv(tmp, datetime_format="%Y-%m-%dT%H:%M:%SZ")
            tmp.replace(path)
            written.append(path)
    tmp = out.with_name(out.name + ".tmp")
    tmp.write_text(text)
    tmp.replace(out)
    return [out, *written]


def run_suggest(args: argparse.Namespace) -> int:
    from forecaster.workloads.suggest import suggest_workloads, suggestion_toml

    store = store_dir(args)
    suggestions = suggest_workloads(store, args.by, args.top, args.source)
    written = write_suggestion(suggestions, args.by, store, args.out) if args.out else []
    if args.json:
        doc = suggestion_doc(suggestions, args.by)
        doc["written"] = [str(p) for p in written]
        print_json(doc)
        return 0
    if not args.out:
        print(suggestion_toml(suggestions, args.by, store))
        return 0
    for s in suggestions:
        d = s.driver
        how = (
            "no driver"
            if d is None
            else f"{d.metric} (PROXY from the bill)"
            if d.proxy
            else f"{d.metric} (daily moves correlate {d.score:.2f})"
        )
        print(f"{s.name:<28} {s.cost:>16,.2f} {s.currency}  load: {how}")
    print("wrote " + ", ".join(str(p) for p in written))
    return 0
