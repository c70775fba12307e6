"""``forecaster ingest cloudwatch`` and ``forecaster ingest cost-explorer``."""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, date, datetime

from forecaster.cli import options
from forecaster.cli.aws_options import add_aws_options, aws_options
from forecaster.cli.common import print_json, store_dir
from forecaster.cli.ingest_report import format_report
from forecaster.cli.ingest_traffic import format_traffic_report
from forecaster.errors import InputError


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date YYYY-MM-DD") from None


def _instant(text: str) -> datetime:
    """YYYY-MM-DD (midnight UTC) or an ISO timestamp (no zone: UTC)."""
    try:
        value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a date YYYY-MM-DD or a timestamp YYYY-MM-DDTHH:MM"
        ) from None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def register_kind(kinds: argparse._SubParsersAction) -> None:
    cw = options.command(kinds, "ingest cloudwatch")
    options.named_input(cw, "workloads", "workloads TOML")
    cw.add_argument("--start", required=True, type=_instant, help="YYYY-MM-DD[THH:MM] (UTC)")
    cw.add_argument("--end", default=None, type=_instant, help="exclusive (default: now)")
    add_aws_options(cw)
    options.store(cw)
    options.json_output(cw)
    cw.set_defaults(func=run_cloudwatch)

    ce = options.command(kinds, "ingest cost-explorer")
    ce.add_argument("--start", required=True, type=_date, help="YYYY-MM-DD")
    ce.add_argument("--end", required=True, type=_date, help="YYYY-MM-DD (exclusive)")
    ce.add_argument("--granularity", default="DAILY", type=str.upper, choices=["DAILY", "MONTHLY"])
    ce.add_argument(
        "--group-by",
        default="SERVICE,LINKED_ACCOUNT",
        help="up to two of SERVICE, LINKED_ACCOUNT, REGION, USAGE_TYPE, RECORD_TYPE, TAG:<key> "
        "(default SERVICE,LINKED_ACCOUNT)",
    )
    ce.add_argument("--no-cache", action="store_true", help="request every month again")
    ce.add_argument("--dry-run", action="store_true", help="print the plan, request nothing")
    add_aws_options(ce)
    options.store(ce)
    options.json_output(ce)
    ce.set_defaults(func=run_cost_explorer)


def run_cloudwatch(args: argparse.Namespace) -> int:
    from forecaster.aws.cloudwatch import ingest_cloudwatch
    from forecaster.workloads import load_workloads

    workloads = load_workloads(args.workloads)
    end = args.end or datetime.now(UTC)
    report = ingest_cloudwatch(workloads, store_dir(args), args.start, end, aws_options(args))
    if args.json:
        print_json(report.as_dict())
        return 0
    print(
        f"CloudWatch {report.start:%Y-%m-%dT%H:%M}..{report.end:%Y-%m-%dT%H:%M}Z: "
        f"{len(report.metrics)} metric(s), {report.requests} GetMetricData request(s)"
    )
    for m in report.metrics:
        print(f"  {m['metric']:<28} {m['cloudwatch']:<60} {m['datapoints']:>8,} data points")
    if report.load:
        print(format_traffic_report(report.load))
    for note in report.notes:
        print(f"note: {note}")
    return 0


def run_cost_explorer(args: argparse.Namespace) -> int:
    from forecaster.aws.cost_explorer import PRICE_PER_REQUEST_USD, ingest_cost_explorer

    if args.end <= args.start:
        raise InputError(f"--end {args.end} must be after --start {args.start}")
    kwargs = dict(
        store_dir=store_dir(args),
        start=args.start,
        end=args.end,
        granularity=args.granularity,
        group_by=args.group_by,
        options=aws_options(args),
        use_cache=not args.no_cache,
    )
    plan = ingest_cost_explorer(**kwargs, dry_run=True)
    print(f"plan: {plan.plan.describe()}", file=sys.stderr)
    if args.dry_run:
        if args.json:
            print_json(plan.as_dict())
        return 0
    report = ingest_cost_explorer(**kwargs)
    if args.json:
        print_json(report.as_dict())
        return 0
    print(
        f"made {report.requests} Cost Explorer request(s) "
        f"(USD {report.requests * PRICE_PER_REQUEST_USD:.2f}); "
        f"{len(report.plan.cached)} month(s) from the cache"
    )
    if report.billing:
        print(format_report(report.billing))
    for m in report.months:
        if m.get("note"):
            print(f"{m['month']}: {m['note']}")
    return 0
