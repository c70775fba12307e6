"""Load-test readers: plain CSV, format detection, files and directories."""

from __future__ import annotations

import shutil
from pathlib import Path

import polars as pl
import pytest

from forecaster.errors import InputError
from forecaster.scaling.loadtest import detect_format, read_load_tests, read_points_csv

FIXTURES = Path(__file__).parent / "fixtures"
LOADTEST = FIXTURES / "loadtest"


def write(path: Path, text: str) -> Path:
    path.write_text(text)
    return path


def test_csv_with_load_and_throughput_columns(tmp_path):
    path = write(tmp_path / "run.csv", "load,throughput\n1,10\n2,19.5\n4,35\n")
    points = read_points_csv(path)
    assert points.columns == ["load", "throughput", "source"]
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


def test_csv_missing_named_column_lists_the_columns(tmp_path):
    path = write(tmp_path / "run.csv", "pods,served\n1,10\n")
    with pytest.raises(
        InputError, match=r"run.csv: no column 'users' for load; columns are pods, served"
    ):
        read_points_csv(path, load_col="users")


def test_csv_without_a_recognisable_load_column_says_which_flag_to_use(tmp_path):
    path = write(tmp_path / "run.csv", "pods,throughput\n1,10\n")
    with pytest.raises(InputError, match=r"run.csv: no load column .* --load-col"):
        read_points_csv(path)


def test_csv_non_numeric_value_names_row_and_value(tmp_path):
    path = write(tmp_path / "run.csv", "load,throughput\n1,10\n2,lots\n")
    with pytest.raises(InputError, match=r"run.csv: column 'throughput' row 3 is 'lots'"):
        read_points_csv(path)


def test_csv_empty_value_names_the_row(tmp_path):
    path = write(tmp_path / "run.csv", "load,throughput\n1,10\n,19\n")
    with pytest.raises(InputError, match=r"column 'load' row 3 is empty"):
        read_points_csv(path)


def test_csv_with_header_only_is_rejected(tmp_path):
    path = write(tmp_path / "run.csv", "load,throughput\n")
    with pytest.raises(InputError, match="no measurements"):
        read_points_csv(path)


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
    assert detect_format(path) == expected


def test_detection_ignores_the_file_name(tmp_path):
    renamed = tmp_path / "results.txt"
    shutil.copy(LOADTEST / "k6" / "export" / "vus-008.json", renamed)
    assert detect_format(renamed) == "k6"


def test_empty_file_is_rejected_by_name(tmp_path):
    path = write(tmp_path / "empty.csv", "")
    with pytest.raises(InputError, match=r"empty.csv: file is empty"):
        detect_format(path)


def test_locust_end_of_test_stats_points_to_the_history_file(tmp_path):
    path = write(
        tmp_path / "run_stats.csv",
        "Type,Name,Request Count,Failure Count,Median Response Time,Requests/s\n"
        ",Aggregated,1000,0,40,33.3\n",
    )
    with pytest.raises(InputError, match=r"run_stats.csv: .*stats_history.csv"):
        detect_format(path)


def test_missing_path_is_named(tmp_path):
    with pytest.raises(InputError, match=r"nope.csv: no such file"):
        read_load_tests([tmp_path / "nope.csv"])


def test_directory_without_results_is_rejected(tmp_path):
    (tmp_path / "notes.md").write_text("hi")
    with pytest.raises(InputError, match="no .csv or .json files"):
        read_load_tests([tmp_path])


def test_several_files_of_different_formats_are_combined_and_sorted(tmp_path):
    csv = write(tmp_path / "prod.csv", "load,throughput\n100,900\n3,120\n")
    points = read_load_tests([csv, LOADTEST / "k6" / "export" / "vus-008.json"])
    assert points["load"].to_list() == [3.0, 8.0, 100.0]
    assert points["source"].to_list() == ["prod.csv", "vus-008.json", "prod.csv"]


def test_a_directory_reads_every_summary_in_it():
    points = read_load_tests(LOADTEST / "k6" / "export")
    assert points["load"].to_list() == [1, 2, 4, 8, 16, 32, 48, 64, 96]
    assert points.schema == pl.Schema(
        {"load": pl.Float64, "throughput": pl.Float64, "source": pl.String}
    )


def test_production_style_csv_with_repeats_keeps_every_row():
    points = read_load_tests(LOADTEST / "points.csv")
    assert points.height == 22
    assert points["load"].n_unique() == 11
