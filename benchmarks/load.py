"""Benchmark: the load store and the workload join, against plain polars doing less.

Generates M metrics of 1-minute samples over D days as one long CSV (default 20 x 90 days,
2.6 million rows), then times, in this process:

- ingest_traffic of the CSV (parse, validate, merge, Parquet, atomic commit) against a
  plain ``pl.read_csv(...).write_parquet(...)`` of the same file (no validation, no store);
- the same ingest again (idempotent: nothing rewritten);
- an overlapping re-ingest of one day per metric (merge by key);
- resample to hours and days against a plain group_by over the same Parquet files;
- workload_series on the bundled sample (5 workloads, 24 months, daily cost, hourly load)
  at each grain, against collecting the raw charges and load tables.

    python benchmarks/load.py [--metrics 20] [--days 90]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import polars as pl

from forecaster.load import ingest_traffic, read_load, resample
from forecaster.sample import write_sample
from forecaster.store import read_charges
from forecaster.workloads import load_workloads, workload_series


def timed(fn) -> tuple[float, object]:
    start = time.perf_counter()
    out = fn()
    return time.perf_counter() - start, out


def make_csv(path: Path, metrics: int, days: int) -> int:
    """A long CSV: ``metrics`` series of 1-minute request counts from 2025-01-01 (UTC)."""
    n = days * 1440
    first_us = int(datetime(2025, 1, 1, tzinfo=UTC).timestamp()) * 1_000_000
    stamps = pl.Series("timestamp", np.arange(n, dtype="int64") * 60_000_000 + first_us).cast(
        pl.Datetime("us")
    )
    rng = np.random.default_rng(1)
    frames = [
        pl.DataFrame(
            {
                "timestamp": stamps.dt.strftime("%Y-%m-%dT%H:%M:%SZ"),
                "metric": f"svc{i:02d}.requests",
                "value": np.round(rng.gamma(2.0, 50.0, n), 3),
                "unit": "requests",
            }
        )
        for i in range(metrics)
    ]
    df = pl.concat(frames)
    df.write_csv(path)
    return df.height


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--metrics", type=int, default=20)
    parser.add_argument("--days", type=int, default=90)
    args = parser.parse_args()
    rows_out: list[tuple[str, str, float, float, str]] = []
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        csv = work / "traffic.csv"
        rows = make_csv(csv, args.metrics, args.days)
        mb = csv.stat().st_size / 1e6
        store = work / "store"
        t_ours, report = timed(lambda: ingest_traffic([csv], store))
        t_ref, _ = timed(lambda: pl.read_csv(csv).write_parquet(work / "plain.parquet"))
        rows_out.append(
            (
                f"ingest {rows:,} rows ({mb:.0f} MB CSV)",
                "read_csv+write_parquet",
                t_ours,
                t_ref,
                f"{report.rows_added:,} stored",
            )
        )
        t_again, again = timed(lambda: ingest_traffic([csv], store))
        actions = {p.action for p in again.partitions}
        rows_out.append(("same file again", "-", t_again, float("nan"), f"actions {actions}"))
        one_day = work / "day.csv"
        pl.read_csv(csv).filter(pl.col("timestamp").str.starts_with("2025-01-02")).with_columns(
            pl.col("value") + 1
        ).write_csv(one_day)
        t_overlap, over = timed(lambda: ingest_traffic([one_day], store))
        rows_out.append(
            (
                "overlapping day per metric",
                "-",
                t_overlap,
                float("nan"),
                f"{over.rows_changed:,} replaced",
            )
        )
        files = sorted((store / "load").rglob("data.parquet"))
        for grain, every in (("hour", "1h"), ("day", "1d")):
            t_res, out = timed(lambda g=grain: resample(read_load(store), g).collect())
            t_plain, plain = timed(
                lambda e=every: (
                    pl.scan_parquet(files)
                    .group_by("metric", pl.col("timestamp").dt.truncate(e))
                    .agg(pl.col("value").sum())
                    .collect()
                )
            )
            same = abs(out["value"].sum() - plain["value"].sum()) < 1e-6 * plain["value"].sum()
            rows_out.append(
                (
                    f"resample to {grain}s",
                    "plain group_by",
                    t_res,
                    t_plain,
                    f"{out.height:,} periods, sums equal: {same}",
                )
            )
        sample = work / "sample"
        write_sample(sample / "out", sample / "store")
        workloads = load_workloads(sample / "out" / "workloads.toml")
        t_raw, _ = timed(
            lambda: (
                read_charges(sample / "store").collect(),
                read_load(sample / "store").collect(),
            )
        )
        for grain in ("month", "day", "hour"):
            t_w, series = timed(lambda g=grain: workload_series(sample / "store", workloads, g))
            rows_out.append(
                (
                    f"workload_series, sample, {grain}",
                    "collect charges+load",
                    t_w,
                    t_raw,
                    f"{series.height:,} rows",
                )
            )
    print(f"{'case':<44} {'reference':<24} {'ours s':>8} {'ref s':>8}  check")
    for case, ref, ours, refs, check in rows_out:
        ref_text = "-" if refs != refs else f"{refs:8.2f}"
        print(f"{case:<44} {ref:<24} {ours:8.2f} {ref_text:>8}  {check}")


if __name__ == "__main__":
    main()
