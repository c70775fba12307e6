"""Rolling load samples up to hours, days and months."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from forecaster.errors import InputError
from forecaster.load import resample

T0 = datetime(2024, 1, 31, 12, tzinfo=UTC)


def samples(values: list[float], step_minutes: int = 30, dims: str = "{}") -> pl.DataFrame:
    return pl.DataFrame(
        {
            "timestamp": [T0 + timedelta(minutes=step_minutes * i) for i in range(len(values))],
            "metric": "m",
            "value": values,
            "dimensions": dims,
        }
    )


@pytest.mark.parametrize(
    ("aggregation", "expected"),
    [("sum", [3.0, 7.0]), ("mean", [1.5, 3.5]), ("max", [2.0, 4.0])],
)
def test_aggregations_roll_samples_up_to_the_hour(aggregation, expected):
    out = resample(samples([1, 2, 3, 4]).lazy(), "hour", aggregation).collect()
    assert out["value"].to_list() == expected
    assert out["period_start"].to_list() == [T0, T0 + timedelta(hours=1)]


def test_months_are_calendar_months_in_utc():
    out = resample(samples([1.0] * 48, step_minutes=60).lazy(), "month").collect()
    assert out["period_start"].to_list() == [
        datetime(2024, 1, 1, tzinfo=UTC),
        datetime(2024, 2, 1, tzinfo=UTC),
    ]
    assert out["value"].to_list() == [12.0, 36.0]


def test_series_of_one_metric_are_added_before_aggregating():
    two = pl.concat([samples([1, 3], dims='{"lb":"a"}'), samples([10, 30], dims='{"lb":"b"}')])
    out = resample(two.lazy(), "hour", "max").collect()
    assert out["value"].to_list() == [33.0]


@pytest.mark.parametrize(("grain", "aggregation"), [("week", "sum"), ("day", "median")])
def test_unknown_grain_or_aggregation_is_an_input_error(grain, aggregation):
    with pytest.raises(InputError, match="expected one of"):
        resample(samples([1.0]).lazy(), grain, aggregation)


@settings(max_examples=50, deadline=None)
@given(
    values=st.lists(st.floats(min_value=0, max_value=1e6), min_size=1, max_size=300),
    step=st.sampled_from([1, 5, 30, 60, 240, 1440]),
    grain=st.sampled_from(["hour", "day", "month"]),
)
def test_sums_over_periods_equal_the_sum_of_the_samples(values, step, grain):
    out = resample(samples(values, step_minutes=step).lazy(), grain).collect()
    assert out["value"].sum() == pytest.approx(sum(values), rel=1e-9, abs=1e-6)
    assert out["samples"].sum() == len(values)
