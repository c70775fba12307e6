"""On the bundled sample, the latency budget's load and date are one answer: the review
pack, the dashboard's Scaling page and ``forecaster scaling --json`` (given the same
busiest-hour forecast) show the same figures, from one engine function
(``forecaster.scaling.budget.reach_budgets`` / ``budget_outlook``)."""

from __future__ import annotations

import json

import pytest
from dash import html

from forecaster.cli import main
from forecaster.sample import truth
from forecaster.scaling.reach import CEILING_SHARE
from tests import dashboard_support as support
from tests.review_helpers import sample_dirs, sample_pack
from tests.test_dashboard_callbacks import find, text_of

TRUE_BUDGET_LOAD = 11.45  # data/README.md: p95 = 2.0102 R(N) reaches 400 ms at 11.45 users


@pytest.fixture(scope="module")
def pack_row() -> dict:
    return sample_pack().tables["scaling"].frame.row(0, named=True)


@pytest.fixture(scope="module")
def pages(tmp_path_factory):
    return support.pages_for(support.session_sample(tmp_path_factory))


def test_the_pack_shows_the_sample_budget_beside_the_ceiling_date(pack_row):
    assert pack_row["latency_budget"] == truth.LATENCY_BUDGET
    assert pack_row["budget_load"] == pytest.approx(TRUE_BUDGET_LOAD, rel=0.05)
    assert pack_row["budget_load_low"] <= TRUE_BUDGET_LOAD <= pack_row["budget_load_high"]
    assert pack_row["budget_date"] < pack_row["ceiling_date"]
    # the search curve (F 25 + v load^1.35 USD/day) at ~47 q/s all day: ~4,500 USD per 4.1M
    assert 0.9 < pack_row["budget_cost_per_1000"] < 1.3
    sentence = pack_row["latency_explanation"]
    assert sentence.startswith(
        "p95 latency passes 400 ms at about 11.6 users (47.2 queries per second"
    )
    assert f"around {pack_row['budget_date']}" in sentence
    assert f"is reached later, {pack_row['ceiling_date']}" in sentence


def test_the_dashboard_shows_the_same_sentence(pages, pack_row):
    *_, ceiling, _ = pages["scaling"].update("search-loadtest.csv", "search", CEILING_SHARE)
    shown = text_of(ceiling)
    assert pack_row["latency_explanation"] in shown
    assert pack_row["ceiling_sentence"] in shown
    graph = find(html.Div(ceiling), "scaling-latency-p95")
    names = [t.name for t in graph.figure.data]
    assert "measured" in names and any((n or "").startswith("fitted (") for n in names)
    lines = graph.figure.layout.shapes
    assert any(shape.y0 == 400.0 for shape in lines)  # the budget
    assert any(shape.x0 == pytest.approx(pack_row["budget_load"]) for shape in lines)


def test_the_cli_json_gives_the_same_load_and_date(capsys, tmp_path, pack_row):
    from forecaster.load import read_load
    from forecaster.scaling.loadtest import read_load_tests
    from forecaster.scaling.reach import workload_ceiling
    from forecaster.scaling.usl import USLModel
    from forecaster.workloads import load_workloads

    out, store = sample_dirs()
    test = out / "loadtest" / "search-loadtest.csv"
    points = read_load_tests([test])
    model = USLModel().fit(points["load"], points["throughput"])
    search = next(w for w in load_workloads(out / "workloads.toml") if w.name == "search")
    reach = workload_ceiling(read_load(store), search, model)
    forecast = tmp_path / "busiest-hour.csv"
    reach.busiest_hour.forecast.write_csv(forecast)
    assert main(["scaling", str(test), "--json", "--latency-budget", truth.LATENCY_BUDGET,
                 "--forecast", str(forecast)]) == 0  # fmt: skip
    budget = json.loads(capsys.readouterr().out)["latency"]["budgets"][0]
    assert budget["budget_load"] == pytest.approx(pack_row["budget_load"], rel=1e-12)
    assert budget["budget_load_ci"] == pytest.approx(
        [pack_row["budget_load_low"], pack_row["budget_load_high"]], rel=1e-12
    )
    assert budget["throughput_at_budget"] == pytest.approx(pack_row["budget_throughput"], rel=1e-12)
    assert budget["budget_date"][:10] == pack_row["budget_date"]
    early, late = budget["budget_date_80"]
    assert (early[:10], late[:10]) == (
        pack_row["budget_date_80_early"],
        pack_row["budget_date_80_late"],
    )


def test_the_cli_with_the_workload_says_the_packs_sentence(capsys, pack_row):
    out, store = sample_dirs()
    test = out / "loadtest" / "search-loadtest.csv"
    argv = ["scaling", str(test), "--workload", "search", "--workloads",
            str(out / "workloads.toml"), "--store", str(store)]  # fmt: skip
    assert main([*argv, "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    latency = doc["latency"]
    assert latency["budgets_from"] == "the workloads file (search)"
    budget = latency["budgets"][0]
    assert budget["budget"] == truth.LATENCY_BUDGET
    assert budget["budget_load"] == pytest.approx(pack_row["budget_load"], rel=1e-12)
    assert budget["budget_date"][:10] == pack_row["budget_date"]
    assert latency["sentences"] == [pack_row["latency_explanation"]]
    assert budget["cost_per_1000_at_budget"] == pytest.approx(pack_row["budget_cost_per_1000"])
    assert budget["cost_currency"] == pack_row["budget_cost_currency"] == "USD"
    assert doc["workload_ceiling"]["ceiling_date"] == pack_row["ceiling_date"]
    assert main(argv) == 0
    assert pack_row["latency_explanation"] in capsys.readouterr().out
