"""``forecaster ingest billing``: files into the store, reconciled to the cent.

Other ingest kinds (traffic, CloudWatch, Cost Explorer) register under the same ``ingest``
command through ``INGEST_KINDS``.
"""

from __future__ import annotations

import argparse
import importlib

from forecaster.billing import FORMATS
from forecaster.cli import options
from forecaster.cli.aws_options import add_aws_options, aws_options
from forecaster.cli.common import print_json, store_dir
from forecaster.cli.ingest_engines import add_engine_options, check_local_flags, run_billing_engine
from forecaster.cli.ingest_report import format_report
from forecaster.errors import InputError
from forecaster.ingest import ingest_billing

#: Modules that add an ``ingest <kind>`` sub-command through ``register_kind(kinds)``.
INGEST_KINDS: tuple[str, ...] = (
    "forecaster.cli.ingest_traffic",
    "forecaster.cli.ingest_aws",
    "forecaster.cli.ingest_engines",
)


def register(sub: argparse._SubParsersAction) -> None:
    parser = options.command(sub, "ingest")
    kinds = parser.add_subparsers(dest="kind", metavar="KIND")
    kinds.required = True
    billing = options.command(kinds, "ingest billing")
    billing.add_argument(
        "paths", nargs="+", metavar="PATH", help="files, directories, globs or s3://bucket/prefix/"
    )
    billing.add_argument("--format", default="auto", choices=FORMATS)
    options.store_as(billing, None, "the format, e.g. 'focus'")
    options.replace(
        billing, " (rows only carried by files of other periods, or under half the stored rows)"
    )
    options.store(billing)
    options.json_output(billing)
    add_aws_options(billing)  # for s3:// paths (CUR 2.0 Data Exports)
    add_engine_options(billing)  # --engine spark and what its rollup keeps
    billing.set_defaults(func=run_billing)
    for name in INGEST_KINDS:
        importlib.import_module(name).register_kind(kinds)


def run_billing(args: argparse.Namespace) -> int:
    if args.engine != "local":
        return run_billing_engine(args)
    check_local_flags(args)
    s3 = [p for p in args.paths if str(p).startswith("s3://")]
    if s3:
        return run_billing_s3(args, s3, [p for p in args.paths if p not in s3])
    report = ingest_billing(
        args.paths,
        store_dir(args),
        fmt=args.format,
        source=args.store_as,
        replace=frozenset(args.replace),
    )
    if args.json:
        print_json(report.as_dict())
    else:
        print(format_report(report))
    return 0


def run_billing_s3(args: argparse.Namespace, uris: list[str], local: list[str]) -> int:
    """``ingest billing s3://bucket/prefix/``: CUR 2.0 Data Exports, by manifest."""
    from forecaster.aws.s3_cur import ingest_s3

    if local:
        raise InputError(
            f"mix of S3 and local paths ({local[0]}); ingest them in separate commands"
        )
    reports = [
        ingest_s3(
            uri, store_dir(args), fmt=args.format, source=args.store_as, options=aws_options(args)
        )
        for uri in uris
    ]
    if args.json:
        print_json(reports[0].as_dict() if len(reports) == 1 else [r.as_dict() for r in reports])
        return 0
    for report in reports:
        for m in report.manifests:
            print(f"{m['period']}  {m['files']} file(s)  {m['action']}  ({m['manifest']})")
        if report.billing:
            print(format_report(report.billing))
    return 0
