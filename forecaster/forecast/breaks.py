"""Regime breaks: where the latest stretch of a load series stopped looking like its past.

A nightly job that is switched off, a fleet resized, an incident that doubles CPU: after
such a break the history before it describes a system that no longer exists, and a model
fitted on all of it keeps forecasting the old system for days. ``last_break`` finds the
start of such a stretch; ``LoadForecaster`` then offers a variant fitted on the data since
the break only, and keeps it only where it measured better out of sample (the window
selection of Pesaran & Timmermann, 2007). The detector can therefore afford to be eager:
a holiday it mistakes for a break costs a refit, not a worse forecast.

The test is seasonal and robust. Each point of the last ``WINDOW_CYCLES`` seasons is
scored against the median of the same phase in the ``REF_CYCLES`` seasons before them, in
units of the reference's own robust spread; points beyond ``Z`` are anomalous. A break is
the start of the final segment whose anomaly rate most exceeds twice the reference's own
rate (a CUSUM from the end), if the segment is at least ``min_run`` steps long, anomalous
at four times that base rate, and still anomalous at the end (a burst that is over is an
outlier for the intervals, not a new regime).
"""

from __future__ import annotations

import warnings

import numpy as np

Z = 4.0
"""Robust z-score beyond which a point is anomalous for its phase."""
WINDOW_CYCLES = 2
REF_CYCLES = 4
MIN_BASE_RATE = 0.02


def phase_scores(y: np.ndarray, period: int, start: int) -> tuple[np.ndarray, float] | None:
    """Robust z-scores of ``y[start:]`` against the same phases in the ``REF_CYCLES``
    seasons before ``start``, and the reference's own anomaly rate.

    ``None`` when there is not enough history, or the reference has no spread."""
    ref_start = start - REF_CYCLES * period
    if ref_start < 0 or start >= y.size:
        return None
    ref = y[ref_start:start].reshape(REF_CYCLES, period)
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # an all-gap phase is expected
        median = np.nanmedian(ref, axis=0)
        # Each reference season against the median of the others, as a new point is
        # against the median of all: a season's deviation from a median it is part of
        # would understate the spread, and every point would look anomalous.
        loo = np.stack([np.nanmedian(np.delete(ref, k, axis=0), axis=0) for k in range(REF_CYCLES)])
        dev = np.abs(ref - loo)
        scale = 1.4826 * np.nanmedian(dev)
        if not scale > 0:
            return None
        base = float(np.nanmean(dev / scale > Z))
    phase = np.arange(y.size - start) % period
    return (y[start:] - median[phase]) / scale, base


def _rate(anomalous: np.ndarray, observed: np.ndarray) -> float:
    return float(anomalous.sum()) / max(int(observed.sum()), 1)


def last_break(y: np.ndarray, period: int, min_run: int) -> int | None:
    """Index in ``y`` where its latest regime starts, or ``None`` if the end of ``y``
    looks like its seasonal past (see the module docstring). ``period`` is the primary
    season in steps; ``min_run`` the fewest steps a new regime must have lasted.

    Windows of ``WINDOW_CYCLES`` seasons are searched from the end backwards for as long
    as a reference before them exists: a regime that began ten days ago is still scored
    against the seasons before it, not against itself. The first window, from the end,
    holding a break wins, unless the break is at the window's very start: then the regime
    may be older, and the window before is searched too."""
    y = np.asarray(y, dtype=float)
    period = int(period)
    if period < 2:
        return None
    window = WINDOW_CYCLES * period
    candidate = None
    for start in range(y.size - window, REF_CYCLES * period - 1, -period):
        scored = phase_scores(y, period, start)
        if scored is None:
            break
        z, base = scored
        found = _break_in(z, window, base, min_run)
        if found is None:
            if candidate is not None:
                break
            continue
        candidate = start + found
        if found > 0:
            break
        # At the window's very start: the regime may have begun earlier, look there too.
    return candidate


def _break_in(z: np.ndarray, window: int, base: float, min_run: int) -> int | None:
    """Offset in ``z`` (scores from the window's start to the end of the data) of a break
    inside the first ``window`` scores whose regime lasts to the end, or None."""
    observed = np.isfinite(z)
    anomalous = np.where(observed, np.abs(z) > Z, False).astype(float)
    p0 = max(base, MIN_BASE_RATE)
    excess = np.where(observed, anomalous - 2.0 * p0, 0.0)
    tail = np.cumsum(excess[::-1])[::-1][:window]  # excess anomalies in [b, end)
    b = int(np.argmax(tail))
    if tail[b] <= 0 or z.size - b < min_run:
        return None
    rate = _rate(anomalous[b:], observed[b:])
    recent = _rate(anomalous[-min_run:], observed[-min_run:])
    if rate >= max(4.0 * p0, 0.1) and recent >= max(2.0 * p0, 0.05):
        return b
    return None
