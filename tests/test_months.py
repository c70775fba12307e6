"""Months: one reading of "YYYY-MM" and one arithmetic, for every module that needs them."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from forecaster.errors import InputError
from forecaster.months import (
    check_month,
    first_of_month_after,
    month_end,
    month_label,
    month_start,
    months_after,
    next_month,
    shift_month,
)

MONTHS = st.builds(lambda y, m: f"{y:04d}-{m:02d}", st.integers(1971, 2200), st.integers(1, 12))


@pytest.mark.parametrize("bad", ["2026-13", "2026-1", "26-10", "2026/10", "", None, 202610])
def test_anything_but_a_month_label_is_refused_naming_it(bad):
    with pytest.raises(InputError, match="expected YYYY-MM"):
        check_month(bad, "review month")


def test_the_year_turns():
    assert next_month("2026-12") == "2027-01"
    assert shift_month("2027-01", -1) == "2026-12"
    assert months_after("2026-11", 3) == ["2026-12", "2027-01", "2027-02"]
    assert month_end("2026-12") == datetime(2027, 1, 1, tzinfo=UTC)
    assert first_of_month_after(date(2026, 11, 17), 2) == date(2027, 1, 1)


@given(MONTHS, st.integers(-500, 500))
def test_shifting_there_and_back_is_the_identity(month, n):
    assert shift_month(shift_month(month, n), -n) == month


@given(MONTHS)
def test_a_month_is_the_interval_from_its_start_to_the_next_months_start(month):
    start, end = month_start(month), month_end(month)
    assert start.tzinfo is UTC and start.day == 1 and month_label(start) == month
    assert end == month_start(next_month(month)) and 28 <= (end - start).days <= 31
