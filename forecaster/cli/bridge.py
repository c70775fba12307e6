"""``forecaster bridge --month YYYY-MM``: why cost changed from the month before, per currency.

Steps: volume (organic growth), scaling excess, fixed, efficiency, rate/price, new and
retired services, residual; they sum exactly to the change. Without workloads, the bill's
own bridge: rate/price, usage volume, new and retired services, credits, refunds, tax and
the rest (``forecaster.review.bill_bridge``).
"""

from __future__ import annotations

import argparse
import re

from forecaster.cli import options
from forecaster.cli.common import print_json, store_dir
from forecaster.errors import InputError
from forecaster.inputs import check_sources, inputs_doc, inputs_line, named
from forecaster.review.bridge import bridge_for_month

LABELS = {
    "volume": "volume (organic growth)",
    "scaling_excess": "scaling excess",
    "fixed": "fixed baseline",
    "efficiency": "efficiency drift",
    "rate_price": "rate / price",
    "new_services": "new services",
    "retired_services": "retired services",
    "residual": "residual",
    # the bill-only bridge (no workloads)
    "usage_volume": "usage volume",
    "credits": "credits",
    "refunds": "refunds, adjustments",
    "tax": "tax",
    "rest": "the rest",
}


def register(sub: argparse._SubParsersAction) -> None:
    parser = options.command(sub, "bridge")
    parser.add_argument("--month", required=True, help="the month to explain, YYYY-MM")
    options.named_input(parser, "workloads", "workloads TOML", "the bridge from the bill alone")
    options.sources(parser)
    options.store(parser)
    options.json_output(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    if not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", args.month):
        raise InputError(f"--month {args.month!r}: expected YYYY-MM, e.g. 2026-10")
    check_sources(store_dir(args), args.source)
    workloads = named("workloads", args.workloads)
    doc = bridge_for_month(store_dir(args), args.month, workloads.path, args.source)
    if args.json:
        print_json({**doc.as_dict(), "inputs": inputs_doc(store_dir(args), workloads)})
        return 0
    print(inputs_line(store_dir(args), workloads))
    if doc.basis != "workloads":
        print("no workloads file: the bridge from the bill alone (EffectiveCost)\n")
    for b in doc.currencies:
        cur = b.currency
        if b.note:
            print(f"{cur}: note: {b.note}")
        print(f"{cur}: {b.previous_month} {b.previous_cost:,.2f} -> {b.month} "
              f"{b.cost:,.2f} ({b.total_change:+,.2f})")  # fmt: skip
        for step in b.steps:
            print(f"  {LABELS[step.kind]:<26} {step.amount:>+16,.2f} {cur}")
            if step.kind == "rate_price" and step.list_price is not None:
                for part in ("negotiated", "commitment", "list_price"):
                    amount = getattr(step, part)
                    print(f"    {part.replace('_', ' '):<24} {amount:>+16,.2f} {cur}")
        print()
    return 0
