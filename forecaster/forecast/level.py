"""The adaptive level: outlier filters, exponential smoothing and level-shift reset.

What is left after trend and seasonality is smoothed into a level that follows level shifts
and drift but not bursts: spikes are filtered (Hampel), longer bursts clipped (winsorized
around a rolling median), and the smoothing weight is chosen by h-step error for the
horizon asked for.
"""

from __future__ import annotations

import numpy as np

ALPHAS = np.array([0.0, 0.002, 0.005, 0.01, 0.02, 0.04, 0.07, 0.1, 0.15, 0.25, 0.4, 0.6, 1.0])
HAMPEL_WINDOW = 7  # steps: runs of up to 3 points are spikes, longer runs are the series
HAMPEL_SIGMAS = 4.0
WINSOR_SIGMAS = 2.0
SHIFT_RUN = 4
SHIFT_SIGMAS = 4.0
LOSS_CAP = 4.0


def interpolate(r: np.ndarray) -> np.ndarray:
    ok = np.isfinite(r)
    if ok.all():
        return r
    idx = np.arange(r.size)
    return np.interp(idx, idx[ok], r[ok])


def hampel(r: np.ndarray, window: int) -> np.ndarray:
    """Replace points more than 4 robust sigmas from the local median by that median."""
    from scipy.ndimage import median_filter

    window = max(3, window | 1)
    med = median_filter(r, size=window, mode="mirror")  # "nearest" would never flag the last point
    dev = np.abs(r - med)
    sigma = 1.4826 * np.median(dev)
    if not sigma > 0:
        return r
    return np.where(dev > HAMPEL_SIGMAS * sigma, med, r)


def winsorize(r: np.ndarray, window: int) -> np.ndarray:
    """Clip r to its rolling median +- WINSOR_SIGMAS robust sigmas (window: one season).

    Bursts longer than the Hampel filter's reach (a 30-minute CPU burst) would otherwise
    pull the smoothed level up for hours: the level should track the typical load, the
    bursts belong in the intervals.
    """
    from scipy.ndimage import median_filter

    window = max(3, window | 1)
    med = median_filter(r, size=window, mode="mirror")
    dev = r - med
    sigma = 1.4826 * np.median(np.abs(dev))
    if not sigma > 0:
        return r
    return med + np.clip(dev, -WINSOR_SIGMAS * sigma, WINSOR_SIGMAS * sigma)


def ses_path(x: np.ndarray, alpha: float) -> np.ndarray:
    """Simple exponential smoothing level l_t (starting from 0, the regression's level)."""
    from scipy.signal import lfilter

    if alpha <= 0.0:
        return np.zeros_like(x)
    return lfilter([alpha], [1.0, alpha - 1.0], x)


def shift_run(clean: np.ndarray, path: np.ndarray) -> int:
    """Length of a fresh level shift at the origin, 0 if none.

    Exponential smoothing needs many steps to catch up with a level shift a few steps
    before the origin. If the last ``SHIFT_RUN`` or more one-step errors all lie beyond
    ``SHIFT_SIGMAS`` robust sigmas on the same side (a run the Hampel filter kept, so no
    spike), the series has shifted: the run's length is returned and the caller resets
    the level to the run's median.
    """
    innov = clean[1:] - path[:-1]
    if innov.size < 4 * SHIFT_RUN:
        return 0
    sigma = 1.4826 * np.median(np.abs(innov - np.median(innov)))
    if not sigma > 0:
        return 0
    beyond = np.abs(innov) > SHIFT_SIGMAS * sigma
    same = np.sign(innov) == np.sign(innov[-1])
    run_ok = (beyond & same)[::-1]
    run = int(np.argmin(run_ok)) if not run_ok.all() else run_ok.size
    return run if run >= SHIFT_RUN else 0


def choose_alpha(clean: np.ndarray, target: np.ndarray, horizon: int) -> float:
    """The ALPHAS value with the least mean absolute h-step error, h sampled over 1..H.

    Each error counts at most LOSS_CAP times the typical one: a day-long outage must not
    make the level chase every wiggle, while a lasting level shift still pulls alpha up
    through the many capped errors it leaves.
    """
    n = clean.size
    steps = np.unique(np.geomspace(1, max(horizon, 1), num=min(horizon, 8)).round().astype(int))
    first = max(0, n - 1 - max(20 * horizon, 500))
    origins = np.arange(first, n - 1)
    idx = origins[:, None] + steps[None, :]
    ahead = np.where(idx < n, target[np.minimum(idx, n - 1)], np.nan)
    cap = LOSS_CAP * np.nanmedian(np.abs(ahead))
    if not cap > 0:
        cap = np.inf
    best, best_loss = 0.0, np.inf
    for alpha in ALPHAS:
        lv = ses_path(clean, alpha)
        loss = np.nanmean(np.minimum(np.abs(ahead - lv[origins][:, None]), cap))
        if loss < best_loss - 1e-12:
            best, best_loss = float(alpha), loss
    return best
