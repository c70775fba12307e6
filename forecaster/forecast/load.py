"""``LoadForecaster``: pick the model variant and calibrate intervals out of sample.

``fit(y)`` works on the training data only:

1. refits the point model at up to ``calibration_origins`` origins at the end of the data,
   each forecasting ``horizon`` steps ahead (origins ``horizon // 2`` apart);
2. picks the variant (raw or log scale, trend extrapolated or frozen, recurring spikes in
   the seasonal profile or not, all the history or only the data since the latest regime
   break, see ``forecaster.forecast.breaks``) with the least mean absolute error over
   those out-of-sample forecasts; seasonal naive competes too, so where the last season
   is the best guide (a pattern that drifts from day to day) the forecaster says so;
3. refits the chosen variant on all the data (or the data since the break) and builds
   intervals from its in-sample h-step error quantiles, recent errors weighted most
   (``RECENT_ERRORS``), inflated by the out-of-sample / in-sample error ratio of the
   same refits (see ``forecaster.forecast.intervals``).

Every choice is made by measured out-of-sample accuracy, none by a fixed rule.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field

import numpy as np
import polars as pl

from forecaster.errors import CannotFit, InputError, NotFittedError
from forecaster.forecast.breaks import last_break
from forecaster.forecast.candidates import (
    Candidate,
    own_candidates,
    statsforecast_available,
    statsforecast_candidates,
)
from forecaster.forecast.intervals import (
    LEVELS,
    conformal_quantiles,
    empirical_quantiles,
    h_step_scale,
    inflation,
    interval_bounds,
    step_grid,
)
from forecaster.forecast.models import (
    MIN_POINTS,
    PointConfig,
    PointFit,
    back_transform,
    fit_point,
    seasonal_naive,
    seasonal_naive_errors,
)
from forecaster.forecast.profiles import profile_periods
from forecaster.forecast.series import (
    FREQS,
    SEASONS,
    future_timestamps,
    primary_period,
    supported_periods,
)

TIE = 0.01
"""Relative MAE difference below which two variants count as equally accurate."""
COARSE = ("1w", "1mo")
"""Grains of business series (weekly, monthly): a fit costs milliseconds and the history
holds a few hundred points, so every step is a calibration origin (``COARSE_ORIGINS``),
the trend may be damped, and intervals come from the out-of-sample errors themselves
(``conformal_quantiles``): at a monthly grain the error of a year ahead is mostly the
slope's, which no in-sample error shows."""
COARSE_ORIGINS = 30
MIN_CONFORMAL_ORIGINS = 8
SF_ORIGINS = 8
"""Calibration origins at which statsforecast's candidates are refitted (spread over the
others): a fit takes 0.05-0.5 s where ours takes milliseconds."""
COMBINED = 3
"""At weekly and monthly grain the forecast is the mean of the best this many candidates."""
SELECTION_HALF_LIFE = 2.0
"""Seasons after which an origin's errors count half in the ranking of candidates: a
business series' last two years say more about the next one than its first two
(M4 weekly, best three by the unweighted MAE: mean MASE 2.92; weighted: 2.46)."""
RECENT_ERRORS = 4
"""Errors from origins this many horizons back count half as much in the intervals: after a
calm week the intervals narrow, after an incident they widen, without forgetting the rest."""


@dataclass
class _Origin:
    """One calibration origin: the fits of each variant and the actuals after it."""

    fits: dict[tuple[bool, bool, bool], PointFit] = field(default_factory=dict)  # _key(config)
    actual: np.ndarray = field(default_factory=lambda: np.empty(0))
    origin: int = 0
    start: int | None = None  # where the latest regime break of the training data starts


class LoadForecaster:
    """Forecast a regular load series ``horizon`` steps ahead with 80% and 95% intervals.

    Parameters: ``freq`` (grain: 5m, 30m, 1h, 1d, 1mo; sets the seasonal periods),
    ``horizon`` (steps), ``levels`` (interval coverages in %), ``calibration_origins``
    (out-of-sample refits used to select the variant and calibrate; default: enough for
    60 errors, 6 to 30), ``log`` and ``trend``
    (``"auto"`` to choose by out-of-sample error, or a fixed bool), ``statsforecast``
    (``"auto"``: at weekly and monthly grain statsforecast's models are candidates when the
    ``[stats]`` extra is installed; True or False to say so).

    ``predict()`` returns the engine's one prediction frame (as ``CostCurve.predict`` and
    ``USLModel.predict``): ``timestamp`` (the start of each step, UTC, naive ``Datetime``;
    null when ``fit`` was given no ``timestamps``), ``mean``, then ``lo_<level>`` and
    ``hi_<level>`` for each of ``levels`` (in percent), one row per step 1..horizon.

    Fitted attributes: ``last_timestamp_`` (the last timestamp of the fitted history, or
    None), ``periods_`` (seasons used, name and period in steps), ``config_``
    (chosen variant), ``break_`` (index where the fitted data starts when the variant
    fitted since a regime break, else None), ``point_`` (the final point fit),
    ``quantiles_`` (in-sample h-step error quantiles per level), ``empirical_`` (False:
    Gaussian fallback for a short series), ``inflate_`` (out-of-sample inflation factor),
    ``cv_mae_`` (out-of-sample MAE per variant, in load units; at weekly and monthly grain
    age-weighted, see ``_others``), ``n_origins_``, ``members_`` (the candidates a
    combination averages) and ``method_`` (the forecast in words).
    """

    def __init__(
        self,
        freq: str,
        horizon: int,
        levels: tuple[int, ...] = LEVELS,
        calibration_origins: int | None = None,
        log: bool | str = "auto",
        trend: bool | str = "auto",
        statsforecast: bool | str = "auto",
    ) -> None:
        self.freq = freq
        self.horizon = horizon
        self.levels = levels
        self.calibration_origins = calibration_origins
        self.log = log
        self.trend = trend
        self.statsforecast = statsforecast

    def _candidates(self, y: np.ndarray) -> list[PointConfig]:
        finite = y[np.isfinite(y)]
        logs = [False, True] if self.log == "auto" else [bool(self.log)]
        if np.any(finite <= 0):
            logs = [False]
        trends = (
            [(False, False), (True, False)] if self.trend == "auto" else [(bool(self.trend), False)]
        )
        if self.freq in COARSE and self.trend in ("auto", True):
            trends.append((True, True))
        # Spikes live in the free-form daily/weekly profiles: without one (daily, weekly and
        # monthly data) the variant is the same model, fitted twice for nothing.
        has_profile = bool(profile_periods(supported_periods(self.freq, finite.size)))
        out = [
            PointConfig(log=lg, trend=tr, damped=dp, spikes=sp, recent=rc)
            for rc in (False, True)
            for lg in logs
            for sp in ((False, True) if has_profile else (False,))
            for tr, dp in trends
        ]
        # Simplest first; a damped trend counts as simpler than an undamped one.
        return sorted(
            out,
            key=lambda c: (c.recent, c.log + c.trend + c.spikes, c.log, c.spikes, not c.damped),
        )

    @property
    def _phi(self) -> float:
        """Damping per step: the trend's increments halve over one primary season (a year
        of monthly or weekly data)."""
        return 0.5 ** (1.0 / max(self._period, 2))

    def _point_forecast(self, fit: PointFit, cfg: PointConfig, h: int) -> np.ndarray:
        return fit.forecast(h, cfg.trend, self._phi if cfg.damped else 1.0)

    def _origins(self, n: int) -> tuple[list[int], int]:
        """Calibration origins (latest first) and the steps each forecasts: the horizon,
        or less when the history is too short to hold it (a 36-month forecast from one
        year of data is still selected and calibrated on what the year can show)."""
        min_train = max(2 * MIN_POINTS, min(2 * primary_period(self.freq, n), n // 2))
        h = min(int(self.horizon), (n - min_train) // 2)
        if h < 1:
            return [], 0
        step = max(1, h // 2)
        wanted = self.calibration_origins
        if self.freq in COARSE:
            # Spread over the whole history: errors a year ahead from origins a month
            # apart are nearly one error, so origins close together see one regime only.
            wanted = wanted or COARSE_ORIGINS
            span = n - h - max(min_train, h)
            step = max(1, int(np.ceil(span / max(wanted - 1, 1)))) if span > 0 else 1
        elif wanted is None:  # at least 60 out-of-sample errors, 6 to 30 refits
            wanted = int(np.clip(np.ceil(60 / h), 6, 30))
        out = []
        for j in range(wanted):
            origin = n - h - j * step
            if origin < max(min_train, h):  # at least as much history as it forecasts
                break
            out.append(origin)
        return out, h

    def fit(self, y: np.ndarray, timestamps: object = None) -> LoadForecaster:
        """Select, calibrate and fit on ``y`` (load per step on the ``freq`` grid, NaN for
        gaps). ``timestamps`` (optional, one per value: dates or UTC datetimes) places the
        forecast steps in time; without them ``predict``'s ``timestamp`` is null.

        >>> LoadForecaster("1h", 24).fit(y, timestamps=frame["timestamp"])  # doctest: +SKIP
        """
        y = np.asarray(y, dtype=float)
        if y.ndim != 1:
            raise CannotFit(f"expected a 1-d series, got shape {y.shape}")
        if self.freq not in FREQS:
            raise InputError(
                f"freq {self.freq!r}: expected one of {', '.join(FREQS)}", parameters=("freq",)
            )
        bad = [lv for lv in self.levels if isinstance(lv, bool) or not 1 <= lv < 100]
        if bad or not self.levels:
            raise InputError(
                f"levels {tuple(self.levels)!r}: expected percentages from 1 to 99 (95, not 0.95)",
                parameters=("levels",),
            )
        last = _last_timestamp(timestamps, y.size)
        if isinstance(self.horizon, bool) or not isinstance(self.horizon, int | np.integer):
            raise InputError(
                f"horizon must be a whole number of steps, got {self.horizon!r}",
                parameters=("horizon",),
            )
        if self.horizon < 1:
            raise InputError(
                f"horizon must be at least 1 step, got {self.horizon}", parameters=("horizon",)
            )
        n_obs = int(np.isfinite(y).sum())
        if n_obs < MIN_POINTS:
            raise CannotFit(f"need at least {MIN_POINTS} observed points, got {n_obs}")
        h = int(self.horizon)
        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # all-gap slices are expected
            self._fit(y, h, n_obs)
        self.last_timestamp_ = last
        return self

    def _fit(self, y: np.ndarray, h: int, n_obs: int) -> None:
        candidates = self._candidates(y)
        variants = sorted({(c.log, c.spikes) for c in candidates})
        origin_list, h_cv = self._origins(y.size)
        origins: list[_Origin] = []
        for o in origin_list:
            train = y[:o]
            start = self._break(train)
            fits = {}
            for lg, sp in variants:
                cfg = PointConfig(log=lg, spikes=sp)
                full = self._fit_point(train, h, cfg)
                fits[(lg, sp, False)] = full
                fits[(lg, sp, True)] = (
                    full if start is None else self._fit_point(train[start:], h, cfg)
                )
            origins.append(_Origin(fits=fits, actual=y[o : o + h_cv], origin=o, start=start))
        self.n_origins_ = len(origins)
        period = primary_period(self.freq, n_obs)
        self._period = period
        naive = PointConfig(naive=True)
        forecasts = {
            cand: [
                back_transform(self._point_forecast(o.fits[_key(cand)], cand, h_cv), cand)
                for o in origins
            ]
            for cand in candidates
        }
        forecasts[naive] = [seasonal_naive(y[: o.origin], period, h_cv) for o in origins]
        self.cv_mae_ = {cand: _pooled_mae(origins, fc) for cand, fc in forecasts.items()}
        self.config_ = _simplest_best(self.cv_mae_, candidates[0])
        self.periods_ = supported_periods(self.freq, n_obs)
        self.break_ = None
        if self.freq in COARSE and self.log == "auto" and self.trend == "auto":
            if len(origins) >= MIN_CONFORMAL_ORIGINS:
                funcs = self._others(y, origins, h_cv, candidates, forecasts)
                if self.config_.model:
                    self._fit_other(y, h, origins, forecasts[self.config_], funcs[self.config_])
                    return
        steps = step_grid(h)
        if self.config_.naive:
            self.period_ = period
            self._y = y
            errors = seasonal_naive_errors(y, period, steps)
            self.quantiles_, self.empirical_ = empirical_quantiles(
                errors, steps, h, self.levels, _half_life(h, period)
            )
            self.inflate_ = 1.0  # nothing fitted: its in-sample errors are out-of-sample
            self.interval_method_ = "in-sample"
            return
        start = self._break(y) if self.config_.recent else None
        # Only a break the calibration origins saw too: the choice was measured on it.
        if start is not None and _same_break(start, origins, period):
            self.break_ = start
            self.periods_ = supported_periods(self.freq, int(np.isfinite(y[start:]).sum()))
        self.point_ = self._fit_point(y[self.break_ or 0 :], h, self.config_)
        if self.freq in COARSE:
            oos = self._oos_errors(origins, h_cv)
            if np.isfinite(oos).any(axis=1).sum() >= MIN_CONFORMAL_ORIGINS:
                self.quantiles_, _ = conformal_quantiles(oos, h, self.levels, per_score=True)
                self.empirical_, self.inflate_ = True, 1.0
                self.interval_method_ = "conformal"
                return
        self.interval_method_ = "in-sample"
        errors = self.point_.h_step_errors(steps)
        self.quantiles_, self.empirical_ = empirical_quantiles(
            errors, steps, h, self.levels, _half_life(h, period)
        )
        ins = errors / h_step_scale(errors, steps, h)[steps - 1][None, :]
        self.inflate_ = inflation(self._oos_scores(origins, h_cv), ins)

    def _harmonic(self, cfg: PointConfig) -> Candidate:
        """A variant of the harmonic model (or seasonal naive) as a candidate function."""
        if cfg.naive:
            period = self._period
            return lambda train, h: seasonal_naive(train, period, h)

        def run(train: np.ndarray, h: int) -> np.ndarray:
            fit = self._fit_point(train, h, cfg)
            return back_transform(self._point_forecast(fit, cfg, h), cfg)

        return run

    def _others(
        self,
        y: np.ndarray,
        origins: list[_Origin],
        h: int,
        candidates: list[PointConfig],
        forecasts: dict[PointConfig, list[np.ndarray]],
    ) -> dict[PointConfig, Candidate]:
        """Measure the other candidates (``forecaster.forecast.candidates``) at the same
        origins, statsforecast's models at ``SF_ORIGINS`` of them when installed, and set
        ``config_`` to the mean of the best ``COMBINED`` (``combination``).

        Candidates are ranked by out-of-sample MAE with origins weighted by age
        (``SELECTION_HALF_LIFE`` seasons), and with statsforecast on the origins where it
        was fitted. Always the combination, not the best one: on the 180 M4 weekly series
        picking the best by the same measure scored mean MASE 2.58, the mean of the best
        three 2.46 (docs/performance.md). Returns every candidate's function (to refit the
        chosen ones on all the data)."""
        season = int(round(SEASONS[self.freq][0][1]))
        funcs: dict[PointConfig, Candidate] = {
            c: self._harmonic(c) for c in [*candidates, PointConfig(naive=True)] if not c.recent
        }
        for name, fn in own_candidates(season).items():
            cfg = PointConfig(model=name)
            funcs[cfg] = fn
            forecasts[cfg] = [fn(y[: o.origin], h) for o in origins]
        used = list(range(len(origins)))
        use_sf = self.statsforecast is True or (
            self.statsforecast == "auto" and statsforecast_available()
        )
        sf = statsforecast_candidates(season, int(np.isfinite(y).sum())) if use_sf else {}
        if sf:
            used = [int(i) for i in np.unique(np.linspace(0, len(origins) - 1, SF_ORIGINS).round())]
            nan = np.full(h, np.nan)
            for name, fn in sf.items():
                cfg = PointConfig(model=name)
                funcs[cfg] = fn
                forecasts[cfg] = [
                    fn(y[: o.origin], h) if i in used else nan for i, o in enumerate(origins)
                ]
        sub = [origins[i] for i in used]
        half_life = SELECTION_HALF_LIFE * season
        scores = {
            c: _pooled_mae(sub, [forecasts[c][i] for i in used], y.size, half_life) for c in funcs
        }
        self.cv_mae_ = {c: m for c, m in scores.items() if np.isfinite(m)}
        ranked = sorted(self.cv_mae_, key=self.cv_mae_.__getitem__)
        # Always the best three, however far ahead the first: with exponential smoothing
        # among the candidates, leaving out members over 1.5x the best one's error cost
        # mean MASE on M4 weekly (2.66 against 2.51 on 120 series; held-out half 2.85
        # against 2.53) and on the monthly series (0.964 against 0.953).
        members = ranked[:COMBINED]
        if not members:
            return funcs
        if len(members) == 1:  # the one candidate that fitted
            self.config_ = members[0]
            return funcs
        cfg = PointConfig(model="combination")
        forecasts[cfg] = [
            np.mean([forecasts[c][i] for c in members], axis=0) for i in range(len(origins))
        ]
        parts = [funcs[c] for c in members]
        funcs[cfg] = lambda train, steps: np.mean([fn(train, steps) for fn in parts], axis=0)
        self.members_ = members
        self.cv_mae_[cfg] = _pooled_mae(sub, [forecasts[cfg][i] for i in used], y.size, half_life)
        self.config_ = cfg
        return funcs

    def _fit_other(
        self,
        y: np.ndarray,
        h: int,
        origins: list[_Origin],
        forecasts: list[np.ndarray],
        fn: Candidate,
    ) -> None:
        """Refit another candidate on all of ``y``; conformal intervals from its
        out-of-sample errors, as log ratios when the series and forecasts are positive
        (errors in proportion to the level, as business series have them)."""
        self._candidate = fn
        self._mean = np.asarray(fn(y, h), dtype=float)
        rows = []
        for o, f in zip(origins, forecasts, strict=True):
            actual = np.full(f.size, np.nan)
            actual[: o.actual.size] = o.actual
            rows.append((actual, f))
        finite = y[np.isfinite(y)]
        self._log_errors = bool(
            np.all(finite > 0)
            and np.all(self._mean > 0)
            and all(np.all(f[np.isfinite(f)] > 0) for _, f in rows)
        )
        if self._log_errors:
            errors = np.vstack([np.log(a) - np.log(f) for a, f in rows])
        else:
            errors = np.vstack([a - f for a, f in rows])
        errors = errors[np.isfinite(errors).any(axis=1)]
        self.quantiles_, _ = conformal_quantiles(errors, h, self.levels, per_score=True)
        self.empirical_, self.inflate_ = True, 1.0
        self.interval_method_ = "conformal"
        self.point_ = None

    @property
    def method_(self) -> str:
        """The fitted forecast in words: the model, or the combination and its members."""
        cfg = self.config_
        if cfg.model == "combination":
            names = ", ".join(c.label + _variant(c) for c in self.members_)
            return f"mean of the best {len(self.members_)} by out-of-sample error: {names}"
        return cfg.label + _variant(cfg)

    def _fit_point(self, y: np.ndarray, h: int, cfg: PointConfig) -> PointFit:
        """``fit_point`` with the seasons ``y`` supports (fewer soon after a break)."""
        periods = supported_periods(self.freq, int(np.isfinite(y).sum()))
        return fit_point(y, periods, h, cfg)

    def _break(self, y: np.ndarray) -> int | None:
        """Where the latest regime of ``y`` starts (``last_break``), or None without one or
        with too little data since it to fit."""
        period = primary_period(self.freq, int(np.isfinite(y).sum()))
        start = last_break(y, period, max(period // 4, MIN_POINTS))
        if start is None or np.isfinite(y[start:]).sum() < MIN_POINTS:
            return None
        return start

    def _calibration_origins(self, origins: list[_Origin]) -> list[_Origin]:
        """The origins whose fits are the chosen variant's: with a break, those that saw it."""
        if self.break_ is not None:
            return [o for o in origins if o.start is not None]
        return origins

    def _oos_errors(self, origins: list[_Origin], h: int) -> np.ndarray:
        """(origins, h) out-of-sample errors of the chosen variant on the model scale."""
        cfg = self.config_
        rows = []
        for o in self._calibration_origins(origins):
            actual = np.full(h, np.nan)
            actual[: o.actual.size] = o.actual
            if cfg.log:
                actual = np.where(actual > 0, np.log(np.abs(actual)), np.nan)
            rows.append(actual - self._point_forecast(o.fits[_key(cfg)], cfg, h))
        return np.vstack(rows) if rows else np.full((0, h), np.nan)

    def _oos_scores(self, origins: list[_Origin], h: int) -> np.ndarray:
        """Out-of-sample errors (model scale) of the chosen variant, each divided by its
        own fit's in-sample MAE at that step."""
        cfg = self.config_
        steps = step_grid(h)
        out = []
        for o in self._calibration_origins(origins):  # with a break: where it was fitted since
            fit = o.fits[_key(cfg)]
            zhat = self._point_forecast(fit, cfg, h)
            actual = o.actual
            if cfg.log:
                actual = np.where(actual > 0, np.log(np.abs(actual)), np.nan)
            scale = h_step_scale(fit.h_step_errors(steps), steps, h)
            out.append((actual - zhat) / scale)
        return np.concatenate(out) if out else np.empty(0)

    def point_forecast_from(self, y: np.ndarray, horizon: int) -> np.ndarray:
        """The chosen variant refitted on ``y`` alone (no selection, no intervals): its mean
        ``horizon`` steps after ``y``, in load units. For out-of-sample checks of sums
        (``forecaster.tco.projection.monthly_band``) at origins in the history."""
        y = np.asarray(y, dtype=float)
        cfg = self.config_
        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            if cfg.naive:
                return seasonal_naive(y, self.period_, int(horizon))
            if cfg.model:
                return np.asarray(self._candidate(y, int(horizon)), dtype=float)
            fit = self._fit_point(y, int(horizon), cfg)
            return back_transform(self._point_forecast(fit, cfg, int(horizon)), cfg)

    def predict(self) -> pl.DataFrame:
        """``timestamp``, ``mean``, ``lo_80``, ``hi_80``, ``lo_95``, ``hi_95`` (with the
        default ``levels``) for steps 1..horizon, in load units per step. For the log
        variant ``mean`` is exp of the log-scale forecast, i.e. a median; in both variants
        it is the point forecast tuned for absolute error.

        >>> LoadForecaster("1h", 24).fit(y).predict()["hi_95"]  # doctest: +SKIP
        """
        if not hasattr(self, "config_"):
            raise NotFittedError("this LoadForecaster is not fitted yet; call fit(y) first")
        cfg = self.config_
        h = int(self.horizon)
        if cfg.naive:
            mean = seasonal_naive(self._y, self.period_, h)
            cols = {"mean": mean, **interval_bounds(mean, self.quantiles_, self.inflate_)}
        elif cfg.model:
            mean = self._mean
            if self._log_errors:
                bounds = interval_bounds(np.log(mean), self.quantiles_, 1.0)
                cols = {"mean": mean, **{k: np.exp(v) for k, v in bounds.items()}}
            else:
                cols = {"mean": mean, **interval_bounds(mean, self.quantiles_, 1.0)}
        else:
            zmean = self._point_forecast(self.point_, cfg, h)
            bounds = interval_bounds(zmean, self.quantiles_, self.inflate_)
            cols = {"mean": back_transform(zmean, cfg)}
            for key, arr in bounds.items():
                cols[key] = back_transform(arr, cfg)
        if self.last_timestamp_ is None:
            stamps = pl.Series("timestamp", [None] * h, dtype=pl.Datetime("us"))
        else:
            stamps = future_timestamps(self.last_timestamp_, self.freq, h)
        return pl.DataFrame({"timestamp": stamps, **cols})


def _last_timestamp(timestamps: object, n: int) -> object:
    """The last of ``timestamps`` (one per value of the series, ``n``) as a naive UTC
    datetime, or None without them; an InputError naming ``timestamps`` otherwise."""
    if timestamps is None:
        return None
    try:
        ts = pl.Series("timestamp", timestamps)
    except (TypeError, ValueError) as exc:
        raise InputError(
            f"timestamps: expected dates or datetimes, one per value ({exc})",
            parameters=("timestamps",),
        ) from None
    if ts.len() != n:
        raise InputError(
            f"timestamps: {ts.len()} given for {n} values; expected one per value",
            parameters=("timestamps",),
        )
    if ts.dtype == pl.Date:
        ts = ts.cast(pl.Datetime("us"))
    elif isinstance(ts.dtype, pl.Datetime):
        if ts.dtype.time_zone is not None:
            ts = ts.dt.convert_time_zone("UTC").dt.replace_time_zone(None)
    else:
        raise InputError(
            f"timestamps: expected dates or datetimes, got {ts.dtype}",
            parameters=("timestamps",),
        )
    if n == 0 or ts[-1] is None:
        raise InputError("timestamps: the last one is missing", parameters=("timestamps",))
    return ts[-1]


def _pooled_mae(
    origins: list[_Origin],
    forecasts: list[np.ndarray],
    n: int | None = None,
    half_life: float | None = None,
) -> float:
    """Mean absolute error over every observed actual of every origin (NaN if none); with
    ``half_life`` (steps) each origin's errors weigh 0.5 ** ((n - origin) / half_life)."""
    errs = [np.abs(o.actual - f[: o.actual.size]) for o, f in zip(origins, forecasts, strict=True)]
    if half_life is None or n is None:
        ok = [e for e in errs if np.isfinite(e).any()]
        return float(np.nanmean(ok)) if ok else np.nan
    num = den = 0.0
    for o, e in zip(origins, errs, strict=True):
        if np.isfinite(e).any():
            w = 0.5 ** ((n - o.origin) / half_life)
            num += w * float(np.nanmean(e))
            den += w
    return num / den if den > 0 else np.nan


def _variant(cfg: PointConfig) -> str:
    """The harmonic variant in words ("" for the other candidates)."""
    if cfg.model or cfg.naive:
        return ""
    parts = ["log scale" if cfg.log else "raw scale"]
    if cfg.trend:
        parts.append("damped trend" if cfg.damped else "trend")
    return f" ({', '.join(parts)})"


def _same_break(start: int, origins: list[_Origin], period: int) -> bool:
    """Whether a calibration origin found the break at ``start`` too (within a season)."""
    return any(o.start is not None and abs(start - o.start) <= period for o in origins)


def _key(cfg: PointConfig) -> tuple[bool, bool, bool]:
    """The fit a variant uses: trend and damping only change the extrapolation."""
    return (cfg.log, cfg.spikes, cfg.recent)


def _half_life(h: int, period: int) -> float:
    """Half-life, in origins, of the weight of in-sample errors in the interval quantiles:
    ``RECENT_ERRORS`` horizons (or seasons, if longer)."""
    return RECENT_ERRORS * max(h, period)


def _simplest_best(cv_mae: dict[PointConfig, float], default: PointConfig) -> PointConfig:
    """The simplest variant within ``TIE`` of the least out-of-sample MAE.

    ``cv_mae`` is ordered simplest first (raw before log, frozen before trend, seasonal
    naive last): a variant that is more complex, or that drops the model for the last
    season, has to be measurably better, not better by noise.
    """
    scored = {c: m for c, m in cv_mae.items() if np.isfinite(m)}
    if not scored:
        return default
    best = min(scored.values())
    return next(c for c, m in scored.items() if m <= best * (1.0 + TIE))
