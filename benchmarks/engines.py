"""Benchmark: the same CUR 2.0 Parquet export through the local engine and through Spark.

Generates N rows (default 10 million, benchmarks/cur_data.py) once, then in a fresh process
each: ``local`` is today's ingest (every line item normalized and stored, reconciled);
``spark`` is ``ingest billing --engine spark`` on ``local[CORES]`` (the rollup statement in
Spark SQL, the rollup and source totals back over Arrow, stored and reconciled). Prints wall
time, the forecaster process's peak memory (VmHWM) and, for Spark, the JVM's peak memory
(sampled), the stored rows and bytes, and the per-core throughput the 1B-row estimate in
docs/performance.md starts from.

    nice -n 10 python benchmarks/engines.py [--rows 10000000] [--cores 2]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from ingest import peak_rss_mb  # noqa: E402


class ChildPeak:
    """Peak RSS of this process's children (the Spark JVM), sampled every 0.2 s."""

    def __init__(self) -> None:
        import psutil

        self.me = psutil.Process()
        self.peak = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            total = 0
            for child in self.me.children(recursive=True):
                try:
                    total += child.memory_info().rss
                except Exception:  # noqa: S112 - a child that just exited
                    continue
            self.peak = max(self.peak, total / 2**20)
            time.sleep(0.2)

    def stop(self) -> float:
        self._stop.set()
        self._thread.join()
        return self.peak


def store_bytes(store: Path) -> int:
    return sum(p.stat().st_size for p in (store / "billing").rglob("*.parquet"))


def run_child(engine: str, src: Path, out: Path, cores: int) -> None:
    from forecaster.store import BillingStore

    store = out / "store"
    children = ChildPeak()
    start = time.perf_counter()
    if engine == "local":
        from forecaster.ingest import ingest_billing

        report = ingest_billing([src], store, source="bench")
        startup = 0.0
    else:
        from forecaster.engines.commit import commit_run
        from forecaster.engines.rollup import RollupSpec
        from forecaster.engines.spark import run_spark, spark_session

        spark = spark_session(f"local[{cores}]")
        spark.conf.set("spark.sql.shuffle.partitions", str(cores * 4))
        startup = time.perf_counter() - start
        run = run_spark([str(src)], RollupSpec(), spark=spark)
        report = commit_run(run, store, "bench")
    seconds = time.perf_counter() - start
    jvm_peak = children.stop()
    (period,) = report.periods
    parts = BillingStore(store).partitions()
    stored_rows = sum(p.get("rollup_rows", p["rows"]) for p in parts)
    print(
        json.dumps(
            {
                "engine": engine,
                "seconds": seconds,
                "startup_seconds": startup,
                "peak_mb": peak_rss_mb(),
                "jvm_peak_mb": jvm_peak,
                "line_items": period.rows,
                "billed": period.billed_cost,
                "stored_rows": stored_rows,
                "stored_mb": store_bytes(store) / 2**20,
            }
        )
    )


def measure(engine: str, src: Path, work: Path, cores: int) -> dict:
    out = work / engine
    out.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ)
    # local mode runs executors inside the driver JVM: give it room (1 GB by default)
    env.setdefault("PYSPARK_SUBMIT_ARGS", "--driver-memory 4g pyspark-shell")
    proc = subprocess.run(
        [sys.executable, __file__, "--child", engine, "--input", str(src), "--out", str(out),
         "--cores", str(cores)],
        capture_output=True, text=True, env=env,
    )  # fmt: skip
    shutil.rmtree(out, ignore_errors=True)
    if proc.returncode != 0:
        return {"engine": engine, "error": proc.stderr.strip()[-400:]}
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--cores", type=int, default=2)
    parser.add_argument("--engines", default="local,spark")
    parser.add_argument("--input", type=Path, default=None)
    parser.add_argument("--out", type=Path, default=None)
    parser.add_argument("--child", default=None)
    args = parser.parse_args()
    if args.child:
        run_child(args.child, args.input, args.out, args.cores)
        return
    from cur_data import generate

    work = Path(tempfile.mkdtemp(prefix="bench-engines-"))
    try:
        src = generate(work / "cur2.parquet", args.rows)
        size = src.stat().st_size / 2**20
        print(f"CUR 2.0 Parquet: {args.rows:,} rows, {size:,.0f} MB; Spark on local[{args.cores}]")
        print(
            f"{'engine':<7} {'wall s':>8} {'start s':>8} {'py peak MB':>11} {'JVM peak MB':>12} "
            f"{'stored rows':>12} {'stored MB':>10} {'rows/s/core':>12}  BilledCost"
        )
        results = []
        for engine in args.engines.split(","):
            r = measure(engine, src, work, args.cores)
            results.append(r)
            if "error" in r:
                print(f"{engine:<7} failed: {r['error']}")
                continue
            work_s = r["seconds"] - r["startup_seconds"]  # both engines use every core given
            r["rows_per_core_second"] = r["line_items"] / work_s / args.cores
            print(
                f"{engine:<7} {r['seconds']:>8.1f} {r['startup_seconds']:>8.1f} "
                f"{r['peak_mb']:>11,.0f} {r['jvm_peak_mb']:>12,.0f} {r['stored_rows']:>12,} "
                f"{r['stored_mb']:>10.1f} {r['rows_per_core_second']:>12,.0f}  {r['billed']:,.2f}"
            )
        ok = [r for r in results if "error" not in r]
        if len(ok) == 2 and abs(ok[0]["billed"] - ok[1]["billed"]) >= 0.005:
            print("MISMATCH: the engines' BilledCost differ")
            sys.exit(1)
        print(json.dumps(results))
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
