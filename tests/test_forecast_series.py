"""Reading a load series onto a regular grid: columns, grain, buckets, gaps and errors."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import numpy as np
import polars as pl
import pytest

from forecaster.errors import CannotFit, InputError
from forecaster.forecast.series import (
    future_timestamps,
    infer_freq,
    primary_period,
    read_series,
    supported_periods,
    values,
)
from tests.conftest import SHARED_DATA

TRAFFIC = SHARED_DATA / "traffic"


def write_csv(path: Path, rows: list[tuple[str, str]], header: str = "timestamp,value") -> Path:
    path.write_text(header + "\n" + "".join(f"{t},{v}\n" for t, v in rows))
    return path


def minutes(start: datetime, step: int, n: int) -> list[str]:
    return [(start + timedelta(minutes=step * i)).strftime("%Y-%m-%d %H:%M:%S") for i in range(n)]


@pytest.mark.parametrize(
    ("step", "expected"),
    [(1, "5m"), (5, "5m"), (15, "30m"), (30, "30m"), (60, "1h"), (1440, "1d"), (43200, "1mo")],
)
def test_grain_is_the_finest_supported_one_at_least_as_long_as_the_median_step(step, expected):
    ts = pl.Series([datetime(2024, 1, 1) + timedelta(minutes=step * i) for i in range(50)])
    assert infer_freq(ts) == expected


def test_a_grain_longer_than_a_month_is_refused_with_the_step():
    ts = pl.Series([datetime(2020 + i, 1, 1) for i in range(5)])
    with pytest.raises(InputError, match="longer than a month"):
        infer_freq(ts)


def test_off_grid_minutes_are_bucketed_onto_the_grid(tmp_path):
    path = write_csv(
        tmp_path / "x.csv", [(t, "1") for t in minutes(datetime(2024, 1, 1, 0, 4), 5, 6)]
    )
    series = read_series(path)
    assert series["timestamp"].dt.minute().to_list() == [0, 5, 10, 15, 20, 25]


def test_a_missing_step_becomes_a_null_not_a_shorter_series(tmp_path):
    stamps = minutes(datetime(2024, 1, 1), 5, 10)
    del stamps[4]
    path = write_csv(tmp_path / "gap.csv", [(t, "2.5") for t in stamps])
    series = read_series(path)
    assert series.height == 10
    assert series["value"].null_count() == 1
    assert np.isnan(values(series)[4])


def test_duplicate_timestamps_are_refused_naming_both_rows_and_values(tmp_path):
    path = write_csv(
        tmp_path / "dup.csv",
        [("2024-01-01 00:00:00", "1"), ("2024-01-01 00:00:00", "3")]
        + [(t, "5") for t in minutes(datetime(2024, 1, 1, 0, 5), 5, 4)],
    )
    with pytest.raises(InputError, match=r"timestamp 2024-01-01T00:00:00Z is given more than once "
                       r"\(data rows 1 and 2, values 1 and 3"):  # fmt: skip
        read_series(path)


@pytest.mark.parametrize(("agg", "expected"), [("mean", 2.0), ("sum", 24.0)])
def test_aggregating_up_uses_the_mean_or_a_gap_corrected_sum(tmp_path, agg, expected):
    stamps = minutes(datetime(2024, 1, 1), 5, 12 * 3)
    del stamps[3]  # one 5-minute point missing in the first hour: the sum still counts 12
    path = write_csv(tmp_path / "fine.csv", [(t, "2") for t in stamps])
    series = read_series(path, freq="1h", agg=agg)
    assert series.height == 3
    assert series["value"].to_list() == pytest.approx([expected] * 3)


def test_prophet_style_ds_y_columns_are_read(tmp_path):
    path = write_csv(
        tmp_path / "p.csv", [(f'"2024-01-{d:02d}"', str(d)) for d in range(1, 11)], '"ds","y"'
    )
    series = read_series(path)
    assert series["value"].to_list() == [float(d) for d in range(1, 11)]


def test_parquet_with_aware_timestamps_is_read_in_utc(tmp_path):
    ts = pl.datetime_range(
        datetime(2024, 1, 1), datetime(2024, 1, 1, 9), "1h", time_zone="Europe/Paris", eager=True
    )
    path = tmp_path / "s.parquet"
    pl.DataFrame({"timestamp": ts, "value": np.arange(10.0)}).write_parquet(path)
    series = read_series(path)
    assert series["timestamp"][0] == datetime(2023, 12, 31, 23, 0)
    assert series["timestamp"].dtype == pl.Datetime("us")


@pytest.mark.parametrize(
    ("content", "match"),
    [
        ("time,load,pods\n2024-01-01,1,2\n", "expected columns 'timestamp,value'"),
        (
            "timestamp,value\n2024-01-01,abc\n2024-01-02,1\n2024-01-03,2\n",
            "column value: 1 value\\(s\\) are not a number, first 'abc' on data row 1",
        ),
        ("timestamp,value\nyesterday,1\ntoday,2\n", "first 'yesterday' on data row 1"),
        ("timestamp,value\n2024-01-01,1\n2024-01-02,inf\n", "not finite numbers, first inf"),
        ("timestamp,value\n2024-01-01,1\n2024-01-02,-4\n", "negative value\\(s\\), first -4"),
        ("timestamp,value\n2024-01-01,1\n2024-01-02,\n", "1 row\\(s\\) with a value \\(1 blank\\)"),
    ],
)
def test_bad_files_are_refused_naming_the_file_and_column(tmp_path, content, match):
    path = tmp_path / "bad.csv"
    path.write_text(content)
    with pytest.raises(InputError, match=match) as err:
        read_series(path)
    assert str(path) in str(err.value)


def test_a_missing_file_is_named(tmp_path):
    with pytest.raises(InputError, match="no such file"):
        read_series(tmp_path / "nope.csv")


def test_a_grid_mostly_empty_is_refused_with_advice(tmp_path):
    stamps = [f"2024-01-01 {h:02d}:00:00" for h in (0, 1, 2)] + ["2024-01-05 00:00:00"]
    path = write_csv(tmp_path / "sparse.csv", [(t, "1") for t in stamps])
    with pytest.raises(CannotFit, match="grid is empty"):
        read_series(path, freq="1h")


@pytest.mark.parametrize(
    ("freq", "n", "names"),
    [
        ("1h", 24 * 7, ["daily"]),
        ("1h", 24 * 14, ["daily", "weekly"]),
        ("1d", 800, ["weekly", "yearly"]),
        ("1mo", 20, []),
        ("5m", 288 * 3, ["hourly", "daily"]),
    ],
)
def test_a_season_is_used_only_with_two_whole_cycles(freq, n, names):
    assert [name for name, _ in supported_periods(freq, n)] == names


@pytest.mark.parametrize(("freq", "n", "lag"), [("5m", 4000, 288), ("1d", 100, 7), ("1mo", 10, 1)])
def test_seasonal_naive_lag_is_the_primary_season_not_the_hourly_cron(freq, n, lag):
    assert primary_period(freq, n) == lag


@pytest.mark.parametrize(
    ("last", "freq", "expected"),
    [
        (
            datetime(2024, 1, 31, 23, 55),
            "5m",
            [datetime(2024, 2, 1, 0, 0), datetime(2024, 2, 1, 0, 5)],
        ),
        (datetime(2024, 1, 1), "1mo", [datetime(2024, 2, 1), datetime(2024, 3, 1)]),
    ],
)
def test_future_timestamps_continue_the_grid(last, freq, expected):
    assert future_timestamps(last, freq, 2).to_list() == expected


@pytest.mark.parametrize(
    ("name", "freq", "rows"),
    [
        ("nab-elb_request_count_8c0756.csv", "5m", 4034),
        ("nab-nyc_taxi.csv", "30m", 10320),
        ("wikipedia-peyton-manning-log-daily.csv", "1d", 2964),
    ],
)
def test_real_traces_load_on_their_native_grain(name, freq, rows):
    path = TRAFFIC / name
    if not path.exists():
        pytest.fail(f"{path} is missing: the shared test data sits beside the checkout")
    series = read_series(path)
    assert infer_freq(series["timestamp"]) == freq
    assert series.height >= rows - 10
