"""``forecaster review``: the monthly cost review pack (XLSX, CSV, HTML, PDF)."""

from __future__ import annotations

import argparse
from datetime import UTC, datetime
from pathlib import Path

from forecaster import format as fmt
from forecaster.cli import options
from forecaster.cli.common import print_json, store_dir
from forecaster.errors import InputError
from forecaster.inputs import inputs_doc, inputs_line, named
from forecaster.review import FORMATS, build_review, parse_formats, write_review

DEFAULT_OUT = "reviews"


def register(sub: argparse._SubParsersAction) -> None:
    p = options.command(sub, "review")
    p.add_argument("--month", required=True, metavar="YYYY-MM", help="billing month to review")
    options.store(p)
    p.add_argument(
        "--out",
        type=Path,
        default=Path(DEFAULT_OUT),
        metavar="DIR",
        help=f"output directory (default: {DEFAULT_OUT}); files are review-YYYY-MM.*",
    )
    p.add_argument(
        "--formats",
        default=",".join(FORMATS),
        help=f"comma-separated subset of {','.join(FORMATS)} (default: all)",
    )
    p.add_argument(
        "--budget", type=Path, metavar="FILE", help="budget CSV: month,currency,amount[,measure]"
    )
    options.named_input(p, "workloads", "workloads TOML", "no workload sections")
    options.named_input(
        p,
        "loadtests",
        "directory of load tests named <workload>*.csv|json",
        "no scaling section",
        type=Path,
        metavar="DIR",
    )
    p.add_argument(
        "--since",
        metavar="ISO",
        help="list restatements recorded from this time on (default: the start of --month)",
    )
    options.sources(p)
    p.add_argument(
        "--tag",
        action="append",
        metavar="KEY",
        help="break the cost down by this tag key (repeatable; default: the tag keys the "
        "workloads filter on)",
    )
    options.named_input(p, "scenarios", "TCO scenarios TOML", "the baseline alone")
    p.add_argument("--horizon", type=int, default=None, help="TCO months, 12 to 36")
    options.json_output(p, help="print the files and headline as JSON")
    p.set_defaults(func=run)


def _since(text: str | None) -> datetime | None:
    if text is None:
        return None
    try:
        value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise InputError(
            f"--since {text!r}: expected an ISO date or time, e.g. 2026-10-01"
        ) from None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value


def run(args: argparse.Namespace) -> int:
    formats = parse_formats(args.formats)
    workloads, tests = named("workloads", args.workloads), named("loadtests", args.loadtests)
    scenarios = named("scenarios", args.scenarios)
    if len(tests.paths) > 1:
        raise InputError(f"load tests: one directory expected, got {tests.describe()}")
    pack = build_review(
        store_dir(args),
        args.month,
        workloads_path=workloads.path,
        budget_path=args.budget,
        loadtest_dir=tests.path,
        since=_since(args.since),
        sources=args.source,
        tag_keys=args.tag,
        scenarios_path=scenarios.path,
        tco_horizon=args.horizon,
    )
    files = write_review(pack, args.out, formats)
    used = (workloads, scenarios, tests)
    if args.json:
        doc = {**pack.summary(), "inputs": inputs_doc(store_dir(args), *used)}
        print_json({**doc, "files": [str(f) for f in files]})
        return 0
    print(f"Cost review {fmt.month_text(pack.month)}: {len(files)} file(s) in {args.out}")
    print(f"  {inputs_line(store_dir(args), *used)}")
    for row in pack.tables["headline"].frame.iter_rows(named=True):
        if row["measure"] != "EffectiveCost":
            continue
        cur = row["currency"]
        change = (
            ""
            if row["change"] is None
            else f", {fmt.signed_money(row['change'], cur)} "
            f"({fmt.signed_percent(row['change_ratio'])}) on "
            f"{fmt.month_text(pack.previous_month)}"
        )
        print(f"  effective cost {fmt.money(row['this_month'], cur)}{change}")
    for section, reason in pack.unavailable.items():
        print(f"  {pack.tables[section].title if section in pack.tables else section}: "
              f"not available: {reason}")  # fmt: skip
    for f in files:
        print(f"  {f}")
    return 0
