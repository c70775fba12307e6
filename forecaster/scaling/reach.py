"""When a workload's load reaches its scaling ceiling: the one definition of the ceiling date.

Every surface (the review pack, the dashboard's Scaling page, ``forecaster scaling
--workload``) asks ``workload_ceiling`` and only formats its answer.

The product's answer is the **busiest hour**: the system breaks in its busiest hour, not
on an average day. Per UTC day, the busiest hour's load is turned into a rate per second
(the hour's load divided by 3,600) and forecast a year ahead (``HORIZON_DAYS``, data before
``end`` only); the ceiling date is the first day the mean forecast reaches ``share`` (by
default ``CEILING_SHARE``, 80%) of the USL peak throughput, with the days the upper and
lower 80% bands reach it as the interval (early, late). The load-test throughput is taken
to be per second, as load tools report it.

The other reading, the **daily average** rate per second (the day's load divided by 86,400),
is given only as a second, clearly named figure: it runs below the busiest hour, so its date
is later and is not when the system breaks.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import numpy as np
import polars as pl

from forecaster.errors import ForecasterError
from forecaster.scaling.ceiling import ceiling_date
from forecaster.scaling.usl import USLModel
from forecaster.workloads import Workload
from forecaster.workloads.series import workload_load

CEILING_SHARE = 0.8
"""The default share of the ceiling whose first reaching is the ceiling date."""
HORIZON_DAYS = 365
"""Days forecast after the last load data: one horizon for every surface (the forecast's
intervals are calibrated for the horizon, so a different one would give another date)."""
HISTORY_DAYS = 180
"""Days of history kept for charts."""
SECONDS_PER_HOUR = 3_600.0
SECONDS_PER_DAY = 86_400.0
BUSIEST_HOUR = "busiest hour"
DAILY_AVERAGE = "daily average"


@dataclass(frozen=True)
class Reach:
    """When one reading of the load (``basis``: busiest hour or daily average, as a rate
    per second) reaches the threshold: ``date`` (mean forecast, YYYY-MM-DD or None when it
    stays below within the horizon) and ``date_80`` (early: the upper 80% band; late: the
    lower 80% band). ``current_rate``: the last day's rate per second."""

    basis: str
    date: str | None
    date_80: tuple[str | None, str | None]
    current_rate: float | None
    history: pl.DataFrame = field(repr=False)  # timestamp, actual
    forecast: pl.DataFrame = field(repr=False)  # timestamp, mean, lo_80, hi_80, lo_95, hi_95

    def to_dict(self) -> dict[str, Any]:
        return {
            "basis": self.basis,
            "date": self.date,
            "date_80_early": self.date_80[0],
            "date_80_late": self.date_80[1],
            "current_rate_per_second": self.current_rate,
        }


@dataclass(frozen=True)
class CeilingReach:
    """The ceiling date of one workload against one USL fit.

    ``ceiling``: the USL's peak throughput per second (None: no ceiling); ``threshold``:
    ``share`` of it; ``busiest_hour``: the product's answer (``date`` is the ceiling date);
    ``daily_average``: the second figure; ``horizon_end``: the forecast's last day.
    """

    workload: str
    share: float
    ceiling: float | None
    threshold: float | None
    busiest_hour: Reach
    daily_average: Reach
    horizon_end: str

    @property
    def date(self) -> str | None:
        """The ceiling date: the day the busiest hour's forecast reaches the threshold."""
        return self.busiest_hour.date

    def sentence(self) -> str:
        """The ceiling date in words, saying which reading it is."""
        if self.threshold is None:
            return f"{self.workload}: the fitted law has no throughput ceiling to reach."
        where = f"{self.share:.0%} of the ceiling ({self.threshold:,.1f} per second)"
        b = self.busiest_hour
        if b.date is None:
            text = f"{self.workload}'s busiest hour stays below {where} until {self.horizon_end}"
        else:
            early, late = b.date_80
            text = (
                f"{self.workload}'s busiest hour reaches {where} on {b.date} (80% interval "
                f"{early or 'before the horizon'} to {late or 'after ' + self.horizon_end})"
            )
        avg = self.daily_average.date
        second = (
            f"the daily average reaches it on {avg}"
            if avg
            else f"the daily average stays below it until {self.horizon_end}"
        )
        return f"{text}; {second} (a later, not a breaking, date)."

    def to_dict(self) -> dict[str, Any]:
        """Plain data for JSON and tables (dates as YYYY-MM-DD)."""
        return {
            "workload": self.workload,
            "basis": BUSIEST_HOUR,
            "ceiling_share": self.share,
            "ceiling_throughput_per_second": self.ceiling,
            "threshold_per_second": self.threshold,
            "ceiling_date": self.busiest_hour.date,
            "ceiling_date_80_early": self.busiest_hour.date_80[0],
            "ceiling_date_80_late": self.busiest_hour.date_80[1],
            "current_busiest_hour_rate_per_second": self.busiest_hour.current_rate,
            "daily_average_date": self.daily_average.date,
            "daily_average_date_80_early": self.daily_average.date_80[0],
            "daily_average_date_80_late": self.daily_average.date_80[1],
            "current_daily_average_rate_per_second": self.daily_average.current_rate,
            "horizon_end": self.horizon_end,
            "horizon_days": HORIZON_DAYS,
        }


def _day(value: str | None) -> str | None:
    return None if value is None else str(value)[:10]


def daily_rates(
    samples: pl.LazyFrame, workload: Workload, end: datetime | None = None
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(busiest hour, daily average): per UTC day, ``timestamp, actual`` as a rate per
    second, on every day from the first to the last with load (days without load null),
    from the load before ``end`` (UTC, exclusive; all of it when None)."""
    hourly = workload_load(samples, workload, "hour")
    if end is not None:
        hourly = hourly.filter(pl.col("period_start") < end)
    day = pl.col("period_start").dt.truncate("1d").alias("timestamp")
    by_day = hourly.group_by(day).agg(
        (pl.col("load").max() / SECONDS_PER_HOUR).alias("peak"),
        (pl.col("load").sum() / SECONDS_PER_DAY).alias("average"),
    )
    if by_day.height == 0:
        when = f" before {end:%Y-%m-%d}" if end is not None else ""
        raise ForecasterError(f"no load for {workload.name!r}{when}")
    by_day = by_day.sort("timestamp")
    full = pl.DataFrame(
        {
            "timestamp": pl.datetime_range(
                by_day["timestamp"][0], by_day["timestamp"][-1], "1d", eager=True, time_zone="UTC"
            )
        }
    ).join(by_day, on="timestamp", how="left")
    return (
        full.select("timestamp", pl.col("peak").alias("actual")),
        full.select("timestamp", pl.col("average").alias("actual")),
    )


def forecast_days(history: pl.DataFrame, horizon_days: int = HORIZON_DAYS) -> pl.DataFrame:
    """``timestamp, mean, lo_80, hi_80, lo_95, hi_95`` for the ``horizon_days`` days after a
    daily ``timestamp, actual`` history (``forecaster.forecast.LoadForecaster``)."""
    from forecaster.forecast.load import LoadForecaster

    values = history["actual"].cast(pl.Float64).fill_null(np.nan).to_numpy()
    with warnings.catch_warnings():  # empty-slice means inside the forecaster's calibration
        warnings.simplefilter("ignore", RuntimeWarning)
        model = LoadForecaster(freq="1d", horizon=horizon_days)
        pred = model.fit(values, timestamps=history["timestamp"]).predict()
    return pred.with_columns(pl.col("timestamp").cast(history["timestamp"].dtype))


def _reach(basis: str, history: pl.DataFrame, model: USLModel, share: float) -> Reach:
    forecast = forecast_days(history)
    dates = ceiling_date(forecast, model.peak_throughput_, share)
    seen = history["actual"].drop_nulls()
    return Reach(
        basis=basis,
        date=_day(dates["ceiling_date"]),
        date_80=(_day(dates["ceiling_date_80"][0]), _day(dates["ceiling_date_80"][1])),
        current_rate=float(seen[-1]) if seen.len() else None,
        history=history.tail(HISTORY_DAYS),
        forecast=forecast,
    )


def workload_ceiling(
    samples: pl.LazyFrame,
    workload: Workload,
    model: USLModel,
    end: datetime | None = None,
    share: float = CEILING_SHARE,
) -> CeilingReach:
    """The ceiling date of ``workload`` against the fitted ``model`` (see the module doc):
    the busiest hour's date (the answer) and the daily average's (the second figure), from
    the load samples before ``end``. Raises ForecasterError when there is no load."""
    peak, average = daily_rates(samples, workload, end)
    busiest = _reach(BUSIEST_HOUR, peak, model, share)
    ceiling = model.peak_throughput_
    finite = ceiling is not None and np.isfinite(ceiling)
    return CeilingReach(
        workload=workload.name,
        share=share,
        ceiling=float(ceiling) if finite else None,
        threshold=share * float(ceiling) if finite else None,
        busiest_hour=busiest,
        daily_average=_reach(DAILY_AVERAGE, average, model, share),
        horizon_end=_day(str(busiest.forecast["timestamp"][-1])) or "",
    )
