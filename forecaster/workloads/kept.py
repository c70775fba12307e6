"""Workload filters against what rollup partitions kept.

A rollup partition (``forecaster ingest billing --engine spark``, ``forecaster ingest
athena``) keeps only the tag keys and columns it was asked to keep; a workload filtering on
anything else would silently match nothing there. This check makes it a clear error naming
the dimension and the flag that keeps it.
"""

from __future__ import annotations

from pathlib import Path

from forecaster.errors import InputError
from forecaster.store import BillingStore
from forecaster.workloads.spec import Workload


def check_kept(
    store_dir: str | Path, workloads: list[Workload], sources: list[str] | None = None
) -> None:
    """Raise InputError when a workload filters on a tag or column a rollup dropped."""
    rollups = [
        p
        for p in BillingStore(store_dir).partitions()
        if p.get("rollup") and (not sources or p["source"] in sources)
    ]
    for part in rollups:
        kept_tags = set(part["rollup"].get("kept_tags", []))
        kept_columns = set(part["rollup"].get("kept_columns", []))
        where = f"the {part.get('engine', 'engine')} rollup of {part['source']} {part['billing_period']}"
        for w in workloads:
            for key, _ in w.cost.tags:
                if key not in kept_tags:
                    raise InputError(
                        f"workload {w.name!r} filters on tag {key!r}, which {where} dropped; "
                        f"ingest it again with `tags` {key} (or `workloads_tags` FILE: every "
                        "tag key the workloads file filters on)",
                        parameters=("tags", "workloads_tags"),
                    )
            if w.cost.resource_ids and "ResourceId" not in kept_columns:
                raise InputError(
                    f"workload {w.name!r} filters on ResourceId, which {where} dropped; "
                    "ingest it again with `keep` ResourceId",
                    parameters=("keep",),
                )
