"""``ingest billing --engine spark`` and ``ingest athena``: the rollup where the bill sits.

Both store rollup partitions (see forecaster/engines/rollup.py) under the same rules as a
local ingest; the flags here say what the rollup keeps beyond its standard dimensions.
"""

from __future__ import annotations

import argparse
import re

from forecaster.cli import options
from forecaster.cli.common import print_json, store_dir
from forecaster.engines import ENGINES
from forecaster.engines.rollup import DROPPABLE, GRAINS, RollupSpec
from forecaster.errors import InputError

ROLLUP_FLAGS = ("keep_tag", "keep", "grain", "workloads_tags")


def add_rollup_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("rollup (engines other than local)")
    group.add_argument(
        "--keep-tag",
        action="append",
        default=[],
        metavar="KEY",
        help="keep this tag key in the rollup (repeatable); workloads may filter on kept tags only",
    )
    group.add_argument(
        "--keep",
        action="append",
        default=[],
        metavar="COLUMN",
        choices=DROPPABLE,
        help=f"keep a column the rollup drops (repeatable): {', '.join(DROPPABLE)}",
    )
    group.add_argument(
        "--keep-workload-tags",
        dest="workloads_tags",
        default=None,
        metavar="WORKLOADS_FILE",
        help="keep every tag key this workloads file filters on",
    )
    group.add_argument(
        "--grain",
        default="day",
        choices=GRAINS,
        help="charge period grain of the rollup (default day)",
    )


def add_engine_options(parser: argparse.ArgumentParser) -> None:
    """``--engine`` and the Spark and rollup flags of ``ingest billing``."""
    parser.add_argument(
        "--engine",
        default="local",
        choices=ENGINES,
        help="where the work runs: local (polars, line items; the default) or spark (a rollup)",
    )
    parser.add_argument(
        "--spark-master",
        default=None,
        metavar="URL",
        help="local[N], spark://host:7077, yarn or sc://host:15002 (Spark Connect); default: "
        "SPARK_REMOTE or the environment's session",
    )
    add_rollup_options(parser)


def rollup_spec(args: argparse.Namespace) -> RollupSpec:
    """The RollupSpec the flags name (workload tag keys from the file, when named)."""
    tags = list(args.keep_tag)
    if args.workloads_tags:
        from forecaster.workloads import load_workloads

        for workload in load_workloads(args.workloads_tags):
            tags.extend(key for key, _ in workload.cost.tags)
        for workload in load_workloads(args.workloads_tags):
            if workload.cost.resource_ids and "ResourceId" not in args.keep:
                args.keep.append("ResourceId")
    return RollupSpec(tags=tuple(tags), keep=tuple(args.keep), grain=args.grain)


def check_local_flags(args: argparse.Namespace) -> None:
    if args.spark_master:
        raise InputError("--spark-master applies to --engine spark")
    if args.keep_tag or args.keep or args.workloads_tags or args.grain != "day":
        raise InputError(
            "--keep-tag, --keep, --keep-workload-tags and --grain shape a rollup "
            "(--engine spark or ingest athena); the local engine stores every line item"
        )


def print_engine_report(args: argparse.Namespace, report, run) -> None:
    from forecaster.cli.ingest_report import format_report

    if args.json:
        out = report.as_dict()
        out["engine"] = {
            "engine": run.engine,
            "rollup": run.spec.describe(),
            "queries": run.queries,
            **run.details,
        }
        print_json(out)
        return
    print(format_report(report))
    spec = run.spec.describe()
    kept = ", ".join(spec["kept_tags"]) or "none"
    print(
        f"engine {run.engine}: rollup by {spec['grain']}; tags kept: {kept}; dropped: "
        f"{', '.join(spec['dropped_columns']) or 'nothing'}; the query text is in each "
        "partition's manifest"
    )


def run_billing_engine(args: argparse.Namespace) -> int:
    """``ingest billing --engine spark PATH...``."""
    from forecaster.engines.commit import commit_run
    from forecaster.engines.spark import run_spark

    spec = rollup_spec(args)
    run = run_spark(args.paths, spec, fmt=args.format, master=args.spark_master)
    source = args.store_as or "+".join(sorted(run.formats))
    report = commit_run(run, store_dir(args), source, replace=frozenset(args.replace))
    print_engine_report(args, report, run)
    return 0


_PERIOD = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


def _period(text: str) -> str:
    if not _PERIOD.match(text):
        raise argparse.ArgumentTypeError(f"{text!r} is not a billing period YYYY-MM")
    return text


def register_kind(kinds: argparse._SubParsersAction) -> None:
    from forecaster.cli.aws_options import add_aws_options

    athena = options.command(kinds, "ingest athena")
    athena.add_argument("--database", required=True, help="Glue / Athena database")
    athena.add_argument("--table", required=True, help="the export's table")
    athena.add_argument("--workgroup", default=None, help="Athena workgroup (default: primary)")
    athena.add_argument(
        "--output",
        default=None,
        metavar="S3_URI",
        help="query result location s3://bucket/prefix/ (default: the workgroup's)",
    )
    athena.add_argument(
        "--catalog", default="AwsDataCatalog", help="data catalog (default AwsDataCatalog)"
    )
    athena.add_argument(
        "--period",
        action="append",
        default=[],
        type=_period,
        metavar="YYYY-MM",
        help="only these billing periods (repeatable; default: every period in the table)",
    )
    athena.add_argument(
        "--timeout", type=float, default=1800.0, help="seconds to wait for the query (1800)"
    )
    options.store_as(athena, None, "athena")
    options.replace(athena)
    add_rollup_options(athena)
    add_aws_options(athena)
    options.store(athena)
    options.json_output(athena)
    athena.set_defaults(func=run_athena)


def run_athena(args: argparse.Namespace) -> int:
    from forecaster.cli.aws_options import aws_options
    from forecaster.engines.athena import AthenaTarget, run_athena_rollup
    from forecaster.engines.commit import commit_run

    spec = rollup_spec(args)
    target = AthenaTarget(
        database=args.database,
        table=args.table,
        catalog=args.catalog,
        workgroup=args.workgroup,
        output=args.output,
        periods=tuple(args.period),
        timeout=args.timeout,
    )
    run = run_athena_rollup(target, spec, aws_options(args))
    if not args.json:
        d = run.details
        print(
            f"Athena query {d['query_id']}: {d['data_scanned_bytes']:,} bytes scanned, "
            f"USD {d['cost_usd']:.4f} at USD {d['price_per_tb_usd']:.2f} per TB "
            f"({d['engine_ms']:,} ms in the engine)"
        )
    report = commit_run(
        run, store_dir(args), args.store_as or "athena", replace=frozenset(args.replace)
    )
    print_engine_report(args, report, run)
    return 0
