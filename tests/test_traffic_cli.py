"""``forecaster ingest traffic``: text and JSON reports, errors as exit code 2."""

from __future__ import annotations

import json

from forecaster.cli import main


def test_a_wide_file_is_ingested_and_reported_per_partition(tmp_path, capsys):
    f = tmp_path / "rq.csv"
    f.write_text("timestamp,value\n2024-01-31T23:00:00Z,5\n2024-02-01T00:00:00Z,7\n")
    argv = [
        "ingest",
        "traffic",
        str(f),
        "--metric",
        "api.requests",
        "--unit",
        "requests",
        "--store",
        str(tmp_path / "s"),
    ]
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert "api.requests" in out and "2024-01" in out and "2024-02" in out and "new" in out
    assert main([*argv, "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert {p["action"] for p in doc["partitions"]} == {"unchanged"}
    assert doc["files"][0]["layout"] == "wide" and doc["rows_added"] == 0


def test_a_bad_file_exits_2_naming_the_file(tmp_path, capsys):
    f = tmp_path / "bad.csv"
    f.write_text("timestamp,value\n2024-01-01,1\n2024-01-02,-5\n")
    assert main(["ingest", "traffic", str(f), "--metric", "m", "--store", str(tmp_path / "s")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and "bad.csv" in err and "negative" in err


def test_billing_refuses_a_mix_of_s3_and_local_paths(tmp_path, capsys):
    code = main(["ingest", "billing", "s3://bucket/x/", str(tmp_path), "--store", str(tmp_path)])
    assert code == 2
    assert "mix of S3 and local paths" in capsys.readouterr().err
