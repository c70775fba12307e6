"""Degenerate inputs give a clear "cannot fit: reason", never a crash or a silent fit."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from forecaster.curves import CostCurve, fit_workload
from forecaster.errors import CannotFit, InputError
from tests.test_curves_support import Truth, frame, synth

N = 60
DAYS = np.datetime64("2024-01-01") + np.arange(N).astype("timedelta64[D]")
LOAD = np.linspace(100, 400, N)
COST = 20 + 0.5 * LOAD


def _nan(a: np.ndarray) -> np.ndarray:
    return np.full_like(a, np.nan)


@pytest.mark.parametrize(
    ("load", "cost", "reason"),
    [
        (np.full(N, 250.0), COST, "load is constant (250 in every period)"),
        (np.zeros(N), COST, "load is constant (0 in every period)"),
        (np.tile([100.0, 200.0], N // 2), COST, "only 2 distinct values"),
        (LOAD[:5], COST[:5], "only 5 periods have a cost and a load; at least 8"),
        (LOAD, np.zeros(N), "cost is zero in all 60 periods"),
        (LOAD, np.where(np.arange(N) == 7, -30.0, COST), "cost is negative in 1 of 60 periods"),
        (LOAD, _nan(COST), "only 0 periods have a cost and a load (60 dropped"),
        (_nan(LOAD), COST, "only 0 periods"),
        (np.where(np.arange(N) < 3, -1.0, LOAD), COST, "load is negative in 3 of 60 periods"),
    ],
    ids=[
        "constant",
        "all-zero-load",
        "two-values",
        "few",
        "zero-cost",
        "credits",
        "nan-cost",
        "nan-load",
        "negative-load",
    ],
)
def test_degenerate_input_cannot_be_fitted_and_says_why(load, cost, reason) -> None:
    starts = DAYS[: len(load)]
    with pytest.raises(CannotFit, match=reason.replace("(", r"\(").replace(")", r"\)")):
        CostCurve().fit(load, cost, starts)


def test_negative_cost_reason_names_the_first_period() -> None:
    cost = np.where(np.arange(N) == 7, -30.0, COST)
    with pytest.raises(CannotFit, match=r"first: period 2024-01-08.*-30\.00.*credits"):
        CostCurve().fit(LOAD, cost, DAYS)


def test_some_missing_periods_are_dropped_and_reported() -> None:
    load, cost, starts = synth(Truth(n=200, noise=0.01))
    cost[[3, 50, 120]] = np.nan
    load[7] = np.inf
    curve = CostCurve(n_boot=20).fit(load, cost, starts)
    assert curve.n_ == 196 and curve.n_dropped_ == 4
    assert any("4 periods dropped" in w for w in curve.warnings_)


def test_workload_that_cannot_be_fitted_comes_back_with_model_null_and_a_reason() -> None:
    df = frame(Truth(n=30)).with_columns(pl.lit(5.0).alias("load"))
    out = fit_workload(df, name="flat")
    assert out == {"name": "flat", "model": None, "reason": out["reason"]}
    assert out["reason"].startswith("load is constant")


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"model": "cubic"}, "model 'cubic' is not known"),
        ({"loss": "l1"}, "loss 'l1' is not known"),
        ({"drift": "sideways"}, "drift 'sideways' is not known"),
        ({"grain": "week"}, "grain 'week' is not supported"),
        ({"variance": "wild"}, "variance 'wild' is not known"),
        ({"k_bounds": (1.2, 3.0)}, "k_bounds"),
    ],
)
def test_bad_parameters_are_input_errors(kwargs, message) -> None:
    with pytest.raises(InputError, match=message):
        CostCurve(**kwargs).fit(LOAD, COST, DAYS)


def test_mismatched_lengths_are_an_input_error() -> None:
    with pytest.raises(InputError, match="load has 60 values but cost has 59"):
        CostCurve().fit(LOAD, COST[:-1])


def test_workload_frame_without_load_column_is_an_input_error() -> None:
    with pytest.raises(InputError, match=r"no column \['load'\]"):
        fit_workload(frame(Truth(n=30)).drop("load"))


def test_predict_before_fit_is_an_input_error() -> None:
    with pytest.raises(InputError, match="not fitted yet"):
        CostCurve().predict([1.0])
