"""k6 summaries: one file per load level, in both summary layouts."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from forecaster.errors import InputError
from forecaster.scaling.k6 import k6_point, read_k6_summary
from forecaster.scaling.loadtest import read_load_tests

K6 = Path(__file__).parent / "fixtures" / "loadtest" / "k6"
#: Summaries recorded with a real k6 (v1.1.0) against a local server: record_k6.py.
K6_REAL = Path(__file__).parent / "fixtures" / "loadtest" / "k6_real"


def write_json(path: Path, doc: object) -> Path:
    path.write_text(json.dumps(doc))
    return path


@pytest.mark.parametrize("layout", ["export", "handle_summary"])
def test_load_is_peak_vus_and_throughput_is_the_http_request_rate(layout):
    path = K6 / layout / "vus-016.json"
    doc = json.loads(path.read_text())["metrics"]
    rate = doc["http_reqs"]["rate"] if layout == "export" else doc["http_reqs"]["values"]["rate"]
    point = k6_point(path)
    assert point["load"] == 16.0
    assert point["throughput"] == pytest.approx(rate)
    assert (point["load_metric"], point["throughput_metric"]) == ("vus.max", "http_reqs.rate")


def test_both_layouts_give_the_same_points():
    export = read_load_tests(K6 / "export")
    handle = read_load_tests(K6 / "handle_summary")
    assert export["load"].to_list() == handle["load"].to_list()
    assert export["throughput"].to_list() == pytest.approx(handle["throughput"].to_list())


def test_one_summary_is_one_row():
    assert read_k6_summary(K6 / "export" / "vus-001.json").height == 1


def test_vus_max_is_the_fallback_for_load(tmp_path):
    path = write_json(
        tmp_path / "s.json",
        {
            "metrics": {
                "vus_max": {"value": 20, "min": 20, "max": 20},
                "http_reqs": {"count": 1000, "rate": 50.5},
            }
        },
    )
    point = k6_point(path)
    assert (point["load"], point["throughput"], point["load_metric"]) == (20.0, 50.5, "vus_max.max")


def test_iterations_are_the_fallback_for_throughput(tmp_path):
    path = write_json(
        tmp_path / "s.json",
        {
            "metrics": {
                "vus": {"values": {"max": 4}},
                "iterations": {"values": {"count": 60, "rate": 1.0}},
            }
        },
    )
    assert k6_point(path)["throughput_metric"] == "iterations.rate"


def test_metrics_and_statistics_can_be_named(tmp_path):
    path = write_json(
        tmp_path / "s.json",
        {
            "metrics": {
                "vus": {"values": {"value": 1, "max": 30}},
                "vus_max": {"values": {"value": 25, "max": 25}},
                "http_reqs": {"values": {"rate": 99.0}},
                "orders": {"values": {"count": 600, "rate": 10.0}},
            }
        },
    )
    point = k6_point(path, load_metric="vus_max.value", throughput_metric="orders")
    assert (point["load"], point["throughput"]) == (25.0, 10.0)


def test_unknown_metric_lists_the_metrics(tmp_path):
    path = write_json(
        tmp_path / "s.json", {"metrics": {"vus": {"max": 3}, "http_reqs": {"rate": 9}}}
    )
    with pytest.raises(
        InputError,
        match=r"s.json: no k6 metric 'grpc_reqs' for throughput; metrics are http_reqs, vus",
    ):
        k6_point(path, throughput_metric="grpc_reqs")


def test_summary_without_request_metrics_is_rejected(tmp_path):
    path = write_json(tmp_path / "s.json", {"metrics": {"vus": {"max": 3}}})
    with pytest.raises(InputError, match=r"s.json: k6 summary has none of the metrics http_reqs"):
        k6_point(path)


def test_counter_without_rate_is_rejected(tmp_path):
    path = write_json(
        tmp_path / "s.json", {"metrics": {"vus": {"max": 3}, "http_reqs": {"count": 9}}}
    )
    with pytest.raises(InputError, match=r"'http_reqs' has no rate statistic for throughput"):
        k6_point(path)


def test_json_that_is_not_a_summary_is_rejected(tmp_path):
    path = write_json(tmp_path / "s.json", {"data": []})
    with pytest.raises(InputError, match=r"s.json: not a k6 summary \(no 'metrics' object\)"):
        k6_point(path)


def test_broken_json_names_the_line(tmp_path):
    path = tmp_path / "s.json"
    path.write_text('{"metrics": {\n  "vus": \n}')
    with pytest.raises(InputError, match=r"s.json: not valid JSON .* line 3"):
        k6_point(path)


def test_the_point_stream_from_out_json_is_explained(tmp_path):
    path = tmp_path / "stream.json"
    path.write_text(
        '{"type":"Metric","data":{"type":"gauge","contains":"default"},"metric":"vus"}\n'
        '{"type":"Point","data":{"time":"2017-05-09T14:34:45+02:00","value":5},"metric":"vus"}\n'
    )
    with pytest.raises(InputError, match=r"stream.json: this is k6's --out json stream"):
        read_load_tests([path])


def test_too_few_summaries_explains_that_each_is_one_point():
    files = [K6 / "export" / f"vus-{n:03d}.json" for n in (1, 2, 4)]
    with pytest.raises(InputError, match=r"3 k6 summary file\(s\) .* only 3 distinct load.*ONE"):
        read_load_tests(files)


@pytest.mark.parametrize("layout", ["export", "handle_summary"])
def test_real_k6_summaries_keep_the_request_duration_statistics(layout):
    path = K6_REAL / layout / "vus-016.json"
    metrics = json.loads(path.read_text())["metrics"]
    trend = metrics["http_req_duration"]
    trend = trend.get("values", trend)
    point = k6_point(path)
    assert point["latency_metric"] == "http_req_duration"
    expected = {"mean": "avg", "p50": "med", "p90": "p(90)", "p95": "p(95)", "p99": "p(99)",
                "max": "max"}  # fmt: skip
    for ours, theirs in expected.items():
        assert point[f"latency_{ours}_ms"] == pytest.approx(trend[theirs])


def test_real_k6_layouts_give_the_same_latency():
    export = read_load_tests(K6_REAL / "export")
    handle = read_load_tests(K6_REAL / "handle_summary")
    assert export.equals(handle)
    assert export["load"].to_list() == [1, 2, 4, 8, 16, 32]
    assert export["latency_p99_ms"].null_count() == 0


def test_real_k6_latency_obeys_littles_law():
    """k6 VUs loop without sleeping: the mean response time is at most N / X (in ms), and
    about equal to it while k6 itself is not short of CPU (the gap is k6's own time per
    iteration, which grew at 16 and 32 VUs on the 2-core machine that recorded these)."""
    points = read_load_tests(K6_REAL / "export")
    cycle = 1000.0 * points["load"] / points["throughput"]
    gap = cycle - points["latency_mean_ms"]
    assert (gap > 0).all()
    assert (gap < 0.1 * cycle).filter(points["load"] <= 8).all()


def test_p99_is_absent_unless_exported():
    point = k6_point(K6 / "export" / "vus-016.json")
    assert "latency_p95_ms" in point
    assert "latency_p99_ms" not in point
    assert read_k6_summary(K6 / "export" / "vus-016.json")["latency_p99_ms"].to_list() == [None]


def test_summary_without_a_duration_trend_has_no_latency(tmp_path):
    path = write_json(
        tmp_path / "s.json", {"metrics": {"vus": {"max": 3}, "iterations": {"rate": 9}}}
    )
    assert k6_point(path)["latency_metric"] is None
    assert read_k6_summary(path)["latency_mean_ms"].to_list() == [None]


def test_a_duration_statistic_that_is_not_a_number_is_rejected(tmp_path):
    path = write_json(
        tmp_path / "s.json",
        {"metrics": {"vus": {"max": 3}, "http_reqs": {"rate": 9},
                     "http_req_duration": {"avg": "12ms"}}},
    )  # fmt: skip
    with pytest.raises(InputError, match=r"'http_req_duration' statistic 'avg' is '12ms'"):
        k6_point(path)
