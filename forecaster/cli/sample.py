"""``forecaster sample``: write (and optionally ingest) the bundled, deterministic sample."""

from __future__ import annotations

import argparse

from forecaster.cli import options
from forecaster.cli.common import print_json
from forecaster.sample import write_sample


def register(sub: argparse._SubParsersAction) -> None:
    parser = options.command(sub, "sample")
    parser.add_argument(
        "--out", default="data/sample", help="directory to write (default data/sample)"
    )
    parser.add_argument(
        "--store", default=None, help="also ingest the sample into this store directory"
    )
    options.json_output(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    summary = write_sample(args.out, args.store)
    if args.json:
        print_json(summary)
    else:
        print(
            f"wrote the sample to {summary['out']}: {summary['billing_rows']:,} billing rows over "
            f"{summary['months']} months, workloads {', '.join(summary['workloads'])}"
        )
        if args.store:
            print(
                f"ingested into {args.store}: {summary['ingested_periods']} period(s); traffic {summary['traffic']}"
            )
    return 0
