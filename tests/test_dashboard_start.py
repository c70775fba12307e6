"""A cold start of the dashboard (issue #17): the process serves without importing the
numeric libraries, answers a view it answered before from the disk cache, never from it
for a request the login refuses or after the data changed, and warms up in the quiet."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest
from flask import Flask, Response, request

from dashboard import loader, responses
from dashboard.loader import quiet, tco_runs, warmup
from forecaster.ingest import ingest_billing
from tests import dashboard_support as support
from tests.dashboard_support import configure, write_evil_billing

ROOT = Path(__file__).resolve().parent.parent
HEAVY = ("scipy", "statsmodels", "boto3", "botocore", "pandas", "duckdb", "matplotlib",
         "reportlab", "pyspark", "sqlglot")  # fmt: skip


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    return support.session_sample(tmp_path_factory)


def test_serving_starts_without_the_heavy_libraries(sample, tmp_path):
    """What ``forecaster serve`` does before it listens: the CLI's parser (its own command's
    only: not the review pack's or the sample's modules), then the app."""
    script = (
        "import sys\n"
        "from forecaster.cli import build_parser\n"
        "build_parser(['serve'])\n"
        "assert 'forecaster.review' not in sys.modules and 'forecaster.sample' not in sys.modules\n"
        "from dashboard.app import create_app\n"
        f"create_app({str(sample['store'])!r}, {str(sample['workloads'])!r}, warm=False)\n"
        f"print(','.join(m for m in {HEAVY!r} if m in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True,
                         text=True, timeout=120, check=True)  # fmt: skip
    assert out.stdout.strip() == ""


def _overview_request(currency: str = "USD") -> dict:
    return {
        "output": "..overview-spend.figure...overview-split.figure...overview-kpis.children..."
        "overview-periods.children...overview-forecast.figure...overview-forecast-groups."
        "children...overview-url.search..",
        "outputs": [{"id": f"overview-{i}", "property": p} for i, p in (
            ("spend", "figure"), ("split", "figure"), ("kpis", "children"),
            ("periods", "children"), ("forecast", "figure"), ("forecast-groups", "children"),
            ("url", "search"))],
        "inputs": [{"id": "overview-currency", "property": "value", "value": currency},
                   {"id": "overview-by", "property": "value", "value": "provider"},
                   {"id": "overview-tag", "property": "value", "value": None}],
        "changedPropIds": ["overview-currency.value"],
        "state": [],
    }  # fmt: skip


@pytest.fixture
def private_store(sample, tmp_path):
    """A copy of the sample store the test may ingest into, with the loader on it."""
    import shutil

    store = tmp_path / "store"
    shutil.copytree(sample["store"], store, ignore=shutil.ignore_patterns("cache"))
    loader.configure(store, sample["workloads"], sample["loadtests"])
    yield store
    configure(sample)


def test_a_restart_answers_a_view_it_answered_before_without_computing(
    sample, private_store, monkeypatch
):
    client = support.app_for(sample).server.test_client()
    loader.configure(private_store, sample["workloads"], sample["loadtests"])
    first = client.post("/_dash-update-component", json=_overview_request())
    assert first.status_code == 200 and b"overview-spend" in first.data
    loader.clear()  # what a new process has lost

    def no_compute(*args):
        raise AssertionError("computed although the disk cache holds the answer")

    monkeypatch.setattr(loader, "spend", no_compute)
    monkeypatch.setattr(loader, "fits", no_compute)
    again = client.post("/_dash-update-component", json=_overview_request())
    assert again.status_code == 200 and again.data == first.data


def test_an_ingest_is_never_answered_from_the_old_answers(sample, private_store, tmp_path):
    client = support.app_for(sample).server.test_client()
    loader.configure(private_store, sample["workloads"], sample["loadtests"])
    before = client.post("/_dash-update-component", json=_overview_request()).data
    extra = write_evil_billing(tmp_path / "more" / "focus.csv")
    ingest_billing([extra], private_store, source="another")
    after = client.post("/_dash-update-component", json=_overview_request()).data
    assert after != before  # the new source's spend is in the figures


def test_a_change_to_the_dashboards_code_is_a_new_key(sample, private_store, tmp_path, monkeypatch):
    page = tmp_path / "page.py"
    page.write_text("A = 1\n")
    monkeypatch.setattr(responses, "DASHBOARD_CODE", (page,))
    before = responses._cache().key(responses.NAME, ("body",))
    page.write_text("A = 2\n")
    assert responses._cache().key(responses.NAME, ("body",)) != before


def test_a_refused_login_is_never_answered_from_the_cache(sample, private_store):
    """The check runs after the login's, so a cached answer is not a way around it."""
    server = Flask("login-test")

    @server.before_request
    def login():  # what dash-auth registers first
        if request.headers.get("Authorization") != "yes":
            return Response("login required", status=401)
        return None

    @server.post("/_dash-update-component")
    def update():
        return Response(json.dumps({"response": "secret figures"}), mimetype="application/json")

    responses.install(server)
    client = server.test_client()
    body = {"output": "x.children", "inputs": []}
    ok = client.post("/_dash-update-component", json=body, headers={"Authorization": "yes"})
    assert ok.status_code == 200 and b"secret" in ok.data
    refused = client.post("/_dash-update-component", json=body)
    assert refused.status_code == 401 and b"secret" not in refused.data
    assert responses.quiet_for() is not None and responses.quiet_for() >= 0  # not stuck busy
    assert responses._traffic["in_flight"] == 0


def test_the_warm_up_waits_for_a_quiet_moment(sample, monkeypatch):
    configure(sample)
    started: list[float] = []
    monkeypatch.setattr(warmup, "spend", lambda by=None: started.append(time.monotonic()))
    busy_until = time.monotonic() + 0.6

    def quiet_for():
        return 0.0 if time.monotonic() < busy_until else quiet.QUIET + 1.0

    monkeypatch.setattr(warmup, "config", lambda: loader.config.config().__class__())
    warmup.warm(quiet_for)
    assert started and started[0] >= busy_until


def test_without_visitors_the_warm_up_starts_after_a_few_seconds(monkeypatch, sample):
    configure(sample)
    started: list[float] = []
    monkeypatch.setattr(warmup, "spend", lambda by=None: started.append(time.monotonic()))
    monkeypatch.setattr(quiet, "FIRST_VISIT_WAIT", 0.3)
    monkeypatch.setattr(warmup, "config", lambda: loader.config.config().__class__())
    begin = time.monotonic()
    warmup.warm(lambda: None)
    assert started and 0.3 <= started[0] - begin < 2


def test_background_work_waits_until_nothing_has_been_in_flight_for_a_while(monkeypatch):
    """A page's callbacks come in a chain with short gaps: a gap shorter than ``QUIET``
    does not start background work, a longer one does."""
    monkeypatch.setattr(quiet, "QUIET", 0.3)
    gaps = iter([0.0, 0.1, 0.2, 0.0, 0.25, 0.0] + [0.35] * 3)
    looks: list[float] = []

    def quiet_for():
        looks.append(next(gaps))
        return looks[-1]

    monkeypatch.setattr(quiet, "POLL", 0.001)
    quiet.wait(quiet_for)
    assert looks == [0.0, 0.1, 0.2, 0.0, 0.25, 0.0, 0.35]
    quiet.watch(None)
    begin = time.monotonic()
    quiet.wait()  # nothing watched (a script over the loader): no wait
    assert time.monotonic() - begin < 0.05


def test_the_growth_kits_wait_while_a_view_is_answered(sample, monkeypatch):
    """The kits' thread draws nothing while a request is in flight and everything once the
    server is quiet; what a request needs meanwhile it draws itself."""
    configure(sample)
    loader.clear()
    busy = [True]
    monkeypatch.setattr(quiet, "QUIET", 0.2)
    quiet.watch(lambda: 0.0 if busy[0] else 1.0)
    try:
        months = 13  # a horizon no other test prepares, so this test starts its thread
        paths = tco_runs.tco_paths(months)
        tco_runs._prepare_growth(months)
        time.sleep(1.0)
        assert not paths._kits  # busy: not one kit drawn in the background
        name = paths.names[0]
        paths.kit(loader.fits(), name)  # a request that needs a kit draws it
        busy[0] = False
        deadline = time.monotonic() + 60
        while not paths.kits_ready() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert paths.kits_ready()
    finally:
        quiet.watch(None)


def test_a_download_is_sent_but_never_kept(sample, private_store):
    client = support.app_for(sample).server.test_client()
    loader.configure(private_store, sample["workloads"], sample["loadtests"])
    kept = private_store / "cache" / responses.NAME
    before = set(kept.glob("*.pickle")) if kept.is_dir() else set()
    body = {"output": "review-download.data",
            "outputs": {"id": "review-download", "property": "data"},
            "inputs": [{"id": "review-download-button", "property": "n_clicks", "value": 1}],
            "state": [{"id": "review-month", "property": "value", "value": "2026-10"},
                      {"id": "review-format", "property": "value", "value": "csv"}],
            "changedPropIds": ["review-download-button.n_clicks"]}  # fmt: skip
    sent = client.post("/_dash-update-component", json=body)
    assert sent.status_code == 200 and b"filename" in sent.data
    after = set(kept.glob("*.pickle")) if kept.is_dir() else set()
    assert after == before


def test_the_layout_a_page_asks_for_holds_that_page_and_marks_it_in_the_nav(sample, private_store):
    """The first view needs no routing round trip: the page, the location as the browser has
    it (so Dash does not route again) and the tab title come with the layout."""
    client = support.app_for(sample).server.test_client()
    loader.configure(private_store, sample["workloads"], sample["loadtests"])
    got = client.get("/_dash-layout", headers={"Referer": "http://x/review?month=2026-09"})
    text = got.data.decode()
    assert got.status_code == 200 and '"review-waterfall"' in text
    assert '"value":"2026-09"' in text  # the query is the page's state, as when routed
    location = _find(got.get_json(), "_pages_location")
    assert (location["pathname"], location["search"]) == ("/review", "?month=2026-09")
    assert _find(got.get_json(), "_pages_store")["data"]["title"].startswith("Review")
    assert _find(got.get_json(), "nav-review")["className"] == "current"
    assert _find(got.get_json(), "nav-overview")["className"] == ""


def test_without_a_page_the_layout_leaves_routing_to_dash(sample, private_store):
    client = support.app_for(sample).server.test_client()
    loader.configure(private_store, sample["workloads"], sample["loadtests"])
    for headers in ({}, {"Referer": "http://x/no-such-page"}):
        got = client.get("/_dash-layout", headers=headers).get_json()
        assert _find(got, "_pages_content").get("children") is None
        assert "pathname" not in _find(got, "_pages_location")


def test_a_layout_is_kept_per_page_and_query(sample, private_store, monkeypatch):
    client = support.app_for(sample).server.test_client()
    loader.configure(private_store, sample["workloads"], sample["loadtests"])
    september = {"Referer": "http://x/review?month=2026-09"}
    first = client.get("/_dash-layout", headers=september).data
    loader.clear()

    def no_compute(*args):
        raise AssertionError("computed although the disk cache holds the answer")

    monkeypatch.setattr(loader, "spend", no_compute)
    monkeypatch.setattr(loader, "currencies", no_compute)
    assert client.get("/_dash-layout", headers=september).data == first
    monkeypatch.undo()
    loader.configure(private_store, sample["workloads"], sample["loadtests"])
    october = client.get("/_dash-layout", headers={"Referer": "http://x/review?month=2026-10"})
    assert october.data != first


def test_a_page_that_fails_shows_one_line_and_is_never_kept(sample, private_store, monkeypatch):
    client = support.app_for(sample).server.test_client()
    loader.configure(private_store, sample["workloads"], sample["loadtests"])

    def broken(*args):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(loader, "partitions", broken)
    got = client.get("/_dash-layout", headers={"Referer": "http://x/data"})
    text = got.data.decode()
    assert got.status_code == 200 and "could not be computed (RuntimeError)" in text
    assert "disk on fire" not in text and "Traceback" not in text
    kept = private_store / "cache" / responses.NAME
    assert not kept.is_dir() or not any(kept.glob("*.pickle"))


def _find(node, id_: str) -> dict:
    """The props of the component ``id_`` in a layout's JSON."""
    if isinstance(node, dict):
        props = node.get("props", {})
        if props.get("id") == id_:
            return props
        children = [props.get("children")] if "props" in node else list(node.values())
        for child in children:
            found = _find(child, id_)
            if found:
                return found
    if isinstance(node, list):
        for child in node:
            found = _find(child, id_)
            if found:
                return found
    return {}
