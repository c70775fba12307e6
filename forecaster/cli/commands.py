"""What each command says about itself: its one-line help and its ``--help`` description.

One table, so that the words of every command (and of the ingest kinds and actions under
them) are read, reviewed and kept consistent in one place; ``add_command`` in
``forecaster.cli.common`` adds a parser from it. A key is the command as typed
(``"ingest billing"``); the parser's name is its last word. ``%`` is doubled (argparse
formats help with ``%``).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Command:
    help: str
    description: str | None = None


COMMANDS: dict[str, Command] = {
    "bridge": Command(
        "month-over-month cost bridge: volume, scaling excess, fixed, rate/price, ...",
    ),
    "forecast-cost": Command(
        "forecast the bill by time (P10/P50/P90), in total and per provider/service/account",
        "Forecast EffectiveCost from the bill's own daily history, per currency, in total and "
        "per provider, service and account (the largest groups plus the rest), with the load "
        "forecaster; no workloads needed.",
    ),
    "curves": Command(
        "fit cost against load: idle baseline, scaling excess, drift, anomalies",
        "Fit each workload's cost against its load (linear, power or capacity-step curve, "
        "chosen by AICc) and report findings in money per month.",
    ),
    "forecast-load": Command(
        "forecast a load series with 80%% and 95%% prediction intervals",
        "Forecast a timestamp,value load series: trend, daily/weekly/yearly seasonality as "
        "the data supports, robust to gaps, outliers and level shifts.",
    ),
    "backtest": Command(
        "rolling-origin accuracy of the load forecast against seasonal naive",
        "Rolling-origin backtest: MASE, sMAPE, 80%%/95%% interval coverage and MSIS of the "
        "load forecaster and of seasonal naive over the last N windows.",
    ),
    "ingest": Command("load billing or traffic data into the store"),
    "ingest billing": Command(
        "FOCUS 1.0-1.3 or AWS CUR (2.0 / legacy) files, directories or globs",
        "Normalize billing files to FOCUS columns and store them, one partition per (source, "
        "billing period). A period already stored is replaced atomically by a complete "
        "delivery of it (see --replace); the same files again change nothing; byte-identical "
        "files are read once. Fails, storing nothing, unless every stored total equals the "
        "source's to the cent, per billing period and currency.",
    ),
    "ingest cloudwatch": Command(
        "pull every load metric the workloads file names from CloudWatch",
        "GetMetricData for each [workload.load.cloudwatch] metric over [--start, --end), "
        "stored in the load store under the workload's load metric (source cloudwatch). "
        "Periods are checked against CloudWatch's retention (60 s data for 15 days, 300 s for "
        "63 days, 3600 s for 455 days); a missing period is the finest available.",
    ),
    "ingest cost-explorer": Command(
        "billing from Cost Explorer GetCostAndUsage (USD 0.01 per request)",
        "GetCostAndUsage (UnblendedCost, AmortizedCost, NetAmortizedCost) for whole months "
        "covering [--start, --end), stored as source cost-explorer. Cost Explorer charges USD "
        "0.01 per request: the command says how many it will make, reuses final months from "
        "its cache, and --dry-run stops after saying so.",
    ),
    "ingest athena": Command(
        "roll up a CUR 2.0 or FOCUS table in Amazon Athena and store the rollup",
        "Runs the billing rollup as one Athena query over DATABASE.TABLE (CUR 2.0 or FOCUS, "
        "as AWS Data Exports create them), polls it, reads the result and stores it as rollup "
        "partitions reconciled to the cent against the query's own source totals. Prints the "
        "bytes scanned and what the query cost.",
    ),
    "ingest traffic": Command(
        "traffic metrics: CSV or Parquet, wide (timestamp,value) or long "
        "(timestamp,metric,value[,unit])",
        "Store load samples (1-minute to daily) in the load store. A wide file "
        "(timestamp,value) needs --metric (and usually --unit); a long file names its "
        "metrics. Samples are merged by (source, metric, dimensions, timestamp): the same "
        "file again changes nothing, an overlapping one replaces the overlap.",
    ),
    "review": Command(
        "monthly cost review pack: totals, breakdowns, bridge, findings (xlsx/csv/html/pdf)",
        "Build the month's cost review: headline totals against the previous month, the same "
        "month last year and the budget; cost by provider, service, account and workload with "
        "unit cost; the month-over-month bridge; findings ranked by money; scaling ceilings; "
        "data-quality notes. Files are written all or nothing.",
    ),
    "sample": Command(
        "write the bundled sample dataset (24 months, 5 workloads, 3 providers)",
        "Write a realistic, deterministic sample: daily FOCUS billing, hourly traffic, a load "
        "test and a workloads file. Its ground truth is documented in data/README.md.",
    ),
    # its description is the long HELP text in forecaster.cli.scaling
    "scaling": Command("scaling ceiling from load tests (Universal Scalability Law)"),
    "serve": Command(
        "serve the interactive dashboard",
        "Serve the dashboard over a store: spend, workloads' cost curves, scaling ceilings, "
        "the monthly review and the data behind them.",
    ),
    "store": Command("inspect the local store"),
    "store status": Command("periods stored, with rows, totals and status"),
    "tco": Command(
        "cost forecast (P10/P50/P90) and TCO, NPV, break-even per what-if scenario",
        "Forecast each workload's load, push it through its fitted cost curve by Monte Carlo "
        "(load and curve uncertainty), add the cost no workload claims forecast by time, and "
        "compare scenarios (growth, architecture fix, commitment, price change) per currency: "
        "monthly bands, cumulative TCO, NPV and break-even month.",
    ),
    "workloads": Command(
        "each workload's cost and load per period, coverage, unclaimed cost",
        "Join each workload's cost (the billing rows its filters claim, times its share; "
        "EffectiveCost) with its load driver per period, show where one side is missing, and "
        "the cost no workload claims (per period and currency).",
    ),
    "workloads suggest": Command(
        "propose workloads from the bill, each with the load metric that drives it",
        "Propose workloads from the bill: the largest cost groups by a tag, the account or the "
        "service, each with the metric in the load store whose daily moves best follow its "
        "daily EffectiveCost, else a usage quantity from the bill (a proxy). Writes a "
        "commented workloads TOML that `forecaster workloads --workloads FILE` reads.",
    ),
}
