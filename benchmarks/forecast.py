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

statsforecast is the reference: ``pip install '.[stats]'``. Gaps are linearly interpolated
for it (it accepts no missing values); metrics skip gap actuals.

Beyond the traces (``--grain``):

- ``monthly``: the real monthly series in tests/fixtures/monthly (R datasets, fpp2,
  forecast, statsmodels co2; none of pmdarima's), 12 and 18 months ahead, the last 2
  windows, against seasonal naive (lag 12) and statsforecast AutoETS, AutoTheta and MSTL
  (season 12);
- ``weekly``: the M4 weekly series in ../shared/data/forecast-dev, M4's own test (the 13
  weeks after each history, one origin), sMAPE and MASE as M4 scores them (MASE scaled
  by the history's mean absolute one-step difference), to set beside M4's published
  Theta (sMAPE 9.093, MASE 2.637 over all 359 series) and the naive forecast on this
  subset (9.537, 2.915); statsforecast with season 52;
- ``week-ahead``: NYC taxi half-hourly, 336 steps (a week) ahead, the last 4 windows,
  against seasonal naive of the last day and of the last week and statsforecast MSTL
  (seasons 48 and 336).

At weekly and monthly grain ``load`` is our forecaster without statsforecast's candidates
(what a plain install gives), ``load_sf`` (``--sf-candidates``) the same with them;
``theta`` is M4's Theta benchmark (``forecaster.forecast.candidates.theta``) and ``naive``
the last value, point forecasts only (no coverage). ``--cache FILE`` keeps statsforecast's
reference forecasts in a JSON file and reuses them on a rerun (same series, training length,
horizon and model).

    python benchmarks/forecast.py [--grain traces|monthly|weekly|week-ahead|all]
        [--traces DIR] [--quick | --windows N] [--weekly-series N] [--sf-candidates]
        [--cache FILE]
"""

from __future__ import annotations

import argparse
import json
import os
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
    window_metrics,
)
from forecaster.forecast.candidates import naive, theta
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
MONTHLY = ROOT / "tests" / "fixtures" / "monthly"
M4_WEEKLY = ROOT.parent / "shared" / "data" / "forecast-dev"
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


def _columns(r: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """statsforecast's forecast (``mean``, ``lo-80``, ...) in the engine's column names."""
    names = {"mean": "mean", "lo_80": "lo-80", "hi_80": "hi-80", "lo_95": "lo-95", "hi_95": "hi-95"}
    return {ours: r[theirs] for ours, theirs in names.items()}


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
            return _columns(r)

        return run

    models = {
        "sf_autoets": wrap(lambda: AutoETS(season_length=primary if primary <= 24 else 1)),
    }
    if seasons:
        models["sf_mstl"] = wrap(
            lambda: MSTL(season_length=seasons, trend_forecaster=AutoETS(model="ZZN"))
        )
    return models


def business_models(period: int) -> dict:
    """statsforecast AutoETS, AutoTheta and MSTL (AutoETS ZZN on the deseasonalised
    series) with one yearly season of ``period`` steps, as backtest models."""
    try:
        from statsforecast.models import MSTL, AutoETS, AutoTheta
    except ImportError:
        sys.exit("benchmarks/forecast.py needs statsforecast: pip install '.[stats]'")

    def wrap(make):
        def run(train: np.ndarray, horizon: int) -> dict[str, np.ndarray]:
            y = interpolate(np.asarray(train, dtype=float))
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                try:
                    r = make(y.size).forecast(y=y, h=horizon, level=[80, 95])
                except Exception:  # a model that cannot fit this series: non-seasonal
                    r = AutoETS(season_length=1).forecast(y=y, h=horizon, level=[80, 95])
            return _columns(r)

        return run

    def season(n: int) -> int:
        return period if n >= 2 * period else 1

    return {
        "sf_autoets": wrap(lambda n: AutoETS(season_length=season(n))),
        "sf_autotheta": wrap(lambda n: AutoTheta(season_length=season(n))),
        "sf_mstl": wrap(
            lambda n: MSTL(season_length=[season(n)], trend_forecaster=AutoETS(model="ZZN"))
        ),
    }


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


class ReferenceCache:
    """Forecasts of the reference models (statsforecast) kept in a JSON file between runs,
    keyed by series, training length, horizon and model: statsforecast AutoETS with a season
    of 52 takes tens of seconds a fit, so a rerun after a change to our forecaster reuses
    them instead of refitting. ``None``: no cache, every model is fitted."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self.data: dict[str, dict[str, list[float]]] = {}
        if path is not None and path.exists():
            self.data = json.loads(path.read_text())

    def wrap(self, series: str, name: str, fn):
        if self.path is None:
            return fn

        def run(train: np.ndarray, horizon: int) -> dict[str, np.ndarray]:
            key = f"{series}|{train.size}|{horizon}|{name}"
            if key not in self.data:
                out = fn(train, horizon)
                self.data[key] = {k: [float(x) for x in v] for k, v in out.items()}
            return {k: np.asarray(v, dtype=float) for k, v in self.data[key].items()}

        return run

    def save(self) -> None:
        if self.path is None:
            return
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text(json.dumps(self.data))
        os.replace(tmp, self.path)


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


def print_table(title: str, results: list[dict]) -> None:
    """Mean of each metric over series per model, MASE wins over seasonal naive, and how
    often 80% coverage lands in 75-85%."""
    models = list(results[0]["models"])
    print(f"\n{title}: {len(results)} series")
    print(
        f"  {'model':<16}{'mean MASE':>11}{'mean sMAPE':>12}{'cov 80':>9}{'cov 95':>9}"
        f"{'MSIS':>9}{'beats sn':>10}{'seconds':>10}"
    )
    for model in models:
        col = {m: [r["models"][model][m] for r in results] for m in METRICS}
        wins = sum(
            r["models"][model]["mase"] < r["models"]["seasonal_naive"]["mase"] for r in results
        )
        secs = sum(r["seconds"][model] for r in results)
        print(
            f"  {model:<16}{np.nanmean(col['mase']):>11.3f}{np.nanmean(col['smape']):>12.2f}"
            f"{np.nanmean(col['coverage_80']):>9.3f}{np.nanmean(col['coverage_95']):>9.3f}"
            f"{np.nanmedian(col['msis_95']):>9.2f}{wins:>6}/{len(results):<3}{secs:>10.1f}"
        )


def run_monthly(
    horizon: int,
    windows: int = 2,
    cache: ReferenceCache | None = None,
    with_sf: bool = False,
    folder: Path = MONTHLY,
) -> list[dict]:
    cache = cache or ReferenceCache(None)
    out = []
    for path in sorted(folder.glob("*.csv")):
        y = values(read_series(path, freq="1mo"))
        models = {"load": load_model("1mo", statsforecast=False)}
        if with_sf:
            models["load_sf"] = load_model("1mo", statsforecast=True)
        models["seasonal_naive"] = seasonal_naive_model(12)
        models["theta"] = point_model(theta(12))
        models.update({k: cache.wrap(path.stem, k, fn) for k, fn in business_models(12).items()})
        timed, seconds = timed_models(models)
        result = backtest(y, "1mo", horizon, windows=windows, models=timed)
        result["seconds"] = seconds
        out.append(result)
        cache.save()
    return out


def m4_weekly(limit: int | None) -> list[tuple[str, np.ndarray, np.ndarray]]:
    import polars as pl

    train = pl.read_csv(M4_WEEKLY / "Weekly-train.csv")
    test = pl.read_csv(M4_WEEKLY / "Weekly-test.csv")
    names = train["series"].unique(maintain_order=True).to_list()[:limit]
    return [
        (
            name,
            train.filter(pl.col("series") == name)["value"].to_numpy().astype(float),
            test.filter(pl.col("series") == name)["value"].to_numpy().astype(float),
        )
        for name in names
    ]


def run_weekly(
    limit: int | None, cache: ReferenceCache | None = None, with_sf: bool = False
) -> list[dict]:
    """M4's test: one origin, the 13 weeks after each history; M4's MASE scale (m = 1)."""
    cache = cache or ReferenceCache(None)
    out = []
    for name, train, test in m4_weekly(limit):
        models = {"load": load_model("1w", statsforecast=False)}
        if with_sf:
            models["load_sf"] = load_model("1w", statsforecast=True)
        models |= {
            "seasonal_naive": seasonal_naive_model(52),
            "naive": point_model(naive),
            "theta": point_model(theta(52)),
        }
        models.update({k: cache.wrap(name, k, fn) for k, fn in business_models(52).items()})
        timed, seconds = timed_models(models)
        scale = float(np.mean(np.abs(np.diff(train))))
        metrics = {}
        for model_name, model in timed.items():
            metrics[model_name] = window_metrics(test, model(train, test.size), scale)
        out.append({"models": metrics, "seconds": seconds})
        cache.save()
    return out


def point_model(fn) -> dict:
    """A point forecast as a backtest model (no intervals: coverage NaN)."""

    def run(train: np.ndarray, horizon: int) -> dict[str, np.ndarray]:
        mean = fn(train, horizon)
        nan = np.full(horizon, np.nan)
        return {"mean": mean, "lo_80": nan, "hi_80": nan, "lo_95": nan, "hi_95": nan}

    return run


def run_week_ahead(windows: int = 4) -> list[dict]:
    series = read_series(TRACES / "nab-nyc_taxi.csv")
    y = values(series)
    models = {
        "load": load_model("30m"),
        "seasonal_naive": seasonal_naive_model(48),
        "seasonal_naive_week": seasonal_naive_model(336),
    }
    try:
        from statsforecast.models import MSTL, AutoETS
    except ImportError:
        sys.exit("benchmarks/forecast.py needs statsforecast: pip install '.[stats]'")

    def mstl(train: np.ndarray, horizon: int) -> dict[str, np.ndarray]:
        m = MSTL(season_length=[48, 336], trend_forecaster=AutoETS(model="ZZN"))
        r = m.forecast(y=interpolate(train), h=horizon, level=[80, 95])
        return {k: r[v] for k, v in FC_KEYS.items()}

    models["sf_mstl"] = mstl
    timed, seconds = timed_models(models)
    result = backtest(y, "30m", 336, windows=windows, models=timed)
    result["seconds"] = seconds
    return [result]


FC_KEYS = {"mean": "mean", "lo_80": "lo-80", "hi_80": "hi-80", "lo_95": "lo-95", "hi_95": "hi-95"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--grain",
        choices=("traces", "monthly", "weekly", "week-ahead", "all"),
        default="traces",
        help="which benchmark (default: the seven traces)",
    )
    parser.add_argument("--traces", type=Path, default=TRACES, help="directory of trace CSVs")
    parser.add_argument("--quick", action="store_true", help="three windows per trace")
    parser.add_argument("--windows", type=int, help="the last N windows of every trace")
    parser.add_argument(
        "--monthly",
        type=Path,
        default=MONTHLY,
        help="directory of monthly series CSVs (timestamp,value; default tests/fixtures/monthly;"
        " tests/fixtures/monthly-prior holds 47 others)",
    )
    parser.add_argument("--weekly-series", type=int, default=None, help="first N M4 series")
    parser.add_argument(
        "--sf-candidates",
        action="store_true",
        help="also run load_sf: our forecaster with statsforecast's models as candidates",
    )
    parser.add_argument(
        "--cache",
        type=Path,
        default=None,
        help="JSON file of statsforecast forecasts reused between runs (made if missing)",
    )
    args = parser.parse_args()
    print("python benchmarks/forecast.py " + " ".join(sys.argv[1:]))
    cache = ReferenceCache(args.cache)
    if args.grain in ("monthly", "all"):
        for horizon in (12, 18):
            print_table(
                f"monthly, {horizon} months ahead, last 2 windows",
                run_monthly(horizon, cache=cache, with_sf=args.sf_candidates, folder=args.monthly),
            )
    if args.grain in ("weekly", "all"):
        print_table(
            "M4 weekly, 13 weeks ahead (M4 test, M4 MASE)",
            run_weekly(args.weekly_series, cache=cache, with_sf=args.sf_candidates),
        )
    if args.grain in ("week-ahead", "all"):
        print_table("NYC taxi half-hourly, a week (336 steps) ahead", run_week_ahead())
    if args.grain not in ("traces", "all"):
        return
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
