"""Traffic files: wide and long layouts, CSV and Parquet, and clear errors for bad input."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import polars as pl
import pytest

from forecaster.errors import InputError
from forecaster.load import LOAD_SCHEMA, ingest_traffic, read_load


def write(path: Path, text: str) -> Path:
    path.write_text(text)
    return path


def stored(store: Path) -> pl.DataFrame:
    return read_load(store).collect().sort("metric", "timestamp")


def test_wide_csv_is_stored_under_the_given_metric_and_unit(tmp_path):
    f = write(
        tmp_path / "rq.csv", "timestamp,value\n2024-01-01 00:00:00,10\n2024-01-01 00:05:00,12\n"
    )
    ingest_traffic([f], tmp_path / "store", metric="api.requests", unit="requests")
    df = stored(tmp_path / "store")
    assert df.schema == pl.Schema(LOAD_SCHEMA)
    assert df.rows() == [
        (datetime(2024, 1, 1, 0, 0, tzinfo=UTC), "api.requests", 10.0, "requests", "{}", "file"),
        (datetime(2024, 1, 1, 0, 5, tzinfo=UTC), "api.requests", 12.0, "requests", "{}", "file"),
    ]


def test_long_csv_names_its_metrics_units_and_dimensions(tmp_path):
    f = write(
        tmp_path / "long.csv",
        "timestamp,metric,value,unit,dimensions\n"
        '2024-01-01T00:00:00Z,a,1,requests,"{""lb"": ""x""}"\n'
        '2024-01-01T00:01:00Z,a,2,requests,"{""lb"": ""x""}"\n'
        "2024-01-01T00:00:00Z,b,3,GB,\n"
        "2024-01-01T00:01:00Z,b,4,GB,\n",
    )
    ingest_traffic([f], tmp_path / "store")
    df = stored(tmp_path / "store")
    assert df["metric"].to_list() == ["a", "a", "b", "b"]
    assert df["unit"].to_list() == ["requests", "requests", "GB", "GB"]
    assert df["dimensions"].to_list() == ['{"lb":"x"}', '{"lb":"x"}', "{}", "{}"]


def test_wide_file_with_several_value_columns_stores_one_metric_per_column(tmp_path):
    f = write(tmp_path / "w.csv", "time,requests,errors\n2024-01-01,100,1\n2024-01-02,110,2\n")
    ingest_traffic([f], tmp_path / "store", unit="count")
    df = stored(tmp_path / "store")
    assert sorted(set(df["metric"])) == ["errors", "requests"]
    assert df.filter(pl.col("metric") == "requests")["value"].to_list() == [100.0, 110.0]


@pytest.mark.parametrize(
    "text",
    [
        "ds,y\n2024-01-01,5\n2024-01-02,6\n",  # Prophet's names
        "Timestamp,Value\n2024-01-01T00:00:00+00:00,5\n2024-01-02T00:00:00+00:00,6\n",
        "timestamp,value\n1704067200,5\n1704153600,6\n",  # epoch seconds
        "timestamp,value\n2024-01-01T01:00:00+01:00,5\n2024-01-02T01:00:00+01:00,6\n",
    ],
    ids=["prophet", "capitalised", "epoch", "offset"],
)
def test_timestamp_spellings_all_mean_the_same_utc_instants(tmp_path, text):
    f = write(tmp_path / "t.csv", text)
    ingest_traffic([f], tmp_path / "store", metric="m", unit="u")
    assert stored(tmp_path / "store")["timestamp"].to_list() == [
        datetime(2024, 1, 1, tzinfo=UTC),
        datetime(2024, 1, 2, tzinfo=UTC),
    ]


@pytest.mark.parametrize("layout", ["wide", "long"])
def test_parquet_files_keep_their_types(tmp_path, layout):
    ts = [datetime(2024, 1, 1, h) for h in range(3)]
    frame = pl.DataFrame({"timestamp": ts, "value": [1.5, 2.5, 3.5]})
    if layout == "long":
        frame = frame.with_columns(metric=pl.lit("m"), unit=pl.lit("u"))
    path = tmp_path / "t.parquet"
    frame.write_parquet(path)
    kwargs = {"metric": "m", "unit": "u"} if layout == "wide" else {}
    ingest_traffic([path], tmp_path / "store", **kwargs)
    df = stored(tmp_path / "store")
    assert df["value"].to_list() == [1.5, 2.5, 3.5]
    assert df["timestamp"][0] == datetime(2024, 1, 1, tzinfo=UTC)


def test_blank_values_are_skipped_and_counted(tmp_path):
    text = "timestamp,value\n2024-01-01,1\n2024-01-02,\n2024-01-03,3\n2024-01-04,4\n"
    f = write(tmp_path / "b.csv", text)
    report = ingest_traffic([f], tmp_path / "store", metric="m", unit="u")
    assert report.files[0]["blank_values_skipped"] == 1
    assert stored(tmp_path / "store")["value"].to_list() == [1.0, 3.0, 4.0]


BAD_FILES = {
    "unparseable timestamp": (
        "timestamp,value\n2024-01-01 00:00:00,1\nyesterday,2\n",
        {"metric": "m"},
        ["column timestamp", "'yesterday'", "data row 2", "not a timestamp"],
    ),
    "value not a number": (
        "timestamp,value\n2024-01-01,1\n2024-01-02,lots\n",
        {"metric": "m"},
        ["column value", "'lots'", "not a number"],
    ),
    "negative count": (
        "timestamp,value\n2024-01-01,1\n2024-01-02,-3\n",
        {"metric": "m"},
        ["column value", "negative", "-3", "data row 2"],
    ),
    "mixed units in a long file": (
        "timestamp,metric,value,unit\n2024-01-01,m,1,requests\n2024-01-02,m,2,kilorequests\n",
        {},
        ["'m'", "mixes units", "kilorequests", "requests"],
    ),
    "unit column disagrees with the unit given": (
        "timestamp,metric,value,unit\n2024-01-01,m,1,requests\n2024-01-02,m,2,requests\n",
        {"unit": "GB"},
        ["'requests'", "'GB'", "mixed units"],
    ),
    "duplicate timestamps": (
        "timestamp,value\n2024-01-01,1\n2024-01-01,2\n",
        {"metric": "m"},
        ["column timestamp", "2024-01-01T00:00:00Z", "more than once", "data rows 1 and 2"],
    ),
    "finer than a minute": (
        "timestamp,value\n2024-01-01T00:00:00,1\n2024-01-01T00:00:10,1\n2024-01-01T00:00:20,1\n",
        {"metric": "m"},
        ["10 s apart", "1 minute"],
    ),
    "coarser than a day": (
        "timestamp,value\n2024-01-01,1\n2024-01-08,1\n2024-01-15,1\n",
        {"metric": "m"},
        ["168 h apart", "daily"],
    ),
    "wide file without a metric name": (
        "timestamp,value\n2024-01-01,1\n",
        {},
        ["does not name its metric", "`metric` NAME"],
    ),
    "long file with a metric name": (
        "timestamp,metric,value\n2024-01-01,m,1\n",
        {"metric": "x"},
        ["names its metrics in column metric"],
    ),
    "no timestamp column": (
        "when,value\n2024-01-01,1\n",
        {"metric": "m"},
        ["no timestamp column", "when, value"],
    ),
    "bad dimensions": (
        "timestamp,metric,value,dimensions\n2024-01-01,m,1,lb=x\n",
        {},
        ["dimensions 'lb=x' is not JSON"],
    ),
}


@pytest.mark.parametrize("case", list(BAD_FILES), ids=list(BAD_FILES))
def test_bad_files_fail_with_a_message_naming_file_and_value(tmp_path, case):
    text, kwargs, expected = BAD_FILES[case]
    f = write(tmp_path / "bad.csv", text)
    with pytest.raises(InputError) as err:
        ingest_traffic([f], tmp_path / "store", **kwargs)
    message = str(err.value)
    assert "bad.csv" in message
    for part in expected:
        assert part in message
    assert stored(tmp_path / "store").is_empty()


def test_a_metric_cannot_change_unit_across_ingests(tmp_path):
    good = write(tmp_path / "a.csv", "timestamp,value\n2024-01-01,1\n")
    ingest_traffic([good], tmp_path / "store", metric="m", unit="requests")
    other = write(tmp_path / "b.csv", "timestamp,value\n2024-01-02,1\n")
    with pytest.raises(
        InputError, match="arrives in unit 'GB' but the store holds it in 'requests'"
    ):
        ingest_traffic([other], tmp_path / "store", metric="m", unit="GB")
    assert stored(tmp_path / "store").height == 1


def test_an_error_in_one_file_stores_none_of_the_files(tmp_path):
    good = write(tmp_path / "a.csv", "timestamp,value\n2024-01-01,1\n2024-01-02,1\n")
    bad = write(tmp_path / "b.csv", "timestamp,value\n2024-01-01,1\n2024-01-02,-1\n")
    with pytest.raises(InputError, match="b.csv"):
        ingest_traffic([good, bad], tmp_path / "store", metric="m", unit="u")
    assert stored(tmp_path / "store").is_empty()
