"""Shared fixtures: paths to real data, a fresh store, a CLI runner."""

from __future__ import annotations

import io
import json
from contextlib import redirect_stdout
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures"
SHARED_DATA = ROOT.parent / "shared" / "data"


@pytest.fixture
def store(tmp_path: Path) -> Path:
    return tmp_path / "store"


@pytest.fixture
def cli():
    """Run the forecaster CLI in-process; returns (exit code, stdout)."""
    from forecaster.cli import main

    def run(*argv: str) -> tuple[int, str]:
        out = io.StringIO()
        with redirect_stdout(out):
            code = main(list(argv))
        return code, out.getvalue()

    return run


@pytest.fixture
def cli_json(cli):
    def run(*argv: str):
        code, out = cli(*argv, "--json")
        assert code == 0, out
        return json.loads(out)

    return run


pytest_plugins = ["tests.conftest_aws"]


@pytest.fixture(scope="session")
def sample_data(tmp_path_factory):
    """The bundled sample written and ingested once per test session: (files dir, store)."""
    from forecaster.sample import write_sample

    root = tmp_path_factory.mktemp("bundled-sample")
    write_sample(root / "sample", root / "store")
    return root / "sample", root / "store"


@pytest.fixture(scope="session")
def real_bills_store(tmp_path_factory):
    """A store holding only the real third-party bills of ../shared/data/billing (FOCUS 1.0
    sample, legacy CUR sample), each under its own source; no traffic, no workloads."""
    from forecaster.ingest import ingest_billing

    store = tmp_path_factory.mktemp("real-bills") / "store"
    billing = SHARED_DATA / "billing"
    ingest_billing([billing / "focus-1.0-sample.csv"], store, source="focus")
    ingest_billing([billing / "aws-legacy-cur-sample.csv"], store, source="cur")
    return store


@pytest.fixture(scope="session")
def sample_bill_store(sample_data, tmp_path_factory):
    """The bundled sample's billing alone in a fresh store: no traffic, no workloads."""
    from forecaster.ingest import ingest_billing

    sample, _ = sample_data
    store = tmp_path_factory.mktemp("sample-bill") / "store"
    ingest_billing([sample / "billing"], store)
    return store


def _usl_fit(name: str, load_col: str):
    """The USL fitted to the published dataset ``tests/fixtures/usl/<name>.csv``."""
    import polars as pl

    from forecaster.scaling import USLModel

    frame = pl.read_csv(FIXTURES / "usl" / f"{name}.csv")
    return USLModel().fit(frame[load_col], frame["throughput"], source=name)


@pytest.fixture(scope="session")
def specsdm91():
    """Gunther's SPEC SDM91 benchmark fitted (load against throughput)."""
    return _usl_fit("specsdm91", "load")


@pytest.fixture(scope="session")
def raytracer():
    """Gunther's ray-tracer benchmark fitted (processors against throughput)."""
    return _usl_fit("raytracer", "processors")
