"""One reader protocol and one registry per kind of input file: billing (FOCUS, AWS CUR 2.0,
legacy CUR), traffic (``timestamp,value`` and long ``timestamp,metric,value`` tables) and
load-test results (k6 summaries, Locust stats history, a CSV of points).

Every reader has a ``name`` (what ``--format`` says), a ``description``, ``detect(path)``
(whether the file is this reader's, from its columns or first bytes) and ``read(path)``
(the file as a LazyFrame with its registry's canonical ``columns``; bad input is an
``InputError`` naming the file, column or value). ``tests/test_reader_contract.py`` checks
every registered reader against a real file.

The parsing lives in the reader modules; this module only registers them:

- billing: ``forecaster.billing.formats.BILLING_FORMATS`` (one entry per format; detection
  and ``read_billing_file`` use that table), read into ``forecaster.columns.CHARGES_SCHEMA``;
- traffic: ``forecaster.load.files.read_traffic_file``, into ``LOAD_SCHEMA``;
- load tests: ``forecaster.scaling.loadtest`` (``loadtest_format`` tells k6, Locust and CSV
  apart), into the points ``SCHEMA`` of ``forecaster.scaling.points``.

CloudWatch and Cost Explorer are API sources, not files: they write the same canonical
tables through ``forecaster.load.ingest_load_frame`` and ``forecaster.aws.cost_explorer``.

>>> from forecaster.readers import BILLING_READERS
>>> BILLING_READERS.detect(path).name  # doctest: +SKIP
'focus'
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

import polars as pl

from forecaster import columns as C
from forecaster.billing.files import OpenedFile
from forecaster.billing.focus import is_other_focus_dataset
from forecaster.billing.formats import BILLING_FORMATS, BillingFormat
from forecaster.billing.readers import canonical_columns, read_billing_file
from forecaster.errors import InputError
from forecaster.load.files import read_traffic_file
from forecaster.load.frame import LOAD_SCHEMA
from forecaster.paths import TABLE_SUFFIXES
from forecaster.scaling import k6, locust
from forecaster.scaling.loadtest import LOADTEST_SUFFIXES, loadtest_format, read_points_csv
from forecaster.scaling.points import SCHEMA as POINTS_SCHEMA
from forecaster.series_input import TIMESTAMP_NAMES


@runtime_checkable
class Reader(Protocol):
    """What every input reader offers (readers may take more keyword options in ``read``)."""

    name: str
    description: str

    def detect(self, path: Path) -> bool:
        """Whether ``path`` is this reader's format."""
        ...

    def read(self, path: Path) -> pl.LazyFrame:
        """The file in its registry's canonical columns."""
        ...


@dataclass
class Registry:
    """The readers of one kind of input, in detection order."""

    kind: str
    columns: tuple[str, ...]
    """The canonical columns every reader's frame has, in order."""
    what: str
    """The kind in words, for errors ("a billing file: FOCUS, AWS CUR 2.0 or legacy CUR")."""
    readers: dict[str, Reader] = field(default_factory=dict)

    def register(self, reader: Reader) -> Reader:
        if reader.name in self.readers:
            raise ValueError(f"{self.kind} reader {reader.name!r} registered twice")
        self.readers[reader.name] = reader
        return reader

    def names(self) -> tuple[str, ...]:
        return tuple(self.readers)

    def __iter__(self) -> Iterator[Reader]:
        return iter(self.readers.values())

    def get(self, name: str) -> Reader:
        """The reader named ``name``; an InputError naming the choices otherwise."""
        if name not in self.readers:
            raise InputError(
                f"{self.kind} format {name!r}: expected one of {', '.join(self.readers)}",
                parameters=("format",),
            )
        return self.readers[name]

    def detect(self, path: str | Path) -> Reader:
        """The first reader whose ``detect`` holds for ``path``; an InputError otherwise."""
        path = Path(path)
        for reader in self:
            if reader.detect(path):
                return reader
        raise InputError(f"{path}: not {self.what}; expected one of {', '.join(self.readers)}")

    def read(self, path: str | Path, format: str = "auto", **options: Any) -> pl.LazyFrame:
        """``path`` read by the reader ``format`` names (``auto``: the detected one)."""
        path = Path(path)
        reader = self.detect(path) if format == "auto" else self.get(format)
        return reader.read(path, **options)


@dataclass(frozen=True)
class BillingReader:
    """A billing format of ``BILLING_FORMATS`` as a reader of files (FOCUS names out)."""

    format: BillingFormat

    @property
    def name(self) -> str:
        return self.format.name

    @property
    def description(self) -> str:
        return self.format.description

    def detect(self, path: Path) -> bool:
        with OpenedFile(path) as opened:
            schema = opened.schema()
        if not schema:
            return False
        renames = canonical_columns(path, schema)
        schema = {renames.get(c, c): t for c, t in schema.items()}
        return not is_other_focus_dataset(schema) and self.format.matches(schema)

    def read(self, path: Path, source: str = "file") -> pl.LazyFrame:
        """The file's charges in ``CHARGES_SCHEMA`` (``x_source``: ``source``)."""
        with OpenedFile(path) as opened:
            sf = read_billing_file(opened, self.name)
            if sf is None:
                raise InputError(f"{path}: a FOCUS dataset that holds no charges")
            return sf.canonical(source).collect().lazy()


def _header(path: Path) -> list[str]:
    with OpenedFile(path) as opened:
        return list(opened.schema())


@dataclass(frozen=True)
class TrafficReader:
    """Traffic tables (CSV, CSV.gz, Parquet): wide ``timestamp,value`` (the metric named by
    the caller) or ``timestamp,<metric>,...``, or long ``timestamp,metric,value``."""

    name: str = "traffic-table"
    description: str = (
        "traffic samples: timestamp,value (metric named by the caller), one column per "
        "metric, or timestamp,metric,value[,unit][,dimensions]; CSV, CSV.gz or Parquet"
    )

    def detect(self, path: Path) -> bool:
        if not path.name.lower().endswith(TABLE_SUFFIXES):
            return False
        try:
            header = [c.strip().lower() for c in _header(path)]
        except InputError:
            return False
        return any(n in header for n in TIMESTAMP_NAMES) and len(header) >= 2

    def read(
        self, path: Path, metric: str | None = None, unit: str | None = None, source: str = "file"
    ) -> pl.LazyFrame:
        frame, _info = read_traffic_file(path, metric=metric, unit=unit, source=source)
        return frame.lazy()


@dataclass(frozen=True)
class LoadTestReader:
    """One load-test result layout, read into (load, throughput, source, latency) points."""

    name: str
    description: str
    parse: Callable[..., pl.DataFrame]

    def detect(self, path: Path) -> bool:
        if path.suffix.lower() not in LOADTEST_SUFFIXES:
            return False
        try:
            return loadtest_format(path) == self.name
        except InputError:
            return False

    def read(
        self, path: Path, load_col: str | None = None, throughput_col: str | None = None
    ) -> pl.LazyFrame:
        return self.parse(path, load_col, throughput_col).lazy()


BILLING_READERS = Registry(
    "billing",
    tuple(C.CHARGES_SCHEMA),
    "a billing file: FOCUS, AWS CUR 2.0 or legacy CUR (by its columns)",
)
for _format in BILLING_FORMATS:
    BILLING_READERS.register(BillingReader(_format))

TRAFFIC_READERS = Registry(
    "traffic", tuple(LOAD_SCHEMA), "a traffic file: a timestamp column and value columns"
)
TRAFFIC_READERS.register(TrafficReader())

LOADTEST_READERS = Registry(
    "load-test",
    tuple(POINTS_SCHEMA),
    "a load-test result: k6 summary JSON, Locust stats history CSV or a CSV of points",
)
LOADTEST_READERS.register(
    LoadTestReader("k6", "k6 end-of-test summary JSON (one point per file)", k6.read_k6_summary)
)
LOADTEST_READERS.register(
    LoadTestReader(
        "locust",
        "Locust *_stats_history.csv (one point per held user count)",
        locust.read_locust_history,
    )
)
LOADTEST_READERS.register(
    LoadTestReader("csv", "a CSV of (load, throughput[, latency]) points", read_points_csv)
)

#: Every registry, by the kind of input it reads.
REGISTRIES: dict[str, Registry] = {
    r.kind: r for r in (BILLING_READERS, TRAFFIC_READERS, LOADTEST_READERS)
}
