"""Monthly and weekly grain: trend (damped or not), multiplicative yearly seasonality, and
80%/95% intervals that hold at long horizons, on synthetic series with known truth and on
real monthly and weekly series."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import polars as pl
import pytest

from forecaster.forecast.backtest import backtest, load_model
from forecaster.forecast.intervals import conformal_quantiles, horizon_scale
from forecaster.forecast.load import LoadForecaster
from forecaster.forecast.models import PointConfig, back_transform, fit_point
from forecaster.forecast.series import infer_freq, read_series, supported_periods, values
from tests.conftest import SHARED_DATA

MONTHLY = Path(__file__).parent / "fixtures" / "monthly"
M4 = SHARED_DATA / "forecast-dev"


def seasonal_growth(n: int, rng: np.random.Generator, random_walk: bool = False) -> np.ndarray:
    """Monthly revenue-like series: compound growth, a yearly season whose amplitude grows
    with the level (multiplicative), lognormal noise; optionally a random-walk level."""
    t = np.arange(n, dtype=float)
    growth = rng.uniform(0.002, 0.012)
    amp, phase, sd = rng.uniform(0.1, 0.35), rng.uniform(0, 2 * np.pi), rng.uniform(0.02, 0.06)
    level = np.cumsum(rng.normal(0, sd / 3, n)) if random_walk else 0.0
    season = 1 + amp * np.sin(2 * np.pi * t / 12 + phase)
    return 100 * np.exp(growth * t + level) * season * np.exp(rng.normal(0, sd, n))


def pooled_coverage(series: list[np.ndarray], horizon: int) -> dict[int, float]:
    hits: dict[int, list[float]] = {80: [], 95: []}
    for y in series:
        pred = LoadForecaster("1mo", horizon).fit(y[:-horizon]).predict()
        actual = y[-horizon:]
        for level in hits:
            inside = (actual >= pred[f"lo_{level}"].to_numpy()) & (
                actual <= pred[f"hi_{level}"].to_numpy()
            )
            hits[level].append(float(inside.mean()))
    return {level: float(np.mean(v)) for level, v in hits.items()}


def test_a_seven_day_step_is_the_weekly_grain_with_a_yearly_season_of_52_weeks():
    stamps = pl.datetime_range(
        pl.datetime(2020, 1, 6), pl.datetime(2023, 1, 2), "1w", eager=True
    ).alias("timestamp")
    assert infer_freq(stamps) == "1w"
    assert supported_periods("1w", 110) == [("yearly", 365.25 / 7)]


@pytest.mark.parametrize("horizon", [12, 18])
def test_intervals_hold_at_long_monthly_horizons_with_multiplicative_season(horizon):
    # 30 ten-year histories, the next 12 or 18 months: the sampling error of a pooled
    # coverage is about 0.035 at 80%, so the bands are nominal +- 2 standard errors.
    rng = np.random.default_rng(16)
    series = [seasonal_growth(120 + horizon, rng) for _ in range(30)]
    cov = pooled_coverage(series, horizon)
    assert 0.73 <= cov[80] <= 0.90, cov
    assert 0.90 <= cov[95] <= 0.995, cov


def test_intervals_widen_with_a_wandering_level():
    rng = np.random.default_rng(17)
    series = [seasonal_growth(138, rng, random_walk=True) for _ in range(30)]
    cov = pooled_coverage(series, 18)
    assert 0.65 <= cov[80] <= 0.90, cov  # not asserted nominal: the level is a random walk


def test_a_multiplicative_season_on_growth_is_forecast_on_the_log_scale():
    rng = np.random.default_rng(18)
    y = seasonal_growth(156, rng)
    model = LoadForecaster("1mo", 18, statsforecast=False).fit(y[:-18])
    harmonic = {c: m for c, m in model.cv_mae_.items() if not c.model and not c.naive}
    best = min(harmonic, key=harmonic.__getitem__)
    assert best.log and best.trend  # of the harmonic variants, compound growth on the log scale
    assert model.config_.model == "combination"
    # every member models the season in proportion to the level: a log-scale variant,
    # Holt-Winters on the log scale, or a multiplicative decomposition (Theta, ETS, SES)
    assert all(
        m.log or m.model in ("holt_winters", "theta", "ets", "damped", "ses")
        for m in model.members_
    )
    assert model.interval_method_ == "conformal"
    truth = y[-18:]
    mean = model.predict()["mean"].to_numpy()
    assert np.mean(np.abs(mean / truth - 1)) < 0.1


def test_growth_that_levels_off_is_forecast_with_a_damped_trend():
    # Logistic growth past its inflection: the recent slope overstates the future.
    t = np.arange(120 + 18, dtype=float)
    y = 1000 / (1 + np.exp(-(t - 95) / 10)) + 100
    y = (
        y
        * (1 + 0.1 * np.sin(2 * np.pi * t / 12))
        * np.exp(np.random.default_rng(19).normal(0, 0.01, t.size))
    )
    model = LoadForecaster("1mo", 18, statsforecast=False).fit(y[:-18])
    undamped = PointConfig(log=True, trend=True)
    fit = fit_point(y[:-18], supported_periods("1mo", 120), 18, undamped)
    straight = back_transform(fit.forecast(18, True), undamped)
    combined = model.predict()["mean"].to_numpy()
    assert np.mean(np.abs(combined - y[-18:])) < np.mean(np.abs(straight - y[-18:]))


def test_the_horizon_scale_follows_a_power_law_and_grows_beyond_the_errors():
    h = np.arange(1, 7, dtype=float)
    errors = np.vstack([np.sqrt(h) * s for s in (-1.0, 1.0, -2.0, 2.0)])
    scale = horizon_scale(errors, 24)
    assert scale[:6] == pytest.approx(1.5 * np.sqrt(h), rel=1e-6)
    assert scale[23] == pytest.approx(1.5 * np.sqrt(24), rel=1e-6)


def test_conformal_quantiles_pool_every_step_and_keep_zero_inside():
    rng = np.random.default_rng(20)
    errors = rng.normal(0, 1, (200, 12)) * np.sqrt(np.arange(1, 13))
    quantiles, count = conformal_quantiles(errors, 18)
    lo, hi = quantiles[80]
    assert count == 200 * 12
    assert lo.shape == hi.shape == (18,)
    assert (lo < 0).all() and (hi > 0).all()
    assert hi[0] == pytest.approx(1.28, abs=0.15) and hi[11] == pytest.approx(
        1.28 * 12**0.5, rel=0.15
    )


def monthly_fixtures() -> list[np.ndarray]:
    return [values(read_series(p, freq="1mo")) for p in sorted(MONTHLY.glob("*.csv"))]


@pytest.mark.parametrize(("horizon", "windows"), [(12, 2), (18, 2)])
def test_on_real_monthly_series_80_percent_intervals_hold_70_to_90_percent(horizon, windows):
    covs = []
    for y in monthly_fixtures():
        r = backtest(y, "1mo", horizon, windows=windows, models={"load": load_model("1mo")})
        covs.append(r["models"]["load"]["coverage_80"])
    cov = float(np.mean(covs))
    assert len(covs) == 12
    assert 0.70 <= cov <= 0.90, covs


def m4_weekly(count: int) -> list[tuple[np.ndarray, np.ndarray]]:
    train = pl.read_csv(M4 / "Weekly-train.csv")
    test = pl.read_csv(M4 / "Weekly-test.csv")
    names = train["series"].unique(maintain_order=True).to_list()[:count]
    return [
        (
            train.filter(pl.col("series") == n)["value"].to_numpy().astype(float),
            test.filter(pl.col("series") == n)["value"].to_numpy().astype(float),
        )
        for n in names
    ]


def test_on_m4_weekly_series_80_percent_intervals_hold_70_to_90_percent_13_weeks_ahead():
    hits = []
    for train, test in m4_weekly(40):
        pred = LoadForecaster("1w", 13).fit(train).predict()
        hits.append(
            np.mean((test >= pred["lo_80"].to_numpy()) & (test <= pred["hi_80"].to_numpy()))
        )
    assert 0.70 <= float(np.mean(hits)) <= 0.90, hits


SF_MODELS = {"AutoETS", "AutoTheta", "AutoARIMA", "MSTL"}


def test_without_statsforecast_the_other_candidates_are_combined(monkeypatch):
    monkeypatch.setitem(sys.modules, "statsforecast", None)  # as without the [stats] extra
    y = seasonal_growth(96, np.random.default_rng(21))
    model = LoadForecaster("1mo", 12).fit(y[:-12])
    names = {c.model for c in model.cv_mae_}
    assert {"theta", "ses", "naive", "combination"} <= names and not names & SF_MODELS
    pred = model.predict()
    assert (pred["lo_95"] <= pred["lo_80"]).all() and (pred["lo_80"] <= pred["mean"]).all()
    assert (pred["mean"] <= pred["hi_80"]).all() and (pred["hi_80"] <= pred["hi_95"]).all()


def test_with_statsforecast_its_models_are_candidates():
    pytest.importorskip("statsforecast")
    y = seasonal_growth(96, np.random.default_rng(22))
    model = LoadForecaster("1mo", 12, statsforecast=True).fit(y[:-12])
    assert SF_MODELS <= {c.model for c in model.cv_mae_}
    assert model.config_.model == "combination" and model.interval_method_ == "conformal"
    assert np.isfinite(model.predict()["hi_95"].to_numpy()).all()
