"""Billing ingest, second half: the staged partitions reconciled to the cent against their
sources and committed, or nothing stored at all.

``reconcile_and_commit`` applies the replacement and delivery rules
(:mod:`forecaster.store.replacement`) over everything one ingest staged, checks that every
stored total equals the source total to the cent per billing period and currency
(:mod:`forecaster.reconcile`), writes each changed partition's manifest and commits them
together; a refusal or a difference leaves the store as it was. It returns the
``IngestReport``: a ``PeriodResult`` per (source, billing period, currency).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from forecaster import columns as C
from forecaster.errors import DeliveryRefused
from forecaster.ingest_staging import StagedIngest
from forecaster.reconcile import (
    find_restatement,
    line_item_fingerprints,
    period_status,
    reconcile,
    stored_totals,
    sum_profiles,
)
from forecaster.store import BillingStore, PartitionKey
from forecaster.store.replacement import (
    PeriodDelivery,
    duplicate_deliveries,
    other_bill_refusal,
    replacement_refusal,
)

_MONEY_KEYS = {
    C.BILLED_COST: "billed_cost",
    C.EFFECTIVE_COST: "effective_cost",
    C.LIST_COST: "list_cost",
    C.CONTRACTED_COST: "contracted_cost",
}


@dataclass
class PeriodResult:
    """What happened to one (source, billing period, currency)."""

    source: str
    billing_period: str
    currency: str
    rows: int
    billed_cost: float
    effective_cost: float
    list_cost: float
    status: str
    action: str  # "new" | "replaced" | "unchanged"
    reconciliation: dict[str, dict[str, float]] = field(default_factory=dict)
    restatement: dict[str, Any] | None = None
    complete: bool = True  # False: only rows carried by files of other periods

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


@dataclass
class IngestReport:
    periods: list[PeriodResult]
    files: list[dict[str, Any]]
    skipped: list[dict[str, str]]
    notes: list[str] = field(default_factory=list)

    @property
    def flagged(self) -> list[PeriodResult]:
        return [p for p in self.periods if p.restatement and p.restatement.get("flagged")]

    def as_dict(self) -> dict[str, Any]:
        return {
            "periods": [p.as_dict() for p in self.periods],
            "files": self.files,
            "skipped": self.skipped,
            "notes": self.notes,
            "restatements_flagged": [p.as_dict() for p in self.flagged],
        }


def _stored_digests_of_own_periods(store: BillingStore, state: StagedIngest) -> dict[str, set[str]]:
    """Per source, the SHA-256 digests of the files stored for the periods this call
    delivers as their own (whose carried rows this call's carried rows restate)."""
    out: dict[str, set[str]] = {}
    for key, delivery in state.deliveries.items():
        if delivery.complete and delivery.parts:
            old = store.manifest(key)
            if old is not None:
                out.setdefault(key.source, set()).update(f["sha256"] for f in old["files"])
    return out


def _delivery_rules(
    store: BillingStore, state: StagedIngest, replace: set[str]
) -> tuple[list[str], list[str]]:
    """(refusal lines, notes) of the replacement and delivery rules over this call."""
    refusals, notes = [], []
    redelivered = _stored_digests_of_own_periods(store, state)
    for key in sorted(state.deliveries, key=lambda k: (k.source, k.billing_period)):
        delivery = state.deliveries[key]
        own = [p for p in delivery.parts if not p.carried and not p.listed]
        if len(own) > 1:  # only then: which line items the files share
            for p in own:
                p.fingerprints, p.sample_every = line_item_fingerprints(p.staged, p.rows)
        twice = duplicate_deliveries(delivery)
        if twice:
            refusals.append(twice)
            continue
        old = store.manifest(key)
        forced = key.billing_period in replace
        refused = replacement_refusal(delivery, old, forced, redelivered.get(key.source))
        if not refused and old is not None and old.get("complete", True):
            refused = other_bill_refusal(delivery, store.scope(key), forced)
        if refused:
            refusals.append(refused)
        elif delivery.complete:
            for p in delivery.parts:
                if p.carried:
                    notes.append(
                        f"{Path(p.file).name} carries {p.rows:,} row(s) of "
                        f"{key.billing_period}; stored with that period's delivery"
                    )
        else:
            notes.append(
                f"{key.billing_period} ({key.source}): only {delivery.rows:,} row(s) carried "
                "by files of other periods; stored as a partial period, which the period's "
                "own delivery will replace"
            )
    return refusals, notes


def reconcile_and_commit(
    store: BillingStore,
    state: StagedIngest,
    ingest_id: str,
    now: datetime,
    open_periods: set[str],
    replace: set[str] | None = None,
) -> IngestReport:
    results: list[PeriodResult] = []
    to_commit: dict[PartitionKey, tuple[Path, dict[str, Any]]] = {}
    restatements: list[dict[str, Any]] = []
    refusals, notes = _delivery_rules(store, state, replace or set())
    if refusals:
        raise DeliveryRefused("\n".join(refusals), parameters=("replace", "store_as"))
    for key in sorted(state.parts, key=lambda k: (k.source, k.billing_period)):
        stored = stored_totals(state.parts[key])
        recon = reconcile(key, stored, sum_profiles(state.profiles[key]), state.checked[key])
        totals = {
            row[C.BILLING_CURRENCY]: {
                "rows": row["rows"],
                **{v: float(row[k] or 0.0) for k, v in _MONEY_KEYS.items()},
            }
            for row in stored.iter_rows(named=True)
        }
        status = (
            "open" if key.billing_period in open_periods else period_status(key.billing_period, now)
        )
        old = store.manifest(key)
        digests = sorted(f["sha256"] for f in state.files[key])
        same = old is not None and sorted(f["sha256"] for f in old["files"]) == digests
        if same and old["status"] != status:
            same = False  # an estimated month that became final is re-stored as closed
        action = "unchanged" if same else ("replaced" if old else "new")
        # engine rollups (ingest_staged) carry no per-file profile: a whole-source delivery
        delivery = state.deliveries.get(key) or PeriodDelivery(key.source, key.billing_period)
        untils = [p.charge_until for p in delivery.parts if p.charge_until is not None]
        charges_until = max(untils).isoformat() if untils else None
        restatement = None if same else find_restatement(old, totals, status, charges_until)
        if not same:
            manifest = {
                "source": key.source,
                "billing_period": key.billing_period,
                "ingest_id": ingest_id,
                "ingested_at": now.isoformat(),
                "status": status,
                "files": state.files[key],
                "rows": sum(t["rows"] for t in totals.values()),
                "totals": totals,
                "reconciliation": recon,
                "data_files": sorted(p.name for p in state.parts[key]),
                "complete": delivery.complete,
                "charges_until": charges_until,
                **state.manifest_extra.get(key, {}),
            }
            to_commit[key] = (state.parts[key][0].parent, manifest)
            if restatement:
                restatements.append(
                    {
                        "source": key.source,
                        "billing_period": key.billing_period,
                        "ingest_id": ingest_id,
                        "at": now.isoformat(),
                        **restatement,
                    }
                )
        for currency, t in sorted(totals.items()):
            results.append(
                PeriodResult(
                    source=key.source,
                    billing_period=key.billing_period,
                    currency=currency,
                    rows=t["rows"],
                    billed_cost=t["billed_cost"],
                    effective_cost=t["effective_cost"],
                    list_cost=t["list_cost"],
                    status=status,
                    action=action,
                    reconciliation=recon.get(currency, {}),
                    restatement=_restatement_of(restatement, currency),
                    complete=delivery.complete,
                )
            )
    if to_commit:
        store.commit(to_commit, restatements, ingest_id)
    return IngestReport(
        periods=results, files=state.report_files, skipped=state.skipped, notes=notes
    )


def _restatement_of(restatement: dict[str, Any] | None, currency: str) -> dict[str, Any] | None:
    change = (restatement or {}).get("changes", {}).get(currency)
    if change is None:
        return None
    return {
        **change,
        "previous_status": restatement["previous_status"],  # type: ignore[index]
        "charges_until": restatement.get("charges_until"),  # type: ignore[union-attr]
        "previous_charges_until": restatement.get("previous_charges_until"),  # type: ignore[union-attr]
    }
