"""``forecaster scaling``: the command line over the USL engine."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import polars as pl
import pytest

from forecaster.cli import main

FIXTURES = Path(__file__).parent / "fixtures"
SPECSDM91 = FIXTURES / "usl" / "specsdm91.csv"
RAYTRACER = FIXTURES / "usl" / "raytracer.csv"
LOADTEST = FIXTURES / "loadtest"
REQUIRED = {
    "sigma": float,
    "kappa": float,
    "gamma": float,
    "sigma_ci": list,
    "kappa_ci": list,
    "gamma_ci": list,
    "peak_load": float,
    "peak_throughput": float,
    "r2": float,
}


def run_json(capsys, *argv: str) -> dict:
    assert main(["scaling", *argv, "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_json_has_the_required_keys_and_types(capsys):
    doc = run_json(capsys, str(SPECSDM91))
    for key, kind in REQUIRED.items():
        assert isinstance(doc[key], kind), key
    for key in ("sigma_ci", "kappa_ci", "gamma_ci"):
        lo, hi = doc[key]
        assert lo < doc[key.removesuffix("_ci")] < hi


def test_json_values_match_the_reference_fit(capsys):
    doc = run_json(capsys, str(SPECSDM91))
    assert doc["sigma"] == pytest.approx(0.0277285, rel=0.01)
    assert doc["kappa"] == pytest.approx(1.044e-4, rel=0.01)
    assert doc["gamma"] == pytest.approx(89.995, rel=0.01)
    assert abs(doc["peak_load"] - 97) < 1
    assert doc["r2"] == pytest.approx(0.9896, abs=1e-4)


def test_json_peak_load_is_null_without_a_peak(capsys):
    doc = run_json(capsys, str(RAYTRACER))
    assert doc["peak_load"] is None
    assert doc["peak_throughput"] == pytest.approx(21.8488 / 0.0578, rel=0.01)
    assert doc["ceiling_kind"] == "asymptote"


def test_json_efficiency_per_point(capsys):
    doc = run_json(capsys, str(SPECSDM91))
    assert [p["load"] for p in doc["points"]] == [1, 18, 36, 72, 108, 144, 216]
    assert doc["points"][0]["efficiency"] == pytest.approx(0.7211, abs=1e-4)


def test_plain_output_explains_the_coefficients(capsys):
    assert main(["scaling", str(SPECSDM91)]) == 0
    out = capsys.readouterr().out
    assert "sigma  0.02773" in out and "kappa  0.0001044" in out
    assert "peak load N* 96.52" in out
    assert "Throughput peaks at a load of about 96.5" in out
    assert "efficiency" in out


@pytest.mark.parametrize(
    ("inputs", "levels"),
    [
        ([LOADTEST / "k6" / "export"], 9),
        ([LOADTEST / "k6" / "handle_summary"], 9),
        ([LOADTEST / "locust_stats_history.csv"], 8),
        ([LOADTEST / "points.csv"], 11),
    ],
    ids=["k6-export", "k6-handle-summary", "locust", "csv-aliases"],
)
def test_every_input_format_recovers_the_simulated_system(capsys, inputs, levels):
    doc = run_json(capsys, *map(str, inputs))
    assert len({p["load"] for p in doc["points"]}) == levels
    # the fixtures simulate sigma 0.03, kappa 0.0004 (peak near 49)
    assert doc["sigma_ci"][0] <= 0.03 <= doc["sigma_ci"][1] or abs(doc["sigma"] - 0.03) < 0.005
    assert doc["peak_load"] == pytest.approx(49.2, rel=0.1)


def test_k6_summaries_can_be_listed_one_by_one(capsys):
    files = sorted((LOADTEST / "k6" / "export").glob("*.json"))
    doc = run_json(capsys, *map(str, files))
    assert doc["sources"] == [f.name for f in files]


def test_column_options_pick_csv_columns(capsys, tmp_path):
    path = tmp_path / "prod.csv"
    pl.read_csv(SPECSDM91).rename({"load": "pods", "throughput": "served"}).with_columns(
        users=pl.lit(1)
    ).write_csv(path)
    doc = run_json(capsys, str(path), "--load-col", "pods", "--throughput-col", "served")
    assert doc["sigma"] == pytest.approx(0.0277285, rel=0.01)


def test_cost_per_instance_adds_the_cost_table(capsys):
    doc = run_json(capsys, str(SPECSDM91), "--cost-per-instance", "0.5")
    cost = doc["cost"]
    assert cost["capacity_limit_load"] == 97
    row = next(r for r in cost["by_load"] if r["load"] == 18)
    assert row["cost_per_hour"] == 9.0
    assert row["cost_per_throughput"] == pytest.approx(9.0 / row["throughput"])
    assert set(REQUIRED) <= set(doc)


def test_cost_plain_output_names_the_limit(capsys):
    assert main(["scaling", str(SPECSDM91), "--cost-per-instance", "0.5"]) == 0
    out = capsys.readouterr().out
    assert "beyond load 97, more capacity raises cost without raising throughput" in out


def test_cost_curve_option(capsys):
    doc = run_json(capsys, str(SPECSDM91), "--cost-curve", "40,0.5,1")
    assert doc["cost"]["cheapest_load"] > 1


def test_bad_cost_curve_is_an_error(capsys):
    assert main(["scaling", str(SPECSDM91), "--cost-curve", "cheap"]) == 2
    assert "error: --cost-curve 'cheap': expected F,V or F,V,K" in capsys.readouterr().err


def write_forecast(path: Path, start: float, slope: float, days: int = 365) -> Path:
    rows = []
    for i in range(days):
        mean = start + slope * i
        rows.append(
            {
                "timestamp": date(2025, 1, 1) + timedelta(days=i),
                "mean": mean,
                "lo_80": mean * 0.9,
                "hi_80": mean * 1.1,
                "lo_95": mean * 0.8,
                "hi_95": mean * 1.2,
            }
        )
    pl.DataFrame(rows).write_csv(path)
    return path


def test_forecast_adds_the_ceiling_date(capsys, tmp_path):
    # peak throughput ~1,884; 80% ~1,507; mean 1000 + 5/day crosses on day ~102
    forecast = write_forecast(tmp_path / "f.csv", 1000.0, 5.0)
    doc = run_json(capsys, str(SPECSDM91), "--forecast", str(forecast))
    crossing = date(2025, 1, 1) + timedelta(
        days=int(-(-(0.8 * doc["peak_throughput"] - 1000) // 5))
    )
    assert doc["ceiling_date"] == crossing.isoformat()
    early, late = doc["ceiling_date_80"]
    assert early < doc["ceiling_date"] < late
    assert doc["ceiling_share"] == 0.8 and doc["ceiling_measure"] == "throughput"


def test_ceiling_share_moves_the_date(capsys, tmp_path):
    forecast = write_forecast(tmp_path / "f.csv", 1000.0, 5.0)
    at_80 = run_json(capsys, str(SPECSDM91), "--forecast", str(forecast))["ceiling_date"]
    at_60 = run_json(capsys, str(SPECSDM91), "--forecast", str(forecast), "--ceiling-share", "0.6")[
        "ceiling_date"
    ]
    assert at_60 < at_80


def test_forecast_in_load_units_is_compared_with_the_peak_load(capsys, tmp_path):
    forecast = write_forecast(tmp_path / "f.csv", 10.0, 1.0)
    doc = run_json(
        capsys, str(SPECSDM91), "--forecast", str(forecast), "--forecast-measures", "load"
    )
    assert doc["ceiling_threshold"] == pytest.approx(0.8 * doc["peak_load"])


def test_forecast_that_never_crosses_gives_null(capsys, tmp_path):
    forecast = write_forecast(tmp_path / "f.csv", 10.0, 0.0, days=30)
    doc = run_json(capsys, str(SPECSDM91), "--forecast", str(forecast))
    assert doc["ceiling_date"] is None and doc["ceiling_date_80"] == [None, None]
    assert main(["scaling", str(SPECSDM91), "--forecast", str(forecast)]) == 0
    assert "stays below 80%" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("content", "words"),
    [
        ("load,throughput\n1,10\n2,19\n4,30\n", "only 3 distinct load"),
        ("load,throughput\n1,10\n2,0\n4,30\n8,40\n", "throughput 0 at load 2"),
        ("load,throughput\n1,40\n2,40\n4,39\n8,30\n", "throughput never rises"),
    ],
    ids=["too-few-loads", "zero-throughput", "never-rises"],
)
def test_bad_input_exits_2_with_an_error_naming_file_and_problem(capsys, tmp_path, content, words):
    path = tmp_path / "bad.csv"
    path.write_text(content)
    assert main(["scaling", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: bad.csv: ") and words in err


def test_help_says_a_k6_summary_is_one_point(capsys):
    with pytest.raises(SystemExit):
        main(["scaling", "--help"])
    out = capsys.readouterr().out
    assert "One summary is ONE point" in out and "stats_history" in out


def test_installed_command_runs_end_to_end():
    script = Path(sys.executable).parent / "forecaster"
    result = subprocess.run(
        [str(script), "scaling", str(SPECSDM91), "--json"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert json.loads(result.stdout)["peak_load"] == pytest.approx(96.5, abs=0.1)


def test_settle_seconds_reaches_the_locust_reader(capsys):
    default = run_json(capsys, str(LOADTEST / "locust_stats_history.csv"))
    longer = run_json(capsys, str(LOADTEST / "locust_stats_history.csv"), "--settle-seconds", "40")
    assert len(default["points"]) == len(longer["points"]) == 8
    assert default["points"][0]["throughput"] != longer["points"][0]["throughput"]
