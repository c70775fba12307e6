"""Prediction intervals that mean what they say.

Model-based intervals (a Gaussian with the in-sample residual variance) are too narrow
whenever the model is wrong, and a load model is always a bit wrong. Here the interval for
step h is

    mean_h + c * Q_p(h)

- ``Q_p(h)`` is the empirical p-quantile of the model's own h-step-ahead errors over the
  training data (thousands of origins: every point is an origin for the level part), taken
  separately for the lower and upper tail, so skewed load (bursts up, rarely down) gets
  asymmetric intervals, and made monotone in h (uncertainty never shrinks with the
  horizon). Level shifts and bursts seen in the history are in these quantiles.
- ``c`` corrects for what in-sample errors cannot see (the seasonal shape and trend were
  fitted on the same data): the ratio of the median out-of-sample error, from refits at
  several origins at the end of the training data, to the median in-sample error, both
  normalised by the in-sample mean absolute error per step. It is clipped to
  [1, MAX_INFLATE]: out-of-sample is never better than in-sample, and a regime change that
  happens to fall in the few calibration windows must not blow up every interval.

When the series is too short for enough in-sample errors, the quantiles fall back to a
normal distribution with sigma = 1.2533 * MAE, widened by ``FALLBACK_INFLATE``.
The calibration of the whole scheme is measured, not assumed: see the tests on synthetic
series with known noise and the backtest coverage on real traces (docs/performance.md).
"""

from __future__ import annotations

import numpy as np
from scipy.stats import norm

LEVELS: tuple[int, ...] = (80, 95)
MAX_INFLATE = 1.5
FALLBACK_INFLATE = 1.5
MIN_ERRORS = 50
"""Fewer in-sample errors per step than this and the Gaussian fallback is used."""


def h_step_scale(errors: np.ndarray, horizon: int) -> np.ndarray:
    """Mean absolute error per step h (columns of ``errors``), non-decreasing, positive."""
    if errors.size == 0 or not np.isfinite(errors).any():
        return np.ones(horizon)
    with np.errstate(all="ignore"):
        mae = _fill(np.nanmean(np.abs(errors), axis=0)[:horizon], horizon)
    mae = np.maximum.accumulate(mae)
    floor = max(float(np.max(mae)) * 1e-6, 1e-12)
    return np.maximum(mae, floor)


def empirical_quantiles(
    errors: np.ndarray, horizon: int, levels: tuple[int, ...] = LEVELS
) -> dict[int, tuple[np.ndarray, np.ndarray]]:
    """Lower and upper quantiles per step of in-sample h-step errors (columns of
    ``errors``), widened to be monotone in h: ``{level: (lo, hi)}``, lo <= 0 <= hi."""
    counts = np.isfinite(errors).sum(axis=0) if errors.size else np.zeros(0)
    if counts.size == 0 or np.median(counts) < MIN_ERRORS:
        return gaussian_quantiles(h_step_scale(errors, horizon), levels)
    out: dict[int, tuple[np.ndarray, np.ndarray]] = {}
    with np.errstate(all="ignore"):
        for level in levels:
            tail = (1.0 - level / 100.0) / 2.0
            lo = np.nanquantile(errors, tail, axis=0)[:horizon]
            hi = np.nanquantile(errors, 1.0 - tail, axis=0)[:horizon]
            lo = np.minimum.accumulate(np.minimum(_fill(lo, horizon), 0.0))
            hi = np.maximum.accumulate(np.maximum(_fill(hi, horizon), 0.0))
            out[level] = (lo, hi)
    return out


def gaussian_quantiles(
    mae: np.ndarray, levels: tuple[int, ...] = LEVELS
) -> dict[int, tuple[np.ndarray, np.ndarray]]:
    """Fallback: normal quantiles with sigma = sqrt(pi/2) * MAE per step, widened."""
    out: dict[int, tuple[np.ndarray, np.ndarray]] = {}
    sigma = np.sqrt(np.pi / 2.0) * mae * FALLBACK_INFLATE
    for level in levels:
        z = float(norm.ppf(0.5 + level / 200.0))
        out[level] = (-z * sigma, z * sigma)
    return out


def inflation(oos_scores: np.ndarray, ins_scores: np.ndarray) -> float:
    """Ratio of median |out-of-sample| to median |in-sample| normalised error, in [1, 1.5].

    Without enough out-of-sample scores, the fallback FALLBACK_INFLATE is used."""
    oos = np.abs(oos_scores[np.isfinite(oos_scores)])
    ins = np.abs(ins_scores[np.isfinite(ins_scores)])
    if oos.size < 20 or ins.size < 20 or not np.median(ins) > 0:
        return FALLBACK_INFLATE
    return float(np.clip(np.median(oos) / np.median(ins), 1.0, MAX_INFLATE))


def interval_bounds(
    mean: np.ndarray, quantiles: dict[int, tuple[np.ndarray, np.ndarray]], inflate: float
) -> dict[str, np.ndarray]:
    """``lo_L``/``hi_L`` for each level L, nested: the 95% interval contains the 80% one,
    which contains the mean."""
    out: dict[str, np.ndarray] = {}
    lo_prev, hi_prev = mean, mean
    for level in sorted(quantiles):
        q_lo, q_hi = quantiles[level]
        lo_prev = np.minimum(mean + inflate * q_lo[: mean.size], lo_prev)
        hi_prev = np.maximum(mean + inflate * q_hi[: mean.size], hi_prev)
        out[f"lo_{level}"], out[f"hi_{level}"] = lo_prev, hi_prev
    return out


def seasonal_naive_bounds(
    y: np.ndarray, mean: np.ndarray, period: int, levels: tuple[int, ...] = LEVELS
) -> dict[str, np.ndarray]:
    """Textbook seasonal naive intervals: sigma of the in-sample seasonal differences,
    growing with sqrt(number of whole seasons ahead) (Hyndman & Athanasopoulos, 5.5)."""
    y = np.asarray(y, dtype=float)
    diffs = y[period:] - y[:-period] if y.size > period else np.array([np.nan])
    sigma = float(np.nanstd(diffs)) if np.isfinite(diffs).any() else 0.0
    h = np.arange(1, mean.size + 1)
    sd = sigma * np.sqrt(np.floor((h - 1) / period) + 1)
    out: dict[str, np.ndarray] = {}
    for level in levels:
        z = float(norm.ppf(0.5 + level / 200.0))
        out[f"lo_{level}"], out[f"hi_{level}"] = mean - z * sd, mean + z * sd
    return out


def _fill(a: np.ndarray, horizon: int) -> np.ndarray:
    """Pad to ``horizon`` and interpolate NaN steps (steps with no example)."""
    if a.size < horizon:
        a = np.concatenate([a, np.full(horizon - a.size, np.nan)])
    ok = np.isfinite(a)
    if not ok.any():
        return np.ones(horizon)
    idx = np.arange(horizon)
    return np.interp(idx, idx[ok], a[ok])
