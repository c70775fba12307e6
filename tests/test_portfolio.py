"""The sample's documented ground truth is what the cost curves find (data/README.md)."""

from __future__ import annotations

import json

import pytest

from forecaster.portfolio import curves_report, fit_store_workloads
from forecaster.review.bridge import bridge_for_month
from forecaster.store import BillingStore


@pytest.fixture(scope="module")
def fits(sample_data):
    sample, store = sample_data
    found = fit_store_workloads(store, sample / "workloads.toml", n_boot=200, random_state=0)
    return {f.name: f.summary for f in found}


def kinds(summary):
    return {f["kind"] for f in summary["findings"]}


def test_search_cost_grows_faster_than_its_load(fits):
    search = fits["search"]
    assert search["model"] == "power"
    assert search["exponent"] == pytest.approx(1.35, abs=0.05)
    assert search["exponent_ci"][0] > 1.0
    assert "scaling_excess" in kinds(search)


@pytest.mark.parametrize("name", ["checkout-api", "reporting-batch", "media-cdn", "notifications"])
def test_linear_workloads_are_not_flagged_for_scaling_excess(fits, name):
    assert "scaling_excess" not in kinds(fits[name])
    assert fits[name]["exponent"] == pytest.approx(1.0, abs=0.05)


def test_reporting_batch_carries_the_idle_baseline(fits):
    batch = fits["reporting-batch"]
    assert batch["fixed_cost_per_day"] == pytest.approx(320, rel=0.1)
    idle = next(f for f in batch["findings"] if f["kind"] == "idle_baseline")
    assert idle["amount_per_month"] == pytest.approx(320 * 30.4375, rel=0.1)
    biggest_idle = max(fits.values(), key=lambda s: s["fixed_cost_per_day"] or 0)
    assert biggest_idle["name"] == "reporting-batch"


def test_media_cdn_unit_cost_drifts_up(fits):
    assert "efficiency_drift" in kinds(fits["media-cdn"])
    drifting = {name for name, s in fits.items() if "efficiency_drift" in kinds(s)}
    assert drifting == {"media-cdn"}


def test_the_notifications_incident_is_an_anomaly_and_black_friday_is_not(fits):
    days = {
        f["period_start"][:10] for f in fits["notifications"]["findings"] if f["kind"] == "anomaly"
    }
    assert {"2026-03-14", "2026-03-15", "2026-03-16"} <= days
    checkout_days = {
        f["period_start"][:10] for f in fits["checkout-api"]["findings"] if f["kind"] == "anomaly"
    }
    assert not checkout_days & {"2025-11-28", "2025-11-29", "2025-11-30", "2025-12-01"}


def test_curves_cli_on_the_store_reports_every_workload(sample_data, cli):
    sample, store = sample_data
    code, out = cli(
        "curves", "--store", str(store), "--workloads", str(sample / "workloads.toml"), "--json"
    )
    assert code == 0, out
    doc = json.loads(out)
    assert [w["name"] for w in doc["workloads"]] == [
        "checkout-api", "search", "reporting-batch", "media-cdn", "notifications",
    ]  # fmt: skip
    for w in doc["workloads"]:
        assert {"model", "fixed_cost_per_day", "fixed_cost_ci", "marginal_cost", "exponent",
                "exponent_ci", "r2", "findings"} <= set(w)  # fmt: skip


@pytest.mark.parametrize("month", ["2026-10", "2026-06", "2025-12"])
def test_bridge_totals_match_the_store_and_steps_sum_to_the_change(sample_data, month):
    sample, store = sample_data
    doc = bridge_for_month(store, month, sample / "workloads.toml")
    stored = {
        (p["billing_period"], c): t["effective_cost"]
        for p in BillingStore(store).partitions()
        for c, t in p["totals"].items()
    }
    for b in doc.currencies:
        assert b.cost == pytest.approx(stored[(month, b.currency)], abs=0.005)
        assert b.previous_cost == pytest.approx(stored[(b.previous_month, b.currency)], abs=0.005)
        cents = sum(round(s.amount * 100) for s in b.steps)
        assert cents == round(b.total_change * 100)


def test_bridge_shows_the_june_discount_as_a_rate_change(sample_data):
    sample, store = sample_data
    doc = bridge_for_month(store, "2026-06", sample / "workloads.toml")
    usd = next(b for b in doc.currencies if b.currency == "USD")
    rate = next(s for s in usd.steps if s.kind == "rate_price")
    assert rate.amount < -1000  # checkout's 5% negotiated discount from 2026-06-01


def test_bridge_cli_prints_every_step_per_currency(sample_data, cli):
    sample, store = sample_data
    code, out = cli("bridge", "--month", "2026-10", "--store", str(store),
                    "--workloads", str(sample / "workloads.toml"))  # fmt: skip
    assert code == 0
    assert "USD:" in out and "EUR:" in out and "volume (organic growth)" in out


def test_curves_report_keeps_unfittable_workloads_with_a_reason(sample_data, tmp_path):
    sample, store = sample_data
    spec = (
        (sample / "workloads.toml")
        .read_text()
        .replace('metric = "search.queries"', 'metric = "no.such.metric"')
    )
    path = tmp_path / "w.toml"
    path.write_text(spec)
    report = curves_report(fit_store_workloads(store, path, n_boot=20))
    search = next(w for w in report["workloads"] if w["name"] == "search")
    assert search["model"] is None and search["reason"]
