"""The PDF report's page and its building blocks: geometry, fonts, paragraph styles, tables
that fill the width and charts drawn as images.

Laid out with reportlab's platypus (flowing paragraphs and tables that split across pages
with their header row repeated), rather than by placing text by hand: tables fill the
width, long text wraps in proportional type. Charts are drawn with matplotlib
(``pdf_charts``) at a size that fits their content and embedded as images. Fonts are
DejaVu Sans, embedded (``register_fonts``), so every character of a bill prints and
``pdftotext`` reads the text back.

``para`` is a paragraph of plain text (escaped: billing strings are never markup),
``para_markup`` one of our own markup; ``S`` holds the paragraph styles.
"""

from __future__ import annotations

import io
import os
from dataclasses import dataclass
from xml.sax.saxutils import escape

import matplotlib
import polars as pl
from matplotlib.figure import Figure
from reportlab.lib import colors
from reportlab.lib.enums import TA_LEFT, TA_RIGHT
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Flowable, Image, Paragraph, TableStyle
from reportlab.platypus import Table as RLTable

from forecaster import format as F
from forecaster.review.chart_data import Bands, Bars, Chart, Waterfall
from forecaster.review.fmt import display_value, label
from forecaster.review.pack import Table
from forecaster.review.pdf_charts import draw

PAGE = landscape(A4)  # points
MARGIN = 14 * mm
WIDTH = PAGE[0] - 2 * MARGIN  # usable width, points
FONT, BOLD = "ReportSans", "ReportSans-Bold"
INK, MUTED, RULE, ZEBRA, HEAD_BG = "#1f2933", "#52606d", "#1f3a5f", "#f3f5f8", "#e8eef4"
CELL_PT, CELL_MIN_PT = 7.5, 6.0
WRAP_COLUMNS = {
    "evidence",
    "detail",
    "explanation",
    "latency_explanation",
    "reason",
    "note",
    "load_tests",
}
CHART_DPI = 200
RC = {"font.family": "DejaVu Sans", "axes.titlesize": 9, "svg.hashsalt": "review"}
WIDE_COLUMNS = 11  # a table this wide with few rows reads better turned on its side


def register_fonts() -> None:
    if FONT in pdfmetrics.getRegisteredFontNames():
        return
    ttf = os.path.join(matplotlib.get_data_path(), "fonts", "ttf")
    pdfmetrics.registerFont(TTFont(FONT, os.path.join(ttf, "DejaVuSans.ttf")))
    pdfmetrics.registerFont(TTFont(BOLD, os.path.join(ttf, "DejaVuSans-Bold.ttf")))
    pdfmetrics.registerFontFamily(FONT, normal=FONT, bold=BOLD, italic=FONT, boldItalic=BOLD)


def _style(name: str, size: float, **kw) -> ParagraphStyle:
    base = {"fontName": FONT, "fontSize": size, "leading": size * 1.3, "textColor": INK}
    return ParagraphStyle(name, **{**base, **kw})


@dataclass(frozen=True)
class _Styles:
    title = _style("title", 20, fontName=BOLD, leading=24, spaceAfter=2)
    subtitle = _style("subtitle", 9.5, textColor=MUTED, spaceAfter=8)
    h1 = _style("h1", 14, fontName=BOLD, leading=18, spaceBefore=6, spaceAfter=4, textColor=RULE)
    h2 = _style("h2", 10.5, fontName=BOLD, leading=13, spaceBefore=6, spaceAfter=3)
    body = _style("body", 9, spaceAfter=4)
    lead = _style("lead", 10.5, leading=14, spaceAfter=5)
    key = _style("key", 10.5, fontName=BOLD, leading=14, spaceBefore=5, textColor=RULE)
    small = _style("small", 7.5, textColor=MUTED, spaceAfter=3)


S = _Styles()


def para(text: str, style: ParagraphStyle) -> Paragraph:
    """A paragraph of plain text (escaped: billing strings are never markup)."""
    return Paragraph(escape(text), style)


def para_markup(markup: str, style: ParagraphStyle) -> Paragraph:
    """A paragraph of our own markup (callers escape every value they put in)."""
    return Paragraph(markup, style)


# --- tables -----------------------------------------------------------------------------


def _cell_style(size: float, right: bool, bold: bool = False) -> ParagraphStyle:
    return _style(
        f"cell{size}{right}{bold}",
        size,
        leading=size * 1.22,
        alignment=TA_RIGHT if right else TA_LEFT,
        fontName=BOLD if bold else FONT,
    )


def _widths(
    header: list[str], rows: list[list[str]], wrap: list[bool], size: float, width: float = WIDTH
) -> list[float]:
    """Column widths that fill the page: each column's natural width (its longest cell,
    headers may wrap onto two lines), wrapping text columns given way when the table is
    too wide, the spare width shared out in proportion when it is narrow."""
    pad = 6.0

    def w(text: str, bold: bool = False) -> float:
        return pdfmetrics.stringWidth(text, BOLD if bold else FONT, size)

    natural, floor = [], []
    for j, head in enumerate(header):
        words = head.split() or [""]
        head_w = max(max(w(x, True) for x in words), w(head, True) / 2)
        cells = [w(r[j]) for r in rows] or [0.0]
        content = max(cells)
        if wrap[j]:
            content = min(content, 260.0)
        natural.append(max(head_w, content) + pad)
        floor.append(max(head_w, 60.0 if wrap[j] else content) + pad)
    total = sum(natural)
    if total <= width:
        spare = width - total
        weights = [n * (3 if wr else 1) for n, wr in zip(natural, wrap, strict=True)]
        return [n + spare * wt / sum(weights) for n, wt in zip(natural, weights, strict=True)]
    flexible = [j for j in range(len(header)) if wrap[j] or natural[j] > floor[j]]
    excess = total - width
    give = sum(natural[j] - floor[j] for j in flexible)
    out = list(natural)
    if give > 0:
        for j in flexible:
            out[j] -= min(excess, give) * (natural[j] - floor[j]) / give
    return out


def grid(
    header: list[str],
    rows: list[list[str]],
    right: list[bool],
    wrap: list[bool],
    width: float = WIDTH,
) -> RLTable:
    """A table filling ``width`` (the page's by default), splitting across pages with its
    header repeated."""
    size = CELL_PT
    while size > CELL_MIN_PT:
        widths = _widths(header, rows, wrap, size, width)
        if sum(widths) <= width + 0.5:
            break
        size -= 0.5
    widths = _widths(header, rows, wrap, size, width)
    if sum(widths) > width:  # still too wide: scale every column
        widths = [x * width / sum(widths) for x in widths]
    head = [para(h, _cell_style(size, r, bold=True)) for h, r in zip(header, right, strict=True)]
    body = [
        [para(c, _cell_style(size, r)) for c, r in zip(row, right, strict=True)] for row in rows
    ]
    t = RLTable([head, *body], colWidths=widths, repeatRows=1, hAlign="LEFT")
    style = [
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor(HEAD_BG)),
        ("LINEBELOW", (0, 0), (-1, 0), 0.8, colors.HexColor(RULE)),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("TOPPADDING", (0, 0), (-1, -1), 1.6),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 1.6),
        ("LEFTPADDING", (0, 0), (-1, -1), 3),
        ("RIGHTPADDING", (0, 0), (-1, -1), 3),
        ("LINEBELOW", (0, -1), (-1, -1), 0.4, colors.HexColor(MUTED)),
    ]
    for i in range(2, len(rows) + 1, 2):
        style.append(("BACKGROUND", (0, i), (-1, i), colors.HexColor(ZEBRA)))
    t.setStyle(TableStyle(style))
    return t


def is_sideways(table: Table) -> bool:
    """A wide table of few rows, shown turned on its side (one column per row)."""
    return len(table.frame.columns) >= WIDE_COLUMNS and 0 < table.frame.height <= 3


def table_flowables(table: Table, width: float = WIDTH) -> list[Flowable]:
    """A pack table as a report table: human headers, reading formats, numbers right
    aligned; a wide table of few rows turned on its side (one column per row)."""
    frame = table.frame
    columns = frame.columns
    kinds = [table.kind(c) for c in columns]
    rows = [
        [display_value(v, k) for v, k in zip(row, kinds, strict=True)] for row in frame.iter_rows()
    ]
    header = [label(c) for c in columns]
    if not rows:
        return [para(table.note or "No rows.", S.small)]
    if is_sideways(table):
        key = 0
        side_header = ["", *(r[key] for r in rows)]
        side_rows = [
            [header[j], *(r[j] for r in rows)]
            for j in range(1, len(columns))
            if any(r[j] not in ("", F.DASH) for r in rows)  # a field empty for every row
        ]
        right = [False, *([True] * len(rows))]
        if any(kinds[j] == "text" for j in range(1, len(columns))):
            right = [False] * (len(rows) + 1)
        wrap = [False, *([True] * len(rows))]
        return [grid(side_header, side_rows, right, wrap, width)]
    right = [k != "text" for k in kinds]
    wrap = [k == "text" and c in WRAP_COLUMNS for c, k in zip(columns, kinds, strict=True)]
    return [grid(header, rows, right, wrap, width)]


# --- charts -----------------------------------------------------------------------------


def _chart_size(chart: Chart, width_in: float) -> tuple[float, float]:
    """Inches: horizontal bars take the height their categories need, others a fixed aspect."""
    if isinstance(chart, Bars) and chart.horizontal:
        rows = len(chart.categories) * max(1.0, 0.55 * len(chart.series))
        return width_in, min(4.6, 0.9 + 0.18 * rows)
    if isinstance(chart, Bands):
        return width_in, 2.6
    if isinstance(chart, Waterfall):
        return width_in, 2.8
    return width_in, 2.6


def chart_image(chart: Chart, width_pt: float) -> Image:
    """The chart drawn by matplotlib at ``width_pt`` points wide, as an embedded PNG."""
    w_in, h_in = _chart_size(chart, width_pt / 72)
    with matplotlib.rc_context(RC):
        fig = Figure(figsize=(w_in, h_in), layout="constrained")
        ax = fig.add_subplot()
        draw(ax, chart)
        buf = io.BytesIO()
        fig.savefig(buf, format="png", dpi=CHART_DPI, metadata={"Software": None})
    buf.seek(0)
    return Image(buf, width=w_in * 72, height=h_in * 72)


TOP_ALIGNED = TableStyle(
    [("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 0)]
)


def chart_row(charts: list[Chart]) -> list[Flowable]:
    """Charts side by side, two to a row, each half the width (a lone chart too, so a
    one-currency pack does not blow a small chart up to the page)."""
    out: list[Flowable] = []
    half = WIDTH / 2 - 6
    for i in range(0, len(charts), 2):
        pair = [chart_image(c, half) for c in charts[i : i + 2]]
        row = RLTable([pair], colWidths=[WIDTH / 2] * len(pair), hAlign="LEFT")
        row.setStyle(TOP_ALIGNED)
        out.append(row)
    return out


# --- reading the pack's tables ---------------------------------------------------------


def rows_where(frame: pl.DataFrame, **where) -> list[dict]:
    for k, v in where.items():
        if k in frame.columns:
            frame = frame.filter(pl.col(k) == v)
    return frame.to_dicts()


def no_rows(table: Table, column: str) -> bool:
    """No rows, or not the ``column`` the summary reads (the table's note says why)."""
    return table.frame.height == 0 or column not in table.frame.columns
