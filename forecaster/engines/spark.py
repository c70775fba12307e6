"""The rollup on Apache Spark: any SparkSession, the generated statement in Spark SQL.

The session comes from ``--spark-master`` (``local[2]``, ``spark://host:7077``, ``yarn``, or
``sc://host:15002`` for Spark Connect), else ``SPARK_REMOTE`` (Spark Connect, Databricks
Connect), else the environment (spark-submit, EMR, Glue, Databricks notebooks, or local
mode). Paths are read by Spark itself, so ``s3://`` / ``s3a://`` / ``abfss://`` / ``gs://`` use
the cluster's own storage settings; local paths are expanded here and grouped by format and
columns (one statement per group). Only the rollup and the source totals come back to this
process (Arrow), never line items.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Any

from forecaster.billing import detect_format
from forecaster.billing.files import OpenedFile, billing_paths
from forecaster.billing.focus import is_other_focus_dataset
from forecaster.engines.commit import EngineRun
from forecaster.engines.rollup import RollupSpec
from forecaster.engines.sql import rollup_statement, to_sql
from forecaster.engines.sql_columns import polars_schema
from forecaster.errors import ForecasterError, InputError

log = logging.getLogger(__name__)

REMOTE_SCHEMES = ("s3://", "s3a://", "s3n://", "abfss://", "gs://", "hdfs://", "dbfs:/", "wasbs://")
VIEW = "forecaster_billing_source"


def spark_session(master: str | None = None) -> Any:
    """The SparkSession the command runs on (see the module docstring), UTC session time."""
    try:
        from pyspark.sql import SparkSession
    except ImportError as exc:  # pragma: no cover - pyspark is a dependency
        raise InputError(
            "--engine spark needs pyspark (pip install 'cloud-cost-forecaster[spark]')"
        ) from exc
    builder = SparkSession.builder.appName("forecaster billing rollup").config(
        "spark.ui.showConsoleProgress", "false"
    )
    if master and master.startswith("sc://"):
        builder = builder.remote(master)
    elif master:
        builder = builder.master(master)
    elif not os.environ.get("SPARK_REMOTE"):
        builder = builder.config("spark.ui.enabled", "false")
    try:
        spark = builder.getOrCreate()
        spark.conf.set("spark.sql.session.timeZone", "UTC")
    except Exception as exc:  # the JVM or the cluster is not there: one clear line
        raise InputError(f"cannot start or reach Spark ({master or 'environment'}): {exc}") from exc
    return spark


def _kinds(struct: Any) -> dict[str, str]:
    """Spark StructType -> the SQL generator's column kinds."""
    from pyspark.sql import types as T

    out: dict[str, str] = {}
    for f in struct.fields:
        t = f.dataType
        if isinstance(t, T.StringType | T.CharType | T.VarcharType):
            kind = "string"
        elif isinstance(t, T.ByteType | T.ShortType | T.IntegerType | T.LongType):
            kind = "integer"
        elif isinstance(t, T.NumericType):
            kind = "number"
        elif isinstance(t, T.TimestampType | T.TimestampNTZType):
            kind = "timestamp"
        elif isinstance(t, T.DateType):
            kind = "date"
        elif isinstance(t, T.MapType):
            kind = "map"
        elif isinstance(t, T.StructType):
            kind = "struct"
        else:
            kind = "other"
        out[f.name] = kind
    return out


def _groups(paths: list[str]) -> list[tuple[str, list[str]]]:
    """(reader kind, paths) groups: local files grouped by kind and columns; each remote
    URI its own group (Spark lists it)."""
    remote = [p for p in paths if str(p).startswith(REMOTE_SCHEMES)]
    local = [p for p in paths if p not in remote]
    groups: dict[tuple[str, tuple[str, ...]], list[str]] = {}
    for path in billing_paths(local) if local else []:
        with OpenedFile(path) as opened:
            schema = opened.schema()
            kind = "parquet" if opened.kind == "parquet" else "csv"
        groups.setdefault((kind, tuple(schema)), []).append(str(path))
    out = [(kind, files) for (kind, _), files in groups.items()]
    for uri in remote:
        name = uri.lower().rstrip("/")
        out.append(("csv" if name.endswith((".csv", ".csv.gz")) else "parquet", [uri]))
    return out


def _read(spark: Any, kind: str, paths: list[str]) -> Any:
    uris = list(paths)  # as given: s3:// on EMR (EMRFS) and Databricks, s3a:// elsewhere
    if kind == "parquet":
        return spark.read.option("recursiveFileLookup", "true").parquet(*uris)
    return (
        spark.read.option("header", "true")
        .option("inferSchema", "false")
        .option("escape", '"')
        .option("recursiveFileLookup", "true")
        .csv(uris)
    )


def run_spark(
    paths: list[str],
    spec: RollupSpec,
    fmt: str = "auto",
    master: str | None = None,
    spark: Any = None,
) -> EngineRun:
    """Run the rollup statement on Spark over ``paths``; nothing is committed here."""
    spark = spark or spark_session(master)
    run = EngineRun(engine="spark", spec=spec, inputs=[str(p) for p in paths])
    for number, (kind, files) in enumerate(_groups([str(p) for p in paths])):
        where = files[0] if len(files) == 1 else f"{files[0]} (+{len(files) - 1} more)"
        try:
            frame = _read(spark, kind, files)
            kinds = _kinds(frame.schema)
        except ForecasterError:
            raise
        except Exception as exc:
            hint = ""
            if "No FileSystem for scheme" in str(exc):
                hint = " (this cluster has no such file system: try s3a:// with hadoop-aws)"
            raise InputError(
                f"{where}: Spark cannot read it as {kind}: {_short(exc)}{hint}"
            ) from exc
        schema = polars_schema(kinds)
        if is_other_focus_dataset(schema) and fmt in ("auto", "focus"):
            log.info("skipping %s: a FOCUS dataset without charges", where)
            continue
        chosen = detect_format(schema) if fmt == "auto" else fmt
        if chosen is None:
            raise InputError(
                f"{where}: cannot tell the billing format from its columns "
                f"({', '.join(list(kinds)[:8])}, ...); use `fmt` to force one",
                parameters=("fmt",),
            )
        view = f"{VIEW}_{number}"
        frame.createOrReplaceTempView(view)
        try:
            statement = rollup_statement(_table(view), chosen, kinds, spec)
        except InputError as exc:
            raise InputError(f"{where}: {exc}", parameters=exc.parameters) from exc
        text = to_sql(statement, "spark")
        run.queries.append(text)
        try:
            arrow = spark.sql(text).toArrow()
        except Exception as exc:
            raise InputError(f"{where}: the Spark rollup failed: {_short(exc)}") from exc
        import polars as pl

        run.add_result(pl.from_arrow(arrow), statement.meta, where)
    if not run.rollups:
        raise InputError(f"{', '.join(run.inputs)}: no billing rows to roll up")
    return run


def _table(name: str):
    from sqlglot import exp

    return exp.to_table(name)


def _short(exc: Exception) -> str:
    """The first line of a JVM error (no Java stack trace reaches the user)."""
    text = str(exc).strip().splitlines()
    return text[0][:400] if text else type(exc).__name__


def input_paths(paths: list[str | Path]) -> list[str]:
    return [str(p) for p in paths]
