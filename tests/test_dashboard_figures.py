"""Figure builders as plain functions: data in, plotly figure out; text from data escaped."""

from __future__ import annotations

import html

import numpy as np
import polars as pl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from dashboard import figures
from dashboard.figures.common import esc
from dashboard.figures.review import bridge_waterfall, value_range
from dashboard.figures.spend import OTHER, top_n
from dashboard.figures.workloads import WEBGL_MIN_POINTS
from forecaster.curves.bridge_result import BridgeItem, BridgeStep, MonthBridge
from forecaster.portfolio import WorkloadFit
from forecaster.scaling import USLModel
from forecaster.views.overview import SPLIT_PARTS
from tests.dashboard_support import EVIL

MARKUP = ("<img", "<script", "<b>", "<a ")


def texts(fig) -> list[str]:
    """Every piece of text plotly would render as (pseudo-)HTML in a figure."""
    out = [fig.layout.title.text or ""]
    out += [a.text or "" for a in fig.layout.annotations]
    for trace in fig.data:
        out.append(trace.name or "")
        for attr in ("x", "y", "text", "customdata"):
            values = getattr(trace, attr, None)
            if values is not None and not isinstance(values, str | int | float):
                out += [v for v in np.asarray(values, dtype=object).ravel() if isinstance(v, str)]
    return out


def assert_no_markup(fig) -> None:
    for text in texts(fig):
        assert not any(tag in text for tag in MARKUP), text


def spend_frame(values: dict[str, float], month: str = "2026-10", by: str = "service"):
    return pl.DataFrame(
        {
            "month": [month] * len(values),
            "currency": ["USD"] * len(values),
            by: list(values),
            "effective_cost": list(values.values()),
        }
    )


@given(st.text())
def test_esc_round_trips_through_html_unescape(text):
    assert html.unescape(esc(text)) == text
    assert "<" not in esc(text) and ">" not in esc(text)


def test_spend_by_month_escapes_billing_values_in_trace_names():
    fig = figures.spend_by_month(spend_frame({EVIL: 1.0, "EC2": 2.0}), "USD", "service")
    assert esc(EVIL) in [t.name for t in fig.data]
    assert_no_markup(fig)


def test_spend_by_month_hatches_open_months():
    frame = pl.concat([spend_frame({"EC2": 1.0}, "2026-09"), spend_frame({"EC2": 2.0}, "2026-10")])
    fig = figures.spend_by_month(frame, "USD", "service", open_months=["2026-10"])
    assert list(fig.data[0].marker.pattern.shape) == ["", "/"]
    assert "open month" in fig.layout.title.text


def test_spend_by_month_keeps_currencies_apart():
    frame = pl.concat(
        [spend_frame({"EC2": 1.0}), spend_frame({"VM": 5.0}).with_columns(currency=pl.lit("EUR"))]
    )
    fig = figures.spend_by_month(frame, "EUR", "service")
    assert [t.name for t in fig.data] == ["VM"] and list(fig.data[0].y) == [5.0]


def test_spend_by_month_without_data_says_so():
    fig = figures.spend_by_month(spend_frame({}), "USD", "service")
    assert fig.data == () and "No USD billing data" in fig.layout.annotations[0].text


@given(st.lists(st.floats(0, 1e6), min_size=1, max_size=40))
def test_top_n_folds_the_rest_and_keeps_the_total(values):
    frame = spend_frame({f"svc-{i}": v for i, v in enumerate(values)})
    folded = top_n(frame, "service", n=5)
    assert folded["service"].n_unique() <= 6
    assert folded["effective_cost"].sum() == pytest.approx(frame["effective_cost"].sum())
    if len(values) > 6:
        assert OTHER in folded["service"].to_list()


def test_organic_waste_stacks_nonzero_parts_in_order():
    split = pl.DataFrame(
        {"month": ["2026-09", "2026-10"], **{p: [0.0, 0.0] for p in SPLIT_PARTS}}
    ).with_columns(organic=pl.lit(5.0), efficiency_drift=pl.Series([-1.0, 0.0]))
    fig = figures.organic_waste(split, "USD")
    assert [t.name.split(" ")[0] for t in fig.data] == ["Organic", "Efficiency"]
    assert fig.layout.barmode == "relative"


def bridge(
    steps: list[tuple[str, float]], previous: float = 100.0, items: tuple = ()
) -> MonthBridge:
    change = sum(v for _, v in steps)
    return MonthBridge(
        month="2026-10",
        previous_month="2026-09",
        previous_cost=previous,
        cost=previous + change,
        total_change=change,
        steps=tuple(BridgeStep(k, v, items=items) for k, v in steps),
        by_item=(),
    )


def test_waterfall_runs_from_total_to_total():
    fig = bridge_waterfall(bridge([("volume", 10.0), ("rate_price", -4.0)]), "USD")
    (trace,) = fig.data
    assert list(trace.measure) == ["absolute", "relative", "relative", "total"]
    assert list(trace.y) == [100.0, 10.0, -4.0, 106.0]
    assert "+USD 6.00" in fig.layout.title.text  # money as forecaster.format writes it
    assert "axis starts at USD 94" in fig.layout.yaxis.title.text  # the cut axis is said


def test_waterfall_hover_escapes_new_service_names():
    b = bridge([("new_services", 3.0)], items=(BridgeItem(f"unclaimed: AWS: {EVIL}", 3.0),))
    fig = bridge_waterfall(b, "USD")
    assert esc(EVIL) in fig.data[0].customdata[1]
    assert_no_markup(fig)


@given(
    st.floats(0, 1e7),
    st.lists(st.floats(-1e5, 1e5), min_size=1, max_size=8),
)
def test_waterfall_range_holds_every_running_total(previous, steps):
    b = bridge([(f"s{i}", v) for i, v in enumerate(steps)], previous)
    lo, hi = value_range(b)
    level = previous
    for v in [0.0, *steps]:
        level += v
        assert lo <= level <= hi


@pytest.fixture(scope="module")
def usl() -> tuple[pl.DataFrame, USLModel]:
    n = np.array([1, 2, 4, 8, 16, 24, 32, 48, 64], dtype=float)
    x = 100 * n / (1 + 0.05 * (n - 1) + 0.001 * n * (n - 1))
    return pl.DataFrame({"load": n, "throughput": x}), USLModel().fit(n, x)


def test_usl_curve_marks_the_peak(usl):
    points, model = usl
    fig = figures.usl_curve(points, model, EVIL)
    star = next(t for t in fig.data if (t.name or "").startswith("peak N*"))
    assert star.x[0] == pytest.approx(np.sqrt(0.95 / 0.001), rel=1e-3)
    assert_no_markup(fig)


def test_usl_curve_draws_past_the_peak(usl):
    points, model = usl
    fit = next(t for t in figures.usl_curve(points, model, "t").data if t.name.startswith("USL"))
    assert max(fit.x) > 1.5 * model.peak_load_


def test_empty_figure_escapes_its_message():
    fig = figures.empty(f"no data for {EVIL}")
    assert_no_markup(fig)
    assert html.unescape(fig.layout.annotations[0].text) == f"no data for {EVIL}"


def test_unclaimed_by_month_shows_the_share():
    frame = pl.DataFrame(
        {
            "period_start": pl.Series(["2026-10-01"]).str.to_datetime(time_zone="UTC"),
            "currency": ["USD"],
            "total_cost": [200.0],
            "claimed_cost": [150.0],
            "unclaimed_cost": [50.0],
        }
    )
    fig = figures.unclaimed_by_month(frame, "USD")
    unclaimed = next(t for t in fig.data if t.name == "unclaimed")
    assert list(unclaimed.customdata) == [0.25]


def hourly_fit(n: int) -> WorkloadFit:
    """A workload with ``n`` hourly periods and no curve."""
    from datetime import UTC, datetime, timedelta

    start = datetime(2026, 1, 1, tzinfo=UTC)
    frame = pl.DataFrame(
        {
            "period_start": [start + timedelta(hours=i) for i in range(n)],
            "cost": np.linspace(1.0, 2.0, n),
            "load": np.linspace(100.0, 200.0, n),
        }
    )
    return WorkloadFit("api", "USD", "requests", frame, None, {"name": "api", "model": None})


@pytest.mark.parametrize(
    ("n", "kind"), [(WEBGL_MIN_POINTS - 1, "Scatter"), (WEBGL_MIN_POINTS, "Scattergl")]
)
def test_long_series_are_drawn_with_webgl(n, kind):
    fit = hourly_fit(n)
    empty_band = pl.DataFrame(schema={c: pl.Float64 for c in ("load", "mean", "lo", "hi")})
    scatter = figures.cost_vs_load(fit, empty_band, fit.frame.head(0))
    assert [type(t).__name__ for t in scatter.data] == [kind]
    over_time = figures.cost_over_time(fit, fit.frame.head(0), "day")
    (trace,) = over_time.data  # summed per day: a day's points, never one per hour
    assert len(trace.x) == len({str(t)[:10] for t in fit.frame["period_start"].to_list()})


def test_cost_forecast_draws_history_then_each_scenarios_band():
    history = pl.DataFrame({"month": ["2026-09", "2026-10"], "effective_cost": [10.0, 11.0]})
    bands = pl.DataFrame(
        {
            "scenario": ["baseline", "baseline", EVIL, EVIL],
            "month": ["2026-11", "2026-12"] * 2,
            "p10": [9.0, 9.5, 8.0, 8.5],
            "p50": [11.5, 12.0, 10.0, 10.5],
            "p90": [14.0, 15.0, 12.0, 13.0],
        }
    )
    fig = figures.cost_forecast(history, bands, "USD", "Cost forecast")
    names = [t.name for t in fig.data]
    assert names[0] == "Actual" and "baseline median" in names
    assert f"{esc(EVIL)}: 80% range (P10 to P90)" in names  # the range named once
    band = next(t for t in fig.data if t.name == "baseline: 80% range (P10 to P90)")
    assert band.fill == "tonexty" and list(band.x) == ["2026-11-01", "2026-12-01"]
    assert fig.layout.xaxis.type == "date"
    assert_no_markup(fig)
