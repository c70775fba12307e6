"""The pack's files: XLSX read back with openpyxl reconciles to the store, CSV bytes are
reproducible, the HTML needs no network, the PDF's pages are numbered, and a failed run
leaves nothing half-written."""

from __future__ import annotations

import csv
import io
import re
import shutil
import subprocess

import openpyxl
import pytest

from forecaster.errors import InputError
from forecaster.review import build_review, parse_formats, write_review
from forecaster.review import write as write_module
from forecaster.review.fmt import label
from tests.review_helpers import (
    SAMPLE_MONTH,
    cents,
    sample_dirs,
    sample_pack,
    store_totals,
    written_sample,
)

MEASURES = {"BilledCost": "billed_cost", "EffectiveCost": "effective_cost", "ListCost": "list_cost"}
needs_pdftotext = pytest.mark.skipif(
    shutil.which("pdftotext") is None, reason="pdftotext (poppler-utils) is not installed"
)


def _workbook():
    out, _ = written_sample()
    return openpyxl.load_workbook(out / f"review-{SAMPLE_MONTH}.xlsx")


def _column_width(ws, j: int) -> float:
    """Width of column ``j`` (1-based); openpyxl keys a range of equal columns by its first."""
    for dim in ws.column_dimensions.values():
        if dim.min is not None and dim.min <= j <= dim.max:
            return dim.width
    raise AssertionError(f"column {j} has no width set")


def _records(ws) -> list[dict]:
    rows = list(ws.iter_rows(values_only=True))
    return [dict(zip(rows[0], r, strict=True)) for r in rows[1:]]


def test_every_file_of_the_pack_is_written():
    out, files = written_sample()
    pack = sample_pack()
    names = {f.name for f in files}
    assert {f"review-{SAMPLE_MONTH}.{ext}" for ext in ("xlsx", "html", "pdf")} <= names
    assert {f"review-{SAMPLE_MONTH}-{t}.csv" for t in pack.tables} <= names
    visible = sorted(p.name for p in out.iterdir() if not p.name.startswith("."))
    assert visible == sorted(names)  # no temporary files left
    hidden = out / f".review-{SAMPLE_MONTH}"  # the pack's one generation, its pointer, lock
    (generation,) = [p for p in hidden.iterdir() if p.name not in ("current", "lock")]
    assert sorted(p.name for p in generation.iterdir()) == sorted(names)


def test_xlsx_has_a_summary_sheet_and_one_sheet_per_table():
    wb = _workbook()
    assert wb.sheetnames == ["summary", *sample_pack().tables]


def test_xlsx_headline_reconciles_with_the_store_to_the_cent():
    _, store = sample_dirs()
    ws = _workbook()["headline"]
    expected = {
        label("this_month"): store_totals(store, "2026-10"),
        label("previous_month"): store_totals(store, "2026-09"),
        label("year_ago"): store_totals(store, "2025-10"),
    }
    records = _records(ws)
    assert len(records) == 6
    for r in records:
        for column, totals in expected.items():
            measure = {label(m): m for m in MEASURES}[r[label("measure")]]  # shown by label
            want = totals[r[label("currency")]][MEASURES[measure]]
            assert isinstance(r[column], float)
            assert cents(r[column]) == cents(want)


@pytest.mark.parametrize(
    ("sheet", "money"),
    [
        ("by_provider", label("effective_cost")),
        ("by_service", label("billed_cost")),
        ("by_account", label("list_cost")),
        ("by_workload", label("effective_cost")),
    ],
)
def test_xlsx_breakdowns_add_up_to_the_store_totals(sheet, money):
    _, store = sample_dirs()
    totals = store_totals(store, SAMPLE_MONTH)
    measure = {label(v): v for v in MEASURES.values()}[money]
    sums: dict[str, int] = {}
    for r in _records(_workbook()[sheet]):
        sums[r[label("currency")]] = sums.get(r[label("currency")], 0) + cents(r[money])
    assert sums == {c: cents(t[measure]) for c, t in totals.items()}


def test_xlsx_bridge_ends_are_the_store_totals():
    _, store = sample_dirs()
    ends = {
        (r[label("currency")], r[label("step")]): r[label("amount")]
        for r in _records(_workbook()["bridge"])
        if r[label("step")] in (label("previous_month"), label("this_month"))  # steps by label
    }
    for currency in ("EUR", "USD"):
        assert cents(ends[currency, label("this_month")]) == cents(
            store_totals(store, "2026-10")[currency]["effective_cost"]
        )
        assert cents(ends[currency, label("previous_month")]) == cents(
            store_totals(store, "2026-09")[currency]["effective_cost"]
        )


def test_xlsx_numbers_are_numbers_with_currency_formats():
    ws = _workbook()["by_service"]
    header = [c.value for c in ws[1]]
    money_col = header.index(label("effective_cost")) + 1
    currency_col = header.index(label("currency")) + 1
    for r in range(2, ws.max_row + 1):
        cell = ws.cell(r, money_col)
        assert cell.data_type == "n"
        assert f'"{ws.cell(r, currency_col).value}"' in cell.number_format
        assert cell.number_format.startswith("#,##0.00")
    ratio = ws.cell(2, header.index(label("share_of_month")) + 1)
    assert ratio.number_format == "0.0%"


@pytest.mark.parametrize("sheet", ["headline", "by_service", "findings", "data_quality"])
def test_xlsx_header_rows_are_frozen_and_columns_fit(sheet):
    ws = _workbook()[sheet]
    assert ws.freeze_panes == "A2"
    for j, cell in enumerate(ws[1], start=1):
        width = _column_width(ws, j)
        longest = max(
            len(str(c.value))
            for (c,) in ws.iter_rows(min_col=j, max_col=j)
            if c.value is not None and isinstance(c.value, str)
        )
        assert width >= min(longest, 58), (sheet, cell.value)


def test_csv_is_one_file_per_table_with_the_pack_columns():
    out, _ = written_sample()
    for name, table in sample_pack().tables.items():
        text = (out / f"review-{SAMPLE_MONTH}-{name}.csv").read_text()
        rows = list(csv.reader(io.StringIO(text)))
        assert rows[0] == table.frame.columns
        assert len(rows) == table.frame.height + 1


def test_csv_money_has_two_decimals_and_no_thousands_separator():
    out, _ = written_sample()
    text = (out / f"review-{SAMPLE_MONTH}-headline.csv").read_text()
    rows = list(csv.DictReader(io.StringIO(text)))
    assert all(re.fullmatch(r"-?\d+\.\d{2}", r["this_month"]) for r in rows)


def test_same_inputs_give_the_same_csv_bytes(tmp_path):
    out, store = sample_dirs()
    first = write_review(
        build_review(store, SAMPLE_MONTH, out / "workloads.toml"), tmp_path / "a", "csv"
    )
    second = write_review(
        build_review(store, SAMPLE_MONTH, out / "workloads.toml"), tmp_path / "b", "csv"
    )
    assert [p.name for p in first] == [p.name for p in second]
    for a, b in zip(first, second, strict=True):
        assert a.read_bytes() == b.read_bytes(), a.name


def test_html_is_self_contained():
    out, _ = written_sample()
    html = (out / f"review-{SAMPLE_MONTH}.html").read_text()
    assert not re.search(r"<script[^>]+src=", html)
    assert not re.search(r"<link[^>]+href=", html)
    # plotly.js itself (inlined in the head) names map tile servers it never calls here
    head, _, rest = html.partition("</head>")
    assert head.count("<script") == 1 and "plotly.js v" in head
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", rest)
    assert rest.count("Plotly.newPlot") >= 5  # interactive charts
    assert html.count("plotly.js v") == 1  # plotly.js inlined once


def test_html_shows_every_table():
    out, _ = written_sample()
    html = (out / f"review-{SAMPLE_MONTH}.html").read_text()
    for name in sample_pack().tables:
        assert f'<section id="{name}">' in html
    assert "fix search scaling" in html  # a TCO scenario of the sample's scenarios.toml


def _pdftotext(path, *args) -> str:
    return subprocess.run(
        ["pdftotext", *args, str(path), "-"], check=True, capture_output=True, text=True
    ).stdout


@needs_pdftotext
def test_pdf_pages_are_numbered():
    out, _ = written_sample()
    pdf = out / f"review-{SAMPLE_MONTH}.pdf"
    info = subprocess.run(["pdfinfo", str(pdf)], check=True, capture_output=True, text=True).stdout
    pages = int(re.search(r"Pages:\s+(\d+)", info).group(1))
    assert pages >= 3  # at most 12: tests/test_review_pdf_report.py
    for n in range(1, pages + 1):
        assert f"Page {n} of {pages}" in _pdftotext(pdf, "-f", str(n), "-l", str(n))


@needs_pdftotext
def test_pdf_has_every_section_and_the_totals():
    out, _ = written_sample()
    text = _pdftotext(out / f"review-{SAMPLE_MONTH}.pdf")
    for table in sample_pack().tables.values():
        assert table.title in text
    assert "205,910.14" in text  # USD effective cost of the month


def test_failed_run_leaves_no_half_written_pack(tmp_path, monkeypatch):
    out = tmp_path / "out"
    out.mkdir()
    (out / f"review-{SAMPLE_MONTH}-headline.csv").write_text("earlier pack\n")

    def broken(pack, path):
        path.write_bytes(b"%PDF-1.4 half")
        raise OSError("disk full")

    monkeypatch.setattr("forecaster.review.pdf_out.render_pdf", broken)
    with pytest.raises(OSError, match="disk full"):
        write_review(sample_pack(), out, ["csv", "pdf"])
    assert [p.name for p in out.iterdir()] == [f"review-{SAMPLE_MONTH}-headline.csv"]
    assert (out / f"review-{SAMPLE_MONTH}-headline.csv").read_text() == "earlier pack\n"


def test_files_are_renamed_into_place_only_after_all_rendered(tmp_path, monkeypatch):
    seen = []
    real = write_module.os.replace

    def spy(src, dst):
        hidden = tmp_path / "o" / f".review-{SAMPLE_MONTH}"
        generations = [g for g in hidden.iterdir() if g.is_dir() and not g.is_symlink()]
        seen.append(sorted(f.name for g in generations for f in g.iterdir()))
        real(src, dst)

    monkeypatch.setattr(write_module.os, "replace", spy)
    files = write_review(sample_pack(), tmp_path / "o", ["csv"])
    assert len(seen[0]) == len(files)  # every file is rendered before the first rename


@pytest.mark.parametrize("text", ["docx", "xlsx,doc", "", " , "])
def test_unknown_formats_are_refused(text):
    with pytest.raises(InputError, match="expected a comma-separated list of xlsx, csv, html, pdf"):
        parse_formats(text)


def test_formats_come_back_in_a_fixed_order():
    assert parse_formats("PDF, csv") == ["csv", "pdf"]
