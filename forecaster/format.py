"""How every surface writes numbers, money, dates and names for people to read.

One home for reading formats, used by the CLI's text output, the review pack (XLSX, HTML,
PDF), the dashboard and its hover texts. Machine formats (CSV cells, ``--json``) are not
here: they keep full precision and internal names. The rules:

- **Money** always carries its currency: ``money(1234.5, "USD")`` -> "USD 1,234.50" (cents
  in tables and sentences); ``money_short`` -> "USD 1.2k" / "USD 3.4M" for chart axes and
  tight places. Currencies are never added, so nothing here converts them.
- **Numbers** never use exponent notation: ``number(3.90937e6)`` -> "3,909,370",
  ``number(4.974e-05)`` -> "0.0000497".
- **Unit costs** name their unit and pick a scale that reads: ``unit_cost(4.974e-05, "USD",
  "requests")`` -> "USD 49.74 per million requests".
- **Percentages** from fractions: ``percent(0.0733)`` -> "7.3%"; ``signed_percent`` -> "+7.3%".
- **Dates** as dates: ``date_text`` -> "2026-07-03" (a time of day only when there is one),
  ``day_text`` -> "3 Jul 2026" for sentences, ``month_text("2026-10")`` -> "October 2026".
- **Names**: ``label("scaling_excess")`` -> "Scaling excess"; one table (``LABELS``) for
  every internal name a person may see (columns, bridge steps, finding kinds, measures).
- **Intervals**: the product's range is the 80% range (``INTERVAL``); other levels are named
  with ``interval_name`` and carry a reason from ``INTERVAL_REASONS``.

Plotly and matplotlib get the same rules through ``PLOTLY_MONEY_HOVER``,
``plotly_money_axis`` and ``mpl_money_formatter``.
"""

from __future__ import annotations

import math
import re
from datetime import date, datetime
from typing import Any

DASH = "\u2013"  # shown for a missing value

# --- names ------------------------------------------------------------------------------

LABELS: dict[str, str] = {
    # FOCUS measures and money columns
    "BilledCost": "Billed cost",
    "EffectiveCost": "Effective cost",
    "ListCost": "List cost",
    "ContractedCost": "Contracted cost",
    "effective_cost": "Effective cost",
    "billed_cost": "Billed cost",
    "list_cost": "List cost",
    "previous_effective_cost": "Previous month's effective cost",
    "share_of_month": "Share of month",
    "this_month": "This month",
    "previous_month": "Previous month",
    "year_ago": "Same month last year",
    "change": "Change",
    "change_ratio": "Change %",
    "change_year_ago": "Change on last year",
    "change_year_ago_ratio": "Change on last year %",
    "budget": "Budget",
    "budget_variance": "Over budget by",
    "budget_used_ratio": "Budget used %",
    "currency": "Currency",
    "measure": "Measure",
    "provider": "Provider",
    "service": "Service",
    "account_id": "Account ID",
    "account_name": "Account name",
    "tag_key": "Tag",
    "tag_value": "Tag value",
    # workloads and unit cost
    "workload": "Workload",
    "load": "Load",
    "load_unit": "Load unit",
    "previous_load": "Previous month's load",
    "unit_cost": "Cost per 1,000 units",
    "previous_unit_cost": "Previous cost per 1,000 units",
    "unit_cost_change_ratio": "Unit cost change %",
    # the bridge: steps and columns
    "step": "Step",
    "amount": "Amount",
    "detail": "Detail",
    "item": "Item",
    "previous_cost": "Previous month's cost",
    "cost": "Cost",
    "volume": "Volume (organic growth)",
    "scaling_excess": "Scaling excess",
    "fixed": "Fixed cost",
    "efficiency": "Efficiency drift",
    "rate_price": "Rate and price",
    "new_services": "New services",
    "retired_services": "Retired services",
    "residual": "Other (residual)",
    # the bridge of a bill alone (no workloads)
    "usage_volume": "Usage volume",
    "credits": "Credits",
    "refunds": "Refunds and adjustments",
    "tax": "Tax",
    "rest": "The rest",
    "negotiated": "Negotiated discounts",
    "commitment": "Commitment discounts",
    "list_price": "List price per unit",
    # findings
    "rank": "Rank",
    "kind": "Kind",
    "per": "Per",
    "low": "Low",
    "high": "High",
    "period": "Period",
    "evidence": "Evidence",
    "idle_baseline": "Idle baseline",
    "efficiency_drift": "Unit cost drifting up",
    "anomaly": "Anomaly",
    "unclaimed_cost": "Cost no workload claims",
    "waste": "Waste",
    "organic": "Organic growth",
    # cost curves
    "model": "Model",
    "days": "Days of history",
    "r2": "R\u00b2",
    "fixed_cost_per_month": "Fixed cost per month",
    "fixed_cost_low": "Fixed cost low (90% range)",
    "fixed_cost_high": "Fixed cost high (90% range)",
    "marginal_cost_per_1000": "Marginal cost per 1,000 units",
    "exponent": "Exponent",
    "exponent_low": "Exponent low (90% range)",
    "exponent_high": "Exponent high (90% range)",
    "current_cost_per_month": "Current cost per month",
    "note": "Note",
    # scaling
    "load_tests": "Load tests",
    "points": "Points",
    "sigma": "Sigma (contention)",
    "kappa": "Kappa (coherency)",
    "gamma": "Gamma (throughput at 1)",
    "ceiling_kind": "Ceiling kind",
    "peak_load": "Peak load N*",
    "peak_throughput": "Peak throughput",
    "ceiling_share": "Ceiling share of peak",
    "current_peak_rate": "Current peak load",
    "ceiling_date": "Ceiling date",
    "ceiling_date_80_early": "Ceiling date, early (80% range)",
    "ceiling_date_80_late": "Ceiling date, late (80% range)",
    "horizon_end": "Forecast horizon end",
    "explanation": "Explanation",
    "latency_budget": "Latency budget",
    "budget_load": "Load where the budget breaks",
    "budget_load_low": "Budget load, low (95% range)",
    "budget_load_high": "Budget load, high (95% range)",
    "budget_throughput": "Throughput at the budget load (per second)",
    "budget_usable_share": "Share of the ceiling usable within the budget",
    "budget_date": "Budget date",
    "budget_date_80_early": "Budget date, early (80% range)",
    "budget_date_80_late": "Budget date, late (80% range)",
    "budget_cost_per_1000": "Cost per 1,000 served at the budget load",
    "budget_cost_currency": "Currency of that cost",
    "latency_explanation": "Latency budget in words",
    "peak": "Peak",
    "plateau": "Plateau",
    # forecast and TCO
    "p10": "Low (P10)",
    "p50": "Median (P50)",
    "p90": "High (P90)",
    "mean": "Expected",
    "lo_80": "Low (80% range)",
    "hi_80": "High (80% range)",
    "scenario": "Scenario",
    "tco_p10": "TCO low (P10)",
    "tco_p50": "TCO median (P50)",
    "tco_p90": "TCO high (P90)",
    "npv_p50": "NPV median (P50)",
    "npv_saving_p50": "NPV saving median (P50)",
    "one_off": "One-off cost",
    "break_even_month": "Break-even month",
    "break_even_probability": "Chance of breaking even",
    "total": "Total",
    "baseline": "Baseline",
    # cost and load series
    "actual": "Actual",
    "expected": "Expected",
    "timestamp": "Time",
    "value": "Value",
    "metric": "Metric",
    "source": "Source",
}

_WORDS = re.compile(r"[A-Z]?[a-z0-9]+|[A-Z]+(?![a-z])")


def label(name: str) -> str:
    """The human label of an internal name (a column, a bridge step, a finding kind...).

    From ``LABELS`` when listed; otherwise the words of the name, first one capitalised
    (``previous_list_cost`` -> "Previous list cost", ``ListCost`` -> "List cost"), with a
    ``_ratio`` suffix read as a percentage.
    """
    if name in LABELS:
        return LABELS[name]
    if name.endswith("_ratio"):
        text = label(name.removesuffix("_ratio")) + " %"
        return text[:1].upper() + text[1:]
    if re.fullmatch(r"[a-z]+[0-9]*", name):
        return name[:1].upper() + name[1:]  # one lowercase word: a column name
    if "_" not in name and not re.search(r"[a-z][A-Z]", name):
        return name  # already words or a name (checkout-api, "EUR")
    words = _WORDS.findall(name)
    if not words:
        return name
    text = " ".join(w if w.isupper() and len(w) > 1 else w.lower() for w in words)
    return text[:1].upper() + text[1:]


def name_text(value: Any) -> str:
    """A text cell for reading: an internal name (a bridge step, a finding kind, a FOCUS
    measure) becomes its label; any other text is returned unchanged."""
    text = str(value)
    return LABELS.get(text, text)


# --- numbers ----------------------------------------------------------------------------


def _finite(value: Any) -> float | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        v = float(value)
    except (TypeError, ValueError):
        return None
    return v if math.isfinite(v) else None


def _clean_zero(text: str) -> str:
    """ "-0.00" -> "0.00"."""
    if text.startswith("-") and not re.search(r"[1-9]", text):
        return text[1:]
    return text


def fixed(value: float, decimals: int, grouped: bool = True) -> str:
    """``value`` with exactly ``decimals`` decimals, thousands grouped; never an exponent."""
    return _clean_zero(f"{value:,.{decimals}f}" if grouped else f"{value:.{decimals}f}")


def number(value: Any, significant: int = 3) -> str:
    """A plain number for reading: whole and grouped from 1,000, else about ``significant``
    significant digits in fixed notation (``0.0000497``), trailing zeros dropped."""
    v = _finite(value)
    if v is None:
        return DASH
    if v == 0:
        return "0"
    if abs(v) >= 1000:
        return fixed(v, 0)
    decimals = max(0, significant - 1 - math.floor(math.log10(abs(v))))
    decimals = min(decimals, 12)
    text = fixed(v, decimals)
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return _clean_zero(text)


_SUFFIXES = ((1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "k"))


def compact(value: Any) -> str:
    """A number shortened for axes and tight places: 950, 12.3k, 206k, 1.2M, 3.4B."""
    v = _finite(value)
    if v is None:
        return DASH
    for scale, suffix in _SUFFIXES:
        if abs(v) >= scale * 0.9995:
            s = v / scale
            digits = 0 if abs(s) >= 100 else 1 if abs(s) >= 10 else 2
            text = f"{s:.{digits}f}"
            if "." in text:
                text = text.rstrip("0").rstrip(".")
            return text + suffix
    if abs(v) >= 1 or v == 0:
        return number(v) if abs(v) < 100 else fixed(v, 0)
    return number(v)


def integer(value: Any) -> str:
    v = _finite(value)
    return DASH if v is None else fixed(round(v), 0)


# --- money ------------------------------------------------------------------------------


def money(value: Any, currency: str | None = None, decimals: int = 2) -> str:
    """Money with its currency and cents: "USD 1,234.50", "USD -20.00" (no currency: the
    amount alone, for tables with a currency column)."""
    v = _finite(value)
    if v is None:
        return DASH
    text = fixed(v, decimals)
    return f"{currency} {text}" if currency else text


def money_short(value: Any, currency: str | None = None) -> str:
    """Money shortened for charts and headlines: "USD 206k", "USD 1.2M", "USD 950"."""
    v = _finite(value)
    if v is None:
        return DASH
    text = compact(v) if abs(v) >= 1000 else fixed(v, 0 if abs(v) >= 100 else 2)
    return f"{currency} {text}" if currency else text


def signed_money(value: Any, currency: str | None = None, decimals: int = 2) -> str:
    """A change of money: "+USD 14,063.64", "-USD 20.00"."""
    v = _finite(value)
    if v is None:
        return DASH
    sign = "-" if v < 0 and fixed(abs(v), decimals) != fixed(0, decimals) else "+"
    body = money(abs(v), currency, decimals)
    return sign + body


_SCALES = ((1, ""), (1_000, "1,000"), (1_000_000, "million"), (1_000_000_000, "billion"))


def unit_scale(per_unit: Any) -> int:
    """The number of units ``unit_cost`` quotes ``per_unit`` for (1, 1,000, a million or a
    billion), so a range can be written at the same scale as its centre."""
    v = _finite(per_unit)
    if not v:
        return 1
    return next((n for n, _ in _SCALES if abs(v * n) >= 0.1), _SCALES[-1][0])


def unit_cost(
    per_unit: Any, currency: str | None, unit: str = "units", *, scale: int | None = None
) -> str:
    """Money per unit of load, at a scale that reads: "USD 0.43 per 1,000 requests",
    "USD 49.74 per million requests" (the smallest of 1, 1,000, a million and a billion
    units at which the amount is at least 0.10). ``scale`` forces one."""
    v = _finite(per_unit)
    if v is None:
        return DASH
    if scale is not None:
        chosen = next((c for c in _SCALES if c[0] == scale), _SCALES[1])
    elif v == 0:
        chosen = _SCALES[0]
    else:
        chosen = next((c for c in _SCALES if abs(v * c[0]) >= 0.1), _SCALES[-1])
    n, name = chosen
    amount = money(v * n, currency)
    unit_word = unit or "units"
    if n == 1:
        single = unit_word[:-1] if unit_word.endswith("s") else unit_word
        return f"{amount} per {single}"
    return f"{amount} per {name} {unit_word}"


# --- percentages ------------------------------------------------------------------------


def percent(ratio: Any, decimals: int = 1) -> str:
    """A fraction as a percentage: 0.0733 -> "7.3%"."""
    v = _finite(ratio)
    return DASH if v is None else fixed(v * 100, decimals) + "%"


def signed_percent(ratio: Any, decimals: int = 1) -> str:
    """A change as a signed percentage: "+7.3%", "-2.0%"."""
    v = _finite(ratio)
    if v is None:
        return DASH
    text = fixed(v * 100, decimals)
    return (text if text.startswith("-") else "+" + text) + "%"


def p_value(p: Any) -> str:
    """A p-value for a sentence: "p < 0.001", "p = 0.03"."""
    v = _finite(p)
    if v is None:
        return "p not known"
    if v < 0.001:
        return "p < 0.001"
    return f"p = {number(v, 2)}"


# --- dates ------------------------------------------------------------------------------

MONTHS = (
    "January February March April May June July August September October November December"
).split()


def date_text(value: Any) -> str:
    """A date or timestamp for tables: "2026-07-03"; "2026-07-03 14:00 UTC" when it has a
    time of day. Text is returned unchanged, a missing value as a dash."""
    if value is None:
        return DASH
    if isinstance(value, datetime):
        if (value.hour, value.minute, value.second) == (0, 0, 0):
            return value.date().isoformat()
        return value.strftime("%Y-%m-%d %H:%M UTC")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def day_text(value: Any) -> str:
    """A day for sentences: "3 Jul 2026" (a "YYYY-MM-DD" string is read too)."""
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value[:10])
        except ValueError:
            return value
    if isinstance(value, datetime):
        value = value.date()
    if not isinstance(value, date):
        return DASH
    return f"{value.day} {MONTHS[value.month - 1][:3]} {value.year}"


def month_text(month: str) -> str:
    """ "2026-10" -> "October 2026" (anything else unchanged)."""
    m = re.fullmatch(r"(\d{4})-(\d{2})", str(month))
    if not m or not 1 <= int(m.group(2)) <= 12:
        return str(month)
    return f"{MONTHS[int(m.group(2)) - 1]} {m.group(1)}"


def duration_days(days: Any) -> str:
    """ "730 days (about 2.0 years)"."""
    v = _finite(days)
    if v is None:
        return DASH
    if v >= 365:
        return f"{integer(v)} days (about {v / 365.25:.1f} years)"
    return f"{integer(v)} days"


# --- intervals --------------------------------------------------------------------------

INTERVAL = 80  # the range every forecast and headline figure is shown with, percent

INTERVAL_REASONS: dict[float, str] = {
    80: "the product's standard range: 8 outcomes in 10 fall inside it",
    90: "used for fitted parameters (cost-curve coefficients), where a wider range guards "
    "against calling noise a finding",
    95: "used by statistical tests of a change and for load-test parameters",
    99.9: "used to flag anomalies: wide, so that only clear outliers are flagged",
}


def interval_name(level: Any) -> str:
    """ "80% range" for 80, 0.8 or "80"."""
    v = _finite(level)
    if v is None:
        return "range"
    if v <= 1:
        v *= 100
    return f"{number(v)}% range"


def interval_note(level: Any) -> str:
    """The range's name with its reason, for a caption: "90% range (used for fitted ...)"."""
    v = _finite(level) or INTERVAL
    if v <= 1:
        v *= 100
    reason = INTERVAL_REASONS.get(v) or INTERVAL_REASONS.get(round(v))
    return f"{interval_name(v)}: {reason}" if reason else interval_name(v)


def value_text(value: Any, kind: str) -> str:
    """A table cell for reading, by column kind (the review pack's kinds): ``money`` cents,
    ``unit_money`` 4 decimals (money per 1,000 units), ``ratio`` a percentage, ``integer``
    grouped, ``number`` without exponent, ``date`` a date, ``text`` as is (dates as dates)."""
    if value is None:
        return "" if kind == "text" else DASH
    if isinstance(value, date | datetime):
        return date_text(value)
    if kind == "text":
        return name_text(value)
    if kind == "money":
        return money(value)
    if kind == "unit_money":
        v = _finite(value)
        return DASH if v is None else fixed(v, 4 if abs(v) < 1000 else 2)
    if kind == "ratio":
        return percent(value)
    if kind == "integer":
        return integer(value)
    v = _finite(value)
    if v is None:
        return DASH
    return fixed(v, 0) if abs(v) >= 1000 else number(v, 4)


# --- charts -----------------------------------------------------------------------------

PLOTLY_MONEY_HOVER = ",.2f"  # d3 format of money in hover texts (cents, grouped)
PLOTLY_NUMBER_HOVER = ",.4~g"  # d3 format of other numbers in hover texts: 4 digits


def plotly_money_axis(currency: str | None = None) -> dict[str, Any]:
    """Plotly axis settings for a money axis: k/M ticks, currency named in the title."""
    out: dict[str, Any] = {"tickformat": "~s", "separatethousands": True}
    if currency:
        out["title"] = {"text": currency}
    return out


def hover_money(field: str, currency: str | None = None) -> str:
    """A plotly hovertemplate fragment for money: "USD %{y:,.2f}"."""
    prefix = f"{currency} " if currency else ""
    return f"{prefix}%{{{field}:{PLOTLY_MONEY_HOVER}}}"


def mpl_money_formatter(currency: str | None = None):
    """A matplotlib tick formatter writing money as k/M ("206k")."""
    from matplotlib.ticker import FuncFormatter  # matplotlib only where charts are drawn

    return FuncFormatter(lambda v, _pos: money_short(v, None))


def mpl_number_formatter():
    """A matplotlib tick formatter writing numbers as k/M, never an exponent."""
    from matplotlib.ticker import FuncFormatter

    return FuncFormatter(lambda v, _pos: compact(v))


def mpl_percent_formatter():
    """A matplotlib tick formatter for fractions as percentages."""
    from matplotlib.ticker import FuncFormatter

    return FuncFormatter(lambda v, _pos: percent(v, 0))


_EXPONENT = re.compile(r"\d[eE][+-]?\d")
_SNAKE = re.compile(r"\b[a-z][a-z0-9]*_[a-z0-9_]+\b")
_ISO_TIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")


def reading_problems(text: str) -> list[str]:
    """What a reader should not see in ``text``: exponent notation, snake_case identifiers,
    ISO timestamps with a time of day. Used by tests over every surface."""
    found = []
    for name, pattern in (
        ("exponent", _EXPONENT),
        ("snake_case", _SNAKE),
        ("iso timestamp", _ISO_TIME),
    ):
        found += [f"{name}: {m.group(0)!r}" for m in pattern.finditer(text)]
    return found
