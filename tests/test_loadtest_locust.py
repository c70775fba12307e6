"""Locust stats history: one point per steady user count."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import polars as pl
import pytest

from forecaster.errors import InputError
from forecaster.scaling.locust import read_locust_history, steady_levels

HISTORY = Path(__file__).parent / "fixtures" / "loadtest" / "locust_stats_history.csv"
HEADER = "Timestamp,User Count,Type,Name,Requests/s,Failures/s,50%,95%,Total Request Count"


def history(path: Path, rows: list[tuple[int, int, str, float]]) -> Path:
    """rows: (timestamp, users, name, requests/s)."""
    lines = [HEADER]
    for t, users, name, rps in rows:
        kind = "" if name == "Aggregated" else "GET"
        lines.append(f"{t},{users},{kind},{name},{rps},0,N/A,N/A,0")
    path.write_text("\n".join(lines) + "\n")
    return path


def held(start: int, users: int, seconds: int, rps: float, name: str = "Aggregated"):
    return [(start + i, users, name, rps) for i in range(seconds)]


def test_fixture_gives_one_point_per_step():
    points = read_locust_history(HISTORY)
    assert points["load"].to_list() == [5, 10, 20, 30, 40, 60, 80, 100]
    assert points["source"].unique().to_list() == ["locust_stats_history.csv"]


def test_fixture_throughput_is_near_the_simulated_law():
    points = read_locust_history(HISTORY)
    n = points["load"].to_numpy()
    truth = 40 * n / (1 + 0.03 * (n - 1) + 0.0004 * n * (n - 1))
    np.testing.assert_allclose(points["throughput"].to_numpy(), truth, rtol=0.05)


def test_ramp_rows_and_settling_rows_are_dropped(tmp_path):
    rows = held(0, 5, 2, 0.0)  # ramping 0 -> 10 at 5 users/s
    rows += held(2, 10, 15, 1.0)  # moving average still climbing
    rows += held(17, 10, 30, 100.0)
    path = history(tmp_path / "h.csv", rows)
    points = read_locust_history(path).select("load", "throughput", "source")
    assert points.to_dicts() == [{"load": 10.0, "throughput": 100.0, "source": "h.csv"}]


def test_throughput_is_the_median_of_the_steady_rows(tmp_path):
    rows = held(0, 10, 20, 0.0) + [
        (20 + i, 10, "Aggregated", v) for i, v in enumerate([50, 52, 900, 51, 49])
    ]
    points = read_locust_history(history(tmp_path / "h.csv", rows), settle_seconds=20)
    assert points["throughput"].to_list() == [51.0]


def test_only_aggregated_rows_count(tmp_path):
    rows = held(0, 10, 30, 70.0, name="/") + held(0, 10, 30, 100.0)
    points = read_locust_history(history(tmp_path / "h.csv", rows))
    assert points["throughput"].to_list() == [100.0]


def test_a_level_revisited_later_is_pooled(tmp_path):
    rows = held(0, 10, 30, 100.0) + held(30, 20, 30, 180.0) + held(60, 10, 30, 110.0)
    points = read_locust_history(history(tmp_path / "h.csv", rows))
    assert points["load"].to_list() == [10.0, 20.0]
    assert points["throughput"].to_list() == [105.0, 180.0]


def test_zero_user_rows_are_ignored(tmp_path):
    rows = held(0, 0, 30, 0.0) + held(30, 10, 30, 100.0)
    assert read_locust_history(history(tmp_path / "h.csv", rows)).height == 1


def test_settle_time_is_configurable():
    short = read_locust_history(HISTORY, settle_seconds=0)
    assert short.height > 8  # transient ramp levels now count too


def test_a_pure_ramp_never_settles(tmp_path):
    rows = [(t, 5 * (t + 1), "Aggregated", 10.0 * t) for t in range(40)]
    with pytest.raises(InputError, match=r"h.csv: no user count was held for 15 s"):
        read_locust_history(history(tmp_path / "h.csv", rows))


def test_missing_column_is_named(tmp_path):
    path = tmp_path / "h.csv"
    path.write_text("Timestamp,User Count,Name\n1,10,Aggregated\n")
    with pytest.raises(InputError, match=r"h.csv: Locust stats history has no 'Requests/s' column"):
        read_locust_history(path)


def test_history_without_aggregated_rows_is_rejected(tmp_path):
    path = history(tmp_path / "h.csv", held(0, 10, 30, 70.0, name="/"))
    with pytest.raises(InputError, match="no rows with Name 'Aggregated'"):
        read_locust_history(path)


def test_steady_levels_is_a_lazy_pipeline():
    rows = pl.LazyFrame(
        {"timestamp": [0.0, 20.0, 40.0], "users": [4.0, 4.0, 4.0], "rps": [1.0, 2.0, 3.0]}
    )
    out = steady_levels(rows, settle_seconds=15)
    assert isinstance(out, pl.LazyFrame)
    assert out.collect().to_dicts() == [{"load": 4.0, "throughput": 2.5, "samples": 2}]


def test_iso_timestamps_are_read_as_seconds(tmp_path):
    rows = held(0, 10, 30, 100.0)
    path = history(tmp_path / "h.csv", rows)
    text = path.read_text().splitlines()
    iso = [text[0]] + [
        f"2024-06-10T12:00:{i:02d}Z" + line[line.index(",") :] for i, line in enumerate(text[1:])
    ]
    path.write_text("\n".join(iso) + "\n")
    points = read_locust_history(path).select("load", "throughput", "source")
    assert points.to_dicts() == [{"load": 10.0, "throughput": 100.0, "source": "h.csv"}]


def test_unreadable_timestamp_is_named(tmp_path):
    path = tmp_path / "h.csv"
    path.write_text(HEADER + "\nyesterday,10,,Aggregated,5,0,N/A,N/A,0\n")
    with pytest.raises(InputError, match=r"h.csv: column 'Timestamp' row 2 is 'yesterday'"):
        read_locust_history(path)


LATENCY_HEADER = (
    "Timestamp,User Count,Type,Name,Requests/s,Failures/s,50%,90%,95%,99%,100%,"
    "Total Request Count,Total Average Response Time"
)


def latency_history(path: Path, rows: list[tuple], full: bool = True) -> Path:
    """rows: (timestamp, users, rps, p50, p90, p95, p99, p100, total count, total average);
    ``full``: also a "/" endpoint row per second, as --csv-full-history writes."""
    lines = [LATENCY_HEADER]
    for t, users, rps, *rest in rows:
        values = ",".join(str(v) for v in rest)
        if full:
            lines.append(f"{t},{users},GET,/,{rps},0,{values}")
        lines.append(f"{t},{users},,Aggregated,{rps},0,{values}")
    path.write_text("\n".join(lines) + "\n")
    return path


def test_fixture_keeps_the_latency_percentiles_per_steady_level():
    points = read_locust_history(HISTORY)
    for a, b in (("p50", "p90"), ("p90", "p95"), ("p95", "p99"), ("p99", "max")):
        assert (points[f"latency_{a}_ms"] <= points[f"latency_{b}_ms"]).all()
    assert points["latency_p95_ms"].is_sorted()
    assert points["latency_p95_ms"].null_count() == 0


def test_window_percentiles_follow_the_settling_rule(tmp_path):
    rows = [(t, 10, 50.0, "N/A", "N/A", "N/A", "N/A", "N/A", 0, 0) for t in range(2)]
    rows += [(t, 10, 90.0, 900, 900, 900, 900, 950, 0, 0) for t in range(2, 15)]  # settling
    rows += [(t, 10, 100.0, 40 + t % 3, 80, 95 + t % 5, 120, 150 + t, 0, 0) for t in range(15, 45)]
    points = read_locust_history(latency_history(tmp_path / "h.csv", rows))
    row = points.row(0, named=True)
    assert row["latency_p50_ms"] == 41.0
    assert row["latency_p95_ms"] == 97.0
    assert row["latency_max_ms"] == 150 + 44


def test_mean_is_exact_over_the_steady_rows_from_cumulative_totals(tmp_path):
    # 20 requests/s at 50 ms before the level settles, then 100/s at 80 ms
    rows, count, total_ms = [], 0, 0.0
    for t in range(60):
        n, ms = (20, 50.0) if t < 15 else (100, 80.0)
        count, total_ms = count + n, total_ms + n * ms
        rows.append((t, 10, n, 40, 60, 70, 90, 99, count, total_ms / count))
    points = read_locust_history(latency_history(tmp_path / "h.csv", rows))
    assert points["latency_mean_ms"].to_list() == [pytest.approx(80.0)]


def test_a_statistics_reset_leaves_the_level_without_a_mean(tmp_path):
    rows = [(t, 10, 10, 40, 60, 70, 90, 99, 1000 - 10 * t, 50.0) for t in range(40)]
    points = read_locust_history(latency_history(tmp_path / "h.csv", rows))
    assert points["latency_mean_ms"].to_list() == [None]
    assert points["latency_p95_ms"].to_list() == [70.0]


def test_cumulative_percentiles_without_full_history_are_not_used(tmp_path, caplog):
    rows, count, total_ms = [], 0, 0.0
    for t in range(40):
        count, total_ms = count + 10, total_ms + 10 * 80.0
        rows.append((t, 10, 10, 40, 60, 70, 90, 99, count, total_ms / count))
    points = read_locust_history(latency_history(tmp_path / "h.csv", rows, full=False))
    assert points["latency_p95_ms"].to_list() == [None]
    assert points["latency_mean_ms"].to_list() == [pytest.approx(80.0)]
    assert "written without --csv-full-history" in caplog.text


def test_percentile_text_is_named(tmp_path):
    rows = [(t, 10, 10, "fast", 60, 70, 90, 99, t, 50.0) for t in range(40)]
    with pytest.raises(InputError, match=r"h.csv: column '50%' row 2 is 'fast'"):
        read_locust_history(latency_history(tmp_path / "h.csv", rows))
