"""The review pack as a PDF report for email: A4 landscape, a first page a CFO can read
alone, then one section per subject with its charts and tables, each page numbered
"Page i of N".

Laid out with reportlab's platypus (flowing paragraphs and tables that split across pages
with their header row repeated), rather than by placing text by hand: tables fill the
width, long text wraps in proportional type, and a page is only cut where content ends.
Charts are drawn with matplotlib (``pdf_charts``) at a size that fits their content and
embedded as images. Fonts are DejaVu Sans, embedded, so every character of a bill prints
and ``pdftotext`` reads the text back; the file is invariant (no creation date, fixed id),
so the same pack gives the same bytes. The page's building blocks are in ``pdf_layout``,
the first page in ``pdf_first_page``; this module lays out the sections and writes the file.

Every figure is written by ``forecaster.format`` (money with currency, no exponent, dates
as dates, human labels); the sentences of the first page are drawn from the pack's own
tables, so the report cannot disagree with the XLSX or CSV.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl
from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.pdfgen import canvas as rl_canvas
from reportlab.platypus import CondPageBreak, Flowable, KeepTogether, SimpleDocTemplate, Spacer

from forecaster import format as F
from forecaster.review.chart_data import Bands, Chart, charts_for
from forecaster.review.pack import ReviewPack, Table
from forecaster.review.pdf_first_page import first_page
from forecaster.review.pdf_layout import (
    FONT,
    MARGIN,
    MUTED,
    PAGE,
    ZEBRA,
    S,
    chart_row,
    grid,
    no_rows,
    para,
    register_fonts,
    table_flowables,
)

FORECAST_MONTHS = 12


# --- sections ---------------------------------------------------------------------------

SECTIONS: list[tuple[str, list[str]]] = [
    ("Spend", ["headline", "by_provider", "by_service", "by_account", "by_tag"]),
    ("Why it changed", ["bridge", "bridge_by_item"]),
    ("Waste found", ["waste", "findings", "by_workload", "cost_curves"]),
    ("Scaling", ["scaling"]),
    ("Forecast and scenarios", ["forecast", "tco"]),
    ("Data quality", ["data_quality"]),
]
NO_CHARTS = {"by_provider", "by_account", "by_tag", "findings"}  # tables short enough alone


def _description(table: Table) -> list[Flowable]:
    out = []
    if table.description:
        out.append(para(table.description, S.small))
    if table.note and table.note != table.description:
        out.append(para(f"Note: {table.note}", S.small))
    return out


def _forecast_flowables(pack: ReviewPack, table: Table) -> list[Flowable]:
    """The forecast as a chart of the monthly total and a table of months by item
    (median), not the raw rows: every row with its range is in the CSV and XLSX."""
    if no_rows(table, "p50"):
        return table_flowables(table)
    frame = table.frame
    out: list[Flowable] = []
    summary = frame.filter(pl.col("period").str.starts_with("next "))
    if summary.height:
        out += table_flowables(Table(table.name, table.title, summary, dict(table.kinds)))
        out.append(Spacer(1, 4))
    monthly = frame.filter(~pl.col("period").str.starts_with("next "))
    charts: list[Chart] = []
    for cur in sorted(set(monthly["currency"].to_list())):
        rows = monthly.filter((pl.col("currency") == cur) & (pl.col("item") == "total"))
        if rows.height:
            charts.append(
                Bands(
                    f"Monthly cost forecast, {cur} (median and 80% range)",
                    rows["period"].to_list(),
                    [None] * rows.height,
                    rows["p50"].to_list(),
                    {"80% range": (rows["p10"].to_list(), rows["p90"].to_list())},
                    None,
                    cur,
                )
            )
    out += chart_row(charts)
    pivot = (
        monthly.select("currency", "item", "period", "p50")
        .pivot(on="period", index=["currency", "item"], values="p50")
        .sort("currency", pl.col("item") == "total", "item")
    )
    months = [c for c in pivot.columns if c not in ("currency", "item")][:FORECAST_MONTHS]
    header = ["Currency", "Item", *(m for m in months)]
    rows = [
        [str(r["currency"]), str(r["item"]), *(F.money(r[m], None, 0) for m in months)]
        for r in pivot.iter_rows(named=True)
    ]
    out.append(
        para(
            "Median (P50) by month and item; ranges for every month are in the CSV and XLSX.", S.h2
        )
    )
    out.append(
        grid(
            header,
            rows,
            [False, False, *([True] * len(months))],
            [False, True, *([False] * len(months))],
        )
    )
    return out


def _section_flowables(
    pack: ReviewPack, table: Table, lead: list[Flowable] | None = None
) -> list[Flowable]:
    """A table's heading, description, charts and rows. Headings stay with what follows
    (``lead``: the section heading before the first table); a table splits across pages
    once its heading and a few rows fit, a chart moves whole to the next page."""
    head = [*(lead or []), para(table.title, S.h2), *_description(table)]
    if table.name == "forecast":
        return [CondPageBreak(160), *head, *_forecast_flowables(pack, table), Spacer(1, 6)]
    charts = [] if table.name in NO_CHARTS else charts_for(pack, table.name)
    if table.name == "headline":
        charts = []  # the bridge carries the months' totals; the headline table says the rest
    body = table_flowables(table)
    if not charts:
        return [CondPageBreak(110), *head, *body, Spacer(1, 6)]
    rows = chart_row(charts)
    return [KeepTogether([*head, rows[0]]), *rows[1:], *body, Spacer(1, 6)]


def _story(pack: ReviewPack) -> list[Flowable]:
    story = first_page(pack)
    placed: set[str] = set()
    for title, names in SECTIONS:
        tables = [pack.tables[n] for n in names if n in pack.tables]
        if not tables:
            continue
        lead: list[Flowable] = [para(title, S.h1)]
        for table in tables:
            story += _section_flowables(pack, table, lead)
            placed.add(table.name)
            lead = []
    others = [t for n, t in pack.tables.items() if n not in placed]
    if others:
        lead = [para("Other tables", S.h1)]
        for table in others:
            story += _section_flowables(pack, table, lead)
            lead = []
    return story


class _NumberedCanvas(rl_canvas.Canvas):
    """Draws "Page i of N" once N is known (pages are kept until the document is saved)."""

    month = ""

    def __init__(self, *args, **kw):
        super().__init__(*args, **kw)
        self._pages: list[dict] = []

    def showPage(self):  # noqa: N802 (reportlab's name)
        self._pages.append(dict(self.__dict__))
        self._startPage()

    def save(self):
        total = len(self._pages)
        for state in self._pages:
            self.__dict__.update(state)
            self._furniture(total)
            super().showPage()
        super().save()

    def _furniture(self, total: int) -> None:
        self.setFont(FONT, 7)
        self.setFillColor(colors.HexColor(MUTED))
        y = 8 * mm
        self.drawString(MARGIN, y, f"Cloud cost review {self.month}")
        self.drawRightString(PAGE[0] - MARGIN, y, f"Page {self._pageNumber} of {total}")
        self.setStrokeColor(colors.HexColor(ZEBRA))
        self.line(MARGIN, y + 9, PAGE[0] - MARGIN, y + 9)


def render_pdf(pack: ReviewPack, path: Path) -> int:
    """Write the PDF report to ``path``; returns the number of pages."""
    register_fonts()
    month = F.month_text(pack.month)

    class Canvas(_NumberedCanvas):
        pass

    Canvas.month = month
    doc = SimpleDocTemplate(
        str(path),
        pagesize=PAGE,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=MARGIN + 4 * mm,
        title=f"Cloud cost review {month}",
        author="cloud cost forecaster",
        creator="cloud cost forecaster",
        invariant=1,
    )
    doc.build(_story(pack), canvasmaker=Canvas)
    return doc.page
