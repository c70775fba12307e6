"""One question, one answer: on the bundled sample and on a store built from the real FOCUS
and CUR files in ../shared/data/billing, the ceiling date, TCO P10/P50/P90 per scenario,
waste per workload and in total, the bridge's steps and the headline totals are equal (cents
equal, dates equal) in the CLI's --json, the review pack's XLSX and CSV, and the dashboard
callbacks' output."""

from __future__ import annotations

import csv
import io
import json
from contextlib import redirect_stdout
from pathlib import Path

import openpyxl
import pytest

from forecaster import format as F
from forecaster.cli import main
from tests import dashboard_support as support
from tests.dashboard_support import text_of

MONTH = "2026-10"
SHARED = Path(__file__).resolve().parents[1] / ".." / "shared" / "data" / "billing"


def cli_json(*argv: str) -> dict:
    out = io.StringIO()
    with redirect_stdout(out):
        assert main([*argv, "--json"]) == 0
    return json.loads(out.getvalue())


def cents(value) -> int | None:
    return None if value in (None, "") else round(float(value) * 100)


class Pack:
    """The review pack's CSV tables and XLSX sheets, read back as written."""

    def __init__(self, out: Path, month: str):
        self.out, self.month = out, month
        self.wb = openpyxl.load_workbook(out / f"review-{month}.xlsx")

    def csv(self, table: str) -> list[dict]:
        with (self.out / f"review-{self.month}-{table}.csv").open() as f:
            return list(csv.DictReader(f))

    def xlsx(self, table: str) -> list[dict]:
        """Rows keyed by the CSV's column names (the sheet has the same columns in order)."""
        names = list(self.csv(table)[0]) if self.csv(table) else []
        rows = list(self.wb[table].iter_rows(values_only=True))[1:]
        return [dict(zip(names, r, strict=False)) for r in rows]


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    paths = support.session_sample(tmp_path_factory)
    pages = support.pages_for(paths)
    from dashboard import loader

    scenarios = paths["sample"] / "scenarios.toml"
    loader.configure(paths["store"], paths["workloads"], paths["loadtests"], scenarios)
    out = tmp_path_factory.mktemp("pack")
    w = ["--store", str(paths["store"]), "--workloads", str(paths["workloads"])]
    review = cli_json("review", "--month", MONTH, "--out", str(out), "--formats", "csv,xlsx",
                      "--loadtests", str(paths["loadtests"]), "--scenarios", str(scenarios), *w)  # fmt: skip
    docs = {
        "review": review,
        "tco": cli_json("tco", "--scenarios", str(scenarios), *w),
        "bridge": cli_json("bridge", "--month", MONTH, *w),
        "curves": cli_json("curves", *w),
        "scaling": cli_json(
            "scaling", str(paths["loadtests"] / "search-loadtest.csv"), "--workload", "search", *w
        ),  # fmt: skip
    }
    yield {"paths": paths, "pages": pages, "pack": Pack(out, MONTH), "cli": docs}
    support.configure(paths)


def _bridge_equal(cli_bridge: dict, pack: Pack, pages, currency: str, month: str) -> None:
    block = next(b for b in cli_bridge["currencies"] if b["currency"] == currency)
    expected = [cents(block["previous_cost"])] + [cents(s["amount"]) for s in block["steps"]]
    expected.append(cents(block["cost"]))
    for rows in (pack.csv("bridge"), pack.xlsx("bridge")):
        mine = [cents(r["amount"]) for r in rows if r["currency"] == currency]
        assert mine == expected
    _, steps, *_ = pages["review"].update(currency, month, "xlsx")
    assert [cents(r["amount"]) for r in steps.rowData] == expected


def _headline_equal(review: dict, pack: Pack, pages, currency: str) -> None:
    row = next(
        r
        for r in review["headline"]
        if r["currency"] == currency and r["measure"] == "EffectiveCost"
    )
    for rows in (pack.csv("headline"), pack.xlsx("headline")):
        got = next(r for r in rows if r["currency"] == currency and r["measure"] in
                   ("EffectiveCost", F.label("EffectiveCost")))  # fmt: skip
        assert cents(got["this_month"]) == cents(row["this_month"])
        assert cents(got["previous_month"]) == cents(row["previous_month"])
    _, _, kpis, *_ = pages["overview"].update(currency, "provider", None)
    assert F.money(row["this_month"], currency) in text_of(kpis)


def test_bridge_steps_and_headline_totals_agree_on_the_sample(sample):
    for currency in ("USD", "EUR"):
        _bridge_equal(sample["cli"]["bridge"], sample["pack"], sample["pages"], currency, MONTH)
        _headline_equal(sample["cli"]["review"], sample["pack"], sample["pages"], currency)


def test_waste_per_workload_and_in_total_agrees_on_the_sample(sample):
    months = [m for m in sample["cli"]["curves"]["waste"]["months"] if m["month"] == MONTH]
    expected = {m["workload"]: cents(m["waste"]) for m in months}
    total = sum(expected.values())
    for rows in (sample["pack"].csv("waste"), sample["pack"].xlsx("waste")):
        got = {
            "total" if r["workload"] in ("total", "Total") else r["workload"]: cents(r["waste"])
            for r in rows
            if r["currency"] == "USD"
        }
        assert got == {**expected, "total": total}
    _, _, kpis, *_ = sample["pages"]["overview"].update("USD", "provider", None)
    assert F.money(total / 100, "USD") in text_of(kpis)  # the headline: waste in 2026-10


def test_tco_bands_per_scenario_agree_on_the_sample(sample):
    doc = sample["cli"]["tco"]
    assert (doc["samples"], doc["seed"]) == (1000, 0)
    compare, _, _ = sample["pages"]["forecast"].update(
        "USD", 36, 8, None, None, "2027-01", 0, [], 0, 0, 0, 0, 0, 12, 0, "2026-11"
    )
    note, grid = compare
    assert "1,000 Monte Carlo paths, seed 0" in text_of(note)
    shown = {r["figure"]: r for r in grid.rowData}
    for currency in ("USD", "EUR"):
        block = next(c for c in doc["currencies"] if c["currency"] == currency)
        for i, s in enumerate(block["scenarios"]):
            band = s["cumulative"]
            for rows in (sample["pack"].csv("tco"), sample["pack"].xlsx("tco")):
                got = [r for r in rows if r["currency"] == currency][i]  # the CLI's order
                assert str(got["scenario"]).lower() == s["name"].lower()
                assert [cents(got[f"tco_{p}"]) for p in ("p10", "p50", "p90")] == [
                    cents(band[p]) for p in ("p10", "p50", "p90")
                ], (currency, s["name"])
                assert (str(got["break_even_month"] or "")[:7] or None) == s["break_even_month"]
            if currency == "USD":
                assert (
                    shown["TCO over 36 months (P50)"][s["name"]] == f"{currency} {band['p50']:,.2f}"
                )
                assert shown["TCO P10 to P90"][s["name"]] == (
                    f"USD {band['p10']:,.2f} to {band['p90']:,.2f}"
                )


def test_the_ceiling_date_agrees_on_the_sample(sample):
    c = sample["cli"]["scaling"]["workload_ceiling"]
    assert c["ceiling_date"] is not None
    for rows in (sample["pack"].csv("scaling"), sample["pack"].xlsx("scaling")):
        row = next(r for r in rows if r["workload"] == "search")
        got = [str(row[k])[:10] for k in ("ceiling_date", "ceiling_date_80_early",
                                          "ceiling_date_80_late")]  # fmt: skip
        assert got == [c["ceiling_date"], c["ceiling_date_80_early"], c["ceiling_date_80_late"]]
    *_, ceiling, _ = sample["pages"]["scaling"].update("search-loadtest.csv", "search", 0.8)
    assert f"reaches 80% of the ceiling ({c['threshold_per_second']:,.1f} per second) on " \
           f"{c['ceiling_date']}" in text_of(ceiling)  # fmt: skip


@pytest.fixture(scope="module")
def real(tmp_path_factory):
    """A store of the real FOCUS 1.0 sample and the legacy CUR sample, no workloads."""
    from forecaster.ingest import ingest_billing

    root = tmp_path_factory.mktemp("real")
    store = root / "store"
    ingest_billing([SHARED / "focus-1.0-sample.csv"], store, source="focus")
    ingest_billing([SHARED / "aws-legacy-cur-sample.csv"], store, source="cur")
    paths = support.session_sample(tmp_path_factory)
    pages = support.pages_for(paths)
    from dashboard import loader

    loader.configure(store, None)
    out = root / "pack"
    docs = {
        month: {
            "review": cli_json(
                "review",
                "--month",
                month,
                "--store",
                str(store),
                "--out",
                str(out),
                "--formats",
                "csv,xlsx",
            ),  # fmt: skip
            "bridge": cli_json("bridge", "--month", month, "--store", str(store)),
        }
        for month in ("2024-09", "2023-11")
    }
    docs["tco"] = cli_json("tco", "--store", str(store))
    yield {"store": store, "pages": pages, "out": out, "cli": docs}
    support.configure(paths)


def test_bridge_and_headline_agree_on_real_billing(real):
    for month in ("2024-09", "2023-11"):
        pack = Pack(real["out"], month)
        review = real["cli"][month]["review"]
        for currency in review["currencies"]:
            _bridge_equal(real["cli"][month]["bridge"], pack, real["pages"], currency, month)
            row = next(r for r in review["headline"]
                       if r["currency"] == currency and r["measure"] == "EffectiveCost")  # fmt: skip
            for rows in (pack.csv("headline"), pack.xlsx("headline")):
                got = next(r for r in rows if r["currency"] == currency and r["measure"] in
                           ("EffectiveCost", F.label("EffectiveCost")))  # fmt: skip
                assert cents(got["this_month"]) == cents(row["this_month"])


def test_tco_by_time_agrees_on_real_billing(real):
    doc = real["cli"]["tco"]
    compare, _, _ = real["pages"]["forecast"].update(
        "USD", 36, 8, None, None, None, 0, [], 0, 0, 0, 0, 0, 12, 0, None
    )
    note, grid = compare
    shown = {r["figure"]: r for r in grid.rowData}
    base = next(c for c in doc["currencies"] if c["currency"] == "USD")["scenarios"][0]
    assert shown["TCO over 36 months (P50)"]["baseline"] == f"USD {base['cumulative']['p50']:,.2f}"
