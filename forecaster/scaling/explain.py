"""What fitted USL coefficients say about an architecture, in one or two sentences."""

from __future__ import annotations

from forecaster.scaling.usl import USLModel


def _num(value: float) -> str:
    """A number rounded for reading: 1,884 / 97.3 / 0.0277."""
    return f"{value:,.0f}" if abs(value) >= 100 else f"{value:.3g}"


def _contention(model: USLModel) -> str:
    return (
        f"contention sigma = {model.sigma_:.3g} (about {100 * model.sigma_:.2g}% of the work "
        "waits its turn on something shared: a lock, a primary database, a queue)"
    )


def describe(model: USLModel, unit: str = "") -> str:
    """One or two plain sentences on where and why the fitted system stops scaling.

    ``unit`` names what the load counts ("users", "instances"), if known.
    """
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
    return (
        "Neither contention nor coherency is measurable: throughput grows about linearly "
        f"({_num(model.gamma_)} per unit of load) over the measured range, so the ceiling "
        f"lies beyond a load of {_num(top)}{unit}; test at higher load to find it."
    )
