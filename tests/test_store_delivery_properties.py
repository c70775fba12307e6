"""Issue 20's property: over any sequence of deliveries (full, partial, duplicated,
re-delivered, carrying rows of other periods, two versions at once), the stored total per
billing period and currency always equals the latest accepted complete delivery of that
period, never a sum of two; a refused call changes nothing.

The model below is the documented rule (docs/architecture.md "The local store"), written
independently of forecaster.store.replacement: a period's rows in a call replace the stored
ones when some file delivers the period as its own (not one row carried by another month's
file) and the call holds at least half the stored rows; two versions of one period in one
call (two folders, or two files sharing half their line items), or a stored period only
carried, refuse the whole call.
"""

from __future__ import annotations

import shutil
import tempfile
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from forecaster.errors import DeliveryRefused
from forecaster.ingest import ingest_billing
from forecaster.store import BillingStore
from tests.focus_builder import focus_row, write_focus

NOW = datetime(2026, 1, 15, tzinfo=UTC)  # every period below is closed
PERIODS = ("2025-01", "2025-02", "2025-03")

cost = st.decimals(min_value=-50, max_value=500, places=4).map(lambda d: d.normalize())
currency = st.sampled_from(["USD", "USD", "EUR"])


@st.composite
def full_delivery(draw, period=None):
    """A month's export: 12-40 rows over its days, one account."""
    period = period or draw(st.sampled_from(PERIODS))
    n = draw(st.integers(12, 40))
    version = draw(st.integers(0, 10**6))
    rows = [
        focus_row(
            period=period,
            day=i % 28 + 1,
            cost=draw(cost),
            currency=draw(currency),
            ResourceId=f"i-{i}",
            ChargeDescription=f"v{version}",
        )
        for i in range(n)
    ]
    return period, rows


@st.composite
def call(draw):
    """One ingest call: a list of (folder, file name, rows)."""
    kind = draw(
        st.sampled_from(
            ["full", "partial", "duplicated", "restated copy", "carrying", "two versions", "months"]
        )
    )
    period, rows = draw(full_delivery())
    if kind == "full":
        return kind, [("a", "bill.csv", rows)]
    if kind == "partial":
        return kind, [("a", "part.csv", rows[: draw(st.integers(1, len(rows) // 2 - 1))])]
    if kind == "duplicated":
        return kind, [("a", "bill.csv", rows), ("a", "copy.csv", rows)]
    if kind == "restated copy":  # the same line items at other costs, beside the original
        restated = [{**r, "BilledCost": str(Decimal(r["BilledCost"]) + 1)} for r in rows]
        return kind, [("a", "bill.csv", rows), ("a", "bill-restated.csv", restated)]
    if kind == "carrying":
        other = draw(st.sampled_from([p for p in PERIODS if p != period]))
        stray = focus_row(period=other, day=3, cost=draw(cost), ResourceId="stray")
        return kind, [("a", "bill.csv", [*rows, stray])]
    if kind == "two versions":
        _, newer = draw(full_delivery(period))
        return kind, [("v1", "bill.csv", rows), ("v2", "bill.csv", newer)]
    second = draw(st.sampled_from([p for p in PERIODS if p != period]))
    _, more = draw(full_delivery(second))
    return kind, [("a", f"{period}.csv", rows), ("a", f"{second}.csv", more)]


def model_outcome(stored: dict, files: list) -> dict | None:
    """The new model state after the call, or None when the call must be refused."""
    seen, unique = set(), []
    for folder, _name, rows in files:
        key = repr(rows)
        if key not in seen:  # byte-identical content is read once
            seen.add(key)
            unique.append((folder, rows))
    per_period: dict[str, list] = {}
    for folder, rows in unique:
        counts: dict[str, int] = {}
        for r in rows:
            counts[r["BillingPeriodStart"][:7]] = counts.get(r["BillingPeriodStart"][:7], 0) + 1
        largest = max(counts.values())
        for period, n in counts.items():
            own = n >= 0.1 * largest
            mine = [r for r in rows if r["BillingPeriodStart"][:7] == period]
            per_period.setdefault(period, []).append((folder, own, mine))
    new = dict(stored)
    for period, parts in per_period.items():
        own_folders = {folder for folder, own, _ in parts if own}
        if len(own_folders) > 1:
            return None  # two versions of one period in one call
        items = [
            {(r["ChargePeriodStart"], r["ResourceId"], r["ChargeDescription"]) for r in mine}
            for _, own, mine in parts
            if own
        ]
        if any(
            len(a & b) >= 0.5 * min(len(a), len(b))
            for i, a in enumerate(items)
            for b in items[i + 1 :]
        ):
            return None  # the same line items twice (a restated copy beside the original)
        rows = [r for _, _, mine in parts for r in mine]
        complete = bool(own_folders)
        old = stored.get(period)
        if old is not None:
            if not complete:
                return None
            if old["complete"] and len(rows) < 0.5 * len(old["rows"]):
                return None
        new[period] = {"rows": rows, "complete": complete}
    return new


def totals(rows) -> dict[str, tuple[int, Decimal]]:
    out: dict[str, tuple[int, Decimal]] = {}
    for r in rows:
        n, total = out.get(r["BillingCurrency"], (0, Decimal(0)))
        out[r["BillingCurrency"]] = (n + 1, total + Decimal(r["BilledCost"]))
    return out


def store_totals(store: Path) -> dict[str, dict[str, tuple[int, Decimal]]]:
    out: dict[str, dict[str, tuple[int, Decimal]]] = {}
    for p in BillingStore(store).partitions():
        out[p["billing_period"]] = {
            c: (t["rows"], Decimal(str(t["billed_cost"]))) for c, t in p["totals"].items()
        }
    return out


def assert_equal_to_the_cent(got, expected, what):
    assert set(got) == set(expected), what
    for period, by_currency in expected.items():
        assert set(got[period]) == set(by_currency), (what, period)
        for c, (rows, total) in by_currency.items():
            assert got[period][c][0] == rows, (what, period, c)
            assert abs(got[period][c][1] - total) < Decimal("0.005"), (what, period, c)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(calls=st.lists(call(), min_size=2, max_size=5))
def test_the_store_always_holds_the_latest_accepted_complete_delivery(calls):
    model: dict = {}
    with tempfile.TemporaryDirectory() as tmp:
        store = Path(tmp) / "store"
        for step, (kind, files) in enumerate(calls):
            folder = Path(tmp) / f"call-{step}"
            for sub, name, rows in files:
                write_focus(folder / sub / name, rows)
            expected = model_outcome(model, files)
            before = store_totals(store)
            try:
                ingest_billing([folder], store, now=NOW)
                accepted = True
            except DeliveryRefused:
                accepted = False
            assert accepted == (expected is not None), (step, kind)
            if expected is None:
                assert store_totals(store) == before, (step, kind)  # nothing changed
                continue
            model = expected
            assert_equal_to_the_cent(
                store_totals(store),
                {p: totals(m["rows"]) for p, m in model.items()},
                (step, kind),
            )
            shutil.rmtree(folder)
