"""The pack's outlook: scaling ceilings and their dates, the cost forecast and TCO.

Scaling: a workload's load tests (CSV, k6 or Locust files whose name starts with the
workload's name, in a ``loadtest`` directory next to the workloads file, or given
explicitly) are fitted with the Universal Scalability Law. The ceiling date compares the
peak throughput with a forecast of the workload's busiest hour per day, as a rate per
second (the hourly load divided by 3,600): the load-test throughput is taken to be per
second, as load tools report it. The forecast uses only data up to the end of the month.

Sections whose engine is not there yet say so (``not_available``) instead of showing
numbers that were not computed.
"""

from __future__ import annotations

import logging
import warnings
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np
import polars as pl

from forecaster.errors import ForecasterError
from forecaster.review.pack import Table
from forecaster.scaling.ceiling import ceiling_date
from forecaster.scaling.explain import describe
from forecaster.scaling.loadtest import read_load_tests
from forecaster.scaling.usl import USLModel
from forecaster.workloads import Workload
from forecaster.workloads.series import workload_load

log = logging.getLogger(__name__)

CEILING_SHARE = 0.8
HORIZON_DAYS = 365
HISTORY_DAYS = 180
LOADTEST_SUFFIXES = (".csv", ".json")


def find_load_tests(workloads: list[Workload], directory: Path | None) -> dict[str, list[Path]]:
    """Files in ``directory`` whose name starts with a workload's name (longest name wins)."""
    if directory is None or not directory.is_dir():
        return {}
    names = sorted((w.name for w in workloads), key=lambda n: (-len(n), n))
    found: dict[str, list[Path]] = {}
    for path in sorted(directory.iterdir()):
        if not path.is_file() or path.suffix.lower() not in LOADTEST_SUFFIXES:
            continue
        for name in names:
            if path.name.lower().startswith(name.lower()):
                found.setdefault(name, []).append(path)
                break
    return found


def not_available(name: str, title: str, reason: str) -> Table:
    """A table that says why a section has no figures."""
    frame = pl.DataFrame({"section": [title], "status": ["not available"], "reason": [reason]})
    return Table(
        name=name, title=title, frame=frame, description=reason, note=f"not available: {reason}"
    )


def peak_rate_forecast(
    samples: pl.LazyFrame, workload: Workload, end: datetime
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(history, forecast) of the busiest hour's load per second, per day (UTC).

    History: ``timestamp, actual`` for the last HISTORY_DAYS days before ``end``; forecast:
    ``timestamp, mean, lo_80, hi_80, lo_95, hi_95`` for HORIZON_DAYS days after it.
    """
    from forecaster.forecast.load import LoadForecaster  # in progress elsewhere: imported late

    hourly = workload_load(samples, workload, "hour").filter(pl.col("period_start") < end)
    daily = (
        hourly.group_by(pl.col("period_start").dt.truncate("1d").alias("timestamp"))
        .agg((pl.col("load").max() / 3600.0).alias("actual"))
        .sort("timestamp")
    )
    if daily.height == 0:
        raise ForecasterError(f"no load for {workload.name!r} before {end:%Y-%m-%d}")
    full = pl.DataFrame(
        {
            "timestamp": pl.datetime_range(
                daily["timestamp"][0], daily["timestamp"][-1], "1d", eager=True, time_zone="UTC"
            )
        }
    ).join(daily, on="timestamp", how="left")
    values = full["actual"].cast(pl.Float64).fill_null(np.nan).to_numpy()
    with warnings.catch_warnings():  # empty-slice means inside the forecaster's calibration
        warnings.simplefilter("ignore", RuntimeWarning)
        pred = LoadForecaster(freq="1d", horizon=HORIZON_DAYS).fit(values).predict()
    last = full["timestamp"][-1]
    steps = [last + timedelta(days=i + 1) for i in range(HORIZON_DAYS)]
    forecast = pl.DataFrame({"timestamp": steps, **{k: np.asarray(v) for k, v in pred.items()}})
    return full.tail(HISTORY_DAYS), forecast.with_columns(
        pl.col("timestamp").cast(full["timestamp"].dtype)
    )


SCALING_KINDS = {
    "points": "integer",
    "sigma": "number",
    "kappa": "number",
    "gamma": "number",
    "r2": "number",
    "peak_load": "number",
    "peak_throughput": "number",
    "ceiling_share": "ratio",
    "current_peak_rate": "number",
}


def _date(value: str | None) -> str | None:
    return None if value is None else str(value)[:10]


def scaling_section(
    samples: pl.LazyFrame,
    workloads: list[Workload],
    tests: dict[str, list[Path]],
    end: datetime,
    searched: str,
) -> tuple[Table, dict[str, pl.DataFrame]]:
    """The USL fit per workload with load tests, its ceiling and the date the forecast
    busiest-hour rate reaches CEILING_SHARE of it; plus chart series per workload."""
    by_name = {w.name: w for w in workloads}
    rows, charts = [], {}
    for name in sorted(tests):
        files = tests[name]
        row: dict = {"workload": name, "load_tests": ", ".join(p.name for p in files)}
        try:
            points = read_load_tests(files)
            model = USLModel().fit(points["load"], points["throughput"], source=row["load_tests"])
        except ForecasterError as exc:
            row["note"] = f"cannot fit the load tests: {exc}"
            rows.append(row)
            continue
        row.update(
            {
                "points": len(model.load_),
                "sigma": model.sigma_,
                "kappa": model.kappa_,
                "gamma": model.gamma_,
                "r2": model.r2_,
                "ceiling_kind": model.ceiling_kind_,
                "peak_load": model.peak_load_,
                "peak_throughput": model.peak_throughput_,
                "ceiling_share": CEILING_SHARE,
                "explanation": describe(model),
            }
        )
        try:
            history, forecast = peak_rate_forecast(samples, by_name[name], end)
        except (ForecasterError, ImportError) as exc:
            row["note"] = f"no ceiling date: the load forecast is not available ({exc})"
            rows.append(row)
            continue
        dates = ceiling_date(forecast, model.peak_throughput_, CEILING_SHARE)
        row.update(
            {
                "current_peak_rate": float(history["actual"].drop_nulls()[-1]),
                "ceiling_date": _date(dates["ceiling_date"]),
                "ceiling_date_80_early": _date(dates["ceiling_date_80"][0]),
                "ceiling_date_80_late": _date(dates["ceiling_date_80"][1]),
                "horizon_end": _date(dates["forecast_horizon_end"]),
            }
        )
        if dates["ceiling_threshold"] is None:
            row["note"] = "the fitted law has no throughput ceiling to reach"
        elif dates["ceiling_date"] is None and dates["ceiling_date_80"][0] is None:
            row["note"] = (
                f"the forecast busiest-hour rate stays below {CEILING_SHARE:.0%} of the ceiling "
                f"until {row['horizon_end']}"
            )
        charts[name] = pl.concat(
            [history, forecast.with_columns(pl.lit(None, dtype=pl.Float64).alias("actual"))],
            how="diagonal_relaxed",
        ).with_columns(pl.lit(dates["ceiling_threshold"], dtype=pl.Float64).alias("threshold"))
        rows.append(row)
    schema: dict[str, pl.DataType] = {"workload": pl.String(), "load_tests": pl.String()}
    for col in ("points", "sigma", "kappa", "gamma", "r2"):
        schema[col] = pl.Int64() if col == "points" else pl.Float64()
    schema["ceiling_kind"] = pl.String()
    for col in ("peak_load", "peak_throughput", "ceiling_share", "current_peak_rate"):
        schema[col] = pl.Float64()
    for col in ("ceiling_date", "ceiling_date_80_early", "ceiling_date_80_late", "horizon_end"):
        schema[col] = pl.String()
    schema["explanation"] = pl.String()
    schema["note"] = pl.String()
    note = None if rows else f"no load tests found ({searched})"
    return (
        Table(
            name="scaling",
            title="Scaling ceilings",
            frame=pl.DataFrame(rows, schema=schema),
            kinds=SCALING_KINDS,
            description=(
                "Universal Scalability Law fitted to each workload's load tests: contention "
                "sigma, coherency kappa, throughput at load 1 gamma, the peak load N* and the "
                "peak throughput (per second). The ceiling date is when the forecast busiest "
                f"hour per day (load per second) first reaches {CEILING_SHARE:.0%} of the peak "
                "throughput (mean forecast; 80% band: early and late dates)."
            ),
            note=note,
        ),
        charts,
    )
