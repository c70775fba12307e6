"""PDF for email: A4 landscape pages with a summary, static charts and every table, each
page numbered "Page i of N".

Drawn with matplotlib's PDF backend (no browser, no kaleido): pages are planned first (so
N is known), then drawn. Tables use a monospaced font so column widths are exact; long
text (evidence, details) wraps within its column, other text is cut with an ellipsis;
header rows repeat on every page. Fonts are embedded as TrueType so ``pdftotext`` reads
the text back, and the creation date is left out so the same pack gives the same file.
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import matplotlib
from matplotlib.backends.backend_pdf import PdfPages
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Rectangle

from forecaster.review.chart_data import charts_for
from forecaster.review.fmt import display_value, label
from forecaster.review.pack import ReviewPack, Table
from forecaster.review.pdf_charts import draw
from forecaster.review.safe import mpl_text

PAGE = (11.69, 8.27)  # A4 landscape, inches
MARGIN = 0.45  # inches
TOP = 0.75  # inches taken by the page header
BOTTOM = 0.55  # inches taken by the footer
MONO = "DejaVu Sans Mono"
CHAR_EM = 0.602  # advance width of a DejaVu Sans Mono character, in em
LINE = 1.3  # line height, in font sizes
FONT_SIZES = (7.0, 6.5, 6.0, 5.5, 5.0)
WRAP = {"evidence", "detail", "explanation", "latency_explanation", "reason", "note", "load_tests"}
MAX_TEXT, MIN_WRAP = 40, 22
RC = {
    "pdf.fonttype": 42,
    "font.family": "DejaVu Sans",
    "axes.titlesize": 9,
    "svg.hashsalt": "review",
}

Draw = Callable[[Figure], None]


@dataclass
class _Layout:
    size: float  # font size, points
    widths: list[int]  # characters per column

    @property
    def line_in(self) -> float:
        return self.size * LINE / 72


GAP = 2  # characters between columns


def _cells(table: Table) -> tuple[list[str], list[list[str]], list[str]]:
    columns = table.frame.columns
    kinds = [table.kind(c) for c in columns]
    rows = [
        [display_value(v, k) for v, k in zip(row, kinds, strict=True)]
        for row in table.frame.iter_rows()
    ]
    return [label(c) for c in columns], rows, kinds


def _room(size: float, n_columns: int) -> int:
    """Characters that fit across the page at ``size`` points, less the column gaps."""
    return int((PAGE[0] - 2 * MARGIN) * 72 / (size * CHAR_EM)) - GAP * (n_columns - 1)


def _layout(table: Table, header: list[str], rows: list[list[str]]) -> _Layout:
    """Font size and column widths: the largest size at which the table fits across the
    page; headers wrap onto several lines, the widest text columns give way last."""
    columns = table.frame.columns
    natural = []
    for j, c in enumerate(columns):
        content = max([0, *(len(r[j]) for r in rows)])
        word = max(len(w) for w in header[j].split()) if header[j].split() else 1
        if table.kind(c) == "text":
            content = min(content, 60 if c in WRAP else MAX_TEXT)
        natural.append(max(content, word, min(len(header[j]), 8)))
    for size in FONT_SIZES:
        if sum(natural) <= _room(size, len(columns)):
            return _Layout(size, natural)
    widths = list(natural)
    room = _room(FONT_SIZES[-1], len(columns))
    while sum(widths) > room:  # shrink the widest text column, one character at a time
        text_cols = [
            j for j, c in enumerate(columns) if table.kind(c) == "text" and widths[j] > MIN_WRAP
        ]
        if not text_cols:
            break
        j = max(text_cols, key=lambda k: (widths[k], -k))
        widths[j] -= 1
    return _Layout(FONT_SIZES[-1], widths)


def _fit(text: str, width: int, wrap: bool) -> list[str]:
    if wrap:
        return textwrap.wrap(text, width=max(width, 1), break_long_words=True) or [""]
    return [text if len(text) <= width else text[: max(width - 1, 0)] + "\u2026"]


def _lines(cells: list[list[str]], widths: list[int], right: list[bool]) -> list[str]:
    """Cells (each a list of lines) composed into page lines, columns padded to width."""
    height = max(len(c) for c in cells)
    out = []
    for k in range(height):
        parts = []
        for cell, w, r in zip(cells, widths, right, strict=True):
            text = cell[k] if k < len(cell) else ""
            parts.append(text.rjust(w) if r else text.ljust(w))
        out.append((" " * GAP).join(parts).rstrip())
    return out


def _header(fig: Figure, pack: ReviewPack, title: str) -> None:
    fig.text(
        MARGIN / PAGE[0],
        1 - 0.35 / PAGE[1],
        f"Cost review {pack.month}",
        fontsize=9,
        color="#52606d",
    )
    fig.text(MARGIN / PAGE[0], 1 - 0.62 / PAGE[1], mpl_text(title), fontsize=13, weight="bold")


def _text_line(fig: Figure, y: float, text: str, size: float, **kw) -> None:
    fig.text(
        MARGIN / PAGE[0], y / PAGE[1], mpl_text(text), fontsize=size, family=MONO, va="top", **kw
    )


def _table_pages(pack: ReviewPack, table: Table) -> list[Draw]:
    """The table over as many pages as it needs, header repeated; one text line per row
    line (monospaced, so padding aligns the columns exactly)."""
    header, rows, kinds = _cells(table)
    layout = _layout(table, header, rows)
    cols = table.frame.columns
    right = [k != "text" for k in kinds]
    head_lines = _lines(
        [textwrap.wrap(h, max(w, 1)) or [""] for h, w in zip(header, layout.widths, strict=True)],
        layout.widths,
        right,
    )
    blocks = [
        _lines(
            [
                _fit(cell, layout.widths[j], cols[j] in WRAP and kinds[j] == "text")
                for j, cell in enumerate(r)
            ],
            layout.widths,
            right,
        )
        for r in rows
    ]
    intro = textwrap.wrap(table.description, 170) + ([f"Note: {table.note}"] if table.note else [])
    usable = PAGE[1] - TOP - BOTTOM - 0.1
    head_in = (len(head_lines) + 0.5) * layout.line_in
    pages: list[list[list[str]]] = [[]]
    budget = usable - len(intro) * 0.16 - 0.1 - head_in
    for block in blocks:
        need = len(block) * layout.line_in
        if need > budget and pages[-1]:
            pages.append([])
            budget = usable - head_in
        pages[-1].append(block)
        budget -= need
    draws = []
    for i, page_blocks in enumerate(pages):

        def draw_page(fig: Figure, page_blocks=page_blocks, first=i == 0) -> None:
            _header(fig, pack, table.title if first else f"{table.title} (continued)")
            y = PAGE[1] - TOP - 0.05
            if first:
                for line in intro:
                    fig.text(
                        MARGIN / PAGE[0],
                        y / PAGE[1],
                        mpl_text(line),
                        fontsize=7.5,
                        va="top",
                        color="#333333",
                    )
                    y -= 0.16
                y -= 0.1
            for line in head_lines:
                _text_line(fig, y, line, layout.size, weight="bold")
                y -= layout.line_in
            rule = (y - 0.15 * layout.line_in) / PAGE[1]
            fig.add_artist(
                Line2D(
                    [MARGIN / PAGE[0], 1 - MARGIN / PAGE[0]], [rule, rule], color="#1f3a5f", lw=0.6
                )
            )
            y -= 0.5 * layout.line_in
            for n, block in enumerate(page_blocks):
                if n % 2:
                    fig.add_artist(
                        Rectangle(
                            (MARGIN / PAGE[0], (y - len(block) * layout.line_in) / PAGE[1]),
                            (PAGE[0] - 2 * MARGIN) / PAGE[0],
                            len(block) * layout.line_in / PAGE[1],
                            color="#f0f3f6", lw=0, zorder=-1,
                        )
                    )  # fmt: skip
                for line in block:
                    _text_line(fig, y, line, layout.size)
                    y -= layout.line_in

        draws.append(draw_page)
    return draws


def _chart_pages(pack: ReviewPack, table: Table) -> list[Draw]:
    """Two charts a page, side by side; horizontal bars keep room for their labels."""
    charts = charts_for(pack, table.name)
    draws = []
    for i in range(0, len(charts), 2):
        pair = charts[i : i + 2]

        def draw_page(fig: Figure, pair=pair) -> None:
            _header(fig, pack, f"{table.title}: charts")
            region = (PAGE[0] - 2 * MARGIN) / len(pair)
            bottom, height = BOTTOM + 0.6, PAGE[1] - TOP - BOTTOM - 0.9
            for k, chart in enumerate(pair):
                horizontal = getattr(chart, "horizontal", False)
                pad = 2.4 if horizontal else 0.8
                left = MARGIN + k * region + pad
                width = region - pad - 0.3
                h = height
                if horizontal:  # bars of a sensible thickness, top-aligned
                    bars = len(chart.categories) * max(1.0, 0.6 * len(chart.series))
                    h = min(height, 0.4 + 0.32 * bars)
                box = (
                    left / PAGE[0],
                    (bottom + height - h) / PAGE[1],
                    width / PAGE[0],
                    h / PAGE[1],
                )
                ax = fig.add_axes(box)
                draw(ax, chart)

        draws.append(draw_page)
    return draws


def _summary_page(pack: ReviewPack) -> Draw:
    def draw_page(fig: Figure) -> None:
        _header(fig, pack, "Summary")
        y = PAGE[1] - TOP - 0.05
        lines = [
            f"Compared with {pack.previous_month} (previous month) and {pack.year_ago_month} "
            "(same month last year). Money in each row's currency; currencies are never added.",
            "",
        ]
        head = pack.tables["headline"].frame
        lines.append(
            f"{'Currency':<9}{'Measure':<15}{pack.month:>16}{pack.previous_month:>16}{'vs prev':>10}{pack.year_ago_month:>16}{'vs year':>10}{'budget':>16}"
        )
        for r in head.iter_rows(named=True):
            lines.append(
                f"{r['currency']:<9}{r['measure']:<15}{display_value(r['this_month'], 'money'):>16}"
                f"{display_value(r['previous_month'], 'money'):>16}{display_value(r['change_ratio'], 'ratio'):>10}"
                f"{display_value(r['year_ago'], 'money'):>16}{display_value(r['change_year_ago_ratio'], 'ratio'):>10}"
                f"{display_value(r['budget'], 'money'):>16}"
            )
        findings = pack.tables["findings"].frame
        if "amount" in findings.columns and findings.height:
            lines += ["", "Top findings (money per month; anomalies: the day's money):"]
            for r in findings.head(5).iter_rows(named=True):
                lines.append(
                    f"  {r['rank']:>2}. {r['workload']}: {r['kind']} "
                    f"{display_value(r['amount'], 'money')} {r['currency']} per {r['per']}"
                )
        lines += ["", "Sections:"]
        for t in pack.tables.values():
            state = t.note or f"{t.frame.height} row(s)"
            lines.append(f"  {t.title}: {state}")
        for line in lines:
            for part in textwrap.wrap(line, 150, subsequent_indent="      ") or [""]:
                fig.text(
                    MARGIN / PAGE[0], y / PAGE[1], mpl_text(part), fontsize=8, family=MONO, va="top"
                )
                y -= 0.17

    return draw_page


def render_pdf(pack: ReviewPack, path: Path) -> int:
    """Write the PDF to ``path``; returns the number of pages."""
    pages: list[tuple[str, Draw]] = [("Summary", _summary_page(pack))]
    for table in pack.tables.values():
        pages += [(table.title, d) for d in _chart_pages(pack, table)]
        pages += [(table.title, d) for d in _table_pages(pack, table)]
    total = len(pages)
    with matplotlib.rc_context(RC):
        metadata = {
            "Title": f"Cost review {pack.month}",
            "Creator": "cloud cost forecaster",
            "CreationDate": None,
        }
        with PdfPages(path, metadata=metadata) as pdf:
            for n, (_, draw_page) in enumerate(pages, start=1):
                fig = Figure(figsize=PAGE)
                draw_page(fig)
                fig.text(
                    MARGIN / PAGE[0],
                    0.3 / PAGE[1],
                    f"Cost review {pack.month}",
                    fontsize=7,
                    color="#52606d",
                )
                fig.text(
                    1 - MARGIN / PAGE[0],
                    0.3 / PAGE[1],
                    f"Page {n} of {total}",
                    fontsize=7,
                    ha="right",
                    color="#52606d",
                )
                pdf.savefig(fig)
    return total
