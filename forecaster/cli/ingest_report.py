"""The text of a billing ingest's report: one line per stored period, then what was flagged.

Its own module because every billing ingest prints it: files (``ingest billing``), S3
exports, Cost Explorer and the Spark and Athena engines.
"""

from __future__ import annotations

from forecaster.ingest_commit import IngestReport


def format_report(report: IngestReport) -> str:
    lines = [
        f"{'source':<14} {'period':<8} {'cur':<4} {'rows':>10} {'BilledCost':>16} "
        f"{'EffectiveCost':>16} {'status':<7} {'action':<9} reconciled"
    ]
    for p in report.periods:
        checked = ", ".join(sorted(p.reconciliation)) or "-"
        lines.append(
            f"{p.source:<14} {p.billing_period:<8} {p.currency:<4} {p.rows:>10,} "
            f"{p.billed_cost:>16,.2f} {p.effective_cost:>16,.2f} {p.status:<7} {p.action:<9} "
            f"to the cent ({checked})"
        )
    for p in report.flagged:
        lines.append(restatement_line(p))
    for s in report.skipped:
        lines.append(f"skipped {s['file']}: {s['reason']}")
    for note in report.notes:
        lines.append(f"note: {note}")
    return "\n".join(lines)


def restatement_line(p) -> str:
    """The RESTATEMENT line of a flagged period (closed or open month)."""
    r = p.restatement or {}
    kind = "closed" if r.get("previous_status", "closed") == "closed" else "open"
    line = (
        f"RESTATEMENT: {kind} month {p.billing_period} ({p.source}, {p.currency}) changed "
        f"from {r.get('before', 0):,.2f} to {r.get('after', 0):,.2f} {p.currency} BilledCost"
    )
    until, before = r.get("charges_until"), r.get("previous_charges_until")
    if until and before and until < before:
        return line + f"; its charges now end {until[:16]}, before the stored {before[:16]}"
    return line + " (shrank more than 1%)"
