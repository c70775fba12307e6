"""Free-form seasonal profiles: the shape the Fourier terms cannot draw.

A Fourier series of order 10 draws a smooth day; a nightly backup at 04:05 or a Saturday
unlike a Monday needs a value per phase. Profiles are estimated on the regression
residual, per phase, robustly (median start, Huber), shrunk towards zero by how reliably
the data shows them, and forget at a pace chosen by holdout.
"""

from __future__ import annotations

import warnings

import numpy as np

from forecaster.forecast.regression import FOURIER_ORDER, HUBER_C

PROFILE_HALF_LIVES = (1.0, 3.0, 10.0)  # cycles


def profile_periods(periods: list[tuple[str, float]]) -> list[int]:
    """Daily/weekly periods (whole steps, ascending) whose shape the Fourier terms cannot
    fully represent: each gets a free-form profile. They nest (a day divides a week)."""
    out = []
    for name, period in periods:
        p = int(round(period))
        if name != "yearly" and abs(p - period) < 1e-9 and p > 2 * FOURIER_ORDER[name] + 1:
            out.append(p)
    return sorted(out)


def _phase_median(r: np.ndarray, t: np.ndarray, period: int, w: np.ndarray) -> np.ndarray:
    """Median of r per phase over the whole cycles at the end of the data (points with
    weight 0 left out; 0 for a phase with no data). Cheap: a reshape, not a sort."""
    k = r.size // period
    if k == 0:
        return np.zeros(period)
    m = k * period
    block = np.where(w[-m:] > 0, r[-m:], np.nan).reshape(k, period)
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        med = np.nanmedian(block, axis=0)
    med = np.roll(np.nan_to_num(med), int(t[-m] % period))
    return med


def adaptive_profile(
    r: np.ndarray, t: np.ndarray, period: int, observed: np.ndarray, smooth: bool = True
) -> np.ndarray:
    """``seasonal_profile`` with its memory (half-life in cycles) chosen by holdout.

    A daily 4 am backup that stops, a weekend pattern that changes: the profile must
    forget at the pace the data changes. Each half-life in PROFILE_HALF_LIVES predicts the
    last two cycles from the cycles before them; the least mean absolute error wins.
    """
    r0 = np.nan_to_num(r)
    end = t[-1]
    n_cycles = r.size // period
    best_hl, best_err = PROFILE_HALF_LIVES[1], np.inf
    if n_cycles >= 4:
        for hl in PROFILE_HALF_LIVES:
            err = 0.0
            for k in (1, 2):
                cut = r.size - k * period
                w = np.where(observed[:cut], 0.5 ** ((t[cut - 1] - t[:cut]) / (hl * period)), 0.0)
                prof = seasonal_profile(r0[:cut], t[:cut], period, w, smooth)
                test = slice(cut, cut + period)
                ok = observed[test]
                err += float(np.mean(np.abs(r0[test][ok] - prof[t[test][ok] % period])))
            if err < best_err - 1e-12:
                best_hl, best_err = hl, err
    w = np.where(observed, 0.5 ** ((end - t) / (best_hl * period)), 0.0)
    return seasonal_profile(r0, t, period, w, smooth)


def seasonal_profile(
    r: np.ndarray, t: np.ndarray, period: int, w: np.ndarray, smooth: bool = True
) -> np.ndarray:
    """Free-form seasonal profile of residuals r by phase t % period, shrunk to zero.

    The low-order Fourier terms give the smooth seasonal shape; what is left (a Saturday
    morning unlike a Monday morning) is estimated per phase as a Huber-weighted mean (so a
    holiday does not bend the profile) and shrunk by the James-Stein factor
    tau^2 / (tau^2 + noise variance / cycles): a profile seen in two or three cycles counts
    for little, one seen in twenty nearly in full.

    Long profiles (a week of 5-minute steps) are smoothed over a few neighbouring phases
    unless ``smooth`` is False: a profile that keeps recurring spikes must keep them
    sharp, or a 15-minute burst every hour leaks into the quiet minutes beside it.
    """
    phase = t % period
    sw = np.bincount(phase, weights=w, minlength=period)
    if not (sw > 0).all():
        return np.zeros(period)
    weights = w
    mean = _phase_median(r, t, period, w)  # robust start for Huber IRLS
    for _ in range(3):
        dev = r - mean[phase]
        sigma = 1.4826 * np.median(np.abs(dev))
        if not sigma > 0:
            break
        u = np.abs(dev) / (HUBER_C * sigma)
        weights = w * np.where(u <= 1.0, 1.0, 1.0 / np.maximum(u, 1e-12))
        sw = np.bincount(phase, weights=weights, minlength=period)
        mean = np.bincount(phase, weights=weights * r, minlength=period) / sw
    sw2 = np.bincount(phase, weights=weights**2, minlength=period)
    dev = r - mean[phase]
    var = np.bincount(phase, weights=weights * dev**2, minlength=period) / sw
    n_eff = sw**2 / sw2
    mean = mean - np.median(mean)  # a daily 4 am backup must not lower every other hour
    noise = float(np.mean(var / n_eff))
    signal = max(float(np.mean(mean**2)) - noise, 0.0)
    shrink = signal / (signal + noise) if signal + noise > 0 else 0.0
    width = max(1, round(period / 336)) | 1
    if smooth and width > 1:
        kernel = np.ones(width) / width
        pad = width // 2
        mean = np.convolve(np.concatenate([mean[-pad:], mean, mean[:pad]]), kernel, "valid")
    return shrink * mean
