"""``forecaster forecast-load`` and ``forecaster backtest``: load forecasts with honest
intervals, and their measured accuracy.

``forecaster forecast-load FILE --horizon H [--freq 5m|30m|1h|1d|1w|1mo] [--agg mean|sum]
[--out FILE.csv]`` reads ``timestamp,value`` (CSV or Parquet) and writes
``timestamp,mean,lo_80,hi_80,lo_95,hi_95`` (to stdout without ``--out``).

``forecaster backtest FILE --horizon H [--freq ...] [--windows N] [--json]`` reports MASE,
sMAPE, 80%/95% coverage and MSIS of the forecaster next to seasonal naive, from a
rolling-origin evaluation over the last N windows of H steps.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from forecaster.cli import options
from forecaster.cli.common import print_json
from forecaster.cli.cost import add_series_options, cost_series
from forecaster.errors import InputError
from forecaster.forecast.backtest import METRICS
from forecaster.forecast.frames import backtest_series, forecast_series
from forecaster.forecast.series import FREQS, read_series

TIME_FORMAT = "%Y-%m-%dT%H:%M:%SZ"  # UTC


def _common(p: argparse.ArgumentParser, optional_file: bool = False) -> None:
    p.add_argument(
        "file",
        type=Path,
        nargs="?" if optional_file else None,
        help="timestamp,value CSV or Parquet (ds,y also read)",
    )
    p.add_argument(
        "--horizon", type=int, required=True, metavar="H", help="steps ahead, at the grain"
    )
    p.add_argument(
        "--freq",
        choices=FREQS,
        default=None,
        help="grain to forecast at (default: inferred from the data; finer data is aggregated)",
    )
    p.add_argument(
        "--agg",
        choices=("mean", "sum"),
        default="mean",
        help="how points add up to a coarser grain: mean (rates, CPU %%) or sum (counts)",
    )
    p.add_argument(
        "--metric",
        default=None,
        metavar="NAME",
        help="the metric to forecast, for a long file (timestamp,metric,value) holding several",
    )


def register(sub: argparse._SubParsersAction) -> None:
    p = options.command(sub, "forecast-load")
    _common(p)
    p.add_argument("--out", type=Path, default=None, help="write the forecast CSV here")
    p.set_defaults(func=run_forecast)

    b = options.command(sub, "backtest")
    _common(b, optional_file=True)
    b.add_argument(
        "--cost",
        action="store_true",
        help="backtest the bill's daily EffectiveCost from the store instead of a FILE "
        "(with --currency, --by, --group, --store as in forecast-cost)",
    )
    add_series_options(b)
    options.store(b)
    b.add_argument(
        "--windows",
        type=int,
        default=None,
        metavar="N",
        help="test windows (default: the last 30 horizons, or as many as leave a week of "
        "training, as benchmarks/forecast.py)",
    )
    options.json_output(b)
    b.set_defaults(func=run_backtest)


def _check(args: argparse.Namespace) -> None:
    if args.horizon < 1:
        raise InputError(f"--horizon {args.horizon}: expected at least 1 step")
    if getattr(args, "windows", None) is not None and args.windows < 1:
        raise InputError(f"--windows {args.windows}: expected at least 1 window")


def run_forecast(args: argparse.Namespace) -> int:
    _check(args)
    series = read_series(args.file, freq=args.freq, agg=args.agg, metric=args.metric)
    frame, model = forecast_series(series, args.horizon, args.freq)
    if args.out is None:
        sys.stdout.write(frame.write_csv(datetime_format=TIME_FORMAT))
        return 0
    if args.out.suffix.lower() != ".csv":
        raise InputError(f"--out {args.out}: expected a .csv file name")
    if not args.out.parent.exists():
        raise InputError(f"--out {args.out}: directory {args.out.parent} does not exist")
    frame.write_csv(args.out, datetime_format=TIME_FORMAT)
    cfg = model.config_
    method = model.method_
    seasons = ", ".join(name for name, _ in model.periods_) or "none"
    since = ""
    if model.break_ is not None:
        start = series.get_column("timestamp")[model.break_]
        since = f"; fitted since the regime break at {start:%Y-%m-%d %H:%M} UTC"
    print(
        f"wrote {frame.height} steps to {args.out} ({method}; seasons: {seasons}"
        + (
            ""
            if cfg.model
            else f"; log scale: {'yes' if cfg.log else 'no'}; trend: {'yes' if cfg.trend else 'no'}"
        )
        + f"{since})"
    )
    return 0


def run_backtest(args: argparse.Namespace) -> int:
    _check(args)
    if args.cost == (args.file is not None):
        raise InputError("backtest: give a FILE or --cost (the bill's daily cost), not both")
    if args.cost:
        series, currency = cost_series(args)
        label = f"{currency} daily EffectiveCost ({args.group or 'total'})"
    else:
        series, label = (
            read_series(args.file, freq=args.freq, agg=args.agg, metric=args.metric),
            str(args.file),
        )
    result = backtest_series(series, args.horizon, windows=args.windows, freq=args.freq)
    result["file"] = label
    if args.json:
        print_json(result)
        return 0
    print(
        f"{result['file']}: {result['freq']} grain, horizon {result['horizon']} steps, "
        f"{result['windows']} windows, seasonal naive lag {result['season_length']}"
    )
    header = f"{'model':<16}" + "".join(f"{m:>13}" for m in METRICS)
    print(header)
    for name, metrics in result["models"].items():
        print(f"{name:<16}" + "".join(f"{metrics[m]:>13.3f}" for m in METRICS))
    return 0
