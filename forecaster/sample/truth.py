"""The bundled sample's ground truth: the workloads, their true cost curves and the planted
effects (idle baseline, scaling excess, efficiency drift, an anomaly). data/README.md
documents the same numbers; tests check that the product finds them.

Cost per day (EffectiveCost, USD) = fixed + marginal * load ** exponent, with load in the
workload's unit per day; the variable part carries ~3% multiplicative noise.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

START = date(2024, 11, 1)  # first day of the sample (UTC)
END = date(2026, 11, 1)  # exclusive end: 24 whole months, all closed by the time it ships
SEED = 20241101


@dataclass(frozen=True)
class SampleWorkload:
    """One workload of the sample and the truth behind its numbers."""

    name: str
    team: str
    provider: str
    account: str
    region: str
    services: dict[str, float]  # ServiceName -> share of the workload's cost
    metric: str
    unit: str
    load_per_day: float  # mean load per day at the start (unit per day)
    growth_per_month: float  # compound growth of load per month
    weekend_factor: float  # load on Saturday/Sunday relative to weekdays
    fixed_per_day: float  # F, USD per day
    cost_at_start_load: float  # variable cost per day at the starting mean load, USD
    exponent: float  # k
    drift_per_month: float = 0.0  # unit cost growth per month at equal load
    anomalies: tuple[tuple[str, str, float], ...] = ()  # (first day, last day, extra USD/day)
    load_events: tuple[tuple[str, str, float], ...] = ()  # (first day, last day, load factor)
    category: dict[str, str] = field(default_factory=dict)

    @property
    def marginal(self) -> float:
        """v in cost = F + v * load ** k (USD per day per unit**k)."""
        return self.cost_at_start_load / self.load_per_day**self.exponent


WORKLOADS: tuple[SampleWorkload, ...] = (
    SampleWorkload(
        name="checkout-api",
        team="checkout",
        provider="AWS",
        account="111111111111",
        region="us-east-1",
        services={"Amazon Elastic Compute Cloud": 0.7, "Elastic Load Balancing": 0.3},
        metric="checkout.requests",
        unit="requests",
        load_per_day=2_000_000,
        growth_per_month=0.03,
        weekend_factor=0.75,
        fixed_per_day=40.0,
        cost_at_start_load=900.0,
        exponent=1.0,
        load_events=(("2025-11-28", "2025-12-01", 2.5),),  # Black Friday: traffic explains it
    ),
    SampleWorkload(
        name="search",
        team="search",
        provider="AWS",
        account="222222222222",
        region="eu-west-1",
        services={"Amazon OpenSearch Service": 0.8, "Amazon Elastic Compute Cloud": 0.2},
        metric="search.queries",
        unit="queries",
        load_per_day=800_000,
        growth_per_month=0.04,
        weekend_factor=0.85,
        fixed_per_day=25.0,
        cost_at_start_load=500.0,
        exponent=1.35,  # diseconomy of scale: cost grows faster than load
    ),
    SampleWorkload(
        name="reporting-batch",
        team="data",
        provider="Microsoft",
        account="33333333-3333-4333-8333-333333333333",
        region="westeurope",
        services={"Virtual Machines": 0.75, "Azure SQL Database": 0.25},
        metric="reporting.jobs",
        unit="jobs",
        load_per_day=300,
        growth_per_month=0.01,
        weekend_factor=0.5,
        fixed_per_day=320.0,  # idle baseline: always-on VMs sized for the month-end peak
        cost_at_start_load=135.0,
        exponent=1.0,
    ),
    SampleWorkload(
        name="media-cdn",
        team="media",
        provider="Google Cloud",
        account="media-prod-4417",
        region="us-central1",
        services={"Cloud CDN": 0.65, "Cloud Storage": 0.35},
        metric="media.gb_served",
        unit="GB",
        load_per_day=40_000,
        growth_per_month=0.02,
        weekend_factor=1.15,
        fixed_per_day=15.0,
        cost_at_start_load=600.0,
        exponent=1.0,
        drift_per_month=0.02,  # unit cost +2% per month at equal load
    ),
    SampleWorkload(
        name="notifications",
        team="platform",
        provider="AWS",
        account="111111111111",
        region="us-east-1",
        services={
            "AWS Lambda": 0.5,
            "Amazon Simple Notification Service": 0.3,
            "Amazon Simple Queue Service": 0.2,
        },
        metric="notifications.sent",
        unit="messages",
        load_per_day=5_000_000,
        growth_per_month=0.05,
        weekend_factor=0.9,
        fixed_per_day=8.0,
        cost_at_start_load=250.0,
        exponent=1.0,
        anomalies=(("2026-03-14", "2026-03-16", 350.0),),  # runaway retries: load flat
    ),
)

#: Cost no workload claims (USD per day unless noted): support, audit, monitoring, tax, credits.
SHARED_DAILY: tuple[tuple[str, str, str, str, float], ...] = (
    # provider, account, service, category, USD per day
    ("AWS", "999999999999", "AWS Support (Business)", "Other", 55.0),
    ("AWS", "999999999999", "AWS CloudTrail", "Management and Governance", 6.0),
    ("AWS", "111111111111", "Amazon CloudWatch", "Management and Governance", 18.0),
    ("Google Cloud", "media-prod-4417", "Cloud Logging", "Management and Governance", 4.0),
)
MONTHLY_TAX_RATE = 0.05  # AWS tax row per month on AWS usage
MONTHLY_CREDIT = -300.0  # AWS promotional credit per month until it runs out
CREDIT_MONTHS = 6
#: A separate Azure billing account billed in EUR (never summed with USD).
EUR_ACCOUNT = ("Microsoft", "44444444-4444-4444-8444-444444444444", "Azure Monitor", 45.0)

#: Checkout's negotiated discount improves from this month on (a rate/price change).
PRICE_CHANGE = ("checkout-api", "2026-06-01", 0.05)

#: The load test of the search cluster (Universal Scalability Law truth): peak 62.3 queries/s
#: at 34.5 users, so the growing production peak (~42 q/s in 2026-10) nears it in 2027.
LOADTEST = {"workload": "search", "gamma": 6.5, "sigma": 0.05, "kappa": 0.0008, "noise": 0.02}

#: The same load test's response times (closed test: each user thinks THINK_MS between
#: requests). Mean R(N) = 1000 N / X(N) - THINK_MS ms by Little's law on the USL truth (104 ms
#: at 1 user, 205 ms at 12); each response time is lognormal around that mean with log-sd
#: LOG_SD, so p50, p95, p99 are fixed multiples of it (RATIOS); each statistic carries
#: ``noise`` multiplicative noise. The budget p95 = 400 ms holds up to about 11.5 users,
#: where the law gives about 46 queries/s (74% of the ceiling): production's busiest hour
#: reaches that around 2027-01, before it reaches 80% of the ceiling (spring 2027).
LATENCY = {"think_ms": 50.0, "log_sd": 0.5, "noise": 0.03}
LATENCY_RATIOS = {"p50": 0.8825, "p95": 2.0102, "p99": 2.8236}  # exp(z*s - s^2/2), s = 0.5
LATENCY_BUDGET = "p95=400ms"
