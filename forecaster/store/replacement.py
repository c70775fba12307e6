"""When a delivery may replace a stored billing period, and when one call holds two deliveries.

**Replacement rule.** The rows of one (source, billing period) in an ingest replace the stored
partition only when they are plausibly a complete delivery of that period:

- *own period*: at least one file delivers the period as its own, i.e. the period is not
  merely *carried* by a file of another period (a period holding under
  :data:`CARRIED_FRACTION` of the rows of that file's largest period, such as one March row
  inside April's export);
- *not a fraction*: the delivery holds at least :data:`SMALL_FRACTION` of the stored rows
  (fewer looks like one part file of a multi-part export, or an older, shorter delivery).

- *same bill*: the delivery bills every provider and billing account the stored period
  bills (an Azure export of May is no re-delivery of the AWS export of May stored under the
  same source name; it is refused, pointing to storing it under a name of its own).

Otherwise the whole ingest is refused, one line per period, naming the period, the stored
and the new rows and BilledCost per currency, and the flag that forces it
(``--replace YYYY-MM``). A stored partition made only of carried rows (the period was never
delivered on its own) is replaced by any own-period delivery, and by the carried rows of a
re-delivery of the files that carried it (a restated April export replaces the March rows
the first April export carried; carried rows from another file are still refused).

**Deliveries within one call.** Files of one period in different folders are separate
deliveries when they bill the same accounts over overlapping charge times (two dated
folders ``2025-03-v1/``, ``2025-03-v2/``); the ingest is then refused naming the folders.
Folders covering different accounts or disjoint days (one folder per provider or per day)
are parts of one delivery. Two files anywhere that share at least
:data:`SAME_ITEMS_FRACTION` of the smaller one's line items (identity columns without
costs; all rows of small files, a hash sample of about 50,000 beyond) are two deliveries
too: the ingest is refused naming both files, unless a provider's manifest lists both as
parts of one delivery. Byte-identical files are read once (see ``forecaster.ingest``); AWS
manifests choose the current delivery before any of this (``forecaster.billing.manifests``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

#: A period under this fraction of a file's largest period is carried, not delivered.
CARRIED_FRACTION = 0.10
#: A delivery under this fraction of the stored rows does not replace them.
SMALL_FRACTION = 0.5
#: Two files sharing this fraction of the smaller one's line items are two deliveries.
SAME_ITEMS_FRACTION = 0.5


@dataclass
class FilePeriod:
    """What one file holds of one billing period (from the ingest's source profile)."""

    file: str
    folder: str
    period: str
    rows: int
    billed: dict[str, float]  # BilledCost per currency
    scope: set[str]  # provider|billing account pairs
    charge_from: datetime | None
    charge_until: datetime | None
    fingerprints: set[int] = field(default_factory=set)  # sampled line-item identities
    sample_every: int = 1  # fingerprints kept: hash a multiple of this power of two
    carried: bool = False
    listed: bool = False  # a provider's manifest lists it as part of the current delivery
    staged: list[Path] = field(default_factory=list)  # its staged canonical Parquet files


@dataclass
class PeriodDelivery:
    """Every file of one (source, period) in this call."""

    source: str
    period: str
    parts: list[FilePeriod] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        """Own-period rows in at least one file (or no per-file view: an engine rollup)."""
        return not self.parts or any(not p.carried for p in self.parts)

    @property
    def rows(self) -> int:
        return sum(p.rows for p in self.parts)


def money(totals: dict[str, float]) -> str:
    """BilledCost per currency in words, e.g. 'BilledCost 1,234.50 USD, 7.00 EUR'."""
    if not totals:
        return "BilledCost 0.00"
    return "BilledCost " + ", ".join(f"{v:,.2f} {c}" for c, v in sorted(totals.items()))


def _sum_billed(parts: list[FilePeriod]) -> dict[str, float]:
    out: dict[str, float] = {}
    for p in parts:
        for c, v in p.billed.items():
            out[c] = out.get(c, 0.0) + v
    return out


def mark_carried(parts: list[FilePeriod]) -> None:
    """Mark each file's periods that are carried rather than delivered (in place)."""
    by_file: dict[str, list[FilePeriod]] = {}
    for p in parts:
        by_file.setdefault(p.file, []).append(p)
    for periods in by_file.values():
        largest = max(p.rows for p in periods)
        for p in periods:
            p.carried = p.rows < CARRIED_FRACTION * largest


def _overlap(a: list[FilePeriod], b: list[FilePeriod]) -> bool:
    scope_a = set().union(*(p.scope for p in a))
    scope_b = set().union(*(p.scope for p in b))
    if not scope_a & scope_b:
        return False
    for x in a:
        for y in b:
            if None in (x.charge_from, x.charge_until, y.charge_from, y.charge_until):
                return True  # cannot tell the days apart: treat as the same days
            if x.charge_from < y.charge_until and y.charge_from < x.charge_until:  # type: ignore[operator]
                return True
    return False


def _folder_label(folder: str, root: str) -> str:
    try:
        rel = Path(folder).relative_to(root)
        return (str(rel) if str(rel) != "." else Path(folder).name) + "/"
    except ValueError:
        return folder + "/"


def _same_items(a: FilePeriod, b: FilePeriod) -> bool:
    every = max(a.sample_every, b.sample_every)  # both samples on the coarser grid
    fa = {h for h in a.fingerprints if h % every == 0}
    fb = {h for h in b.fingerprints if h % every == 0}
    smaller = min(len(fa), len(fb))
    if not smaller:
        return False
    return len(fa & fb) >= SAME_ITEMS_FRACTION * smaller


def repeated_line_items(delivery: PeriodDelivery) -> str | None:
    """A refusal line when two files of the period hold largely the same line items (one
    export saved twice, or a restated copy beside the original)."""
    own = [p for p in delivery.parts if not p.carried]
    for i, a in enumerate(own):
        for b in own[i + 1 :]:
            if not (a.listed or b.listed) and _same_items(a, b):
                return (
                    f"{delivery.period} ({delivery.source}) is delivered twice in this call: "
                    f"{a.file} ({a.rows:,} rows, {money(a.billed)}) and {b.file} "
                    f"({b.rows:,} rows, {money(b.billed)}) hold largely the same line items "
                    "(same charge times, accounts, resources and SKUs). Nothing was stored; "
                    "ingest one of them (the newest replaces what is stored)"
                )
    return None


def duplicate_deliveries(delivery: PeriodDelivery) -> str | None:
    """A refusal line when the period arrives in two or more folders that overlap, or in two
    files holding the same line items."""
    own = [p for p in delivery.parts if not p.carried]
    folders: dict[str, list[FilePeriod]] = {}
    for p in own:
        folders.setdefault(p.folder, []).append(p)
    if len(folders) < 2:
        return repeated_line_items(delivery)
    names = sorted(folders)
    clashing = sorted(
        {
            f
            for i, a in enumerate(names)
            for b in names[i + 1 :]
            if _overlap(folders[a], folders[b])
            for f in (a, b)
        }
    )
    if not clashing:
        return repeated_line_items(delivery)
    root = _common_root(clashing)
    shown = "; ".join(
        f"{_folder_label(f, root)} ({sum(p.rows for p in folders[f]):,} rows, "
        f"{money(_sum_billed(folders[f]))})"
        for f in clashing
    )
    return (
        f"{delivery.period} ({delivery.source}) is delivered {len(clashing)} times in this "
        f"call, for the same accounts and days: {shown}. Nothing was stored; ingest one "
        "delivery folder (the newest replaces what is stored), or pass the folders in "
        "separate calls, oldest first"
    )


def _common_root(folders: list[str]) -> str:
    parts = [Path(f).parts for f in folders]
    common = []
    for level in zip(*parts, strict=False):
        if len(set(level)) != 1:
            break
        common.append(level[0])
    return str(Path(*common)) if common else ""


def _scope_words(scope: set[str]) -> str:
    """``provider|account`` pairs in words: 'AWS accounts 1 and 2; Microsoft account 9'."""
    accounts: dict[str, list[str]] = {}
    for pair in sorted(scope):
        provider, _, account = pair.partition("|")
        accounts.setdefault(provider or "no provider", []).append(account or "(none)")
    parts = []
    for provider, ids in accounts.items():
        shown = ids[:3] + ([f"{len(ids) - 3} more"] if len(ids) > 3 else [])
        listed = shown[0] if len(shown) == 1 else ", ".join(shown[:-1]) + " and " + shown[-1]
        parts.append(f"{provider} account{'s' if len(ids) > 1 else ''} {listed}")
    return "; ".join(parts)


def other_bill_refusal(
    delivery: PeriodDelivery, stored_scope: set[str], forced: bool
) -> str | None:
    """A refusal line when the stored period bills providers or accounts this delivery does
    not: replacing it would drop another bill, not restate this one."""
    new_scope = set().union(*(p.scope for p in delivery.parts)) if delivery.parts else set()
    missing = stored_scope - new_scope
    if forced or not delivery.complete or not new_scope or not missing:
        return None
    provider = sorted(new_scope)[0].partition("|")[0] or "other"
    name = f"{delivery.source}-{''.join(ch if ch.isalnum() else '-' for ch in provider.lower())}"
    return (
        f"{delivery.period} ({delivery.source}) not replaced: the stored period bills "
        f"{_scope_words(missing)}, which this delivery ({_scope_words(new_scope)}) does not "
        "bill, so it is another bill, not a re-delivery. Nothing was stored; store it beside "
        f"the other under a name of its own (`store_as` {name}), or pass `replace` "
        f"{delivery.period} to replace the stored period anyway"
    )


def carrier_redelivered(old: dict[str, Any], redelivered: set[str]) -> bool:
    """Whether the stored partition ``old`` holds only carried rows, all from files whose
    own periods this call re-delivers (their digests in ``redelivered``)."""
    if old.get("complete", True):
        return False
    digests = {f.get("sha256") for f in old.get("files", [])}
    return bool(digests) and digests <= redelivered


def replacement_refusal(
    delivery: PeriodDelivery,
    old: dict[str, Any] | None,
    forced: bool,
    redelivered: set[str] | None = None,
) -> str | None:
    """A refusal line when this delivery may not replace the stored partition ``old``.

    ``redelivered``: SHA-256 digests of the files stored for the periods this call delivers
    as their own. A stored partial period (only carried rows) whose carrying files are all
    among them is replaced by this call's carried rows: its carrier is being re-delivered,
    and the rows it carried go with it.
    """
    if old is None or forced:
        return None
    if not delivery.complete and carrier_redelivered(old, redelivered or set()):
        return None
    old_rows = int(old.get("rows", 0))
    old_billed = {c: t.get("billed_cost", 0.0) for c, t in old.get("totals", {}).items()}
    new_billed = _sum_billed(delivery.parts)
    if not delivery.complete:
        carriers = ", ".join(
            f"{Path(p.file).name} ({p.rows:,} row(s) of {delivery.period})" for p in delivery.parts
        )
        reason = (
            f"this call only carries rows of {delivery.period} inside files of other periods "
            f"({carriers}), which is no delivery of the period"
        )
    elif old.get("complete", True) and delivery.rows < SMALL_FRACTION * old_rows:
        reason = (
            f"the delivery holds under {SMALL_FRACTION:.0%} of the stored rows, so it looks "
            "like part of a delivery (a missing part file?) or an older one"
        )
    else:
        return None
    return (
        f"{delivery.period} ({delivery.source}) not replaced: {reason}; stored "
        f"{old_rows:,} row(s), {money(old_billed)}; this delivery {delivery.rows:,} row(s), "
        f"{money(new_billed)}. Nothing was stored; to replace it anyway pass "
        f"`replace` {delivery.period}"
    )
