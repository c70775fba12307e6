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
#: Models whose predict returns the contract's frame (LoadForecaster.predict still returns
#: a dict of arrays with the same keys: its many callers move in a later change).
FRAME_MODELS = ["CostCurve", "USLModel"]


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


@pytest.mark.parametrize("name", FRAME_MODELS)
def test_predict_returns_a_polars_frame(name):
    make, fit, predict = MODELS[name]
    pred = predict(fit(make()))
    assert isinstance(pred, pl.DataFrame)
    assert pred.columns[:2] == ["load", "mean"]


@pytest.mark.parametrize(
    "make, fit",
    [
        (lambda: CostCurve(ci=150), lambda m: m.fit(LOAD, COST)),
        (lambda: USLModel(confidence=95), lambda m: m.fit(USERS, QPS)),
        (lambda: LoadForecaster("1h", 0), lambda m: m.fit(HOURLY)),
    ],
    ids=["CostCurve ci", "USLModel confidence", "LoadForecaster horizon"],
)
def test_a_bad_parameter_is_an_input_error(make, fit):
    with pytest.raises(InputError):
        fit(make())


def test_a_level_outside_zero_to_hundred_is_refused():
    model = USLModel().fit(USERS, QPS * RNG.lognormal(0, 0.01, USERS.size))
    with pytest.raises(InputError, match="level 0.95"):
        model.predict(USERS, level=(0.95,))
