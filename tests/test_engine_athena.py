"""`forecaster ingest athena`: the generated Trino SQL means what the local engine does (run on
DuckDB after sqlglot transpiles it), and the Athena API flow (Glue schema, start, poll with
backoff, result file or pages, FAILED / CANCELLED / timeout, bytes scanned and cost) works
against a real moto server over HTTP with results seeded from that same rollup."""

from __future__ import annotations

import json
import sys
import urllib.request
from pathlib import Path

import duckdb
import polars as pl
import pytest
from sqlglot import exp

from forecaster.billing import detect_format
from forecaster.billing.files import OpenedFile
from forecaster.engines.rollup import RollupSpec, finish, rollup_line_items
from forecaster.engines.sql import parse, rollup_statement, to_sql
from forecaster.engines.sql_columns import kind_of_polars
from forecaster.ingest import ingest_billing
from forecaster.store import BillingStore
from tests.aws_server import Request
from tests.billing_reference import assert_same_rollup
from tests.conftest import SHARED_DATA

FOCUS_SAMPLE = SHARED_DATA / "billing" / "focus-1.0-sample.csv"
LEGACY_CUR = SHARED_DATA / "billing" / "aws-legacy-cur-sample.csv"
TABLE = "billing_table"


@pytest.fixture(scope="module")
def cur2_file(tmp_path_factory) -> Path:
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from benchmarks.cur_data import generate

    return generate(tmp_path_factory.mktemp("cur2") / "cur2.parquet", 5_000, seed=9)


def _schema(path: Path) -> dict[str, pl.DataType]:
    with OpenedFile(path) as opened:
        return opened.schema()


def trino_sql(path: Path, spec: RollupSpec, table: exp.Expression | None = None, **kw) -> str:
    schema = _schema(path)
    kinds = {k: kind_of_polars(v) for k, v in schema.items()}
    statement = rollup_statement(
        table or exp.to_table(TABLE), detect_format(schema), kinds, spec, **kw
    )
    return to_sql(statement, "trino")


def duckdb_result(path: Path, sql_text: str) -> pl.DataFrame:
    """The Trino text parsed by sqlglot's Trino dialect, transpiled and run on DuckDB."""
    con = duckdb.connect()
    con.sql("SET TimeZone = 'UTC'")
    if path.suffix == ".csv":
        con.read_csv(str(path), all_varchar=True).create_view(TABLE)
    else:
        con.read_parquet(str(path)).create_view(TABLE)
    return con.sql(parse(sql_text, "trino").sql("duckdb")).pl()


def local_rollup(path: Path, spec: RollupSpec, tmp_path: Path) -> pl.DataFrame:
    store = tmp_path / "local"
    ingest_billing([path], store, source="athena")
    return finish(rollup_line_items(BillingStore(store).scan(), spec), spec, "athena").collect()


def engine_rollup(result: pl.DataFrame, spec: RollupSpec) -> pl.DataFrame:
    rollup = result.filter(pl.col("x_RowKind") == "rollup").drop("x_RowKind")
    return finish(rollup, spec, "athena").collect()


@pytest.mark.parametrize(
    "name, tags", [("focus", ()), ("legacy", ()), ("cur2", ("user:team", "user:env"))]
)
def test_generated_trino_sql_parses_and_means_the_local_rollup_on_duckdb(
    name, tags, tmp_path, cur2_file
):
    path = {"focus": FOCUS_SAMPLE, "legacy": LEGACY_CUR, "cur2": cur2_file}[name]
    spec = RollupSpec(tags=tags)
    text = trino_sql(path, spec)
    assert parse(text, "trino").find(exp.Union) is not None
    assert_same_rollup(
        local_rollup(path, spec, tmp_path), engine_rollup(duckdb_result(path, text), spec)
    )


def test_a_period_filter_keeps_only_those_billing_periods(tmp_path):
    text = trino_sql(FOCUS_SAMPLE, RollupSpec(), periods=("2024-10",))
    result = duckdb_result(FOCUS_SAMPLE, text)
    source = result.filter(pl.col("x_RowKind") == "source")
    assert source["x_LineItemCount"].to_list() == [1]
    assert {d.month for d in result["BillingPeriodStart"].to_list()} == {10}


# -- the API flow against moto -------------------------------------------------------------
GLUE_TYPES = {"string": "string", "integer": "bigint", "number": "double",
              "timestamp": "timestamp", "map": "map<string,string>"}  # fmt: skip


def glue_table(moto_client, path: Path, lowercase: bool) -> None:
    glue = moto_client("glue")
    glue.create_database(DatabaseInput={"Name": "cur"})
    columns = [
        {"Name": name.lower() if lowercase else name, "Type": GLUE_TYPES[kind_of_polars(dtype)]}
        for name, dtype in _schema(path).items()
    ]
    glue.create_table(
        DatabaseName="cur",
        TableInput={
            "Name": TABLE,
            "StorageDescriptor": {"Columns": columns, "Location": "s3://cur-data/exports/"},
            "PartitionKeys": [{"Name": "billing_period", "Type": "string"}],
        },
    )


def seed_results(moto_server, result: pl.DataFrame) -> None:
    """Queue the result in moto, as Athena returns it: header row, every value as text."""

    def text(v):
        if v is None:
            return {}
        if hasattr(v, "strftime"):
            return {"VarCharValue": v.strftime("%Y-%m-%d %H:%M:%S.%f")[:-3]}
        return {"VarCharValue": str(v)}

    rows = [{"Data": [{"VarCharValue": c} for c in result.columns]}]
    rows += [{"Data": [text(v) for v in row]} for row in result.iter_rows()]
    types = {pl.Float64: "double", pl.Int64: "bigint", pl.Datetime: "timestamp"}
    info = [
        {"Name": c, "Type": types.get(result[c].dtype.base_type(), "varchar")}
        for c in result.columns
    ]
    host, port = moto_server
    body = json.dumps({"results": [{"rows": rows, "column_info": info}]}).encode()
    req = urllib.request.Request(
        f"http://{host}:{port}/moto-api/static/athena/query-results",
        data=body,
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    assert urllib.request.urlopen(req).status == 201


def typed_result(result: pl.DataFrame) -> pl.DataFrame:
    return result.with_columns(
        [pl.col(c).cast(pl.Int64) for c in result.columns if c.startswith("bad_")]
    )


def execution_states(*states: str, scanned: int = 0, reason: str = ""):
    """A proxy rule: GetQueryExecution answers the given states in turn (the last one
    repeats), with DataScannedInBytes, as Athena's own statistics."""
    left = list(states)

    def rule(req: Request, forward):
        if req.operation != "GetQueryExecution":
            return None
        status, headers, body = forward(req)
        doc = json.loads(body)
        state = left.pop(0) if len(left) > 1 else left[0]
        doc["QueryExecution"]["Status"]["State"] = state
        if reason:
            doc["QueryExecution"]["Status"]["StateChangeReason"] = reason
        doc["QueryExecution"]["Statistics"]["DataScannedInBytes"] = scanned
        doc["QueryExecution"]["Statistics"]["EngineExecutionTimeInMillis"] = 1234
        return status, headers, json.dumps(doc).encode()

    return rule


def page_query_results(req: Request, forward):
    """Page GetQueryResults by MaxResults with a NextToken, as Athena does (moto does not)."""
    if req.operation != "GetQueryResults":
        return None
    params = req.json()
    size = int(params.pop("MaxResults", 1000))
    offset = int(params.pop("NextToken", "0") or 0)
    inner = Request(req.method, req.path, dict(req.headers), json.dumps(params).encode(),
                    req.service, req.operation)  # fmt: skip
    status, headers, body = forward(inner)
    doc = json.loads(body)
    rows = doc["ResultSet"]["Rows"]
    doc["ResultSet"]["Rows"] = rows[offset : offset + size]
    if len(rows) > offset + size:
        doc["NextToken"] = str(offset + size)
    return status, headers, json.dumps(doc).encode()


@pytest.fixture
def athena_cur2(aws_env, moto_client, moto_server, cur2_file, monkeypatch):
    """A Glue table for the CUR 2.0 file, a results bucket, and moto seeded with the result
    of the generated Trino SQL (run on DuckDB) for that file."""
    monkeypatch.setenv("FORECASTER_ATHENA_POLL", "0.001")
    glue_table(moto_client, cur2_file, lowercase=False)
    moto_client("s3").create_bucket(Bucket="athena-results")
    spec = RollupSpec(tags=("user:team",))
    text = trino_sql(cur2_file, spec, table=exp.table_(TABLE, db="cur", quoted=True))
    result = duckdb_result(cur2_file, text.replace('"cur".', ""))
    seed_results(moto_server, typed_result(result))
    return spec, aws_env


def _ingest(cli, store: Path, *extra: str):
    return cli(
        "ingest", "athena", "--database", "cur", "--table", TABLE, "--store", str(store),
        "--keep-tag", "user:team", *extra,
    )  # fmt: skip


def test_athena_result_file_becomes_the_same_rollup_with_cost_printed(
    athena_cur2, cli, tmp_path, cur2_file
):
    spec, proxy = athena_cur2
    proxy.rules.append(execution_states("QUEUED", "RUNNING", "SUCCEEDED", scanned=3 * 1024**3))
    store = tmp_path / "store"
    code, out = _ingest(cli, store, "--output", "s3://athena-results/q/")
    assert code == 0, out
    assert "3,221,225,472 bytes scanned, USD 0.0146" in out
    assert proxy.count("GetQueryExecution") == 3  # polled until SUCCEEDED
    assert proxy.count("GetObject") == 1 and proxy.count("GetQueryResults") == 0
    (part,) = BillingStore(store).partitions()
    assert part["engine"] == "athena" and part["line_items"] == 5_000
    assert part["engine_details"]["data_scanned_bytes"] == 3 * 1024**3
    assert parse(part["query"][0], "trino") is not None
    stored = pl.read_parquet(BillingStore(store).data_files())
    assert_same_rollup(local_rollup(cur2_file, spec, tmp_path), stored)


def test_athena_results_by_pages_without_a_result_file(athena_cur2, cli, tmp_path, cur2_file):
    spec, proxy = athena_cur2
    proxy.rules += [execution_states("SUCCEEDED", scanned=10), page_query_results]
    store = tmp_path / "store"
    code, out = _ingest(cli, store, "--json")
    assert code == 0, out
    doc = json.loads(out)
    assert doc["engine"]["result"] == "pages"
    assert doc["engine"]["cost_usd"] == pytest.approx(10 * 1024**2 / 1024**4 * 5.0, abs=1e-6)
    assert proxy.count("GetQueryResults") > 2  # several pages of 1000 rows
    stored = pl.read_parquet(BillingStore(store).data_files())
    assert_same_rollup(local_rollup(cur2_file, spec, tmp_path), stored)


@pytest.mark.parametrize(
    "state, message",
    [("FAILED", "FAILED: HIVE_BAD_DATA: bad parquet"), ("CANCELLED", "was CANCELLED")],
)
def test_a_failed_or_cancelled_query_is_a_clear_error_and_commits_nothing(
    athena_cur2, cli, tmp_path, capsys, state, message
):
    _, proxy = athena_cur2
    proxy.rules.append(execution_states("RUNNING", state, reason="HIVE_BAD_DATA: bad parquet"))
    store = tmp_path / "store"
    code, _ = _ingest(cli, store)
    err = capsys.readouterr().err
    assert code == 2
    assert "Athena query " in err and message in err
    query_id = err.split("Athena query ")[1].split()[0]
    assert len(query_id) == 36  # the id, to look it up in the console
    assert not BillingStore(store).partitions()


def test_a_query_past_the_timeout_is_stopped_and_named(athena_cur2, cli, tmp_path, capsys):
    _, proxy = athena_cur2
    proxy.rules.append(execution_states("RUNNING"))
    code, _ = _ingest(cli, tmp_path / "store", "--timeout", "0.05")
    err = capsys.readouterr().err
    assert code == 2 and "did not finish within 0.05 s" in err and "was stopped" in err
    assert "Raise --timeout or narrow it with --period" in err  # the engine said `timeout`
    assert proxy.count("StopQueryExecution") == 1


def test_a_lowercase_glue_focus_table_is_recognised(aws_env, moto_client, moto_server, cli,
                                                    tmp_path, monkeypatch):  # fmt: skip
    monkeypatch.setenv("FORECASTER_ATHENA_POLL", "0.001")
    glue_table(moto_client, FOCUS_SAMPLE, lowercase=True)
    spec = RollupSpec()
    text = trino_sql(FOCUS_SAMPLE, spec, periods=("2024-09",))
    seed_results(moto_server, typed_result(duckdb_result(FOCUS_SAMPLE, text)))
    code, out = cli(
        "ingest", "athena", "--database", "cur", "--table", TABLE, "--store",
        str(tmp_path / "s"), "--period", "2024-09", "--json",
    )  # fmt: skip
    assert code == 0, out
    stored = pl.read_parquet(BillingStore(tmp_path / "s").data_files())
    local = local_rollup(FOCUS_SAMPLE, spec, tmp_path)
    assert_same_rollup(local.filter(pl.col("BillingPeriodStart").dt.month() == 9), stored)
    query = BillingStore(tmp_path / "s").partitions()[0]["query"][0]
    assert "\"billing_period\" IN ('2024-09')" in query  # partition pruning
