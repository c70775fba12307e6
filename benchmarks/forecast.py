"""Benchmark: load forecast accuracy on the real traces, against seasonal naive and
statsforecast, in one run on the same windows.

For each trace in ../shared/data/traffic (NAB CloudWatch metrics, NYC taxi, Wikipedia page
views), at its native grain, forecasting one day ahead (30 days for the daily series) from
the last W origins (rolling origin, expanding window; W from ``standard_windows``: at
most 30, leaving a week of training), it reports MASE, sMAPE, 80% / 95%
interval coverage, MSIS and the seconds spent, for:

- ``load``: this project's forecaster (``forecaster.forecast.LoadForecaster``);
- ``seasonal_naive``: the last season repeated, with textbook intervals;
- ``sf_mstl``: statsforecast MSTL over the same seasons, AutoETS (ZZN) on the
  deseasonalised series (statsforecast's recommended model for multiple seasonalities);
- ``sf_autoets``: statsforecast AutoETS, seasonal with the primary season where
  statsforecast allows it (period <= 24: the daily series), non-seasonal otherwise.

statsforecast is a benchmark-only reference: ``pip install statsforecast``. Gaps are
linearly interpolated for it (it accepts no missing values); metrics skip gap actuals.

    python benchmarks/forecast.py [--traces DIR] [--quick | --windows N]
"""

from __future__ import annotations

import argparse
import sys
import time
import warnings
from pathlib import Path

import numpy as np

from forecaster.forecast.backtest import (
    METRICS,
    backtest,
    load_model,
    seasonal_naive_model,
    standard_windows,
)
from forecaster.forecast.level import interpolate
from forecaster.forecast.series import (
    primary_period,
    read_series,
    series_freq,
    supported_periods,
    values,
)

ROOT = Path(__file__).resolve().parents[1]
TRACES = ROOT.parent / "shared" / "data" / "traffic"
HORIZON = {"5m": 288, "30m": 48, "1h": 24, "1d": 30}

# Windows per trace: ``standard_windows`` (at most 30, a week of training before the first)
RUNS = [
    "nab-elb_request_count_8c0756.csv",
    "nab-ec2_cpu_utilization_5f5533.csv",
    "nab-ec2_network_in_257a54.csv",
    "nab-rds_cpu_utilization_e47b3b.csv",
    "nab-cpu_utilization_asg_misconfiguration.csv",
    "nab-nyc_taxi.csv",
    "wikipedia-peyton-manning-log-daily.csv",
]


def statsforecast_models(freq: str, n_train: int) -> dict:
    """MSTL + AutoETS and AutoETS from statsforecast, as backtest models."""
    try:
        from statsforecast.models import MSTL, AutoETS
    except ImportError:
        sys.exit("benchmarks/forecast.py needs statsforecast: pip install statsforecast")
    seasons = [int(round(p)) for name, p in supported_periods(freq, n_train) if name != "hourly"]
    primary = primary_period(freq, n_train)

    def wrap(make):
        def run(train: np.ndarray, horizon: int) -> dict[str, np.ndarray]:
            y = interpolate(np.asarray(train, dtype=float))
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                r = make().forecast(y=y, h=horizon, level=[80, 95])
            return {
                "mean": r["mean"],
                "lo_80": r["lo-80"],
                "hi_80": r["hi-80"],
                "lo_95": r["lo-95"],
                "hi_95": r["hi-95"],
            }

        return run

    models = {
        "sf_autoets": wrap(lambda: AutoETS(season_length=primary if primary <= 24 else 1)),
    }
    if seasons:
        models["sf_mstl"] = wrap(
            lambda: MSTL(season_length=seasons, trend_forecaster=AutoETS(model="ZZN"))
        )
    return models


def timed_models(models: dict) -> tuple[dict, dict]:
    """Wrap each model to add up its seconds."""
    seconds = dict.fromkeys(models, 0.0)

    def wrap(name, fn):
        def run(train, horizon):
            start = time.perf_counter()
            out = fn(train, horizon)
            seconds[name] += time.perf_counter() - start
            return out

        return run

    return {name: wrap(name, fn) for name, fn in models.items()}, seconds


def fmt(value: float) -> str:
    """Three decimals; scientific notation for an interval score that exploded."""
    return f"{value:.3f}" if abs(value) < 1e6 else f"{value:.2e}"


def run_trace(path: Path, windows: int | None) -> dict:
    series = read_series(path)
    freq = series_freq(series)
    horizon = HORIZON[freq]
    y = values(series)
    windows = windows or standard_windows(y.size, freq, horizon)
    n_train = y.size - windows * horizon
    m = primary_period(freq, n_train)
    models = {"load": load_model(freq), "seasonal_naive": seasonal_naive_model(m)}
    models.update(statsforecast_models(freq, n_train))
    timed, seconds = timed_models(models)
    result = backtest(y, freq, horizon, windows=windows, models=timed)
    result["seconds"] = seconds
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--traces", type=Path, default=TRACES, help="directory of trace CSVs")
    parser.add_argument("--quick", action="store_true", help="three windows per trace")
    parser.add_argument("--windows", type=int, help="the last N windows of every trace")
    args = parser.parse_args()
    print("python benchmarks/forecast.py " + " ".join(sys.argv[1:]))
    rows = []
    for name in RUNS:
        path = args.traces / name
        if not path.exists():
            sys.exit(f"{path} is missing: the shared data sits beside the checkout")
        result = run_trace(path, args.windows or (3 if args.quick else None))
        print(
            f"\n{name}: {result['freq']} grain, horizon {result['horizon']} steps, "
            f"{result['windows']} windows, seasonal naive lag {result['season_length']}"
        )
        print(f"  {'model':<16}" + "".join(f"{m:>12}" for m in METRICS) + f"{'seconds':>10}")
        for model, metrics in result["models"].items():
            cells = "".join(f"{fmt(metrics[m]):>12}" for m in METRICS)
            print(f"  {model:<16}{cells}{result['seconds'][model]:>10.1f}")
        rows.append(result)
    summarize(rows)


def summarize(rows: list[dict]) -> None:
    """Across traces: geometric mean of MASE relative to seasonal naive, wins on MASE,
    mean 80% coverage and how many traces land in 70-90%."""
    models = list(rows[0]["models"])
    print("\nall traces")
    print(
        f"  {'model':<16}{'rel. MASE':>12}{'MASE wins':>12}{'mean cov80':>12}"
        f"{'cov80 ok':>12}{'mean cov95':>12}{'seconds':>10}"
    )
    for model in models:
        rel = [r["models"][model]["mase"] / r["models"]["seasonal_naive"]["mase"] for r in rows]
        wins = sum(r["models"][model]["mase"] < r["models"]["seasonal_naive"]["mase"] for r in rows)
        cov80 = [r["models"][model]["coverage_80"] for r in rows]
        cov95 = [r["models"][model]["coverage_95"] for r in rows]
        ok = sum(0.70 <= c <= 0.90 for c in cov80)
        secs = sum(r["seconds"][model] for r in rows)
        print(
            f"  {model:<16}{float(np.exp(np.mean(np.log(rel)))):>12.3f}"
            f"{wins:>9}/{len(rows):<2}{float(np.mean(cov80)):>12.3f}"
            f"{ok:>9}/{len(rows):<2}{float(np.mean(cov95)):>12.3f}{secs:>10.1f}"
        )


if __name__ == "__main__":
    main()
