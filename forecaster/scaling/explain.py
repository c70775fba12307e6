"""What fitted USL coefficients say about an architecture, in one or two sentences."""

from __future__ import annotations

import numpy as np

from forecaster.scaling.usl import USLModel


def _num(value: float) -> str:
    """A number rounded for reading: 1,884 / 97.3 / 0.0277."""
    return f"{value:,.0f}" if abs(value) >= 100 else f"{value:.3g}"


def _contention(model: USLModel) -> str:
    return (
        f"contention sigma = {model.sigma_:.3g} (about {100 * model.sigma_:.2g}% of the work "
        "waits its turn on something shared: a lock, a primary database, a queue)"
    )


def _ratio(ratio: float) -> str:
    return f"{ratio:,.0f}x the fit" if ratio >= 1.5 else f"1/{1 / ratio:,.0f} of the fit"


def outliers_sentence(model: USLModel, unit: str = "") -> str:
    """ "1 point flagged as an outlier and left out of the fit: N=16, 3,200, 100x the fit."
    (empty when no point was flagged)."""
    flagged = getattr(model, "outliers_", [])
    if not flagged:
        return ""
    unit = f" {unit}" if unit else ""
    worst = sorted(flagged, key=lambda o: -abs(np.log(o["ratio"])))
    points = "; ".join(
        f"N={o['load']:g}{unit}, throughput {_num(o['throughput'])}, {_ratio(o['ratio'])}"
        for o in worst[:3]
    )
    if len(worst) > 3:
        points += f"; and {len(worst) - 3} more (listed under outliers in --json)"
    many = len(flagged) > 1
    return (
        f"{len(flagged)} point{'s' if many else ''} flagged as {'outliers' if many else 'an outlier'} "
        f"and left out of the fit: {points}."
    )


#: More distinct loads than this are production samples rather than a load test's levels.
MAX_TEST_LEVELS = 30


def measured_peak(model: USLModel) -> tuple[float, float] | None:
    """(load, throughput) where a load test's levels peak, when every higher level's mean
    is more than 5% below it, else None."""
    loads = np.unique(model.load_)
    if loads.size > MAX_TEST_LEVELS:  # production samples: no one level is "the" peak
        return None
    means = np.array([model.throughput_[model.load_ == level].mean() for level in loads])
    best = int(np.argmax(means))
    after = means[best + 1 :]
    if after.size >= 1 and np.all(after < 0.95 * means[best]):
        return float(loads[best]), float(means[best])
    return None


def describe(model: USLModel, unit: str = "") -> str:
    """One or two plain sentences on where and why the fitted system stops scaling, and
    which points were left out of the fit as outliers.

    ``unit`` names what the load counts ("users", "instances"), if known.
    """
    text = _describe_fit(model, unit)
    flagged = outliers_sentence(model, unit)
    return f"{text} {flagged}" if flagged else text


def _describe_fit(model: USLModel, unit: str = "") -> str:
    unit = f" {unit}" if unit else ""
    top = float(model.load_.max())
    if model.ceiling_kind_ == "peak" and model.peak_load_ is not None:
        peak = model.peak_load_
        coherency = model.kappa_ * peak * (peak - 1.0)
        contention = model.sigma_ * (peak - 1.0)
        culprit = (
            "coordination between the parts (cache coherency, chatty replication, "
            "cross-node locks) does more of the damage than serialization"
            if coherency >= contention
            else "serialization on a shared resource does more of the damage than "
            "coordination between the parts"
        )
        reach = (
            f", {peak / top:.1f} times the highest load measured, so treat it as an extrapolation"
            if peak > 2 * top
            else ""
        )
        return (
            f"Throughput peaks at a load of about {_num(peak)}{unit} (throughput "
            f"{_num(model.peak_throughput_)}){reach} and falls beyond it: "
            f"{_contention(model)} plus coherency kappa = {model.kappa_:.3g} (crosstalk "
            "that grows with the square of the load) mean that past the peak more load or "
            f"capacity makes the system slower. At the peak {culprit}."
        )
    if model.ceiling_kind_ == "asymptote":
        gain = model.peak_throughput_ / model.gamma_
        return (
            "Coherency is indistinguishable from zero, so throughput does not turn down "
            f"within what the data can tell, but {_contention(model)} caps it at about "
            f"{_num(model.peak_throughput_)} (Amdahl's limit gamma/sigma, {gain:.3g} times "
            "the throughput at a load of 1), approached ever more slowly: each added unit "
            "buys less."
        )
    peak = measured_peak(model)
    if peak is not None:
        return (
            f"The measured throughput peaks at a load of {_num(peak[0])}{unit} (throughput "
            f"{_num(peak[1])}) and falls beyond it, but the points are too few or too noisy "
            "for the fit to measure contention or coherency: treat the measured peak as the "
            "ceiling and test more loads around it to size it."
        )
    return (
        "Neither contention nor coherency is measurable: throughput grows about linearly "
        f"({_num(model.gamma_)} per unit of load) over the measured range, so the ceiling "
        f"lies beyond a load of {_num(top)}{unit}; test at higher load to find it."
    )
