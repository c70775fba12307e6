"""Daily FOCUS 1.2 charges for the sample, built from the ground truth in ``truth``."""

from __future__ import annotations

import json
from datetime import date, timedelta

import numpy as np
import polars as pl

from forecaster import columns as C
from forecaster.months import first_of_month_after
from forecaster.sample import truth as T
from forecaster.sample.traffic import DAYS_PER_MONTH

SERVICE_CATEGORY = {
    "Amazon Elastic Compute Cloud": "Compute",
    "Elastic Load Balancing": "Networking",
    "Amazon OpenSearch Service": "Analytics",
    "Virtual Machines": "Compute",
    "Azure SQL Database": "Databases",
    "Cloud CDN": "Networking",
    "Cloud Storage": "Storage",
    "AWS Lambda": "Compute",
    "Amazon Simple Notification Service": "Integration",
    "Amazon Simple Queue Service": "Integration",
}
BILLING_ACCOUNTS = {
    "AWS": "999999999999",
    "Microsoft": "ea-778899",
    "Google Cloud": "01A2B3-C4D5E6-F7A8B9",
}


def _in_window(days: pl.Series, spans: tuple[tuple[str, str, float], ...]) -> np.ndarray:
    extra = np.zeros(len(days))
    for first, last, value in spans:
        mask = ((days >= date.fromisoformat(first)) & (days <= date.fromisoformat(last))).to_numpy()
        extra = np.where(mask, extra + value, extra)
    return extra


def workload_daily_cost(
    w: T.SampleWorkload, daily_load: pl.DataFrame, rng: np.random.Generator
) -> pl.DataFrame:
    """EffectiveCost per day for one workload: columns day, cost (USD)."""
    days = daily_load["day"]
    load = daily_load["load"].to_numpy()
    months = np.arange(len(days)) / DAYS_PER_MONTH
    drift = (1.0 + w.drift_per_month) ** months
    variable = w.marginal * load**w.exponent * drift * rng.lognormal(0.0, 0.03, len(days))
    cost = w.fixed_per_day + variable + _in_window(days, w.anomalies)
    return pl.DataFrame({"day": days, "cost": cost})


def _rows_for(w: T.SampleWorkload, cost: pl.DataFrame) -> list[dict]:
    tags = json.dumps({"team": w.team, "env": "prod"}, separators=(",", ":"))
    name, since, discount = T.PRICE_CHANGE
    rows = []
    for day, total in cost.iter_rows():
        price_factor = (
            1.0 - discount if (w.name == name and day >= date.fromisoformat(since)) else 1.0
        )
        for service, share in w.services.items():
            effective = round(total * share * price_factor, 6)
            rows.append(
                _row(
                    day,
                    w.provider,
                    w.account,
                    service,
                    SERVICE_CATEGORY[service],
                    "Usage",
                    effective,
                    list_cost=round(total * share, 6),
                    region=w.region,
                    tags=tags,
                    resource=f"{w.name}-{service.lower().replace(' ', '-')}",
                )
            )
    return rows


def _row(
    day,
    provider,
    account,
    service,
    category,
    charge_category,
    cost,
    *,
    list_cost=None,
    region=None,
    tags=None,
    resource=None,
    currency="USD",
    billing_account=None,
) -> dict:
    start = date(day.year, day.month, 1)
    end = first_of_month_after(day, 1)
    return {
        C.BILLING_ACCOUNT_ID: billing_account or BILLING_ACCOUNTS[provider],
        C.BILLING_PERIOD_START: f"{start.isoformat()}T00:00:00Z",
        C.BILLING_PERIOD_END: f"{end.isoformat()}T00:00:00Z",
        C.CHARGE_PERIOD_START: f"{day.isoformat()}T00:00:00Z",
        C.CHARGE_PERIOD_END: f"{date.fromordinal(day.toordinal() + 1).isoformat()}T00:00:00Z",
        C.BILLED_COST: cost,
        C.EFFECTIVE_COST: cost,
        C.LIST_COST: cost if list_cost is None else list_cost,
        C.CONTRACTED_COST: cost,
        C.BILLING_CURRENCY: currency,
        C.PROVIDER_NAME: provider,
        C.SUB_ACCOUNT_ID: account,
        C.SERVICE_NAME: service,
        C.SERVICE_CATEGORY: category,
        C.CHARGE_CATEGORY: charge_category,
        C.CHARGE_CLASS: None,
        C.RESOURCE_ID: resource,
        C.REGION_ID: region,
        C.TAGS: tags,
    }


def shared_rows(
    days: pl.Series, rng: np.random.Generator, aws_usage_by_month: dict[date, float]
) -> list[dict]:
    """Cost no workload claims: support, audit, monitoring, tax, credits, a EUR account."""
    rows = []
    for day in days:
        for provider, account, service, category, per_day in T.SHARED_DAILY:
            cost = round(per_day * float(rng.uniform(0.95, 1.05)), 6)
            rows.append(_row(day, provider, account, service, category, "Usage", cost))
        provider, account, service, per_day = T.EUR_ACCOUNT
        rows.append(
            _row(
                day,
                provider,
                account,
                service,
                "Management and Governance",
                "Usage",
                round(per_day * float(rng.uniform(0.9, 1.1)), 6),
                currency="EUR",
                billing_account="ea-eu-5566",
                region="germanywestcentral",
            )
        )
    for index, (month, usage) in enumerate(sorted(aws_usage_by_month.items())):
        last_day = first_of_month_after(month, 1) - timedelta(days=1)
        rows.append(
            _row(
                last_day,
                "AWS",
                "999999999999",
                "Tax",
                "Other",
                "Tax",
                round(usage * T.MONTHLY_TAX_RATE, 6),
            )
        )
        if index < T.CREDIT_MONTHS:
            rows.append(
                _row(
                    last_day,
                    "AWS",
                    "999999999999",
                    "AWS Promotional Credit",
                    "Other",
                    "Credit",
                    T.MONTHLY_CREDIT,
                    list_cost=0.0,
                )
            )
    return rows


def billing_frame(
    workload_costs: dict[str, pl.DataFrame], rng: np.random.Generator
) -> pl.DataFrame:
    """All sample charges as a FOCUS 1.2 frame (text timestamps, as an export writes them)."""
    rows: list[dict] = []
    aws_usage: dict[date, float] = {}
    days = None
    for w in T.WORKLOADS:
        cost = workload_costs[w.name]
        days = cost["day"]
        workload_rows = _rows_for(w, cost)
        rows.extend(workload_rows)
        if w.provider == "AWS":
            for r in workload_rows:
                month = date.fromisoformat(r[C.BILLING_PERIOD_START][:10])
                aws_usage[month] = aws_usage.get(month, 0.0) + r[C.EFFECTIVE_COST]
    rows.extend(shared_rows(days, rng, aws_usage))
    return pl.DataFrame(rows, infer_schema_length=None).sort(
        C.CHARGE_PERIOD_START, C.PROVIDER_NAME, C.SERVICE_NAME
    )
