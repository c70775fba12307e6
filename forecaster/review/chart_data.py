"""What each chart of the pack shows, as plain lists: shared by the interactive HTML charts
(plotly) and the PDF's static ones (matplotlib), so both draw the same numbers.

Every chart is per currency: currencies are never drawn on one money axis.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import polars as pl

from forecaster.format import label, month_text
from forecaster.review.pack import ReviewPack

TOP_ITEMS = 12
BREAKDOWN_KEYS = {
    "by_provider": "provider",
    "by_service": "service",
    "by_account": "account_id",
    "by_tag": "tag_value",
}


@dataclass
class Bars:
    """Grouped bars: one series per name, values aligned with ``categories``."""

    title: str
    currency: str | None
    categories: list[str]
    series: dict[str, list[float | None]]
    horizontal: bool = False
    value_label: str = ""


@dataclass
class Waterfall:
    title: str
    currency: str
    labels: list[str]
    values: list[float]
    measures: list[str]  # "absolute" | "relative" | "total"

    def levels(self) -> list[float]:
        """The running total after each bar."""
        out, running = [], 0.0
        for value, measure in zip(self.values, self.measures, strict=True):
            running = value if measure != "relative" else running + value
            out.append(running)
        return out

    def y_range(self) -> tuple[float, float]:
        """An axis range around the levels (the steps are small next to the totals, so the
        axis starts near the lowest level rather than at zero; labels carry the values)."""
        levels = self.levels() or [0.0]
        lo, hi = min(levels), max(levels)
        pad = 0.15 * (hi - lo) or 0.05 * abs(hi) or 1.0
        bottom = 0.0 if lo >= 0 and lo - pad < 0 else lo - pad
        return bottom, hi + pad


@dataclass
class Bands:
    """A time series with forecast bands and a horizontal threshold."""

    title: str
    x: list
    actual: list[float | None]
    mean: list[float | None]
    bands: dict[str, tuple[list[float | None], list[float | None]]] = field(default_factory=dict)
    threshold: float | None = None
    value_label: str = ""


Chart = Bars | Waterfall | Bands


def _currencies(frame: pl.DataFrame) -> list[str]:
    return (
        sorted(set(frame["currency"].drop_nulls().to_list())) if "currency" in frame.columns else []
    )


def _per_currency(
    pack: ReviewPack, name: str, needs: str | None = None, top: int | None = None
) -> Iterator[tuple[str, pl.DataFrame]]:
    """Table ``name``'s rows per currency, alphabetically (the first ``top`` of each when
    given); nothing when the table has no column ``needs``."""
    frame = pack.tables[name].frame
    if needs is not None and needs not in frame.columns:
        return
    for cur in _currencies(frame):
        rows = frame.filter(pl.col("currency") == cur)
        yield cur, rows if top is None else rows.head(top)


def headline_charts(pack: ReviewPack) -> list[Chart]:
    out = []
    for cur, rows in _per_currency(pack, "headline"):
        series = {
            f"{pack.year_ago_month} (year ago)": rows["year_ago"].to_list(),
            f"{pack.previous_month} (previous)": rows["previous_month"].to_list(),
            pack.month: rows["this_month"].to_list(),
        }
        if rows["budget"].drop_nulls().len():
            series["budget"] = rows["budget"].to_list()
        out.append(
            Bars(f"Totals in {cur}", cur, rows["measure"].to_list(), series, value_label=cur)
        )
    return out


def breakdown_charts(pack: ReviewPack, name: str) -> list[Chart]:
    table = pack.tables[name]
    key = BREAKDOWN_KEYS[name]
    out = []
    for cur, rows in _per_currency(pack, name, needs=key, top=TOP_ITEMS):
        labels = rows[key].to_list()
        if name == "by_service":
            labels = [f"{p} / {s}" for p, s in zip(rows["provider"], rows["service"], strict=True)]
        elif name == "by_tag":
            labels = [f"{k}={v}" for k, v in zip(rows["tag_key"], rows["tag_value"], strict=True)]
        out.append(
            Bars(
                f"{table.title} in {cur} (largest {rows.height})",
                cur,
                labels,
                {
                    pack.previous_month: rows["previous_effective_cost"].to_list(),
                    pack.month: rows["effective_cost"].to_list(),
                },
                horizontal=True,
                value_label=f"Effective cost, {cur}",
            )
        )
    return out


def workload_charts(pack: ReviewPack) -> list[Chart]:
    out = []
    for cur, all_rows in _per_currency(pack, "by_workload", needs="unit_cost"):
        rows = all_rows.filter(pl.col("unit_cost").is_not_null())
        if rows.height == 0:
            continue
        ratio = [None if v is None else 100 * v for v in rows["unit_cost_change_ratio"].to_list()]
        out.append(
            Bars(
                f"Change in cost per unit of load since {month_text(pack.previous_month)} ({cur})",
                cur,
                [f"{w} ({u})" for w, u in zip(rows["workload"], rows["load_unit"], strict=True)],
                {"Change in unit cost, %": ratio},
                horizontal=True,
                value_label="change in unit cost, %",
            )
        )
    return out


def bridge_charts(pack: ReviewPack) -> list[Chart]:
    out = []
    for cur, rows in _per_currency(pack, "bridge"):
        steps = rows["step"].to_list()
        labels = [
            pack.previous_month
            if s == "previous_month"
            else pack.month
            if s == "this_month"
            else label(s)
            for s in steps
        ]
        measures = [
            "absolute" if s == "previous_month" else "total" if s == "this_month" else "relative"
            for s in steps
        ]
        out.append(
            Waterfall(
                f"Bridge {pack.previous_month} to {pack.month} ({cur}, effective cost)",
                cur,
                labels,
                rows["amount"].to_list(),
                measures,
            )
        )
    return out


def findings_charts(pack: ReviewPack) -> list[Chart]:
    out = []
    for cur, rows in _per_currency(pack, "findings", needs="amount", top=TOP_ITEMS):
        labels = [
            f"{w}: {label(k).lower()}" + (f" {p}" if p else "")
            for w, k, p in zip(rows["workload"], rows["kind"], rows["period"], strict=True)
        ]
        out.append(
            Bars(
                f"Findings in {cur} per month (anomalies: the day's excess)",
                cur,
                labels,
                {"amount": rows["amount"].to_list()},
                horizontal=True,
                value_label=cur,
            )
        )
    return out


def scaling_charts(pack: ReviewPack) -> list[Chart]:
    out = []
    for key in sorted(pack.charts):
        if not key.startswith("ceiling:"):
            continue
        frame = pack.charts[key]
        threshold = frame["threshold"].drop_nulls()
        out.append(
            Bands(
                f"{key.removeprefix('ceiling:')}: busiest hour per day against the ceiling",
                frame["timestamp"].to_list(),
                frame["actual"].to_list(),
                frame["mean"].to_list(),
                {"80% range": (frame["lo_80"].to_list(), frame["hi_80"].to_list())},
                float(threshold[0]) if threshold.len() else None,
                "load per second",
            )
        )
    return out


#: The charts drawn with each table (the breakdowns' are ``breakdown_charts``).
CHARTS: dict[str, Callable[[ReviewPack], list[Chart]]] = {
    "headline": headline_charts,
    "by_workload": workload_charts,
    "bridge": bridge_charts,
    "findings": findings_charts,
    "scaling": scaling_charts,
}


def charts_for(pack: ReviewPack, table_name: str) -> list[Chart]:
    """The charts drawn with a table (none for most)."""
    if table_name in BREAKDOWN_KEYS:
        return breakdown_charts(pack, table_name)
    chart = CHARTS.get(table_name)
    return chart(pack) if chart else []
