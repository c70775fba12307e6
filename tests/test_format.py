"""The one reading format: money with currency, numbers without exponents, unit costs at a
scale that reads, percentages, dates as dates, human labels, named ranges."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

from hypothesis import given
from hypothesis import strategies as st

from forecaster import format as F


def test_money_carries_its_currency_and_cents():
    assert F.money(1234.5, "USD") == "USD 1,234.50"
    assert F.money(-0.001, "EUR") == "EUR 0.00"
    assert F.money(None, "USD") == F.DASH
    assert F.signed_money(-20, "USD") == "-USD 20.00"
    assert F.signed_money(14063.64, "USD") == "+USD 14,063.64"


def test_short_money_for_charts_uses_k_and_m():
    assert F.money_short(205910.14, "USD") == "USD 206k"
    assert F.money_short(1_234_000, "USD") == "USD 1.23M"
    assert F.money_short(950, "USD") == "USD 950"


def test_numbers_never_use_exponent_notation():
    assert F.number(3.90937e6) == "3,909,370"
    assert F.number(4.974e-05) == "0.0000497"
    assert F.number(0) == "0"


@given(st.floats(allow_nan=False, allow_infinity=False, min_value=-1e15, max_value=1e15))
def test_no_reading_format_writes_an_exponent(v):
    for text in (F.number(v), F.compact(v), F.money(v, "USD"), F.money_short(v, "USD")):
        assert not re.search(r"\d[eE][+-]?\d", text), text
    for kind in ("money", "unit_money", "number", "integer", "ratio"):
        assert "e" not in F.value_text(v, kind).lower(), (v, kind)


def test_unit_costs_name_their_unit_at_a_scale_that_reads():
    assert F.unit_cost(4.974e-05, "USD", "requests") == "USD 49.74 per million requests"
    assert F.unit_cost(0.000435, "USD", "requests") == "USD 0.43 per 1,000 requests"
    assert F.unit_cost(2, "USD", "GB") == "USD 2.00 per GB"
    assert F.unit_cost(0.5, "USD", "requests", scale=1000) == "USD 500.00 per 1,000 requests"


def test_percentages_and_p_values():
    assert F.percent(0.0733) == "7.3%"
    assert F.signed_percent(-0.02) == "-2.0%"
    assert F.signed_percent(0.5234) == "+52.3%"
    assert F.p_value(0) == "p < 0.001"
    assert F.p_value(0.034) == "p = 0.034"


def test_dates_are_dates():
    assert F.date_text(datetime(2026, 7, 3, tzinfo=UTC)) == "2026-07-03"
    assert F.date_text(datetime(2026, 7, 3, 14, 5, tzinfo=UTC)) == "2026-07-03 14:05 UTC"
    assert F.day_text("2026-07-03") == "3 Jul 2026"
    assert F.day_text(date(2027, 3, 30)) == "30 Mar 2027"
    assert F.month_text("2026-10") == "October 2026"


def test_every_internal_name_has_a_human_label():
    assert F.label("scaling_excess") == "Scaling excess"
    assert F.label("rate_price") == "Rate and price"
    assert F.label("new_services") == "New services"
    assert F.label("EffectiveCost") == "Effective cost"
    assert F.label("previous_list_cost") == "Previous list cost"
    assert F.label("budget_used_ratio") == "Budget used %"
    assert F.label("checkout-api") == "checkout-api"  # names from the bill stay as they are
    for name, text in F.LABELS.items():
        assert "_" not in text, name
        assert not F.reading_problems(text), name


def test_intervals_are_named_once_with_a_reason_for_other_levels():
    assert F.interval_name(0.8) == "80% range"
    assert F.interval_name(90) == "90% range"
    assert F.interval_note(90).startswith("90% range: used for fitted parameters")


def test_reading_problems_finds_what_a_reader_should_not_see():
    text = "4.974e-05 USD, scaling_excess on 2026-07-03T00:00:00Z"
    kinds = [p.split(":")[0] for p in F.reading_problems(text)]
    assert kinds == ["exponent", "snake_case", "iso timestamp"]
    assert F.reading_problems("USD 49.74 per million requests on 3 Jul 2026") == []
