"""The PDF report's first page, which a CFO can read alone: spend and why it changed, the
waste found, the forecast and the scaling ceiling, in sentences, beside the month's bridge
and findings charts.

Every sentence is drawn from the pack's own tables (money by ``forecaster.format``, in each
currency, never added across currencies), so the first page cannot disagree with the
sections after it or with the XLSX and CSV.
"""

from __future__ import annotations

from pathlib import Path
from xml.sax.saxutils import escape

import polars as pl
from reportlab.platypus import Flowable, PageBreak, Spacer
from reportlab.platypus import Table as RLTable

from forecaster import format as F
from forecaster.review.chart_data import charts_for
from forecaster.review.fmt import label
from forecaster.review.pack import ReviewPack, Table
from forecaster.review.pdf_layout import (
    TOP_ALIGNED,
    WIDTH,
    S,
    chart_image,
    no_rows,
    para,
    para_markup,
    rows_where,
)


def _main_currency(pack: ReviewPack) -> str | None:
    head = rows_where(pack.tables["headline"].frame, measure="EffectiveCost")
    if not head:
        return None
    return max(head, key=lambda r: r["this_month"] or 0)["currency"]


def _spend_lines(pack: ReviewPack) -> list[Flowable]:
    out: list[Flowable] = []
    prev, year = F.month_text(pack.previous_month), F.month_text(pack.year_ago_month)
    head = rows_where(pack.tables["headline"].frame, measure="EffectiveCost")
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
        out.append(para_markup(text + ".", S.lead))
        steps = [
            s
            for s in rows_where(bridge, currency=cur)
            if s["step"] not in ("previous_month", "this_month") and abs(s["amount"] or 0) >= 0.005
        ]
        steps.sort(key=lambda s: -abs(s["amount"]))
        if steps:
            why = "; ".join(
                f"{escape(label(s['step']).lower())} {escape(F.signed_money(s['amount'], cur))}"
                for s in steps[:4]
            )
            out.append(para_markup(f"Why: {why}.", S.body))
    return out


def _waste_lines(pack: ReviewPack) -> list[Flowable]:
    findings = pack.tables["findings"]
    if "amount" not in findings.frame.columns or findings.frame.height == 0:
        return [para(f"Waste: {findings.note or 'no findings this month.'}", S.body)]
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
                para_markup(
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
        para_markup(
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
            out.append(para_markup("What fixing it is worth: " + "; ".join(parts) + ".", S.body))
    return out


def _why_empty(table: Table, label: str, default: str) -> list[Flowable]:
    return [para(f"{label}: {table.note or default}", S.body)]


def _forecast_lines(pack: ReviewPack) -> list[Flowable]:
    table = pack.tables["forecast"]
    if no_rows(table, "p50"):
        return _why_empty(table, "Forecast", "not available.")
    frame = table.frame
    out = []
    for cur in sorted(set(frame["currency"].to_list())):
        parts = []
        for period in ("next 3 months", "next 12 months"):
            r = rows_where(frame, currency=cur, period=period, item="total")
            if r:
                r0 = r[0]
                parts.append(
                    f"{period} {escape(F.money_short(r0['p50'], cur))} "
                    f"({escape(F.money_short(r0['p10'], cur))} to "
                    f"{escape(F.money_short(r0['p90'], cur))})"
                )
        if parts:
            out.append(para_markup(f"{cur}: " + "; ".join(parts) + ".", S.body))
    if out:
        out.append(
            para("Ranges are the 80% range (P10 to P90): 8 outcomes in 10 fall inside.", S.small)
        )
    return out


def _ceiling_lines(pack: ReviewPack) -> list[Flowable]:
    table = pack.tables["scaling"]
    if no_rows(table, "ceiling_date"):
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
            out.append(para_markup(text + ".", S.body))
        else:
            why = r.get("note") or f"no ceiling before {F.day_text(r.get('horizon_end'))}"
            out.append(
                para_markup(f"<b>{escape(str(r['workload']))}</b>: {escape(str(why))}.", S.body)
            )
    return out


def first_page(pack: ReviewPack) -> list[Flowable]:
    prev, year = F.month_text(pack.previous_month), F.month_text(pack.year_ago_month)
    left: list[Flowable] = [
        para(f"Cloud cost review: {F.month_text(pack.month)}", S.title),
        para(
            f"Compared with {prev} and {year}. Money in each currency; currencies are never "
            "added together.",
            S.subtitle,
        ),
        para("Spend and why it changed", S.key),
        *_spend_lines(pack),
        para("Waste found", S.key),
        *_waste_lines(pack),
        para("Forecast", S.key),
        *_forecast_lines(pack),
        para("Scaling ceiling", S.key),
        *_ceiling_lines(pack),
    ]
    inputs = ", ".join(
        f"{k}: {Path(str(v)).name if isinstance(v, Path) or '/' in str(v) else v}"
        for k, v in pack.meta.items()
        if v is not None and k != "since"
    )
    if inputs:
        left.append(Spacer(1, 6))
        left.append(para(f"Inputs used: {inputs}.", S.small))
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
    grid.setStyle(TOP_ALIGNED)
    return [grid, PageBreak()]
