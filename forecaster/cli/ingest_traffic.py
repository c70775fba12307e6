"""``forecaster ingest traffic``: traffic files (CSV/Parquet, wide or long) into the load store."""

from __future__ import annotations

import argparse

from forecaster.cli import options
from forecaster.cli.common import print_json, store_dir
from forecaster.load import LoadIngestReport, ingest_traffic


def register_kind(kinds: argparse._SubParsersAction) -> None:
    parser = options.command(kinds, "ingest traffic")
    parser.add_argument("paths", nargs="+", metavar="PATH", help="files, directories or globs")
    parser.add_argument("--metric", default=None, help="metric name for a wide file")
    parser.add_argument("--unit", default=None, help="unit, e.g. requests, GB, percent")
    options.store_as(parser, "file", "file")
    options.store(parser)
    options.json_output(parser)
    parser.set_defaults(func=run)


def format_traffic_report(report: LoadIngestReport) -> str:
    lines = [
        f"{'source':<12} {'metric':<28} {'month':<8} {'rows':>9} {'added':>9} {'changed':>9} action"
    ]
    for p in report.partitions:
        lines.append(
            f"{p.source:<12} {p.metric:<28} {p.month:<8} {p.rows:>9,} {p.added:>9,} "
            f"{p.changed:>9,} {p.action}"
        )
    for f in report.files:
        skipped = f.get("blank_values_skipped")
        if skipped:
            lines.append(f"{f['file']}: skipped {skipped} blank value(s)")
    return "\n".join(lines)


def run(args: argparse.Namespace) -> int:
    report = ingest_traffic(
        args.paths, store_dir(args), metric=args.metric, unit=args.unit, source=args.store_as
    )
    if args.json:
        print_json(report.as_dict())
    else:
        print(format_traffic_report(report))
    return 0
