"""Benchmark: the time-only cost forecast (``forecaster forecast-cost``) backtested on daily
cost series, against seasonal naive, in one run on the same windows.

Series: the bundled sample's daily EffectiveCost (USD and EUR totals, the three largest USD
services), the real bills of ../shared/data/billing (FOCUS 1.0 sample: 30 days), and real
daily series standing in for a bill's shape (Wikipedia page views, Peyton Manning, as a
daily series; NYC taxi passengers summed per day). Each is backtested with ``forecaster
backtest``'s own rule (``backtest_series``: rolling origin, expanding window, the last
``standard_windows`` horizons), horizon 30 days (7 for the shorter series).

    python benchmarks/cost_forecast.py [--quick]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "data"


def _bill_series(store: Path) -> list[tuple[str, object, int]]:
    from forecaster.store import read_charges
    from forecaster.timeonly.series import currencies, daily_cost, series_frame

    charges = read_charges(store)
    out = []
    for currency in currencies(charges):
        total = daily_cost(charges, currency)
        out.append((f"sample bill, {currency} total", series_frame(total), 30))
    split = daily_cost(charges, "USD", "service", groups=3)
    for g in split.groups[:3]:
        out.append((f"sample bill, USD {g}", series_frame(split, g), 30))
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="4 windows per series")
    args = parser.parse_args(argv)
    from forecaster.forecast import backtest_series, read_series
    from forecaster.ingest import ingest_billing
    from forecaster.sample import write_sample
    from forecaster.store import read_charges
    from forecaster.timeonly.series import daily_cost, series_frame

    tmp = Path(tempfile.mkdtemp(prefix="cost-forecast-bench-"))
    write_sample(tmp / "sample", tmp / "sample-store")
    bill = tmp / "bill-store"
    ingest_billing([tmp / "sample" / "billing"], bill)
    series = _bill_series(bill)
    real = tmp / "real-store"
    ingest_billing([SHARED / "billing" / "focus-1.0-sample.csv"], real)
    series.append(
        ("real FOCUS 1.0 sample bill, USD total (30 days)",
         series_frame(daily_cost(read_charges(real), "USD")), 7)
    )  # fmt: skip
    traffic = SHARED / "traffic"
    series.append(
        ("Wikipedia Peyton Manning (log views, daily)",
         read_series(traffic / "wikipedia-peyton-manning-log-daily.csv"), 30)
    )  # fmt: skip
    series.append(
        ("NYC taxi passengers, summed per day",
         read_series(traffic / "nab-nyc_taxi.csv", freq="1d", agg="sum"), 7)
    )  # fmt: skip
    print("| series | days | horizon | windows | MASE (ours) | MASE (seasonal naive) | "
          "80% coverage | 95% coverage | seconds |")  # fmt: skip
    print("|---|---|---|---|---|---|---|---|---|")
    for name, frame, horizon in series:
        start = time.perf_counter()
        try:
            r = backtest_series(frame, horizon, windows=4 if args.quick else None)
        except Exception as exc:  # noqa: BLE001 - a benchmark row, not a user path
            print(f"| {name} | {frame.height} | {horizon} | - | {exc} | | | | |")
            continue
        ours, naive = r["models"]["load"], r["models"]["seasonal_naive"]
        print(
            f"| {name} | {r['n']} | {horizon} | {r['windows']} | {ours['mase']:.3f} | "
            f"{naive['mase']:.3f} | {ours['coverage_80']:.3f} | {ours['coverage_95']:.3f} | "
            f"{time.perf_counter() - start:.1f} |",
            flush=True,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
