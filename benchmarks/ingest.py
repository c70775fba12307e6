"""Benchmark: ingest of an AWS CUR 2.0 Parquet export, ours against DuckDB and pandas.

Generates N rows (default 10 million; a month hourly, ~200 usage types, ~50 accounts,
~100k resources, tags) with benchmarks/cur_data.py, then runs each engine in its own
process doing the same work (read, map to FOCUS, write Parquet, reconcile sums) and prints
wall time and peak memory (max RSS) per engine, and our time relative to DuckDB's.

    python benchmarks/ingest.py [--rows 10000000] [--engines ours,duckdb,pandas]
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

TARGET_RATIO = 1.5  # ours within 1.5x of DuckDB's time
TARGET_PEAK_MB = 2048  # under 2 GB peak memory


def peak_rss_mb() -> float:
    """This process's peak resident memory (VmHWM; ru_maxrss would include the parent's
    high-water mark, which Linux carries across fork and exec)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_engine(engine: str, src: Path, out: Path) -> None:
    """Child process: run one engine, print one JSON line with its figures."""
    from ingest_engines import ENGINES

    out.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    figures = ENGINES[engine](src, out)
    figures["seconds"] = time.perf_counter() - start
    figures["peak_mb"] = peak_rss_mb()
    print(json.dumps(figures))


def measure(engine: str, src: Path, work: Path) -> dict:
    out = work / engine
    proc = subprocess.run(
        [sys.executable, __file__, "--child", engine, "--input", str(src), "--out", str(out)],
        capture_output=True,
        text=True,
    )
    shutil.rmtree(out, ignore_errors=True)
    if proc.returncode != 0:
        reason = "killed (out of memory?)" if proc.returncode < 0 else proc.stderr.strip()[-300:]
        return {"engine": engine, "error": reason}
    return {"engine": engine, **json.loads(proc.stdout.strip().splitlines()[-1])}


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--engines", default="ours,duckdb,pandas")
    parser.add_argument("--input", type=Path, help="an existing CUR 2.0 Parquet (skips generation)")
    parser.add_argument("--out", type=Path)
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        run_engine(args.child, args.input, args.out)
        return 0

    work = Path(tempfile.mkdtemp(prefix="forecaster-bench-"))
    try:
        src = args.input
        if src is None:
            from cur_data import generate

            start = time.perf_counter()
            src = generate(work / "cur2.parquet", args.rows)
            print(f"generated {args.rows:,} CUR 2.0 rows ({src.stat().st_size / 1e6:,.0f} MB) "
                  f"in {time.perf_counter() - start:.1f} s")  # fmt: skip
        results = [measure(e, src, work) for e in args.engines.split(",")]
    finally:
        shutil.rmtree(work, ignore_errors=True)

    print(
        f"\n{'engine':<8} {'seconds':>9} {'peak MB':>9} {'rows':>12} {'BilledCost':>16} {'EffectiveCost':>16}"
    )
    for r in results:
        if "error" in r:
            print(f"{r['engine']:<8} failed: {r['error']}")
            continue
        print(f"{r['engine']:<8} {r['seconds']:>9.2f} {r['peak_mb']:>9,.0f} {r['rows']:>12,} "
              f"{r['billed']:>16,.2f} {r['effective']:>16,.2f}")  # fmt: skip
    by = {r["engine"]: r for r in results if "error" not in r}
    if "ours" in by and "duckdb" in by:
        ratio = by["ours"]["seconds"] / by["duckdb"]["seconds"]
        print(f"\nours / duckdb time: {ratio:.2f}x (target <= {TARGET_RATIO}x); "
              f"ours peak memory {by['ours']['peak_mb']:,.0f} MB (target < {TARGET_PEAK_MB} MB)")  # fmt: skip
        agree = abs(by["ours"]["effective"] - by["duckdb"]["effective"]) < 0.01
        print(f"EffectiveCost agrees with DuckDB to the cent: {agree}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
