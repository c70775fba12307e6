"""Bad input and failures mid-ingest leave the store exactly as it was."""

from __future__ import annotations

import gzip
import os
import threading
from datetime import UTC, datetime
from pathlib import Path

import pytest

from forecaster.errors import InputError, StoreError
from forecaster.ingest import ingest_billing
from forecaster.store import BillingStore, read_charges, store_lock
from forecaster.store import billing as billing_module
from tests.focus_builder import HEADER, focus_row, write_focus

NOW = datetime(2025, 6, 15, tzinfo=UTC)


def snapshot(store: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(store)): p.read_bytes()
        for p in sorted(store.rglob("*"))
        if p.is_file() and p.name != ".lock" and "logs" not in p.relative_to(store).parts
    }


@pytest.fixture
def stored(tmp_path, store):
    """A store holding March 2025 (two rows, 30.00 USD)."""
    path = write_focus(tmp_path / "good.csv", [focus_row(cost=10), focus_row(cost=20, day=2)])
    ingest_billing([path], store, now=NOW)
    return snapshot(store)


def _bad_files(tmp_path: Path) -> dict[str, tuple[Path, str]]:
    missing = write_focus(
        tmp_path / "missing.csv",
        [focus_row()],
        header=[h for h in HEADER if h not in ("BilledCost", "BillingCurrency")],
    )
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    header_only = write_focus(tmp_path / "header.csv", [])
    bad_time = write_focus(
        tmp_path / "time.csv", [focus_row(), focus_row(ChargePeriodStart="31/03/2025 10:00")]
    )
    bad_money = write_focus(
        tmp_path / "money.csv", [focus_row(), focus_row(BilledCost="12,50 EUR")]
    )
    truncated = tmp_path / "trunc.csv.gz"
    blob = gzip.compress(write_focus(tmp_path / "src.csv", [focus_row()] * 50).read_bytes())
    truncated.write_bytes(blob[: len(blob) // 2])
    no_currency = write_focus(tmp_path / "cur.csv", [focus_row(BillingCurrency="")])
    return {
        "missing columns": (missing, "missing column\\(s\\) BilledCost"),
        "empty file": (empty, "empty"),
        "header only": (header_only, "no rows"),
        "bad timestamp": (bad_time, "ChargePeriodStart.*'31/03/2025 10:00'.*row 2"),
        "bad money": (bad_money, "BilledCost.*'12,50 EUR'"),
        "truncated gzip": (truncated, "corrupt or truncated"),
        "empty currency": (no_currency, "BillingCurrency is empty"),
    }


@pytest.mark.parametrize(
    "case",
    [
        "missing columns",
        "empty file",
        "header only",
        "bad timestamp",
        "bad money",
        "truncated gzip",
        "empty currency",
    ],
)
def test_bad_input_fails_naming_the_file_and_leaves_the_store_unchanged(
    tmp_path, store, stored, case
):
    path, message = _bad_files(tmp_path)[case]
    good = write_focus(tmp_path / "other.csv", [focus_row(period="2025-04")])
    with pytest.raises(InputError, match=message) as info:
        ingest_billing([good, path], store, now=NOW)
    assert path.name in str(info.value)
    assert snapshot(store) == stored


def test_cli_reports_bad_input_with_exit_code_2(tmp_path, store, stored, cli, capsys):
    path, _ = _bad_files(tmp_path)["missing columns"]
    code, _ = cli("ingest", "billing", str(path), "--store", str(store))
    assert code == 2
    assert "missing.csv" in capsys.readouterr().err
    assert snapshot(store) == stored


def test_a_path_that_names_nothing_is_an_error(tmp_path, store):
    with pytest.raises(InputError, match="no such file"):
        ingest_billing([tmp_path / "nope.csv"], store)


def test_crash_while_committing_keeps_the_previous_partition(tmp_path, store, stored, monkeypatch):
    redelivery = write_focus(tmp_path / "new.csv", [focus_row(cost=99)])

    def crash(*args, **kwargs):
        raise OSError("disk full while writing the catalog")

    monkeypatch.setattr(billing_module, "atomic_write_json", crash)
    with pytest.raises(StoreError, match="disk full.*nothing was changed"):
        ingest_billing([redelivery], store, now=NOW)
    monkeypatch.undo()
    assert read_charges(store).collect()["BilledCost"].sum() == pytest.approx(30.0)
    # the next ingest cleans the orphaned partition version and works normally
    ingest_billing([redelivery], store, now=NOW)
    assert read_charges(store).collect()["BilledCost"].sum() == pytest.approx(99.0)
    assert len(list(store.glob("billing/source=*/period=*/ingest=*"))) == 1


def test_killed_ingest_leaves_the_previous_state(tmp_path, store, stored):
    """A process killed mid-ingest (after staging, before the catalog) changes nothing."""
    import subprocess
    import sys

    redelivery = write_focus(tmp_path / "new.csv", [focus_row(cost=99)] * 1000)
    script = (
        "import os, sys\n"
        "from forecaster.store import billing\n"
        "def die(*a, **k): os._exit(9)\n"
        "billing.atomic_write_json = die\n"
        "from forecaster.ingest import ingest_billing\n"
        f"ingest_billing([{str(redelivery)!r}], {str(store)!r})\n"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True)
    assert result.returncode == 9
    assert read_charges(store).collect()["BilledCost"].sum() == pytest.approx(30.0)


def test_reconciliation_failure_stores_nothing(tmp_path, store, stored, monkeypatch):
    import forecaster.ingest_commit as ingest_module

    real = ingest_module.stored_totals

    def off_by_a_cent(files):
        frame = real(files)
        return frame.with_columns(frame["BilledCost"] + 0.01)

    monkeypatch.setattr(ingest_module, "stored_totals", off_by_a_cent)
    with pytest.raises(Exception, match="differs from the source"):
        ingest_billing([write_focus(tmp_path / "n.csv", [focus_row(cost=5)])], store, now=NOW)
    assert snapshot(store) == stored


def test_a_second_ingest_waits_for_the_lock_then_fails_clearly(tmp_path, store, stored):
    held, release = threading.Event(), threading.Event()

    def holder():
        with store_lock(store):
            held.set()
            release.wait(10)

    thread = threading.Thread(target=holder)
    thread.start()
    held.wait(5)
    try:
        with pytest.raises(StoreError, match="locked"):
            ingest_billing(
                [write_focus(tmp_path / "n.csv", [focus_row()])], store, lock_timeout=0.3
            )
    finally:
        release.set()
        thread.join()
    assert snapshot(store) == stored


def test_concurrent_ingests_both_complete_without_corruption(tmp_path, store):
    paths = [
        write_focus(tmp_path / f"{m}.csv", [focus_row(period=m, cost=1)] * 200)
        for m in ("2025-01", "2025-02", "2025-03", "2025-04")
    ]
    errors = []

    def run(path):
        try:
            ingest_billing([path], store, now=NOW)
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(p,)) for p in paths]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert len(BillingStore(store).partitions()) == 4
    assert read_charges(store).collect()["BilledCost"].sum() == pytest.approx(800.0)


def test_timestamps_with_offsets_are_converted_to_utc(tmp_path, store):
    rows = [
        focus_row(
            ChargePeriodStart="2025-03-01T02:00:00+02:00", ChargePeriodEnd="2025-03-01 01:00:00"
        ),
    ]
    ingest_billing([write_focus(tmp_path / "tz.csv", rows)], store, now=NOW)
    row = read_charges(store).collect().row(0, named=True)
    assert row["ChargePeriodStart"].isoformat() == "2025-03-01T00:00:00+00:00"
    assert row["ChargePeriodEnd"].isoformat() == "2025-03-01T01:00:00+00:00"
    assert row["BillingAccountId"] == "0012345"  # leading zeros survive: ids are strings


def test_gzipped_csv_and_globs_are_read(tmp_path, store):
    src = write_focus(tmp_path / "src.csv", [focus_row(cost=2)] * 3)
    gz = tmp_path / "exports" / "m.csv.gz"
    gz.parent.mkdir()
    gz.write_bytes(gzip.compress(src.read_bytes()))
    ingest_billing([str(tmp_path / "exports" / "*.csv.gz")], store, now=NOW)
    assert read_charges(store).collect()["BilledCost"].sum() == pytest.approx(6.0)


def test_store_files_are_readable_by_others(tmp_path, store, stored):
    catalog = store / "billing" / "catalog.json"
    assert os.stat(catalog).st_mode & 0o044


def test_a_failed_ingest_is_recorded_in_the_ingest_error_log(tmp_path, store, stored):
    from forecaster.store.ingest_log import read_failures

    path, _ = _bad_files(tmp_path)["bad money"]
    with pytest.raises(InputError):
        ingest_billing([path], store, now=NOW)
    (failure,) = read_failures(store)
    assert failure["kind"] == "billing"
    assert failure["inputs"] == [str(path)]
    assert "12,50 EUR" in failure["error"] and failure["error"].startswith("InputError")
    assert snapshot(store) == stored  # the data is untouched; only the log grew


def test_the_data_page_lists_failed_ingests(tmp_path, store, stored):
    from forecaster.store.ingest_log import read_failures
    from forecaster.views.data import ingest_errors_table

    with pytest.raises(InputError):
        ingest_billing([tmp_path / "missing.csv"], store, now=NOW)
    table = ingest_errors_table(read_failures(store))
    assert table.columns == ["at", "kind", "inputs", "error"]
    assert "no such file" in table["error"][0]
