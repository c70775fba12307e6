"""HTML: one self-contained file with interactive charts that opens with no network.

plotly.js is inlined once in the page head (``plotly.offline.get_plotlyjs``; no CDN, no
kaleido), every chart is a plotly figure with a fixed div id (so the same pack gives the
same file), tables sort on a header click with a few lines of inline script. Everything
from billing data is escaped with ``html.escape``, in tables and in chart labels, trace
names and hover texts alike, so ``<script>`` in a service name shows as text.
"""

from __future__ import annotations

import plotly.graph_objects as go
from plotly.offline import get_plotlyjs

from forecaster import format as F
from forecaster.review.chart_data import Bands, Bars, Chart, Waterfall, charts_for
from forecaster.review.fmt import display_value, label
from forecaster.review.pack import ReviewPack, Table
from forecaster.review.safe import html_text as esc

PLOTLY_CONFIG = {"displaylogo": False, "responsive": True}

STYLE = """
body{font-family:-apple-system,Segoe UI,Helvetica,Arial,sans-serif;margin:0;color:#1f2933}
header{background:#1f3a5f;color:#fff;padding:18px 28px}header h1{margin:0 0 4px}
nav{padding:8px 28px;background:#e8eef4;position:sticky;top:0;z-index:5}
nav a{margin-right:14px;color:#1f3a5f;text-decoration:none;font-size:14px}
main{padding:8px 28px 40px}section{margin:28px 0}
h2{border-bottom:2px solid #1f3a5f;padding-bottom:4px}
p.about{color:#52606d;max-width:1100px}p.note{background:#fff4e5;padding:8px 12px;border-left:4px solid #f0a020}
.cards{display:flex;flex-wrap:wrap;gap:14px}.card{border:1px solid #cbd2d9;border-radius:6px;padding:12px 16px;min-width:220px}
.card .big{font-size:24px;font-weight:600}.up{color:#b42318}.down{color:#067647}
.tablewrap{overflow-x:auto;max-height:640px;overflow-y:auto}
table{border-collapse:collapse;font-size:13px}th,td{padding:4px 8px;border-bottom:1px solid #e4e7eb;white-space:nowrap}
th{background:#e8eef4;position:sticky;top:0;cursor:pointer;text-align:left}td.num{text-align:right;font-variant-numeric:tabular-nums}
td.wrap{white-space:normal;min-width:320px}
.charts{display:flex;flex-wrap:wrap;gap:12px}.chart{flex:1 1 560px;min-width:480px}
"""

SORT_SCRIPT = """
document.querySelectorAll('table.sortable').forEach(function(t){
 t.querySelectorAll('th').forEach(function(th,i){th.addEventListener('click',function(){
  var b=t.tBodies[0],rows=Array.from(b.rows),dir=th.dataset.dir==='asc'?-1:1;th.dataset.dir=dir>0?'asc':'desc';
  rows.sort(function(x,y){var a=x.cells[i].dataset.v,c=y.cells[i].dataset.v;
   if(a!==undefined&&c!==undefined&&a!==''&&c!==''){return dir*(parseFloat(a)-parseFloat(c));}
   return dir*x.cells[i].textContent.localeCompare(y.cells[i].textContent);});
  rows.forEach(function(r){b.appendChild(r);});});});});
"""

WRAP_COLUMNS = {"evidence", "detail", "explanation", "latency_explanation", "reason", "note"}


def _figure(chart: Chart) -> go.Figure:
    if isinstance(chart, Waterfall):
        fig = go.Figure(
            go.Waterfall(
                x=[esc(x) for x in chart.labels],
                y=chart.values,
                measure=chart.measures,
                text=[F.compact(v) if abs(v) >= 0.005 else "" for v in chart.values],
                textposition="outside",
                hovertext=[
                    f"{esc(x)}: {esc(F.money(v, chart.currency))}"
                    for x, v in zip(chart.labels, chart.values, strict=True)
                ],
                hoverinfo="text",
                connector={"line": {"color": "#9aa5b1"}},
            )
        )
        lo, hi = chart.y_range()
        axis_title = esc(chart.currency) + (f" (axis starts at {F.compact(lo)})" if lo > 0 else "")
        fig.update_yaxes(title_text=axis_title, range=[lo, hi], tickformat="~s")
        # the step labels are names ("2026-09" is the previous month's total, not a date):
        # a category axis keeps every step as its own bar, in order
        fig.update_xaxes(type="category", categoryorder="array", categoryarray=fig.data[0].x)
    elif isinstance(chart, Bars):
        fig = go.Figure()
        cats = [esc(c) for c in chart.categories]
        for name, values in chart.series.items():
            hover = [
                f"{c}<br>{esc(name)}: "
                + (
                    F.DASH
                    if v is None
                    else f"{F.number(v, 4)} {esc(chart.value_label)}"
                    if chart.currency is None or "%" in chart.value_label
                    else esc(F.money(v, chart.currency))
                )
                for c, v in zip(cats, values, strict=True)
            ]
            common = {"name": esc(name), "hovertext": hover, "hoverinfo": "text"}
            if chart.horizontal:
                fig.add_trace(go.Bar(y=cats, x=values, orientation="h", **common))
            else:
                fig.add_trace(go.Bar(x=cats, y=values, **common))
        fig.update_layout(barmode="group")
        # categories are names even when they read as dates or numbers (months, account ids)
        (fig.update_yaxes if chart.horizontal else fig.update_xaxes)(type="category")
        if chart.horizontal:
            fig.update_yaxes(autorange="reversed")
            fig.update_xaxes(title_text=esc(chart.value_label))
        else:
            fig.update_yaxes(title_text=esc(chart.value_label))
    else:
        fig = _bands_figure(chart)
    height = 420
    if isinstance(chart, Bars) and chart.horizontal:
        height = min(600, 160 + 22 * len(chart.categories) * max(1, len(chart.series)))
    fig.update_layout(
        title_text=esc(chart.title),
        template="plotly_white",
        colorway=["#9aa5b1", "#5b7db1", "#1f3a5f", "#f0a020"],
        height=height,
        margin={"l": 60, "r": 20, "t": 70, "b": 40},
        separators=".,",
        legend={"orientation": "h", "y": -0.15},
    )
    return fig


def _bands_figure(chart: Bands) -> go.Figure:
    fig = go.Figure()
    colors = {"95%": "rgba(31,58,95,0.12)", "80%": "rgba(31,58,95,0.25)"}
    for name, (lo, hi) in chart.bands.items():
        fig.add_trace(
            go.Scatter(
                x=chart.x, y=hi, mode="lines", line={"width": 0}, showlegend=False, hoverinfo="skip"
            )
        )
        fig.add_trace(
            go.Scatter(
                x=chart.x, y=lo, mode="lines", line={"width": 0}, fill="tonexty",
                fillcolor=colors.get(name, "rgba(31,58,95,0.2)"), name=name,
            )
        )  # fmt: skip
    if any(v is not None for v in chart.actual):
        fig.add_trace(go.Scatter(x=chart.x, y=chart.actual, mode="lines", name="Actual"))
    fig.add_trace(go.Scatter(x=chart.x, y=chart.mean, mode="lines", name="Forecast (median)"))
    if chart.threshold is not None:
        fig.add_hline(
            y=chart.threshold,
            line_dash="dash",
            line_color="#b42318",
            annotation_text="Ceiling threshold",
        )
    fig.update_yaxes(title_text=esc(chart.value_label))
    return fig


class _Ids:
    def __init__(self) -> None:
        self.n = 0

    def next(self) -> str:
        self.n += 1
        return f"chart-{self.n}"


def _table_html(table: Table) -> str:
    columns = table.frame.columns
    kinds = [table.kind(c) for c in columns]
    head = "".join(f"<th>{esc(label(c))}</th>" for c in columns)
    body = []
    for row in table.frame.iter_rows():
        cells = []
        for c, v, k in zip(columns, row, kinds, strict=True):
            shown = esc(display_value(v, k))
            if k == "text":
                cls = ' class="wrap"' if c in WRAP_COLUMNS else ""
                cells.append(f"<td{cls}>{shown}</td>")
            else:
                data = "" if v is None else esc(repr(float(v)))
                cells.append(f'<td class="num" data-v="{data}">{shown}</td>')
        body.append("<tr>" + "".join(cells) + "</tr>")
    return (
        '<div class="tablewrap"><table class="sortable"><thead><tr>'
        + head
        + "</tr></thead><tbody>"
        + "".join(body)
        + "</tbody></table></div>"
    )


def _cards(pack: ReviewPack) -> str:
    frame = pack.tables["headline"].frame
    cards = []
    for row in frame.iter_rows(named=True):
        if row["measure"] != "EffectiveCost":
            continue
        lines = []
        for key, ratio, what in (
            ("change", "change_ratio", pack.previous_month),
            ("change_year_ago", "change_year_ago_ratio", pack.year_ago_month),
            ("budget_variance", "budget_used_ratio", "budget"),
        ):
            if row[key] is None:
                continue
            cls = "up" if row[key] > 0 else "down"
            extra = (
                ""
                if row[ratio] is None or key == "budget_variance"
                else f" ({F.signed_percent(row[ratio])})"
            )
            shown = esc(F.signed_money(row[key], row["currency"]))
            lines.append(f'<div class="{cls}">{shown}{extra} vs {esc(F.month_text(what))}</div>')
        cards.append(
            f'<div class="card"><div>Effective cost, {esc(row["currency"])}</div>'
            f'<div class="big">{esc(F.money(row["this_month"], row["currency"]))}</div>'
            + "".join(lines)
            + "</div>"
        )
    return '<div class="cards">' + "".join(cards) + "</div>"


def _instant(value):
    """An ISO timestamp string as a datetime (so it reads as a date), else unchanged."""
    from datetime import datetime

    try:
        return datetime.fromisoformat(str(value))
    except ValueError:
        return value


def _glossary_html() -> str:
    """The glossary (``forecaster.glossary``, docs/glossary.md) as the page's last section."""
    from forecaster import glossary

    parts = [
        f'<section id="glossary"><h2>{esc(glossary.TITLE)}</h2><p class="about">Each figure '
        "of this pack is defined once; the same text is docs/glossary.md and the dashboard's "
        "Glossary page.</p><dl>"
    ]
    for term, text, _ in glossary.TERMS:  # readers get words; docs/glossary.md names the code
        parts.append(
            f'<dt id="glossary-{glossary.anchor(term)}"><b>{esc(term)}</b></dt>'
            f"<dd>{esc(text.replace('`', ''))}</dd>"
        )
    parts.append("</dl></section>")
    return "".join(parts)


def render_html(pack: ReviewPack) -> str:
    """The whole page as text."""
    ids = _Ids()
    nav = "".join(f'<a href="#{t.name}">{esc(t.title)}</a>' for t in pack.tables.values())
    sections = []
    for table in pack.tables.values():
        parts = [f'<section id="{table.name}"><h2>{esc(table.title)}</h2>']
        if table.description:
            parts.append(f'<p class="about">{esc(table.description)}</p>')
        if table.note:
            parts.append(f'<p class="note">{esc(table.note)}</p>')
        if table.name == "headline":
            parts.append(_cards(pack))
        charts = charts_for(pack, table.name)
        if charts:
            parts.append('<div class="charts">')
            for chart in charts:
                figure = _figure(chart).to_html(
                    full_html=False, include_plotlyjs=False, div_id=ids.next(), config=PLOTLY_CONFIG
                )
                parts.append(f'<div class="chart">{figure}</div>')
            parts.append("</div>")
        parts.append(_table_html(table))
        parts.append("</section>")
        sections.append("".join(parts))
    nav += '<a href="#glossary">Glossary</a>'
    sections.append(_glossary_html())
    inputs = "Inputs used: " + "; ".join(
        f"{k}: {F.date_text(_instant(v)) if k == 'since' else v}"
        for k, v in pack.meta.items()
        if v is not None
    )
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>Cost review {esc(F.month_text(pack.month))}</title><style>{STYLE}</style>"
        f'<script type="text/javascript">{get_plotlyjs()}</script></head><body>'
        f"<header><h1>Cost review {esc(F.month_text(pack.month))}</h1><div>Compared with "
        f"{esc(F.month_text(pack.previous_month))} and {esc(F.month_text(pack.year_ago_month))} (same "
        "month last year). Money is in each row's currency; currencies are never added "
        f"together.</div><div>{esc(inputs)}</div></header><nav>{nav}</nav><main>"
        + "".join(sections)
        + f"</main><script>{SORT_SCRIPT}</script></body></html>\n"
    )
