"""forecaster.views: the engine-side tables behind the dashboard, on the bundled sample (with
its planted ground truth) and on small hand-made inputs."""

from __future__ import annotations

import io
import zipfile

import polars as pl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from forecaster.errors import InputError
from forecaster.months import month_start
from forecaster.review.bridge import bridge_for_month
from forecaster.review.workloads import UNCLAIMED_PREFIX
from forecaster.spend import store_monthly_spend
from forecaster.store import BillingStore
from forecaster.views import data, export, forecast, overview, review, workloads
from forecaster.views import scaling as scaling_views
from forecaster.workloads import load_workloads, unclaimed_cost, workload_series
from tests import dashboard_support as support
from tests.dashboard_support import EVIL, EVIL_MONTHS


@pytest.fixture(scope="session")
def sample(tmp_path_factory):
    return support.session_sample(tmp_path_factory)


CENT = 0.01


@pytest.fixture(scope="module")
def world(sample):
    """The sample's workloads, daily series, fits over all data, unclaimed cost and spend."""
    ws = load_workloads(sample["workloads"])
    series = workload_series(sample["store"], ws, "day")
    return {
        "workloads": ws,
        "series": series,
        "fits": workloads.fit_window(series, ws),
        "unclaimed": unclaimed_cost(sample["store"], ws, "month"),
        "spend": store_monthly_spend(sample["store"]),
        "charges": BillingStore(sample["store"]).scan(),
        "store": sample["store"],
    }


# -- workloads -------------------------------------------------------------------------
def test_every_sample_workload_gets_a_curve(world):
    assert sorted(world["fits"]) == sorted(w.name for w in world["workloads"])
    assert all(f.curve is not None for f in world["fits"].values())


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("search", "scaling_excess"),
        ("media-cdn", "efficiency_drift"),
        ("reporting-batch", "idle_baseline"),
        ("notifications", "anomaly"),
    ],
)
def test_findings_table_shows_each_planted_effect(world, name, kind):
    table = workloads.findings_table(world["fits"])
    assert table.filter((pl.col("workload") == name) & (pl.col("kind") == kind)).height >= 1


def test_anomalies_are_money_of_one_period_with_its_date(world):
    table = workloads.findings_table(world["fits"])
    spikes = table.filter((pl.col("workload") == "notifications") & (pl.col("kind") == "anomaly"))
    assert set(spikes["per"]) == {"period"}
    assert {"2026-03-14", "2026-03-15", "2026-03-16"} <= set(spikes["period_start"])


def test_summary_waste_is_the_last_months_waste_of_the_one_definition(world):
    from forecaster.waste import monthly_waste

    summary = workloads.summary_table(world["fits"])
    waste = monthly_waste(world["fits"])
    for row in summary.iter_rows(named=True):
        mine = waste.filter(pl.col("workload") == row["workload"]).tail(1).row(0, named=True)
        assert (row["waste_month"], row["waste"]) == (mine["month"], mine["waste"])


def test_idle_baseline_of_reporting_batch_is_near_the_truth(world):
    summary = workloads.summary_table(world["fits"]).filter(pl.col("workload") == "reporting-batch")
    assert summary["fixed_cost_per_month"][0] == pytest.approx(320 * 30.4375, rel=0.1)


@pytest.mark.parametrize(
    ("start", "end", "months"), [("2025-01", "2025-03", 3), (None, "2024-12", 2)]
)
def test_window_keeps_whole_months_inclusive(world, start, end, months):
    frame = world["series"].filter(pl.col("workload") == "search")
    kept = workloads.window(frame, start, end)
    assert kept["period_start"].dt.strftime("%Y-%m").n_unique() == months


def test_fit_over_a_window_uses_only_that_window(world):
    fits = workloads.fit_window(world["series"], world["workloads"], "2026-01", "2026-06")
    assert fits["search"].summary["n_periods"] == 181
    assert fits["search"].frame["period_start"].min().strftime("%Y-%m") == "2026-01"


def test_a_window_too_short_to_fit_says_why(world):
    few = workloads.fit_window(world["series"].head(3), world["workloads"][:1])
    (fit,) = few.values()
    assert fit.curve is None and fit.decomposition is None
    assert fit.summary["model"] is None and fit.summary["reason"]


@pytest.mark.parametrize("month", ["2026-13", "26-01", "soon", ""])
def test_month_start_names_a_bad_month(month):
    with pytest.raises(InputError, match="YYYY-MM"):
        month_start(month)


def test_curve_band_brackets_the_mean_over_rising_load(world):
    band = workloads.curve_band(world["fits"]["search"])
    assert band["load"].is_sorted()
    assert (band["lo"] <= band["mean"]).all() and (band["mean"] <= band["hi"]).all()
    assert band["mean"].is_sorted()  # cost rises with load


def test_anomaly_periods_are_the_flagged_days(world):
    days = workloads.anomaly_periods(world["fits"]["notifications"])
    assert {"2026-03-14", "2026-03-15", "2026-03-16"} <= set(
        days["period_start"].dt.strftime("%Y-%m-%d").to_list()
    )


# -- overview --------------------------------------------------------------------------
def test_monthly_split_adds_up_to_the_months_spend(world):
    split = overview.monthly_split(world["fits"], world["series"], world["unclaimed"], "USD")
    spend = world["spend"].filter(pl.col("currency") == "USD")
    total = split.select("month", pl.sum_horizontal(overview.SPLIT_PARTS).alias("parts"))
    joined = total.join(spend.select("month", "effective_cost"), on="month")
    assert joined.height == 24
    assert (joined["parts"] - joined["effective_cost"]).abs().max() < CENT


def test_monthly_split_shows_the_idle_baseline_and_scaling_excess(world):
    split = overview.monthly_split(world["fits"], world["series"], world["unclaimed"], "USD")
    last = split.row(-1, named=True)
    # reporting-batch alone idles at ~320 USD/day
    assert last["idle_baseline"] > 320 * 28
    assert last["scaling_excess"] > 0  # search's k = 1.35
    assert last["organic"] > last["idle_baseline"]


def test_monthly_split_measures_drift_against_the_windows_first_day(world):
    # media-cdn's unit cost creeps up: drift starts near zero and grows, never negative
    split = overview.monthly_split(world["fits"], world["series"], world["unclaimed"], "USD")
    drift = split["efficiency_drift"]
    assert drift.min() >= 0
    assert drift[0] < 0.05 * drift[-1]
    assert drift[-1] > drift[len(drift) // 2] > drift[0]


def test_monthly_split_in_eur_is_all_unclaimed(world):
    split = overview.monthly_split(world["fits"], world["series"], world["unclaimed"], "EUR")
    assert (split["unclaimed"] > 1000).all()
    assert split.select(pl.sum_horizontal("organic", "idle_baseline")).to_series().sum() == 0


def _partition(period: str, status: str, source: str = "s", currency: str = "USD") -> dict:
    return {
        "billing_period": period,
        "status": status,
        "source": source,
        "rows": 1,
        "files": [{"name": "f.csv", "format": "focus"}],
        "ingested_at": "2026-11-01T00:00:00+00:00",
        "totals": {
            currency: {
                "rows": 1,
                "billed_cost": 10.0,
                "effective_cost": 9.0,
                "list_cost": 11.0,
            }
        },
    }


def test_a_month_is_open_while_any_source_has_it_open():
    parts = [
        _partition("2026-10", "closed", "cur"),
        _partition("2026-11", "closed", "cur"),
        _partition("2026-11", "open", "cost-explorer"),
    ]
    status = overview.period_status(parts)
    assert dict(zip(status["month"], status["status"], strict=True)) == {
        "2026-10": "closed",
        "2026-11": "open",
    }
    assert status.filter(pl.col("month") == "2026-11")["sources"][0] == "cost-explorer, cur"


def test_headline_takes_the_last_closed_month_and_the_open_one_apart():
    spend = pl.DataFrame(
        {
            "month": ["2026-08", "2026-09", "2026-10"],
            "currency": ["USD"] * 3,
            "effective_cost": [100.0, 110.0, 30.0],
        }
    )
    status = overview.period_status(
        [
            _partition("2026-08", "closed"),
            _partition("2026-09", "closed"),
            _partition("2026-10", "open"),
        ]
    )
    waste = pl.DataFrame(
        {
            "workload": ["a", "b", "a", "c"],
            "currency": ["USD", "USD", "USD", "EUR"],
            "month": ["2026-09", "2026-09", "2026-10", "2026-09"],
            "idle_baseline": [1.0, 2.0, 50.0, 7.0],
            "scaling_excess": [0.5, 0.0, 0.0, 0.0],
            "efficiency_drift": [1.5, 0.0, 0.0, 0.0],
            "waste": [3.0, 2.0, 50.0, 7.0],
        }
    )
    head = overview.headline(spend, status, waste, "USD")
    assert head["last_closed_month"] == "2026-09"
    assert head["change"] == pytest.approx(10.0)
    assert head["open_months"] == ["2026-10"] and head["open_cost"] == 30.0
    # the waste of the last closed month, summed over its workloads, in its currency only
    assert (head["waste_month"], head["waste"]) == ("2026-09", 5.0)
    assert head["waste_parts"] == {
        "idle_baseline": 3.0,
        "scaling_excess": 0.5,
        "efficiency_drift": 1.5,
    }


def test_tag_values_come_back_verbatim_and_untagged_rows_are_named(world):
    by_tag = overview.monthly_spend_by_tag(world["charges"], "team")
    assert "team" in overview.tag_keys(world["charges"])
    assert EVIL in by_tag["tag"].to_list()
    assert overview.UNTAGGED in by_tag["tag"].to_list()
    spend = world["spend"]
    for currency in ("USD", "EUR"):
        assert by_tag.filter(pl.col("currency") == currency)[
            "effective_cost"
        ].sum() == pytest.approx(
            spend.filter(pl.col("currency") == currency)["effective_cost"].sum()
        )


# -- review ----------------------------------------------------------------------------
UNCLAIMED_EVIL = f"{UNCLAIMED_PREFIX}AWS / {EVIL}"


@pytest.fixture(scope="module")
def bridge_doc(world, sample):
    return {m: bridge_for_month(world["store"], m, sample["workloads"]) for m in EVIL_MONTHS}


def test_months_with_previous_skip_the_first_month(world):
    months = review.months_with_previous(world["spend"], "USD")
    assert months[0] == "2024-12" and months[-1] == "2026-10" and len(months) == 23


def test_currency_bridge_picks_one_currency(bridge_doc):
    usd = review.currency_bridge(bridge_doc["2026-10"], "USD")
    assert usd.month == "2026-10" and usd.previous_month == "2026-09"
    assert review.currency_bridge(bridge_doc["2026-10"], "JPY") is None


def test_the_hostile_service_is_new_in_its_first_month(bridge_doc):
    bridge = review.currency_bridge(bridge_doc[EVIL_MONTHS[0]], "USD")
    new = next(s for s in bridge.steps if s.kind == "new_services")
    assert [i.item for i in new.items] == [UNCLAIMED_EVIL]
    assert new.amount == pytest.approx(2 * 12.34)


def test_steps_table_runs_from_total_to_total(bridge_doc):
    bridge = review.currency_bridge(bridge_doc["2026-10"], "USD")
    table = review.steps_table(bridge)
    assert table["step"][0] == "total 2026-09" and table["step"][-1] == "total 2026-10"
    assert table["amount"][1:-1].sum() == pytest.approx(bridge.total_change, abs=CENT)


def test_items_table_puts_the_biggest_change_first(bridge_doc):
    items = review.items_table(review.currency_bridge(bridge_doc["2026-10"], "USD"))
    changes = items["change"].abs().to_list()
    assert changes == sorted(changes, reverse=True)
    assert UNCLAIMED_EVIL in items["item"].to_list()


def test_month_findings_keep_monthly_money_and_that_months_anomalies(world):
    table = workloads.findings_table(world["fits"])
    march = review.month_findings(table, "2026-03", "USD")
    anomalies = march.filter(pl.col("per") == "period")
    assert anomalies.height >= 3
    assert anomalies["period_start"].str.starts_with("2026-03").all()
    assert (
        march.filter(pl.col("per") == "month").height
        == table.filter(pl.col("per") == "month").height
    )


# -- export ----------------------------------------------------------------------------
@given(st.text())
def test_safe_filename_keeps_only_harmless_characters(text):
    name = export.safe_filename("review", text, suffix=".zip")
    assert name.endswith(".zip")
    assert all(ch.isascii() and (ch.isalnum() or ch in "-_.") for ch in name)
    assert "/" not in name and not name.startswith(".")


@pytest.fixture(scope="module")
def pack(world, sample):
    from forecaster.review import build_review

    return build_review(
        world["store"], "2026-10", sample["workloads"], loadtest_dir=sample["loadtests"]
    )


@pytest.mark.parametrize(("fmt", "magic"), [("xlsx", b"PK"), ("pdf", b"%PDF"), ("html", b"<!")])
def test_review_file_is_one_file_of_the_format(pack, fmt, magic):
    name, content = export.review_file(pack, fmt)
    assert name == f"review-2026-10.{fmt}"
    assert content.lstrip()[: len(magic)].upper() == magic.upper()


def test_review_csv_download_is_a_zip_of_the_packs_tables(pack):
    name, content = export.review_file(pack, "csv")
    assert name == "review-2026-10-csv.zip"
    names = zipfile.ZipFile(io.BytesIO(content)).namelist()
    assert "review-2026-10-bridge.csv" in names and "review-2026-10-findings.csv" in names


def test_review_csv_keeps_hostile_text_from_being_a_formula(pack):
    _, content = export.review_file(pack, "csv")
    archive = zipfile.ZipFile(io.BytesIO(content))
    text = "".join(archive.read(n).decode() for n in archive.namelist())
    assert EVIL in text
    assert "\n=" not in text and ",=" not in text


def test_review_file_rejects_an_unknown_format(pack):
    with pytest.raises(InputError, match="xlsx"):
        export.review_file(pack, "docx")


# -- store (Data page) -----------------------------------------------------------------
def test_periods_table_has_a_row_per_partition_and_currency(world):
    parts = BillingStore(world["store"]).partitions()
    table = data.periods_table(parts)
    assert table.height == sum(len(p["totals"]) for p in parts)
    assert set(table["source"]) == {"sample-focus", "evil"}


def test_sources_table_spans_each_sources_periods(world):
    table = data.sources_table(BillingStore(world["store"]).partitions())
    row = table.filter(pl.col("source") == "sample-focus").row(0, named=True)
    assert (row["first_period"], row["last_period"], row["periods"]) == ("2024-11", "2026-10", 24)


def test_restatements_table_lists_each_currencys_change():
    catalog = {
        "restatements": [
            {
                "source": "cur",
                "billing_period": "2026-09",
                "at": "2026-10-03T10:00:00+00:00",
                "previous_status": "closed",
                "changes": {
                    "USD": {"before": 100.0, "after": 90.0, "change": -10.0, "flagged": True},
                    "EUR": {"before": 5.0, "after": 6.0, "change": 1.0, "flagged": False},
                },
            }
        ]
    }
    table = data.restatements_table(catalog)
    assert table.height == 2
    assert table.filter(pl.col("currency") == "USD")["flagged"][0] is True


def test_reconciliation_problems_name_the_partition_and_column():
    part = _partition("2026-09", "closed", "cur")
    part["reconciliation"] = {"USD": {"BilledCost": {"source": 10.0, "stored": 10.2}}}
    (problem,) = data.reconciliation_problems([part])
    assert "cur 2026-09 USD BilledCost" in problem


def test_coverage_problems_count_periods_missing_a_side():
    coverage = pl.DataFrame({"workload": ["a", "b"], "cost_only": [3, 0], "load_only": [0, 0]})
    assert data.coverage_problems(coverage) == [
        "workload a: 3 period(s) with cost but no load (left out of its cost curve)"
    ]


def test_load_table_has_one_row_per_series(world):
    from forecaster.load import LoadStore

    table = data.load_table(LoadStore(world["store"]).partitions())
    assert table.height == 5 and set(table["months"]) == {24}


# -- scaling ---------------------------------------------------------------------------
@pytest.fixture(scope="module")
def usl(sample):
    from forecaster.scaling import USLModel
    from forecaster.scaling.loadtest import read_load_tests

    points = read_load_tests([sample["loadtests"]])
    return USLModel().fit(points["load"].to_numpy(), points["throughput"].to_numpy())


def test_coefficients_table_has_the_peak_near_the_truth(usl):
    table = scaling_views.coefficients_table(usl)
    peak = table.filter(pl.col("figure") == "peak load N*").row(0, named=True)
    assert peak["low"] < 34.5 < peak["high"]


def test_month_bridge_doc_equals_forecaster_bridge(world, sample):
    doc = review.month_bridge_doc(world["charges"], world["workloads"], world["series"], "2026-10")
    assert doc == bridge_for_month(world["store"], "2026-10", sample["workloads"])


# -- forecast & TCO --------------------------------------------------------------------


def test_future_months_cross_the_year():
    assert forecast.future_months("2026-11", 3) == ["2026-12", "2027-01", "2027-02"]


def test_default_what_if_changes_nothing():
    settings, (base, what) = forecast.scenarios(forecast.WhatIf(), samples=50)
    assert base.name == "baseline" and what.changes_nothing
    assert (settings.horizon_months, settings.samples) == (36, 50)


def test_what_if_carries_every_control():
    what = forecast.WhatIf(
        horizon_months=24, growth=0.3, fix_workload="search", fix_from="2027-01",
        idle_reduction=0.5, linear=True, migration_cost=1000.0, commitment_coverage=0.6,
        commitment_discount=0.28, commitment_term=36, price_change=-0.05, price_from="2027-03",
    )  # fmt: skip
    settings, (_, sc) = forecast.scenarios(what)
    assert settings.horizon_months == 24 and sc.growth == {"*": 0.3}
    (fix,) = sc.fixes
    assert (fix.workload, fix.start, fix.idle_reduction, fix.linear) == (
        "search",
        "2027-01",
        0.5,
        True,
    )
    assert (sc.commitment.coverage, sc.commitment.term_months) == (0.6, 36)
    assert (sc.price.change, sc.price.start) == (-0.05, "2027-03")


def test_a_fix_without_a_start_month_is_left_out():
    _, (_, sc) = forecast.scenarios(forecast.WhatIf(fix_workload="search", idle_reduction=0.5))
    assert sc.fixes == ()


def _tco_doc():
    from forecaster.tco.result import (
        Band,
        ByTime,
        CurrencyResult,
        MonthBand,
        ScenarioResult,
        TCOResult,
    )

    def band(p50):
        return Band(p50 - 1, p50, p50 + 1)

    def scenario(name, total, months):
        per_month = total / len(months)
        return ScenarioResult(
            name=name,
            description="",
            monthly=tuple(MonthBand(per_month - 1, per_month, per_month + 1, m) for m in months),
            cumulative=band(total),
            next_3_months=band(total),
            next_12_months=band(total),
            npv=band(total * 0.9),
            npv_saving_vs_baseline=band(0.0 if name == "baseline" else 90.0),
            break_even_month=None if name == "baseline" else "2027-02",
            break_even_probability=None if name == "baseline" else 0.93,
            one_off=0.0,
            labour=0.0,
        )

    months = ("2026-11", "2026-12")
    usd = CurrencyResult("USD", (), (), ByTime("", ()), (scenario("baseline", 1000.0, months),
                         scenario("what-if", 900.0, months)))  # fmt: skip
    return TCOResult(("api",), "2026-11-01", months, 2, 1000, 0, 0.08, "baseline", 1.0, (usd,))


def test_comparison_table_puts_scenarios_side_by_side():
    table = forecast.comparison_table(_tco_doc(), "USD")
    assert table.columns == ["figure", "baseline", "what-if"]
    rows = {r["figure"]: r for r in table.iter_rows(named=True)}
    assert rows["TCO over 2 months (P50)"]["what-if"] == "USD 900.00"  # to the cent
    assert rows["break-even month"] == {
        "figure": "break-even month",
        "baseline": "-",
        "what-if": "2027-02",
    }
    assert rows["chance the scenario is cheaper by the horizon"]["what-if"] == "93%"


def test_monthly_bands_have_a_row_per_scenario_and_month():
    bands = forecast.monthly_bands(_tco_doc(), "USD")
    assert bands.height == 4 and set(bands["scenario"]) == {"baseline", "what-if"}
    assert forecast.monthly_bands(_tco_doc(), "EUR").height == 0


def test_canonical_what_if_forgets_settings_that_change_nothing():
    idle = forecast.WhatIf(fix_from="2027-01", idle_reduction=0.5, price_from="2026-11")
    half_commitment = forecast.WhatIf(commitment_coverage=0.5, commitment_term=36)
    assert idle.canonical() == forecast.WhatIf() == half_commitment.canonical()
    real = forecast.WhatIf(fix_workload="search", fix_from="2027-01", price_change=-0.1)
    assert real.canonical() == real
