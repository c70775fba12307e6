"""Benchmark: building and writing the monthly review pack, against the engine work it
cannot avoid.

Times, in this process, on the bundled sample (5 workloads, 24 months of daily billing) and
on a wider copy of it (every billing row repeated under ``--scale`` accounts and service
names, so the breakdowns and the bridge have ``--scale`` times as many rows):

- the reference: ``store_monthly_spend`` (every month's totals per currency, a plain
  report) plus ``workload_series`` and one cost-curve fit per workload (the engine work
  behind the findings and the bridge);
- ``build_review`` (everything the pack shows, including the USL fit and the ceiling
  forecast);
- ``write_review`` per format.

    python benchmarks/review.py [--scale 20]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import polars as pl

from forecaster.curves import curve_from_frame
from forecaster.ingest import ingest_billing
from forecaster.load import ingest_traffic
from forecaster.review import build_review, write_review
from forecaster.sample import WIDE_METRICS, write_sample
from forecaster.sample import truth as T
from forecaster.spend import store_monthly_spend
from forecaster.workloads import load_workloads, workload_frames, workload_series

MONTH = "2026-10"
NOW = datetime(2026, 11, 15, tzinfo=UTC)


def timed(fn) -> tuple[float, object]:
    start = time.perf_counter()
    out = fn()
    return time.perf_counter() - start, out


def make_store(root: Path, scale: int) -> tuple[Path, Path, int]:
    """The sample ingested into a store, its billing repeated ``scale`` times."""
    sample, store = root / "sample", root / f"store-{scale}"
    if not (sample / "workloads.toml").exists():
        write_sample(sample)
    billing = root / f"billing-{scale}"
    billing.mkdir()
    rows = 0
    for path in sorted((sample / "billing").glob("*.csv")):
        frame = pl.read_csv(path, infer_schema_length=0)
        copies = [frame] + [
            frame.with_columns(
                (pl.col("SubAccountId") + f"-{i}").alias("SubAccountId"),
                (pl.col("ServiceName") + f" {i}").alias("ServiceName"),
            )
            for i in range(1, scale)
        ]
        out = pl.concat(copies)
        rows += out.height
        out.write_csv(billing / path.name)
    ingest_billing([billing], store, source="bench", now=NOW)
    ingest_traffic([sample / "traffic" / "metrics.csv"], store, now=NOW)
    for metric in WIDE_METRICS:
        unit = next(w.unit for w in T.WORKLOADS if w.metric == metric)
        ingest_traffic(
            [sample / "traffic" / f"{metric}.csv"], store, metric=metric, unit=unit, now=NOW
        )
    return sample, store, rows


def reference(store: Path, workloads_path: Path) -> None:
    store_monthly_spend(store)
    workloads = load_workloads(workloads_path)
    series = workload_series(store, workloads, "day")
    for frame in workload_frames(series).values():
        curve_from_frame(frame, "day", random_state=0)


def run(scale: int, root: Path) -> list[tuple[str, str, float, str]]:
    sample, store, rows = make_store(root, scale)
    workloads = sample / "workloads.toml"
    label = f"x{scale} ({rows:,} rows)"
    ref_s, _ = timed(lambda: reference(store, workloads))
    build_s, pack = timed(lambda: build_review(store, MONTH, workloads))
    out = [
        (label, "reference: spend + series + curve fits", ref_s, ""),
        (
            label,
            "build_review",
            build_s,
            f"{sum(t.frame.height for t in pack.tables.values()):,} table rows",
        ),
    ]
    for fmt in ("csv", "xlsx", "html", "pdf"):
        seconds, files = timed(lambda fmt=fmt: write_review(pack, root / f"out-{scale}", [fmt]))
        size = sum(f.stat().st_size for f in files)
        out.append((label, f"write {fmt}", seconds, f"{len(files)} file(s), {size / 1e6:.2f} MB"))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=20, help="copies of the billing rows (20)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        rows = run(1, Path(tmp)) + run(args.scale, Path(tmp))
    print(f"{'store':<22} {'case':<42} {'seconds':>8}  notes")
    for store, case, seconds, note in rows:
        print(f"{store:<22} {case:<42} {seconds:>8.2f}  {note}")


if __name__ == "__main__":
    main()
