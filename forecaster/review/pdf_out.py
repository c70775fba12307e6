"""The review pack as a PDF report for email: A4 landscape, a first page a CFO can read
alone, then one section per subject with its charts and tables, each page numbered
"Page i of N".

Laid out with reportlab's platypus (flowing paragraphs and tables that split across pages
with their header row repeated), rather than by placing text by hand: tables fill the
width, long text wraps in proportional type, and a page is only cut where content ends.
Charts are drawn with matplotlib (``pdf_charts``) at a size that fits their content and
embedded as images. Fonts are DejaVu Sans, embedded, so every character of a bill prints
and ``pdftotext`` reads the text back; the file is invariant (no creation date, fixed id),
so the same pack gives the same bytes.

Every figure is written by ``forecaster.format`` (money with currency, no exponent, dates
as dates, human labels); the sentences of the first page are drawn from the pack's own
tables, so the report cannot disagree with the XLSX or CSV.
"""

from __future__ import annotations

import io
import os
from dataclasses import dataclass
from pathlib import Path
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
from reportlab.pdfgen import canvas as rl_canvas
from reportlab.platypus import (
    CondPageBreak,
    Flowable,
    Image,
    KeepTogether,
    PageBreak,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    TableStyle,
)
from reportlab.platypus import Table as RLTable

from forecaster import format as F
from forecaster.review.chart_data import Bands, Bars, Chart, Waterfall, charts_for
from forecaster.review.fmt import display_value, label
from forecaster.review.pack import ReviewPack, Table
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
FORECAST_MONTHS = 12


def _fonts() -> None:
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


def _p(text: str, style: ParagraphStyle) -> Paragraph:
    """A paragraph of plain text (escaped: billing strings are never markup)."""
    return Paragraph(escape(text), style)


def _pm(markup: str, style: ParagraphStyle) -> Paragraph:
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


def _grid(
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
    head = [_p(h, _cell_style(size, r, bold=True)) for h, r in zip(header, right, strict=True)]
    body = [[_p(c, _cell_style(size, r)) for c, r in zip(row, right, strict=True)] for row in rows]
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
        return [_p(table.note or "No rows.", S.small)]
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
        return [_grid(side_header, side_rows, right, wrap, width)]
    right = [k != "text" for k in kinds]
    wrap = [k == "text" and c in WRAP_COLUMNS for c, k in zip(columns, kinds, strict=True)]
    return [_grid(header, rows, right, wrap, width)]


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


_TOP = TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 0)])


def chart_row(charts: list[Chart]) -> list[Flowable]:
    """Charts side by side, two to a row, each half the width (a lone chart too, so a
    one-currency pack does not blow a small chart up to the page)."""
    out: list[Flowable] = []
    half = WIDTH / 2 - 6
    for i in range(0, len(charts), 2):
        pair = [chart_image(c, half) for c in charts[i : i + 2]]
        row = RLTable([pair], colWidths=[WIDTH / 2] * len(pair), hAlign="LEFT")
        row.setStyle(
            TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 0)])
        )
        out.append(row)
    return out


# --- the first page ---------------------------------------------------------------------


def _rows(frame: pl.DataFrame, **where) -> list[dict]:
    for k, v in where.items():
        if k in frame.columns:
            frame = frame.filter(pl.col(k) == v)
    return frame.to_dicts()


def _main_currency(pack: ReviewPack) -> str | None:
    head = _rows(pack.tables["headline"].frame, measure="EffectiveCost")
    if not head:
        return None
    return max(head, key=lambda r: r["this_month"] or 0)["currency"]


def _spend_lines(pack: ReviewPack) -> list[Flowable]:
    out: list[Flowable] = []
    prev, year = F.month_text(pack.previous_month), F.month_text(pack.year_ago_month)
    head = _rows(pack.tables["headline"].frame, measure="EffectiveCost")
    bridge = pack.tables["bridge"].frame
    for r in sorted(head, key=lambda r: -(r["this_month"] or 0)):
        cur = r["currency"]
        total = escape(F.money(r["this_month"], cur))
        change = escape(F.signed_money(r["change"], cur))
        text = (
            f"<b>{total}</b> effective cost, {change} ({F.signed_percent(r['change_ratio'])}) "
            f"on {prev}"
        )
        if r["year_ago"] is not None:
            text += f" and {F.signed_percent(r['change_year_ago_ratio'])} on {year}"
        if r["budget"] is not None:
            text += f"; {F.percent(r['budget_used_ratio'])} of the budget"
        out.append(_pm(text + ".", S.lead))
        steps = [
            s
            for s in _rows(bridge, currency=cur)
            if s["step"] not in ("previous_month", "this_month") and abs(s["amount"] or 0) >= 0.005
        ]
        steps.sort(key=lambda s: -abs(s["amount"]))
        if steps:
            why = "; ".join(
                f"{escape(label(s['step']).lower())} {escape(F.signed_money(s['amount'], cur))}"
                for s in steps[:4]
            )
            out.append(_pm(f"Why: {why}.", S.body))
    return out


def _waste_lines(pack: ReviewPack) -> list[Flowable]:
    findings = pack.tables["findings"]
    if "amount" not in findings.frame.columns or findings.frame.height == 0:
        return [_p(f"Waste: {findings.note or 'no findings this month.'}", S.body)]
    out: list[Flowable] = []
    waste = pack.tables.get("waste")
    if waste is not None and "waste" in waste.frame.columns:
        for r in waste.frame.filter(pl.col("workload") == "total").to_dicts():
            cur = r["currency"]
            parts = ", ".join(
                f"{escape(F.label(k).lower())} {escape(F.money(r[k], cur))}"
                for k in ("idle_baseline", "scaling_excess", "efficiency_drift")
                if k in r and (r[k] or 0) >= 0.005
            )
            out.append(
                _pm(
                    f"<b>{escape(F.money(r['waste'], cur))}</b> of "
                    f"{F.month_text(pack.month)}'s cost is waste candidates"
                    + (f" ({parts})" if parts else "")
                    + ".",
                    S.lead,
                )
            )
    rows = findings.frame.head(4).to_dicts()
    items = []
    for r in rows:
        what = F.label(r["kind"]).lower()
        per = "per month" if r["per"] == "month" else f"on {F.day_text(r['period'])}"
        items.append(
            f"<b>{escape(str(r['workload']))}</b>: {escape(what)}, "
            f"{escape(F.money(r['amount'], r['currency']))} {per}"
        )
    out.append(
        _pm(
            f"{findings.frame.height} findings; the largest: " + "; ".join(items) + ".",
            S.body,
        )
    )
    tco = pack.tables["tco"].frame
    if "npv_saving_p50" in tco.columns and tco.height:
        worth = [
            r
            for r in tco.to_dicts()
            if (r["npv_saving_p50"] or 0) > 0 and r["scenario"] != "baseline"
        ]
        worth.sort(key=lambda r: -r["npv_saving_p50"])
        parts = []
        for r in worth[:3]:
            text = (
                f"{escape(r['scenario'])}: {escape(F.money_short(r['npv_saving_p50'], r['currency']))}"
                " saved (NPV, median)"
            )
            if r["one_off"]:
                text += f" for {escape(F.money_short(r['one_off'], r['currency']))} one-off"
            if r["break_even_month"]:
                text += f", breaking even in {F.month_text(r['break_even_month'])}"
            parts.append(text)
        if parts:
            out.append(_pm("What fixing it is worth: " + "; ".join(parts) + ".", S.body))
    return out


def _empty(table: Table, column: str) -> bool:
    """No rows, or not the ``column`` the summary reads (the table's note says why)."""
    return table.frame.height == 0 or column not in table.frame.columns


def _why_empty(table: Table, label: str, default: str) -> list[Flowable]:
    return [_p(f"{label}: {table.note or default}", S.body)]


def _forecast_lines(pack: ReviewPack) -> list[Flowable]:
    table = pack.tables["forecast"]
    if _empty(table, "p50"):
        return _why_empty(table, "Forecast", "not available.")
    frame = table.frame
    out = []
    for cur in sorted(set(frame["currency"].to_list())):
        parts = []
        for period in ("next 3 months", "next 12 months"):
            r = _rows(frame, currency=cur, period=period, item="total")
            if r:
                r0 = r[0]
                parts.append(
                    f"{period} {escape(F.money_short(r0['p50'], cur))} "
                    f"({escape(F.money_short(r0['p10'], cur))} to "
                    f"{escape(F.money_short(r0['p90'], cur))})"
                )
        if parts:
            out.append(_pm(f"{cur}: " + "; ".join(parts) + ".", S.body))
    if out:
        out.append(
            _p("Ranges are the 80% range (P10 to P90): 8 outcomes in 10 fall inside.", S.small)
        )
    return out


def _ceiling_lines(pack: ReviewPack) -> list[Flowable]:
    table = pack.tables["scaling"]
    if _empty(table, "ceiling_date"):
        return _why_empty(table, "Scaling ceiling", "no load tests given.")
    out = []
    for r in table.frame.to_dicts():
        if r.get("ceiling_date"):
            text = (
                f"<b>{escape(str(r['workload']))}</b> reaches its ceiling around "
                f"<b>{F.day_text(r['ceiling_date'])}</b>"
            )
            if r.get("ceiling_date_80_early") and r.get("ceiling_date_80_late"):
                text += (
                    f" (80% range {F.day_text(r['ceiling_date_80_early'])} to "
                    f"{F.day_text(r['ceiling_date_80_late'])})"
                )
            out.append(_pm(text + ".", S.body))
        else:
            why = r.get("note") or f"no ceiling before {F.day_text(r.get('horizon_end'))}"
            out.append(_pm(f"<b>{escape(str(r['workload']))}</b>: {escape(str(why))}.", S.body))
    return out


def _first_page(pack: ReviewPack) -> list[Flowable]:
    prev, year = F.month_text(pack.previous_month), F.month_text(pack.year_ago_month)
    left: list[Flowable] = [
        _p(f"Cloud cost review: {F.month_text(pack.month)}", S.title),
        _p(
            f"Compared with {prev} and {year}. Money in each currency; currencies are never "
            "added together.",
            S.subtitle,
        ),
        _p("Spend and why it changed", S.key),
        *_spend_lines(pack),
        _p("Waste found", S.key),
        *_waste_lines(pack),
        _p("Forecast", S.key),
        *_forecast_lines(pack),
        _p("Scaling ceiling", S.key),
        *_ceiling_lines(pack),
    ]
    inputs = ", ".join(
        f"{k}: {Path(str(v)).name if isinstance(v, Path) or '/' in str(v) else v}"
        for k, v in pack.meta.items()
        if v is not None and k != "since"
    )
    if inputs:
        left.append(Spacer(1, 6))
        left.append(_p(f"Inputs used: {inputs}.", S.small))
    cur = _main_currency(pack)
    right: list[Flowable] = []
    bridge = [c for c in charts_for(pack, "bridge") if getattr(c, "currency", None) == cur]
    if bridge:
        right.append(chart_image(bridge[0], WIDTH * 0.42))
    findings = [c for c in charts_for(pack, "findings") if getattr(c, "currency", None) == cur]
    if findings:
        chart = findings[0]
        chart.title = f"Findings, {cur} per month"
        right.append(chart_image(chart, WIDTH * 0.42))
    grid = RLTable([[left, right]], colWidths=[WIDTH * 0.56, WIDTH * 0.44], hAlign="LEFT")
    grid.setStyle(
        TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 0)])
    )
    return [grid, PageBreak()]


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
        out.append(_p(table.description, S.small))
    if table.note and table.note != table.description:
        out.append(_p(f"Note: {table.note}", S.small))
    return out


def _forecast_flowables(pack: ReviewPack, table: Table) -> list[Flowable]:
    """The forecast as a chart of the monthly total and a table of months by item
    (median), not the raw rows: every row with its range is in the CSV and XLSX."""
    if _empty(table, "p50"):
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
        _p("Median (P50) by month and item; ranges for every month are in the CSV and XLSX.", S.h2)
    )
    out.append(
        _grid(
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
    head = [*(lead or []), _p(table.title, S.h2), *_description(table)]
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
    story = _first_page(pack)
    placed: set[str] = set()
    for title, names in SECTIONS:
        tables = [pack.tables[n] for n in names if n in pack.tables]
        if not tables:
            continue
        lead: list[Flowable] = [_p(title, S.h1)]
        for table in tables:
            story += _section_flowables(pack, table, lead)
            placed.add(table.name)
            lead = []
    others = [t for n, t in pack.tables.items() if n not in placed]
    if others:
        lead = [_p("Other tables", S.h1)]
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
    _fonts()
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
