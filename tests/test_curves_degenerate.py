"""``forecaster curves`` on degenerate inputs: refused saying why, or fitted without overflow
(issue #20 case 13). Before: constant cost against varying load printed overflow warnings and
a marginal-cost interval up to 3.8e286.
"""

from __future__ import annotations

import json
import math
import random
import warnings
from pathlib import Path

import pytest

from forecaster.cli import main

DAYS = [f"2025-01-{d:02d}" for d in range(1, 31)]


def series(path: Path, values) -> Path:
    path.write_text(
        "timestamp,value\n" + "".join(f"{d},{v}\n" for d, v in zip(DAYS, values, strict=False))
    )
    return path


def curves(capsys, cost: Path, load: Path) -> tuple[int, dict | None, str]:
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # an overflow RuntimeWarning fails the test
        code = main(["curves", "--cost", str(cost), "--load", str(load), "--json"])
    captured = capsys.readouterr()
    doc = json.loads(captured.out)["workloads"][0] if code == 0 else None
    return code, doc, captured.err


@pytest.fixture
def varying_load(tmp_path) -> Path:
    rng = random.Random(1)
    return series(tmp_path / "load.csv", [rng.randint(1000, 5000) for _ in DAYS])


def test_constant_cost_against_varying_load_is_refused_saying_why(tmp_path, capsys, varying_load):
    cost = series(tmp_path / "cost.csv", [100] * len(DAYS))
    code, doc, err = curves(capsys, cost, varying_load)
    assert code == 0 and err == ""
    assert doc["model"] is None
    assert doc["reason"].startswith("cost is constant (100.00 in every period) while load varies")
    assert "all fixed cost" in doc["reason"]


def test_cost_flat_but_for_a_few_cents_is_fitted_with_finite_narrow_intervals(
    tmp_path, capsys, varying_load
):
    rng = random.Random(2)
    cost = series(tmp_path / "cost.csv", [100 + rng.choice([0, 0, 0, 0.01]) for _ in DAYS])
    code, doc, err = curves(capsys, cost, varying_load)
    assert code == 0 and err == ""
    lo, hi = doc["fixed_cost_ci"]
    assert 99.9 <= lo <= hi <= 100.1
    m_lo, m_hi = doc["marginal_cost_ci"]
    assert all(math.isfinite(v) for v in (m_lo, m_hi)) and 0 <= m_lo <= m_hi < 1e-3


def test_constant_load_is_refused_saying_why(tmp_path, capsys):
    rng = random.Random(3)
    cost = series(tmp_path / "cost.csv", [100 + rng.random() for _ in DAYS])
    load = series(tmp_path / "load.csv", [2000] * len(DAYS))
    code, doc, _ = curves(capsys, cost, load)
    assert code == 0 and doc["model"] is None
    assert doc["reason"] == (
        "load is constant (2000 in every period); fixed and load-driven cost cannot be told apart"
    )


def test_zero_cost_is_refused_saying_why(tmp_path, capsys, varying_load):
    cost = series(tmp_path / "cost.csv", [0] * len(DAYS))
    code, doc, _ = curves(capsys, cost, varying_load)
    assert code == 0 and doc["model"] is None
    assert doc["reason"] == "cost is zero in all 30 periods; there is nothing to fit"


def test_too_few_points_exit_2_naming_the_file(tmp_path, capsys, varying_load):
    cost = tmp_path / "short.csv"
    cost.write_text("timestamp,value\n" + "".join(f"{d},{i}\n" for i, d in enumerate(DAYS[:5])))
    code, _, err = curves(capsys, cost, varying_load)
    assert code == 2
    assert err == f"error: {cost}: 5 row(s) with a value; a cost curve needs at least 8\n"
