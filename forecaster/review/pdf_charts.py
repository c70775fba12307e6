"""Static charts for the PDF, drawn with matplotlib onto a given Axes (no pyplot, no global
backend: the engine can render inside a web server). Labels from billing data go through
``mpl_text`` so a ``$`` never starts mathtext.
"""

from __future__ import annotations

from matplotlib.axes import Axes
from matplotlib.ticker import MaxNLocator

from forecaster import format as F
from forecaster.review.chart_data import Bands, Bars, Chart, Waterfall
from forecaster.review.safe import mpl_text

PALETTE = ("#9aa5b1", "#5b7db1", "#1f3a5f", "#f0a020")
UP, DOWN, TOTAL = "#b42318", "#067647", "#1f3a5f"
LABEL_CHARS = 42


def _short(text: str) -> str:
    text = mpl_text(text)
    return text if len(text) <= LABEL_CHARS else text[: LABEL_CHARS - 1] + "\u2026"


def _legend(ax: Axes, n: int) -> None:
    """Legend above the plot area, under the title: never over the bars or axis labels."""
    ax.legend(
        fontsize=7,
        loc="lower left",
        bbox_to_anchor=(0.0, 1.0),
        ncol=min(n, 5),
        frameon=False,
        borderaxespad=0.2,
    )


def _value_axis(chart: Chart, axis) -> None:
    """Money and numbers as k/M on the value axis, percentages with a % sign; never the
    run-together ticks or exponent offsets of the defaults."""
    axis.set_major_formatter(F.mpl_number_formatter())
    axis.get_offset_text().set_visible(False)


def draw_bars(ax: Axes, chart: Bars) -> None:
    n = len(chart.series)
    width = 0.8 / max(n, 1)
    pos = list(range(len(chart.categories)))
    for i, (name, values) in enumerate(chart.series.items()):
        vals = [0.0 if v is None else v for v in values]
        offs = [p - 0.4 + width * (i + 0.5) for p in pos]
        color = PALETTE[(i + (len(PALETTE) - n)) % len(PALETTE)] if n < len(PALETTE) else None
        if chart.horizontal:
            ax.barh(offs, vals, height=width, label=mpl_text(name), color=color)
        else:
            ax.bar(offs, vals, width=width, label=mpl_text(name), color=color)
    labels = [_short(c) for c in chart.categories]
    if chart.horizontal:
        ax.set_yticks(pos, labels)
        ax.invert_yaxis()
        ax.set_xlabel(mpl_text(chart.value_label), fontsize=7)
        ax.grid(axis="x", alpha=0.3)
        _value_axis(chart, ax.xaxis)
        ax.xaxis.set_major_locator(MaxNLocator(5))
    else:
        ax.set_xticks(pos, labels)
        ax.set_ylabel(mpl_text(chart.value_label), fontsize=7)
        ax.grid(axis="y", alpha=0.3)
        _value_axis(chart, ax.yaxis)
    ax.spines[["top", "right"]].set_visible(False)
    ax.tick_params(labelsize=7)
    if n > 1:
        _legend(ax, n)


def draw_waterfall(ax: Axes, chart: Waterfall) -> None:
    running = 0.0
    bottoms, heights, colors = [], [], []
    for value, measure in zip(chart.values, chart.measures, strict=True):
        if measure in ("absolute", "total"):
            running = value
            bottoms.append(0.0)
            heights.append(value)
            colors.append(TOTAL)
        else:
            bottoms.append(running if value >= 0 else running + value)
            heights.append(abs(value))
            colors.append(UP if value > 0 else DOWN)
            running += value
    pos = list(range(len(chart.labels)))
    ax.bar(pos, heights, bottom=bottoms, color=colors, width=0.6)
    lo, hi = chart.y_range()
    for p, v, b, h, m in zip(pos, chart.values, bottoms, heights, chart.measures, strict=True):
        text = F.compact(v) if m != "relative" else ("+" if v > 0 else "") + F.compact(v)
        ax.text(p, b + h + (hi - lo) * 0.01, text, ha="center", va="bottom", fontsize=6)
    ax.set_xticks(pos, [_short(x) for x in chart.labels], rotation=30, ha="right")
    ax.set_ylabel(mpl_text(chart.currency), fontsize=7)
    ax.set_ylim(lo, hi)
    _value_axis(chart, ax.yaxis)
    if lo > 0:  # a truncated axis is said, on the chart
        ax.text(
            0.0,
            -0.02,
            f"axis starts at {F.compact(lo)}",
            transform=ax.transAxes,
            fontsize=6,
            color="#52606d",
            va="top",
            ha="right",
        )
    ax.tick_params(labelsize=7)
    ax.grid(axis="y", alpha=0.3)
    ax.spines[["top", "right"]].set_visible(False)


def draw_bands(ax: Axes, chart: Bands) -> None:
    def arr(values):
        return [float("nan") if v is None else v for v in values]

    for (name, (lo, hi)), alpha in zip(chart.bands.items(), (0.25, 0.15), strict=False):
        ax.fill_between(chart.x, arr(lo), arr(hi), alpha=alpha, color=TOTAL, lw=0, label=name)
    n = len(chart.bands)
    if any(v is not None for v in chart.actual):
        ax.plot(chart.x, arr(chart.actual), color="#333333", lw=0.8, label="Actual")
        n += 1
    ax.plot(chart.x, arr(chart.mean), color=TOTAL, lw=1.2, label="Forecast (median)")
    n += 1
    if chart.threshold is not None:
        ax.axhline(chart.threshold, color=UP, ls="--", lw=1.0, label="Ceiling threshold")
        n += 1
    ax.set_ylabel(mpl_text(chart.value_label), fontsize=7)
    _value_axis(chart, ax.yaxis)
    ax.tick_params(labelsize=7)
    if len(chart.x) and isinstance(chart.x[0], str):
        ax.tick_params(axis="x", labelrotation=45)
    ax.grid(alpha=0.3)
    ax.spines[["top", "right"]].set_visible(False)
    _legend(ax, n)


def draw(ax: Axes, chart: Chart) -> None:
    """Draw any chart of ``chart_data`` with its title."""
    if isinstance(chart, Waterfall):
        draw_waterfall(ax, chart)
    elif isinstance(chart, Bars):
        draw_bars(ax, chart)
    else:
        draw_bands(ax, chart)
    ax.set_title(mpl_text(chart.title), fontsize=9, loc="left", pad=16 if _has_legend(ax) else 6)


def _has_legend(ax: Axes) -> bool:
    return ax.get_legend() is not None
