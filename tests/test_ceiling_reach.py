"""The ceiling date has one definition (``forecaster.scaling.reach.workload_ceiling``): the
busiest hour is the answer, the daily average a named second figure, and the review pack,
the dashboard's view and ``forecaster scaling --workload`` all give the same dates."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import numpy as np
import polars as pl
import pytest

from forecaster.load import read_load
from forecaster.scaling import USLModel
from forecaster.scaling.loadtest import read_load_tests
from forecaster.scaling.reach import BUSIEST_HOUR, daily_rates, workload_ceiling
from forecaster.workloads import load_workloads


@pytest.fixture(scope="module")
def search(sample_data):
    sample, store = sample_data
    points = read_load_tests([sample / "loadtest" / "search-loadtest.csv"])
    model = USLModel().fit(points["load"], points["throughput"])
    (workload,) = [w for w in load_workloads(sample / "workloads.toml") if w.name == "search"]
    reach = workload_ceiling(read_load(store), workload, model)
    return reach, model, workload


def test_the_busiest_hour_is_the_ceiling_date_and_reaches_before_the_daily_average(search):
    reach, model, _ = search
    assert reach.to_dict()["basis"] == BUSIEST_HOUR
    assert reach.threshold == pytest.approx(0.8 * model.peak_throughput_)
    assert reach.date is not None and "2027-01" <= reach.date <= "2027-07"
    early, late = reach.busiest_hour.date_80
    assert early <= reach.date <= late
    # the daily average runs below the busiest hour: later, or not within the horizon
    average = reach.daily_average.date
    assert average is None or average > reach.date
    assert reach.busiest_hour.current_rate > reach.daily_average.current_rate


def test_the_sentence_names_the_reading_and_the_second_figure(search):
    reach, _, _ = search
    text = reach.sentence()
    assert f"busiest hour reaches 80% of the ceiling ({reach.threshold:,.1f} per second)" in text
    assert reach.date in text and "daily average" in text


def test_rates_per_second_are_the_busiest_hour_and_the_days_average():
    from forecaster.workloads import CostFilter, LoadDriver, Workload

    start = datetime(2026, 1, 1, tzinfo=UTC)
    hours = [start + timedelta(hours=h) for h in range(48)]
    values = [3600.0 * (10 if h % 24 == 12 else 1) for h in range(48)]  # one busy hour a day
    samples = pl.LazyFrame(
        {
            "timestamp": hours,
            "metric": ["m"] * 48,
            "value": values,
            "unit": ["requests"] * 48,
            "dimensions": ["{}"] * 48,
            "source": ["csv"] * 48,
        }
    )
    w = Workload("w", CostFilter(), LoadDriver("m", "requests"))
    peak, average = daily_rates(samples, w)
    assert peak["actual"].to_list() == [10.0, 10.0]  # 36,000 requests in the busy hour / 3,600
    assert np.allclose(average["actual"].to_list(), [33 / 24, 33 / 24])
    # data before `end` only
    peak, _ = daily_rates(samples, w, start + timedelta(days=1))
    assert peak.height == 1


def test_pack_dashboard_and_cli_give_the_same_ceiling_dates(search, sample_data, cli):
    from forecaster.review import build_review
    from forecaster.views.scaling import ceiling_reach

    reach, model, workload = search
    sample, store = sample_data
    view = ceiling_reach(read_load(store), workload, model, 0.8)
    assert view.to_dict() == reach.to_dict()
    pack = build_review(
        store, "2026-10", sample / "workloads.toml", loadtest_dir=sample / "loadtest"
    )
    row = pack.tables["scaling"].frame.row(0, named=True)
    assert (row["ceiling_date"], row["ceiling_date_80_early"], row["ceiling_date_80_late"]) == (
        reach.date,
        *reach.busiest_hour.date_80,
    )
    assert row["daily_average_date"] == reach.daily_average.date
    code, out = cli("scaling", str(sample / "loadtest" / "search-loadtest.csv"), "--workload",
                    "search", "--workloads", str(sample / "workloads.toml"), "--store",
                    str(store), "--json")  # fmt: skip
    assert code == 0
    assert json.loads(out)["workload_ceiling"] == json.loads(json.dumps(reach.to_dict()))


def test_an_unknown_workload_is_named_with_the_known_ones(sample_data, cli, capsys):
    sample, store = sample_data
    code, _ = cli("scaling", str(sample / "loadtest" / "search-loadtest.csv"), "--workload",
                  "nope", "--workloads", str(sample / "workloads.toml"), "--store", str(store))  # fmt: skip
    assert code != 0
    err = capsys.readouterr().err
    assert "--workload 'nope': not in the workloads file (checkout-api, search" in err
