"""Finding billing files and opening them lazily.

Paths may be files, directories (searched recursively) or globs. CSV may be gzipped.
CSV is read as text throughout (ids that look numeric stay strings, "NULL" stays a value the
parsers turn into null); Parquet keeps its types. Nothing here loads a whole file in memory.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import zlib
from collections.abc import Iterable
from pathlib import Path

import polars as pl

from forecaster.errors import InputError, clip
from forecaster.paths import TABLE_SUFFIXES, expand_paths

BILLING_SUFFIXES = TABLE_SUFFIXES

#: A gzip input is refused once it has inflated past MAX_INFLATE_RATIO times the compressed
#: bytes read so far (after the first INFLATE_FREE_BYTES, which any file may use), or past
#: MAX_INFLATED_BYTES in all. Billing CSV compresses 5-30x; zeros compress 1000x.
MAX_INFLATE_RATIO = 200
INFLATE_FREE_BYTES = 64 << 20
MAX_INFLATED_BYTES = 200 << 30
MAX_INFLATE_ENV = "FORECASTER_MAX_INFLATE_RATIO"


def billing_paths(paths: Iterable[str | Path]) -> list[Path]:
    """Every billing file the arguments name (CSV, CSV.gz, Parquet), sorted, each once.

    Directories are searched recursively; see :func:`forecaster.paths.expand_paths`.
    """
    return expand_paths(paths, BILLING_SUFFIXES)


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


def inflate(path: Path, src, dst, chunk: int = 1 << 16) -> str:
    """Inflate a gzip stream (all members) from ``src`` to ``dst``; the inflated SHA-256.

    Refuses (InputError) past the ratio and size limits above, before writing more.
    """
    ratio = float(os.environ.get(MAX_INFLATE_ENV) or MAX_INFLATE_RATIO)
    digest = hashlib.sha256()
    read = written = 0
    decomp = zlib.decompressobj(wbits=31)
    pending = b""
    while True:
        if decomp.unconsumed_tail:
            data = decomp.unconsumed_tail
        elif pending:
            data, pending = pending, b""
        else:
            data = src.read(chunk)
            read += len(data)
            if not data:
                raise EOFError("the stream ends before its end marker")
        out = decomp.decompress(data, chunk * 16)
        written += len(out)
        if written > MAX_INFLATED_BYTES or (
            written > INFLATE_FREE_BYTES and written > ratio * max(read, 1)
        ):
            raise InputError(
                f"{path}: refused: the gzip stream inflates to more than {ratio:g} times its "
                f"compressed size ({written:,} bytes from the first {read:,}; billing CSV "
                "compresses 5-30x): a compression bomb, or not a billing export. Set "
                f"${MAX_INFLATE_ENV} higher if it is genuine"
            )
        digest.update(out)
        dst.write(out)
        if decomp.eof and not decomp.unconsumed_tail:
            pending = decomp.unused_data
            if not pending:
                pending = src.read(chunk)
                read += len(pending)
                if not pending:
                    break
            decomp = zlib.decompressobj(wbits=31)
    return digest.hexdigest()


class OpenedFile:
    """A billing file opened for lazy reading; gzip is inflated to a temporary file.

    Use as a context manager so the temporary copy is removed.
    """

    def __init__(self, path: Path):
        self.path = path
        self.kind = kind_of(path)
        self._tmp: Path | None = None
        self._digest = ""

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
                with open(self.path, "rb") as src, open(fd, "wb") as dst:
                    self._digest = inflate(self.path, src, dst)
            except (OSError, EOFError, zlib.error) as exc:
                Path(name).unlink(missing_ok=True)
                raise InputError(
                    clip(f"{self.path}: the gzip stream is corrupt or truncated ({exc})")
                ) from exc
            except BaseException:
                Path(name).unlink(missing_ok=True)
                raise
            self._tmp = Path(name)
        return self._tmp

    def content_digest(self) -> str:
        """SHA-256 of the content (gzip: of the inflated bytes, so a .csv and its .csv.gz
        are the same content)."""
        if self.kind == "csv.gz":
            self._readable()
            return self._digest
        return sha256_file(self.path)

    def schema(self) -> dict[str, pl.DataType]:
        """Column names and types, read from the header or Parquet footer only."""
        try:
            if self.kind == "parquet":
                return dict(pl.scan_parquet(self.path, glob=False).collect_schema())
            header = pl.scan_csv(self._readable(), infer_schema=False, n_rows=0, glob=False)
            return dict(header.collect_schema())
        except (pl.exceptions.ComputeError, OSError) as exc:
            raise InputError(clip(f"{self.path}: cannot be read as {self.kind}: {exc}")) from exc
        except pl.exceptions.PolarsError as exc:
            raise InputError(clip(f"{self.path}: cannot be read as {self.kind}: {exc}")) from exc

    def scan(self) -> pl.LazyFrame:
        """The file as a LazyFrame (CSV: every column as text)."""
        if self.kind == "parquet":
            return pl.scan_parquet(self.path, glob=False)
        return pl.scan_csv(
            self._readable(),
            infer_schema=False,
            quote_char='"',
            glob=False,
        )
