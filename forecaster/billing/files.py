"""Finding billing files and opening them lazily.

Paths may be files, directories (searched recursively) or globs. CSV may be gzipped.
CSV is read as text throughout (ids that look numeric stay strings, "NULL" stays a value the
parsers turn into null); Parquet keeps its types. Nothing here loads a whole file in memory.
"""

from __future__ import annotations

import glob
import gzip
import hashlib
import shutil
import tempfile
from collections.abc import Iterable
from pathlib import Path

import polars as pl

from forecaster.errors import InputError

BILLING_SUFFIXES = (".csv", ".csv.gz", ".parquet", ".snappy.parquet", ".gz.parquet")


def is_billing_file(path: Path) -> bool:
    name = path.name.lower()
    return any(name.endswith(s) for s in BILLING_SUFFIXES)


def expand_paths(paths: Iterable[str | Path]) -> list[Path]:
    """Every billing file the arguments name, sorted, each once.

    A directory contributes the CSV, CSV.gz and Parquet files under it; a glob its matches.
    A path that names nothing is an error.
    """
    found: list[Path] = []
    for raw in paths:
        text = str(raw)
        if any(ch in text for ch in "*?["):
            matches = [Path(m) for m in sorted(glob.glob(text, recursive=True))]
            files = [m for m in matches if m.is_file()]
            if not files:
                raise InputError(f"{text}: the pattern matches no file")
            found.extend(files)
            continue
        path = Path(text)
        if path.is_dir():
            files = sorted(p for p in path.rglob("*") if p.is_file() and is_billing_file(p))
            if not files:
                raise InputError(f"{path}: the directory holds no .csv, .csv.gz or .parquet file")
            found.extend(files)
        elif path.is_file():
            found.append(path)
        else:
            raise InputError(f"{path}: no such file or directory")
    unique: dict[Path, None] = {}
    for p in found:
        unique.setdefault(p.resolve(), None)
    return list(unique)


def sha256_file(path: Path, chunk: int = 1 << 20) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while block := fh.read(chunk):
            digest.update(block)
    return digest.hexdigest()


def kind_of(path: Path) -> str:
    """'parquet', 'csv' or 'csv.gz', from the file's first bytes (not only its name)."""
    try:
        with open(path, "rb") as fh:
            head = fh.read(4)
    except OSError as exc:
        raise InputError(f"{path}: cannot be read ({exc.strerror})") from exc
    if not head:
        raise InputError(f"{path}: the file is empty")
    if head == b"PAR1":
        return "parquet"
    if head[:2] == b"\x1f\x8b":
        return "csv.gz"
    return "csv"


class OpenedFile:
    """A billing file opened for lazy reading; gzip is inflated to a temporary file.

    Use as a context manager so the temporary copy is removed.
    """

    def __init__(self, path: Path):
        self.path = path
        self.kind = kind_of(path)
        self._tmp: Path | None = None

    def __enter__(self) -> OpenedFile:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        if self._tmp is not None:
            self._tmp.unlink(missing_ok=True)
            self._tmp = None

    def _readable(self) -> Path:
        if self.kind != "csv.gz":
            return self.path
        if self._tmp is None:
            fd, name = tempfile.mkstemp(suffix=".csv", prefix="forecaster-gunzip-")
            try:
                with gzip.open(self.path, "rb") as src, open(fd, "wb") as dst:
                    shutil.copyfileobj(src, dst, 1 << 20)
            except (OSError, EOFError) as exc:
                Path(name).unlink(missing_ok=True)
                raise InputError(
                    f"{self.path}: the gzip stream is corrupt or truncated ({exc})"
                ) from exc
            self._tmp = Path(name)
        return self._tmp

    def schema(self) -> dict[str, pl.DataType]:
        """Column names and types, read from the header or Parquet footer only."""
        try:
            if self.kind == "parquet":
                return dict(pl.scan_parquet(self.path).collect_schema())
            header = pl.scan_csv(self._readable(), infer_schema=False, n_rows=0)
            return dict(header.collect_schema())
        except (pl.exceptions.ComputeError, OSError) as exc:
            raise InputError(f"{self.path}: cannot be read as {self.kind}: {exc}") from exc
        except pl.exceptions.PolarsError as exc:
            raise InputError(f"{self.path}: cannot be read as {self.kind}: {exc}") from exc

    def scan(self) -> pl.LazyFrame:
        """The file as a LazyFrame (CSV: every column as text)."""
        if self.kind == "parquet":
            return pl.scan_parquet(self.path)
        return pl.scan_csv(
            self._readable(),
            infer_schema=False,
            quote_char='"',
        )
