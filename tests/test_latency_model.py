"""The latency model recovers a simulated closed queueing system (machine repairman with a
serialized section), and its budgets, parsing and refusals behave as documented."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from forecaster.cli.common import error_text
from forecaster.errors import CannotFit, InputError
from forecaster.scaling.budget_load import budget_load, latency_curve
from forecaster.scaling.latency import fit_percentile
from forecaster.scaling.latency_budget import LatencyBudget, parse_budget, parse_duration_ms
from forecaster.scaling.littles_law import think_time
from forecaster.scaling.usl import USLModel
from tests.queueing_sim import mva, simulate

THINK, PARALLEL, SERIAL = 50.0, 20.0, 5.0  # ms: saturates near 15 users at 200 requests/s
LOADS = (1, 2, 4, 6, 8, 10, 12, 14, 16, 20, 24, 28)


@pytest.fixture(scope="module")
def measured() -> pl.DataFrame:
    """A load test of the simulated system: 4,000 responses per level (seeded)."""
    runs = [simulate(n, THINK, PARALLEL, SERIAL, 4000, seed=n) for n in LOADS]
    return pl.DataFrame(
        {
            "load": [float(r.users) for r in runs],
            "throughput": [r.throughput for r in runs],
            "latency_mean_ms": [r.stat("mean") for r in runs],
            "latency_p95_ms": [r.stat("p95") for r in runs],
        }
    )


@pytest.fixture(scope="module")
def model(measured) -> USLModel:
    return USLModel().fit(measured["load"], measured["throughput"])


@pytest.fixture(scope="module")
def true_p95() -> dict[int, float]:
    """The simulated truth: p95 from runs 15 times longer, other seeds."""
    return {n: simulate(n, THINK, PARALLEL, SERIAL, 60_000, seed=1000 + n).stat("p95")
            for n in (10, 12, 14, 16, 18, 20, 22, 24)}  # fmt: skip


def test_the_simulation_agrees_with_mean_value_analysis(measured):
    for row in measured.iter_rows(named=True):
        response, throughput = mva(int(row["load"]), THINK, PARALLEL, SERIAL)
        assert row["latency_mean_ms"] == pytest.approx(response, rel=0.06)
        assert row["throughput"] == pytest.approx(throughput, rel=0.05)


def test_think_time_is_recovered_from_the_data(measured, model):
    think = think_time(measured, model)
    assert think.source == "data"
    assert think.ms == pytest.approx(THINK, rel=0.05)
    assert think.ci[0] <= THINK <= think.ci[1]


def test_p95_curve_recovers_the_simulated_truth_within_10_percent(measured, model, true_p95):
    curve = fit_percentile(measured, model, "p95")
    loads = np.array(sorted(true_p95), dtype=float)
    fitted = curve.predict(loads)
    truth = np.array([true_p95[int(n)] for n in loads])
    np.testing.assert_allclose(fitted["mean"].to_numpy(), truth, rtol=0.10)
    assert curve.model_ in curve.aicc_ and len(curve.aicc_) == 5


def _true_crossing(truth: dict[int, float], limit: float) -> float:
    loads = np.array(sorted(truth), dtype=float)
    values = np.array([truth[int(n)] for n in loads])
    assert values[0] < limit < values[-1]
    return float(np.interp(limit, values, loads))


def test_p95_budget_load_recovers_the_truth_and_its_interval_covers_it(measured, model, true_p95):
    budget = parse_budget("p95=110ms")
    where = budget_load(fit_percentile(measured, model, "p95"), budget)
    truth = _true_crossing(true_p95, 110.0)
    assert where.status == "within"
    assert where.load == pytest.approx(truth, rel=0.10)
    assert where.load_ci[0] <= truth <= where.load_ci[1]


def test_mean_budget_load_from_littles_law_recovers_the_exact_truth(measured, model):
    think = think_time(measured, model)
    curve = latency_curve(measured, model, "mean", think)
    assert curve.model_ == "littles_law"
    exact = {n: mva(n, THINK, PARALLEL, SERIAL)[0] for n in range(1, 40)}
    truth = _true_crossing(exact, 60.0)
    where = budget_load(curve, LatencyBudget("mean", 60.0))
    assert where.load == pytest.approx(truth, rel=0.10)
    assert where.load_ci[0] <= truth <= where.load_ci[1]
    for n in (16, 20, 24, 28):  # near and past the knee, where budgets bind
        assert curve.value(n) == pytest.approx(exact[n], rel=0.10)


def test_a_budget_beyond_twice_the_tested_load_is_not_extrapolated(measured, model):
    where = budget_load(fit_percentile(measured, model, "p95"), LatencyBudget("p95", 60_000.0))
    assert (where.status, where.load) == ("beyond", None)
    assert where.search_top == 2 * max(LOADS)


def test_a_budget_broken_at_load_one(measured, model):
    where = budget_load(fit_percentile(measured, model, "p95"), LatencyBudget("p95", 5.0))
    assert (where.status, where.load) == ("broken", None)


def test_the_curve_is_non_decreasing_for_every_candidate(measured, model):
    curve = fit_percentile(measured, model, "p95")
    grid = np.linspace(1, 56, 200)
    assert np.all(np.diff(curve.predict(grid)["mean"].to_numpy()) >= -1e-9)


@pytest.mark.parametrize(
    ("text", "stat", "ms"),
    [("p95=300ms", "p95", 300.0), ("p99<1.2s", "p99", 1200.0), ("mean = 250 ms", "mean", 250.0),
     ("median=800us", "p50", 0.8), ("avg<=0.5s", "mean", 500.0), ("max=2s", "max", 2000.0)],
)  # fmt: skip
def test_budgets_are_parsed_with_their_units(text, stat, ms):
    budget = parse_budget(text)
    assert (budget.stat, budget.limit_ms) == (stat, pytest.approx(ms))


@pytest.mark.parametrize(
    ("text", "message"),
    [("p95=300", "expected STAT=TIME with a unit"), ("p97=300ms", "unknown statistic 'p97'"),
     ("p95=300min", "unknown unit 'min'"), ("p95=0ms", "expected a positive time")],
)  # fmt: skip
def test_bad_budgets_are_refused_in_one_line(text, message):
    with pytest.raises(InputError, match=message):
        parse_budget(text)


def test_durations_need_a_unit_except_zero():
    assert parse_duration_ms("0") == 0.0
    assert parse_duration_ms("1.5s") == 1500.0
    with pytest.raises(InputError, match="expected a number with a unit"):
        parse_duration_ms("100")


def test_fewer_than_four_levels_with_the_statistic_is_refused(measured, model):
    short = measured.with_columns(
        pl.when(pl.col("load") <= 4).then(pl.col("latency_p95_ms")).alias("latency_p95_ms")
    )
    with pytest.raises(CannotFit, match=r"p95 latency at only 3 distinct load\(s\)"):
        fit_percentile(short, model, "p95")


def test_no_latency_at_all_is_explained(measured, model):
    with pytest.raises(CannotFit, match="no p99 latency in the load test"):
        fit_percentile(measured.with_columns(latency_p99_ms=pl.lit(None, pl.Float64)), model, "p99")


def test_mean_latency_above_n_over_x_is_refused_as_not_a_closed_test(measured, model):
    open_test = measured.with_columns(pl.col("latency_mean_ms") * 3)
    with pytest.raises(CannotFit, match="Little's law forbids in a closed test"):
        think_time(open_test, model)


def test_mean_without_think_time_is_refused(measured, model):
    with pytest.raises(InputError, match="needs the think time: pass `think_time_ms`") as info:
        latency_curve(measured.drop("latency_mean_ms"), model, "mean", None)
    assert error_text(info.value).startswith("load test: the mean response time needs the think")
    assert "pass --think-time (0 for" in error_text(info.value)


def test_a_named_think_time_is_used_as_given(measured, model):
    think = think_time(measured, model, think_time_ms=40.0)
    assert (think.ms, think.source, think.ci) == (40.0, "flag", None)
    curve = latency_curve(measured, model, "mean", think)
    assert curve.value(20) > latency_curve(
        measured, model, "mean", think_time(measured, model)
    ).value(20)


@pytest.mark.slow
def test_budget_intervals_cover_the_truth_over_repeated_load_tests(true_p95):
    """Twenty load tests of the same system (other seeds): the 95% intervals of the p95 and
    mean budget loads cover the truth in at least 16 of them (30 runs measured 27 and 29)."""
    p95_truth = _true_crossing(true_p95, 110.0)
    mean_truth = _true_crossing({n: mva(n, THINK, PARALLEL, SERIAL)[0] for n in range(1, 40)}, 60.0)
    covered = {"p95": 0, "mean": 0}
    for k in range(20):
        runs = [simulate(n, THINK, PARALLEL, SERIAL, 4000, seed=n + 100 * (k + 1)) for n in LOADS]
        frame = pl.DataFrame(
            {
                "load": [float(r.users) for r in runs],
                "throughput": [r.throughput for r in runs],
                "latency_mean_ms": [r.stat("mean") for r in runs],
                "latency_p95_ms": [r.stat("p95") for r in runs],
            }
        )
        usl = USLModel().fit(frame["load"], frame["throughput"])
        p95 = budget_load(fit_percentile(frame, usl, "p95"), LatencyBudget("p95", 110.0))
        mean_curve = latency_curve(frame, usl, "mean", think_time(frame, usl))
        mean = budget_load(mean_curve, LatencyBudget("mean", 60.0))
        covered["p95"] += p95.load_ci[0] <= p95_truth <= p95.load_ci[1]
        covered["mean"] += mean.load_ci[0] <= mean_truth <= mean.load_ci[1]
        assert p95.load == pytest.approx(p95_truth, rel=0.10)
        assert mean.load == pytest.approx(mean_truth, rel=0.10)
    assert covered["p95"] >= 16 and covered["mean"] >= 16, covered
