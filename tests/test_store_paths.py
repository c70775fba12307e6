"""Issue 20 cases 8-9: a file name is taken literally before any glob, and a store that
cannot be written gives one line naming the path, changing nothing."""

from __future__ import annotations

import errno

import pytest

from forecaster.store import fsutil
from tests.focus_builder import write_focus
from tests.test_store_deliveries import MARCH, ingest, month_rows, stored
from tests.test_store_safety import snapshot


@pytest.fixture
def march(tmp_path, cli, capsys, store):
    path = write_focus(tmp_path / "stored" / "march.csv", month_rows("2025-03"))
    assert ingest(cli, capsys, store, path)[0] == 0
    return path


# -- case 8 ---------------------------------------------------------------------------------
def test_a_file_named_like_a_glob_is_read_literally(tmp_path, cli, cli_json, capsys, store):
    write_focus(tmp_path / "bill[1].csv", month_rows("2025-03"))
    write_focus(tmp_path / "bill1.csv", month_rows("2025-04", days=30))
    code, _, err = ingest(cli, capsys, store, tmp_path / "bill[1].csv")
    assert code == 0, err
    assert stored(cli_json, store) == MARCH


def test_a_glob_still_matches_when_no_file_has_its_name(tmp_path, cli, cli_json, capsys, store):
    write_focus(tmp_path / "bill1.csv", month_rows("2025-03"))
    code, _, err = ingest(cli, capsys, store, tmp_path / "bill[1].csv")
    assert code == 0, err
    assert stored(cli_json, store) == MARCH


def test_a_name_that_is_neither_file_nor_match_is_one_line(tmp_path, cli, capsys, store):
    code, _, err = ingest(cli, capsys, store, tmp_path / "bill[2].csv")
    assert code == 2
    assert err.count("\n") == 1 and "bill[2].csv: no such file" in err


# -- case 9 ---------------------------------------------------------------------------------
def test_a_store_path_that_is_a_file_is_one_line(tmp_path, cli, capsys, march):
    not_a_store = tmp_path / "store.txt"
    not_a_store.write_text("notes\n")
    code, _, err = ingest(cli, capsys, not_a_store, march)
    assert code == 2
    assert (
        err
        == f"error: {not_a_store}: the store path is a file, not a directory; nothing was changed\n"
    )
    assert not_a_store.read_text() == "notes\n"
    capsys.readouterr()
    from forecaster.cli import main

    assert main(["store", "status", "--store", str(not_a_store)]) == 2
    assert "the store path is a file" in capsys.readouterr().err


def test_a_store_under_a_file_is_one_line(tmp_path, cli, capsys, march):
    (tmp_path / "plain").write_text("")
    code, _, err = ingest(cli, capsys, tmp_path / "plain" / "store", march)
    assert code == 2 and err.count("\n") == 1 and "Traceback" not in err
    assert f"{tmp_path / 'plain' / 'store'}: cannot write the store" in err


def test_an_unwritable_store_is_one_line(tmp_path, cli, capsys, march):
    code, _, err = ingest(cli, capsys, "/proc/forecaster-store", march)  # even root cannot
    assert code == 2 and err.count("\n") == 1 and "Traceback" not in err
    assert "/proc/forecaster-store: cannot write the store" in err


def test_a_full_disk_is_one_line_and_changes_nothing(
    tmp_path, cli, cli_json, capsys, store, march, monkeypatch
):
    before = snapshot(store)

    def full(*args, dir=None, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device", str(dir))

    monkeypatch.setattr(fsutil.tempfile, "mkstemp", full)
    redelivery = write_focus(tmp_path / "again.csv", month_rows("2025-03", cost=2))
    code, _, err = ingest(cli, capsys, store, redelivery)
    monkeypatch.undo()
    assert code == 2 and err.count("\n") == 1
    assert f"{store}: cannot write the store" in err and "No space left on device" in err
    assert snapshot(store) == before
    assert stored(cli_json, store) == MARCH
