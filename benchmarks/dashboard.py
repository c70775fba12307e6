"""Dashboard benchmark: callback times and first render in headless Chromium on a big store.

    .venv/bin/python benchmarks/dashboard.py [--out DIR]

Builds a store with 3 years of daily FOCUS billing for 300 services (100 of them claimed by
50 workloads, two each, with a daily load metric per workload; 200 shared services no
workload claims; ~330,000 line items), starts the dashboard on 127.0.0.1 in this process
(its data loader warmed first, see below), then drives a
scripted session in headless Chromium: every page, and the controls a reader uses (split by,
tag, workload, time window, load test, share, month, currency).

Reported:
- first render: from navigation to the page's main figure drawn, per page (the Overview is
  the first page a visitor sees);
- callbacks: server-side time of every ``/_dash-update-component`` request of the session
  (a WSGI timer around the app), median and max;
- reference: each page callback called once in-process with the data cache cleared (what a
  request costs without the loader's cache) and once warm.

Growth (``--growth-engine --out DIR`` after a ``--what-if`` run on DIR): a growth change
in-process on the store's kept paths, main's full redraw against the growth kits.

What-if (``--what-if``): the Forecast & TCO page's callback driven through every control of
the page in turn (price and its month, commitment coverage, discount and term, discount
rate, a fix's workload, month, idle, linear, unit cost, migration and labour, growth,
horizon, currency), each a new scenario; median and max seconds, on this store and on the
bundled sample. Run once right after start-up (warm-up running in the background, the
first minute) and once warm.

Cold start (``--cold-start``): ``forecaster serve`` started as a new process per page, timed
from the process start to its first answer and to the page's main figure drawn in Chromium
(the browser started before the clock), in three states of the store's disk cache: the page
served before by an earlier process on the same data (its answers kept), the computed
results kept but the answers removed (a view not served before), everything removed. The
median of ``--repeat`` runs (default 3) is reported for the first; the load average beside
each page. ``--reference DIR`` (a checkout of another commit, e.g. ``git worktree add
--detach DIR main``) serves the same pages from that code in the same run, interleaved with
this code's (its modules first on PYTHONPATH, this checkout's environment);
``--served-only`` measures the first state alone (without the in-process warm-up first:
the first start of each page keeps what it computes).

Start-up warms the loader in the foreground here (``forecaster serve`` does it in a
background thread): spend, tag keys, every workload's curve, unclaimed cost, the latest
month's bridge and the baseline TCO forecast.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import polars as pl

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

START = datetime(2023, 11, 1, tzinfo=UTC)
DAYS = 1096  # 2023-11-01 .. 2026-10-31: 36 whole months
WORKLOADS = 50
SERVICES = 300
SHARED = SERVICES - 2 * WORKLOADS
RNG = np.random.default_rng(7)

PROVIDERS = ("AWS", "Microsoft", "Google Cloud")


def _month_bounds(day: datetime) -> tuple[str, str]:
    start = day.replace(day=1)
    end = (start + timedelta(days=32)).replace(day=1)
    return start.strftime("%Y-%m-%dT%H:%M:%SZ"), end.strftime("%Y-%m-%dT%H:%M:%SZ")


def build_store(out: Path) -> dict[str, Path]:
    """Write the billing CSVs, load CSV, workloads file and a load test under ``out`` and
    ingest them into ``out/store``."""
    from forecaster.ingest import ingest_billing
    from forecaster.load import ingest_traffic
    from forecaster.sample import T, loadtest_frame

    days = [START + timedelta(days=i) for i in range(DAYS)]
    t = np.arange(DAYS)
    weekly = 1 + 0.15 * np.sin(2 * np.pi * t / 7)
    rows: list[pl.DataFrame] = []
    loads = []
    toml = []
    for w in range(WORKLOADS):
        provider = PROVIDERS[w % 3]
        account = f"{100000000000 + w}"
        base = RNG.uniform(1e5, 5e6)
        load = base * (1 + RNG.uniform(0.0, 0.04)) ** (t / 30.4) * weekly
        load *= RNG.lognormal(0, 0.03, DAYS)
        fixed, variable, k = RNG.uniform(10, 400), RNG.uniform(100, 2000), RNG.choice([1.0, 1.2])
        cost = fixed + variable * (load / base) ** k * RNG.lognormal(0, 0.03, DAYS)
        loads.append(pl.DataFrame({"timestamp": days, "metric": f"wl{w}.requests",
                                   "value": load, "unit": "requests"}))  # fmt: skip
        services = [f"Service {2 * w:03d}", f"Service {2 * w + 1:03d}"]
        for share, service in zip((0.7, 0.3), services, strict=True):
            rows.append(
                pl.DataFrame(
                    {
                        "day": days,
                        "cost": cost * share,
                        "provider": provider,
                        "account": account,
                        "service": service,
                        "tags": f'{{"team": "team-{w}", "env": "prod"}}',
                    }
                )
            )
        toml.append(
            f'[[workload]]\nname = "workload-{w:02d}"\ncurrency = "USD"\n\n[workload.cost]\n'
            f'providers = ["{provider}"]\nsub_accounts = ["{account}"]\n'
            f'services = ["{services[0]}", "{services[1]}"]\n\n'
            f'[workload.load]\nmetric = "wl{w}.requests"\nunit = "requests"\n'
            'aggregation = "sum"\n\n'
        )
    for s in range(SHARED):
        level = RNG.uniform(5, 300)
        rows.append(
            pl.DataFrame(
                {
                    "day": days,
                    "cost": level * RNG.lognormal(0, 0.05, DAYS),
                    "provider": PROVIDERS[s % 3],
                    "account": "999999999999",
                    "service": f"Service {2 * WORKLOADS + s:03d}",
                    "tags": "",
                }
            )
        )
    items = pl.concat(rows)
    billing = out / "billing"
    billing.mkdir(parents=True, exist_ok=True)
    frame = items.with_columns(
        pl.col("day").dt.strftime("%Y-%m").alias("month"),
        pl.col("day").dt.strftime("%Y-%m-%dT%H:%M:%SZ").alias("ChargePeriodStart"),
        (pl.col("day") + timedelta(days=1)).dt.strftime("%Y-%m-%dT%H:%M:%SZ").alias("ChargePeriodEnd"),
        pl.col("cost").round(6),
    )  # fmt: skip
    for (month,), part in frame.partition_by("month", as_dict=True).items():
        start, end = _month_bounds(datetime.strptime(month, "%Y-%m").replace(tzinfo=UTC))
        part.select(
            pl.lit("999999999999").alias("BillingAccountId"),
            pl.lit(start).alias("BillingPeriodStart"),
            pl.lit(end).alias("BillingPeriodEnd"),
            "ChargePeriodStart",
            "ChargePeriodEnd",
            *[pl.col("cost").alias(c) for c in ("BilledCost", "EffectiveCost", "ListCost",
                                                 "ContractedCost")],
            pl.lit("USD").alias("BillingCurrency"),
            pl.col("provider").alias("ProviderName"),
            pl.col("account").alias("SubAccountId"),
            pl.col("service").alias("ServiceName"),
            pl.lit("Compute").alias("ServiceCategory"),
            pl.lit("Usage").alias("ChargeCategory"),
            pl.lit("").alias("ChargeClass"),
            pl.lit("").alias("ResourceId"),
            pl.lit("us-east-1").alias("RegionId"),
            pl.col("tags").alias("Tags"),
        ).write_csv(billing / f"focus-{month}.csv")  # fmt: skip
    traffic = out / "traffic.csv"
    pl.concat(loads).with_columns(pl.col("timestamp").dt.strftime("%Y-%m-%dT%H:%M:%SZ")).write_csv(
        traffic
    )
    workloads = out / "workloads.toml"
    workloads.write_text("".join(toml))
    (out / "loadtest").mkdir(exist_ok=True)
    loadtest_frame(np.random.default_rng(T.SEED)).write_csv(out / "loadtest" / "api-loadtest.csv")
    store = out / "store"
    ingest_billing([billing], store, source="focus")
    ingest_traffic([traffic], store)
    return {"store": store, "workloads": workloads, "rows": items.height}


class Timer:
    """WSGI middleware: wall time of every callback request."""

    def __init__(self, app):
        self.app = app
        self.times: list[float] = []

    def __call__(self, environ, start_response):
        start = time.perf_counter()
        try:
            return list(self.app(environ, start_response))
        finally:
            if environ.get("PATH_INFO", "").endswith("/_dash-update-component"):
                self.times.append(time.perf_counter() - start)


def chromium():
    os.environ["SE_OFFLINE"] = "true"
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = shutil.which("chromium") or "/usr/bin/chromium"
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
                 "--enable-unsafe-swiftshader", "--window-size=1440,900",
                 f"--user-data-dir={tempfile.mkdtemp(prefix='bench-chromium-')}"):  # fmt: skip
        options.add_argument(flag)
    driver = webdriver.Chrome(
        service=Service(executable_path=shutil.which("chromedriver") or "/usr/bin/chromedriver"),
        options=options,
    )
    driver.set_page_load_timeout(120)
    return driver


IDLE_JS = """
const busy = document.querySelectorAll('[data-dash-is-loading="true"]').length;
return busy === 0 && document.querySelector(arguments[0]) !== null;
"""


def wait_drawn(driver, css: str, timeout: float = 120.0) -> float:
    """Seconds until ``css`` exists and no component is loading."""
    start = time.perf_counter()
    while time.perf_counter() - start < timeout:
        if driver.execute_script(IDLE_JS, css):
            return time.perf_counter() - start
        time.sleep(0.02)
    raise TimeoutError(css)


PAGES = {
    "/": "#overview-split .js-plotly-plot .bars",
    "/workloads": "#workloads-scatter .js-plotly-plot .scatterlayer, #workloads-scatter canvas",
    "/scaling": "#scaling-usl .js-plotly-plot .scatterlayer",
    "/review": "#review-waterfall .js-plotly-plot .waterfalllayer",
    "/data": "#data-unclaimed .js-plotly-plot .bars",
    "/forecast": "#forecast-compare-grid .ag-cell",
}

SESSION = [  # (url, what must be drawn): the controls a reader changes, as shared URLs do
    ("/?by=service", "#overview-spend .js-plotly-plot .bars"),
    ("/?by=tag&tag=team", "#overview-spend .js-plotly-plot .bars"),
    ("/?by=account", "#overview-spend .js-plotly-plot .bars"),
    ("/workloads?workload=workload-07", "#workloads-scatter .js-plotly-plot"),
    ("/workloads?workload=workload-23", "#workloads-scatter .js-plotly-plot"),
    ("/workloads?workload=workload-23&start=2025-01", "#workloads-scatter .js-plotly-plot"),
    ("/workloads?workload=workload-41&start=2024-06&end=2025-12", "#workloads-scatter .js-plotly-plot"),
    ("/scaling?share=0.9", "#scaling-usl .js-plotly-plot"),
    ("/review?month=2026-09", "#review-waterfall .js-plotly-plot"),
    ("/review?month=2026-10", "#review-waterfall .js-plotly-plot"),
    ("/data?currency=USD", "#data-unclaimed .js-plotly-plot"),
    ("/forecast?months=36&price=-10", "#forecast-compare-grid .ag-cell"),
]  # fmt: skip


def reference(paths: dict) -> list[tuple[str, float, float]]:
    """Each page callback in-process: cold (data cache cleared) and warm."""
    from dashboard import loader

    pages = {k.split(".")[1]: v for k, v in sys.modules.items() if k.startswith("pages.")}
    calls = [
        ("overview: split by service", lambda: pages["overview"].update("USD", "service", None)),
        ("workloads: drill, full window", lambda: pages["workloads"].update("workload-07", None, None)),
        ("workloads: drill, 2025-01..", lambda: pages["workloads"].update("workload-07", "2025-01", None)),
        ("scaling: USL and ceiling", lambda: pages["scaling"].update("api-loadtest.csv", "workload-01", 0.8, 36)),
        ("review: bridge 2026-10", lambda: pages["review"].update("USD", "2026-10", "xlsx")),
        ("data: unclaimed", lambda: pages["sources"].update("USD")),
        ("forecast: what-if, price -10%", lambda: pages["forecast"].update(
            "USD", 36, 8, None, None, "2027-01", 0, [], 0, 0, 0, 0, 0, 12, -10, "2026-11")),
    ]  # fmt: skip
    out = []
    for label, call in calls:
        loader.clear()
        start = time.perf_counter()
        call()
        cold = time.perf_counter() - start
        start = time.perf_counter()
        call()
        out.append((label, cold, time.perf_counter() - start))
    return out


WHAT_IF_STEPS = [  # (label, changes to the controls): every control of the page, in turn
    ("price -5%", {"price": -5}),
    ("price change from 2027-02", {"price_from": "2027-02"}),
    ("commitment 30% covered", {"coverage": 30}),
    ("commitment discount 20%", {"discount": 20}),
    ("commitment term 36 months", {"term": 36}),
    ("discount rate 10%", {"rate": 10}),
    ("fix {fix}", {"fix": "{fix}"}),
    ("fix live from 2027-03", {"fix_from": "2027-03"}),
    ("fix: idle -50%", {"idle": 50}),
    ("fix: scale linearly", {"linear": ["linear"]}),
    ("fix: unit cost -10%", {"unit_cut": 10}),
    ("fix: migration 20,000", {"migration": 20000}),
    ("fix: labour 1,500 a month", {"labour": 1500}),
    ("growth 20% a year", {"growth": 20}),
    ("horizon 24 months", {"months": 24}),
    ("currency EUR", {"currency": "EUR"}),  # the sample only: 50 workloads bill in USD alone
]
NOT_SHIFTED = {"months", "term", "currency", "linear", "fix", "fix_from", "price_from"}


def what_if_session(currencies: list[str], fix: str, offset: int = 0) -> list[tuple[str, float]]:
    """Seconds per control change of the Forecast & TCO page's callback (in-process), each
    control of the page changed once (the currency where the store bills in two);
    ``offset`` moves every number so a second session asks only new scenarios."""
    forecast = sys.modules["pages.forecast"]
    values = {key: None for _, _, key in forecast.CONTROLS}
    values.update(currency=currencies[0], months=36, rate=8, term=12, linear=[],
                  fix_from="2027-01", price_from="2026-12")  # fmt: skip
    for key in ("idle", "unit_cut", "migration", "labour", "coverage", "discount", "price"):
        values[key] = 0
    out = []
    for label, change in WHAT_IF_STEPS:
        if "currency" in change and change["currency"] not in currencies:
            continue
        for key, value in change.items():
            if isinstance(value, str):
                values[key] = value.format(fix=fix)
            elif key in NOT_SHIFTED:
                values[key] = value
            else:
                values[key] = value + offset
        start = time.perf_counter()
        forecast.update(*[values[key] for _, _, key in forecast.CONTROLS])
        out.append((label.format(fix=fix), time.perf_counter() - start))
    return out


def print_what_if(title: str, steps: list[tuple[str, float]]) -> None:
    seconds = sorted(s for _, s in steps)
    print(f"\n{title}: {len(steps)} controls, median {statistics.median(seconds):.3f} s, "
          f"max {seconds[-1]:.3f} s")  # fmt: skip
    print("| control change | seconds |\n|---|---:|")
    for label, sec in steps:
        print(f"| {label} | {sec:.3f} |")


def cold_start(
    paths: dict, page: str, css: str, timeout: float = 180.0, code: Path | None = None
) -> tuple[float, float]:
    """Seconds from starting ``forecaster serve`` to its first answer (``/_dash-layout``)
    and to ``page``'s main figure drawn with no component loading; ``code``: a checkout
    whose modules serve instead of this one's."""
    import socket
    import subprocess
    import urllib.request

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    driver = _driver()  # the browser's own start is not the dashboard's
    start = time.perf_counter()
    proc = subprocess.Popen(
        [str(ROOT / ".venv" / "bin" / "forecaster"), "serve", "--store", str(paths["store"]),
         "--workloads", str(paths["workloads"]), "--loadtests", str(paths["loadtests"]),
         "--host", "127.0.0.1", "--port", str(port)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        env={**os.environ, "PYTHONPATH": str(code)} if code else None,
    )  # fmt: skip
    try:
        while time.perf_counter() - start < timeout:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/_dash-layout", timeout=5)
                break
            except OSError:
                time.sleep(0.05)
        up = time.perf_counter() - start
        driver.get(f"http://127.0.0.1:{port}{page}")
        wait_drawn(driver, css, timeout)
        return up, time.perf_counter() - start
    finally:
        proc.terminate()
        proc.wait(timeout=30)


_DRIVER: list = []


def _driver():
    if not _DRIVER:
        _DRIVER.append(chromium())
        _DRIVER[0].get("about:blank")
    return _DRIVER[0]


def _load() -> str:
    return " ".join(f"{x:.1f}" for x in os.getloadavg())


def served_before(paths: dict, page: str, css: str, repeat: int, code: Path | None = None):
    """The median (by the page drawn) of ``repeat`` cold starts after one that keeps the
    page's answers (that one not timed, so it may compute for up to 15 minutes)."""
    cold_start(paths, page, css, timeout=900.0, code=code)
    runs = sorted((cold_start(paths, page, css, code=code) for _ in range(repeat)),
                  key=lambda t: t[1])  # fmt: skip
    return runs[len(runs) // 2]


def cold_starts(
    paths: dict, reference: Path | None = None, repeat: int = 3, served_only: bool = False
) -> None:
    """Every page from a cold process in three states of the disk cache beside the store:
    the page served before on this data (answers and results kept), results kept but the
    answers removed (a view not served before), everything removed; the first state from
    ``reference``'s code too, interleaved."""
    from dashboard import loader
    from forecaster.cache import DiskCache

    cache = DiskCache(paths["store"])
    t0 = time.perf_counter()
    if not served_only:  # served-only: the first start of each page keeps what it computes
        loader.configure(paths["store"], paths["workloads"], paths["loadtests"])
        loader.warm()  # what a dashboard that ran before has kept: the warm-up's results
        print(f"results kept by a warm-up (in this process): {time.perf_counter() - t0:.1f} s")
    rows: dict[str, list] = {}
    for page, css in PAGES.items():
        load = _load()
        rows[page] = [served_before(paths, page, css, repeat)]
        if reference:
            rows[page].append(served_before(paths, page, css, repeat, reference))
        print(page, rows[page], load, flush=True)
        if not served_only:
            shutil.rmtree(cache.root / "responses", ignore_errors=True)
            rows[page].append(cold_start(paths, page, css))
        rows[page].append(f"{load} .. {_load()}")
    for page, css in PAGES.items():
        if not served_only:
            cache.clear()
            rows[page].insert(-1, cold_start(paths, page, css))
    print("\nSeconds from `forecaster serve` started to the page's main figure drawn (in "
          "brackets: to the server's first answer):\n")  # fmt: skip
    heads = [f"served before (answers kept), median of {repeat}"]
    heads += [f"the same, {reference}'s code"] if reference else []
    heads += [] if served_only else ["results kept, answers removed", "disk cache emptied"]
    print(f"| page | {' | '.join(heads)} | load average (1, 5, 15 min), before .. after |")
    print(f"|---|{'---:|' * len(heads)}---|")
    for page, (*states, load) in rows.items():
        cells = " | ".join(f"{d:.2f} ({u:.2f})" for u, d in states)
        print(f"| {page} | {cells} | {load} |", flush=True)
    if _DRIVER:
        _DRIVER.pop().quit()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, default=None, help="keep the generated store here")
    parser.add_argument("--what-if", action="store_true", help="only the what-if timings")
    parser.add_argument("--cold-start", action="store_true", help="only the cold starts")
    parser.add_argument(
        "--reference",
        type=Path,
        default=None,
        help="cold start: a checkout whose code serves the same pages too",
    )
    parser.add_argument("--repeat", type=int, default=3, help="cold start: runs per page")
    parser.add_argument("--served-only", action="store_true",
                        help="cold start: only pages served before (answers kept)")  # fmt: skip
    parser.add_argument(
        "--growth-engine",
        action="store_true",
        help="a growth change in-process on --out DIR's kept paths (after a --what-if run)",
    )
    parser.add_argument(
        "--sample", action="store_true", help="on the bundled sample instead of 50 workloads"
    )
    args = parser.parse_args()
    if args.growth_engine:
        growth_engine(args.out)
        return
    if args.what_if or args.cold_start:
        focused(args)
        return
    out = args.out or Path(tempfile.mkdtemp(prefix="bench-dashboard-"))
    t0 = time.perf_counter()
    paths = build_store(out)
    build_s = time.perf_counter() - t0
    print(f"store: {paths['rows']:,} billing rows, {WORKLOADS} workloads, {SERVICES} services, "
          f"{DAYS} days; built and ingested in {build_s:.1f} s")  # fmt: skip

    import logging

    from werkzeug.serving import make_server

    logging.getLogger("werkzeug").setLevel(logging.WARNING)

    from dashboard import loader
    from dashboard.app import create_app

    t0 = time.perf_counter()
    app = create_app(paths["store"], paths["workloads"], out / "loadtest", warm=False)
    loader.warm()
    warm_s = time.perf_counter() - t0
    print(f"start-up: create_app + warming the loader: {warm_s:.1f} s", flush=True)
    timer = Timer(app.server.wsgi_app)
    app.server.wsgi_app = timer
    httpd = make_server("127.0.0.1", 0, app.server, threaded=True)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{httpd.server_port}"
    driver = chromium()
    try:
        driver.get(base + "/data")  # the browser's own first start and script cache
        wait_drawn(driver, PAGES["/data"])
        renders = {}
        for path, css in PAGES.items():
            start = time.perf_counter()
            driver.get(base + path)
            renders[path] = time.perf_counter() - start + wait_drawn(driver, css)
        timer.times.clear()
        session = []
        for url, css in SESSION:
            start = time.perf_counter()
            driver.get(base + url)
            session.append((url, time.perf_counter() - start + wait_drawn(driver, css)))
        callbacks = list(timer.times)
    finally:
        driver.quit()
        httpd.shutdown()
    ref = reference(paths)

    print(f"\nstart-up: create_app + warming the loader (spend, {WORKLOADS} fits, unclaimed, "
          f"latest bridge, baseline TCO): {warm_s:.1f} s\n")  # fmt: skip
    print("| page | first render in Chromium (s) |\n|---|---:|")
    for path, seconds in renders.items():
        print(f"| {path} | {seconds:.2f} |")
    print("\n| session step | render (s) |\n|---|---:|")
    for url, seconds in session:
        print(f"| {url} | {seconds:.2f} |")
    ms = sorted(1000 * t for t in callbacks)
    print(f"\ncallbacks in the session: {len(ms)}, median {statistics.median(ms):.0f} ms, "
          f"p90 {ms[int(0.9 * (len(ms) - 1))]:.0f} ms, max {ms[-1]:.0f} ms")  # fmt: skip
    print("\n| callback (in-process) | cold, cache cleared (ms) | warm (ms) |\n|---|---:|---:|")
    for label, cold, warm in ref:
        print(f"| {label} | {1000 * cold:.0f} | {1000 * warm:.0f} |")
    if args.out is None:
        shutil.rmtree(out, ignore_errors=True)


def what_if(paths: dict, fix: str, label: str) -> None:
    """The what-if sessions: right after a start (the background warm-up running, as
    ``forecaster serve`` starts it) and warm, each control a new scenario. TCO runs are
    never read from the disk cache; what a start reads from it (fits, series, the kept
    baseline paths) is, as after any restart: whether an earlier start filled it is
    printed."""
    from dashboard import loader
    from dashboard.app import create_app
    from forecaster.cache import DiskCache

    kept = DiskCache.get_or_compute
    found: dict[str, bool] = {}

    def fits_only(self, name, key_args, compute):  # TCO runs are what is timed
        if name == "_tco":
            return compute()
        found.setdefault(name, self.path(name, key_args).exists())
        return kept(self, name, key_args, compute)

    DiskCache.get_or_compute = fits_only
    t0 = time.perf_counter()
    create_app(paths["store"], paths["workloads"], paths["loadtests"], warm=True)
    currencies = loader.currencies()
    first = what_if_session(currencies, fix)
    elapsed = time.perf_counter() - t0
    print(f"{label}: the first session ran {elapsed:.1f} s after create_app; from the disk "
          f"cache: {', '.join(f'{k} {v}' for k, v in sorted(found.items()))}")  # fmt: skip
    print_what_if(f"{label}, what-if right after start (first minute)", first)
    print_what_if(f"{label}, what-if warm (new scenarios)", what_if_session(currencies, fix, 1))
    print(f"load average {os.getloadavg()[0]:.1f} (1 min), {os.getloadavg()[1]:.1f} (5 min)")
    import resource

    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    print(f"peak memory of the process (RSS): {peak:,.0f} MB")
    t0 = time.perf_counter()
    for thread in threading.enumerate():  # the next start reads what the warm-up wrote
        if thread.name == "dashboard-warm":
            thread.join()
    print(f"(the warm-up ran {time.perf_counter() - t0:.1f} s more after the sessions)")


def growth_engine(out: Path, values: tuple[float, ...] = (0.20, 0.21, 0.22, 0.25, 0.30)) -> None:
    """A growth change in-process on the store's kept 36-month paths and fits (read from
    its disk cache, filled by an earlier ``--what-if`` run): main's full redraw of every
    workload's daily paths (``Projection._draw``, the same threads) against the growth
    kits' transform and the whole ``run_tco``, interleaved, same process and load."""
    import pickle

    from forecaster.tco.paths import _map
    from forecaster.tco.run import run_tco
    from forecaster.tco.scenarios import Scenario, Settings

    cache = out / "store" / "cache"

    def read(pattern: str):
        return pickle.loads(next(cache.glob(pattern)).read_bytes())

    fits, series, unclaimed = (
        read("fits/*.pickle"),
        read("series/*.pickle"),
        read("unclaimed_days/*.pickle"),
    )
    paths = read("tco_paths/*/*.pickle")
    names = list(paths.names)
    t0 = time.perf_counter()
    paths.prepare(fits)
    print(f"{len(names)} workloads; kits drawn once in {time.perf_counter() - t0:.2f} s "
          f"({sum(k.nbytes for k in paths._kits.values()) / 1e6:,.0f} MB)")  # fmt: skip
    rows = []
    for g in values:
        t0 = time.perf_counter()
        _map(lambda n, g=g: paths._months(paths._draw(fits, n, g + 0.001, False).cost), names)
        t1 = time.perf_counter()
        paths.monthly(fits, [(n, g) for n in names])
        t2 = time.perf_counter()
        what = Scenario.of("what-if", growth={"*": g + 0.002})
        run_tco(out / "store", out / "workloads.toml", scenarios=(Settings(), [Scenario("baseline"), what]),
                series=series, fits=fits, unclaimed=unclaimed, paths=paths)  # fmt: skip
        rows.append((t1 - t0, t2 - t1, time.perf_counter() - t2))
        print(f"growth {g:.0%}: redraw (main) {rows[-1][0]:.2f} s, kit transform "
              f"{rows[-1][1]:.2f} s, run_tco {rows[-1][2]:.2f} s, load {os.getloadavg()[0]:.1f}")  # fmt: skip
    medians = [statistics.median(r[i] for r in rows) for i in range(3)]
    print("median: redraw {:.2f} s, transform {:.2f} s, run_tco {:.2f} s".format(*medians))


def focused(args: argparse.Namespace) -> None:
    """``--what-if`` / ``--cold-start`` on the 50-workload store or the bundled sample."""
    out = args.out or Path(tempfile.mkdtemp(prefix="bench-dashboard-"))
    if args.sample:
        from forecaster.sample import write_sample

        if not (out / "store").is_dir():
            write_sample(out / "sample", out / "store")
        paths = {"store": out / "store", "workloads": out / "sample" / "workloads.toml",
                 "loadtests": out / "sample" / "loadtest"}  # fmt: skip
        fix, label = "search", "bundled sample (5 workloads)"
    else:
        if not (out / "store").is_dir():
            build_store(out)
        paths = {"store": out / "store", "workloads": out / "workloads.toml",
                 "loadtests": out / "loadtest"}  # fmt: skip
        fix, label = "workload-07", f"{WORKLOADS} workloads"
    if args.what_if:
        what_if(paths, fix, label)
    if args.cold_start:
        cold_starts(paths, args.reference, args.repeat, args.served_only)
    if args.out is None:
        shutil.rmtree(out, ignore_errors=True)


if __name__ == "__main__":
    main()
