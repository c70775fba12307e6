"""``forecaster review``: the command writes the pack and reports it; bad input exits 2."""

from __future__ import annotations

import json

import pytest

from forecaster.cli import main
from tests.review_helpers import SAMPLE_MONTH, sample_dirs


def _args(tmp_path, *extra: str) -> list[str]:
    sample, store = sample_dirs()
    return [
        "review",
        "--month",
        SAMPLE_MONTH,
        "--store",
        str(store),
        "--workloads",
        str(sample / "workloads.toml"),
        "--loadtests",
        str(sample / "loadtest"),
        "--scenarios",
        str(sample / "scenarios.toml"),
        "--out",
        str(tmp_path / "out"),
        *extra,
    ]


def test_review_writes_the_formats_asked_for(tmp_path, capsys):
    code = main(_args(tmp_path, "--formats", "csv,xlsx"))
    out = capsys.readouterr().out
    assert code == 0
    names = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert f"review-{SAMPLE_MONTH}.xlsx" in names
    assert f"review-{SAMPLE_MONTH}-headline.csv" in names
    assert not any(n.endswith((".pdf", ".html")) for n in names)
    assert "effective cost USD 205,910.14" in out  # money as forecaster.format writes it
    assert f"review-{SAMPLE_MONTH}-forecast.csv" in names
    assert f"review-{SAMPLE_MONTH}-tco.csv" in names


def test_review_json_lists_files_and_headline(tmp_path, capsys):
    budget = tmp_path / "budget.csv"
    budget.write_text("month,currency,amount\n2026-10,USD,210000\n")
    code = main(_args(tmp_path, "--formats", "csv", "--budget", str(budget), "--json"))
    doc = json.loads(capsys.readouterr().out)
    assert code == 0
    assert doc["month"] == SAMPLE_MONTH and doc["previous_month"] == "2026-09"
    assert all((tmp_path / "out" / p.split("/")[-1]).exists() for p in doc["files"])
    usd = [r for r in doc["headline"] if r["currency"] == "USD" and r["measure"] == "EffectiveCost"]
    assert usd[0]["budget"] == 210000 and usd[0]["budget_variance"] == pytest.approx(-4089.86)
    assert doc["unavailable"] == {}  # every section has figures on the sample


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--formats", "docx"], "formats docx"),
        (["--month", "2026-13"], "expected YYYY-MM"),
        (["--month", "2030-01"], "no billing data for 2030-01"),
        (["--since", "yesterday"], "--since 'yesterday'"),
        (["--budget", "/nonexistent/budget.csv"], "no such budget file"),
    ],
)
def test_bad_input_exits_2_with_a_message(tmp_path, capsys, extra, message):
    code = main(_args(tmp_path, *extra))
    err = capsys.readouterr().err
    assert code == 2
    assert err.startswith("error: ") and message in err
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())
