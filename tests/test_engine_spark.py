"""`ingest billing --engine spark` gives the same rollup and the same downstream figures as the
local engine, on real files, in a real Spark (local mode, one session for the module)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest

from forecaster.engines.rollup import RollupSpec, finish, rollup_line_items
from forecaster.store import BillingStore
from tests.billing_reference import assert_same_rollup
from tests.conftest import SHARED_DATA

pytest.importorskip("pyspark")
BILLING = SHARED_DATA / "billing"
MASTER = "local[2]"


@pytest.fixture(scope="module")
def spark():
    from forecaster.engines.spark import spark_session

    session = spark_session(MASTER)
    session.conf.set("spark.sql.shuffle.partitions", "2")  # tiny inputs: no 200-way shuffles
    yield session
    session.stop()


@pytest.fixture(scope="module")
def cur2_file(tmp_path_factory) -> Path:
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from benchmarks.cur_data import generate

    return generate(tmp_path_factory.mktemp("cur2") / "cur2.parquet", 30_000, seed=3)


@pytest.fixture(scope="module")
def toolkit(tmp_path_factory) -> Path:
    exe = shutil.which("focus-toolkit") or str(Path(sys.executable).parent / "focus-toolkit")
    out = tmp_path_factory.mktemp("toolkit")
    for provider, version in (("aws", "1.2"), ("azure", "1.3"), ("gcp", "1.3")):
        subprocess.run(
            [exe, "generate", "--provider", provider, "--focus-version", version,
             "--rows", "300", "--seed", "5", "--out", str(out / f"{provider}-{version}")],
            check=True, capture_output=True,
        )  # fmt: skip
    return out


def local_rollup(store: Path, spec: RollupSpec, source: str) -> pl.DataFrame:
    """The rollup of a local (line-item) store, by the one definition in engines/rollup.py."""
    return finish(rollup_line_items(BillingStore(store).scan(), spec), spec, source).collect()


def stored_rollup(store: Path) -> pl.DataFrame:
    return pl.read_parquet(BillingStore(store).data_files())


def status(cli_json, store: Path) -> list[dict]:
    keep = ("source", "billing_period", "currency", "rows", "status")
    money = ("billed_cost", "effective_cost", "list_cost")
    rows = cli_json("store", "status", "--store", str(store))["periods"]
    return [
        {**{k: r[k] for k in keep}, **{k: round(r[k], 2) for k in money}}
        for r in sorted(rows, key=lambda r: (r["source"], r["billing_period"], r["currency"]))
    ]


def ingest_both(cli, tmp_path: Path, paths: list[str], *flags: str) -> tuple[Path, Path]:
    local, engine = tmp_path / "local", tmp_path / "spark"
    code, out = cli("ingest", "billing", *paths, "--store", str(local), "--store-as", "bill")
    assert code == 0, out
    code, out = cli(
        "ingest", "billing", *paths, "--engine", "spark", "--spark-master", MASTER,
        "--store", str(engine), "--store-as", "bill", *flags,
    )  # fmt: skip
    assert code == 0, out
    assert "engine spark: rollup by day" in out
    return local, engine


CASES = {
    "focus-1.0-sample": ([str(BILLING / "focus-1.0-sample.csv")], ()),
    "legacy-cur-csv": ([str(BILLING / "aws-legacy-cur-sample.csv")], ()),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_shared_billing_files_give_the_same_rollup_and_status(spark, cli, cli_json, tmp_path, case):
    paths, tags = CASES[case]
    local, engine = ingest_both(cli, tmp_path, paths)
    spec = RollupSpec(tags=tags)
    assert_same_rollup(local_rollup(local, spec, "bill"), stored_rollup(engine))
    assert status(cli_json, local) == status(cli_json, engine)


def test_cur2_generator_with_kept_tag_gives_the_same_rollup(
    spark, cli, cli_json, tmp_path, cur2_file
):
    local, engine = ingest_both(cli, tmp_path, [str(cur2_file)], "--keep-tag", "user:team")
    spec = RollupSpec(tags=("user:team",))
    got = stored_rollup(engine)
    assert_same_rollup(local_rollup(local, spec, "bill"), got)
    assert status(cli_json, local) == status(cli_json, engine)
    teams = got[C_TAGS].drop_nulls().map_elements(lambda t: tuple(json.loads(t)), pl.Object)
    assert {k for ks in teams.to_list() for k in ks} == {"user:team"}
    assert got["ResourceId"].null_count() == got.height  # dropped
    assert got["x_LineItemCount"].sum() == 30_000 and got.height < 30_000


C_TAGS = "Tags"


@pytest.mark.parametrize("folder", ["aws-1.2", "azure-1.3", "gcp-1.3"])
def test_focus_toolkit_exports_give_the_same_rollup(
    spark, cli, cli_json, tmp_path, toolkit, folder
):
    local, engine = ingest_both(cli, tmp_path, [str(toolkit / folder)])
    assert_same_rollup(local_rollup(local, RollupSpec(), "bill"), stored_rollup(engine))
    assert status(cli_json, local) == status(cli_json, engine)


def test_a_partial_focus_file_is_refused_by_both_engines_naming_the_columns(spark, cli, tmp_path):
    partial = BILLING / "focus-spec-examples" / "commitment_discount_scenarios"
    partial = sorted(partial.glob("*.csv"))[0]
    for engine in ("local", "spark"):
        store = tmp_path / engine
        code, _ = cli("ingest", "billing", str(partial), "--engine", engine, "--store", str(store))
        assert code == 2
        assert not BillingStore(store).partitions()
    from forecaster.engines.spark import run_spark
    from forecaster.errors import InputError

    with pytest.raises(InputError, match=f"{partial.name}.*missing column.*BillingCurrency"):
        run_spark([str(partial)], RollupSpec(), spark=spark)


def test_manifest_records_engine_query_line_items_and_source_totals(
    spark, cli, tmp_path, cur2_file
):
    _, engine = ingest_both(cli, tmp_path, [str(cur2_file)])
    (part,) = BillingStore(engine).partitions()
    assert part["engine"] == "spark"
    assert part["line_items"] == 30_000 and part["rows"] == 30_000
    assert part["rollup_rows"] < part["line_items"]
    assert any("GROUP BY" in q and "UNION ALL" in q for q in part["query"])
    totals = part["source_totals"]["USD"]
    assert totals["rows"] == 30_000
    assert abs(totals["src_BilledCost"] - part["totals"]["USD"]["billed_cost"]) < 0.005
    assert part["rollup"]["dropped_columns"][0] == "ResourceId"


def test_same_files_again_change_nothing_and_a_redelivery_replaces(spark, cli, tmp_path):
    src = BILLING / "aws-legacy-cur-sample.csv"
    store = tmp_path / "s"
    args = ["--engine", "spark", "--spark-master", MASTER, "--store", str(store), "--json"]
    code, out = cli("ingest", "billing", str(src), *args)
    assert code == 0 and json.loads(out)["periods"][0]["action"] == "new"
    code, out = cli("ingest", "billing", str(src), *args)
    assert code == 0 and json.loads(out)["periods"][0]["action"] == "unchanged"
    changed = tmp_path / "redelivered.csv"
    frame = pl.read_csv(src, infer_schema=False)
    frame.head(frame.height - 5).write_csv(changed)
    code, out = cli("ingest", "billing", str(changed), *args)
    period = json.loads(out)["periods"][0]
    assert code == 0 and period["action"] == "replaced" and period["rows"] == frame.height - 5
    assert len(BillingStore(store).partitions()) == 1


def test_downstream_figures_on_the_sample_are_the_same_to_the_cent(spark, cli, cli_json, tmp_path):
    from forecaster.sample import write_sample

    sample = tmp_path / "sample"
    write_sample(sample, None)
    workloads = str(sample / "workloads.toml")
    local, engine = ingest_both(
        cli, tmp_path, [str(sample / "billing")], "--keep-workload-tags", workloads
    )
    from forecaster.load import ingest_traffic
    from forecaster.sample import WIDE_METRICS
    from forecaster.sample import truth as T

    for store in (local, engine):
        ingest_traffic([sample / "traffic" / "metrics.csv"], store)
        for metric in WIDE_METRICS:
            unit = next(w.unit for w in T.WORKLOADS if w.metric == metric)
            ingest_traffic([sample / "traffic" / f"{metric}.csv"], store, metric=metric, unit=unit)
    assert status(cli_json, local) == status(cli_json, engine)
    month = status(cli_json, local)[-2]["billing_period"]
    commands = [
        ("bridge", "--month", month, "--workloads", workloads),
        ("curves", "--workloads", workloads),
        ("tco", "--workloads", workloads, "--scenarios", str(sample / "scenarios.toml"),
         "--samples", "200"),
    ]  # fmt: skip
    for command in commands:
        a = cli_json(*command, "--store", str(local))
        b = cli_json(*command, "--store", str(engine))
        assert _rounded(a) == _rounded(b), command[0]


def _rounded(value):
    """JSON with floats to the cent and store paths/timestamps left out."""
    if isinstance(value, float):
        return round(value, 2)
    if isinstance(value, dict):
        return {k: _rounded(v) for k, v in value.items() if k not in ("store", "generated_at")}
    if isinstance(value, list):
        return [_rounded(v) for v in value]
    return value


def test_a_workload_on_a_dropped_tag_or_resource_is_a_clear_error(spark, cli, tmp_path, cur2_file):
    store = tmp_path / "s"
    code, out = cli(
        "ingest", "billing", str(cur2_file), "--engine", "spark", "--spark-master", MASTER,
        "--store", str(store), "--keep-tag", "user:team",
    )  # fmt: skip
    assert code == 0, out
    workloads = tmp_path / "w.toml"
    for cost, expected in (
        ('tags = { "user:env" = "prod" }', "--keep-tag user:env"),
        ('resource_ids = ["arn:aws:res/1"]', "--keep ResourceId"),
    ):
        workloads.write_text(
            f'[[workload]]\nname = "w"\n[workload.cost]\n{cost}\n[workload.load]\nmetric = "m"\n'
        )
        code, _ = cli("curves", "--workloads", str(workloads), "--store", str(store))
        assert code == 2
        from forecaster.cli.common import error_text
        from forecaster.errors import InputError
        from forecaster.workloads import load_workloads
        from forecaster.workloads.kept import check_kept

        with pytest.raises(InputError) as info:
            check_kept(store, load_workloads(workloads))
        assert expected in error_text(info.value)  # the CLI's words; the engine names parameters
        assert "--" not in str(info.value)


@pytest.mark.parametrize("name", ["legacy-cur-csv", "cur2"])
def test_the_athena_trino_sql_transpiled_to_spark_gives_the_local_rollup(
    spark, tmp_path, cur2_file, name
):
    """The Trino text Athena would run, parsed by sqlglot's Trino dialect and printed for
    Spark, means the same rollup as the local engine (the query's meaning, not its syntax)."""
    import polars as pl

    from forecaster.engines.spark import _read
    from forecaster.engines.sql import parse
    from forecaster.ingest import ingest_billing
    from tests.test_engine_athena import TABLE, engine_rollup, trino_sql

    path = {"legacy-cur-csv": BILLING / "aws-legacy-cur-sample.csv", "cur2": cur2_file}[name]
    spec = RollupSpec(tags=("user:team",) if name == "cur2" else ())
    text = trino_sql(path, spec)
    _read(
        spark, "parquet" if path.suffix == ".parquet" else "csv", [str(path)]
    ).createOrReplaceTempView(TABLE)
    result = pl.from_arrow(spark.sql(parse(text, "trino").sql("spark")).toArrow())
    ingest_billing([path], tmp_path / "local", source="athena")
    local = local_rollup(tmp_path / "local", spec, "athena")
    assert_same_rollup(local, engine_rollup(result, spec))
