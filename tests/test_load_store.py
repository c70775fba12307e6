"""The load store: idempotent, merges by key, atomic, sources kept apart."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from forecaster.load import LoadStore, ingest_load_frame, ingest_traffic, read_load

T0 = datetime(2024, 1, 31, 22, tzinfo=UTC)


def csv(path: Path, values: dict[int, float]) -> Path:
    """A wide file with one sample per hour offset from T0."""
    lines = ["timestamp,value"]
    for hour, value in sorted(values.items()):
        lines.append(f"{(T0 + timedelta(hours=hour)).isoformat()},{value}")
    path.write_text("\n".join(lines) + "\n")
    return path


def as_dict(store: Path, source: str | None = None) -> dict[datetime, float]:
    df = read_load(store).collect()
    if source:
        df = df.filter(pl.col("source") == source)
    return dict(zip(df["timestamp"], df["value"], strict=True))


def test_the_same_file_twice_changes_nothing(tmp_path):
    f = csv(tmp_path / "a.csv", {0: 1, 1: 2, 2: 3, 3: 4})
    first = ingest_traffic([f], tmp_path / "s", metric="m", unit="u")
    catalog = (tmp_path / "s" / "load" / "catalog.json").read_bytes()
    second = ingest_traffic([f], tmp_path / "s", metric="m", unit="u")
    assert {p.action for p in first.partitions} == {"new"}
    assert {p.action for p in second.partitions} == {"unchanged"}
    assert second.rows_added == second.rows_changed == 0
    assert (tmp_path / "s" / "load" / "catalog.json").read_bytes() == catalog


def test_partitions_are_per_month(tmp_path):
    f = csv(tmp_path / "a.csv", {0: 1, 1: 2, 2: 3, 3: 4})  # 22:00 Jan 31 .. 01:00 Feb 1
    report = ingest_traffic([f], tmp_path / "s", metric="m", unit="u")
    assert sorted((p.month, p.rows) for p in report.partitions) == [("2024-01", 2), ("2024-02", 2)]


def test_an_overlapping_file_replaces_overlapping_samples_and_keeps_the_rest(tmp_path):
    ingest_traffic([csv(tmp_path / "a.csv", {0: 1, 1: 2, 2: 3})], tmp_path / "s", metric="m")
    report = ingest_traffic(
        [csv(tmp_path / "b.csv", {1: 20, 2: 3, 3: 40})], tmp_path / "s", metric="m"
    )
    assert report.rows_added == 1 and report.rows_changed == 1
    assert list(as_dict(tmp_path / "s").values()) == [1.0, 20.0, 3.0, 40.0]


def test_sources_are_stored_apart(tmp_path):
    f = csv(tmp_path / "a.csv", {0: 1, 1: 2})
    ingest_traffic([f], tmp_path / "s", metric="m", unit="u", source="file")
    ingest_traffic([f], tmp_path / "s", metric="m", unit="u", source="other")
    df = read_load(tmp_path / "s").collect()
    assert df.group_by("source").len().sort("source").rows() == [("file", 2), ("other", 2)]


def test_versions_the_catalog_does_not_name_are_removed_at_the_next_ingest(tmp_path):
    ingest_traffic([csv(tmp_path / "a.csv", {0: 1, 1: 2})], tmp_path / "s", metric="m")
    orphan = tmp_path / "s/load/source=x/metric=y/month=2024-01/ingest=crashed"
    orphan.mkdir(parents=True)
    (orphan / "data.parquet").write_bytes(b"half a file")
    ingest_traffic([csv(tmp_path / "b.csv", {5: 1, 6: 1})], tmp_path / "s", metric="m")
    assert not orphan.exists()
    assert len(as_dict(tmp_path / "s")) == 4


def test_an_empty_store_reads_as_an_empty_frame_with_the_load_schema(tmp_path):
    df = read_load(tmp_path / "nothing").collect()
    assert df.is_empty() and df.columns == [
        "timestamp",
        "metric",
        "value",
        "unit",
        "dimensions",
        "source",
    ]


def test_a_failed_commit_leaves_the_previous_state(tmp_path, monkeypatch):
    ingest_traffic([csv(tmp_path / "a.csv", {0: 1, 1: 2})], tmp_path / "s", metric="m")
    before = as_dict(tmp_path / "s")

    def boom(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr("forecaster.load.store.atomic_write_json", boom)
    with pytest.raises(OSError):
        ingest_traffic([csv(tmp_path / "b.csv", {0: 9, 1: 9})], tmp_path / "s", metric="m")
    assert as_dict(tmp_path / "s") == before


batches = st.lists(
    st.dictionaries(
        st.integers(min_value=0, max_value=60),
        st.floats(min_value=0, max_value=1e9, allow_nan=False),
        min_size=1,
        max_size=12,
    ),
    min_size=1,
    max_size=4,
)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(batches=batches)
def test_the_store_holds_the_last_value_written_for_every_timestamp(tmp_path_factory, batches):
    store = tmp_path_factory.mktemp("store")
    expected: dict[datetime, float] = {}
    for batch in batches:
        ts = [T0 + timedelta(minutes=5 * k) for k in batch]
        frame = pl.DataFrame(
            {
                "timestamp": ts,
                "metric": "m",
                "value": list(batch.values()),
                "unit": "u",
                "dimensions": "{}",
                "source": "api",
            }
        )
        ingest_load_frame(frame, store, "batch")
        expected.update(dict(zip(ts, batch.values(), strict=True)))
    assert as_dict(store) == expected
    assert sum(p["rows"] for p in LoadStore(store).partitions()) == len(expected)
