"""URL state: what a view writes into its query string it reads back, and anything else in
the URL falls back to a default instead of breaking the page."""

from __future__ import annotations

from urllib.parse import parse_qs

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dashboard import state

MONTHS = ["2026-08", "2026-09", "2026-10"]
values = st.one_of(st.none(), st.text(), st.integers(), st.floats(allow_nan=False), st.booleans())


@given(st.dictionaries(st.text(min_size=1), values))
def test_encode_round_trips_through_the_query_string(pairs):
    search = state.encode(pairs)
    decoded = {k: v[0] for k, v in parse_qs(search.lstrip("?"), keep_blank_values=True).items()}
    expected = {
        k: str(int(v) if isinstance(v, bool) else v)
        for k, v in pairs.items()
        if v is not None and v != ""
    }
    assert decoded == expected


def test_encode_drops_empty_values_and_joins_lists():
    assert state.encode({"a": None, "b": "", "c": [], "d": ["x", "y"], "e": True}) == "?d=x%2Cy&e=1"
    assert state.encode({}) == ""


@pytest.mark.parametrize(
    ("value", "expected"), [("b", "b"), ("z", "a"), (None, "a"), ("<img>", "a"), (2, "a")]
)
def test_choice_falls_back_to_the_default(value, expected):
    assert state.choice(value, ["a", "b"], "a") == expected


def test_choice_matches_numbers_given_as_text():
    assert state.choice("24", [12, 24, 36], 36) == 24


@pytest.mark.parametrize(
    ("value", "expected"),
    [("0.9", 0.9), ("2", 0.8), ("nan", 0.8), ("inf", 0.8), ("x", 0.8), (None, 0.8)],
)
def test_number_accepts_finite_values_in_range(value, expected):
    assert state.number(value, 0.5, 1.0, 0.8) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [("2026-09", "2026-09"), ("2026-11", "2026-10"), ("2026-9", "2026-10"), (None, "2026-10")],
)
def test_month_must_be_one_the_data_has(value, expected):
    assert state.month(value, MONTHS, "2026-10") == expected


def test_flags_keep_known_ones_in_order():
    assert state.flags("fix,bogus,growth", ["growth", "fix", "commit"]) == ["growth", "fix"]
    assert state.flags(None, ["growth"]) == []
