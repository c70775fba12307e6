"""``forecaster scaling --latency-budget``: load, interval, share of the ceiling, cost and
date per budget, on real k6 summaries and a simulated Locust history."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from forecaster.cli import main
from tests.test_cli_scaling import write_forecast

LOADTEST = Path(__file__).parent / "fixtures" / "loadtest"
K6_REAL = LOADTEST / "k6_real" / "export"
LOCUST = LOADTEST / "locust_stats_history.csv"


def run_json(capsys, *argv: str) -> dict:
    assert main(["scaling", *argv, "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_each_budget_gets_its_load_interval_throughput_and_share(capsys):
    doc = run_json(capsys, str(LOCUST), "--latency-budget", "p95=150ms",
                   "--latency-budget", "p99=250ms")  # fmt: skip
    p95, p99 = doc["latency"]["budgets"]
    assert (p95["budget"], p99["budget"]) == ("p95=150ms", "p99=250ms")
    for b in (p95, p99):
        lo, hi = b["budget_load_ci"]
        assert lo < b["budget_load"] < hi
        assert 0 < b["usable_share_of_ceiling"] <= 1
        assert b["throughput_at_budget"] <= doc["peak_throughput"] + 1e-9
    assert 40 < p95["budget_load"] < 70  # the fixture's p95 is 110 ms at 40 users, 170 at 60
    assert p95["budget_load"] < p99["budget_load"]
    assert set(doc["latency"]["curves"]) == {"p95", "p99"}


def test_cost_per_unit_of_throughput_at_the_budget_load(capsys):
    doc = run_json(capsys, str(LOCUST), "--latency-budget", "p95=150ms",
                   "--cost-per-instance", "0.5")  # fmt: skip
    b = doc["latency"]["budgets"][0]
    assert b["cost_per_hour_at_budget"] == pytest.approx(0.5 * b["budget_load"])
    assert b["cost_per_throughput_at_budget"] == pytest.approx(
        b["cost_per_hour_at_budget"] / b["throughput_at_budget"]
    )


def test_with_a_forecast_the_budget_breaks_before_the_ceiling(capsys, tmp_path):
    forecast = write_forecast(tmp_path / "f.csv", 300.0, 1.0)
    doc = run_json(capsys, str(LOCUST), "--latency-budget", "p95=60ms",
                   "--forecast", str(forecast))  # fmt: skip
    b = doc["latency"]["budgets"][0]
    assert b["budget_date"] < doc["ceiling_date"]
    early, late = b["budget_date_80"]
    assert early <= b["budget_date"] <= late
    sentence = doc["latency"]["sentences"][0]
    assert sentence.startswith("p95 latency passes 60 ms at about ")
    assert " users (" in sentence  # a Locust history counts users
    assert f"around {b['budget_date']}" in sentence
    assert f"is reached later, {doc['ceiling_date']}" in sentence


def test_real_k6_summaries_give_budgets_and_the_think_time(capsys):
    doc = run_json(capsys, str(K6_REAL), "--latency-budget", "p95=50ms",
                   "--latency-budget", "mean=40ms")  # fmt: skip
    think = doc["latency"]["think_time"]
    assert think["source"] == "data" and think["ms"] >= 0
    p95, mean = doc["latency"]["budgets"]
    assert mean["curve"] == "littles_law"
    assert 8 < p95["budget_load"] < 32 and p95["status"] == "within"


def test_a_named_think_time_is_reported_as_named(capsys):
    doc = run_json(capsys, str(K6_REAL), "--latency-budget", "mean=40ms", "--think-time", "0")
    assert doc["latency"]["think_time"] == {"ms": 0.0, "ci": None, "source": "flag",
                                            "spread_ms": None, "varies_with_load": False}  # fmt: skip


def test_plain_output_says_it_in_words(capsys):
    assert main(["scaling", str(LOCUST), "--latency-budget", "p95=150ms"]) == 0
    out = capsys.readouterr().out
    assert "Latency budgets" in out
    assert "p95=150ms: curve" in out and "95% CI" in out
    assert "of the ceiling usable" in out


@pytest.mark.parametrize(
    ("argv", "message"),
    [(["--latency-budget", "p95=150"], "expected STAT=TIME with a unit"),
     (["--think-time", "100"], "expected a number with a unit")],
)  # fmt: skip
def test_bad_budget_flags_exit_2(capsys, argv, message):
    with pytest.raises(SystemExit) as exc:
        main(["scaling", str(LOCUST), *argv])
    assert exc.value.code == 2
    assert message in capsys.readouterr().err


def test_a_budget_on_a_file_without_latency_is_one_line_error(capsys):
    assert main(["scaling", str(LOADTEST / "points.csv"), "--latency-budget", "p95=150ms"]) != 0
    err = capsys.readouterr().err
    assert "points.csv: no p95 latency in the load test" in err
    assert "Traceback" not in err


def test_a_forecast_in_load_units_is_compared_with_the_budget_load(capsys, tmp_path):
    forecast = write_forecast(tmp_path / "f.csv", 5.0, 0.2)  # users: 5, 5.2, 5.4, ...
    doc = run_json(capsys, str(LOCUST), "--latency-budget", "p95=150ms", "--forecast",
                   str(forecast), "--forecast-measures", "load")  # fmt: skip
    b = doc["latency"]["budgets"][0]
    assert b["budget_measure"] == "load"
    assert b["budget_threshold"] == pytest.approx(b["budget_load"])
    days = (date.fromisoformat(b["budget_date"]) - date(2025, 1, 1)).days
    assert 5.0 + 0.2 * (days - 1) < b["budget_load"] <= 5.0 + 0.2 * days


@pytest.mark.parametrize(
    ("budget", "status", "words"),
    [("p95=5ms", "broken", "p95 latency passes 5 ms already at a load of 1"),
     ("p95=60s", "beyond", "p95 latency 60 s holds up to at least 200 users"),
     ("p95=450ms", "extrapolated", "beyond the loads tested")],
)  # fmt: skip
def test_every_status_reads_as_a_sentence(capsys, budget, status, words):
    doc = run_json(capsys, str(LOCUST), "--latency-budget", budget)
    assert doc["latency"]["budgets"][0]["status"] == status
    assert words in doc["latency"]["sentences"][0]


def test_every_budget_key_is_always_present(capsys):
    keys = None
    for budget in ("p95=5ms", "p95=60s", "p95=150ms"):
        b = run_json(capsys, str(LOCUST), "--latency-budget", budget)["latency"]["budgets"][0]
        keys = keys or set(b)
        assert set(b) == keys
