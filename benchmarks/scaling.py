"""Scaling-ceiling benchmark: USL fit and load-test readers against plain references.

    .venv/bin/python benchmarks/scaling.py

Each row times our function and a reference doing the same job in the same process:

- fit: ``USLModel.fit`` (six starts, bounds, covariance, intervals) against one bounded
  ``scipy.optimize.curve_fit`` from the R package's start; both residual sums of squares
  are printed, so the price of the extra starts and what they buy are visible.
- Locust: ``read_locust_history`` (polars) against the same aggregation written with the
  standard-library ``csv`` module, on a one-hour step-load history with 20 endpoints.
- k6: reading a directory of 200 summaries against ``json.load`` of each file alone.
"""

from __future__ import annotations

import csv
import json
import statistics
import tempfile
import time
import warnings
from collections.abc import Callable
from pathlib import Path

import numpy as np
from scipy import optimize

from forecaster.scaling import USLModel, usl_throughput
from forecaster.scaling.loadtest import read_load_tests
from forecaster.scaling.locust import read_locust_history

RNG = np.random.default_rng(11)
SIGMA, KAPPA, GAMMA = 0.03, 0.0004, 40.0


def best_of(fn: Callable[[], object], repeat: int = 5) -> tuple[float, object]:
    best, out = float("inf"), None
    for _ in range(repeat):
        start = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - start)
    return best, out


def production_points(rows: int) -> tuple[np.ndarray, np.ndarray]:
    n = RNG.integers(1, 120, rows).astype(float)
    return n, usl_throughput(n, SIGMA, KAPPA, GAMMA) * RNG.normal(1.0, 0.02, rows)


def curve_fit_reference(n: np.ndarray, x: np.ndarray) -> float:
    def f(load, sigma, kappa, gamma):
        return usl_throughput(load, sigma, kappa, gamma)

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        p, _ = optimize.curve_fit(
            f, n, x, p0=[0.01, 1e-4, float(np.max(x / n))], bounds=([0, 0, 0], [1, 1, np.inf])
        )
    return float(((f(n, *p) - x) ** 2).sum())


def ssr(model: USLModel, n: np.ndarray, x: np.ndarray) -> float:
    return float(((model.throughput(n) - x) ** 2).sum())


def write_locust_history(path: Path, endpoints: int = 20) -> int:
    levels = [10, 20, 40, 60, 80, 100, 120, 140, 160, 180, 200, 220]
    seconds = 300  # 12 levels x 5 minutes = one hour
    header = "Timestamp,User Count,Type,Name,Requests/s,Failures/s,50%,95%,Total Request Count"
    lines = [header]
    t = 1718000000
    for users in levels:
        rate = usl_throughput(users, SIGMA, KAPPA, GAMMA)
        for _ in range(seconds):
            for e in range(endpoints):
                lines.append(f"{t},{users},GET,/api/{e},{rate / endpoints:.3f},0,40,90,0")
            lines.append(f"{t},{users},,Aggregated,{rate * RNG.normal(1, 0.01):.3f},0,40,90,0")
            t += 1
    path.write_text("\n".join(lines) + "\n")
    return len(lines) - 1


def locust_reference(path: Path, settle: float = 15.0) -> dict[float, float]:
    """The same aggregation with the csv module: steady runs, median per user count."""
    runs: list[tuple[float, float, list[float]]] = []  # (users, start, [(t, rps)])
    with path.open(newline="") as fh:
        for row in csv.DictReader(fh):
            if row["Name"] != "Aggregated":
                continue
            users, t, rps = (
                float(row["User Count"]),
                float(row["Timestamp"]),
                float(row["Requests/s"]),
            )
            if users <= 0:
                continue
            if not runs or runs[-1][0] != users:
                runs.append((users, t, []))
            if t - runs[-1][1] >= settle:
                runs[-1][2].append(rps)
    pooled: dict[float, list[float]] = {}
    for users, _, values in runs:
        pooled.setdefault(users, []).extend(values)
    return {u: statistics.median(v) for u, v in sorted(pooled.items()) if v}


def write_k6_dir(folder: Path, files: int = 200) -> None:
    for i in range(files):
        vus = i + 1
        rate = usl_throughput(vus, SIGMA, KAPPA, GAMMA)
        doc = {
            "metrics": {
                "http_reqs": {"type": "counter", "values": {"count": int(rate * 60), "rate": rate}},
                "vus": {"type": "gauge", "values": {"value": vus, "min": vus, "max": vus}},
                "vus_max": {"type": "gauge", "values": {"value": vus, "min": vus, "max": vus}},
            }
        }
        (folder / f"vus-{vus:04d}.json").write_text(json.dumps(doc))


def main() -> None:
    rows: list[tuple[str, str, float, float, str]] = []
    for label, (n, x) in {
        "fit specsdm91 (7 points)": (
            np.array([1, 18, 36, 72, 108, 144, 216.0]),
            np.array([64.9, 995.9, 1652.4, 1853.2, 1828.9, 1775.0, 1702.2]),
        ),
        "fit 1,000 production points": production_points(1_000),
        "fit 100,000 production points": production_points(100_000),
    }.items():
        ours, model = best_of(lambda n=n, x=x: USLModel().fit(n, x))
        ref, ref_ssr = best_of(lambda n=n, x=x: curve_fit_reference(n, x))
        rows.append(
            (label, "curve_fit, 1 start", ours, ref, f"SSR {ssr(model, n, x):.6g} vs {ref_ssr:.6g}")
        )

    with tempfile.TemporaryDirectory() as tmp:
        history = Path(tmp) / "big_stats_history.csv"
        count = write_locust_history(history)
        ours, points = best_of(lambda: read_locust_history(history), 3)
        ref, expected = best_of(lambda: locust_reference(history), 3)
        agree = np.allclose(points["throughput"].to_numpy(), list(expected.values()))
        rows.append(
            (f"Locust history, {count:,} rows", "csv module", ours, ref, f"same points: {agree}")
        )

        k6_dir = Path(tmp) / "k6"
        k6_dir.mkdir()
        write_k6_dir(k6_dir)
        ours, points = best_of(lambda: read_load_tests(k6_dir), 3)
        ref, _ = best_of(lambda: [json.loads(p.read_text()) for p in sorted(k6_dir.iterdir())], 3)
        rows.append(
            ("k6, 200 summary files", "json.loads only", ours, ref, f"{points.height} points")
        )

    print(f"{'case':<34} {'reference':<20} {'ours ms':>9} {'ref ms':>9}  check")
    for label, ref_name, ours, ref, check in rows:
        print(f"{label:<34} {ref_name:<20} {ours * 1e3:>9.2f} {ref * 1e3:>9.2f}  {check}")


if __name__ == "__main__":
    main()
