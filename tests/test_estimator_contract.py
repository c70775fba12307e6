"""One contract for the fitted models, tested once over all of them (as scikit-learn's
estimator checks do): ``fit`` returns the model, fitted values end in ``_``, asking before
``fit`` is one ``NotFittedError``, a bad parameter is an ``InputError`` naming it, and
``predict`` gives a polars frame with ``mean`` and ``lo_<level>``/``hi_<level>`` columns,
levels in percent."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from forecaster.curves import CostCurve
from forecaster.errors import InputError, NotFittedError
from forecaster.forecast import LoadForecaster
from forecaster.scaling import USLModel

RNG = np.random.default_rng(11)
LOAD = np.linspace(1e5, 1e6, 120)
COST = 50 + 2e-4 * LOAD * RNG.lognormal(0, 0.02, LOAD.size)
USERS = np.array([1, 2, 4, 8, 12, 16, 24, 32, 48, 64], dtype=float)
QPS = 10 * USERS / (1 + 0.03 * (USERS - 1) + 0.0005 * USERS * (USERS - 1))
HOURLY = 100 + 20 * np.sin(np.arange(24 * 21) * 2 * np.pi / 24) + RNG.normal(0, 2, 24 * 21)

MODELS = {
    "CostCurve": (lambda: CostCurve(n_boot=20), lambda m: m.fit(LOAD, COST),
                  lambda m: m.predict(LOAD[:5], level=(80, 95))),
    "USLModel": (USLModel, lambda m: m.fit(USERS, QPS * RNG.lognormal(0, 0.01, USERS.size)),
                 lambda m: m.predict(USERS, level=(80, 95))),
    "LoadForecaster": (lambda: LoadForecaster("1h", 24), lambda m: m.fit(HOURLY),
                       lambda m: m.predict()),
}  # fmt: skip
#: The first column of each model's prediction: what it predicts at (the loads asked for,
#: or the start of each forecast step).
INDEX = {"CostCurve": "load", "USLModel": "load", "LoadForecaster": "timestamp"}


@pytest.mark.parametrize("name", list(MODELS))
def test_fit_returns_the_model_and_fitted_values_end_in_underscore(name):
    make, fit, _ = MODELS[name]
    model = make()
    before = set(vars(model))
    assert fit(model) is model
    added = set(vars(model)) - before
    public = {a for a in added if not a.startswith("_")}
    assert public and all(a.endswith("_") for a in public), sorted(public)


@pytest.mark.parametrize("name", list(MODELS))
def test_asking_before_fit_is_one_error(name):
    make, _, predict = MODELS[name]
    with pytest.raises(NotFittedError, match="not fitted yet"):
        predict(make())


@pytest.mark.parametrize("name", list(MODELS))
def test_predictions_carry_mean_and_named_levels(name):
    make, fit, predict = MODELS[name]
    pred = predict(fit(make()))
    for column in ("mean", "lo_80", "hi_80", "lo_95", "hi_95"):
        values = np.asarray(pred[column], dtype=float)
        assert np.isfinite(values).all(), column
    lo80, hi80 = np.asarray(pred["lo_80"]), np.asarray(pred["hi_80"])
    lo95, hi95 = np.asarray(pred["lo_95"]), np.asarray(pred["hi_95"])
    assert (lo95 <= lo80 + 1e-9).all() and (hi80 <= hi95 + 1e-9).all()


@pytest.mark.parametrize("name", list(MODELS))
def test_predict_returns_a_polars_frame_with_the_same_columns(name):
    make, fit, predict = MODELS[name]
    pred = predict(fit(make()))
    assert isinstance(pred, pl.DataFrame)
    assert pred.columns == [INDEX[name], "mean", "lo_80", "hi_80", "lo_95", "hi_95"]
    assert all(pred[c].dtype == pl.Float64 for c in pred.columns[1:])


def test_a_load_forecast_is_placed_after_the_history_it_was_fitted_on():
    stamps = pl.datetime_range(
        pl.datetime(2026, 3, 1), pl.datetime(2026, 3, 21, 23), "1h", eager=True
    )
    pred = LoadForecaster("1h", 24).fit(HOURLY, timestamps=stamps).predict()
    assert pred.height == 24
    assert pred["timestamp"][0] == stamps[-1] + (stamps[1] - stamps[0])
    assert pred["timestamp"].diff().drop_nulls().unique().to_list() == [stamps[1] - stamps[0]]


def test_a_load_forecast_fitted_without_timestamps_says_none():
    pred = LoadForecaster("1h", 24).fit(HOURLY).predict()
    assert pred["timestamp"].null_count() == 24


def test_timestamps_that_do_not_match_the_values_are_an_input_error():
    with pytest.raises(InputError, match="timestamps: 3 given for 504 values") as err:
        LoadForecaster("1h", 24).fit(HOURLY, timestamps=[None, None, None])
    assert err.value.parameters == ("timestamps",)


@pytest.mark.parametrize(
    "make, fit",
    [
        (lambda: CostCurve(ci=150), lambda m: m.fit(LOAD, COST)),
        (lambda: USLModel(confidence=95), lambda m: m.fit(USERS, QPS)),
        (lambda: LoadForecaster("1h", 0), lambda m: m.fit(HOURLY)),
        (lambda: LoadForecaster("1h", 24, levels=(0.8,)), lambda m: m.fit(HOURLY)),
        (lambda: LoadForecaster("2h", 24), lambda m: m.fit(HOURLY)),
    ],
    ids=[
        "CostCurve ci",
        "USLModel confidence",
        "LoadForecaster horizon",
        "LoadForecaster levels",
        "LoadForecaster freq",
    ],
)
def test_a_bad_parameter_is_an_input_error(make, fit):
    with pytest.raises(InputError):
        fit(make())


def test_a_level_outside_zero_to_hundred_is_refused():
    model = USLModel().fit(USERS, QPS * RNG.lognormal(0, 0.01, USERS.size))
    with pytest.raises(InputError, match="level 0.95"):
        model.predict(USERS, level=(0.95,))
