"""Benchmark: do the TCO's monthly P10-P90 bands hold 70-90% of actual months?

Two backtests, each with the previous scheme beside it in the same run:

- ``sample``: the whole cost projection (``forecaster.tco.backtest.backtest_projection``,
  ``run_tco`` 36 months ahead from each cutoff, workloads through their cost curves plus
  the cost by time) on the bundled sample, cutoffs every other month from 2025-11, per
  currency: USD (five workloads and the cost they leave unclaimed), EUR (a bill alone,
  forecast by time from 12 to 22 months of history).
- ``real``: the monthly cost forecast by time (``forecaster.timeonly.monthly.forecast_months``,
  what ``run_tco`` projects for cost no workload claims) on the 12 real monthly series of
  tests/fixtures/monthly, each cut to a young bill's 12, 18, 24 or 36 months of history, at
  cutoffs a year apart (at most ``--cutoffs`` per series), scored 1-12 months ahead.
  ``before``: the load forecaster's own 80% interval at monthly grain (with under 30
  months its Gaussian fallback widened 1.5x), the band ``run_tco`` used until session 5.

- ``prior``: ``forecaster.timeonly.monthly.PRIOR_EXPONENT`` measured: the growth exponent of
  the median's errors 1-12 months ahead, forecast from 12 months of history at 4 cutoffs a
  year apart on the 47 other real monthly series of tests/fixtures/monthly-prior (each
  series' errors scaled by their RMS, then ``growth_exponent`` of them pooled); and the band
  backtested on those series as on the 12 (a check on series the band was not tested on).

Coverage is the share of (cutoff, month) pairs inside P10-P90 over months 1..h ahead;
width the mean (P90 - P10) / P50; MAPE that of the median.

``cumulative`` (the correlation over time): the actual total of months 1..h against the band
of the total, per cutoff, under one draw for every month (what ``run_tco`` draws: the total's
P10 is the sum of the months' P10) and under independent months (half-widths added in
quadrature), the two ends of the choice.

    python benchmarks/tco_bands.py [--part sample|real|prior|all] [--cutoffs 4]
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from datetime import date
from pathlib import Path

import numpy as np
import polars as pl

from forecaster.forecast.load import LoadForecaster
from forecaster.tco.backtest import backtest_months, backtest_projection, summarize
from forecaster.timeonly.monthly import PRIOR_EXPONENT, growth_exponent

ROOT = Path(__file__).resolve().parents[1]
MONTHLY = ROOT / "tests" / "fixtures" / "monthly"
PRIOR = ROOT / "tests" / "fixtures" / "monthly-prior"
CUTOFFS = ["2025-11", "2026-01", "2026-03", "2026-05", "2026-07", "2026-09"]
HISTORIES = (12, 13, 18, 24, 36)


def _line(label: str, rows: list[dict]) -> str:
    s = summarize(rows)
    cov = " / ".join(f"{s[h]['coverage_p10_p90']:.3f}" for h in (3, 6, 12))
    width = " / ".join(f"{s[h]['width_pct']:.1f}%" for h in (3, 6, 12))
    return f"| {label} | {s[12]['months']} | {cov} | {width} | {s[12]['mape_p50_pct']:.1f}% |"


HEADER = (
    "| backtest | months scored | P10-P90 coverage 3 / 6 / 12 months | width 3 / 6 / 12 "
    "| MAPE of P50 (12) |\n|---|---:|---|---|---:|"
)


def _cumulative(label: str, rows: list[dict]) -> list[str]:
    """Coverage and width of the band of the total of months 1..h per cutoff, h = 3, 6, 12,
    under one draw for every month and under independent months."""
    by_cut: dict[object, list[dict]] = {}
    for r in rows:
        by_cut.setdefault((r.get("series"), r.get("currency"), r["cutoff"]), []).append(r)
    out = []
    for name, joint in (("one draw", True), ("independent months", False)):
        cells = []
        for h in (3, 6, 12):
            hits, widths = [], []
            for part in by_cut.values():
                part = sorted(part, key=lambda r: r["months_ahead"])[:h]
                if len(part) < h:
                    continue
                actual = sum(r["actual"] for r in part)
                mid = sum(r["p50"] for r in part)
                if joint:
                    lo, hi = sum(r["p10"] for r in part), sum(r["p90"] for r in part)
                else:
                    lo = mid - np.sqrt(sum((r["p50"] - r["p10"]) ** 2 for r in part))
                    hi = mid + np.sqrt(sum((r["p90"] - r["p50"]) ** 2 for r in part))
                hits.append(lo <= actual <= hi)
                widths.append((hi - lo) / mid)
            cells.append(
                f"{np.mean(hits):.3f} ({len(hits)}, {np.mean(widths) * 100:.1f}%)" if hits else "-"
            )
        out.append(f"| {label}: {name} | {' | '.join(cells)} |")
    return out


CUMULATIVE = (
    "| total of months 1..h | h = 3: coverage (totals, width) | h = 6 | h = 12 |\n|---|---|---|---|"
)


def run_sample(samples: int) -> None:
    from forecaster.sample import write_sample

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        write_sample(root / "sample", root / "store")
        t0 = time.perf_counter()
        result = backtest_projection(
            root / "store", root / "sample" / "workloads.toml", cutoffs=CUTOFFS, samples=samples
        )
        took = time.perf_counter() - t0
    print(f"\nsample, {len(CUTOFFS)} cutoffs, {samples} paths, 36 months ahead ({took:.0f} s)")
    print(HEADER)
    for cur in ("USD", "EUR"):
        print(_line(cur, [r for r in result["rows"] if r["currency"] == cur]))
    print(CUMULATIVE)
    for cur in ("USD", "EUR"):
        print("\n".join(_cumulative(cur, [r for r in result["rows"] if r["currency"] == cur])))


def _before(y: np.ndarray, history: int, cutoffs: int) -> list[dict]:
    """The load forecaster's own monthly 80% interval, scored as ``backtest_months``."""
    rows = []
    for cutoff in list(range(y.size - 12, history - 1, -12))[:cutoffs]:
        pred = LoadForecaster("1mo", 36).fit(y[cutoff - history : cutoff]).predict()
        for ahead in range(1, 13):
            value = float(y[cutoff + ahead - 1])
            lo, mid, hi = (float(pred[k][ahead - 1]) for k in ("lo_80", "mean", "hi_80"))
            rows.append(
                {"months_ahead": ahead, "actual": value, "p10": lo, "p50": mid, "p90": hi,
                 "inside": lo <= value <= hi}
            )  # fmt: skip
    return rows


def _series(folder: Path) -> list[tuple[str, np.ndarray, date]]:
    series = []
    for path in sorted(folder.glob("*.csv")):
        frame = pl.read_csv(path, try_parse_dates=True)
        first = frame["timestamp"][0]
        series.append(
            (path.stem, frame["value"].to_numpy().astype(float), date(first.year, first.month, 1))
        )
    return series


def run_real(cutoffs: int, folder: Path = MONTHLY, histories: tuple[int, ...] = HISTORIES) -> None:
    series = _series(folder)
    print(
        f"\nreal monthly series ({len(series)}, {folder.name}), at most {cutoffs} cutoffs each, "
        "12 months scored"
    )
    print(HEADER)
    cumulative = []
    for history in histories:
        t0 = time.perf_counter()
        now = [
            {**r, "series": name}
            for name, y, first in series
            for r in backtest_months(y, history, max_cutoffs=cutoffs, first=first)
        ]
        took = time.perf_counter() - t0
        before = [r for _, y, _ in series for r in _before(y, history, cutoffs)]
        print(_line(f"{history} months of history: before", before))
        print(_line(f"{history} months of history: now ({took:.0f} s)", now))
        cumulative += _cumulative(f"{history} months of history", now)
    print(CUMULATIVE)
    print("\n".join(cumulative))


def measured_prior(cutoffs: int = 4, history: int = 12, folder: Path = PRIOR) -> float:
    """The growth exponent of the median's errors (log actual / P50, months 1-12 ahead) from
    ``history`` months on the series in ``folder``: each series' errors divided by their
    root mean square, pooled, ``growth_exponent`` of them (one row a forecast)."""
    rows = []
    for _, y, first in _series(folder):
        fc = backtest_months(y, history, max_cutoffs=cutoffs, first=first)
        e = np.log([r["actual"] / r["p50"] for r in fc]).reshape(-1, 12)
        rows.append(e / np.sqrt(np.mean(e**2)))
    return growth_exponent(np.vstack(rows))


def run_prior(cutoffs: int) -> None:
    t0 = time.perf_counter()
    c = measured_prior(cutoffs)
    print(
        f"\nprior: growth exponent of the errors from 12 months of history on "
        f"{len(list(PRIOR.glob('*.csv')))} other series: {c:.3f} (PRIOR_EXPONENT = "
        f"{PRIOR_EXPONENT}; {time.perf_counter() - t0:.0f} s)"
    )
    run_real(cutoffs, PRIOR, (12, 13, 18, 24))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--part", choices=("sample", "real", "prior", "all"), default="all")
    parser.add_argument("--cutoffs", type=int, default=4)
    parser.add_argument("--samples", type=int, default=200)
    args = parser.parse_args()
    print(f"load average at start: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    if args.part in ("real", "all"):
        run_real(args.cutoffs)
    if args.part in ("prior", "all"):
        run_prior(args.cutoffs)
    if args.part in ("sample", "all"):
        run_sample(args.samples)
    print(f"load average at end: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
