"""What the bill alone tells: its daily cost series, their forecast by time, the
month-over-month bridge without workloads and anomalies by time.

- ``series``: daily EffectiveCost per currency, in total or per provider, service or
  account (largest groups plus "the rest"), with explicit gaps.
- ``forecast``: ``forecast_days``, the one time-only cost forecast (the load forecaster at
  day grain), monthly bands.
- ``monthly``: ``forecast_months``, the monthly cost forecast by time with its P10-P90
  band measured out of sample (the cost no workload claims in ``forecaster tco``).
- ``bill``: ``bill_forecast``, the bill's forecast per currency and group.
"""

from forecaster.timeonly.forecast import forecast_days

__all__ = ["forecast_days"]
