"""Typed results of the month-over-month bridges (the workload bridge,
``forecaster.curves.decompose.month_bridge``, and the bill's own,
``forecaster.review.bill_bridge``), serialised to plain data only at the edges
(``forecaster bridge --json``, the dashboard's tables) by ``as_dict``.

All money is in the bridge's currency, rounded to the cent; a bridge's steps add up exactly
to its ``total_change``.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any


@dataclass(frozen=True)
class BridgeItem:
    """A service (or workload) new or retired in the month, and its step amount."""

    item: str
    amount: float

    def as_dict(self) -> dict[str, Any]:
        return {"item": self.item, "amount": self.amount}


@dataclass(frozen=True)
class BridgeStep:
    """One step of the waterfall: its ``kind`` (a ``STEPS`` name) and ``amount``. The
    rate/price step carries its ``negotiated`` and ``commitment`` parts (and, in the bill's
    bridge, ``list_price``); new and retired services list their ``items``."""

    kind: str
    amount: float
    negotiated: float | None = None
    commitment: float | None = None
    list_price: float | None = None
    items: tuple[BridgeItem, ...] | None = None

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"kind": self.kind, "amount": self.amount}
        for key in ("negotiated", "commitment", "list_price"):
            if getattr(self, key) is not None:
                out[key] = getattr(self, key)
        if self.items is not None:
            out["items"] = [i.as_dict() for i in self.items]
        return out


@dataclass(frozen=True)
class ItemChange:
    """One item's change (a workload, an unclaimed service, or a charge category of the
    bill): its cost in both months and its steps (step kind -> amount, every step of the
    bridge, summing to ``change``)."""

    item: str
    previous_cost: float
    cost: float
    steps: dict[str, float]

    @property
    def change(self) -> float:
        """This month's cost minus the month before's, rounded to the cent."""
        return round(self.cost - self.previous_cost, 2)

    def as_dict(self) -> dict[str, Any]:
        return {
            "item": self.item,
            "previous_cost": self.previous_cost,
            "cost": self.cost,
            **self.steps,
        }


@dataclass(frozen=True)
class MonthBridge:
    """One currency's bridge from ``previous_month`` to ``month`` (``YYYY-MM``).

    ``quantities`` (bill bridge only): whether the bill gives consumed quantities; ``note``
    says when the month before holds no billing of the currency; ``basis`` names the bridge
    ("workloads" or "bill only (no workloads)")."""

    month: str
    previous_month: str
    previous_cost: float
    cost: float
    total_change: float
    steps: tuple[BridgeStep, ...]
    by_item: tuple[ItemChange, ...]
    currency: str | None = None
    quantities: bool | None = None
    note: str | None = None
    basis: str | None = None

    @classmethod
    def from_cents(
        cls,
        month: str,
        previous: str,
        totals: tuple[int, int],
        steps: dict[str, int],
        rate_parts: dict[str, int],
        services: tuple[list[BridgeItem], list[BridgeItem]],
        by_item: list[ItemChange],
        **extra: Any,
    ) -> MonthBridge:
        """A bridge from its arithmetic in cents: ``totals`` (month before, this month),
        ``steps`` (kind -> cents, in order), the rate/price step's parts (kind -> cents) and
        the new and retired ``services``; ``extra``: the optional fields."""
        out = []
        for kind, amount in steps.items():
            if kind == "rate_price":
                parts = {k: v / 100 for k, v in rate_parts.items()}
                out.append(BridgeStep(kind, amount / 100, **parts))
            elif kind in ("new_services", "retired_services"):
                items = services[kind == "retired_services"]
                out.append(BridgeStep(kind, amount / 100, items=tuple(items)))
            else:
                out.append(BridgeStep(kind, amount / 100))
        before, now = totals
        return cls(
            month=month,
            previous_month=previous,
            previous_cost=before / 100,
            cost=now / 100,
            total_change=(now - before) / 100,
            steps=tuple(out),
            by_item=tuple(by_item),
            **extra,
        )

    def step(self, kind: str) -> BridgeStep:
        """The step named ``kind`` (KeyError when the bridge has no such step)."""
        for s in self.steps:
            if s.kind == kind:
                return s
        raise KeyError(kind)

    def with_currency(self, currency: str, **changes: Any) -> MonthBridge:
        return replace(self, currency=currency, **changes)

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {} if self.currency is None else {"currency": self.currency}
        out.update(
            month=self.month,
            previous_month=self.previous_month,
            previous_cost=self.previous_cost,
            cost=self.cost,
            total_change=self.total_change,
            steps=[s.as_dict() for s in self.steps],
            by_item=[i.as_dict() for i in self.by_item],
        )
        for key in ("quantities", "note", "basis"):
            if getattr(self, key) is not None:
                out[key] = getattr(self, key)
        return out


@dataclass(frozen=True)
class BridgeDocument:
    """The bridge of a month across currencies (alphabetical), as ``forecaster bridge``
    prints it (the CLI adds the inputs it used); ``basis`` says whether workloads were used."""

    month: str
    basis: str
    currencies: tuple[MonthBridge, ...]

    def currency(self, currency: str) -> MonthBridge | None:
        """The bridge of ``currency``, or None when the month has none."""
        return next((b for b in self.currencies if b.currency == currency), None)

    def as_dict(self) -> dict[str, Any]:
        return {
            "month": self.month,
            "basis": self.basis,
            "currencies": [b.as_dict() for b in self.currencies],
        }
