"""The rollup on Amazon Athena: the generated statement in Trino SQL, run with boto3.

The table's columns come from the Glue Data Catalog (``glue:GetTable``), so the statement is
generated for exactly the columns AWS Data Exports created (CUR 2.0 or FOCUS). The query is
started, polled with growing waits (0.5 s up to 10 s) until it succeeds, fails, is
cancelled or the timeout passes (then it is stopped), and its result is read from the result
file in S3 (one GetObject) or, when that file cannot be read, by pages of GetQueryResults.
The bytes scanned and the dollar cost (USD 5 per TB scanned, 10 MB minimum per query, the
published Athena SQL price) are reported. Only the rollup and the source totals come back.
"""

from __future__ import annotations

import io
import logging
import os
import time
from dataclasses import dataclass
from typing import Any

import polars as pl
from sqlglot import exp

from forecaster import columns as C
from forecaster.aws import Aws, AwsError, AwsOptions
from forecaster.billing import detect_format
from forecaster.billing import focus as F
from forecaster.engines.commit import EngineRun
from forecaster.engines.rollup import RollupSpec
from forecaster.engines.sql import rollup_statement, to_sql
from forecaster.engines.sql_columns import polars_schema
from forecaster.errors import InputError

log = logging.getLogger(__name__)

PRICE_PER_TB_USD = 5.0
MIN_BYTES_BILLED = 10 * 1024**2
TB = 1024**4
POLL_ENV = "FORECASTER_ATHENA_POLL"  # first wait between polls, seconds (default 0.5)
POLL_MAX = 10.0
PAGE_SIZE = 1000
#: Data Exports partition their tables by this column ("YYYY-MM").
PARTITION_COLUMN = "billing_period"


@dataclass(frozen=True)
class AthenaTarget:
    database: str
    table: str
    catalog: str = "AwsDataCatalog"
    workgroup: str | None = None
    output: str | None = None  # s3://bucket/prefix/
    periods: tuple[str, ...] = ()  # YYYY-MM
    timeout: float = 1800.0

    @property
    def name(self) -> str:
        return f"{self.database}.{self.table}"


def glue_kind(type_name: str) -> str:
    """A Glue / Hive column type as the SQL generator's kind."""
    t = type_name.strip().lower()
    if t.startswith(("string", "varchar", "char")):
        return "string"
    if t in ("bigint", "int", "integer", "smallint", "tinyint"):
        return "integer"
    if t.startswith(("double", "float", "decimal", "real")):
        return "number"
    if t.startswith("timestamp"):
        return "timestamp"
    if t == "date":
        return "date"
    if t.startswith("map<"):
        return "map"
    if t.startswith("struct<"):
        return "struct"
    return "other"


def canonical_case(kinds: dict[str, str]) -> dict[str, str]:
    """Glue lower-cases column names ("billingperiodstart"); FOCUS names get their canonical
    spelling back (Athena resolves identifiers case-insensitively)."""
    known = {n.lower(): n for n in C.CHARGES_SCHEMA}
    known.update({a.lower(): a for alts in F.ALTERNATIVE_NAMES.values() for a in alts})
    known.update({m.lower(): m for m in F.OTHER_DATASET_MARKERS})
    return {known.get(name.lower(), name): kind for name, kind in kinds.items()}


def table_columns(aws: Aws, target: AthenaTarget) -> tuple[dict[str, str], list[str]]:
    """(column -> kind, partition column names) from the Glue Data Catalog."""
    table = aws.call(
        "glue", "GetTable", target.name, DatabaseName=target.database, Name=target.table
    )["Table"]
    columns = table.get("StorageDescriptor", {}).get("Columns", [])
    partitions = table.get("PartitionKeys", [])
    kinds = {c["Name"]: glue_kind(c.get("Type", "")) for c in [*columns, *partitions]}
    if not kinds:
        raise InputError(f"{target.name}: the Glue table has no columns")
    return canonical_case(kinds), [p["Name"] for p in partitions]


def _period_filter(periods: tuple[str, ...], partitions: list[str]) -> exp.Expression | None:
    if not periods or PARTITION_COLUMN not in partitions:
        return None
    column = exp.column(PARTITION_COLUMN, quoted=True)
    return column.isin(*[exp.Literal.string(p) for p in periods])


def build_statement(target: AthenaTarget, kinds: dict[str, str], partitions: list[str],
                    spec: RollupSpec) -> tuple[exp.Expression, str]:  # fmt: skip
    """The statement for the table (and its format), with the billing period filter."""
    schema = polars_schema(kinds)
    if F.is_other_focus_dataset(schema):
        raise InputError(f"{target.name}: a FOCUS dataset without charges (contract commitments)")
    fmt = detect_format(schema)
    if fmt is None:
        raise InputError(
            f"{target.name}: cannot tell the billing format from its columns "
            f"({', '.join(list(kinds)[:8])}, ...); expected a CUR 2.0 or FOCUS export table"
        )
    table = exp.table_(target.table, db=target.database, quoted=True)
    try:
        statement = rollup_statement(
            table,
            fmt,
            kinds,
            spec,
            where=_period_filter(target.periods, partitions),
            periods=target.periods,
        )
    except InputError as exc:
        raise InputError(f"{target.name}: {exc}") from exc
    return statement, fmt


def _poll_wait() -> float:
    return float(os.environ.get(POLL_ENV, "0.5"))


def wait_for(aws: Aws, query_id: str, timeout: float, sleep=time.sleep) -> dict[str, Any]:
    """Poll until the query ends; its QueryExecution, or AwsError naming the query id."""
    deadline = time.monotonic() + timeout
    wait = _poll_wait()
    while True:
        execution = aws.call(
            "athena", "GetQueryExecution", f"query {query_id}", QueryExecutionId=query_id
        )["QueryExecution"]
        status = execution.get("Status", {})
        state = status.get("State")
        if state == "SUCCEEDED":
            return execution
        if state == "FAILED":
            reason = status.get("StateChangeReason") or status.get("AthenaError", {}).get(
                "ErrorMessage", "no reason given"
            )
            raise AwsError(f"Athena query {query_id} FAILED: {reason}")
        if state == "CANCELLED":
            raise AwsError(
                f"Athena query {query_id} was CANCELLED (by a user or the workgroup's limits)"
                f"{': ' + status['StateChangeReason'] if status.get('StateChangeReason') else ''}"
            )
        if time.monotonic() + wait > deadline:
            aws.call("athena", "StopQueryExecution", f"query {query_id}", QueryExecutionId=query_id)
            raise AwsError(
                f"Athena query {query_id} did not finish within {timeout:g} s (state {state}); "
                "it was stopped. Raise `timeout` or narrow it with `periods`",
                parameters=("timeout", "periods"),
            )
        sleep(wait)
        wait = min(POLL_MAX, wait * 1.6)


def _typed(frame: pl.DataFrame, types: dict[str, str]) -> pl.DataFrame:
    casts = []
    for name, athena_type in types.items():
        t = athena_type.lower()
        if t in ("double", "float", "real") or t.startswith("decimal"):
            casts.append(pl.col(name).cast(pl.Float64, strict=True))
        elif t in ("bigint", "integer", "int", "smallint", "tinyint"):
            casts.append(pl.col(name).cast(pl.Int64, strict=True))
    return frame.with_columns(casts)


def read_pages(aws: Aws, query_id: str) -> pl.DataFrame:
    """The result by pages of GetQueryResults (the first row of the first page is the header)."""
    token = None
    header: list[str] | None = None
    types: dict[str, str] = {}
    rows: list[list[str | None]] = []
    while True:
        params: dict[str, Any] = {"QueryExecutionId": query_id, "MaxResults": PAGE_SIZE}
        if token:
            params["NextToken"] = token
        page = aws.call("athena", "GetQueryResults", f"query {query_id}", **params)
        result = page["ResultSet"]
        data = [[cell.get("VarCharValue") for cell in r.get("Data", [])] for r in result["Rows"]]
        if header is None:
            info = result.get("ResultSetMetadata", {}).get("ColumnInfo", [])
            header = [c["Name"] for c in info]
            types = {c["Name"]: c.get("Type", "varchar") for c in info}
            if data and data[0] == header:
                data = data[1:]
        rows.extend(data)
        token = page.get("NextToken")
        if not token:
            break
    frame = pl.DataFrame(rows, schema=dict.fromkeys(header or [], pl.String), orient="row")
    return _typed(frame, types)


def read_result_file(aws: Aws, location: str, types: dict[str, str] | None = None) -> pl.DataFrame:
    """The result CSV Athena wrote to S3 (header row; every value quoted; null unquoted)."""
    bucket, _, key = location.removeprefix("s3://").partition("/")
    body = aws.call("s3", "GetObject", location, Bucket=bucket, Key=key)["Body"].read()
    frame = pl.read_csv(io.BytesIO(body), infer_schema=False)
    return _typed(frame, types or {})


def run_athena_rollup(
    target: AthenaTarget, spec: RollupSpec, options: AwsOptions | None = None, sleep=time.sleep
) -> EngineRun:
    """Run the rollup statement in Athena; nothing is committed here."""
    aws = Aws(options)
    aws.check_credentials()
    kinds, partitions = table_columns(aws, target)
    statement, _ = build_statement(target, kinds, partitions, spec)
    sql = to_sql(statement, "trino")
    params: dict[str, Any] = {
        "QueryString": sql,
        "QueryExecutionContext": {"Database": target.database, "Catalog": target.catalog},
    }
    if target.workgroup:
        params["WorkGroup"] = target.workgroup
    if target.output:
        params["ResultConfiguration"] = {"OutputLocation": target.output}
    query_id = aws.call("athena", "StartQueryExecution", target.name, **params)["QueryExecutionId"]
    log.info("Athena query %s started on %s", query_id, target.name)
    execution = wait_for(aws, query_id, target.timeout, sleep=sleep)
    stats = execution.get("Statistics", {})
    scanned = int(stats.get("DataScannedInBytes", 0) or 0)
    billed = max(scanned, MIN_BYTES_BILLED)
    location = execution.get("ResultConfiguration", {}).get("OutputLocation")
    result, how = None, "pages"
    if location:
        try:
            result, how = read_result_file(aws, location, _result_types(statement)), "file"
        except AwsError as exc:
            log.info("result file %s unreadable (%s); reading pages instead", location, exc)
    if result is None:
        result = read_pages(aws, query_id)
    run = EngineRun(engine="athena", spec=spec, inputs=[target.name], queries=[sql])
    run.details = {
        "query_id": query_id,
        "workgroup": execution.get("WorkGroup") or target.workgroup,
        "data_scanned_bytes": scanned,
        "price_per_tb_usd": PRICE_PER_TB_USD,
        "cost_usd": round(billed / TB * PRICE_PER_TB_USD, 6),
        "engine_ms": int(stats.get("EngineExecutionTimeInMillis", 0) or 0),
        "result": how,
        "periods": list(target.periods),
    }
    run.add_result(result, statement.meta, f"{target.name} (Athena query {query_id})")
    return run


def _result_types(statement: exp.Expression) -> dict[str, str]:
    """Athena types of the statement's numeric output columns, for typing the result CSV."""
    return statement.meta.get("result_types", {})
