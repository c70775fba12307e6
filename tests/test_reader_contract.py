"""One contract for every input reader, tested once over all registered readers on real
files (``tests/fixtures``, see ATTRIBUTION.md): each is a ``Reader`` with a name and a
description, detects its own file and no other reader of its kind does, and reads it into
its registry's canonical columns and types; a file of another kind or an unknown format is
one ``InputError`` naming the file or the parameter."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from forecaster import columns as C
from forecaster.errors import InputError
from forecaster.load.frame import LOAD_SCHEMA
from forecaster.readers import (
    BILLING_READERS,
    LOADTEST_READERS,
    REGISTRIES,
    TRAFFIC_READERS,
    Reader,
)
from forecaster.scaling.points import SCHEMA as POINTS_SCHEMA

FIXTURES = Path(__file__).resolve().parent / "fixtures"
LEGACY_CUR = FIXTURES / "billing" / "aws-legacy-cur-sample.csv"
CUR2 = FIXTURES / "billing" / "cur2-from-legacy-sample.parquet"  # make_cur2.py, from LEGACY_CUR
TRAFFIC = FIXTURES / "traffic" / "nab-elb_request_count_8c0756-head.csv"

#: (registry kind, reader name) -> (a real file in the reader's format, read options).
FILES: dict[tuple[str, str], tuple[Path, dict]] = {
    ("billing", "focus"): (FIXTURES / "billing" / "focus-1.0-sample.csv", {}),
    ("billing", "cur2"): (CUR2, {}),
    ("billing", "cur-legacy"): (LEGACY_CUR, {}),
    ("traffic", "traffic-table"): (TRAFFIC, {"metric": "elb.request_count"}),
    ("load-test", "k6"): (FIXTURES / "loadtest" / "k6_real" / "export" / "vus-004.json", {}),
    ("load-test", "locust"): (FIXTURES / "loadtest" / "locust_stats_history.csv", {}),
    ("load-test", "csv"): (FIXTURES / "loadtest" / "points.csv", {}),
}
SCHEMAS = {"billing": C.CHARGES_SCHEMA, "traffic": LOAD_SCHEMA, "load-test": POINTS_SCHEMA}
REGISTERED = [(kind, r.name) for kind, reg in REGISTRIES.items() for r in reg]


def test_every_registered_reader_has_a_real_file_here():
    assert sorted(REGISTERED) == sorted(FILES)


@pytest.mark.parametrize("kind, name", REGISTERED)
def test_a_reader_has_a_name_and_a_description(kind, name):
    reader = REGISTRIES[kind].get(name)
    assert isinstance(reader, Reader)
    assert reader.name == name and len(reader.description) > 10


@pytest.mark.parametrize("kind, name", REGISTERED)
def test_only_its_own_reader_detects_a_file(kind, name):
    path, _ = FILES[(kind, name)]
    registry = REGISTRIES[kind]
    assert [r.name for r in registry if r.detect(path)] == [name]
    assert registry.detect(path).name == name


@pytest.mark.parametrize("kind, name", REGISTERED)
def test_a_reader_gives_the_canonical_columns_and_types(kind, name):
    path, options = FILES[(kind, name)]
    frame = REGISTRIES[kind].read(path, **options)
    assert isinstance(frame, pl.LazyFrame)
    got = frame.collect()
    assert got.columns == list(REGISTRIES[kind].columns) == list(SCHEMAS[kind])
    assert dict(got.schema) == {c: SCHEMAS[kind][c] for c in got.columns}
    assert got.height > 0


def test_cur2_and_the_legacy_cur_of_the_same_rows_bill_the_same():
    cur2 = BILLING_READERS.read(CUR2).collect()
    legacy = BILLING_READERS.get("cur-legacy").read(LEGACY_CUR).collect().head(cur2.height)
    for column in (C.BILLED_COST, C.EFFECTIVE_COST, C.LIST_COST):
        assert round(cur2[column].sum(), 2) == round(legacy[column].sum(), 2), column
    assert sorted(cur2[C.SERVICE_NAME].to_list()) == sorted(legacy[C.SERVICE_NAME].to_list())


def test_the_traffic_file_keeps_every_sample():
    frame = TRAFFIC_READERS.read(TRAFFIC, metric="elb.request_count").collect()
    assert frame.height == 600 and frame[C.LOAD_METRIC].unique().to_list() == ["elb.request_count"]


@pytest.mark.parametrize(
    "registry, path",
    [(BILLING_READERS, TRAFFIC), (LOADTEST_READERS, CUR2), (TRAFFIC_READERS, LEGACY_CUR)],
    ids=["traffic as billing", "billing parquet as load test", "CUR as traffic"],
)
def test_a_file_of_another_kind_is_an_input_error_naming_it(registry, path):
    with pytest.raises(InputError, match=str(path.name)):
        registry.detect(path)


def test_an_unknown_format_names_the_choices():
    with pytest.raises(InputError, match="focus, cur2, cur-legacy") as err:
        BILLING_READERS.read(LEGACY_CUR, format="cur3")
    assert err.value.parameters == ("format",)
