"""Issue 20 case 10: a compression bomb is refused before it fills memory or disk, every
message quoting data is bounded, and so are the ingest-error log and its reader."""

from __future__ import annotations

import json
import subprocess
import sys
import time
import zlib

import pytest

from forecaster.store.ingest_log import LOG, MAX_LINE, read_failures
from forecaster.views.data import ingest_errors_table
from tests.focus_builder import write_focus
from tests.test_store_deliveries import MARCH, ingest, month_rows, stored
from tests.test_store_safety import snapshot

GIB = 1 << 30
CLI = "import sys; from forecaster.cli import main; sys.exit(main(sys.argv[1:]))"


def gzip_of_zeros(path, size: int) -> None:
    """A gzip file inflating to ``size`` zero bytes, written in a few MB of memory."""
    comp = zlib.compressobj(9, zlib.DEFLATED, 31)
    block = bytes(1 << 20)
    with open(path, "wb") as fh:
        for _ in range(size // len(block)):
            fh.write(comp.compress(block))
        fh.write(comp.flush())


@pytest.fixture
def march(tmp_path, cli, capsys, store):
    path = write_focus(tmp_path / "stored" / "march.csv", month_rows("2025-03"))
    assert ingest(cli, capsys, store, path)[0] == 0
    return path


def test_a_gzip_bomb_is_refused_with_bounded_memory_message_and_log(
    tmp_path, cli_json, store, march
):
    bomb = tmp_path / "bomb.csv.gz"
    gzip_of_zeros(bomb, GIB)  # 1 MB on disk
    before = snapshot(store)
    runner = (
        "import resource, subprocess, sys\n"
        "r = subprocess.run(sys.argv[1:], capture_output=True)\n"
        "sys.stdout.write(str(r.returncode) + '\\n' + str(resource.getrusage("
        "resource.RUSAGE_CHILDREN).ru_maxrss) + '\\n')\n"
        "sys.stdout.flush()\n"
        "sys.stderr.buffer.write(r.stderr)\n"
    )
    started = time.monotonic()
    result = subprocess.run(
        [sys.executable, "-c", runner, sys.executable, "-c", CLI,
         "ingest", "billing", str(bomb), "--store", str(store)],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    code, peak_kib = map(int, result.stdout.split())
    assert code == 2
    assert time.monotonic() - started < 60
    assert peak_kib < 1024 * 1024, (
        f"peak {peak_kib / 1024:.0f} MiB"
    )  # far under the 1 GiB it inflates to
    err = result.stderr
    assert err.count("\n") == 1 and len(err) < 1000
    assert "bomb.csv.gz: refused: the gzip stream inflates to more than 200 times" in err
    assert snapshot(store) == before
    assert stored(cli_json, store) == MARCH
    (failure,) = read_failures(store)
    assert "compression bomb" in failure["error"]
    assert all(len(line) < MAX_LINE for line in (store / LOG).read_bytes().splitlines())


def test_a_huge_one_line_file_gives_a_short_message(tmp_path, cli, capsys, store):
    path = tmp_path / "one-line.csv"
    path.write_text("x" * 5_000_000 + "\n1\n")
    code, _, err = ingest(cli, capsys, store, path)
    assert code == 2
    assert len(err) < 2500 and "one-line.csv" in err and "characters)" in err
    (failure,) = read_failures(store)
    assert len(json.dumps(failure)) < 3000


def test_long_values_in_messages_are_truncated(tmp_path, cli, capsys, store):
    from tests.focus_builder import focus_row

    bad = focus_row(BilledCost="9" * 100_000 + "x")
    code, _, err = ingest(cli, capsys, store, write_focus(tmp_path / "long.csv", [bad]))
    assert code == 2
    assert "long.csv: column BilledCost" in err and "(100,001 characters)" in err
    assert len(err) < 1000


def test_the_data_page_reads_a_huge_log_with_a_bound(tmp_path, store):
    log = store / LOG
    log.parent.mkdir(parents=True)
    good = json.dumps({"at": "2025-01-01T00:00:00", "kind": "billing", "inputs": ["a.csv"],
                       "error": "InputError: bad"})  # fmt: skip
    with open(log, "wb") as fh:
        fh.write((good + "\n").encode())
        fh.write(b'{"error": "' + b"y" * (64 << 20) + b'"}\n')  # a 64 MB line, older writer
        fh.write((good.replace("bad", "latest") + "\n").encode())
    started = time.monotonic()
    failures = read_failures(store)
    assert time.monotonic() - started < 2
    assert [f["error"] for f in failures] == ["InputError: latest"]
    assert ingest_errors_table(failures)["error"].to_list() == ["InputError: latest"]
