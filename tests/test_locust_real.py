"""Real Locust (from PyPI, the test extra) run headless against a small local server: its
stats-history files are read with their latency percentiles, one level per run.

The server (127.0.0.1, a thread of this process) does 4 ms of parallel work per request,
then 5 ms inside one lock (a serialized section: at most ~200 requests/s). Each Locust
user waits a constant 50 ms between requests (think time). Four runs, one per user count
(2, 4, 8, 16), 22 s each, run at the same time against a server each, so the test takes
about 30 s. Locust's history is written with --csv-full-history (window percentiles), its
percentile window shortened to 3 s in the locustfile; the first 12 s of each run are the
settling time (Locust's Requests/s averages the seconds 12 to 2 before each row).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from forecaster.scaling.budget_load import budget_load
from forecaster.scaling.latency import fit_percentile
from forecaster.scaling.latency_budget import parse_budget
from forecaster.scaling.littles_law import think_time
from forecaster.scaling.loadtest import read_load_tests
from forecaster.scaling.usl import USLModel

pytestmark = pytest.mark.slow  # ~30 s: four 22-s Locust runs at once (plus start-up)

# Locust is never imported here: it monkey-patches the standard library (gevent) on import.
LEVELS = (2, 4, 8, 16)
RUN_TIME = "22s"
LOCUSTFILE = """
import locust.stats
from locust import FastHttpUser, constant, task

locust.stats.CURRENT_RESPONSE_TIME_PERCENTILE_WINDOW = 3


class Client(FastHttpUser):
    wait_time = constant(0.05)

    @task
    def get(self):
        self.client.get("/")
"""


def serve() -> ThreadingHTTPServer:
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:  # noqa: N802 - http.server's name
            time.sleep(0.004)
            with lock:
                time.sleep(0.005)
            self.send_response(200)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


@pytest.fixture(scope="module")
def histories(tmp_path_factory) -> list[Path]:
    root = tmp_path_factory.mktemp("locust")
    (root / "locustfile.py").write_text(LOCUSTFILE)
    servers, runs = [], []
    for users in LEVELS:
        server = serve()
        servers.append(server)
        host = f"http://127.0.0.1:{server.server_address[1]}"
        runs.append(
            subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "locust",
                    "-f",
                    str(root / "locustfile.py"),
                    "--headless",
                    "--host",
                    host,
                    "-u",
                    str(users),
                    "-r",
                    str(users),
                    "-t",
                    RUN_TIME,
                    "--csv",
                    str(root / f"users-{users:02d}"),
                    "--csv-full-history",
                    "--only-summary",
                    "--loglevel",
                    "ERROR",
                ],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
                cwd=root,
            )  # fmt: skip
        )
    try:
        for run in runs:
            _, err = run.communicate(timeout=90)
            assert run.returncode == 0, err.decode()[-2000:]
    finally:
        for run in runs:
            if run.poll() is None:
                run.kill()
        for server in servers:
            server.shutdown()
    files = sorted(root.glob("users-*_stats_history.csv"))
    keep = tmp_path_factory.mktemp("histories")
    return [Path(shutil.copy(f, keep / f.name)) for f in files]


def test_real_locust_histories_are_read_with_their_percentiles(histories):
    points = read_load_tests(histories, settle_seconds=12)
    assert points["load"].to_list() == list(LEVELS)
    for a, b in (("p50", "p90"), ("p90", "p95"), ("p95", "p99"), ("p99", "max")):
        assert (points[f"latency_{a}_ms"] <= points[f"latency_{b}_ms"]).all()
    assert points["latency_mean_ms"].null_count() == 0
    # the serialized section saturates near 13 users: latency climbs at 16
    assert points["latency_p95_ms"][-1] > points["latency_p95_ms"][0]


def test_real_locust_latency_obeys_littles_law(histories):
    points = read_load_tests(histories, settle_seconds=12)
    model = USLModel().fit(points["load"], points["throughput"])
    think = think_time(points, model)  # waits 50 ms, plus Locust's own time per request
    assert 40 <= think.ms <= 90


def test_a_budget_on_the_real_run_falls_between_the_levels_that_bracket_it(histories):
    points = read_load_tests(histories, settle_seconds=12)
    model = USLModel().fit(points["load"], points["throughput"])
    curve = fit_percentile(points, model, "p95")
    low, high = points["latency_p95_ms"][0], points["latency_p95_ms"][-1]
    limit = (low + high) / 2
    where = budget_load(curve, parse_budget(f"p95={limit:.3f}ms"))
    assert where.status == "within"
    assert LEVELS[0] < where.load < LEVELS[-1]
