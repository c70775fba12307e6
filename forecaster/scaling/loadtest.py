"""Read load-test and production measurements into (load, throughput) points.

Three inputs, detected from content rather than file name:

- CSV with one row per measurement: a load column (``load``; also recognised: users,
  vus, concurrency, threads, clients, instances, nodes, processors, ...) and a throughput
  column (``throughput``; also: rps, tps, qps, requests_per_second, ...). Names are
  configurable.
- k6 end-of-test summaries (``--summary-export`` or ``handleSummary`` JSON), one file per
  load level: see :mod:`forecaster.scaling.k6`.
- Locust ``*_stats_history.csv``: see :mod:`forecaster.scaling.locust`.

Every reader returns a polars DataFrame with columns ``load`` (Float64), ``throughput``
(Float64, the source's rate unit), ``source`` (file name), so a fit can say where a bad
point came from, and the response time at that load in milliseconds where the source has
it: ``latency_mean_ms``, ``latency_p50_ms``, ``latency_p90_ms``, ``latency_p95_ms``,
``latency_p99_ms``, ``latency_max_ms`` (Float64, null where the file does not say). Errors
name the file and the problem.

CSV latency columns are recognised by a statistic and a unit in their name, in any order
and case: ``latency_p95_ms``, ``p99_s``, ``mean_response_time_us``, ``median latency (ms)``.
Statistics: mean/avg/average, p50/median/med, p90, p95, p99, max; units: ms (milliseconds),
s (seconds), us (microseconds), converted to milliseconds. A latency column without a
unit in its name (``latency_p95``) is not guessed at: it is left out with a warning.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Literal

import polars as pl

from forecaster.errors import InputError
from forecaster.paths import expand_paths
from forecaster.scaling import k6, locust
from forecaster.scaling.points import (
    latency_column,
    latency_values,
    numeric_column,
    with_schema,
)
from forecaster.series_input import check_finite, check_not_negative

log = logging.getLogger(__name__)


Format = Literal["csv", "k6", "locust"]
LOAD_ALIASES = (
    "load", "n", "users", "user_count", "user count", "vus", "vus_max", "concurrency",
    "threads", "clients", "instances", "nodes", "servers", "replicas", "processors",
    "cpus", "workers",
)  # fmt: skip
THROUGHPUT_ALIASES = (
    "throughput", "x", "tput", "rps", "requests/s", "requests_per_second", "req_per_sec",
    "reqs_per_sec", "tps", "qps", "ops", "ops_per_sec", "rate",
)  # fmt: skip
LOADTEST_SUFFIXES = (".csv", ".json", ".txt")


_STAT_WORDS = {
    "mean": "mean", "avg": "mean", "average": "mean",
    "p50": "p50", "median": "p50", "med": "p50", "50th": "p50",
    "p90": "p90", "90th": "p90", "p95": "p95", "95th": "p95", "p99": "p99", "99th": "p99",
    "max": "max", "maximum": "max",
}  # fmt: skip
#: Unit words in a column name and their factor to milliseconds.
UNIT_TO_MS = {
    "ms": 1.0, "msec": 1.0, "millis": 1.0, "milliseconds": 1.0,
    "s": 1000.0, "sec": 1000.0, "secs": 1000.0, "seconds": 1000.0,
    "us": 0.001, "\u00b5s": 0.001, "micros": 0.001, "microseconds": 0.001,
}  # fmt: skip
_LATENCY_WORDS = {"latency", "response", "duration", "rt", "resp", "elapsed", "lat"}


def _name_tokens(name: str) -> list[str]:
    """Lower-case words of a column name, ``p 95`` / ``p(95)`` joined to ``p95``."""
    words = [w for w in re.split(r"[\s_\-./()\[\],:]+", name.strip().lower()) if w]
    out: list[str] = []
    for word in words:
        if out and out[-1] == "p" and word.isdigit():
            out[-1] = f"p{word}"
        else:
            out.append(word)
    return out


def csv_latency_columns(path: Path, columns: Sequence[str]) -> dict[str, tuple[str, float]]:
    """Latency columns of a points CSV: statistic -> (column, factor to milliseconds).

    A column counts when its name holds a statistic (p95, mean, ...) and a unit (ms, s,
    us). One with a statistic and a latency word but no unit is skipped with a warning;
    two columns for the same statistic are an InputError naming both.
    """
    found: dict[str, tuple[str, float]] = {}
    for column in columns:
        tokens = _name_tokens(column)
        stats = {_STAT_WORDS[t] for t in tokens if t in _STAT_WORDS}
        units = [UNIT_TO_MS[t] for t in tokens if t in UNIT_TO_MS]
        if len(stats) != 1:
            continue
        (stat,) = stats
        if not units:
            if _LATENCY_WORDS & set(tokens):
                log.warning(
                    "%s: column %r looks like latency but its name has no unit; rename it "
                    "%s (or _s, _us) to use it",
                    path, column, latency_column(stat),
                )  # fmt: skip
            continue
        if stat in found:
            raise InputError(
                f"{path}: columns {found[stat][0]!r} and {column!r} both hold {stat} latency; "
                "keep one"
            )
        found[stat] = (column, units[0])
    return found


def loadtest_format(path: Path) -> Format:
    """Which reader a file needs, from its first bytes.

    JSON (starting with ``{``) is a k6 summary; a CSV header with "User Count" and
    "Requests/s" is Locust's stats history; anything else is plain CSV.
    """
    try:
        with path.open("r", encoding="utf-8-sig", errors="replace") as fh:
            head = fh.read(4096)
    except OSError as exc:
        raise InputError(f"{path}: cannot read ({exc.strerror or exc})") from exc
    text = head.lstrip()
    if not text:
        raise InputError(f"{path}: file is empty; expected a CSV, k6 JSON or Locust CSV")
    if text.startswith("{"):
        return "k6"
    header = {c.strip().strip('"').lower() for c in text.splitlines()[0].split(",")}
    if "user count" in header and "requests/s" in header:
        return "locust"
    if "requests/s" in header and "name" in header and "request count" in header:
        raise InputError(
            f"{path}: this is Locust's end-of-test stats CSV (one row per endpoint, no "
            "user count); pass the *_stats_history.csv written with --csv instead"
        )
    return "csv"


def loadtest_paths(paths: Iterable[str | Path]) -> list[Path]:
    """The load-test result files the arguments name (CSV, JSON, text; a directory's own)."""
    return expand_paths(paths, LOADTEST_SUFFIXES, recursive=False)


def read_load_tests(
    paths: Sequence[str | Path] | str | Path,
    load_col: str | None = None,
    throughput_col: str | None = None,
    settle_seconds: float = 15.0,
) -> pl.DataFrame:
    """All (load, throughput) points in the given files and directories.

    ``load_col`` / ``throughput_col`` name the CSV columns (or, for k6, the metrics:
    default ``vus`` and ``http_reqs``; for Locust the stats-history columns: default
    "User Count" and "Requests/s"; ``settle_seconds`` is how long a Locust user count must be
    held before its rows count). Points come back sorted by load.
    """
    if isinstance(paths, str | Path):
        paths = [paths]
    frames = []
    k6_files: list[str] = []
    for path in loadtest_paths(paths):
        fmt = loadtest_format(path)
        log.info("reading %s as %s", path, fmt)
        if fmt == "k6":
            k6_files.append(path.name)
            frames.append(k6.read_k6_summary(path, load_col, throughput_col))
        elif fmt == "locust":
            frames.append(
                locust.read_locust_history(path, load_col, throughput_col, settle_seconds)
            )
        else:
            frames.append(read_points_csv(path, load_col, throughput_col))
    if not frames:
        raise InputError("no load-test files given")
    points = pl.concat(frames, how="vertical").sort("load", maintain_order=True)
    levels = points["load"].n_unique()
    if k6_files and len(k6_files) == len(frames) and levels < 4:
        raise InputError(
            f"{len(k6_files)} k6 summary file(s) ({', '.join(k6_files[:4])}) give only "
            f"{levels} distinct load(s); each k6 summary is ONE (load, throughput) point: run "
            "one constant-VU test per load level (4 or more levels) and pass all the "
            "summaries or their directory"
        )
    return points


#: Load column names that say what the load counts, and the word used for it in sentences.
LOAD_UNITS = {
    "users": "users", "user_count": "users", "user count": "users", "vus": "VUs",
    "vus_max": "VUs", "threads": "threads", "clients": "clients", "instances": "instances",
    "nodes": "nodes", "servers": "servers", "replicas": "replicas", "processors": "processors",
    "cpus": "CPUs", "workers": "workers",
}  # fmt: skip


def load_unit(paths: Sequence[str | Path] | str | Path, load_col: str | None = None) -> str:
    """What the load of these load-test files counts, in a word for sentences ("users" for
    Locust, "VUs" for k6, a CSV's load column name when it says, such as "instances");
    "" when it does not say or the files disagree."""
    if isinstance(paths, str | Path):
        paths = [paths]
    units = set()
    for path in loadtest_paths(paths):
        fmt = loadtest_format(path)
        if fmt == "k6":
            units.add("VUs" if load_col is None else "")
        elif fmt == "locust":
            units.add("users" if load_col is None else "")
        else:
            header = pl.read_csv(path, n_rows=0, infer_schema=False).columns
            column = _pick_column(path, header, load_col, LOAD_ALIASES, "load")
            units.add(LOAD_UNITS.get(column.strip().lower(), ""))
    return units.pop() if len(units) == 1 else ""


def _pick_column(
    path: Path, columns: Sequence[str], wanted: str | None, aliases: Sequence[str], what: str
) -> str:
    lower = {c.strip().lower(): c for c in columns}
    if wanted is not None:
        if wanted in columns:
            return wanted
        if wanted.strip().lower() in lower:
            return lower[wanted.strip().lower()]
        raise InputError(
            f"{path}: no column {wanted!r} for {what}; columns are {', '.join(columns)}"
        )
    for alias in aliases:
        if alias in lower:
            return lower[alias]
    flag = "--load-col" if what == "load" else "--throughput-col"
    raise InputError(
        f"{path}: no {what} column (looked for {', '.join(aliases[:6])}, ...); columns "
        f"are {', '.join(columns)}; name it with {flag}"
    )


def read_points_csv(
    path: str | Path, load_col: str | None = None, throughput_col: str | None = None
) -> pl.DataFrame:
    """Plain CSV, one row per measurement: a load column and a throughput column, and any
    latency columns (see the module doc) converted to milliseconds."""
    path = Path(path)
    try:
        frame = pl.read_csv(path, infer_schema=False, truncate_ragged_lines=False)
    except (pl.exceptions.ComputeError, pl.exceptions.NoDataError) as exc:
        raise InputError(f"{path}: not a readable CSV ({str(exc).splitlines()[0]})") from exc
    if frame.height == 0:
        raise InputError(f"{path}: CSV has a header but no measurements")
    lc = _pick_column(path, frame.columns, load_col, LOAD_ALIASES, "load")
    tc = _pick_column(path, frame.columns, throughput_col, THROUGHPUT_ALIASES, "throughput")
    others = [c for c in frame.columns if c not in (lc, tc)]
    latency = {
        latency_column(stat): latency_values(frame, column, factor, path)
        for stat, (column, factor) in csv_latency_columns(path, others).items()
    }
    load, throughput = numeric_column(frame, lc, path), numeric_column(frame, tc, path)
    for column, values, what in ((lc, load, "load"), (tc, throughput, "throughput")):
        check_finite(path, column, values)  # the checks every series reader runs
        check_not_negative(path, column, values, what)
    return with_schema(
        pl.DataFrame(
            {
                "load": load,
                "throughput": throughput,
                "source": [path.name] * frame.height,
                **latency,
            }
        )
    )
