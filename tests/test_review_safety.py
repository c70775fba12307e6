"""Text from billing data never becomes a formula (XLSX, CSV) or markup (HTML)."""

from __future__ import annotations

import csv
import io
import re
from functools import lru_cache

import openpyxl
import polars as pl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from forecaster.review import Table, build_review, write_review
from forecaster.review.csv_out import table_csv
from forecaster.review.fmt import label
from forecaster.review.safe import FORMULA_STARTS, neutralise
from tests.review_helpers import _tempdir, make_store, row

HOSTILE = {
    "=": '=HYPERLINK("http://evil.example","click")',
    "+": "+1+cmd|' /C calc'!A0",
    "-": "-2+3",
    "@": "@SUM(1+1)*cmd|' /C calc'!A0",
    "tab": "\t=1+1",
    "cr": "\r=1+1",
}
SCRIPT = "<script>alert(1)</script>"


@lru_cache(maxsize=1)
def hostile_pack():
    """A store whose service names, account names and tag values are hostile, written."""
    tmp = _tempdir("review-hostile-")
    rows = []
    for i, name in enumerate([*HOSTILE.values(), SCRIPT]):
        for month in ("2026-09", "2026-10"):
            rows.append(
                row(
                    month,
                    10.0 + i,
                    service=name,
                    account_name=name,
                    tags={"team": name},
                )
            )
    pack = build_review(make_store(tmp, rows), "2026-10", tag_keys=["team"])
    out = tmp / "out"
    write_review(pack, out, ["xlsx", "csv", "html"])
    return pack, out


def _csv_column(name: str, column: str) -> list[str]:
    _, out = hostile_pack()
    text = (out / f"review-2026-10-{name}.csv").read_bytes().decode("utf-8")  # keep CRs
    return [r[column] for r in csv.DictReader(io.StringIO(text, newline=""))]


def _xlsx_column(sheet: str, column: str) -> list[openpyxl.cell.Cell]:
    _, out = hostile_pack()
    ws = openpyxl.load_workbook(out / "review-2026-10.xlsx")[sheet]
    header = [c.value for c in ws[1]]
    j = header.index(label(column)) + 1
    return [ws.cell(r, j) for r in range(2, ws.max_row + 1)]


@pytest.mark.parametrize(
    ("table", "column"),
    [("by_service", "service"), ("by_account", "account_name"), ("by_tag", "tag_value")],
)
@pytest.mark.parametrize("start", list(HOSTILE))
def test_csv_text_that_looks_like_a_formula_gets_an_apostrophe(table, column, start):
    assert "'" + HOSTILE[start] in _csv_column(table, column)
    assert HOSTILE[start] not in _csv_column(table, column)


def _ooxml(text: str) -> str:
    """Undo OOXML's escaping of control characters (a CR is stored as _x000D_), which
    Excel decodes and openpyxl leaves as is."""
    return re.sub(r"_x([0-9A-Fa-f]{4})_", lambda m: chr(int(m.group(1), 16)), text)


@pytest.mark.parametrize(
    ("sheet", "column"),
    [("by_service", "service"), ("by_account", "account_name"), ("by_tag", "tag_value")],
)
@pytest.mark.parametrize("start", list(HOSTILE))
def test_xlsx_text_that_looks_like_a_formula_is_a_neutralised_string(sheet, column, start):
    cells = {_ooxml(c.value): c for c in _xlsx_column(sheet, column)}
    cell = cells["'" + HOSTILE[start]]
    assert cell.data_type == "s"  # a string cell, never a formula ("f")
    assert HOSTILE[start] not in cells


def test_xlsx_has_no_formula_anywhere():
    _, out = hostile_pack()
    wb = openpyxl.load_workbook(out / "review-2026-10.xlsx")
    for ws in wb.worksheets:
        for cells in ws.iter_rows():
            for cell in cells:
                assert cell.data_type != "f", (ws.title, cell.coordinate, cell.value)


def test_html_shows_script_as_text():
    _, out = hostile_pack()
    html = (out / "review-2026-10.html").read_text()
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html  # in the tables
    assert "&lt;script&gt;alert(1)&lt;\\u002fscript&gt;" in html  # chart labels, hover texts


def test_html_has_no_raw_hostile_text():
    _, out = hostile_pack()
    html = (out / "review-2026-10.html").read_text()
    assert 'HYPERLINK("http' not in html  # quotes are escaped too


@given(st.text(max_size=30))
def test_neutralised_text_never_starts_like_a_formula(text):
    safe = neutralise(text)
    assert not safe.startswith(FORMULA_STARTS)
    assert safe == text or safe == "'" + text


@given(st.lists(st.text(max_size=20), min_size=1, max_size=5))
def test_csv_cells_read_back_as_the_neutralised_text(texts):
    frame = pl.DataFrame({"name": texts, "amount": [-1.5] * len(texts)})
    table = Table("t", "t", frame, {"amount": "money"})
    rows = list(csv.reader(io.StringIO(table_csv(table).decode(), newline="")))
    assert [r[0] for r in rows[1:]] == [neutralise(t) for t in texts]
    assert [r[1] for r in rows[1:]] == ["-1.50"] * len(texts)
