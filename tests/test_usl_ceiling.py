"""Cost implication and ceiling date of a fitted USL."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from forecaster.errors import InputError
from forecaster.scaling import USLModel, usl_throughput
from forecaster.scaling.ceiling import (
    capacity_limit,
    ceiling_date,
    cheapest_load,
    cost_by_load,
    cost_curve,
    cost_summary,
    per_instance,
    read_load_forecast,
)


def exact(sigma: float, kappa: float, gamma: float = 10.0) -> USLModel:
    n = np.array([1, 2, 4, 8, 16, 32, 64, 128.0])
    return USLModel().fit(n, usl_throughput(n, sigma, kappa, gamma))


def test_capacity_limit_is_the_integer_load_with_most_throughput(specsdm91):
    limit = capacity_limit(specsdm91)
    assert limit == 97
    x = specsdm91.throughput([limit - 1, limit, limit + 1])
    assert x[1] >= x[0] and x[1] >= x[2]


def test_no_capacity_limit_without_a_peak(raytracer):
    assert capacity_limit(raytracer) is None


def test_cost_table_beyond_the_limit_adds_cost_without_throughput(specsdm91):
    table = cost_by_load(specsdm91, per_instance(0.5), loads=[50, 97, 150])
    assert table["cost_per_hour"].to_list() == [25.0, 48.5, 75.0]
    marginal = table["marginal_cost_per_throughput"].to_list()
    assert marginal[0] > 0
    assert marginal[1] is None and marginal[2] is None


def test_cost_per_throughput_is_cost_over_throughput(specsdm91):
    table = cost_by_load(specsdm91, per_instance(2.0), loads=[10.0])
    row = table.row(0, named=True)
    assert row["cost_per_throughput"] == pytest.approx(20.0 / specsdm91.throughput(10.0))


@settings(max_examples=40, deadline=None)
@given(sigma=st.floats(0.0, 0.5), kappa=st.floats(0.0, 1e-2), price=st.floats(0.01, 100.0))
def test_with_a_flat_price_per_instance_cost_per_throughput_only_rises(sigma, kappa, price):
    """Per instance, cost/throughput = price (1 + sigma(N-1) + kappa N(N-1)) / gamma:
    contention and coherency are paid for on every unit of throughput."""
    model = exact(sigma, kappa)
    table = cost_by_load(model, per_instance(price), loads=list(range(1, 200, 7)))
    ratio = table["cost_per_throughput"].to_numpy()
    assert np.all(np.diff(ratio) >= -1e-12 * ratio[:-1])
    assert cheapest_load(model, per_instance(price)) == 1.0


def test_a_fixed_cost_moves_the_cheapest_load_up(specsdm91):
    cost = cost_curve(fixed=40.0, marginal=0.5)
    brute = np.arange(1, 300.0)
    expected = brute[np.argmin(cost(brute) / specsdm91.throughput(brute))]
    assert cheapest_load(specsdm91, cost) == pytest.approx(expected, abs=1)
    assert cheapest_load(specsdm91, cost) > 1


def test_cost_summary_is_plain_data(specsdm91):
    summary = cost_summary(specsdm91, per_instance(0.5))
    assert summary["capacity_limit_load"] == 97
    assert summary["cheapest_load"] == 1.0
    loads = [row["load"] for row in summary["by_load"]]
    assert {1.0, 216.0, 97.0}.issubset(loads)


@pytest.mark.parametrize(
    ("fixed", "marginal", "exponent"), [(-1.0, 1.0, 1.0), (0.0, 0.0, 1.0), (0.0, 1.0, 0.0)]
)
def test_invalid_cost_curve_is_rejected(fixed, marginal, exponent):
    with pytest.raises(InputError, match="cost curve"):
        cost_curve(fixed, marginal, exponent)


def test_invalid_price_is_rejected():
    with pytest.raises(InputError, match="cost per instance"):
        per_instance(0.0)


def forecast_frame(days: int = 100, start: float = 100.0, slope: float = 10.0) -> pl.DataFrame:
    """Daily forecast, mean rising by ``slope`` a day, bands +-10% / +-20%."""
    day0 = date(2025, 1, 1)
    mean = start + slope * np.arange(days)
    return pl.DataFrame(
        {
            "timestamp": [day0 + timedelta(days=i) for i in range(days)],
            "mean": mean,
            "lo_80": mean * 0.9,
            "hi_80": mean * 1.1,
            "lo_95": mean * 0.8,
            "hi_95": mean * 1.2,
        }
    )


def test_ceiling_date_is_where_the_mean_first_reaches_the_share():
    out = ceiling_date(forecast_frame(), ceiling=1000.0, share=0.8)
    # mean = 100 + 10 d reaches 800 on day 70
    assert out["ceiling_threshold"] == 800.0
    assert out["ceiling_date"] == "2025-03-12"


def test_ceiling_interval_runs_from_the_upper_band_to_the_lower_band():
    out = ceiling_date(forecast_frame(), ceiling=1000.0)
    early, late = out["ceiling_date_80"]
    assert early < out["ceiling_date"] < late
    early95, late95 = out["ceiling_date_95"]
    assert early95 < early and late < late95


def test_never_crossing_within_the_horizon_gives_null():
    out = ceiling_date(forecast_frame(days=10), ceiling=1000.0)
    assert out["ceiling_date"] is None
    assert out["ceiling_date_80"] == [None, None]
    assert out["forecast_horizon_end"] == "2025-01-10"


def test_without_a_ceiling_there_is_no_date():
    out = ceiling_date(forecast_frame(), ceiling=None)
    assert out["ceiling_threshold"] is None and out["ceiling_date"] is None


def test_scale_converts_forecast_units():
    # per-5-minute counts against a per-second ceiling
    per_second = ceiling_date(forecast_frame(), ceiling=1000.0)
    per_5min = ceiling_date(
        forecast_frame(start=100.0 * 300, slope=10.0 * 300), ceiling=1000.0, scale=1 / 300
    )
    assert per_5min["ceiling_date"] == per_second["ceiling_date"]


@pytest.mark.parametrize("share", [0.0, 1.5])
def test_share_outside_zero_one_is_rejected(share):
    with pytest.raises(InputError, match="share"):
        ceiling_date(forecast_frame(), ceiling=1000.0, share=share)


def test_forecast_csv_round_trip(tmp_path):
    path = tmp_path / "forecast.csv"
    forecast_frame().write_csv(path)
    frame = read_load_forecast(path)
    assert frame.columns == ["timestamp", "mean", "lo_80", "hi_80", "lo_95", "hi_95"]
    assert ceiling_date(frame, 1000.0)["ceiling_date"] == "2025-03-12"


def test_forecast_with_only_80_bands_is_enough(tmp_path):
    path = tmp_path / "forecast.csv"
    forecast_frame().drop("lo_95", "hi_95").write_csv(path)
    out = ceiling_date(read_load_forecast(path), 1000.0)
    assert "ceiling_date_95" not in out and out["ceiling_date"] == "2025-03-12"


def test_forecast_missing_columns_are_named(tmp_path):
    path = tmp_path / "forecast.csv"
    path.write_text("timestamp,mean\n2025-01-01,5\n")
    with pytest.raises(InputError, match=r"forecast.csv: forecast has no lo_80, hi_80 column"):
        read_load_forecast(path)
