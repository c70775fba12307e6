"""Benchmark: billing ingest of FOCUS CSV and AWS CUR 2.0 Parquet, ours against DuckDB.

Generates the inputs (benchmarks/focus_data.py: a FOCUS 1.0 CSV shaped like an AWS FOCUS
export, default 5 million rows; benchmarks/cur_data.py: a CUR 2.0 Data Exports Parquet,
default 10 million rows), then runs each engine in its own process doing the same work
(see benchmarks/ingest_engines.py) and prints wall time and peak memory (the child's VmHWM)
and CPU time (user + system, all threads) per engine, the load average before each run,
and the targets of issue #17 (on wall time):

- FOCUS CSV: ours <= 1.5x DuckDB doing the same work (read, parse the four timestamps, map,
  write Parquet, reconcile);
- CUR 2.0 Parquet: ours <= 1.2x a plain DuckDB COPY of the same mapping;
- peak memory <= 1.5 GB for ours on both.

    python benchmarks/ingest.py [--formats focus,cur2] [--focus-rows 5000000]
        [--cur-rows 10000000] [--engines ours,duckdb[,pandas]] [--focus-input F.csv]
        [--cur-input F.parquet] [--work DIR]

Inputs given with --focus-input / --cur-input are used as they are (not generated, not
deleted). Generated inputs go to a temporary directory under --work (default the system
temporary directory) and are deleted at the end.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

#: Ours against the reference, per format: (reference figure, highest ratio).
TARGETS = {"focus": ("seconds", 1.5), "cur2": ("copy_seconds", 1.2)}
TARGET_PEAK_MB = 1536  # at most 1.5 GB peak memory
LABELS = {"focus": "FOCUS CSV", "cur2": "CUR 2.0 Parquet"}


def peak_rss_mb() -> float:
    """This process's peak resident memory (VmHWM; ru_maxrss would include the parent's
    high-water mark, which Linux carries across fork and exec)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_engine(fmt: str, engine: str, src: Path, out: Path) -> None:
    """Child process: run one engine, print one JSON line with its figures."""
    from ingest_engines import ENGINES

    out.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    figures = ENGINES[fmt][engine](src, out)
    figures["seconds"] = time.perf_counter() - start
    usage = resource.getrusage(resource.RUSAGE_SELF)
    figures["cpu_seconds"] = usage.ru_utime + usage.ru_stime
    figures["peak_mb"] = peak_rss_mb()
    print(json.dumps(figures))


def load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def measure(fmt: str, engine: str, src: Path, work: Path) -> dict:
    out = work / f"{fmt}-{engine}"
    before = load()
    proc = subprocess.run(
        [sys.executable, __file__, "--child", f"{fmt}:{engine}", "--input", str(src)]
        + ["--out", str(out)],
        capture_output=True,
        text=True,
    )
    shutil.rmtree(out, ignore_errors=True)
    if proc.returncode != 0:
        reason = "killed (out of memory?)" if proc.returncode < 0 else proc.stderr.strip()[-300:]
        return {"engine": engine, "error": reason, "load": before}
    figures = json.loads(proc.stdout.strip().splitlines()[-1])
    return {"engine": engine, "load": before, **figures}


def _input(fmt: str, given: Path | None, rows: int, work: Path) -> Path:
    if given is not None:
        return given
    start = time.perf_counter()
    if fmt == "focus":
        from focus_data import generate as generate_focus

        src = generate_focus(work / "focus.csv", rows)
    else:
        from cur_data import generate as generate_cur

        src = generate_cur(work / "cur2.parquet", rows)
    print(f"generated {rows:,} {LABELS[fmt]} rows ({src.stat().st_size / 1e6:,.0f} MB) "
          f"in {time.perf_counter() - start:.1f} s", flush=True)  # fmt: skip
    return src


def report(fmt: str, src: Path, results: list[dict]) -> None:
    print(f"\n{LABELS[fmt]} ({src.name}, {src.stat().st_size / 1e6:,.0f} MB)")
    print(f"{'engine':<8} {'seconds':>9} {'COPY s':>8} {'CPU s':>8} {'peak MB':>9} {'rows':>12} "
          f"{'BilledCost':>16} {'EffectiveCost':>16}  load average before")  # fmt: skip
    for r in results:
        if "error" in r:
            print(f"{r['engine']:<8} failed: {r['error']}")
            continue
        copy = f"{r['copy_seconds']:>8.2f}" if "copy_seconds" in r else f"{'':>8}"
        print(f"{r['engine']:<8} {r['seconds']:>9.2f} {copy} {r['cpu_seconds']:>8.1f} "
              f"{r['peak_mb']:>9,.0f} {r['rows']:>12,} "
              f"{r['billed']:>16,.2f} {r['effective']:>16,.2f}  {r['load']}")  # fmt: skip
    by = {r["engine"]: r for r in results if "error" not in r}
    if "ours" in by and "duckdb" in by:
        figure, target = TARGETS[fmt]
        ours, ref = by["ours"], by["duckdb"]
        ratio = ours["seconds"] / ref[figure]
        against = "DuckDB's COPY" if figure == "copy_seconds" else "DuckDB (same work)"
        met = ratio <= target and ours["peak_mb"] <= TARGET_PEAK_MB
        print(f"ours / {against}: {ratio:.2f}x (target <= {target}x); ours peak memory "
              f"{ours['peak_mb']:,.0f} MB (target <= {TARGET_PEAK_MB:,} MB): "
              f"{'met' if met else 'NOT met'}")  # fmt: skip
        agree = abs(ours["billed"] - ref["billed"]) < 0.01
        agree &= abs(ours["effective"] - ref["effective"]) < 0.01
        print(f"BilledCost and EffectiveCost agree with DuckDB to the cent: {agree}")


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--formats", default="focus,cur2")
    parser.add_argument("--focus-rows", type=int, default=5_000_000)
    parser.add_argument("--cur-rows", type=int, default=10_000_000)
    parser.add_argument("--engines", default="ours,duckdb")
    parser.add_argument("--focus-input", type=Path, help="an existing FOCUS CSV (no generation)")
    parser.add_argument("--cur-input", type=Path, help="an existing CUR 2.0 Parquet")
    parser.add_argument("--work", type=Path, help="where generated inputs and outputs go")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--input", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        fmt, engine = args.child.split(":")
        run_engine(fmt, engine, args.input, args.out)
        return 0

    from ingest_engines import ENGINES

    work = Path(tempfile.mkdtemp(prefix="forecaster-bench-", dir=args.work))
    given = {"focus": args.focus_input, "cur2": args.cur_input}
    rows = {"focus": args.focus_rows, "cur2": args.cur_rows}
    print(f"load average at start: {load()} ({os.cpu_count()} cores)", flush=True)
    try:
        for fmt in args.formats.split(","):
            src = _input(fmt, given[fmt], rows[fmt], work)
            engines = [e for e in args.engines.split(",") if e in ENGINES[fmt]]
            results = []
            for engine in engines:
                results.append(measure(fmt, engine, src, work))
                print(f"  {fmt} {engine}: done", flush=True)
            report(fmt, src, results)
            if given[fmt] is None:
                src.unlink(missing_ok=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(f"\nload average at end: {load()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
