"""`--store-as` names the source a delivery is stored under; `--source` only ever filters."""

from __future__ import annotations

from pathlib import Path

import pytest

FOCUS = Path(__file__).parent / "fixtures" / "billing" / "focus-1.0-sample.csv"


def test_ingest_stores_the_delivery_under_the_name_given(cli, cli_json, store):
    code, out = cli("ingest", "billing", str(FOCUS), "--store", str(store), "--store-as", "feed-b")
    assert code == 0, out
    sources = {p["source"] for p in cli_json("store", "status", "--store", str(store))["periods"]}
    assert sources == {"feed-b"}


@pytest.mark.parametrize("kind", ["billing", "traffic"])
def test_ingest_refuses_source_and_points_to_store_as(kind, cli, store, capsys):
    with pytest.raises(SystemExit) as stop:
        cli("ingest", kind, str(FOCUS), "--store", str(store), "--source", "feed-b")
    assert stop.value.code == 2
    err = capsys.readouterr().err
    assert "--store-as NAME" in err
    assert "Traceback" not in err
    assert not store.exists()
