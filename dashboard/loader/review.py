"""The monthly review: the month-over-month bridge and the review pack."""

from __future__ import annotations

from typing import Any

from dashboard.loader.caching import cached, on_disk
from dashboard.loader.config import config, store_dir
from dashboard.loader.errors import refusals
from dashboard.loader.workload_results import series, workloads


@cached
@on_disk
@refusals
def bridge(month: str) -> dict[str, Any]:
    """The month-over-month bridge per currency (as ``forecaster bridge``: curves fitted on
    the data up to the month's end), from the cached workload series."""
    from forecaster.store import BillingStore
    from forecaster.views.review import month_bridge_doc

    charges = BillingStore(store_dir()).scan()
    return month_bridge_doc(charges, workloads(), series(), month)


@cached
@refusals
def review_pack(month: str) -> Any:
    """The monthly review pack (``forecaster.review.ReviewPack``) of ``month``."""
    from forecaster.review import build_review
    from forecaster.review.outlook import match_load_tests

    now = config()
    tests = match_load_tests(workloads(), list(now.loadtests)) if now.workloads else {}
    return build_review(
        store_dir(), month, now.workloads, loadtests=tests, scenarios_path=now.scenarios
    )
