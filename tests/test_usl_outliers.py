"""The USL fit resists single outliers and says which points it left out (issue #20 case 13).

Before: 8 load-test points peaking at 32 users with one point 100x too high gave gamma 3518
(true ~100), R^2 0.27 and "throughput grows about linearly".
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import polars as pl
import pytest

from forecaster.cli import main
from forecaster.scaling import USLModel, explain
from forecaster.scaling.usl_solve import usl_throughput
from tests.conftest import SHARED_DATA

FIXTURES = Path(__file__).parent / "fixtures" / "usl"
LOADS = np.array([1, 2, 4, 8, 16, 32, 48, 64], dtype=float)
TRUE = {"sigma": 0.02, "kappa": 0.98 / 32**2, "gamma": 100.0}  # peak at N* = 32


def peaking_points(outlier_at: int | None = 4, factor: float = 100.0, seed: int = 1):
    x = usl_throughput(LOADS, **TRUE)
    x = x * (1 + 0.02 * np.random.default_rng(seed).standard_normal(LOADS.size))
    if outlier_at is not None:
        x[outlier_at] *= factor
    return LOADS.copy(), x


def test_eight_points_with_one_100x_outlier_through_the_cli(tmp_path, capsys):
    n, x = peaking_points()
    path = tmp_path / "run.csv"
    pl.DataFrame({"users": n, "qps": x}).write_csv(path)
    assert main(["scaling", str(path), "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["gamma"] == pytest.approx(100.0, rel=0.1)
    assert 28 <= doc["peak_load"] <= 36 and doc["ceiling_kind"] == "peak"
    assert doc["r2"] > 0.99
    (flagged,) = doc["outliers"]
    assert flagged["load"] == 16 and flagged["ratio"] == pytest.approx(100, rel=0.1)
    assert (
        "1 point flagged as an outlier and left out of the fit: N=16, throughput"
        in (doc["explanation"])
    )
    assert "102x the fit" in doc["explanation"]
    assert "grows about linearly" not in doc["explanation"]
    assert main(["scaling", str(path)]) == 0
    text = capsys.readouterr().out
    assert "USL fit of 7 points (1 left out as outliers)" in text
    assert "Throughput peaks at a load of about 32" in text


@pytest.mark.parametrize("factor", [100.0, 20.0, 0.02])
@pytest.mark.parametrize("where", range(8))
def test_one_outlier_anywhere_is_the_one_point_flagged(where, factor):
    n, x = peaking_points(where, factor)
    model = USLModel().fit(n, x)
    assert [o["load"] for o in model.outliers_] == [LOADS[where]]
    assert model.gamma_ == pytest.approx(100.0, rel=0.15)
    assert model.peak_load_ == pytest.approx(32.0, rel=0.15)


@pytest.mark.parametrize("seed", range(5))
def test_clean_noisy_points_are_all_kept(seed):
    n, x = peaking_points(None, seed=seed)
    model = USLModel().fit(n, x)
    assert model.outliers_ == [] and model.load_.size == 8
    assert "outlier" not in explain.describe(model)


@pytest.mark.parametrize(("name", "load_col"), [("specsdm91", "load"), ("raytracer", "processors")])
def test_reference_datasets_keep_every_point_and_one_spike_does_not_move_them(name, load_col):
    frame = pl.read_csv(FIXTURES / f"{name}.csv")
    n, x = frame[load_col].to_numpy().astype(float), frame["throughput"].to_numpy().astype(float)
    clean = USLModel().fit(n, x)
    assert clean.outliers_ == []
    spiked = x.copy()
    spiked[len(x) // 2] *= 50
    model = USLModel().fit(n, spiked)
    assert [o["load"] for o in model.outliers_] == [n[len(x) // 2]]
    for attr in ("sigma_", "gamma_"):
        assert getattr(model, attr) == pytest.approx(getattr(clean, attr), rel=0.05)


def test_a_measured_peak_is_never_called_linear_growth():
    """Too few, too noisy points for the coefficients, but the levels plainly peak."""
    n = np.array([1.0, 2.0, 3.0, 4.0, 5.0])
    x = np.array([10.0, 19.0, 21.0, 12.0, 9.0])
    model = USLModel().fit(n, x)
    text = explain.describe(model)
    assert "grows about linearly" not in text
    if model.ceiling_kind_ != "peak":
        assert "measured throughput peaks at a load of 3" in text


def test_real_noisy_production_data_is_fitted_and_what_is_left_out_is_said():
    """oracledb (R usl's production example): transactions per second against active
    sessions; a few samples are flagged, at most 10%, each one named."""
    src = SHARED_DATA / "loadtest" / "oracledb.csv"
    if not src.is_file():
        pytest.fail(f"{src} is missing: the shared test data sits beside the checkout")
    frame = pl.read_csv(src)
    model = USLModel().fit(frame["db_time"], frame["txn_rate"], source="oracledb")
    assert 0 < model.gamma_ < np.inf and np.isfinite(model.r2_)
    assert len(model.outliers_) <= 0.1 * frame.height
    text = explain.describe(model)
    if model.outliers_:
        assert f"{len(model.outliers_)} point" in text and "left out of the fit" in text
