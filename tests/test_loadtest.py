"""Load-test readers: plain CSV, format detection, files and directories."""

from __future__ import annotations

import shutil
from pathlib import Path

import polars as pl
import pytest

from forecaster.errors import InputError
from forecaster.scaling.loadtest import loadtest_format, read_load_tests, read_points_csv
from forecaster.scaling.points import LATENCY_COLUMNS, SCHEMA

FIXTURES = Path(__file__).parent / "fixtures"
LOADTEST = FIXTURES / "loadtest"


def write(path: Path, text: str) -> Path:
    path.write_text(text)
    return path


def test_csv_with_load_and_throughput_columns(tmp_path):
    path = write(tmp_path / "run.csv", "load,throughput\n1,10\n2,19.5\n4,35\n")
    points = read_points_csv(path)
    assert points.columns == ["load", "throughput", "source", *LATENCY_COLUMNS]
    assert points.select(LATENCY_COLUMNS).null_count().row(0) == (3,) * len(LATENCY_COLUMNS)
    assert points["load"].to_list() == [1.0, 2.0, 4.0]
    assert points["throughput"].to_list() == [10.0, 19.5, 35.0]
    assert points["source"].unique().to_list() == ["run.csv"]


@pytest.mark.parametrize(
    ("header", "load", "throughput"),
    [
        ("processors,throughput", "processors", "throughput"),
        ("Users,RPS", "Users", "RPS"),
        ("instances,requests_per_second", "instances", "requests_per_second"),
        ("vus,tps", "vus", "tps"),
    ],
)
def test_csv_recognises_common_column_names(tmp_path, header, load, throughput):
    path = write(tmp_path / "run.csv", f"{header}\n1,10\n2,19\n")
    assert read_points_csv(path)["throughput"].to_list() == [10.0, 19.0]


def test_csv_column_names_are_configurable(tmp_path):
    path = write(tmp_path / "run.csv", "when,pods,served,users\nx,1,10,100\ny,2,19,200\n")
    points = read_points_csv(path, load_col="pods", throughput_col="served")
    assert points["load"].to_list() == [1.0, 2.0]
    assert points["throughput"].to_list() == [10.0, 19.0]


@pytest.mark.parametrize(
    ("content", "options", "message"),
    [
        pytest.param("pods,served\n1,10\n", {"load_col": "users"},
                     r"run.csv: no column 'users' for load; columns are pods, served",
                     id="a missing named column lists the columns"),
        pytest.param("pods,throughput\n1,10\n", {}, r"run.csv: no load column .* --load-col",
                     id="no recognisable load column says which flag to use"),
        pytest.param("load,throughput\n1,10\n2,lots\n", {},
                     r"run.csv: column 'throughput' row 3 is 'lots'",
                     id="a non-numeric value names row and value"),
        pytest.param("load,throughput\n1,10\n,19\n", {}, r"column 'load' row 3 is empty",
                     id="an empty value names the row"),
        pytest.param("load,throughput\n", {}, "no measurements", id="a header only"),
    ],
)  # fmt: skip
def test_a_bad_csv_is_refused_saying_what_is_wrong(tmp_path, content, options, message):
    path = write(tmp_path / "run.csv", content)
    with pytest.raises(InputError, match=message):
        read_points_csv(path, **options)


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        (LOADTEST / "points.csv", "csv"),
        (FIXTURES / "usl" / "raytracer.csv", "csv"),
        (LOADTEST / "k6" / "export" / "vus-008.json", "k6"),
        (LOADTEST / "k6" / "handle_summary" / "vus-008.json", "k6"),
        (LOADTEST / "locust_stats_history.csv", "locust"),
    ],
)
def test_format_is_detected_from_content(path, expected):
    assert loadtest_format(path) == expected


def test_detection_ignores_the_file_name(tmp_path):
    renamed = tmp_path / "results.txt"
    shutil.copy(LOADTEST / "k6" / "export" / "vus-008.json", renamed)
    assert loadtest_format(renamed) == "k6"


def test_empty_file_is_rejected_by_name(tmp_path):
    path = write(tmp_path / "empty.csv", "")
    with pytest.raises(InputError, match=r"empty.csv: file is empty"):
        loadtest_format(path)


def test_locust_end_of_test_stats_points_to_the_history_file(tmp_path):
    path = write(
        tmp_path / "run_stats.csv",
        "Type,Name,Request Count,Failure Count,Median Response Time,Requests/s\n"
        ",Aggregated,1000,0,40,33.3\n",
    )
    with pytest.raises(InputError, match=r"run_stats.csv: .*stats_history.csv"):
        loadtest_format(path)


def test_missing_path_is_named(tmp_path):
    with pytest.raises(InputError, match=r"nope.csv: no such file"):
        read_load_tests([tmp_path / "nope.csv"])


def test_directory_without_results_is_rejected(tmp_path):
    (tmp_path / "notes.md").write_text("hi")
    with pytest.raises(InputError, match=r"the directory holds no \.csv, \.json or \.txt file"):
        read_load_tests([tmp_path])


def test_several_files_of_different_formats_are_combined_and_sorted(tmp_path):
    csv = write(tmp_path / "prod.csv", "load,throughput\n100,900\n3,120\n")
    points = read_load_tests([csv, LOADTEST / "k6" / "export" / "vus-008.json"])
    assert points["load"].to_list() == [3.0, 8.0, 100.0]
    assert points["source"].to_list() == ["prod.csv", "vus-008.json", "prod.csv"]


def test_a_directory_reads_every_summary_in_it():
    points = read_load_tests(LOADTEST / "k6" / "export")
    assert points["load"].to_list() == [1, 2, 4, 8, 16, 32, 48, 64, 96]
    assert points.schema == pl.Schema(SCHEMA)
    assert list(SCHEMA)[:3] == ["load", "throughput", "source"]


def test_production_style_csv_with_repeats_keeps_every_row():
    points = read_load_tests(LOADTEST / "points.csv")
    assert points.height == 22
    assert points["load"].n_unique() == 11


@pytest.mark.parametrize(
    ("header", "stat", "factor"),
    [
        ("latency_p95_ms", "p95", 1.0),
        ("p95_s", "p95", 1000.0),
        ("P99 Latency (ms)", "p99", 1.0),
        ("mean_response_time_us", "mean", 0.001),
        ("median_latency_seconds", "p50", 1000.0),
        ("avg_ms", "mean", 1.0),
        ("latency_p(90)_ms", "p90", 1.0),
        ("max_duration_sec", "max", 1000.0),
    ],
)
def test_csv_latency_columns_are_recognised_and_converted_to_ms(tmp_path, header, stat, factor):
    path = write(tmp_path / "run.csv", f"users,rps,{header}\n1,10,0.25\n2,19,\n")
    points = read_points_csv(path)
    assert points[f"latency_{stat}_ms"].to_list() == [pytest.approx(0.25 * factor), None]


def test_csv_latency_without_a_unit_is_not_guessed(tmp_path, caplog):
    path = write(tmp_path / "run.csv", "users,rps,latency_p95\n1,10,250\n")
    points = read_points_csv(path)
    assert points["latency_p95_ms"].to_list() == [None]
    assert "'latency_p95' looks like latency but its name has no unit" in caplog.text


def test_csv_columns_that_are_not_latency_are_left_alone(tmp_path):
    path = write(tmp_path / "run.csv", "users,rps,max_users,avg_rps,timestamp\n1,10,5,9,x\n")
    points = read_points_csv(path)
    assert points.select(LATENCY_COLUMNS).null_count().row(0) == (1,) * len(LATENCY_COLUMNS)


def test_csv_latency_in_two_columns_for_one_statistic_is_rejected(tmp_path):
    path = write(tmp_path / "run.csv", "users,rps,p95_ms,latency_p95_s\n1,10,250,0.25\n")
    with pytest.raises(InputError, match=r"'p95_ms' and 'latency_p95_s' both hold p95 latency"):
        read_points_csv(path)


@pytest.mark.parametrize(("value", "what"), [("fast", "expected a response time"),
                                             ("-3", "cannot be negative")])  # fmt: skip
def test_csv_bad_latency_value_is_named(tmp_path, value, what):
    path = write(tmp_path / "run.csv", f"users,rps,p95_ms\n1,10,20\n2,19,{value}\n")
    with pytest.raises(InputError, match=rf"run.csv: column 'p95_ms' row 3 .*{what}"):
        read_points_csv(path)


@pytest.mark.parametrize(
    ("paths", "unit"),
    [([LOADTEST / "locust_stats_history.csv"], "users"), ([LOADTEST / "k6" / "export"], "VUs"),
     ([LOADTEST / "points.csv"], "instances"), ([FIXTURES / "usl" / "raytracer.csv"], "processors"),
     ([LOADTEST / "points.csv", LOADTEST / "k6" / "export"], "")],
)  # fmt: skip
def test_load_unit_says_what_the_load_counts(paths, unit):
    from forecaster.scaling.loadtest import load_unit

    assert load_unit(paths) == unit
