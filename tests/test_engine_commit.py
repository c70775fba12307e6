"""An engine's rollup is committed only when it reconciles to the engine's own source totals
to the cent, per billing period and currency; otherwise the store does not change. (The
engine here is DuckDB running the generated statement; Spark and Athena hand back the same
result shape.)"""

from __future__ import annotations

import polars as pl
import pytest

from forecaster.engines.commit import EngineRun, commit_run
from forecaster.engines.rollup import RollupSpec
from forecaster.errors import ReconciliationError
from forecaster.store import BillingStore
from tests.test_engine_athena import (
    FOCUS_SAMPLE,
    LEGACY_CUR,
    assert_same_rollup,
    duckdb_result,
    engine_rollup,
    local_rollup,
    trino_sql,
)


def _run(path, spec: RollupSpec, tamper=None) -> EngineRun:
    from sqlglot import exp

    from forecaster.billing import detect_format
    from forecaster.engines.sql import rollup_statement
    from forecaster.engines.sql_columns import kind_of_polars
    from tests.test_engine_athena import TABLE, _schema

    schema = _schema(path)
    statement = rollup_statement(
        exp.to_table(TABLE),
        detect_format(schema),
        {k: kind_of_polars(v) for k, v in schema.items()},
        spec,
    )
    result = duckdb_result(path, trino_sql(path, spec))
    if tamper is not None:
        result = tamper(result)
    run = EngineRun(engine="duckdb", spec=spec, inputs=[str(path)], queries=["..."])
    run.add_result(result, statement.meta, str(path))
    return run


def test_a_reconciled_rollup_is_committed_with_its_lineage(tmp_path):
    store = tmp_path / "s"
    report = commit_run(_run(LEGACY_CUR, RollupSpec()), store, "cur")
    (period,) = report.periods
    assert period.rows == 1281 and period.action == "new"
    (part,) = BillingStore(store).partitions()
    assert part["engine"] == "duckdb" and part["line_items"] == 1281
    assert set(part["reconciliation"]["USD"]) == {"BilledCost", "ListCost"}


def _drop_one_rollup_row(result: pl.DataFrame) -> pl.DataFrame:
    rollup = result.filter(pl.col("x_RowKind") == "rollup")
    return pl.concat([rollup.slice(1), result.filter(pl.col("x_RowKind") == "source")])


def _add_a_cent(result: pl.DataFrame) -> pl.DataFrame:
    rollup = pl.col("x_RowKind") == "rollup"
    first = rollup & (rollup.cast(pl.Int64).cum_sum() == 1)  # the first rollup row
    return result.with_columns(
        pl.when(first).then(pl.col("BilledCost") + 0.01).otherwise(pl.col("BilledCost"))
    )


@pytest.mark.parametrize(
    "tamper, message", [(_drop_one_rollup_row, "rows"), (_add_a_cent, "BilledCost")]
)
def test_a_rollup_that_does_not_reconcile_commits_nothing(tmp_path, tamper, message):
    store = tmp_path / "s"
    commit_run(_run(FOCUS_SAMPLE, RollupSpec()), store, "focus")
    before = BillingStore(store).catalog()
    with pytest.raises(ReconciliationError, match=message):
        commit_run(_run(FOCUS_SAMPLE, RollupSpec(), tamper=tamper), store, "focus")
    assert BillingStore(store).catalog() == before


def test_the_hour_grain_keeps_hours_and_long_charges(tmp_path):
    spec = RollupSpec(grain="hour")
    got = engine_rollup(duckdb_result(LEGACY_CUR, trino_sql(LEGACY_CUR, spec)), spec)
    assert_same_rollup(local_rollup(LEGACY_CUR, spec, tmp_path), got)
    span = (got["ChargePeriodEnd"] - got["ChargePeriodStart"]).dt.total_hours()
    assert (span >= 1).all() and got["ChargePeriodStart"].dt.minute().max() == 0


def test_rows_the_local_readers_refuse_are_refused_by_the_engine_statement(tmp_path):
    from forecaster.errors import InputError

    frame = pl.read_csv(FOCUS_SAMPLE, infer_schema=False)
    swapped = frame.with_columns(
        pl.when(pl.int_range(pl.len()) == 3)
        .then(pl.col("ChargePeriodStart"))
        .otherwise(pl.col("ChargePeriodEnd"))
        .alias("ChargePeriodEnd"),
        pl.when(pl.int_range(pl.len()) == 3)
        .then(pl.col("ChargePeriodEnd"))
        .otherwise(pl.col("ChargePeriodStart"))
        .alias("ChargePeriodStart"),
    )
    bad = tmp_path / "swapped.csv"
    swapped.write_csv(bad)
    with pytest.raises(
        InputError, match="ChargePeriodEnd.*1 value.*at or after its ChargePeriodStart"
    ):
        _run(bad, RollupSpec())
