"""``CostCurve``: cost per period against load per period, with scikit-learn manners.

>>> curve = CostCurve(grain="day").fit(load, cost, period_start)   # doctest: +SKIP
>>> curve.model_, curve.fixed_, curve.exponent_, curve.ci_["k"]      # doctest: +SKIP
>>> curve.predict([1e6, 2e6])                                        # doctest: +SKIP

Model choice (``model="auto"``): linear, power and step are each fitted robustly; the
simplest model is kept unless a more complex one lowers AICc by at least ``delta_aicc``
(power over linear, default 2) or ``step_delta_aicc`` (step over the best smooth model,
default 10: capacity steps must be evident in the data). AICc is computed from the Huber
objective at a common robust scale (the smallest of the candidates'), which is the
residual sum of squares when there are no outliers or when ``loss="linear"``.

Drift: with period starts given, every model carries a time trend, fitted jointly with the
curve. ``drift="unit"`` (default): the unit cost drifts, ``cost = F + (v + d * tau) * z``;
``drift="fixed"``: the fixed cost drifts, ``cost = F + v * z + d * tau``; tau is the time
before the last period (so F, v, k describe the curve *as of the last period*). Estimating
the trend jointly keeps a unit cost that creeps up over time from being mistaken for
load-driven cost (or a power law) when load also grows over time.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from forecaster.curves import models
from forecaster.curves.bootstrap import bootstrap, default_block_length
from forecaster.curves.diagnostics import r_squared, residual_diagnostics
from forecaster.curves.inputs import MIN_POINTS, PERIODS_PER_DAY, check_grain, prepare
from forecaster.curves.profile import PointFit, noise_power, point_fit, profile
from forecaster.curves.solution import HUBER_C, Solution, huber_criterion
from forecaster.errors import CannotFit, InputError, NotFittedError

_CRITERION_FLOOR = 1e-16  # per point, in normalized cost units: exact fits tie


class CostCurve:
    """Robust cost-versus-load curve ``cost = F + v * z(load)`` plus drift (see module doc).

    Parameters: ``model`` "auto" | "linear" | "power" | "step"; ``loss`` "huber" (robust,
    default) or "linear" (ordinary least squares); ``drift`` "unit" | "fixed" | None: the
    time trend estimated when period starts are given; ``n_boot`` bootstrap resamples (0:
    no intervals); ``ci`` the interval level in percent for parameters; ``block_length``
    of the moving-block bootstrap (default ceil(n ** (1/3))); ``random_state`` seed;
    ``k_bounds`` range of the exponent; ``grain`` "hour" | "day" | "month", the length of
    one period (for per-day figures); ``reference_quantile`` of load at which the reference marginal cost is taken;
    ``current_days`` the trailing window, in days, that defines "current" load and cost.
    """

    def __init__(
        self,
        model: str = "auto",
        loss: str = "huber",
        drift: str | None = "unit",
        n_boot: int = 200,
        ci: float = 90.0,
        block_length: int | None = None,
        random_state: int | None = 0,
        k_bounds: tuple[float, float] = (0.5, 3.0),
        grain: str = "day",
        min_points: int = MIN_POINTS,
        delta_aicc: float = 2.0,
        step_delta_aicc: float = 10.0,
        reference_quantile: float = 0.1,
        current_days: float = 30.0,
        variance: str = "auto",
    ) -> None:
        self.model = model
        self.loss = loss
        self.drift = drift
        self.n_boot = n_boot
        self.ci = ci
        self.block_length = block_length
        self.random_state = random_state
        self.k_bounds = k_bounds
        self.grain = grain
        self.min_points = min_points
        self.delta_aicc = delta_aicc
        self.step_delta_aicc = step_delta_aicc
        self.reference_quantile = reference_quantile
        self.current_days = current_days
        self.variance = variance

    # ------------------------------------------------------------------ fitting
    def _check_params(self) -> None:
        if self.model not in ("auto", *models.MODELS):
            raise InputError(
                f"model {self.model!r} is not known; expected auto, linear, power or step"
            )
        if self.drift not in ("unit", "fixed", None):
            raise InputError(f"drift {self.drift!r} is not known; expected unit, fixed or None")
        if self.variance not in ("auto", "constant", "proportional"):
            raise InputError(
                f"variance {self.variance!r} is not known; expected auto, constant or proportional"
            )
        if self.loss not in ("huber", "linear"):
            raise InputError(f"loss {self.loss!r} is not known; expected huber or linear")
        check_grain(self.grain)
        lo, hi = self.k_bounds
        if not 0 < lo < 1 < hi:
            raise InputError(f"k_bounds {self.k_bounds} must satisfy 0 < low < 1 < high")
        if not 0 < self.ci < 100:
            raise InputError(f"ci {self.ci} must be a percentage between 0 and 100")

    def fit(self, load: object, cost: object, period_start: object = None) -> CostCurve:
        """Fit cost (billing currency per period) against load (load units per period).

        ``period_start`` (datetimes, or numbers in days) enables the drift term and the
        time-based outputs. Raises ``CannotFit`` with the reason for degenerate input.
        """
        self._check_params()
        s = prepare(load, cost, period_start, self.min_points)
        self.warnings_ = list(s.warnings)
        self.n_, self.n_dropped_ = s.load.size, s.n_dropped
        self.load_, self.cost_, self.days_, self.period_start_ = s.load, s.cost, s.days, s.labels
        self.load_scale_ = float(s.load.max())
        self.cost_scale_ = float(s.cost.mean())
        x, y = s.load / self.load_scale_, s.cost / self.cost_scale_
        tau = None
        if self.drift and s.days is not None:
            self.time_scale_ = max(float(-s.days[0]), 1.0)
            tau = s.days / self.time_scale_
            if abs(float(np.corrcoef(x, tau)[0, 1])) > 0.995:
                tau = None
                self.warnings_.append("load rises in step with time: drift is not estimated")
        else:
            self.time_scale_ = 1.0
        self.drift_fitted_ = tau is not None
        self._drift = self.drift if tau is not None else None
        self._x, self._y, self._tau = x, y, tau
        self._select(x, y, tau)
        self._bootstrap(x, y, tau)
        self._finish()
        return self

    def _noise_precision(self, x: np.ndarray, y: np.ndarray, tau: np.ndarray | None):
        """(preliminary linear fit, precision weights) for the chosen noise model."""
        quick = self.variance != "constant"  # a rough fit is enough to size the noise
        lin = point_fit(
            "linear", x, y, tau, self._drift, self.loss, self.k_bounds, max_iter=4 if quick else 50
        )
        fitted = y - lin.residuals
        if self.variance == "constant":
            g = 0.0
        elif self.variance == "proportional":
            g = 1.0
        else:
            g = noise_power(lin.residuals, fitted)
        self.noise_power_ = g
        f = np.maximum(fitted, 1e-3 * float(np.mean(np.abs(y))))
        self._fref = float(np.mean(f))
        if g == 0:
            return (None if quick else lin), None
        return None, (f / self._fref) ** (-2 * g)

    def _select(self, x: np.ndarray, y: np.ndarray, tau: np.ndarray | None) -> None:
        names = models.MODELS if self.model == "auto" else (self.model,)
        fits: dict[str, PointFit] = {}
        lin, prec = self._noise_precision(x, y, tau)
        self._prec = np.ones_like(x) if prec is None else prec
        if lin is not None and "linear" in names:
            fits["linear"] = lin
        for name in names:
            if name in fits:
                continue
            if name == "step" and models.step_capacity_grid(x).size == 0:
                continue
            if name == "step" and self.model == "auto" and not self._steps_promising(fits, x, y):
                continue
            warm = fits["linear"].weights / self._prec if "linear" in fits else None
            try:
                fits[name] = point_fit(
                    name,
                    x,
                    y,
                    tau,
                    self._drift,
                    self.loss,
                    self.k_bounds,
                    init_weights=warm,
                    precision=prec,
                )
            except ValueError:
                continue
        if not fits:
            raise CannotFit(f"the {self.model} model cannot be fitted to this load")
        positive = [f.sigma for f in fits.values() if f.sigma > 0]
        scale = min(positive) if positive else 0.0
        floor = _CRITERION_FLOOR * x.size
        self.aicc_ = {}
        for name, f in fits.items():
            if self.loss == "huber":
                crit = huber_criterion(f.std_residuals, scale, HUBER_C)
            else:
                crit = float(f.std_residuals @ f.std_residuals)
            p = models.n_params(name, tau is not None)
            self.aicc_[name] = models.aicc(max(crit, floor), x.size, p)
        chosen = next(iter(fits))
        if "power" in fits and chosen == "linear":
            if self.aicc_["power"] < self.aicc_["linear"] - self.delta_aicc:
                chosen = "power"
        if "step" in fits and chosen != "step":
            if self.aicc_["step"] < self.aicc_[chosen] - self.step_delta_aicc:
                chosen = "step"
        self.model_ = chosen
        self._point = fits[chosen]

    def _steps_promising(self, fits: dict[str, PointFit], x: np.ndarray, y: np.ndarray) -> bool:
        """Cheap screen before the robust step fit: one weighted least-squares pass over the
        capacity grid (without drift), with the best smooth model's robust weights, must beat
        that model refitted the same way by the step model's AICc margin. Saves the full fit
        on workloads without steps."""
        if not fits:
            return True
        smooth = min(fits.values(), key=lambda f: huber_criterion(f.std_residuals, f.sigma))
        w = smooth.weights
        grid = models.theta_grid("step", x, self.k_bounds)
        rss_step = float(profile("step", x, y, None, None, w[None, :], grid).rss[0])
        theta = smooth.solution.theta
        rss_smooth = float(
            profile(smooth.solution.model, x, y, None, None, w[None, :], theta).rss[0]
        )
        if rss_step <= 0 or rss_smooth <= 0:
            return rss_step <= 0 < rss_smooth
        extra = models.n_params("step", False) - models.n_params(smooth.solution.model, False)
        return x.size * np.log(rss_step / rss_smooth) + 2 * extra < -self.step_delta_aicc

    def _bootstrap(self, x: np.ndarray, y: np.ndarray, tau: np.ndarray | None) -> None:
        self.block_length_ = self.block_length or default_block_length(x.size)
        if self.n_boot <= 0:
            self._boot = None
            return
        rng = np.random.default_rng(self.random_state)
        self._boot = bootstrap(
            self._point, x, y, tau, self.k_bounds, self.n_boot, self.block_length_, rng
        )

    def _to_units(self, sol: Solution) -> dict[str, np.ndarray]:
        """Parameters in the caller's units: F (currency per period), v, k or C; with unit
        drift g, the unit cost's continuous growth rate per day; with fixed drift d, the
        change of F per day."""
        cs, ls = self.cost_scale_, self.load_scale_
        out = {"F": cs * sol.F}
        if sol.model == "step":
            out["v"], out["C"] = cs * sol.v, sol.theta * ls
        else:
            out["v"], out["k"] = cs * sol.v / ls**sol.theta, sol.theta.copy()
        if self._drift == "unit":
            out["g"] = sol.with_growth().g / self.time_scale_
        elif self._drift == "fixed":
            out["d"] = cs * sol.d / self.time_scale_
        return out

    def _finish(self) -> None:
        p = {k: float(v[0]) for k, v in self._to_units(self._point.solution).items()}
        self.params_ = p
        self.fixed_ = p["F"]
        self.marginal_ = p["v"]
        self.exponent_ = (
            p.get("k") if self.model_ == "power" else (1.0 if self.model_ == "linear" else None)
        )
        self.capacity_ = p.get("C")
        self.drift_form_ = self._drift
        self.weights_ = self._point.weights
        self.residuals_ = self._point.residuals * self.cost_scale_
        self.fitted_ = self.cost_ - self.residuals_
        self.sigma_ = self._point.sigma * self.cost_scale_
        self.r2_ = r_squared(self.cost_, self.fitted_)
        std_resid = self._point.std_residuals * self.cost_scale_
        self.diagnostics_ = residual_diagnostics(std_resid, self.fitted_, self.sigma_)
        self.diagnostics_["noise_power"] = self.noise_power_
        self.diagnostics_["irls_iterations"] = self._point.iterations
        positive = self.load_[self.load_ > 0]
        self.reference_load_ = float(np.quantile(positive, self.reference_quantile))
        recent = self._recent_mask()
        self.current_load_ = float(self.load_[recent].mean())
        self.current_cost_ = float(self.cost_[recent].mean())
        self.reference_marginal_cost_ = self.reference_marginal(self.params_)
        self.boot_params_ = None if self._boot is None else self._to_units(self._boot)
        # drift_: change of cost per period per day at current load (currency/period/day)
        at = np.array([self.current_load_])
        self.drift_ = float(self.curve(at, 1.0)[0] - self.curve(at)[0]) if self._drift else 0.0
        self.boot_drift_ = None
        if self._boot is not None and self._drift:
            one, zero = np.ones(1), np.zeros(1)
            self.boot_drift_ = (
                self._curves(at, self._boot, one) - self._curves(at, self._boot, zero)
            )[:, 0]
        a = (100 - self.ci) / 2
        self.ci_ = {}
        if self.boot_params_ is not None:
            for name, arr in self.boot_params_.items():
                self.ci_[name] = tuple(float(q) for q in np.percentile(arr, [a, 100 - a]))
            if self.model_ == "linear":
                self.ci_["k"] = (1.0, 1.0)
        if self.r2_ < 0.1 and self.model_ != "step":
            self.warnings_.append(f"load explains little of the cost (R^2 = {self.r2_:.2f})")

    def _recent_mask(self) -> np.ndarray:
        if self.days_ is not None:
            return self.days_ > -self.current_days + 1e-9
        k = max(1, int(round(self.current_days * PERIODS_PER_DAY[self.grain])))
        mask = np.zeros(self.n_, bool)
        mask[-k:] = True
        return mask

    # ------------------------------------------------------------------ evaluation
    def reference_marginal(self, p: dict) -> float | np.ndarray:
        """Variable cost per load unit at the reference load (currency per load unit).

        linear: v; power: v * L_ref ** (k - 1) (the chord from F to the curve at L_ref);
        step: v / C (the average slope of the steps).
        """
        if self.model_ == "step":
            return p["v"] / p["C"]
        if self.model_ == "power":
            return p["v"] * self.reference_load_ ** (p["k"] - 1.0)
        return p["v"]

    def _curves(self, load: np.ndarray, sol: Solution, days: np.ndarray | None) -> np.ndarray:
        x = np.asarray(load, dtype=float) / self.load_scale_
        tau = None if days is None else np.asarray(days, float) / self.time_scale_
        return sol.fitted(x, tau) * self.cost_scale_

    def _check_fitted(self) -> None:
        if not hasattr(self, "model_"):
            raise NotFittedError("this CostCurve is not fitted yet; call fit(load, cost) first")

    def curve(self, load: object, days_ahead: object = None) -> np.ndarray:
        """Point estimate of cost per period at ``load`` (as of the last fitted period)."""
        self._check_fitted()
        L, days = _load_days(load, days_ahead)
        return self._curves(L, self._point.solution, days)[0]

    def bootstrap_curves(self, load: object, days_ahead: object = None) -> np.ndarray | None:
        """(n_boot, len(load)) cost per period of every bootstrap curve; None without one."""
        self._check_fitted()
        if self._boot is None:
            return None
        L, days = _load_days(load, days_ahead)
        return self._curves(L, self._boot, days)

    def prediction_sd(self, load: object, days_ahead: object = None) -> np.ndarray:
        """Predictive standard deviation (currency per period): the noise at that cost level
        (``noise_sd``) combined with the bootstrap spread of the curve."""
        L, days = _load_days(load, days_ahead)
        var = self.noise_sd(self._curves(L, self._point.solution, days)[0]) ** 2
        if self._boot is not None:
            var = var + np.var(self._curves(L, self._boot, days), axis=0)
        return np.sqrt(var)

    def noise_sd(self, expected_cost: np.ndarray) -> np.ndarray:
        """Noise standard deviation at an expected cost per period: ``sigma_`` at the mean
        fitted cost, scaled by (cost / mean fitted cost) ** ``noise_power_``."""
        ref = self._fref * self.cost_scale_
        level = np.maximum(np.asarray(expected_cost, dtype=float), 1e-3 * ref) / ref
        return self.sigma_ * level**self.noise_power_

    def predict(
        self, load: object, level: tuple[float, ...] = (80, 95), days_ahead: object = None
    ) -> pl.DataFrame:
        """Cost per period at ``load``: ``mean`` and ``lo_<level>``/``hi_<level>`` bounds.

        Intervals are Gaussian with the noise model's spread (``noise_sd``) plus the
        bootstrap variance of the curve; lower bounds are clipped at 0. ``days_ahead``
        extrapolates the drift.
        """
        from scipy import stats

        self._check_fitted()
        L = np.atleast_1d(np.asarray(load, dtype=float))
        mean = self.curve(L, days_ahead)
        sd = self.prediction_sd(L, days_ahead)
        cols: dict[str, np.ndarray] = {"load": L, "mean": mean}
        for lv in level:
            z = float(stats.norm.ppf(0.5 + lv / 200))
            tag = f"{lv:g}".replace(".", "_")
            cols[f"lo_{tag}"] = np.maximum(mean - z * sd, 0.0)
            cols[f"hi_{tag}"] = mean + z * sd
        return pl.DataFrame(cols)

    def sample_predictions(
        self,
        load: object,
        n_samples: int,
        rng: np.random.Generator | int | None = None,
        days_ahead: object = None,
    ) -> np.ndarray:
        """(n_samples, len(load)) cost draws: bootstrap parameters plus Gaussian noise.

        The noise has the fitted noise model's spread at each drawn cost (``noise_sd``).

        Each sample uses one bootstrap parameter set for the whole load path (so parameter
        uncertainty is carried coherently along a path) plus independent residual noise per
        period; draws are clipped at 0. Without a bootstrap the point estimate is used.
        """
        self._check_fitted()
        rng = np.random.default_rng(rng)
        L, days = _load_days(load, days_ahead)
        sol = self._boot if self._boot is not None else self._point.solution
        drawn = sol.take(rng.integers(0, sol.F.size, size=n_samples))
        mean = self._curves(L, drawn, days)
        out = mean + period_noise(rng, mean.shape) * self.noise_sd(mean)
        return np.maximum(out, 0.0)

    def sample_paths(
        self,
        loads: object,
        rng: np.random.Generator | int | None = None,
        days_ahead: object = None,
    ) -> np.ndarray:
        """(S, D) cost draws for S load paths of D periods each, in one vectorized pass.

        Row ``i`` is what ``sample_predictions(loads[i], 1, ...)`` draws: one bootstrap
        parameter set for the whole path plus Gaussian noise per period (the noise model's
        spread at each drawn cost), clipped at 0. ``days_ahead`` (D,) extrapolates the drift.
        """
        self._check_fitted()
        rng = np.random.default_rng(rng)
        paths = np.atleast_2d(np.asarray(loads, dtype=float))
        sol = self._boot if self._boot is not None else self._point.solution
        idx = rng.integers(0, sol.F.size, size=paths.shape[0])
        x = paths / self.load_scale_
        tau = None
        if days_ahead is not None:
            tau = np.broadcast_to(np.asarray(days_ahead, float), paths.shape[1:]) / self.time_scale_
        mean = sol.fitted_at(idx, x, tau) * self.cost_scale_
        out = mean + period_noise(rng, mean.shape) * self.noise_sd(mean)
        return np.maximum(out, 0.0)


NOISE_PERIODS = 1130
"""Periods of noise drawn per path at least (37 months of days): a TCO of 12 months draws
the same first days as one of 36, so the horizon chosen does not move the months both show."""


def period_noise(rng: np.random.Generator, shape: tuple[int, ...]) -> np.ndarray:
    """Standard normal noise of ``shape`` (paths, periods), drawn as (paths, at least
    ``NOISE_PERIODS``) and cut: a path's first periods draw the same whatever its length."""
    if len(shape) != 2:
        return rng.standard_normal(shape)
    n_paths, n_periods = shape
    return rng.standard_normal((n_paths, max(n_periods, NOISE_PERIODS)))[:, :n_periods]


def _load_days(load: object, days_ahead: object) -> tuple[np.ndarray, np.ndarray | None]:
    """Load as a 1-d float array, and ``days_ahead`` broadcast to it (None: no drift)."""
    L = np.atleast_1d(np.asarray(load, dtype=float))
    if days_ahead is None:
        return L, None
    return L, np.broadcast_to(np.asarray(days_ahead, float), L.shape)
