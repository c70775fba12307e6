"""``forecaster forecast-cost``: the bill's forecast by time, per currency, in total and per
provider, service and account (largest groups plus the rest), P10/P50/P90.

``--series-out FILE.csv`` writes the daily cost series (``timestamp,value``) the forecast
is fitted on, e.g. for ``forecaster backtest FILE --agg sum``; ``forecaster backtest
--cost`` backtests it straight from the store.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from forecaster.cli import options
from forecaster.cli.common import print_json, store_dir
from forecaster.errors import InputError
from forecaster.timeonly.bill import (
    DEFAULT_MONTHS,
    bill_forecast,
    bill_forecast_doc,
    store_charges,
)
from forecaster.timeonly.series import DEFAULT_GROUPS, DIMENSIONS, TOTAL, daily_cost, series_frame

TIME_FORMAT = "%Y-%m-%dT%H:%M:%SZ"


def add_series_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--currency", default=None, help="billing currency (needed when several)")
    p.add_argument("--by", choices=DIMENSIONS, default=None, help="split by this dimension")
    p.add_argument("--group", default=None, help="with --by: the group's label (default total)")
    options.sources(p)


def register(sub: argparse._SubParsersAction) -> None:
    p = options.command(sub, "forecast-cost")
    p.add_argument("--months", type=int, default=DEFAULT_MONTHS, help="months ahead, 1 to 36")
    p.add_argument("--groups", type=int, default=DEFAULT_GROUPS, help="largest groups shown")
    add_series_options(p)
    p.add_argument("--series-out", type=Path, default=None, help="write the daily series CSV")
    p.add_argument("--daily", action="store_true", help="with --json: the total's daily bands")
    options.store(p)
    options.json_output(p)
    p.set_defaults(func=run)


def cost_series(args: argparse.Namespace):
    """The regular daily cost series the arguments name (for the backtest and the export)."""
    charges = store_charges(store_dir(args), args.source)
    from forecaster.timeonly.series import currencies

    found = currencies(charges)
    if not found:
        raise InputError(f"{store_dir(args)}: the store holds no billing yet")
    currency = args.currency or (found[0] if len(found) == 1 else None)
    if currency is None:
        raise InputError(f"the store holds {', '.join(found)}: name one with --currency")
    if currency not in found:
        raise InputError(f"--currency {currency}: the store holds {', '.join(found)}")
    if args.group and not args.by:
        raise InputError("--group needs --by provider|service|account")
    daily = daily_cost(charges, currency, args.by, groups=getattr(args, "groups", DEFAULT_GROUPS))
    return series_frame(daily, args.group or (daily.groups[0] if args.by else TOTAL)), currency


def run(args: argparse.Namespace) -> int:
    if args.series_out is not None:
        if args.series_out.suffix.lower() != ".csv":
            raise InputError(f"--series-out {args.series_out}: expected a .csv file name")
        frame, _ = cost_series(args)
        frame.write_csv(args.series_out, datetime_format=TIME_FORMAT)
    results = bill_forecast(
        store_dir(args),
        args.months,
        groups=args.groups,
        sources=args.source,
        currency=args.currency,
    )
    doc = bill_forecast_doc(results, daily=args.daily)
    if args.json:
        print_json(doc)
        return 0
    from forecaster.cli.tco import print_time_only

    print_time_only(doc, args.months)
    if args.series_out is not None:
        print(f"\nwrote the daily cost series to {args.series_out}")
    return 0
