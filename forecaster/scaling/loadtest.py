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
(Float64, the source's rate unit) and ``source`` (file name), so a fit can say where a
bad point came from. Errors name the file and the problem.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Literal

import polars as pl

from forecaster.errors import InputError

log = logging.getLogger(__name__)

Format = Literal["csv", "k6", "locust"]
SCHEMA = {"load": pl.Float64, "throughput": pl.Float64, "source": pl.String}

LOAD_ALIASES = (
    "load", "n", "users", "user_count", "user count", "vus", "vus_max", "concurrency",
    "threads", "clients", "instances", "nodes", "servers", "replicas", "processors",
    "cpus", "workers",
)  # fmt: skip
THROUGHPUT_ALIASES = (
    "throughput", "x", "tput", "rps", "requests/s", "requests_per_second", "req_per_sec",
    "reqs_per_sec", "tps", "qps", "ops", "ops_per_sec", "rate",
)  # fmt: skip
_READABLE_SUFFIXES = {".csv", ".json", ".txt"}


def empty_points() -> pl.DataFrame:
    """An empty (load, throughput, source) frame."""
    return pl.DataFrame(schema=SCHEMA)


def detect_format(path: Path) -> Format:
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


def expand_paths(paths: Iterable[str | Path]) -> list[Path]:
    """Files named, with directories replaced by their CSV/JSON files (sorted)."""
    files: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found = sorted(
                p
                for p in path.iterdir()
                if p.is_file()
                and p.suffix.lower() in _READABLE_SUFFIXES
                and not p.name.startswith(".")
            )
            if not found:
                raise InputError(f"{path}: directory has no .csv or .json files")
            files.extend(found)
        elif path.is_file():
            files.append(path)
        else:
            raise InputError(f"{path}: no such file or directory")
    return files


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
    from forecaster.scaling import k6, locust

    if isinstance(paths, str | Path):
        paths = [paths]
    frames = []
    k6_files: list[str] = []
    for path in expand_paths(paths):
        fmt = detect_format(path)
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


def numeric_column(frame: pl.DataFrame, column: str, path: Path) -> pl.Series:
    """``column`` as Float64, or an InputError naming the first value that is not a number."""
    raw = frame.get_column(column)
    if raw.dtype.is_numeric():
        values = raw.cast(pl.Float64)
    else:
        values = raw.cast(pl.String).str.strip_chars().cast(pl.Float64, strict=False)
        bad = values.is_null() & raw.is_not_null()
        if bad.any():
            i = int(bad.arg_max())
            raise InputError(
                f"{path}: column {column!r} row {i + 2} is {raw[i]!r}; expected a number"
            )
    if values.is_null().any():
        i = int(values.is_null().arg_max())
        raise InputError(f"{path}: column {column!r} row {i + 2} is empty; expected a number")
    return values


def read_points_csv(
    path: str | Path, load_col: str | None = None, throughput_col: str | None = None
) -> pl.DataFrame:
    """Plain CSV, one row per measurement: a load column and a throughput column."""
    path = Path(path)
    try:
        frame = pl.read_csv(path, infer_schema=False, truncate_ragged_lines=False)
    except (pl.exceptions.ComputeError, pl.exceptions.NoDataError) as exc:
        raise InputError(f"{path}: not a readable CSV ({str(exc).splitlines()[0]})") from exc
    if frame.height == 0:
        raise InputError(f"{path}: CSV has a header but no measurements")
    lc = _pick_column(path, frame.columns, load_col, LOAD_ALIASES, "load")
    tc = _pick_column(path, frame.columns, throughput_col, THROUGHPUT_ALIASES, "throughput")
    return pl.DataFrame(
        {
            "load": numeric_column(frame, lc, path),
            "throughput": numeric_column(frame, tc, path),
            "source": [path.name] * frame.height,
        },
        schema=SCHEMA,
    )
