"""Exponential smoothing with a trend (ETS, additive errors) in numpy and scipy alone.

The models of Hyndman et al. (2008, "Forecasting with Exponential Smoothing") with no,
additive or additive damped trend, in innovations state-space form::

    yhat_t = w' x_{t-1},   e_t = y_t - yhat_t,   x_t = F x_{t-1} + g e_t

so ``x_t = D x_{t-1} + g y_t`` with ``D = F - g w'``: for fixed smoothing parameters the
one-step forecasts are a linear filter of the series (``scipy.signal.lfilter``, microseconds
for a thousand points) plus the response to the initial state, which is linear in it and so
is solved by least squares (concentrated out, as an exact likelihood would estimate it).
The parameters minimise the one-step sum of squares (the Gaussian likelihood) over a grid
refined by Nelder-Mead, inside statsforecast's and R forecast's usual bounds (phi in
0.8-0.98); the trend is chosen by AICc, as AutoETS does.

Seasonality is handled outside the state: the series is seasonally adjusted by the
classical multiplicative decomposition when M4's autocorrelation test finds a season
(``forecaster.forecast.candidates.seasonal_indices``, as M4's SES, Holt and Damped
benchmarks did), and the forecast is re-seasonalised. That keeps a 52-week season cheap
(a state of 54 would be a polynomial of degree 54) and a multiplicative season exact.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

TRENDS = ("N", "A", "Ad")
"""No trend, additive trend, additive damped trend."""
PHI_BOUNDS = (0.8, 0.98)
ALPHA_GRID = np.array([0.05, 0.2, 0.5, 0.9])
BETA_GRID = np.array([0.05, 0.3])  # beta as a share of alpha (beta <= alpha)
PHI_GRID = np.array([0.9, 0.98])
"""Starting grid of the search (Nelder-Mead refines the best point)."""


@dataclass(frozen=True)
class ETSFit:
    """A fitted non-seasonal ETS: trend kind, parameters, final state, AICc (on the data it
    was fitted to, in its units)."""

    trend: str
    alpha: float
    beta: float
    phi: float
    level: float
    slope: float
    aicc: float

    def forecast(self, horizon: int) -> np.ndarray:
        """Mean forecast for steps 1..horizon."""
        h = np.arange(1, horizon + 1, dtype=float)
        if self.trend == "N":
            return np.full(horizon, self.level)
        if self.trend == "A":
            return self.level + h * self.slope
        damp = np.cumsum(self.phi**h)
        return self.level + damp * self.slope


def _sse(y: np.ndarray, trend: str, alpha: float, beta: float, phi: float):
    """(sum of squared one-step errors, initial state) with the initial state solved by least
    squares; inf when the filter is unstable (the forecasts would run away).

    Closed forms for the one- and two-state systems (scalar arithmetic: numpy's small
    matrix calls cost more than the filtering)."""
    from scipy.signal import lfilter

    n = y.size
    if trend == "N":  # D = 1 - alpha; w' D^k = D^k
        d = 1.0 - alpha
        radius = abs(d)
        a = np.array([1.0, -d])
        b = np.array([0.0, alpha])
        firsts = [[1.0]]  # w' D^k e_i for k < p, per state i
    else:
        p = 1.0 if trend == "A" else phi
        # F = [[1, p], [0, p]], g = (alpha, beta), w = (1, p), D = F - g w'
        d00, d01, d10, d11 = 1.0 - alpha, p * (1.0 - alpha), -beta, p * (1.0 - beta)
        a1, a2 = -(d00 + d11), d00 * d11 - d01 * d10
        disc = complex(a1 * a1 - 4.0 * a2) ** 0.5
        radius = max(abs((-a1 + disc) / 2), abs((-a1 - disc) / 2))
        a = np.array([1.0, a1, a2])
        # w' D = (d00 + p d10, d01 + p d11); impulse h_1 = w'g, h_2 = w'D g
        r1 = (d00 + p * d10, d01 + p * d11)
        h1, h2 = alpha + p * beta, r1[0] * alpha + r1[1] * beta
        b = np.array([0.0, h1, h2 + a1 * h1])
        firsts = [[1.0, r1[0]], [p, r1[1]]]
    if radius >= 1.0 - 1e-9:
        return np.inf, None
    resid = y - lfilter(b, a, y)
    # Response to the initial state: column i is w' D^k e_i, k = 0..n-1, from its first p
    # terms and the recurrence of a; zero once decayed below 1e-20 (denormal numbers make a
    # filter a hundred times slower).
    span = int(min(n, len(a) + 1 + np.log(1e-20) / np.log(max(radius, 1e-12))))
    delta = np.zeros(max(span, 1))
    delta[0] = 1.0
    cols = []
    for s in firsts:
        num = np.convolve(a, s)[: len(s)]
        col = np.zeros(n)
        col[: delta.size] = lfilter(num, a, delta)
        cols.append(col)
    if len(cols) == 1:
        gg = float(cols[0] @ cols[0])
        if not gg > 0:
            return np.inf, None
        x0 = np.array([float(cols[0] @ resid) / gg])
        e = resid - x0[0] * cols[0]
    else:
        g00, g01, g11 = cols[0] @ cols[0], cols[0] @ cols[1], cols[1] @ cols[1]
        r0, r1_ = cols[0] @ resid, cols[1] @ resid
        det = g00 * g11 - g01 * g01
        if not abs(det) > 1e-12 * max(g00 * g11, 1e-300):
            return np.inf, None
        x0 = np.array([(g11 * r0 - g01 * r1_) / det, (g00 * r1_ - g01 * r0) / det])
        e = resid - x0[0] * cols[0] - x0[1] * cols[1]
    sse = float(e @ e)
    return (sse if np.isfinite(sse) else np.inf), x0


def _final_state(y: np.ndarray, trend: str, alpha: float, beta: float, phi: float, x0):
    """Run the recursion once to the end of ``y``: (level, slope)."""
    level = float(x0[0])
    slope = float(x0[1]) if trend != "N" else 0.0
    p = 1.0 if trend == "A" else phi
    for v in y:
        yhat = level + p * slope
        e = v - yhat
        level = yhat + alpha * e
        slope = p * slope + beta * e
    return level, slope


def _params(trend: str, theta: np.ndarray) -> tuple[float, float, float]:
    """(alpha, beta, phi) from unconstrained ``theta`` (logistic maps into the bounds)."""
    sig = 1.0 / (1.0 + np.exp(-np.clip(np.asarray(theta, dtype=float), -30.0, 30.0)))
    alpha = 1e-4 + (0.9999 - 1e-4) * sig[0]
    beta = alpha * (1e-4 + (0.9999 - 1e-4) * sig[1]) if trend != "N" else 0.0
    phi = PHI_BOUNDS[0] + (PHI_BOUNDS[1] - PHI_BOUNDS[0]) * sig[2] if trend == "Ad" else 1.0
    return float(alpha), float(beta), float(phi)


def _logit(x: float, lo: float, hi: float) -> float:
    u = np.clip((x - lo) / (hi - lo), 1e-4, 1 - 1e-4)
    return float(np.log(u / (1 - u)))


def fit_ets(y: np.ndarray, trend: str) -> ETSFit | None:
    """Fit one trend kind to ``y`` (finite values) by least one-step squares; None when no
    stable parameters fit."""
    from scipy.optimize import minimize

    n = y.size
    k = {"N": 1, "A": 2, "Ad": 3}[trend]
    states = 1 if trend == "N" else 2
    if n < k + states + 3:
        return None
    best = (np.inf, 0.5, 0.0, 1.0)
    for alpha in ALPHA_GRID:
        for bshare in BETA_GRID if trend != "N" else [0.0]:
            for phi in PHI_GRID if trend == "Ad" else [1.0]:
                sse, _ = _sse(y, trend, alpha, alpha * bshare, phi)
                if sse < best[0]:
                    best = (sse, alpha, alpha * bshare, phi)
    if not np.isfinite(best[0]):
        return None
    _, a0, b0, p0 = best
    start = np.array(
        [
            _logit(a0, 1e-4, 0.9999),
            _logit(b0 / a0 if a0 > 0 else 0.5, 1e-4, 0.9999),
            _logit(p0, *PHI_BOUNDS),
        ]
    )
    dims = {"N": 1, "A": 2, "Ad": 3}[trend]

    def objective(theta: np.ndarray) -> float:
        full = np.concatenate([theta, start[dims:]])
        sse, _ = _sse(y, trend, *_params(trend, full))
        return sse if np.isfinite(sse) else 1e300

    res = minimize(
        objective,
        start[:dims],
        method="Nelder-Mead",
        options={"maxiter": 30 * dims, "xatol": 1e-3, "fatol": 1e-10 * max(best[0], 1e-300)},
    )
    theta = np.concatenate([res.x, start[dims:]]) if res.fun < best[0] else start
    alpha, beta, phi = _params(trend, theta)
    sse, x0 = _sse(y, trend, alpha, beta, phi)
    if not np.isfinite(sse) or x0 is None:
        return None
    level, slope = _final_state(y, trend, alpha, beta, phi, x0)
    params = k + states + 1  # smoothing parameters, initial states, the variance
    sigma2 = max(sse / n, 1e-300)
    aicc = n * np.log(sigma2) + 2 * params
    aicc += 2 * params * (params + 1) / (n - params - 1) if n - params - 1 > 0 else np.inf
    return ETSFit(trend, alpha, beta, phi, level, slope, float(aicc))


def auto_ets(y: np.ndarray, trends: tuple[str, ...] = TRENDS) -> ETSFit | None:
    """The trend kind with the least AICc (None if none fits)."""
    fits = [f for f in (fit_ets(y, t) for t in trends) if f is not None]
    return min(fits, key=lambda f: f.aicc) if fits else None


SEASONAL_MAX = 24
"""Evolving seasons up to this period (monthly data's 12); longer ones (52 weeks) are
seasonally adjusted by decomposition instead, as statsforecast's AutoETS also refuses them."""


@dataclass(frozen=True)
class SeasonalFit:
    """ETS(A, trend, A) with season ``m`` fitted by conditional least squares: the trend
    kind, (alpha, beta, gamma, phi), the recent values and innovations its forecast
    recursion needs, and the AICc."""

    trend: str
    m: int
    params: tuple[float, float, float, float]
    ar: np.ndarray
    ma: np.ndarray
    y_tail: np.ndarray
    e_tail: np.ndarray
    aicc: float

    def forecast(self, horizon: int) -> np.ndarray:
        """Mean for steps 1..horizon: the ARIMA form's recursion with future errors zero."""
        d, q = self.ar.size - 1, self.ma.size - 1
        y = list(self.y_tail[-d:])
        e = list(self.e_tail[-q:]) + [0.0] * horizon
        out = []
        for h in range(horizon):
            past_y = y[-d:][::-1]
            past_e = e[q + h - 1 :: -1][:q] if q else []
            value = -float(np.dot(self.ar[1:], past_y)) + float(np.dot(self.ma[1:], past_e))
            y.append(value)
            out.append(value)
        return np.asarray(out)


def _seasonal_polys(m: int, trend: str, alpha: float, beta: float, gamma: float, phi: float):
    """(AR, MA) polynomials in the backshift operator of ETS(A, trend, A)'s ARIMA form:
    AR = (1 - B)(1 - phi B)(1 - B^m) (no trend: (1 - B)(1 - B^m)), MA = AR * psi truncated,
    psi_k = alpha + beta (phi + ... + phi^k) + gamma [k = 0 mod m], the effect of an error on
    the forecast k steps later (Hyndman et al. 2008, ch. 11)."""
    seasonal = np.zeros(m + 1)
    seasonal[0], seasonal[m] = 1.0, -1.0
    ar = np.convolve([1.0, -1.0], seasonal)
    p = 1.0 if trend == "A" else phi
    if trend != "N":
        ar = np.convolve(ar, [1.0, -p])
    k = np.arange(1, ar.size, dtype=float)
    psi = np.full(k.size, alpha) + gamma * (k % m == 0)
    if trend != "N":
        psi += beta * (k if trend == "A" else np.cumsum(p**k))
    ma = np.convolve(ar, np.concatenate([[1.0], psi]))[: ar.size]
    # Both share the factor (1 - B) of the seasonal states' redundancy (a constant moved
    # from the level to every season changes nothing): cancelled, so the MA part may be
    # invertible.
    return np.cumsum(ar)[:-1], np.cumsum(ma)[:-1]


def _seasonal_params(trend: str, theta: np.ndarray) -> tuple[float, float, float, float]:
    """(alpha, beta, gamma, phi) from unconstrained values: beta <= alpha, gamma <= 1 - alpha."""
    sig = 1.0 / (1.0 + np.exp(-np.clip(np.asarray(theta, dtype=float), -30.0, 30.0)))
    alpha = 1e-4 + (0.9999 - 1e-4) * sig[0]
    gamma = (1.0 - alpha) * (1e-4 + (0.9999 - 1e-4) * sig[1])
    beta = alpha * (1e-4 + (0.9999 - 1e-4) * sig[2]) if trend != "N" else 0.0
    phi = PHI_BOUNDS[0] + (PHI_BOUNDS[1] - PHI_BOUNDS[0]) * sig[3] if trend == "Ad" else 1.0
    return float(alpha), float(beta), float(gamma), float(phi)


def _css(y: np.ndarray, m: int, trend: str, params, skip: int):
    """(conditional sum of squares over the errors after ``skip`` steps, errors)."""
    from scipy.signal import lfilter

    ar, ma = _seasonal_polys(m, trend, *params)
    w = lfilter(ar, [1.0], y)[ar.size - 1 :]
    e = lfilter([1.0], ma, w)
    tail = e[skip - (ar.size - 1) :]
    sse = float(tail @ tail)
    return (sse if np.isfinite(sse) else np.inf), e, ar, ma


def fit_seasonal(y: np.ndarray, m: int, trend: str) -> SeasonalFit | None:
    """ETS(A, trend, A) with an evolving season of ``m`` on ``y`` (log values for a
    multiplicative season), parameters by conditional least squares (Nelder-Mead from a
    small grid); None when the data holds under three seasons or the fit is not invertible
    (its forecasts would depend ever more on the distant past)."""
    from scipy.optimize import minimize

    skip = m + 1  # the same errors for every trend kind, so their AICc compare
    n_eff = y.size - skip
    dims = {"N": 2, "A": 3, "Ad": 4}[trend]
    if m < 2 or y.size < 3 * m or n_eff < 2 * (dims + m + 3):
        return None

    def objective(theta: np.ndarray) -> float:
        sse, *_ = _css(y, m, trend, _seasonal_params(trend, theta), skip)
        return sse if np.isfinite(sse) else 1e300

    grid = [
        np.array([a, g, -2.0, 1.0][:dims] + [0.0] * (4 - dims))
        for a in (-2.0, -0.5, 1.0)
        for g in (-3.0, -1.0)
    ]
    start = min(grid, key=objective)
    res = minimize(
        lambda t: objective(np.concatenate([t, start[dims:]])),
        start[:dims],
        method="Nelder-Mead",
        options={"maxiter": 25 * dims, "xatol": 1e-3, "fatol": 1e-9},
    )
    theta = np.concatenate([res.x, start[dims:]])
    params = _seasonal_params(trend, theta)
    sse, e, ar, ma = _css(y, m, trend, params, skip)
    if not np.isfinite(sse) or np.any(np.abs(np.roots(ma)) >= 1.0 - 1e-6):
        return None  # the MA part's inverse roots on or outside the unit circle
    k = dims + (m + (1 if trend == "N" else 2)) + 1  # smoothing, initial states, variance
    sigma2 = max(sse / n_eff, 1e-300)
    aicc = n_eff * np.log(sigma2) + 2 * k
    aicc += 2 * k * (k + 1) / (n_eff - k - 1) if n_eff - k - 1 > 0 else np.inf
    return SeasonalFit(trend, m, params, ar, ma, y[-(ar.size - 1) :], e, float(aicc))


SEASONAL_TRENDS = ("N", "Ad")
"""Trend kinds of the seasonal models: none or damped (an undamped slope 18 months out is
the riskiest extrapolation, and each kind costs 30 refits)."""


def auto_seasonal(
    y: np.ndarray, m: int, trends: tuple[str, ...] = SEASONAL_TRENDS
) -> SeasonalFit | None:
    """The trend kind of ETS(A, trend, A) with the least AICc (None if none fits)."""
    fits = [f for f in (fit_seasonal(y, m, t) for t in trends) if f is not None]
    return min(fits, key=lambda f: f.aicc) if fits else None
