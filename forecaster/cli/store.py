"""``forecaster store status``: what the store holds, per source, billing period and currency."""

from __future__ import annotations

import argparse

from forecaster.cli import options
from forecaster.cli.common import print_json, store_dir
from forecaster.store import BillingStore, status_rows
from forecaster.store.billing import source_overlaps


def register(sub: argparse._SubParsersAction) -> None:
    parser = options.command(sub, "store")
    actions = parser.add_subparsers(dest="action", metavar="ACTION")
    actions.required = True
    status = options.command(actions, "store status")
    options.store(status)
    options.json_output(status)
    status.set_defaults(func=run_status)


def run_status(args: argparse.Namespace) -> int:
    store = BillingStore(store_dir(args))
    rows = status_rows(store)
    restatements = store.catalog().get("restatements", [])
    overlaps = source_overlaps(rows)
    if args.json:
        print_json(
            {
                "periods": [
                    {
                        k: r[k]
                        for k in (
                            "source",
                            "billing_period",
                            "currency",
                            "rows",
                            "billed_cost",
                            "effective_cost",
                            "list_cost",
                            "status",
                            "complete",
                            "ingested_at",
                        )
                    }
                    for r in rows
                ],
                "restatements": restatements,
                "overlaps": overlaps,
            }
        )
        return 0
    if not rows:
        print(f"{store.root}: the store holds no billing data yet")
        return 0
    print(
        f"{'source':<14} {'period':<8} {'cur':<4} {'rows':>10} {'BilledCost':>16} "
        f"{'EffectiveCost':>16} status"
    )
    for r in rows:
        print(
            f"{r['source']:<14} {r['billing_period']:<8} {r['currency']:<4} {r['rows']:>10,} "
            f"{r['billed_cost']:>16,.2f} {r['effective_cost']:>16,.2f} {r['status']}"
            + ("" if r["complete"] else " (partial: only rows carried by other months' files)")
        )
    for o in overlaps:
        print(
            f"overlap: {o['billing_period']} {o['currency']} is held by sources "
            f"{', '.join(o['sources'])}; adding them would count that cost twice "
            "(pick one with --source in curves, bridge, tco, review, workloads)"
        )
    flagged = [r for r in restatements if r.get("flagged")]
    if flagged:
        print(f"{len(flagged)} restatement(s) shrank a closed month by more than 1%:")
        for r in flagged:
            print(f"  {r['source']} {r['billing_period']} at {r['at']}")
    return 0
